"""The interface every target follows, and the shared lifecycle of targets
whose hub runs as processes on this machine (local, docker)."""

from __future__ import annotations

import io
import tarfile
from abc import ABC, abstractmethod
from pathlib import Path

from ..hubprocess import DEFAULT_PORTS, HubError, HubInfo, HubProcess, Ports, choose_ports
from ..secretfiles import ensure_secret
from ..spec import HubSpec, SpecError
from .pyconfig import Section, config_text


class TargetUnavailable(HubError):
    """This machine cannot run the target; str(error) names what is missing."""


def refuse(spec: HubSpec, key: str, target: str, why: str) -> SpecError:
    """The one-line error for a spec key a target cannot express."""
    return SpecError(f"{spec.source}: {key}: the {target} target cannot use this key: {why}")


class Target(ABC):
    """A place a hub can run. `render` is pure; the rest acts on the world."""

    name: str
    native_file: str
    """The file an admin of this kind of hub keeps: jupyterhub_config.py or values.yaml."""

    @abstractmethod
    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        """{file name: text} of the target's native configuration for `spec`."""

    @abstractmethod
    def excerpt(self, spec: HubSpec, key: str) -> str:
        """The native configuration that comes from one top-level spec key."""

    def unavailable(self) -> str:
        """'' when this machine can run the target, else what is missing (one line)."""
        return ""

    @abstractmethod
    def up(self, spec: HubSpec, state_dir: Path, port: int | None = None) -> HubInfo: ...

    @abstractmethod
    def status(self, spec: HubSpec, state_dir: Path) -> HubInfo | None: ...

    @abstractmethod
    def down(self, spec: HubSpec, state_dir: Path) -> bool: ...

    @abstractmethod
    def read_home(self, spec: HubSpec, state_dir: Path, user: str) -> bytes:
        """A user's home folder as an uncompressed tar archive (empty if they have none)."""

    @abstractmethod
    def write_home(self, spec: HubSpec, state_dir: Path, user: str, archive: bytes) -> None:
        """Unpack a tar archive from `read_home` into a user's home folder."""

    def forget(self, spec: HubSpec, state_dir: Path) -> None:  # noqa: B027 (optional hook)
        """Remove what a throwaway hub leaves besides its state directory (volumes)."""


class ProcessTarget(Target):
    """JupyterHub and the proxy run here as processes, from the rendered jupyterhub_config.py."""

    native_file = "jupyterhub_config.py"

    @abstractmethod
    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        """The jupyterhub_config.py sections; refuses (SpecError) what the target cannot do."""

    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        return {self.native_file: config_text(spec, self.name, self.sections(spec, ports))}

    def excerpt(self, spec: HubSpec, key: str) -> str:
        return "\n".join(line for s in self.sections(spec) if s.key == key for line in s.lines)

    def prepare(self, spec: HubSpec) -> None:
        """Check what the target needs before anything is written."""

    def up(self, spec: HubSpec, state_dir: Path, port: int | None = None) -> HubInfo:
        why = self.unavailable()
        if why:
            raise TargetUnavailable(f"the {self.name} target cannot run here: {why}")
        process = HubProcess(state_dir)
        process.refuse_if_running()
        ports = choose_ports(port)
        config = self.render(spec, ports)[self.native_file]  # refuses bad keys before anything is written
        self.prepare(spec)
        # Secrets exist before the hub starts; an existing state directory keeps its own.
        process.prepare()
        state = process.state_dir
        ensure_secret(state / "admin-token")
        if spec.data["authenticator"]["type"] == "shared-password":
            ensure_secret(state / "shared-password", env="HUB_SHARED_PASSWORD", nbytes=16)
        # JupyterHub would generate this itself; creating it here puts it in the test ledger too.
        ensure_secret(state / "jupyterhub_cookie_secret")
        return process.start(config, ports, self.name)

    def status(self, spec: HubSpec, state_dir: Path) -> HubInfo | None:
        return HubProcess(state_dir).info()

    def down(self, spec: HubSpec, state_dir: Path) -> bool:
        return HubProcess(state_dir).stop()


def tar_folder(folder: Path | None) -> bytes:
    """A folder's contents as a tar archive (empty for None or a missing folder);
    links are kept as links, never followed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if folder is not None and folder.is_dir():
            for item in sorted(folder.iterdir()):
                tar.add(item, arcname=item.name)
    return buffer.getvalue()


def untar_into(archive: bytes, folder: Path) -> None:
    """Unpack with tarfile's `data` filter: no absolute paths, no `..`, no links out of the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        tar.extractall(folder, filter="data")
