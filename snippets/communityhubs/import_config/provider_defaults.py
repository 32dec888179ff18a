"""What 2i2c's charts set beneath a hub's own values files, where the hub spec can say it.

A basehub or daskhub hub runs Zero to JupyterHub with the provider chart's values
under the hub's files, so a key the files leave out has the provider's value, not
Zero to JupyterHub's. Read from 2i2c-org/infrastructure: `helm-charts/basehub/values.yaml`
at 004210c (its `jupyterhub:` section) and `helm-charts/daskhub/values.yaml` at 0af97a3
(which sets `defaultUrl: /lab` over basehub's). Only settings the hub spec has are
listed; the rest of those files (NFS homes, network policy, templates, staff access)
belong to the provider's cluster, like the hub files' own `custom` keys.
"""

from __future__ import annotations

from typing import Any

from ..mapping import merge

BASEHUB: dict[str, Any] = {
    "singleuser": {
        "startTimeout": 600,
        "defaultUrl": "/tree",
        "memory": {"guarantee": "256M", "limit": "1G"},
        "cpu": {"guarantee": 0.05},
    },
    "hub": {"config": {"KubeSpawner": {"http_timeout": 120}}},
    "cull": {"maxAge": 604800},
    "prePuller": {"hook": {"enabled": False}, "continuous": {"enabled": False}},
}
DASKHUB: dict[str, Any] = merge(BASEHUB, {"singleuser": {"defaultUrl": "/lab"}})

# chart (as values_files.unwrap names it) -> (its defaults, how the report names them)
DEFAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "basehub": (BASEHUB, "basehub's default (2i2c-org/infrastructure 004210c), not set in the files"),
    "daskhub": (DASKHUB, "daskhub's default (2i2c-org/infrastructure 0af97a3), not set in the files"),
}
