"""Where a hub can run. One module per target, each a `base.Target` (renders) and a
`base.Runner` (runs one hub);
this registry is the one list of them: the CLI's choices, the schema's
`target` enum, conf.py and the tests all derive from it."""

from __future__ import annotations

from ..spec import HubSpec, SpecError
from .base import Runner, Target, TargetUnavailable
from .docker import DockerTarget
from .kubernetes import KubernetesTarget
from .local import LocalTarget
from .tljh import TljhTarget

TARGETS: dict[str, Target] = {t.name: t for t in (LocalTarget(), DockerTarget(), KubernetesTarget(), TljhTarget())}
NAMES = tuple(TARGETS)
DEFAULT = "local"


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise SpecError(f"target {name!r} is not one of: {', '.join(NAMES)}") from None


def target_for(spec: HubSpec, name: str | None = None) -> Target:
    """The target asked for, else the spec's own `target`, else the default."""
    return get_target(name or spec.settings["target"] or DEFAULT)


__all__ = ["DEFAULT", "NAMES", "TARGETS", "Runner", "Target", "TargetUnavailable", "get_target", "target_for"]
