"""JupyterHub and configurable-http-proxy as processes on this machine.

Shared by every target whose hub runs here (local, docker). It knows nothing
about targets: it is handed a rendered jupyterhub_config.py and runs it, with
every piece of state in one directory (mode 0700, files 0600).

A hub is known by its state directory, never by a pid file alone: the running
JupyterHub holds a lock on `hub.lock` there, and its processes (the hub, the
proxy, services, local user servers) all work inside that directory. So a
copied directory or a garbled `hub.pid` cannot make us stop or double-start
the wrong hub, and what a crashed hub left running can be found and adopted.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psutil
import requests
import urllib3

from . import names
from .errors import CommunityHubsError
from .proxy import find_proxy
from .secretfiles import write_private

HOST = "127.0.0.1"
CONFIG_NAME = names.HUB_CONFIG_FILE


class HubError(CommunityHubsError, RuntimeError):
    """A hub that cannot be started or stopped; str(error) says why in one line."""


@dataclass(frozen=True)
class Ports:
    """Where the hub listens: the public proxy port, the hub's API, the proxy's API."""

    public: int = names.PUBLIC_PORT
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
        return self.state_dir / names.ADMIN_TOKEN_FILE

    @property
    def password_file(self) -> Path:
        return self.state_dir / names.SHARED_PASSWORD_FILE

    @property
    def admin_password_file(self) -> Path:
        return self.state_dir / names.ADMIN_PASSWORD_FILE

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


def hub_answers(url: str, timeout: float = 2, certificate: str | None = None) -> bool:
    """True when JupyterHub's REST API answers at `url` (it needs no token to say its version).

    Over HTTPS the hub must present `certificate` itself. That is checked instead of a chain,
    which only the hub's clients can judge (they know which CA they trust)."""
    try:
        if certificate:
            if not serves_certificate(url, certificate, timeout):
                return False
            with warnings.catch_warnings():  # the certificate was compared above, byte for byte
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                return requests.get(f"{url}/hub/api/", timeout=timeout, verify=False).status_code == 200  # noqa: S501
        return requests.get(f"{url}/hub/api/", timeout=timeout).status_code == 200
    except (requests.RequestException, OSError):
        return False


def serves_certificate(url: str, certificate: str, timeout: float = 2) -> bool:
    """Whether the TLS server at `url` presents the first certificate of the PEM file `certificate`."""
    parsed = urlparse(url)
    served = ssl.get_server_certificate((parsed.hostname, parsed.port), timeout=timeout)
    first = Path(certificate).read_text().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    return ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(first)


def port_is_free(port: int) -> bool:
    try:
        check_port_free(port)
    except HubError:
        return False
    return True


