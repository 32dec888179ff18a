"""Where things are: the repository, the built site, the guides, the browser, the golden files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CHROMIUM = "/usr/bin/chromium"
GOLDEN = ROOT / "tests" / "golden"

# Every guide page, as a path under guides/ without .md ("docker/set-memory-and-cpu-limits").
# The index and included fragments (names starting with "_") are not guides.
GUIDES = sorted(
    str(p.relative_to(ROOT / "guides").with_suffix(""))
    for p in (ROOT / "guides").rglob("*.md")
    if p.stem != "index" and not p.stem.startswith("_")
)
# The guides that run on any hub (they include the "where to run this guide" tabs).
ON_EVERY_TARGET = sorted(p.stem for p in (ROOT / "guides").glob("*.md") if "_run-this-guide.md" in p.read_text())


def communityhubs(*args: str, cwd: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    """The command line as a reader runs it, `python -m communityhubs ARGS` in `cwd`, its output captured."""
    command = [sys.executable, "-m", "communityhubs", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
