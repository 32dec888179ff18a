"""Local user servers that run as a Unix account of their own, when the hub runs as root.

The way The Littlest JupyterHub does it: each hub user gets a system account
(`jupyter-<name>`), made the first time their server starts. Their home is
`homes/<name>` in the hub's folder, owned by that account with mode 0700; the
hub's folder itself is 0711, so an account can reach its own home but cannot
list the folder or read the hub's secrets (all 0600, owned by the hub).

This only works when every account can reach the Python environment the servers
run from and the hub's folder. `isolation_problem` says when it can't; the
rendered jupyterhub_config.py then falls back to one shared account and says so.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import stat
import subprocess
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

UNIX_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def account_name(username: str) -> str:
    """`jupyter-<name>`; a name Unix would not take (too long, `@`, capitals) becomes a hash."""
    name = f"jupyter-{username}"
    return name if UNIX_NAME.fullmatch(name) else "jupyter-" + hashlib.sha256(username.encode()).hexdigest()[:16]


def _unreachable(path: Path) -> Path | None:
    """The first folder on the way to `path` that other accounts cannot pass through."""
    for folder in [*reversed(path.parents), path] if path.is_dir() else reversed(path.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def isolation_problem(hub_folder: Path | None = None) -> str:
    """'' when user servers can run as accounts of their own here, else why not (one line)."""
    if os.geteuid() != 0:
        return "the hub does not run as root, so it cannot start servers as other accounts"
    if subprocess.run(["sh", "-c", "command -v useradd"], capture_output=True).returncode != 0:
        return "useradd is missing"
    places = {
        "the Python environment": Path(sys.prefix),
        "the Python installation": Path(sys.base_prefix),
        "the hub's folder": (hub_folder or Path.cwd()).resolve().parent,  # the folder itself becomes 0711
        "these helpers (servers start with `python -m communityhubs.singleuser`)": Path(__file__).parent,
    }
    for what, path in places.items():
        blocked = _unreachable(path.resolve())
        if blocked is not None:
            mode = f"{blocked.stat().st_mode & 0o777:o}"
            return f"other accounts cannot reach {what}: {blocked} is closed to them (mode {mode})"
    return ""


class AccountSpawner(LocalProcessSpawner):
    home_dir_template = Unicode(
        "homes/{username}", config=True, help="Each user's home, relative to the hub's folder (its working directory)."
    )

    @property
    def account(self) -> str:
        return account_name(self.user.name)

    @property
    def home_dir(self) -> str:
        return str(Path(self.home_dir_template.format(username=self.user.name)).resolve())

    async def start(self):
        self.make_account()
        return await super().start()

    def make_account(self) -> None:
        """Create the account on first start; give it its home, and what was restored into it."""
        try:
            account = pwd.getpwnam(self.account)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", self.account],
                check=True,
                capture_output=True,
            )
            account = pwd.getpwnam(self.account)
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home.parent, 0o711)  # homes/: pass through, no listing
        os.chmod(Path.cwd(), 0o711)  # the hub's folder likewise; its files stay 0600
        for path in [home, *home.rglob("*")]:  # files an import wrote belong to the hub's account
            if path.lstat().st_uid != account.pw_uid:
                os.lchown(path, account.pw_uid, account.pw_gid)
        os.chmod(home, 0o700)

    def make_preexec_fn(self, name: str):
        become = set_user_setuid(self.account, chdir=False)
        home = self.home_dir

        def preexec() -> None:
            become()
            os.chdir(home)

        return preexec

    def user_env(self, env: dict) -> dict:
        env.update(USER=self.account, HOME=self.home_dir, SHELL="/bin/bash")
        return env
