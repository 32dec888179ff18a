"""Virtual environments the suite makes for upstream code (the chart's hub, TLJH's hub, the wheel),
with uv: seconds where pip took minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def new_venv(folder: Path) -> list[str]:
    """Make a virtual environment at `folder` (this interpreter's Python); the command that installs into it."""
    subprocess.run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    return [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(folder / "bin" / "python")]
