"""`shared_data` where users are Unix accounts on one machine (tljh, and local run as root).

A shared folder is a folder of the machine, owned by root and by a group: read-only folders by
the admins' group (every account reads them, only admins write), writable ones by the users'
group, with the sticky bit so that each person's files stay their own to delete. Both carry the
set-group-ID bit, so what is made inside keeps the folder's group. Each person finds the folder
as a link of the same name in their home; a home that already holds something of that name keeps
it. Docker and Kubernetes mount volumes instead (targets/docker.py, targets/kubernetes.py).

On TLJH the groups are its own, jupyterhub-admins and jupyterhub-users, which its spawner keeps in
step with each person's admin flag at every start, and the folders live in /srv/shared;
`user-environment.sh` makes them and the links (`tljh_lines`). The local target's spawner does
the same at every start, with groups of the hub's own (local_spawner.py).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from .. import names
from ..spec import HubSpec

READ_ONLY_MODE = 0o2775
"""rwxrwsr-x: the group (admins) writes, everyone reads."""
WRITABLE_MODE = 0o3775
"""rwxrwsr-t: the group (every user) writes; only a file's owner deletes it."""
TLJH_ROOT = names.SHARED_ROOT
TLJH_GROUPS = {"admins": "jupyterhub-admins", "users": "jupyterhub-users"}
"""TLJH's own groups (tljh/installer.py ensure_usergroups; tljh/user_creating_spawner.py)."""


@dataclass(frozen=True)
class SharedFolder:
    name: str
    read_only: bool

    @property
    def writers(self) -> str:
        """Whose group writes it: "admins" or "users"."""
        return "admins" if self.read_only else "users"

    @property
    def mode(self) -> int:
        return READ_ONLY_MODE if self.read_only else WRITABLE_MODE


def shared_folders(spec: HubSpec) -> list[SharedFolder]:
    default = spec.settings["shared_data[].read_only"]
    return [SharedFolder(d["name"], d.get("read_only", default)) for d in spec.data.get("shared_data", [])]


def tljh_lines(spec: HubSpec) -> list[str]:
    """The commands that make each folder and link it into every home, now and to come."""
    folders = shared_folders(spec)
    if not folders:
        return []
    lines = [
        "",
        f"# Shared folders (shared_data), in {TLJH_ROOT}: read-only ones written by admins",
        f"# ({TLJH_GROUPS['admins']}), the others by everyone ({TLJH_GROUPS['users']}), each person's files",
        "# their own. A folder the spec no longer lists stays, with its files.",
    ]
    for folder in folders:
        path = shlex.quote(f"{TLJH_ROOT}/{folder.name}")
        group = TLJH_GROUPS[folder.writers]
        lines.append(f"sudo install -d -o root -g {group} -m {folder.mode:o} {path}")
    lines += [
        "# Linked into the home of everyone TLJH makes from now on (it copies /etc/skel), and of everyone",
        "# who has a home already, unless something of that name is there (-T: never into a folder that",
        "# appears there meanwhile)",
    ]
    for folder in folders:
        path, link = shlex.quote(f"{TLJH_ROOT}/{folder.name}"), shlex.quote(folder.name)
        lines.append(f"sudo ln -sfn {path} /etc/skel/{link}")
        lines.append(
            f'for home in /home/jupyter-*; do if [ -d "$home" ] && [ ! -e "$home"/{link} ] && '
            f'[ ! -L "$home"/{link} ]; then sudo ln -sT {path} "$home"/{link}; fi; done'
        )
    return lines
