"""The local target: user servers are processes on this machine.

Run as root (as on a server of its own), each user's server runs as a Unix
account of their own (`local_spawner.AccountSpawner`). Otherwise, or where other
accounts cannot reach this Python or the hub's folder, every server runs as the
hub's own account (JupyterHub's SimpleLocalProcessSpawner), and `hub up` says so."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from .. import SNIPPETS, names
from ..folder_archive import tar_folder, untar_into
from ..hubprocess import DEFAULT_PORTS, Ports
from ..sections import pulling, refuse
from ..sections.shared_folders import shared_folders
from ..spec import HubSpec, SpecError
from .base import UserEnvironment
from .process import ProcessRunner, ProcessTarget
from .pyconfig import Section, render_config

HOMES = names.HOMES_FOLDER
SHARED = names.SHARED_FOLDER


class LocalTarget(ProcessTarget):
    name = "local"

    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        for key in ("image", "languages", "profiles"):
            if key in spec.section("environment"):
                raise refuse(spec, f"environment.{key}", self.name, "servers run from this Python environment")
        spawner = Section("spawner", "user servers: one local process each, in homes/NAME beside the database")
        spawner.code(
            "from communityhubs.local_spawner import isolation_problem\n"
            "if not isolation_problem():\n"
            "    c.JupyterHub.spawner_class = 'communityhubs.local_spawner.AccountSpawner'\n"
            "else:\n"
            "    c.JupyterHub.spawner_class = 'simple'\n"
            f'    c.SimpleLocalProcessSpawner.home_dir_template = str(Path("{HOMES}").resolve() / "{{username}}")\n'
            "    if os.geteuid() == 0:  # Jupyter refuses to run as root unless told\n"
            '        c.Spawner.args = ["--allow-root"]',
            "as root: a Unix account per user, made at their first start; else every server runs as this account",
        )
        spawner.code(
            "import sys\nc.Spawner.cmd = [sys.executable, '-m', 'communityhubs.singleuser']",
            "jupyterhub-singleuser from this Python, minus about 1 CPU-second of start-up (see that module)",
        )
        spawner.set("Spawner.notebook_dir", "~")
        shared = Section("shared_data", "folders shared with every user (servers run as accounts of their own)")
        folders = shared_folders(spec)
        if folders:
            shared.set(
                "AccountSpawner.shared_folders",
                {f.name: {"read_only": f.read_only} for f in folders},
                f"{SHARED}/NAME, linked into each home: read-only ones written by admins only",
            )
            groups = {role: names.unix_group(spec.name, role) for role in ("admins", "users")}
            shared.set("AccountSpawner.shared_folder_groups", groups, "who writes them: Unix groups of this hub")
        sections = [pulling.jupyterhub_config(spec, self.name, spawner), shared]
        return render_config(spec, ports, sections, self.name)

    def runner(self, spec: HubSpec, state_dir: Path, port: int | None = None, **options: Any) -> LocalRunner:
        self.check_options(options)
        return LocalRunner(self, spec, state_dir, port)


class LocalRunner(ProcessRunner):
    """A local hub: homes are folders in its state folder, servers run from this Python."""

    def prepare(self) -> None:
        """Shared folders are read-only for users through Unix permissions: only servers that run as
        accounts of their own can be held to them."""
        super().prepare()
        if self.spec.data.get("shared_data"):
            from ..local_spawner import isolation_problem  # imports JupyterHub: only when asked

            problem = isolation_problem(self.state_dir)
            if problem:
                raise SpecError(
                    f"{self.spec.source}: shared_data: needs user servers that run as accounts of their own, "
                    f"and {problem}: run the hub as root, or use --target docker"
                )

    def isolation(self) -> str:
        """One line for `hub up`: whom user servers run as, and what follows from it."""
        from ..local_spawner import isolation_problem  # imports JupyterHub: only when asked

        problem = isolation_problem(self.state_dir)
        if not problem:
            return "user servers run as: a Unix account of their own each (jupyter-NAME), home folders 0700"
        return (
            "user servers run as: this hub's own account, all of them, because "
            f"{problem}: any user can read every home folder and the hub's secrets. Fine for trying things; "
            "for real users run the hub as root, or use --target docker"
        )

    def home(self, user: str) -> Path:
        return self.state_dir / HOMES / user

    def _data(self) -> list[Path]:
        database = self.state_dir / names.DATABASE_URL.removeprefix("sqlite:///")
        return [path for path in (self.state_dir / HOMES, self.state_dir / SHARED, database) if path.exists()]

    def doomed(self) -> list[str]:
        return [f"{'folder' if path.is_dir() else 'file'} {path}" for path in self._data()]

    def forget(self) -> None:
        """The homes and the hub's database; the secrets and the configuration stay."""
        for path in self._data():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    def read_home(self, user: str) -> bytes:
        return tar_folder(self.home(user))

    def write_home(self, user: str, archive: bytes) -> None:
        untar_into(archive, self.home(user))

    def read_shared(self, name: str) -> bytes:
        return tar_folder(self.state_dir / SHARED / name)

    def write_shared(self, name: str, archive: bytes) -> None:
        """Into shared/NAME; its owner and mode are set at the next server start (local_spawner.py)."""
        untar_into(archive, self.state_dir / SHARED / name)

    def environments(self) -> list[UserEnvironment]:
        """Servers run from the hub's own Python environment; the project's requirements rebuild it."""
        freeze = subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True)
        requirements = SNIPPETS.parent / "requirements.txt"
        recipe = {"requirements.txt": requirements.read_bytes()} if requirements.is_file() else {}
        return [UserEnvironment("python", freeze.stdout, recipe)]
