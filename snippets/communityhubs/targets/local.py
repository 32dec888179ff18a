"""The local target: user servers are processes on this machine, running as
the hub's own account (JupyterHub's SimpleLocalProcessSpawner)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .. import SNIPPETS
from ..hubprocess import DEFAULT_PORTS, Ports
from ..spec import HubSpec
from .base import ProcessTarget, UserEnvironment, refuse, tar_folder, untar_into
from .pyconfig import Section, render_config

HOMES = "homes"


class LocalTarget(ProcessTarget):
    name = "local"

    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        why_no_isolation = "every server runs as the hub's own account here; use --target docker"
        if spec.data.get("shared_data"):
            raise refuse(spec, "shared_data", self.name, f"folders cannot be shared read-only: {why_no_isolation}")
        for key in ("image", "profiles"):
            if key in spec.section("environment"):
                raise refuse(spec, f"environment.{key}", self.name, "servers run from this Python environment")
        spawner = Section("spawner", "user servers: one local process each")
        spawner.set("JupyterHub.spawner_class", "simple")
        spawner.code(
            f'c.SimpleLocalProcessSpawner.home_dir_template = str(Path("{HOMES}").resolve() / "{{username}}")',
            "each user's files live in homes/NAME beside the database",
        )
        spawner.set("Spawner.notebook_dir", "~")
        spawner.code(
            'if os.geteuid() == 0:\n    c.Spawner.args = ["--allow-root"]',
            "Jupyter refuses to run as root unless told (CI machines run as root)",
        )
        return render_config(spec, ports, [spawner])

    def home(self, state_dir: Path, user: str) -> Path:
        return Path(state_dir).resolve() / HOMES / user

    def read_home(self, spec: HubSpec, state_dir: Path, user: str) -> bytes:
        return tar_folder(self.home(state_dir, user))

    def write_home(self, spec: HubSpec, state_dir: Path, user: str, archive: bytes) -> None:
        untar_into(archive, self.home(state_dir, user))

    def environments(self, spec: HubSpec, state_dir: Path) -> list[UserEnvironment]:
        """Servers run from the hub's own Python environment; the project's requirements rebuild it."""
        freeze = subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True)
        requirements = SNIPPETS.parent / "requirements.txt"
        recipe = {"requirements.txt": requirements.read_bytes()} if requirements.is_file() else {}
        return [UserEnvironment("python", freeze.stdout, recipe)]
