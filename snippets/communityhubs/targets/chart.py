"""The Zero to JupyterHub chart this project renders for, and what both the values
renderer (`kubernetes.py`) and the cluster lifecycle (`cluster.py`) need to know of it."""

from __future__ import annotations

from .. import names
from ..spec import HubSpec

CHART = "jupyterhub/jupyterhub"
CHART_REPO = "https://hub.jupyter.org/helm-chart/"
CHART_VERSION = "4.3.1"
DEFAULT_SINGLEUSER_IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample"  # the chart's, tagged with its version
HOME_CAPACITY = "10Gi"  # singleuser.storage.capacity


def secret_files(spec: HubSpec) -> dict[str, str]:
    """{key in the hub's Kubernetes Secret: file in the state directory}."""
    auth = spec.data["authenticator"]
    files = {}
    if auth["type"] == "shared-password":
        files[names.SHARED_PASSWORD_FILE] = names.SHARED_PASSWORD_FILE
    if "client_secret_env" in auth:
        files[names.OAUTH_SECRET_FILE] = names.OAUTH_SECRET_FILE
    return files
