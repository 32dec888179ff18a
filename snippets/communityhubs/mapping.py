"""One table: each plain spec key, the JupyterHub setting it makes, and where
Zero to JupyterHub's values.yaml puts it.

Read forward by `targets/pyconfig.py` (jupyterhub_config.py) and
`targets/kubernetes.py` (values.yaml), backwards by import-config, and for the
per-server resources of profiles and groups by all three. The shape is the
chart's own `files/hub/jupyterhub_config.py`, which loops over
`(trait, values key)` pairs. A new plain key is one schema entry and one row
here; keys that need more than a copy (the login, groups, culling, shared
data, images) are small functions in each renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ImportConfigError
from .spec import MEMORY_UNITS, HubSpec, memory_bytes

# --- converters: a value as a values file writes it -> the spec's form ------------------------


def same(value: Any, where: str) -> Any:
    return value


def integer(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImportConfigError(f"{where}: {value!r} is not a whole number") from None


def number(value: Any, where: str) -> int | float:
    """CPUs as the spec writes them: 2, not 2.0."""
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise ImportConfigError(f"{where}: {value!r} is not a number of CPUs") from None
    return int(as_float) if as_float.is_integer() else as_float


def memory(value: Any, where: str) -> str:
    """A Kubernetes memory quantity as the spec writes sizes: 2G, 512M (1024-based, as KubeSpawner reads them)."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([KMGT]i?)?", str(value).strip())
    if not match:
        raise ImportConfigError(f"{where}: {value!r} is not a memory size (such as 512M or 2G)")
    unit = (match.group(2) or "")[:1]
    size = float(match.group(1)) * MEMORY_UNITS.get(unit, 1)
    for suffix in "TGMK":
        whole = size / MEMORY_UNITS[suffix]
        if whole >= 1 and whole == int(whole) and int(whole) < 10**6:
            return f"{int(whole)}{suffix}"
    return f"{max(1, round(size / (1 << 20)))}M"  # bytes that are no whole unit: the nearest megabyte


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    """The dotted spec key: "limits.mem_limit"."""
    trait: str
    """The JupyterHub setting, `Class.trait`: "Spawner.mem_limit"."""
    values: str
    """Where Zero to JupyterHub's values put it, dotted: "singleuser.memory.limit"."""
    to_spec: Callable[[Any, str], Any] = same
    """A value as a values file writes it -> the spec's form; `where` names it in errors."""
    comment: str = ""
    """The comment jupyterhub_config.py shows above the line."""
    per_server: bool = False
    """Also a profile's or group's override (KubeSpawner's kubespawner_override, Spawner.group_overrides)."""
    chart_default: Any = None
    """What the chart uses when the values leave it unset, and we let it: values.yaml leaves the row
    out unless the spec itself gives the key. import-config carries it and says so."""
    null_on_chart: bool = False
    """values.yaml says null when the spec gives nothing, so a chart default we don't keep never applies."""
    also_read: tuple[str, ...] = ()
    """Other values paths with the same meaning; the last one present wins, as in the chart."""
    tljh: str = ""
    """The Littlest JupyterHub's config.yaml key (`tljh-config set`), where it has one."""

    @property
    def section(self) -> str:
        return self.key.split(".")[0]

    @property
    def leaf(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    @property
    def attr(self) -> str:
        return self.trait.rsplit(".", 1)[-1]


ROWS: list[Row] = [
    Row(
        "authenticator.allow_existing_users",
        "Authenticator.allow_existing_users",
        "hub.config.Authenticator.allow_existing_users",
        comment="users in the database but not in allowed_users may log in only if this is True",
    ),
    Row(
        "authenticator.blocked_users",
        "Authenticator.blocked_users",
        "hub.config.Authenticator.blocked_users",
        lambda value, where: sorted(value),
        comment="never allowed to log in",
        tljh="users.banned",
    ),
    Row("environment.default_url", "Spawner.default_url", "singleuser.defaultUrl"),
    Row(
        "limits.mem_limit",
        "Spawner.mem_limit",
        "singleuser.memory.limit",
        memory,
        per_server=True,
        tljh="limits.memory",
    ),
    # Unset, the kubernetes target reserves memory itself (targets/kubernetes.py `reservations`).
    Row(
        "limits.mem_guarantee",
        "Spawner.mem_guarantee",
        "singleuser.memory.guarantee",
        memory,
        per_server=True,
    ),
    Row("limits.cpu_limit", "Spawner.cpu_limit", "singleuser.cpu.limit", number, per_server=True, tljh="limits.cpu"),
    Row("limits.cpu_guarantee", "Spawner.cpu_guarantee", "singleuser.cpu.guarantee", number, per_server=True),
    Row(
        "limits.start_timeout",
        "Spawner.start_timeout",
        "singleuser.startTimeout",
        integer,
        comment="seconds a server may take to start",
        chart_default=300,  # image pulls and new nodes take longer than a process or a container
    ),
    # One spec key, two traits: the spec keeps a single timeout for starting and for answering.
    Row(
        "limits.start_timeout",
        "Spawner.http_timeout",
        "hub.config.KubeSpawner.http_timeout",
        integer,
        comment="seconds a started server may take to answer",
    ),
    Row(
        "limits.concurrent_spawn_limit",
        "JupyterHub.concurrent_spawn_limit",
        "hub.concurrentSpawnLimit",
        integer,
        also_read=("hub.config.JupyterHub.concurrent_spawn_limit",),
        chart_default=64,  # Zero to JupyterHub's own, below JupyterHub's 100
    ),
]


TLJH_DEFAULT_APPS = {"/lab": "jupyterlab", "/tree": "classic"}
"""environment.default_url as TLJH's user_environment.default_app says it (tljh/configurer.py)."""


def rows(section: str | None = None) -> list[Row]:
    """The table's rows (read at call time, so a test may add one), optionally those of one spec section."""
    return [row for row in ROWS if section is None or row.section == section]


def settings(spec: HubSpec, section: str) -> Iterator[tuple[Row, Any]]:
    """(row, value) for each row of a section the spec sets or whose schema default is not empty."""
    for row in rows(section):
        value = spec.settings[row.key]
        if value is not None and value != {}:
            yield row, value


def given(spec: HubSpec, key: str) -> bool:
    """Whether the spec itself sets a dotted key (not its schema default)."""
    return dig(spec.data, key, _ABSENT) is not _ABSENT


def per_server(limits: dict[str, Any]) -> dict[str, Any]:
    """A profile's, choice's or group's `limits` as Spawner trait names (kubespawner_override, spawner_override)."""
    return {row.attr: limits[row.leaf] for row in rows("limits") if row.per_server and row.leaf in limits}


def per_server_from_override(override: dict[str, Any], where: str) -> dict[str, Any]:
    """The inverse: an override's resources in the spec's form."""
    return {
        row.leaf: row.to_spec(override[row.attr], f"{where}.{row.attr}")
        for row in rows("limits")
        if row.per_server and override.get(row.attr) is not None
    }


def override_traits() -> set[str]:
    return {row.attr for row in rows("limits") if row.per_server}


DOCKER_RESERVATIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "mem_guarantee": ("mem_reservation", memory_bytes),
    "cpu_guarantee": ("cpu_shares", lambda cpus: round(cpus * 1024)),  # a relative weight: 1024 is one CPU's share
}
"""Guarantees Docker keeps as soft reservations (DockerSpawner.extra_host_config); it has no hard requests."""


def docker_reservations(limits: dict[str, Any]) -> dict[str, Any]:
    """The guarantees among `limits` (spec or override names, which agree) as Docker host config."""
    return {field: convert(limits[key]) for key, (field, convert) in DOCKER_RESERVATIONS.items() if limits.get(key)}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge maps, as helm merges values files (later wins; lists are replaced)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


_ABSENT = object()


def dig(data: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path of nested maps, else `default`: the inverse of `nested`."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return default
        data = data[part]
    return data


def nested(path: str, value: Any) -> dict[str, Any]:
    """A dotted values path and its value as the map helm reads: "a.b", 1 -> {"a": {"b": 1}}."""
    out: Any = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out
