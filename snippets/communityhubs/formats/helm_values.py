"""Zero to JupyterHub values as a spec section writes them: nested mappings merged as Helm merges
values files (`mapping.merge`), and secrets that reach the hub from its Kubernetes Secret."""

from __future__ import annotations

from typing import Any

from .. import mapping, names
from ..mapping import merge
from ..spec import HubSpec
from .file_values import FileValues

Values = dict[str, Any]


def secret_from_env(spec: HubSpec, env: str, key: str, trait: str) -> Values:
    """Read one secret from the hub's Kubernetes Secret into a trait, through the environment."""
    return {
        "hub": {
            "extraEnv": {env: {"valueFrom": {"secretKeyRef": {"name": names.secrets_name(spec.name), "key": key}}}},
            "extraConfig": {key: f"import os\nc.{trait} = os.environ[{env!r}]\n"},
        }
    }


def table_values(spec: HubSpec, section: str) -> Values:
    """A section's plain keys at their values paths, from the one mapping table."""
    values: Values = {}
    for row, value in mapping.settings(spec, section):
        if row.chart_default is None or mapping.given(spec, row.key):
            values = merge(values, mapping.nested(row.values, value))
    for row in mapping.rows(section):
        if row.null_on_chart and not mapping.given(spec, row.key):
            values = merge(values, mapping.nested(row.values, None))
    return values


def keys_from_table(values: FileValues, section: str) -> dict[str, Any]:
    """A section's plain keys, read back through the one mapping table the renderers write with."""
    out: dict[str, Any] = {}
    chart_defaults: set[str] = set()  # keys left to the chart's own default
    for row in mapping.rows(section):
        found = [(path, values.get(path)) for path in (row.values, *row.also_read)]
        found = [(path, value) for path, value in found if value is not None]
        if row.leaf in chart_defaults:
            for path, _ in found:
                values.take(path, to=f"{row.key} (rendered again from the spec's default)")
            continue
        if row.leaf in out:  # another trait of a key already read: carried only where it agrees
            if found and all(row.to_spec(v, values.prefix + path) == out[row.leaf] for path, v in found):
                for path, _ in found:
                    values.take(path, to=f"{row.key} (the spec keeps one value for both)")
            continue
        for path, _ in found:
            values.take(path, to=row.key)
        if row.null_on_chart and values.get(row.values, "absent") is None:
            values.take(row.values)  # null: no request, what the spec means when it leaves the key out
        if found:
            path, value = found[-1]  # the last one wins, as in the chart
            out[row.leaf] = row.to_spec(value, values.prefix + path)
        elif row.chart_default is not None:
            # Unset: the chart's own default, which the kubernetes target keeps for a spec that
            # leaves the key out; other targets use the schema's.
            chart_defaults.add(row.leaf)
            why = f"{row.key}: not set (the chart's {row.chart_default} on kubernetes, {row.key}'s default elsewhere)"
            values.report.carried.append((values.prefix + row.values, why))
    return out
