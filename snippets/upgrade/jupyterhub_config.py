# jupyterhub_config.py for the upgrade guide: the smallest hub that keeps users,
# groups and tokens in a database, started from its folder with
# `jupyterhub -f jupyterhub_config.py` by the old version and then by the new one.
# Where it listens and the admins' token come from the environment, never from here.
import os

c = get_config()  # noqa: F821 (JupyterHub provides get_config)

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['HUB_PUBLIC_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["HUB_PROXY_COMMAND"]]

# Everything the hub knows about people is in this file: back it up before an upgrade.
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"

c.JupyterHub.authenticator_class = "dummy"  # the guide logs in nobody; use your real one
c.Authenticator.admin_users = {"demo-admin"}
c.Authenticator.allow_existing_users = True  # users added through the API may log in

# A service whose token the guide uses to administer the hub.
c.JupyterHub.services = [{"name": "upgrade-admin", "api_token": os.environ["HUB_ADMIN_TOKEN"], "admin": True}]
