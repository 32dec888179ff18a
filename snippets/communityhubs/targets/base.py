"""The interface of every target, in two parts.

- A `Target` renders: spec in, native configuration out (`render`, `excerpt`),
  pure, one object per target in the registry. It also says what this machine
  lacks to run it (`unavailable`).
- A `Runner` runs one hub: bound to its spec and state folder (and what only its
  target needs, such as a kube context), the way JupyterHub binds a Spawner to a
  user. `target.runner(spec, state_dir)` makes one; `communityhubs.hub.Hub` is the
  short way. The refuse / check / clean-up sequence around starting a hub lives
  here, once (`undone_on_failure`).
"""

from __future__ import annotations

import contextlib
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..folder_archive import Listing, tar_folder
from ..hubprocess import DEFAULT_PORTS, HubError, HubInfo, HubProcess, Ports
from ..sections import refuse
from ..spec import HubSpec


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


class Target(ABC):
    """A place a hub can run: how to render its configuration, and how to run it here."""

    name: str
    native_file: str
    """The file an admin of this kind of hub keeps: jupyterhub_config.py, values.yaml, config.yaml."""

    @abstractmethod
    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        """{file name: text} of the target's native configuration for `spec`; refuses (SpecError) what it cannot say."""

    @abstractmethod
    def excerpt(self, spec: HubSpec, keys: list[str]) -> str:
        """The native configuration that comes from these top-level spec keys, as one piece an
        admin can paste into one file ('' where they set nothing)."""

    def unavailable(self) -> str:
        """'' when this machine can run the target, else what is missing (one line)."""
        return ""

    @abstractmethod
    def runner(self, spec: HubSpec, state_dir: Path, port: int | None = None, **options: Any) -> Runner:
        """The runner of one hub on this target. `options` are this target's own (kubernetes: `context`)."""


class Runner(ABC):
    """One hub on one target: its spec, its state folder and its public port."""

    def __init__(self, target: Target, spec: HubSpec, state_dir: Path, port: int | None = None):
        self.target = target
        self.spec = spec
        self.state_dir = Path(state_dir)
        self.port = port

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.name} in {self.state_dir}>"

    # --- the lifecycle ---------------------------------------------------------------------------
    def check(self) -> None:
        """Refuse what the target cannot say, and a machine that cannot run it, before anything is done."""
        self.target.render(self.spec)
        why = self.target.unavailable()
        if why:
            raise TargetUnavailable(f"the {self.target.name} target cannot run here: {why}")

    @contextlib.contextmanager
    def undone_on_failure(self, stop: bool = False) -> Iterator[None]:
        """Checked first; if the body fails, the hub is stopped (with `stop`) and a state folder
        that did not exist before is removed: a failed first start leaves no secrets behind."""
        self.check()
        existed = self.state_dir.exists()
        try:
            yield
        except BaseException:
            if stop:
                with contextlib.suppress(Exception):  # the first error is the one to report
                    self.down()
            if not existed:
                shutil.rmtree(self.state_dir, ignore_errors=True)
            raise

    def up(self) -> HubInfo:
        """Start the hub; refused, or undone, as a whole."""
        with self.undone_on_failure():
            return self.start()

    @abstractmethod
    def start(self) -> HubInfo:
        """The target's own start, after `check`; `up` undoes what a failure leaves."""

    @abstractmethod
    def info(self) -> HubInfo | None:
        """The running hub, or None."""

    @abstractmethod
    def down(self) -> bool:
        """Stop the hub; False when none ran from this state folder."""

    def plan(self) -> Any:
        """What `up` would write and run, for `hub up --dry-run`; only targets with a plan have one."""
        raise HubError("--dry-run: only `hub up --target kubernetes` has a plan to print (see `communityhubs render`)")

    @property
    def log_file(self) -> Path:
        return HubProcess(self.state_dir).log_file

    def isolation(self) -> str:
        """One line: whom user servers run as here, and what that keeps apart."""
        return ""

    def leftovers(self) -> str:
        """When no hub runs: one line naming what its last run left running, or ''."""
        return ""

    def doomed(self) -> list[str]:
        """What `forget` would delete, one line each: `hub delete` shows it before asking."""
        return []

    def day_two(self, action: str, folder: Path, dry_run: bool = False, replace_database: bool = False) -> list[str]:
        """`hub backup` and `hub restore` into or from `folder`: one line per thing done, or with
        `dry_run` the plan's text. Only targets whose data lives outside this machine have them."""
        raise HubError(
            f"hub {action}: the {self.target.name} target keeps the hub in {self.state_dir} and in this "
            "machine's homes or volumes: back those up, or carry the hub with `communityhubs export`"
        )

    def forget(self) -> None:  # noqa: B027 (optional hook)
        """After `down`: delete the hub's data (`hub delete`). `down` alone never deletes any."""

    # --- what users have -------------------------------------------------------------------------
    @abstractmethod
    def read_home(self, user: str) -> bytes:
        """A user's home folder as an uncompressed tar archive (empty if they have none)."""

    @abstractmethod
    def write_home(self, user: str, archive: bytes) -> None:
        """Unpack a tar archive from `read_home` into a user's home folder."""

    def read_shared(self, name: str) -> bytes:
        """A shared folder (`shared_data[].name`) as a tar archive; targets that refuse shared data have none."""
        return tar_folder(None)

    def write_shared(self, name: str, archive: bytes) -> None:
        raise refuse(self.spec, "shared_data", self.target.name, "this target has no shared folders")

    def readable(self, wanted: Listing) -> Listing:
        """The part of a home's listing that `read_home` can give back, to compare with: all of it here."""
        return wanted

    def not_read(self) -> list[str]:
        """What `read_home`, `read_shared` and `environments` could not read, for the export to say;
        a hub this tool runs reads everything, a hub reached only by its URL does not."""
        return []

    @abstractmethod
    def environments(self) -> list[UserEnvironment]:
        """The user environments the spec offers, with their recipes and package lists."""
