"""Local user servers that run as a Unix account of their own, when the hub runs as root.

The way The Littlest JupyterHub does it: each hub user gets a system account
(`jupyter-<name>`), made the first time their server starts. Their home is
`homes/<name>` in the hub's folder, owned by that account with mode 0700; the
hub's folder itself is 0711, so an account can reach its own home but cannot
list the folder or read the hub's secrets (all 0600, owned by the hub).

Shared folders (`shared_data`) are folders in `shared/` beside the homes, owned by root
and a group of the hub's own: the admins' group for read-only ones, the users' for the
others (sections/shared_folders.py has the modes, the same as on TLJH). At every start the
account joins the users' group, joins or leaves the admins' group as the person's admin flag
says, and finds each folder as a link in their home (unless something of that name is there).

This only works when every account can reach the Python environment the servers
run from and the hub's folder. `isolation_problem` says when it can't; the
rendered jupyterhub_config.py then falls back to one shared account and says so.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import re
import stat
import subprocess
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Dict, Unicode

from .sections.shared_folders import READ_ONLY_MODE, WRITABLE_MODE

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

    shared_folders = Dict(
        config=True, help="{NAME: {'read_only': bool}}: folders in shared/ every user finds linked in their home."
    )
    shared_folder_groups = Dict(
        config=True, help="{'admins': GROUP, 'users': GROUP}: the Unix groups that write the shared folders."
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
        if self.shared_folders:
            self.share_folders(account, home)

    def share_folders(self, account: pwd.struct_passwd, home: Path) -> None:
        """Groups in step with the person's admin flag, each folder's owner and mode, the links."""
        groups = {role: self.ensure_group(name) for role, name in self.shared_folder_groups.items()}
        self.set_member(account.pw_name, self.shared_folder_groups["users"], True)
        self.set_member(account.pw_name, self.shared_folder_groups["admins"], bool(self.user.admin))
        root = Path("shared").resolve()
        root.mkdir(exist_ok=True)
        os.chmod(root, 0o755)
        for name, share in self.shared_folders.items():
            folder = root / name
            folder.mkdir(exist_ok=True)
            read_only = share.get("read_only", True)
            os.chown(folder, 0, groups["admins" if read_only else "users"])
            os.chmod(folder, READ_ONLY_MODE if read_only else WRITABLE_MODE)
            link = home / name
            if not link.exists() and not link.is_symlink():  # never over something of the person's
                link.symlink_to(os.path.relpath(folder, home))  # relative: it moves with the hub's folder
                os.lchown(link, account.pw_uid, account.pw_gid)

    @staticmethod
    def ensure_group(name: str) -> int:
        try:
            return grp.getgrnam(name).gr_gid
        except KeyError:
            subprocess.run(["groupadd", "--system", name], check=True, capture_output=True)
            return grp.getgrnam(name).gr_gid

    @staticmethod
    def set_member(account: str, group: str, member: bool) -> None:
        if (account in grp.getgrnam(group).gr_mem) != member:
            action = "--add" if member else "--delete"
            subprocess.run(["gpasswd", action, account, group], check=True, capture_output=True)

    def make_preexec_fn(self, name: str):
        become = set_user_setuid(self.account, chdir=False)
        home = self.home_dir

        def preexec() -> None:
            become()
            os.chdir(home)
            # The hub writes with 077 (its secrets); a person's server, like a login on a server of
            # its own (or TLJH's systemd units), writes with 022: their home is 0700 anyway, and what
            # they put in a shared folder is readable there.
            os.umask(0o022)

        return preexec

    def user_env(self, env: dict) -> dict:
        env.update(USER=self.account, HOME=self.home_dir, SHELL="/bin/bash")
        return env
