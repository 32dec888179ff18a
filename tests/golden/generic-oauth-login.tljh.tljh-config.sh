# The hub "course-hub" on The Littlest JupyterHub 2.0.0, rendered from generic-oauth-login.yaml
# by `communityhubs render --target tljh`. Run it once on the hub's server, right
# after TLJH's installer (run without --admin: these commands name the admins).

# Secrets are never in config.yaml: they live in files only root can read, which
# jupyterhub_config.d/communityhubs.py reads when the hub starts.
sudo install -d -m 0700 /opt/tljh/state/communityhubs
sudo sh -c 'umask 077; python3 -c "import secrets; print(secrets.token_hex(32))" > /opt/tljh/state/communityhubs/admin-token'
printf '%s' "$OAUTH_CLIENT_SECRET" | sudo sh -c 'umask 077; cat > /opt/tljh/state/communityhubs/oauth-client-secret'   # the OAuth client secret, from $OAUTH_CLIENT_SECRET

sudo tljh-config set http.address 127.0.0.1
sudo tljh-config set auth.type generic-oauth
sudo tljh-config set auth.GenericOAuthenticator.client_id course-hub
sudo tljh-config set auth.GenericOAuthenticator.oauth_callback_url https://hub.example.edu/hub/oauth_callback
sudo tljh-config set auth.GenericOAuthenticator.authorize_url https://login.example.edu/oauth2/authorize
sudo tljh-config set auth.GenericOAuthenticator.token_url https://login.example.edu/oauth2/token
sudo tljh-config set auth.GenericOAuthenticator.userdata_url https://login.example.edu/oauth2/userinfo
sudo tljh-config set auth.GenericOAuthenticator.username_claim preferred_username
sudo tljh-config add-item auth.GenericOAuthenticator.scope openid
sudo tljh-config add-item auth.GenericOAuthenticator.scope profile
sudo tljh-config set auth.GenericOAuthenticator.allow_all true
sudo tljh-config add-item users.admin instructor
sudo tljh-config add-item users.allowed instructor
sudo tljh-config set user_environment.default_app jupyterlab
sudo tljh-config set services.cull.enabled false

# The Python file, from the folder this script was rendered into, then the reloads.
sudo install -m 0644 jupyterhub_config.d/communityhubs.py /opt/tljh/config/jupyterhub_config.d/
sudo tljh-config reload proxy
sudo tljh-config reload
