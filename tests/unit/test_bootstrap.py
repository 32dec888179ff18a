"""The set-up behind the README's commands (`python3 noxfile.py -s ...`, in .ci/bootstrap.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from types import ModuleType

import pytest

from tests.support.paths import ROOT


def bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / ".ci" / "bootstrap.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sessions_are_read_from_nox_arguments() -> None:
    b = bootstrap()
    assert b.sessions(["-s", "tests", "--", "-k", "browser"]) == ["tests"]
    assert b.sessions([]) == ["docs"]


def test_the_suite_needs_more_system_packages_than_the_site() -> None:
    b = bootstrap()
    assert {"graphviz", "chromium"} <= set(b.FOR_DOCS)  # the build photographs the guides' hubs
    assert {"docker.io", "debootstrap"} <= set(b.FOR_TESTS)


def test_without_root_or_sudo_it_stops_with_the_exact_command(monkeypatch: pytest.MonkeyPatch) -> None:
    b = bootstrap()
    monkeypatch.setattr(b.os, "geteuid", lambda: 1000)
    real_which = shutil.which
    monkeypatch.setattr(b.shutil, "which", lambda name: None if name == "sudo" else real_which(name))
    with pytest.raises(SystemExit) as stopped:
        b.install({"graphviz": "draws the site's diagrams"})
    message = str(stopped.value)
    assert "as root run:" in message
    assert "apt-get update && apt-get install -y -qq --no-install-recommends graphviz" in message


def test_what_is_missing_is_named_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    b = bootstrap()
    monkeypatch.setattr(b.shutil, "which", lambda name: None)
    monkeypatch.setattr(b.ctypes.util, "find_library", lambda name: None)
    missing = b.missing_packages(b.FOR_DOCS | b.FOR_TESTS)
    assert missing["graphviz"] == "draws the site's diagrams"
    assert "libatomic1" in missing  # a library, found through the loader, not on PATH


def test_a_docker_client_without_an_engine_still_installs_the_engine(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machines here ship a `docker` client and no daemon: the client must not count as Docker."""
    b = bootstrap()
    client = tmp_path / "docker"
    client.write_text("#!/bin/sh\nexit 0\n")
    client.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("docker") == str(client)
    missing = b.missing_packages(b.FOR_TESTS)
    assert "docker.io" in missing
    engine = tmp_path / "dockerd"
    engine.write_text("#!/bin/sh\nexit 0\n")
    engine.chmod(0o755)
    assert "docker.io" not in b.missing_packages(b.FOR_TESTS)


def test_a_runs_phases_are_timed_into_one_file_of_its_own(tmp_path) -> None:
    """The set-up and the session add to the same file; a phase that fails is still timed; a session
    run inside the suite (`nox -s hub`) writes its own file, not the suite's."""
    b = bootstrap()
    path = tmp_path / "phases.json"
    with b.phase("set-up", path):
        pass
    with pytest.raises(RuntimeError), b.phase("build", path):
        raise RuntimeError("a failed build")
    assert [p["phase"] for p in json.loads(path.read_text())] == ["set-up", "build"]
    assert b.phases_file(["tests"]).name == "phases-tests.json" != b.phases_file(["hub"]).name
