"""One hub: a spec, a state directory and the target it runs on.

`Hub(spec, state_dir).up()` is what `communityhubs hub up` and the guides'
throwaway hubs do; every target-specific step lives in `targets/`.
"""

from __future__ import annotations

from pathlib import Path

from .hubprocess import HubError, HubInfo, HubProcess
from .spec import HubSpec
from .targets import Target, target_for


class Hub:
    def __init__(
        self,
        spec: HubSpec,
        state_dir: Path,
        port: int | None = None,
        target: str | None = None,
        context: str | None = None,
    ):
        self.spec = spec
        self.state_dir = Path(state_dir).resolve()
        self.port = port
        self.context = context
        self.target: Target = target_for(spec, target)

    @property
    def log_file(self) -> Path:
        return HubProcess(self.state_dir).log_file

    def up(self) -> HubInfo:
        return self.target.up(self.spec, self.state_dir, self.port, self.context)

    def info(self) -> HubInfo | None:
        return self.target.status(self.spec, self.state_dir)

    def isolation(self) -> str:
        """Whom user servers run as on this target, here (one line, or '')."""
        return self.target.isolation(self.state_dir)

    def leftovers(self) -> str:
        """When the hub is not running: what its last run left running, or ''."""
        return self.target.leftovers(self.spec, self.state_dir)

    def down(self) -> bool:
        return self.target.down(self.spec, self.state_dir)

    def forget(self) -> None:
        """After `down`: remove what the hub kept outside its state directory (volumes)."""
        self.target.forget(self.spec, self.state_dir)


__all__ = ["Hub", "HubError", "HubInfo"]
