"""Set up this machine for a nox session, then run it: `python3 noxfile.py -s docs`.

The README's two commands come through here (and so does CI, which runs the
second). Standard library only: it runs before anything is installed.

1. System packages the session needs, from Debian's archive, each named with
   the reason. As root they are installed; with sudo, through sudo; otherwise
   it stops and prints the exact command to run.
2. For the test suite, a Docker engine: where none answers and this is root,
   dockerd is started for the run and stopped afterwards.
3. nox itself, in its own virtual environment (.nox/_nox), never in the system
   Python, which Debian 12 and Ubuntu 24.04 refuse to change (PEP 668).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOX_VENV = ROOT / ".nox" / "_nox"
NOX_PIN = "nox==2026.10.20"  # the task runner; newer nox changes venv reuse rules
UV_PIN = "uv==0.13.8"  # nox's faster installer: makes each session's environment from requirements.lock

# apt package -> (command, or lib:NAME, that shows it is installed; why the site or the suite needs it)
FOR_DOCS = {
    "graphviz": ("dot", "draws the site's diagrams"),
    "nodejs": ("node", "runs the reference configurable-http-proxy"),
    "npm": ("npm", "installs that proxy from the npm registry"),
    "prometheus": ("prometheus", "the usage guide collects the hub's metrics with it"),
    "chromium": ("chromium", "photographs the guides' hubs; the browser tests"),
    "libatomic1": ("lib:atomic", "the Node.js inside Playwright, which drives chromium"),
    "slapd": ("slapd", "a throwaway OpenLDAP directory that the ldap login's guide and tests log in through"),
}
FOR_TESTS = {
    # the engine, not the client: machines here ship a `docker` client with no daemon
    "docker.io": ("dockerd", "the docker target's hubs and guides (the Docker engine)"),
    "debootstrap": ("debootstrap", "builds a Debian base image without a container registry"),
    "docker-registry": ("docker-registry", "a real registry on 127.0.0.1 for `communityhubs image push`"),
    "git": ("git", "the clean-machine check clones the repository"),
}


def say(message: str) -> None:
    print(f"bootstrap: {message}", flush=True)


def sessions(args: list[str]) -> list[str]:
    """The sessions named after -s/--session (nox's default is docs)."""
    names = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("-s", "--session", "--sessions")]
    return names or ["docs"]


def venv_works() -> bool:
    return subprocess.run([sys.executable, "-c", "import ensurepip, venv"], capture_output=True).returncode == 0


def present(check: str) -> bool:
    """A command on PATH, or `lib:NAME` for a shared library the loader finds."""
    if check.startswith("lib:"):
        return ctypes.util.find_library(check.removeprefix("lib:")) is not None
    return shutil.which(check) is not None


def missing_packages(wanted: dict[str, tuple[str, str]]) -> dict[str, str]:
    missing = {pkg: why for pkg, (check, why) in wanted.items() if not present(check)}
    if not venv_works():
        missing[f"python3.{sys.version_info.minor}-venv"] = "creates the virtual environments nox uses"
    return missing


def install(missing: dict[str, str]) -> None:
    for pkg, why in missing.items():
        say(f"installing {pkg}: {why}")
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if not shutil.which("apt-get"):
        sys.exit(f"bootstrap: install these with your package manager, then run again: {' '.join(missing)}")
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            sys.exit(
                "bootstrap: these system packages are missing and this account cannot install them; as root run:\n"
                f"  apt-get update && {' '.join(command)}"
            )
        prefix = ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*prefix, *command], check=True, env=env, stdout=subprocess.DEVNULL)


def docker_answers() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def start_dockerd() -> subprocess.Popen | None:
    """Start a Docker engine for this run where none answers and we may; None if we did not."""
    if docker_answers() or not shutil.which("dockerd") or os.geteuid() != 0:
        if not docker_answers():
            say("no Docker engine answers and none can be started here: the docker guides show stored outputs")
        return None
    log_path = ROOT / "_build" / "dockerd.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    say(f"starting dockerd for this run (log: {log_path.relative_to(ROOT)})")
    with open(log_path, "ab") as log:
        daemon = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(60):
        if docker_answers():
            return daemon
        if daemon.poll() is not None:
            break
        time.sleep(1)
    last = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
    say(f"dockerd did not start ({last[0][:200]}): the docker guides show stored outputs")
    stop_dockerd(daemon)
    return None


def stop_dockerd(daemon: subprocess.Popen | None) -> None:
    if daemon is not None and daemon.poll() is None:
        daemon.terminate()
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()


def ensure_nox() -> Path:
    nox = NOX_VENV / "bin" / "nox"
    if nox.exists() and (NOX_VENV / "bin" / "uv").exists():
        return nox
    say(f"installing {NOX_PIN} and {UV_PIN} into {NOX_VENV.relative_to(ROOT)} (their own virtual environment)")
    if not nox.exists():
        subprocess.run([sys.executable, "-m", "venv", str(NOX_VENV)], check=True)
    subprocess.run([str(NOX_VENV / "bin" / "pip"), "install", "--quiet", NOX_PIN, UV_PIN], check=True)
    return nox


PHASES_ENV = "COMMUNITYHUBS_PHASES"
"""Names the file a run's phases go to, for the nox session this script starts (which adds its own)."""


def phases_file(session_names: list[str]) -> Path:
    """One run's phases: _build/durations/phases-<sessions>.json. A session run inside another
    (the suite runs `nox -s hub`) writes its own file, not the outer run's."""
    return ROOT / "_build" / "durations" / f"phases-{'-'.join(session_names)}.json"


@contextlib.contextmanager
def phase(name: str, path: Path) -> Iterator[None]:
    """Time one phase of a run (the set-up, the build, pytest) into the run's phases file."""
    started = time.monotonic()
    try:
        yield
    finally:
        path.parent.mkdir(parents=True, exist_ok=True)
        done = json.loads(path.read_text()) if path.is_file() else []
        done.append({"phase": name, "seconds": round(time.monotonic() - started, 1)})
        path.write_text(json.dumps(done, indent=1) + "\n")


def main(args: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (run by whatever python3 the machine has)
        sys.exit(f"bootstrap: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = dict(FOR_DOCS)
    testing = "tests" in sessions(args)
    if testing:
        wanted |= FOR_TESTS
    phases = phases_file(sessions(args))
    phases.unlink(missing_ok=True)  # this run's phases only
    with phase("bootstrap: system packages (apt)", phases):
        missing = missing_packages(wanted)
        if missing:
            install(missing)
    with phase("bootstrap: nox and uv", phases):
        nox = ensure_nox()
    with phase("bootstrap: Docker engine", phases):
        daemon = start_dockerd() if testing else None
    env = dict(os.environ, **{PHASES_ENV: str(phases)})  # nox's session adds its phases to the same file
    try:
        return subprocess.run([str(nox), "-f", str(ROOT / "noxfile.py"), *args], cwd=ROOT, env=env).returncode
    finally:
        stop_dockerd(daemon)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
