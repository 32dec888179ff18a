"""Targets whose hub runs here as processes (local, docker): JupyterHub and the proxy,
started from the rendered jupyterhub_config.py, so the file shown is the file run."""

from __future__ import annotations

import os
from abc import abstractmethod
from pathlib import Path
from typing import Any

from .. import names
from ..hubprocess import DEFAULT_PORTS, HubError, HubInfo, HubProcess, Ports
from ..secretfiles import ensure_secret
from ..sections import front_door
from ..sections.login import login_secrets
from ..spec import HubSpec, SpecError
from .base import Runner, Target
from .pyconfig import Section, config_text


class ProcessTarget(Target):
    """Renders jupyterhub_config.py, section by section."""

    native_file = names.HUB_CONFIG_FILE

    @abstractmethod
    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        """The jupyterhub_config.py sections; refuses (SpecError) what the target cannot do."""

    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        front_door.refuse_on_this_machine(spec, self.name)
        return {self.native_file: config_text(spec, self.name, self.sections(spec, ports))}

    def excerpt(self, spec: HubSpec, keys: list[str]) -> str:
        front_door.refuse_on_this_machine(spec, self.name)
        by_key = {s.key: "\n".join(s.lines) for s in self.sections(spec)}
        return "\n".join(filter(None, (by_key.get(key, "") for key in keys)))

    def check_options(self, options: dict[str, Any]) -> None:
        if options.get("context"):
            raise HubError(f"--context: the {self.name} target runs here, on no Kubernetes cluster")


class ProcessRunner(Runner):
    """One hub of a process target, known by the lock its JupyterHub holds in the state folder."""

    target: ProcessTarget

    def __init__(self, target: ProcessTarget, spec: HubSpec, state_dir: Path, port: int | None = None):
        super().__init__(target, spec, state_dir, port)
        self.process = HubProcess(self.state_dir)
        self.state_dir = self.process.state_dir  # resolved: the hub is known by its folder's full path

    def prepare(self) -> None:
        """What the hub needs besides its files, checked or made before it starts: here, a readable certificate."""
        for key in ("certificate", "key"):
            path = self.spec.section("https").get(key)
            if path and not os.access(path, os.R_OK):
                raise SpecError(f"{self.spec.source}: https.{key}: {path!r} does not exist or cannot be read")

    def start(self) -> HubInfo:
        process = self.process
        process.refuse_if_running()
        process.stop_leftover_proxy()  # after a crash; the new hub takes over the user servers
        ports = process.choose_ports(self.port)
        config = self.target.render(self.spec, ports)[self.target.native_file]
        self.prepare()
        process.prepare()  # secrets exist before the hub starts; an existing state folder keeps its own
        state = process.state_dir
        ensure_secret(state / names.ADMIN_TOKEN_FILE)
        for secret in login_secrets(self.spec):
            ensure_secret(state / secret.file, env=secret.env, nbytes=secret.nbytes)
        # JupyterHub would generate this itself; creating it here puts it in the test ledger too.
        ensure_secret(state / names.COOKIE_SECRET_FILE)
        certificate = self.spec.section("https").get("certificate")
        return process.start(config, ports, self.target.name, certificate=certificate)  # stops a half-started hub

    def info(self) -> HubInfo | None:
        return self.process.info()

    def down(self) -> bool:
        return self.process.stop()

    def leftovers(self) -> str:
        return self.process.describe_leftovers()
