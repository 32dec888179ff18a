"""The local target: up, status, down, its error messages, and no orphans."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest
import requests
from communityhubs import SNIPPETS
from communityhubs.client import HubClient, log_in
from communityhubs.hub import Hub, HubError
from communityhubs.kernel import run_in_kernel
from communityhubs.proxy import ProxyNotFound
from communityhubs.spec import load_spec

from tests.support.needs import need_root
from tests.support.open_python import OpenHub, free_port


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
    assert "configurable-http-proxy" in names and "-m communityhubs.singleuser" in names
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


def test_cli_never_prints_secrets_and_deletes_data_only_by_name(tmp_path: Path) -> None:
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
    # `down` keeps the data; deleting it is its own command, with the hub's name typed back
    folder = state / "demo-community"
    assert "its data is kept: `communityhubs hub delete --confirm demo-community`" in down.stdout
    assert (folder / "jupyterhub.sqlite").is_file()
    refused = cli("delete", "--confirm", "demo")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "nothing was deleted" in refused.stderr
    assert f"file {folder / 'jupyterhub.sqlite'}" in refused.stdout and (folder / "jupyterhub.sqlite").is_file()
    deleted = cli("delete", "--confirm", "demo-community")
    assert deleted.returncode == 0 and not (folder / "jupyterhub.sqlite").exists(), deleted.stderr
    assert (folder / "admin-token").is_file()  # the configuration and its secrets stay


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up_says_plainly_when_every_server_runs_as_the_hubs_own_account(tmp_path: Path) -> None:
    """pytest's folders are closed to other accounts (0700), so here servers cannot get
    accounts of their own: `hub up` must say so, and what follows from it."""
    state = tmp_path / "state"
    up = subprocess.run(
        [sys.executable, "-m", "communityhubs", "hub", "up", "--state", str(state), "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        assert up.returncode == 0, up.stderr
        line = up.stdout.splitlines()[-1]
        assert line.startswith("user servers run as: this hub's own account, all of them, because ")
        assert "any user can read every home folder and the hub's secrets" in line
    finally:
        subprocess.run([sys.executable, "-m", "communityhubs", "hub", "down", "--state", str(state)], timeout=120)


ISOLATION_PROBE = """
import getpass, os
print(getpass.getuser())
for path in ["../../admin-token", "../../shared-password", "../../jupyterhub.sqlite", "../demo-ada/notes.txt"]:
    try:
        open(path, "rb").read()
        print("read", path)
    except PermissionError:
        print("denied", path)
try:
    os.listdir("../..")
    print("listed the hub's folder")
except PermissionError:
    print("denied listing")
"""


def test_as_root_each_user_runs_as_an_account_of_their_own() -> None:
    """Finding 2 of issue 12: a user's kernel read the admin token. Run as root, each
    server now runs as jupyter-NAME and can reach nothing but its own home. The hub runs from
    an environment every account may run (tests/support/open_python.py)."""
    need_root("servers as accounts of their own")
    base = Path(tempfile.mkdtemp(prefix="chub-isolation-", dir="/tmp"))  # pytest's own folders are 0700
    os.chmod(base, 0o711)
    hub = OpenHub(SNIPPETS / "hub.yaml", base, free_port())
    try:
        said = hub.up()
        assert "user servers run as: a Unix account of their own each" in said, said
        token = hub.admin_token()
        api = HubClient(hub.url, token)
        for user in ("demo-ada", "demo-grace"):
            api.start_server(user)
        assert run_in_kernel(hub.url, token, "demo-ada", "open('notes.txt', 'w').write('mine'); print('ok')") == "ok\n"
        out = run_in_kernel(hub.url, token, "demo-grace", ISOLATION_PROBE).splitlines()
        assert out == [
            "jupyter-demo-grace",
            "denied ../../admin-token",
            "denied ../../shared-password",
            "denied ../../jupyterhub.sqlite",
            "denied ../demo-ada/notes.txt",
            "denied listing",
        ]
        ada_home = hub.state_dir / "homes" / "demo-ada"
        assert stat.S_IMODE(ada_home.stat().st_mode) == 0o700
        assert ada_home.stat().st_uid == pwd.getpwnam("jupyter-demo-ada").pw_uid
    finally:
        hub.down()
        shutil.rmtree(base, ignore_errors=True)
        for account in ("jupyter-demo-ada", "jupyter-demo-grace"):
            subprocess.run(["userdel", account], capture_output=True)


def test_account_names_are_ones_unix_accepts() -> None:
    from communityhubs.local_spawner import account_name

    assert account_name("demo-ada") == "jupyter-demo-ada"
    for odd in ("alice@uni.edu", "Zoë", "x" * 40):
        name = account_name(odd)
        assert name.startswith("jupyter-") and len(name) <= 32 and name.isascii() and name == name.lower()
    assert account_name("alice@uni.edu") != account_name("alice@uni.org")


def test_the_culler_runs_on_the_hubs_own_python(local_hub) -> None:
    """Started with the Python that runs the hub, which has the culler installed beside it (a `python3`
    on PATH may not, and culling would silently stop)."""
    _, info = local_hub
    culler = next(p for p in psutil.process_iter(["cmdline"]) if "jupyterhub_idle_culler" in (p.info["cmdline"] or []))
    hub_python = psutil.Process(info.pid).cmdline()[0]
    assert culler.info["cmdline"][0] == hub_python