class HubProcess:
    """One JupyterHub process, identified by its state directory."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir).resolve()

    @property
    def pid_file(self) -> Path:
        return self.state_dir / names.PID_FILE

    @property
    def run_file(self) -> Path:
        return self.state_dir / names.RUN_FILE

    @property
    def log_file(self) -> Path:
        return self.state_dir / names.LOG_FILE

    @property
    def config_file(self) -> Path:
        return self.state_dir / CONFIG_NAME

    def prepare(self) -> None:
        """Create the state directory, private to this account."""
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.state_dir, 0o700)

    @property
    def lock_file(self) -> Path:
        return self.state_dir / names.LOCK_FILE

    def _lock_held(self) -> bool:
        """True while a hub started from this directory runs: it holds the lock until it exits."""
        try:
            fd = os.open(self.lock_file, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # releases the shared lock we may have taken
        return False

    def _works_here(self, proc: psutil.Process, exactly: bool = True) -> bool:
        """True if the process works in this state directory (or, unless `exactly`, below it)."""
        try:
            cwd = Path(proc.cwd())
        except (psutil.Error, OSError):
            return False
        return cwd == self.state_dir or (not exactly and self.state_dir in cwd.parents)

    def _is_our_hub(self, proc: psutil.Process) -> bool:
        try:
            return proc.cmdline()[1:3] == ["-m", "jupyterhub"] and self._works_here(proc)
        except psutil.Error:
            return False

    def running_pid(self) -> int | None:
        """The pid of the hub running from this directory, or None.

        The lock says whether one runs; the pid file is only a hint, checked
        against the process and replaced by a search when it is wrong."""
        if not self._lock_held():
            self.pid_file.unlink(missing_ok=True)
            return None
        try:
            hinted = int(self.pid_file.read_text())
            if hinted > 0 and self._is_our_hub(psutil.Process(hinted)):
                return hinted
        except (OSError, ValueError, psutil.Error):
            pass
        for proc in psutil.process_iter():
            if self._is_our_hub(proc):
                write_private(self.pid_file, str(proc.pid))
                return proc.pid
        return None  # the lock is held by a `hub up` that is still starting the hub

    def leftover_processes(self) -> list[psutil.Process]:
        """What a hub that died without cleaning up left running: its proxy and
        services (working in the state directory) and local user servers (below it)."""
        if self._lock_held():  # a hub runs (or is starting): these are its own
            return []
        me = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
        return [p for p in psutil.process_iter() if p.pid not in me and self._works_here(p, exactly=False)]

    def describe_leftovers(self, containers: int = 0, found: list[psutil.Process] | None = None) -> str:
        """One line naming what a crashed hub left running (`found`, if already listed), or ''."""
        found = self.leftover_processes() if found is None else found
        servers = sum(1 for p in found if not self._works_here(p))
        parts = [
            f"{len(found) - servers} of its own processes (proxy, services)" if len(found) > servers else "",
            f"{servers} user server process(es)" if servers else "",
            f"{containers} user container(s)" if containers else "",
        ]
        if not any(parts):
            return ""
        return "its last run ended without cleaning up; still running: " + ", ".join(p for p in parts if p)

    def stop_leftover_proxy(self) -> None:
        """Before a restart: stop the dead hub's proxy and services so the new hub can take
        their ports. User servers are left running for the new hub to take over."""
        stale = [p for p in self.leftover_processes() if self._works_here(p)]
        _terminate(stale)

    def saved_ports(self) -> Ports | None:
        try:
            return Ports(**json.loads(self.run_file.read_text())["ports"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def choose_ports(self, public: int | None) -> Ports:
        """The ports for this start. The hub's and the proxy's API ports stay the same for a
        state directory, so servers still running after a crash find the restarted hub."""
        saved = self.saved_ports()
        if saved is None:
            port = public or free_port()
            check_port_free(port)
            return Ports(public=port, hub=free_port(), proxy_api=free_port())
        port = public or (saved.public if port_is_free(saved.public) else free_port())
        if port in (saved.hub, saved.proxy_api):
            raise HubError(f"--port {port}: this hub uses that port for its own API; choose another")
        check_port_free(port)
        for kept, what in ((saved.hub, "the hub's API"), (saved.proxy_api, "the proxy's API")):
            if not port_is_free(kept):
                raise HubError(
                    f"port {kept} on {HOST} ({what}, kept in {self.run_file} so that user servers find the hub "
                    "again after a restart) is in use by another program"
                )
        return Ports(public=port, hub=saved.hub, proxy_api=saved.proxy_api)

    def info(self) -> HubInfo | None:
        pid = self.running_pid()
        if pid is None:
            return None
        meta = json.loads(self.run_file.read_text())
        return HubInfo(url=meta["url"], pid=pid, state_dir=self.state_dir, proxy=meta["proxy"], target=meta["target"])

    def refuse_if_running(self) -> None:
        running = self.info()
        if running:
            raise HubError(
                f"a hub is already running from {self.state_dir} (pid {running.pid}) at {running.url}: "
                "stop it first with `down`"
            )

    def start(
        self, config_text: str, ports: Ports, target: str, timeout: float = 60, certificate: str | None = None
    ) -> HubInfo:
        """Write the rendered config into the state directory and run `jupyterhub -f` on it.

        The hub inherits the lock on `hub.lock` and holds it for as long as it runs."""
        self.refuse_if_running()
        proxy_cmd, proxy_kind = find_proxy()
        self.prepare()
        lock = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            raise HubError(f"a hub is already starting from {self.state_dir}") from None
        try:
            return self._start_locked(lock, config_text, ports, proxy_cmd, proxy_kind, target, timeout, certificate)
        finally:
            os.close(lock)  # the hub holds its own copy of the lock now, or it has exited

    def _start_locked(
        self,
        lock: int,
        config_text: str,
        ports: Ports,
        proxy_cmd: list[str],
        proxy_kind: str,
        target: str,
        timeout: float,
        certificate: str | None = None,
    ) -> HubInfo:
        write_private(self.config_file, config_text)
        url = f"{'https' if certificate else 'http'}://{HOST}:{ports.public}"
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
                pass_fds=(lock,),  # JupyterHub's own children are started with close_fds: only the hub holds it
                umask=0o077,  # the database and every file the hub writes: owner only
            )
        write_private(self.pid_file, str(proc.pid))
        meta = {"url": url, "proxy": proxy_kind, "target": target, "ports": ports.__dict__}
        write_private(self.run_file, json.dumps(meta))
        try:
            self._wait_ready(proc, url, timeout, certificate)
        except BaseException:
            self.stop_tree(proc.pid, timeout=10)  # never leave a half-started hub behind
            self.pid_file.unlink(missing_ok=True)
            raise
        return HubInfo(url=url, pid=proc.pid, state_dir=self.state_dir, proxy=proxy_kind, target=target)

    def _wait_ready(self, proc: subprocess.Popen, url: str, timeout: float, certificate: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise HubError(f"the hub exited with code {proc.returncode} while starting: {self._last_error()}")
            if hub_answers(url, certificate=certificate):
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
        """Stop the hub, its proxy and every user server it started, or what a crashed
        hub left running. False if nothing ran."""
        pid = self.running_pid()
        if pid is not None:
            self.stop_tree(pid, timeout)
        left = self.leftover_processes()
        _terminate(left)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None or bool(left)

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
        _terminate(alive, timeout=0)


def _terminate(procs: list[psutil.Process], timeout: float = 5) -> None:
    """SIGTERM, then SIGKILL whatever is still there after `timeout` seconds."""
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
