"""The Zero to JupyterHub chart this project renders for, and what both the values
renderer (`kubernetes.py`) and the cluster lifecycle (`cluster.py`) need to know of it."""

from __future__ import annotations

import yaml

from .. import names
from ..sections.login import login_secrets
from ..sections.storage import quantity, storage_class
from ..spec import HubSpec

CHART = "jupyterhub/jupyterhub"
CHART_REPO = "https://hub.jupyter.org/helm-chart/"
CHART_VERSION = (
    "4.4.0"  # 4.3.3, 4.3.4 and 4.4.0 are security releases (JupyterHub open redirect, CSRF, denial of service)
)
HUB_IMAGE_VERSIONS = {"JupyterHub": "5.5.0", "KubeSpawner": "7.0.0", "OAuthenticator": "17.4.0"}
"""What the chart's hub image runs (its images/hub/requirements.txt at the tag): what reads our values."""


def secret_files(spec: HubSpec) -> dict[str, str]:
    """{key in the hub's Kubernetes Secret: file in the state directory}."""
    auth = spec.data["authenticator"]
    files = {secret.file: secret.file for secret in login_secrets(spec)}
    if "client_secret_env" in auth:
        files[names.OAUTH_SECRET_FILE] = names.OAUTH_SECRET_FILE
    return files


def shared_claims(spec: HubSpec, single_node: bool) -> str:
    """The claims shared data mounts, which the chart does not make: one per `shared_data` entry.
    Every user's pod mounts it, so on a cluster of several nodes it needs ReadWriteMany storage
    (`storage.shared_class`: NFS, EFS, Filestore); kind's one node shares a ReadWriteOnce volume
    among all its pods."""
    mode = "ReadWriteOnce" if single_node else "ReadWriteMany"
    size = quantity(spec.settings["storage.shared_capacity"])
    claims = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": names.shared_claim(spec.name, share["name"]), "namespace": spec.name},
            "spec": {
                "accessModes": [mode],
                **storage_class(spec, "shared_class"),
                "resources": {"requests": {"storage": size}},
            },
        }
        for share in spec.data.get("shared_data", [])
    ]
    return "".join("---\n" + yaml.safe_dump(claim, sort_keys=False) for claim in claims)
