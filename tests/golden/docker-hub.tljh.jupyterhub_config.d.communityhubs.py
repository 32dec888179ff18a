# /opt/tljh/config/jupyterhub_config.d/communityhubs.py
# for the hub "docker-demo": what TLJH's config.yaml has no key for.
# TLJH's hub loads it after config.yaml (`sudo tljh-config reload`).
from pathlib import Path

from tljh.config import STATE_DIR

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_secret(name):
    """A secret kept in /opt/tljh/state/communityhubs/NAME, readable by root only."""
    return (Path(STATE_DIR) / "communityhubs" / name).read_text().strip()


# --- authenticator ---
# WARNING: everyone's shared password. Anyone who has it can log in as any non-admin user,
# and on TLJH that is their Unix account and home folder: for a workshop room, never on the internet
c.SharedPasswordAuthenticator.user_password = read_secret('shared-password')
# the admins' own password
c.SharedPasswordAuthenticator.admin_password = read_secret('admin-password')

# --- limits ---
c.Spawner.cpu_limit = 0.5
# seconds a server may take to start
c.Spawner.start_timeout = 60
# seconds a started server may take to answer
c.Spawner.http_timeout = 60
c.JupyterHub.concurrent_spawn_limit = 100

# --- kernels and memory inside each server ---
# settings of each user's server, passed on its command line
c.Spawner.args.extend(['--MappingKernelManager.cull_idle_timeout=3600',
 '--MappingKernelManager.cull_interval=300',
 '--ResourceUseDisplay.mem_warning_threshold=0.2'])

# --- the admins' own API token ---
# a service whose token scripts and the guides use (send it as 'Authorization: token ...')
c.JupyterHub.services.append({'name': 'community-admin', 'api_token': read_secret('admin-token'), 'admin': True})
