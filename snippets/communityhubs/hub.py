"""One hub: the runner of its target, bound to a spec and a state folder.

`Hub(spec, state_dir).up()` is what `communityhubs hub up` and the guides'
throwaway hubs do; every target-specific step lives in `targets/`, in that
target's `Runner`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .hubprocess import HubError, HubInfo
from .spec import HubSpec
from .targets import Runner, target_for


def Hub(  # noqa: N802 (reads as the object it returns: `old = Hub(spec, folder)`)
    spec: HubSpec, state_dir: Path, port: int | None = None, target: str | None = None, **options: Any
) -> Runner:
    """The hub described by `spec`, kept in `state_dir`, on `target` (default: the spec's, else local).
    `options` are the target's own, such as `context` for kubernetes; others refuse them."""
    return target_for(spec, target).runner(spec, Path(state_dir), port, **options)


__all__ = ["Hub", "HubError", "HubInfo", "Runner"]
