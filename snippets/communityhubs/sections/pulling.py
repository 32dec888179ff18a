"""`environment.pull_secret` and `environment.pre_pull`: how a Kubernetes cluster gets user images
(kubernetes.environment renders them). On one machine there is nothing to pull with a Secret or
onto other nodes: the keys are said there as changing nothing, so a spec moves between targets
unchanged (a workshop's spec pre-pulls on the cluster and runs as it is on TLJH).
"""

from __future__ import annotations

from typing import Any

from ..formats.file_values import FileValues
from ..formats.python_lines import Section
from ..formats.tljh_commands import Part
from ..spec import HubSpec

WHY = {
    "local": "servers run from the hub's own Python environment: there is no image to pull",
    "docker": "Docker keeps images on its one machine and pulls with its own `docker login`",
    "tljh": "servers run in TLJH's one user environment: there is no image to pull",
}
KEYS = ("pull_secret", "pre_pull")


def not_here(spec: HubSpec, target: str) -> str:
    """The comment a one-machine target writes for these keys ('' when the spec gives neither)."""
    env = spec.section("environment")
    given = [f"environment.{key} {env[key]!r}" for key in KEYS if key in env]
    return f"{', '.join(given)}: for a Kubernetes cluster; here {WHY[target]}, so it changes nothing" if given else ""


def jupyterhub_config(spec: HubSpec, target: str, section: Section) -> Section:
    note = not_here(spec, target)
    return section.code(f"# {note}") if note else section


def tljh(spec: HubSpec, part: Part) -> Part:
    note = not_here(spec, "tljh")
    return part.code(f"# {note}") if note else part


CHART_PRE_PULLS = True
"""Zero to JupyterHub's own default: both prePuller.hook and prePuller.continuous are enabled."""


def from_values_yaml(values: FileValues) -> dict[str, Any]:
    """pull_secret and pre_pull from a values.yaml. A file that leaves the pre-pullers out gets the
    chart's (both on), stated in the spec, as its culler is; one that runs only one of them is
    carried as pre-pulling, and the report says which."""
    out: dict[str, Any] = {}
    secrets = values.take("singleuser.image.pullSecrets", to="environment.pull_secret") or []
    if secrets:
        first = secrets[0]
        out["pull_secret"] = first["name"] if isinstance(first, dict) else str(first)
        if len(secrets) > 1:
            values.report.left_out.append(
                (values.prefix + "singleuser.image.pullSecrets", "the spec names one pull Secret: the first is kept")
            )
    hook = values.take("prePuller.hook.enabled", to="environment.pre_pull")
    continuous = values.take("prePuller.continuous.enabled", to="environment.pre_pull")
    hook, continuous = (CHART_PRE_PULLS if v is None else bool(v) for v in (hook, continuous))
    if hook != continuous:
        values.report.carried.append(
            (values.prefix + "prePuller", f"environment.pre_pull: only the {'hook' if hook else 'continuous'} one ran")
        )
    if hook or continuous:
        out["pre_pull"] = True
    return out
