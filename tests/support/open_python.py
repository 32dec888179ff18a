"""A hub environment that every account on this machine may run, for the tests whose user servers
run as accounts of their own (the local target, run as root, as on a server of its own).

The machines here keep their Python under /root (mode 700), where no other account may go, so a
local hub started from it runs every server as root's own account instead (and says so). Debian's
own python3 (/usr/bin/python3) is open to all: the environment is made from it with the project's
lock in a folder open to all (/tmp, keyed by the lock, made once), and this checkout's
communityhubs goes into it as a copy, once per test session, since the checkout itself may sit
under /root too.

- `open_python()`: that environment's Python (or the test is skipped, in CI failed, with why);
- `OpenHub`: `communityhubs hub up|down` on a spec, run by that Python, with the proxy found here.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from communityhubs import names
from communityhubs.proxy import find_proxy
from communityhubs.spec import load_spec

from .needs import require
from .paths import ROOT

DEBIAN_PYTHON = Path("/usr/bin/python3")
LOCK = ROOT / "requirements.lock"


def uv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True)


@functools.cache
def open_python() -> Path:
    require("Debian's python3, which every account may run", "" if DEBIAN_PYTHON.exists() else "no /usr/bin/python3")
    version = subprocess.run([str(DEBIAN_PYTHON), "-V"], capture_output=True, text=True).stdout
    digest = hashlib.sha256(LOCK.read_bytes() + version.encode()).hexdigest()[:12]
    venv = Path(f"/tmp/chub-open-python-{digest}")
    python = venv / "bin" / "python"
    if not (venv / "ready").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        uv("venv", "--quiet", "--python", str(DEBIAN_PYTHON), str(venv))
        uv("pip", "sync", "--quiet", "--python", str(python), str(LOCK))
        (venv / "ready").write_text(digest)
    # A copy, not a link to the checkout: every account must reach the code the servers import. Built
    # from a copy of the folder too: a build writes build/ and *.egg-info beside pyproject.toml.
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "snippets"
        shutil.copytree(ROOT / "snippets", source, ignore=shutil.ignore_patterns("node_modules", "build", "*.egg-info"))
        uv("pip", "install", "--quiet", "--no-deps", "--reinstall", "--python", str(python), str(source))
    venv.chmod(0o755)
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class OpenHub:
    """A local hub started by `communityhubs hub up` from the open environment."""

    spec_file: Path
    state_root: Path
    port: int

    def cli(self, action: str) -> subprocess.CompletedProcess:
        proxy, _ = find_proxy()
        env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", names.PROXY_ENV: proxy[0], "HOME": str(self.state_root)}
        where = ["--spec", str(self.spec_file), "--state", str(self.state_root), "--target", "local"]
        command = [str(open_python()), "-m", "communityhubs", "hub", action, *where, "--port", str(self.port)]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.state_root)

    def up(self) -> str:
        done = self.cli("up")
        assert done.returncode == 0, f"hub up failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def down(self) -> None:
        self.cli("down")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state_dir(self) -> Path:
        return self.state_root / load_spec(self.spec_file).name

    def admin_token(self) -> str:
        return (self.state_dir / names.ADMIN_TOKEN_FILE).read_text().strip()
