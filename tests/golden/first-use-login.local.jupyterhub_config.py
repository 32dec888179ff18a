# jupyterhub_config.py for the hub "small-lab" (local target).
# Rendered from first-use-login.yaml by `communityhubs render --target local`.
# Start it from the folder that holds its state: `jupyterhub -f jupyterhub_config.py`.
# Secrets are not in this file: they are read at start-up from files beside the
# database (mode 0600) or from environment variables.
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_secret(name):
    """A secret kept in the file `name` in the hub's folder, readable only by the hub."""
    return Path(name).read_text().strip()


# --- where the hub listens: 127.0.0.1 only ---
# the public address (the proxy)
c.JupyterHub.bind_url = 'http://127.0.0.1:8000'
# the hub's own API, for the proxy and servers
c.JupyterHub.hub_bind_url = 'http://127.0.0.1:8081'
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:8001'
# configurable-http-proxy, checked to hold its public port after every restart
c.JupyterHub.proxy_class = 'communityhubs.checked_proxy.PortCheckingProxy'
c.JupyterHub.db_url = 'sqlite:///jupyterhub.sqlite'
# how often (s) the hub records activity, which culling reads
c.JupyterHub.last_activity_interval = 30

# --- how users log in ---
c.JupyterHub.authenticator_class = 'firstuseauthenticator.FirstUseAuthenticator'
c.FirstUseAuthenticator.min_password_length = 12

# --- admins ---
# made admins again at every start
c.Authenticator.admin_users = {'demo-admin'}

# --- who may log in ---
c.Authenticator.allowed_users = {'demo-ada', 'demo-admin', 'demo-grace'}

# --- groups ---
# created or updated at every start
c.JupyterHub.load_groups = {}

# --- what users find when their server starts ---
c.Spawner.default_url = '/lab'

# --- resources per server, and many starts at once ---
# seconds a server may take to start
c.Spawner.start_timeout = 60
# seconds a started server may take to answer
c.Spawner.http_timeout = 60
c.JupyterHub.concurrent_spawn_limit = 100

# --- user servers: one local process each, in homes/NAME beside the database ---
# as root: a Unix account per user, made at their first start; else every server runs as this account
from communityhubs.local_spawner import isolation_problem
if not isolation_problem():
    c.JupyterHub.spawner_class = 'communityhubs.local_spawner.AccountSpawner'
else:
    c.JupyterHub.spawner_class = 'simple'
    c.SimpleLocalProcessSpawner.home_dir_template = str(Path("homes").resolve() / "{username}")
    if os.geteuid() == 0:  # Jupyter refuses to run as root unless told
        c.Spawner.args = ["--allow-root"]
# jupyterhub-singleuser from this Python, minus about 1 CPU-second of start-up (see that module)
import sys
c.Spawner.cmd = [sys.executable, '-m', 'communityhubs.singleuser']
c.Spawner.notebook_dir = '~'

# --- the admins' own API token ---
# a service whose token scripts and the guides use (send it as 'Authorization: token ...')
c.JupyterHub.services = [{'name': 'community-admin', 'api_token': read_secret('admin-token'), 'admin': True}]
c.JupyterHub.load_roles = []

# --- stop idle servers (jupyterhub-idle-culler) ---
# culling is off
