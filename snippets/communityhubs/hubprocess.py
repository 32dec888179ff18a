"""JupyterHub and configurable-http-proxy as processes on this machine.

Shared by every target whose hub runs here (local, docker). It knows nothing
about targets: it is handed a rendered jupyterhub_config.py and runs it, with
every piece of state in one directory (mode 0700, files 0600).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from .proxy import find_proxy
from .secretfiles import write_private

HOST = "127.0.0.1"
CONFIG_NAME = "jupyterhub_config.py"


class HubError(RuntimeError):
    """A hub that cannot be started or stopped; str(error) says why in one line."""


@dataclass(frozen=True)
class Ports:
    """Where the hub listens: the public proxy port, the hub's API, the proxy's API."""

    public: int = 8000
    hub: int = 8081
    proxy_api: int = 8001


DEFAULT_PORTS = Ports()
"""The ports a rendered configuration shows: JupyterHub's own defaults."""


@dataclass(frozen=True)
class HubInfo:
    url: str
    pid: int
    state_dir: Path
    proxy: str
    target: str

    @property
    def token_file(self) -> Path:
        return self.state_dir / "admin-token"

    @property
    def password_file(self) -> Path:
        return self.state_dir / "shared-password"

    def admin_token(self) -> str:
        return self.token_file.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def check_port_free(port: int) -> None:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise HubError(f"port {port} on {HOST} is already in use: choose another with --port") from None
            raise


def hub_answers(url: str, timeout: float = 2) -> bool:
    """True when JupyterHub's REST API answers at `url` (it needs no token to say its version)."""
    try:
        return requests.get(f"{url}/hub/api/", timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def choose_ports(public: int | None) -> Ports:
    port = public or free_port()
    check_port_free(port)
    return Ports(public=port, hub=free_port(), proxy_api=free_port())


class HubProcess:
    """One JupyterHub process, identified by its state directory."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir).resolve()

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "hub.pid"

    @property
    def meta_file(self) -> Path:
        return self.state_dir / "hub.url"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "hub.log"

    @property
    def config_file(self) -> Path:
        return self.state_dir / CONFIG_NAME

    def prepare(self) -> None:
        """Create the state directory, private to this account."""
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.state_dir, 0o700)

    def running_pid(self) -> int | None:
        """The hub's pid if it is running; removes a stale pid file."""
        try:
            pid = int(self.pid_file.read_text())
        except (OSError, ValueError):
            return None
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE and "jupyterhub" in " ".join(proc.cmdline()):
                return pid
        except psutil.Error:
            pass
        self.pid_file.unlink(missing_ok=True)
        return None

    def info(self) -> HubInfo | None:
        pid = self.running_pid()
        if pid is None:
            return None
        meta = json.loads(self.meta_file.read_text())
        return HubInfo(url=meta["url"], pid=pid, state_dir=self.state_dir, proxy=meta["proxy"], target=meta["target"])

    def refuse_if_running(self) -> None:
        running = self.info()
        if running:
            raise HubError(
                f"a hub is already running from {self.state_dir} (pid {running.pid}) at {running.url}: "
                "stop it first with `down`"
            )

    def start(self, config_text: str, ports: Ports, target: str, timeout: float = 60) -> HubInfo:
        """Write the rendered config into the state directory and run `jupyterhub -f` on it."""
        self.refuse_if_running()
        proxy_cmd, proxy_kind = find_proxy()
        self.prepare()
        write_private(self.config_file, config_text)
        url = f"http://{HOST}:{ports.public}"
        # The config names `configurable-http-proxy` and `python3` as an admin's would:
        # PATH finds the pinned proxy and this environment's interpreter.
        path = [str(Path(proxy_cmd[0]).parent), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
        env = dict(os.environ, PATH=os.pathsep.join(path))
        with open(self.log_file, "ab") as log:
            os.chmod(self.log_file, 0o600)
            proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(self.config_file)],
                cwd=self.state_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                umask=0o077,  # the database and every file the hub writes: owner only
            )
        write_private(self.pid_file, str(proc.pid))
        write_private(self.meta_file, json.dumps({"url": url, "proxy": proxy_kind, "target": target}))
        try:
            self._wait_ready(proc, url, timeout)
        except BaseException:
            self.stop_tree(proc.pid, timeout=10)  # never leave a half-started hub behind
            self.pid_file.unlink(missing_ok=True)
            raise
        return HubInfo(url=url, pid=proc.pid, state_dir=self.state_dir, proxy=proxy_kind, target=target)

    def _wait_ready(self, proc: subprocess.Popen, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise HubError(f"the hub exited with code {proc.returncode} while starting: {self._last_error()}")
            if hub_answers(url):
                return
            time.sleep(0.2)
        raise HubError(f"the hub did not answer at {url} within {timeout:.0f} s; see {self.log_file}")

    def _last_error(self) -> str:
        lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        for line in reversed(lines):
            if "[E " in line or "Error" in line:
                return line.strip()[:300]
        return (lines[-1].strip()[:300] if lines else "no log output") + f" (log: {self.log_file})"

    def stop(self, timeout: float = 60) -> bool:
        """Stop the hub, its proxy and every user server it started. False if nothing ran."""
        pid = self.running_pid()
        if pid is None:
            return False
        self.stop_tree(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def stop_tree(pid: int, timeout: float) -> None:
        """SIGTERM the hub so it stops servers and proxy itself; then make sure.

        The proxy and user servers run in sessions of their own, so a process
        group kill would miss them: we collect every descendant first.
        """
        try:
            hub = psutil.Process(pid)
            family = [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout)
        except psutil.TimeoutExpired:
            hub.kill()
        _gone, alive = psutil.wait_procs(family[1:], timeout=5)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=5)
