"""Every CLI command that talks to a hub answers a failing hub with one line, never a traceback.

The hub is real; its database is then damaged under it (the users table renamed),
so that its REST API answers 500, as a hub with a broken database does.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from communityhubs import SNIPPETS
from communityhubs.hubprocess import free_port

from tests.support.paths import communityhubs

SPEC = SNIPPETS / "hub.yaml"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return communityhubs(*args, cwd=cwd, timeout=300)


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture
def broken_hub(tmp_path: Path):
    """A running local hub whose API answers 500, and a bundle exported while it was well."""
    state = tmp_path / "state"
    port = str(free_port())
    up = cli("hub", "up", "--spec", str(SPEC), "--state", str(state), "--port", port, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    try:
        bundle = tmp_path / "hub.bundle"
        done = cli("export", "--out", str(bundle), "--spec", str(SPEC), "--state", str(state), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        folder = state / "demo-community"
        with sqlite3.connect(folder / "jupyterhub.sqlite") as db:
            db.execute("ALTER TABLE users RENAME TO users_damaged")
        yield tmp_path, state, port, bundle
    finally:
        cli("hub", "down", "--spec", str(SPEC), "--state", str(state), cwd=tmp_path)


def test_every_command_against_a_hub_answering_500_says_one_line(broken_hub) -> None:
    cwd, state, port, bundle = broken_hub
    status = one_line_error(cli("hub", "status", "--spec", str(SPEC), "--state", str(state), cwd=cwd))
    assert "500" in status and "/hub/api/users" in status
    export = one_line_error(
        cli("export", "--out", str(cwd / "again.bundle"), "--spec", str(SPEC), "--state", str(state), cwd=cwd)
    )
    assert "500" in export
    assert not (cwd / "again.bundle").exists()  # nothing half-written
    restore = one_line_error(cli("import", str(bundle), "--state", str(state), "--port", port, cwd=cwd))
    assert "500" in restore
    down = cli("hub", "down", "--spec", str(SPEC), "--state", str(state), cwd=cwd)
    assert down.returncode == 0 and "stopped" in down.stdout, down.stderr


def test_a_hub_that_does_not_answer_is_named_with_advice(tmp_path: Path) -> None:
    from communityhubs.client import HubClient, HubUnreachable

    port = free_port()  # nothing listens here
    expected = rf"^GET /hub/api/: no answer from http://127.0.0.1:{port} .*running there"
    with pytest.raises(HubUnreachable, match=expected):
        HubClient(f"http://127.0.0.1:{port}", "not-a-real-token").version()
