# jupyterhub_config.py for the hub "small-lab" (docker target).
# Rendered from first-use-login.yaml by `communityhubs render --target docker`.
# Start it from the folder that holds its state: `jupyterhub -f jupyterhub_config.py`.
# Secrets are not in this file: they are read at start-up from files beside the
# database (mode 0600) or from environment variables.
import subprocess
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_secret(name):
    """A secret kept in the file `name` in the hub's folder, readable only by the hub."""
    return Path(name).read_text().strip()


# --- where the hub listens: 127.0.0.1, and its Docker network 'chub-small-lab' ---
# the public address (the proxy)
c.JupyterHub.bind_url = 'http://127.0.0.1:8000'
# servers reach the hub's API at the network's gateway (`communityhubs hub up` makes the network)
gateway = subprocess.check_output(['docker', 'network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', 'chub-small-lab'], text=True).strip()
c.JupyterHub.hub_bind_url = f"http://{gateway}:8081"
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

# --- user servers: one container each (DockerSpawner) ---
c.JupyterHub.spawner_class = 'docker'
# the hub's own network: containers can reach its API, not each other or this machine's loopback
c.DockerSpawner.network_name = 'chub-small-lab'
# the proxy reaches each server at a port published on 127.0.0.1
c.DockerSpawner.use_internal_ip = False
c.DockerSpawner.host_ip = '127.0.0.1'
c.DockerSpawner.image = 'communityhubs/singleuser:r-6bd03a5cf65c'
# images are built on this machine, never pulled
c.DockerSpawner.pull_policy = 'never'
# containers go when servers stop; the volumes stay
c.DockerSpawner.remove = True
c.DockerSpawner.name_template = 'chub-small-lab-{username}'
c.DockerSpawner.notebook_dir = '/home/jovyan'
# each user's home is a named volume that outlives the container
c.DockerSpawner.volumes = {'chub-small-lab-home-{username}': '/home/jovyan'}

# --- the admins' own API token ---
# a service whose token scripts and the guides use (send it as 'Authorization: token ...')
c.JupyterHub.services = [{'name': 'community-admin', 'api_token': read_secret('admin-token'), 'admin': True}]
c.JupyterHub.load_roles = []

# --- stop idle servers (jupyterhub-idle-culler) ---
# culling is off
