"""Faults while people work: a hub killed outright, its proxy killed, a user's
container killed, a copied state folder, a garbled pid file, and a user's
container trying to take the hub's public port. Nothing is mocked: every
process and container here is real, and each test checks that no user, group
or running server is lost and that `status` and `down` tell the truth."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import requests
from communityhubs import SNIPPETS
from communityhubs.client import HubClient
from communityhubs.hub import Hub, HubError, HubInfo
from communityhubs.hubprocess import HubProcess, free_port
from communityhubs.secretfiles import auth_headers
from communityhubs.spec import load_spec

from tests.support.needs import need_docker

DOCKER_SPEC = SNIPPETS / "examples" / "docker-hub.yaml"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"after {timeout:.0f} s: {what}")


def server_status(info: HubInfo, user: str) -> int:
    """The HTTP status of a user's server, reached through the public port (the proxy)."""
    try:
        url = f"{info.url}/user/{user}/api/status"
        return requests.get(
            url, headers=auth_headers(info.admin_token()), timeout=10, allow_redirects=False
        ).status_code
    except requests.RequestException:
        return 0


def processes_in(state_dir: Path) -> list[psutil.Process]:
    """Every process working in the hub's state folder or below it (hub, proxy, services, local servers)."""
    found = []
    for proc in psutil.process_iter():
        try:
            cwd = Path(proc.cwd())
        except (psutil.Error, OSError):
            continue
        if cwd == state_dir or state_dir in cwd.parents:
            found.append(proc)
    return found


def kill_hub(info: HubInfo) -> None:
    """SIGKILL: the hub gets no chance to stop its proxy or servers."""
    hub = psutil.Process(info.pid)
    hub.send_signal(signal.SIGKILL)
    hub.wait(10)


def hub_state(api: HubClient) -> tuple[dict, dict]:
    """What must survive: every user with admin flag and servers, every group with members."""
    users = {u["name"]: (u["admin"], sorted(u["servers"])) for u in api.users()}
    groups = {g["name"]: sorted(g["users"]) for g in api.groups()}
    return users, groups


@pytest.fixture
def crashable_hub(tmp_path: Path) -> Iterator[tuple[Hub, HubInfo]]:
    """A local hub on a fixed port with demo-ada's server running."""
    hub = Hub(load_spec(), tmp_path / "hub", port=free_port())
    info = hub.up()
    HubClient(info.url, info.admin_token()).start_server("demo-ada")
    yield hub, info
    hub.down()
    assert processes_in(hub.state_dir) == [], "down left processes behind"


def test_a_killed_hub_comes_back_on_the_same_port_with_its_users_groups_and_servers(crashable_hub) -> None:
    hub, info = crashable_hub
    api = HubClient(info.url, info.admin_token())
    api.create_group("demo-crash-group", ["demo-ada"])
    before = hub_state(api)
    server = next(p for p in processes_in(hub.state_dir) if p.cwd().endswith("homes/demo-ada"))

    kill_hub(info)
    assert hub.info() is None
    assert hub.leftovers().startswith("its last run ended without cleaning up; still running:")
    # demo-ada's server is named among them (with any process it has started, a child of its own:
    # on a slow machine JupyterLab's start-up may still have one running)
    assert re.search(r"\b\d+ user server process\(es\)", hub.leftovers())
    assert server.pid in {p.pid for p in hub.process.leftover_processes()}

    again = hub.up()  # the orphaned proxy held the public port: it is replaced, not an error
    assert again.url == info.url
    assert server.is_running(), "the user's server was stopped instead of taken over"
    api = HubClient(again.url, again.admin_token())
    assert hub_state(api) == before
    # The server still knows the hub's API port (kept per state folder), so the hub can answer for it.
    assert server_status(again, "demo-ada") == 200
    assert server.is_running() and hub.leftovers() == ""


