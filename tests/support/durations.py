"""A pytest plugin: every run writes how long each test took (set-up, call and tear-down together)
and each test folder's total to _build/durations/tests.json, so a slow test is seen before CI's
time limit is. `nox -s tests` records the phases before and around pytest (_build/durations/phases-tests.json)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest

from .paths import BUILD, ROOT

DURATIONS = BUILD / "durations"

_seconds: dict[str, float] = defaultdict(float)
_outcomes: dict[str, str] = {}
_started = time.monotonic()


def folder(nodeid: str) -> str:
    """tests/unit/test_spec.py::test_x -> tests/unit (the folder that says what the test needs)."""
    path = Path(nodeid.split("::", 1)[0])
    return str(path.parent) if len(path.parts) > 2 else str(path)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] += report.duration
    if report.when == "call" or report.outcome != "passed":
        _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    rootdir = Path(session.config.rootpath)
    prefix = rootdir.relative_to(ROOT) if rootdir.is_relative_to(ROOT) else Path()
    tests = {str(prefix / nodeid): round(s, 2) for nodeid, s in sorted(_seconds.items(), key=lambda kv: -kv[1])}
    folders: dict[str, float] = defaultdict(float)
    for nodeid, seconds in tests.items():
        folders[folder(nodeid)] += seconds
    DURATIONS.mkdir(parents=True, exist_ok=True)
    record = {
        "wall_seconds": round(time.monotonic() - _started, 1),
        "exit_status": int(exitstatus),
        "folders": {name: round(s, 1) for name, s in sorted(folders.items())},
        "tests": tests,
        "outcomes": {str(prefix / n): o for n, o in sorted(_outcomes.items())},
    }
    (DURATIONS / "tests.json").write_text(json.dumps(record, indent=1) + "\n")
