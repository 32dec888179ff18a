"""Run a target's checks and, only when all pass, store what they proved in docs/proofs/<target>.json,
which that target's tab on every guide quotes (`Target.proof`). Used by tests/support/chart_proof.py
(`nox -s chart-proof`) and tests/support/tljh_proof.py (`nox -s tljh-proof`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .paths import ROOT

PROOFS = ROOT / "docs" / "proofs"


def record_path(target: str) -> Path:
    return PROOFS / f"{target}.json"


def run_and_store(target: str, checks: list[str], record: Callable[[str], dict[str, Any]]) -> int:
    """Run pytest on `checks` (a missing upstream piece fails, never skips); on success store
    {"checked_on": today, **record(summary)}. The full output goes to .nox/<target>-proof.txt."""
    report = ROOT / ".nox" / f"{target}-proof.txt"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *checks],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},
    )
    report.parent.mkdir(exist_ok=True)
    report.write_text(done.stdout + done.stderr)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
    if done.returncode != 0:
        print(f"{target} checks failed ({summary}); nothing stored. See {report}")
        return 1
    path = record_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"checked_on": dt.date.today().isoformat(), **record(summary)}, indent=2) + "\n")
    print(f"stored {path.relative_to(ROOT)}: {summary}")
    return 0