def test_down_after_a_crash_stops_what_the_hub_left_running(crashable_hub) -> None:
    hub, info = crashable_hub
    kill_hub(info)
    left = processes_in(hub.state_dir)
    assert len(left) >= 2, "the proxy and the user's server should have outlived the hub"
    assert hub.down() is True
    assert [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert hub.leftovers() == "" and hub.down() is False


def test_a_copied_state_folder_is_not_the_running_hub(local_hub, tmp_path: Path) -> None:
    hub, info = local_hub
    copy = tmp_path / "copy" / hub.state_dir.name
    shutil.copytree(hub.state_dir, copy, symlinks=True)
    copied = Hub(hub.spec, copy)
    assert copied.info() is None and copied.leftovers() == ""
    assert copied.down() is False
    assert hub.info() is not None and hub.info().pid == info.pid
    assert requests.get(f"{info.url}/hub/api/", timeout=10).status_code == 200


GARBAGE = ["not a pid", "-5", "0", "99999999", "1"]  # "1": a process that is running, and not the hub


def test_a_garbled_pid_file_neither_hides_nor_doubles_the_running_hub(local_hub) -> None:
    hub, info = local_hub
    pid_file = HubProcess(hub.state_dir).pid_file
    try:
        for garbage in GARBAGE:
            pid_file.write_text(garbage)
            assert hub.info() is not None and hub.info().pid == info.pid, garbage
            pid_file.write_text(garbage)
            with pytest.raises(HubError, match=rf"already running from .* \(pid {info.pid}\)"):
                Hub(hub.spec, hub.state_dir).up()
    finally:
        pid_file.write_text(str(info.pid))  # the module's hub, as it was


@pytest.mark.parametrize("garbage", ["not a pid", "1"])
def test_a_hub_with_a_garbled_pid_file_still_stops_and_nothing_else_does(own_local_hub, garbage: str) -> None:
    hub, info = own_local_hub
    HubProcess(hub.state_dir).pid_file.write_text(garbage)
    assert hub.down() is True
    assert not psutil.pid_exists(info.pid) or psutil.Process(info.pid).status() == psutil.STATUS_ZOMBIE
    assert processes_in(hub.state_dir) == []
    assert psutil.pid_exists(1)


def test_a_killed_proxy_is_restarted_and_servers_keep_their_routes(crashable_hub) -> None:
    hub, info = crashable_hub
    api = HubClient(info.url, info.admin_token())
    before = hub_state(api)
    proxy = next(p for p in psutil.Process(info.pid).children() if "configurable-http-proxy" in " ".join(p.cmdline()))
    proxy.send_signal(signal.SIGKILL)
    proxy.wait(10)
    assert server_status(info, "demo-ada") == 0  # the public port is down with it
    wait_for(lambda: server_status(info, "demo-ada") == 200, "the hub did not restart its proxy with the routes")
    assert hub_state(api) == before


def test_a_proxy_that_cannot_take_back_the_public_port_fails_loudly_and_retries(crashable_hub) -> None:
    """Finding 1 of issue 12, on any target: JupyterHub used to log "good to go" over a dead
    public port. Now each restart that can't listen there is an error, until the port is free."""
    hub, info = crashable_hub
    public = int(info.url.rsplit(":", 1)[1])
    log = hub.log_file
    proxy = next(p for p in psutil.Process(info.pid).children() if "configurable-http-proxy" in " ".join(p.cmdline()))
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        start = len(log.read_text())
        proxy.send_signal(signal.SIGKILL)
        proxy.wait(10)
        squatter.bind(("127.0.0.1", public))
        squatter.listen()
        since_kill = lambda: log.read_text()[start:]  # noqa: E731
        wait_for(lambda: "could not take its public port" in since_kill(), "no error while the port was taken")
        assert "good to go" not in since_kill()
    wait_for(lambda: server_status(info, "demo-ada") == 200, "the proxy did not come back once the port was free")
    assert "good to go" in since_kill()


def test_the_hub_api_port_stays_the_same_for_a_state_folder(tmp_path: Path) -> None:
    hub = Hub(load_spec(), tmp_path / "hub")
    first = HubProcess(hub.state_dir)
    hub.up()
    ports = first.saved_ports()
    hub.down()
    hub.up()
    try:
        again = first.saved_ports()
        assert (again.hub, again.proxy_api) == (ports.hub, ports.proxy_api)
    finally:
        hub.down()


def test_a_taken_hub_api_port_is_named_in_one_line(tmp_path: Path) -> None:
    hub = Hub(load_spec(), tmp_path / "hub")
    hub.up()
    hub.down()
    kept = HubProcess(hub.state_dir).saved_ports().hub
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port may still be in TIME_WAIT
        squatter.bind(("127.0.0.1", kept))
        squatter.listen()
        with pytest.raises(HubError, match=rf"^port {kept} on 127.0.0.1 \(the hub's API, kept in .*hub.url"):
            hub.up()
    assert hub.info() is None


# --- docker: the same faults with containers, and a container that tries to take the public port


@pytest.fixture
def docker_hub_with_servers(tmp_path: Path) -> Iterator[tuple[Hub, HubInfo]]:
    need_docker()
    hub = Hub(load_spec(DOCKER_SPEC), tmp_path / "hub", port=free_port())
    info = hub.up()
    api = HubClient(info.url, info.admin_token())
    for user in ("demo-ada", "demo-grace"):
        api.start_server(user)
    yield hub, info
    hub.down()
    hub.forget()
    assert docker("ps", "-aq", "--filter", "name=^chub-docker-demo-") == ""


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60).stdout.strip()


