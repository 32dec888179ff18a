"""Every name this package gives to something outside its Python code, declared once.

Files in a hub's state folder, environment variables, the default state root
and port, Docker and Kubernetes resource names, and paths inside user images.
tests/unit/test_names.py fails when one of these literals appears elsewhere in the
package. (`shared-password` is also the spec's login type, a schema value.)
"""

from __future__ import annotations

import hashlib
import os

# --- a hub's state folder: <STATE_ROOT>/<hub name>/ ---------------------------------------------
STATE_ROOT = ".hub"
"""Where `communityhubs hub up` keeps hubs' folders by default (relative to the current folder)."""
PUBLIC_PORT = 8000
"""The hub's public port on 127.0.0.1 by default."""
CHART_PROXY_HTTP_PORT = 8000
"""The port of Zero to JupyterHub's proxy-http Service: the proxy's plain HTTP, behind its autohttps."""
ADMIN_TOKEN_FILE = "admin-token"
SHARED_PASSWORD_FILE = "shared-password"
ADMIN_PASSWORD_FILE = "admin-password"
OAUTH_SECRET_FILE = "oauth-client-secret"
COOKIE_SECRET_FILE = "jupyterhub_cookie_secret"
DATABASE_FILE = "jupyterhub.sqlite"
DATABASE_URL = f"sqlite:///{DATABASE_FILE}"
"""Relative to the state folder, where the hub runs."""
CHART_HUB_DATABASE = f"/srv/jupyterhub/{DATABASE_FILE}"
"""Where the chart's hub keeps its database: its hub-db-dir claim, mounted at /srv/jupyterhub."""
PID_FILE = "hub.pid"
LOG_FILE = "hub.log"
LOCK_FILE = "hub.lock"
RUN_FILE = "hub.url"
"""The running hub's URL, ports, proxy and target (JSON)."""
KIND_CONFIG_FILE = "kind-config.yaml"
SHARED_CLAIMS_FILE = "shared-data-claims.yaml"
HUB_CONFIG_FILE = "jupyterhub_config.py"
"""The rendered configuration a local or docker hub runs from (also their native file)."""
HOMES_FOLDER = "homes"
"""Local target: one home folder per user, beside the database."""
SHARED_FOLDER = "shared"
"""Local target: the shared folders (shared_data), beside the homes."""
CLUSTER_RECORD_FILE = "cluster.json"
"""Kubernetes target: what `up` created (context, namespace, kind cluster), so `down` removes only that."""
PORT_FORWARD_LOG = "port-forward.log"

# --- environment variables ---------------------------------------------------------------------
SHARED_PASSWORD_ENV = "HUB_SHARED_PASSWORD"
ADMIN_PASSWORD_ENV = "HUB_ADMIN_PASSWORD"
"""The shared password a new hub takes instead of generating one; also how the chart's hub reads it."""
STATE_ROOT_ENV = "COMMUNITYHUBS_STATE_ROOT"
SECRET_LEDGER_ENV = "COMMUNITYHUBS_SECRET_LEDGER"
PROXY_ENV = "COMMUNITYHUBS_PROXY"
CA_CERTS_ENV = "COMMUNITYHUBS_CA_CERTS"
BASE_IMAGE_ENV = "COMMUNITYHUBS_BASE_IMAGE"
HELPERS_ENV = "COMMUNITYHUBS_HELPERS"
CHART_ENV = "COMMUNITYHUBS_CHART"
"""A folder holding the Zero to JupyterHub chart the tests render (default: ../shared/upstream/)."""
TLJH_ENV = "COMMUNITYHUBS_TLJH"
"""A folder holding The Littlest JupyterHub's source the tests run (default: ../shared/upstream/)."""

# --- resources outside this machine's files: Docker, kind, Kubernetes ---------------------------
PREFIX = "chub"
"""Docker containers, volumes and networks, and kind clusters, start with `chub-<hub>`."""


def resource(hub: str, *parts: str) -> str:
    """`chub-<hub>[-part...]`: the name of a Docker network, volume, container or kind cluster of one hub."""
    return "-".join([PREFIX, hub, *parts])


def unix_group(hub: str, role: str) -> str:
    """`chub-<hub>-<role>`, a Unix group of one local hub's accounts (admins, users); hashed where
    that would pass Unix's 32 characters."""
    name = resource(hub, role)
    return name if len(name) <= 32 else resource(hashlib.sha256(hub.encode()).hexdigest()[:12], role)


def resources_filter(hub: str) -> str:
    """A `docker ... --filter name=` pattern for every container or volume of one hub (not `hub-2`'s)."""
    return f"^{resource(hub)}-"


def helper_pod() -> str:
    """A short-lived pod that reads or writes a claim (`chub-home-<random>`)."""
    return f"{PREFIX}-home-{os.urandom(4).hex()}"


def secrets_name(hub: str) -> str:
    """The Kubernetes Secret the chart's hub reads the spec's secrets from."""
    return f"{hub}-secrets"


def tls_secret_name(hub: str) -> str:
    return f"{hub}-tls"


def shared_claim(hub: str, folder: str) -> str:
    """The persistent volume claim of one shared folder on Kubernetes."""
    return f"{hub}-shared-{folder}"


# --- inside user images ---------------------------------------------------------------------------
HOME = "/home/jovyan"
"""Users' home folder in the images (the Jupyter Docker Stacks' user, as in Zero to JupyterHub's)."""
SHARED_ROOT = "/srv/shared"
"""Where shared folders are mounted, one sub-folder per `shared_data[].name`."""
DOCKER_OWNER = "1000:1000"
"""The user and group of our Docker user image, who own what is written into its volumes."""
CHART_OWNER = "1000:100"
"""jovyan:users in Zero to JupyterHub's images, who own home folders written into claims."""
