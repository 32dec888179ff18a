"""The interface every target follows, and the shared lifecycle of targets
whose hub runs as processes on this machine (local, docker)."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from .. import names
from ..folder_archive import listing
from ..hubprocess import DEFAULT_PORTS, HubError, HubInfo, HubProcess, Ports
from ..secretfiles import ensure_secret
from ..spec import HubSpec, SpecError
from .pyconfig import Section, config_text


@dataclass(frozen=True)
class UserEnvironment:
    """What users' servers run in: how to build it again, and exactly what it holds."""

    name: str
    """An image name, or "python" for the local target's own environment."""
    packages: str
    """`pip freeze` from inside the environment."""
    recipe: dict[str, bytes] = field(default_factory=dict)
    """The files it is built from (a Dockerfile and its requirements), where known."""
    identity: str = ""
    """The image id, where there is one."""


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
    def up(self, spec: HubSpec, state_dir: Path, port: int | None = None, context: str | None = None) -> HubInfo:
        """Start the hub; `context` is a kube context to use instead of a new cluster (kubernetes only)."""

    @abstractmethod
    def status(self, spec: HubSpec, state_dir: Path) -> HubInfo | None: ...

    @abstractmethod
    def down(self, spec: HubSpec, state_dir: Path) -> bool: ...

    def isolation(self, state_dir: Path) -> str:
        """One line: whom user servers run as here, and what that keeps apart."""
        return ""

    def leftovers(self, spec: HubSpec, state_dir: Path) -> str:
        """When no hub runs: one line naming what its last run left running, or ''."""
        return ""

    @abstractmethod
    def read_home(self, spec: HubSpec, state_dir: Path, user: str) -> bytes:
        """A user's home folder as an uncompressed tar archive (empty if they have none)."""

    @abstractmethod
    def write_home(self, spec: HubSpec, state_dir: Path, user: str, archive: bytes) -> None:
        """Unpack a tar archive from `read_home` into a user's home folder."""

    def read_shared(self, spec: HubSpec, state_dir: Path, name: str) -> bytes:
        """A shared folder (`shared_data[].name`) as a tar archive; targets that refuse shared data have none."""
        return tar_folder(None)

    def write_shared(self, spec: HubSpec, state_dir: Path, name: str, archive: bytes) -> None:
        raise refuse(spec, "shared_data", self.name, "this target has no shared folders")

    @abstractmethod
    def environments(self, spec: HubSpec, state_dir: Path) -> list[UserEnvironment]:
        """The user environments the spec offers, with their recipes and package lists."""

    def forget(self, spec: HubSpec, state_dir: Path) -> None:  # noqa: B027 (optional hook)
        """Remove what a throwaway hub leaves besides its state directory (volumes)."""


class ProcessTarget(Target):
    """JupyterHub and the proxy run here as processes, from the rendered jupyterhub_config.py."""

    native_file = "jupyterhub_config.py"

    @abstractmethod
    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        """The jupyterhub_config.py sections; refuses (SpecError) what the target cannot do."""

    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        self.refuse_letsencrypt(spec)
        return {self.native_file: config_text(spec, self.name, self.sections(spec, ports))}

    def excerpt(self, spec: HubSpec, key: str) -> str:
        self.refuse_letsencrypt(spec)
        return "\n".join(line for s in self.sections(spec) if s.key == key for line in s.lines)

    def refuse_letsencrypt(self, spec: HubSpec) -> None:
        if "letsencrypt" in spec.section("https"):
            why = (
                "JupyterHub here serves a certificate it is given: get one for your domain (certbot, or "
                "The Littlest JupyterHub's tljh-config) and set https.certificate and https.key"
            )
            raise refuse(spec, "https.letsencrypt", self.name, why)

    def prepare(self, spec: HubSpec) -> None:
        """Check what the target needs before anything is written: the certificate and key can be read."""
        for key in ("certificate", "key"):
            path = spec.section("https").get(key)
            if path and not os.access(path, os.R_OK):
                raise SpecError(f"{spec.source}: https.{key}: {path!r} does not exist or cannot be read")

    def up(self, spec: HubSpec, state_dir: Path, port: int | None = None, context: str | None = None) -> HubInfo:
        if context:
            raise HubError(f"--context: the {self.name} target runs here, on no Kubernetes cluster")
        why = self.unavailable()
        if why:
            raise TargetUnavailable(f"the {self.name} target cannot run here: {why}")
        process = HubProcess(state_dir)
        process.refuse_if_running()
        process.stop_leftover_proxy()  # after a crash; the new hub takes over the user servers
        ports = process.choose_ports(port)
        config = self.render(spec, ports)[self.native_file]  # refuses bad keys before anything is written
        self.prepare(spec)
        # Secrets exist before the hub starts; an existing state directory keeps its own.
        existed = process.state_dir.exists()
        process.prepare()
        state = process.state_dir
        try:
            ensure_secret(state / names.ADMIN_TOKEN_FILE)
            if spec.data["authenticator"]["type"] == "shared-password":
                ensure_secret(state / names.SHARED_PASSWORD_FILE, env=names.SHARED_PASSWORD_ENV, nbytes=16)
            # JupyterHub would generate this itself; creating it here puts it in the test ledger too.
            ensure_secret(state / names.COOKIE_SECRET_FILE)
            return process.start(config, ports, self.name, certificate=spec.section("https").get("certificate"))
        except BaseException:  # `start` has already stopped a half-started hub
            if not existed:  # a first up that failed leaves no folder of secrets behind
                shutil.rmtree(state, ignore_errors=True)
            raise

    def status(self, spec: HubSpec, state_dir: Path) -> HubInfo | None:
        return HubProcess(state_dir).info()

    def down(self, spec: HubSpec, state_dir: Path) -> bool:
        return HubProcess(state_dir).stop()

    def leftovers(self, spec: HubSpec, state_dir: Path) -> str:
        return HubProcess(state_dir).describe_leftovers()


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
    """Unpack an archive that `folder_archive.listing` accepts: nothing lands outside the
    folder or is written through a link; links themselves are kept as they are. Files
    belong to the account the hub runs as, whoever wrote the archive."""
    listing(archive, where=str(folder))  # refuses before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        members = [owned_here(m) for m in tar.getmembers()]
        if hasattr(tarfile, "tar_filter"):  # Python 3.11.4 and later: tarfile's own checks as well
            tar.extractall(folder, members=members, filter="tar")
        else:  # Debian 12's Python 3.11.2 has no extraction filters; `listing` did the checks
            tar.extractall(folder, members=members, numeric_owner=True)


def owned_here(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """The member owned by this account, without setuid, setgid or sticky bits."""
    member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
    member.mode &= 0o777
    return member
