"""When a hub test fails, what its hubs said: each hub's log (JupyterHub and the proxy it starts
write to the same file) and, on docker, each user container's log, attached to the failure's
report, as DockerSpawner's own suite does. Long random strings are masked (they may be tokens)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from communityhubs import names

SECRET = re.compile(r"\b(?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{24,}\b")
LINES = 60  # the end of each log: where a failure is


def state_folders(value: Any, depth: int = 0) -> Iterator[Path]:
    """The hub state folders a fixture value holds: a runner's, a (runner, info) pair's, or a
    folder (tmp_path) under which hubs were made."""
    if depth > 2:
        return
    if isinstance(value, Path) and value.is_dir():
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from state_folders(item, depth + 1)
    elif isinstance(getattr(value, "state_dir", None), Path):  # a Runner
        yield value.state_dir
    elif hasattr(value, "runner"):  # a fixture's object holding one
        yield from state_folders(value.runner, depth + 1)


def tail(path: Path) -> str:
    lines = path.read_text(errors="replace").splitlines()[-LINES:]
    return SECRET.sub("<secret>", "\n".join(lines))


def container_logs() -> list[str]:
    """The end of each docker container's log of every hub (`chub-...`); none without Docker.
    Asked before the test's fixtures are torn down, so its containers are still there."""
    try:
        found = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"name=^{names.PREFIX}-"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = []
    for container in found.stdout.split():
        said = subprocess.run(
            ["docker", "logs", "--tail", str(LINES), container], capture_output=True, text=True, timeout=20
        )
        out.append(f"--- container {container} ---\n{SECRET.sub('<secret>', said.stdout + said.stderr)}")
    return out


def hub_logs(funcargs: dict[str, Any]) -> str:
    """Every hub log under the test's fixtures' folders, and each docker hub's container logs."""
    logs = {
        log
        for value in funcargs.values()
        for folder in state_folders(value)
        for log in ([folder / names.LOG_FILE] if (folder / names.LOG_FILE).is_file() else folder.rglob(names.LOG_FILE))
    }
    parts = [f"--- {log} (last {LINES} lines) ---\n{tail(log)}" for log in sorted(logs)]
    if parts:
        parts += container_logs()
    return "\n".join(parts)
