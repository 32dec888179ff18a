# /opt/tljh/config/jupyterhub_config.d/communityhubs.py
# for the hub "campus-hub": what TLJH's config.yaml has no key for.
# TLJH's hub loads it after config.yaml (`sudo tljh-config reload`).
from pathlib import Path

from tljh.config import STATE_DIR

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_secret(name):
    """A secret kept in /opt/tljh/state/communityhubs/NAME, readable by root only."""
    return (Path(STATE_DIR) / "communityhubs" / name).read_text().strip()


# --- authenticator ---
# OAuthenticator 17.4 calls it idps, 17.3 allowed_idps: TLJH 2.0.0 may have either
from oauthenticator.cilogon import CILogonOAuthenticator

idps_trait = "idps" if "idps" in CILogonOAuthenticator.class_trait_names() else "allowed_idps"
setattr(c.CILogonOAuthenticator, idps_trait, {'https://login.example.edu/idp/shibboleth': {'default': True,
                                              'username_derivation': {'username_claim': 'email'},
                                              'allowed_domains': ['example.edu']},
 'http://google.com/accounts/o8/id': {'username_derivation': {'username_claim': 'email'}}})
# never in config.yaml
c.CILogonOAuthenticator.client_secret = read_secret('oauth-client-secret')

# --- limits ---
# seconds a server may take to start
c.Spawner.start_timeout = 60
# seconds a started server may take to answer
c.Spawner.http_timeout = 60
c.JupyterHub.concurrent_spawn_limit = 100

# --- the admins' own API token ---
# a service whose token scripts and the guides use (send it as 'Authorization: token ...')
c.JupyterHub.services.append({'name': 'community-admin', 'api_token': read_secret('admin-token'), 'admin': True})
