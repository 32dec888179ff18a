"""`storage`: the size and class of the claims a Kubernetes cluster keeps homes, shared data and
the hub's database in. Zero to JupyterHub makes the home and database claims from values; `hub
up` makes the shared-data claims. On one machine (local, docker, TLJH) homes are folders or
Docker volumes with neither size nor class: there the keys are said in the configuration as
having no effect, so a spec moves between targets unchanged.
"""

from __future__ import annotations

from typing import Any

from ..formats.file_values import FileValues
from ..formats.python_lines import Section
from ..formats.tljh_commands import Part
from ..spec import HubSpec, schema_default

HOMES_HERE = {
    "local": "folders under homes/",
    "docker": "Docker volumes",
    "tljh": "the Unix accounts' home folders",
}


def quantity(size: str) -> str:
    """A spec size (1024-based, as everywhere in the spec) as a Kubernetes quantity: 10G -> 10Gi."""
    return f"{size}i"


def storage_class(spec: HubSpec, key: str) -> dict[str, str]:
    """{"storageClassName": ...} where the spec names a class for `key` ("" too: a volume bound
    beforehand), else {}: the cluster's default class."""
    given = spec.data.get("storage", {})
    return {"storageClassName": given[key]} if key in given else {}


def not_here(spec: HubSpec, target: str) -> str:
    """The comment a one-machine target writes for a spec's `storage` ('' without one)."""
    given = spec.data.get("storage", {})
    if not given:
        return ""
    said = ", ".join(f"{key} {value!r}" for key, value in given.items())
    return f"storage ({said}) is for Kubernetes claims: here homes are {HOMES_HERE[target]}, so it changes nothing"


def jupyterhub_config(spec: HubSpec, target: str) -> Section:
    s = Section("storage", "storage")
    note = not_here(spec, target)
    return s.code(f"# {note}") if note else s


def tljh(spec: HubSpec) -> Part:
    part = Part("storage", "storage")
    note = not_here(spec, "tljh")
    return part.code(f"# {note}") if note else part


def from_values_yaml(values: FileValues) -> dict[str, Any]:
    """Home claims' size and class and the hub database's class, where the chart makes the claims
    (`singleuser.storage.type: dynamic`, its default); a provider's NFS homes stay the provider's."""
    from .. import mapping

    out: dict[str, Any] = {}
    if values.get("singleuser.storage.type", "dynamic") == "dynamic":
        capacity = values.take("singleuser.storage.capacity", to="storage.home_capacity")
        size = mapping.memory(capacity, values.prefix + "singleuser.storage.capacity") if capacity else None
        if size and size != schema_default("storage.home_capacity"):  # the default is rendered again anyway
            out["home_capacity"] = size
        home_class = values.take("singleuser.storage.dynamic.storageClass", to="storage.home_class")
        if home_class is not None:
            out["home_class"] = home_class
    database_class = values.take("hub.db.pvc.storageClassName", to="storage.database_class")
    if database_class is not None:
        out["database_class"] = database_class
    return out
