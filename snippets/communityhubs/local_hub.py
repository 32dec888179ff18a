"""A hub on this machine: JupyterHub and configurable-http-proxy on 127.0.0.1,
with every piece of state in one directory. User servers run as local
processes (`local` target) or in Docker containers (`docker` target).
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

from . import SNIPPETS
from .proxy import find_proxy
from .render import LocalPorts, render_local
from .secretfiles import ensure_secret, write_private
from .spec import HubSpec

CONFIG_FILE = SNIPPETS / "jupyterhub_config.py"
TARGETS = ("local", "docker")
HOST = "127.0.0.1"


class HubError(RuntimeError):
    """A hub that cannot be started or stopped; str(error) says why in one line."""


@dataclass(frozen=True)
class HubInfo:
    url: str
    pid: int
    state_dir: Path
    proxy: str

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


class LocalHub:
    """One hub, identified by its state directory."""

    def __init__(self, spec: HubSpec, state_dir: Path, port: int | None = None, target: str | None = None):
        self.spec = spec
        self.state_dir = Path(state_dir).resolve()
        self.port = port
        self.target = target or spec.data.get("target", "local")
        if self.target not in TARGETS:
            raise HubError(f"{spec.source}: target: {self.target!r} cannot run on this machine (choose from {TARGETS})")

    # --- paths ---------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.state_dir / "hub.pid"

    @property
    def url_file(self) -> Path:
        return self.state_dir / "hub.url"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "hub.log"

    # --- status --------------------------------------------------------
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
        meta = json.loads(self.url_file.read_text())
        return HubInfo(url=meta["url"], pid=pid, state_dir=self.state_dir, proxy=meta["proxy"])

    # --- up ------------------------------------------------------------
    def up(self, timeout: float = 60) -> HubInfo:
        running = self.info()
        if running:
            raise HubError(
                f"a hub is already running from {self.state_dir} (pid {running.pid}) at {running.url}: "
                "stop it first with `down`"
            )
        proxy_cmd, proxy_kind = find_proxy()
        port = self.port or free_port()
        check_port_free(port)
        ports = LocalPorts(public=port, hub=free_port(), proxy_api=free_port())

        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.state_dir, 0o700)
        ensure_secret(self.state_dir / "admin-token")
        if self.spec.data["authenticator"]["type"] == "shared-password":
            ensure_secret(self.state_dir / "shared-password", env="HUB_SHARED_PASSWORD", nbytes=16)
        # JupyterHub would generate this itself; creating it here puts it in the ledger too.
        ensure_secret(self.state_dir / "jupyterhub_cookie_secret")
        if self.target == "docker":
            from . import docker_target  # imported only when used: needs the docker package

            docker_target.prepare(self.spec)
            traits = docker_target.render_docker(self.spec, ports, self.state_dir, proxy_cmd)
        else:
            traits = render_local(self.spec, ports, self.state_dir, proxy_cmd)
        auth = self.spec.data["authenticator"]
        write_private(
            self.state_dir / "settings.json",
            json.dumps({"traits": traits, "oauth_client_secret_env": auth.get("client_secret_env")}, indent=1),
        )
        url = f"http://{HOST}:{port}"
        env = dict(os.environ, COMMUNITYHUBS_STATE_DIR=str(self.state_dir))
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        log = open(self.log_file, "ab")
        os.chmod(self.log_file, 0o600)
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)],
            cwd=self.state_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,  # the database and every file the hub writes: owner only
        )
        log.close()
        write_private(self.pid_file, str(proc.pid))
        write_private(self.url_file, json.dumps({"url": url, "proxy": proxy_kind, "target": self.target}))
        try:
            self._wait_ready(proc, url, timeout)
        except BaseException:
            self._stop_tree(proc.pid, timeout=10)  # never leave a half-started hub behind
            self.pid_file.unlink(missing_ok=True)
            raise
        return HubInfo(url=url, pid=proc.pid, state_dir=self.state_dir, proxy=proxy_kind)

    def _wait_ready(self, proc: subprocess.Popen, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise HubError(f"the hub exited with code {proc.returncode} while starting: {self._last_error()}")
            try:
                if requests.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise HubError(f"the hub did not answer at {url} within {timeout:.0f} s; see {self.log_file}")

    def _last_error(self) -> str:
        lines = [ln for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        for line in reversed(lines):
            if "[E " in line or "Error" in line:
                return line.strip()[:300]
        return (lines[-1].strip()[:300] if lines else "no log output") + f" (log: {self.log_file})"

    # --- down ----------------------------------------------------------
    def down(self, timeout: float = 60) -> bool:
        """Stop the hub, its proxy and every user server. False if nothing ran."""
        pid = self.running_pid()
        if pid is None:
            return False
        self._stop_tree(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        if self.target == "docker":
            from . import docker_target

            docker_target.remove_containers(self.spec)  # none should be left; make sure
        return True

    @staticmethod
    def _stop_tree(pid: int, timeout: float) -> None:
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
