"""Zero to JupyterHub values as a spec section writes them: nested mappings merged as Helm merges
values files (`mapping.merge`), and secrets that reach the hub from its Kubernetes Secret."""

from __future__ import annotations

from typing import Any

from .. import mapping, names
from ..mapping import merge
from ..spec import HubSpec

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