def in_container(user: str, code: str) -> str:
    return docker("exec", f"chub-docker-demo-{user.replace('-', '-2d')}", "python3", "-c", code)


CONNECT = """
import socket, sys
s = socket.socket(); s.settimeout(3)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("reached")
except OSError as err:
    print("refused", type(err).__name__)
"""


def test_a_user_container_cannot_reach_this_machines_loopback_or_other_servers(docker_hub_with_servers) -> None:
    hub, info = docker_hub_with_servers
    public = int(info.url.rsplit(":", 1)[1])
    grace = f"chub-docker-demo-{'demo-grace'.replace('-', '-2d')}"
    grace_ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", grace)
    ada = "chub-docker-demo-demo-2dada"

    def connect(host: str, port: int) -> str:
        return docker("exec", ada, "python3", "-c", CONNECT, host, str(port))

    assert connect("127.0.0.1", public).startswith("refused")  # the hub's public port is not in its namespace
    assert connect(grace_ip, 8888).startswith("refused")  # traffic between containers is off
    gateway = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "chub-docker-demo")
    assert connect(gateway, HubProcess(hub.state_dir).saved_ports().hub) == "reached"  # the hub's API is reachable
    ports = docker("ps", "--filter", "name=^chub-docker-demo-", "--format", "{{.Ports}}").splitlines()
    assert len(ports) == 2 and all(p.startswith("127.0.0.1:") for p in ports), ports


SQUAT = """
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(); print("bound", flush=True); time.sleep(120)
"""


def test_a_user_container_cannot_take_the_public_port_when_the_proxy_dies(docker_hub_with_servers) -> None:
    """Finding 1 of issue 12: on the host network a container bound the public port while the
    proxy was down and served its own login page there. On the hub's own network it can't."""
    hub, info = docker_hub_with_servers
    public = int(info.url.rsplit(":", 1)[1])
    proxy = next(p for p in psutil.Process(info.pid).children() if "configurable-http-proxy" in " ".join(p.cmdline()))
    proxy.send_signal(signal.SIGKILL)
    proxy.wait(10)
    squatter = subprocess.Popen(
        ["docker", "exec", "chub-docker-demo-demo-2dada", "python3", "-c", SQUAT, str(public)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert squatter.stdout.readline().strip() == "bound"  # it binds inside its own namespace only
        wait_for(lambda: server_status(info, "demo-grace") == 200, "the hub's proxy did not come back")
        answer = requests.get(f"{info.url}/hub/api/", timeout=10)
        assert answer.json()["version"].startswith("6."), "something other than the hub answers the public port"
    finally:
        squatter.kill()
        squatter.wait(10)


def test_a_killed_container_is_noticed_and_restarted_with_its_files(docker_hub_with_servers) -> None:
    hub, info = docker_hub_with_servers
    api = HubClient(info.url, info.admin_token())
    in_container("demo-ada", "open('/home/jovyan/notes.txt', 'w').write('kept')")
    docker("kill", "chub-docker-demo-demo-2dada")
    assert server_status(info, "demo-grace") == 200  # the other user's server is untouched
    api.start_server("demo-ada")  # the hub polls the dead server, then starts a new one
    wait_for(lambda: server_status(info, "demo-ada") == 200, "demo-ada's server did not come back")
    assert in_container("demo-ada", "print(open('/home/jovyan/notes.txt').read())") == "kept"
    assert {"demo-ada", "demo-grace"} <= {u["name"] for u in api.users() if u["servers"]}


def test_a_killed_docker_hub_takes_its_running_containers_over(docker_hub_with_servers) -> None:
    hub, info = docker_hub_with_servers
    api = HubClient(info.url, info.admin_token())
    before = hub_state(api)
    containers = docker("ps", "-q", "--no-trunc", "--filter", "name=^chub-docker-demo-").split()
    kill_hub(info)
    assert "2 user container(s)" in hub.leftovers()
    again = hub.up()
    assert hub_state(HubClient(again.url, again.admin_token())) == before
    assert docker("ps", "-q", "--no-trunc", "--filter", "name=^chub-docker-demo-").split() == containers
    assert server_status(again, "demo-ada") == 200 and server_status(again, "demo-grace") == 200
