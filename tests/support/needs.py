"""What a test needs from this machine, and the skip (or, in CI, the failure) when it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from communityhubs.images import docker_answers
from communityhubs.targets import TARGETS

from .paths import ROOT


def docker_problem() -> str:
    return TARGETS["docker"].unavailable()


def require(what: str, problem: str) -> None:
    """Skip a test whose `what` this machine lacks ('' problem: it has it). In CI it is part of the
    job, so its absence fails instead."""
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide {what}: {problem}")
        pytest.skip(f"needs {what}: {problem}")


def need_root(why: str) -> None:
    require(f"root ({why})", "" if os.geteuid() == 0 else "not running as root")


def need_docker() -> None:
    require("Docker", docker_problem())


def need_slapd() -> None:
    from communityhubs.directory import slapd_missing

    require("an OpenLDAP server", slapd_missing())


def cluster_problem() -> str:
    """'' where a kind cluster can be made here, else what is missing."""
    problem = TARGETS["kubernetes"].unavailable()
    if not problem and not docker_answers():
        problem = "no Docker engine answers, and kind runs its cluster in Docker"
    return problem


def need_cluster() -> None:
    """A skip even in CI: this project's CI machines have no registry and no kind node image.
    The hosted workflow (.github/workflows/kubernetes.yml) runs these tests on kind."""
    problem = cluster_problem()
    if problem:
        pytest.skip(f"needs a kind cluster: {problem}")


def guide_problem(guide: str) -> str:
    """What a guide under guides/<target>/ lacks here ('' for none)."""
    if guide.startswith("docker/"):
        return docker_problem()
    if guide.startswith("kubernetes/"):
        return cluster_problem()
    return ""


def need_guide_target(guide: str) -> None:
    if guide.startswith("docker/"):
        need_docker()
    elif guide.startswith("kubernetes/"):
        need_cluster()


def chart_folder() -> Path:
    """The Zero to JupyterHub chart at the version we render for: $COMMUNITYHUBS_CHART, else the
    unchanged copy in ../shared/upstream/ (elsewhere: `helm pull jupyterhub --repo ... --version V`)."""
    from communityhubs import names
    from communityhubs.targets.chart import CHART_VERSION

    chosen = os.environ.get(names.CHART_ENV)
    return Path(chosen) if chosen else ROOT.parent / "shared" / "upstream" / f"zero-to-jupyterhub-{CHART_VERSION}"


def need_chart() -> Path:
    """In CI the chart is part of the job (../shared/ is beside the clone): its absence is a failure."""
    folder = chart_folder()
    problem = f"no Zero to JupyterHub chart at {folder} (set COMMUNITYHUBS_CHART to a `helm pull` of it)"
    require("the chart", "" if (folder / "Chart.yaml").is_file() else problem)
    return folder


def tljh_folder() -> Path:
    """The Littlest JupyterHub's source at the version we render for: $COMMUNITYHUBS_TLJH, else the
    unchanged copy in ../shared/upstream/ (elsewhere: a clone of jupyterhub/the-littlest-jupyterhub at the tag)."""
    from communityhubs import names
    from communityhubs.targets.tljh import TLJH_VERSION

    chosen = os.environ.get(names.TLJH_ENV)
    return Path(chosen) if chosen else ROOT.parent / "shared" / "upstream" / f"tljh-{TLJH_VERSION}"


def need_tljh() -> Path:
    """In CI TLJH's source is part of the job (../shared/ is beside the clone): its absence is a failure."""
    folder = tljh_folder()
    problem = f"no TLJH source at {folder} (set COMMUNITYHUBS_TLJH to a checkout of its release)"
    require("The Littlest JupyterHub", "" if (folder / "tljh" / "configurer.py").is_file() else problem)
    return folder
