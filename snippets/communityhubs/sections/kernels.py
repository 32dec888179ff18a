"""`kernels`: what each user's server does about its kernels' memory, on every target and back.

Two settings of the server inside each user's session, not of the hub: jupyter_server shuts down
kernels idle longer than `idle_timeout` (`MappingKernelManager.cull_idle_timeout`), and
jupyter-resource-usage's memory display turns to a warning when the server is within
`memory_warning` of its limit. Every platform passes them the same way, as arguments of the
server's command (`Spawner.args`), which its spawner builds into the process, the container or the
pod. A key the spec leaves out is not written: jupyter_server's and jupyter-resource-usage's own
defaults stand.
"""

from __future__ import annotations

from typing import Any

from ..errors import ImportConfigError
from ..formats.file_values import FileValues
from ..formats.helm_values import Values
from ..formats.python_lines import Section, py
from ..formats.tljh_commands import Part
from ..spec import HubSpec

# spec key -> the server's own setting it becomes
SETTINGS = {
    "idle_timeout": "MappingKernelManager.cull_idle_timeout",
    "every": "MappingKernelManager.cull_interval",
    "cull_connected": "MappingKernelManager.cull_connected",
    "memory_warning": "ResourceUseDisplay.mem_warning_threshold",
}
CHART_ARGS = "hub.config.KubeSpawner.args"
"""Where values.yaml keeps them: the chart passes `hub.config` to the hub as it is."""


def arguments(spec: HubSpec) -> list[str]:
    """The server's command-line settings the spec asks for, in the order of SETTINGS."""
    given = spec.section("kernels")
    if "idle_timeout" in given:  # the interval means nothing without a timeout: written together
        given.setdefault("every", spec.settings["kernels.every"])
    return [f"--{setting}={_text(given[key])}" for key, setting in SETTINGS.items() if key in given]


def _text(value: Any) -> str:
    return str(value) if not isinstance(value, bool) else ("True" if value else "False")


def jupyterhub_config(spec: HubSpec) -> Section:
    s = Section("kernels", "kernels and memory inside each server")
    args = arguments(spec)
    if not args:
        return s
    # extend, not =: a spawner section may already pass the server an argument (--allow-root)
    return s.code(f"c.Spawner.args.extend({py(args)})", "settings of each user's server, passed on its command line")


def values_yaml(spec: HubSpec) -> Values:
    args = arguments(spec)
    return {"hub": {"config": {"KubeSpawner": {"args": args}}}} if args else {}


def tljh(spec: HubSpec) -> Part:
    """TLJH's config.yaml has no key for these: the Python file passes them to SystemdSpawner."""
    part = Part("kernels", "kernels and memory inside each server")
    args = arguments(spec)
    if args:
        part.code(f"c.Spawner.args.extend({py(args)})", "settings of each user's server, passed on its command line")
    return part


_CONVERT = {
    "idle_timeout": int,
    "every": int,
    "cull_connected": lambda text: {"true": True, "false": False}[text.lower()],
    "memory_warning": float,
}


def from_values_yaml(values: FileValues) -> dict[str, Any]:
    """The `kernels` keys from the arguments a values file gives KubeSpawner; other arguments are
    left for the report (they have no spec key)."""
    args = values.get(CHART_ARGS) or []
    by_setting = {setting: key for key, setting in SETTINGS.items()}
    found: dict[str, Any] = {}
    rest = []
    for arg in args:
        setting, _, text = str(arg).removeprefix("--").partition("=")
        if setting not in by_setting:
            rest.append(arg)
            continue
        key = by_setting[setting]
        try:
            found[key] = _CONVERT[key](text)
        except (KeyError, ValueError):
            raise ImportConfigError(f"{values.prefix}{CHART_ARGS}: {arg!r} is not a value for kernels.{key}") from None
    if found and not rest:
        values.take(CHART_ARGS, to="kernels")
    return found
