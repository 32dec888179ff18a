"""The local target: up, status, down, its error messages, and no orphans."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests
from communityhubs.client import HubClient, log_in
from communityhubs.hub import Hub, HubError
from communityhubs.kernel import run_in_kernel
from communityhubs.proxy import ProxyNotFound
from communityhubs.spec import load_spec


def test_hub_answers_on_loopback_and_keeps_state_private(local_hub) -> None:
    hub, info = local_hub
    assert info.url.startswith("http://127.0.0.1:")
    assert requests.get(f"{info.url}/hub/api/", timeout=10).json()["version"].startswith("6.")
    for path in hub.state_dir.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(hub.state_dir.stat().st_mode) == 0o700


def test_spec_users_groups_and_admins_are_applied(local_hub) -> None:
    _, info = local_hub
    api = HubClient(info.url, info.admin_token())
    users = {u["name"]: u for u in api.users()}
    assert set(users) == {"demo-admin", "demo-ada", "demo-grace"}
    assert users["demo-admin"]["admin"] and not users["demo-ada"]["admin"]
    assert api.group("demo-teaching-team")["properties"] == {"course": "Data Science 101"}


def test_down_leaves_no_proxy_or_user_server(tmp_path: Path) -> None:
    hub = Hub(load_spec(), tmp_path / "hub")
    info = hub.up()
    api = HubClient(info.url, info.admin_token())
    api.start_server("demo-ada")
    family = [psutil.Process(info.pid), *psutil.Process(info.pid).children(recursive=True)]
    names = " ".join(" ".join(p.cmdline()) for p in family)
    assert "configurable-http-proxy" in names and "jupyterhub-singleuser" in names
    assert hub.down() is True
    assert [p.pid for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert hub.info() is None
    assert hub.down() is False


def test_user_logs_in_and_runs_code_over_websocket(local_hub) -> None:
    hub, info = local_hub
    password = info.password_file.read_text().strip()
    session = log_in(info.url, "demo-grace", password)
    assert session.get(f"{info.url}/hub/home", timeout=30).status_code == 200
    api = HubClient(info.url, info.admin_token())
    api.start_server("demo-grace")
    out = run_in_kernel(info.url, info.admin_token(), "demo-grace", "import os; print(os.environ['COMMUNITY'], 6 * 7)")
    assert out == "demo-community 42\n"
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        run_in_kernel(info.url, info.admin_token(), "demo-grace", "1 / 0")


def test_second_up_says_hub_is_already_running(local_hub) -> None:
    hub, info = local_hub
    with pytest.raises(HubError, match=rf"already running from {hub.state_dir} \(pid {info.pid}\)"):
        Hub(hub.spec, hub.state_dir).up()


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        hub = Hub(load_spec(), tmp_path / "hub", port=port)
        with pytest.raises(HubError, match=rf"^port {port} on 127.0.0.1 is already in use"):
            hub.up()
    assert hub.info() is None


def test_missing_proxy_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMUNITYHUBS_PROXY", "no-such-proxy-binary")
    with pytest.raises(ProxyNotFound, match="no-such-proxy-binary"):
        Hub(load_spec(), tmp_path / "hub").up()


def test_cli_up_status_down_never_prints_secrets(tmp_path: Path) -> None:
    state = tmp_path / "state"
    port = _free_port()

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "communityhubs", "hub", *args, "--state", str(state), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    up = cli("up")
    try:
        assert up.returncode == 0, up.stderr
        assert f"running at http://127.0.0.1:{port}/" in up.stdout
        token = (state / "demo-community" / "admin-token").read_text().strip()
        password = (state / "demo-community" / "shared-password").read_text().strip()
        status = cli("status")
        assert "users: 3, servers running: 0" in status.stdout
        again = cli("up")
        assert again.returncode == 1 and again.stderr.startswith("error: a hub is already running")
        for out in (up, status, again):
            assert token not in out.stdout + out.stderr
            assert password not in out.stdout + out.stderr
    finally:
        down = cli("down")
    assert "stopped" in down.stdout
    assert cli("status").returncode == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
