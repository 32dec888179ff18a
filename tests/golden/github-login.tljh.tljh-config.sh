# The hub "research-hub" on The Littlest JupyterHub 2.0.0, rendered from github-login.yaml
# by `communityhubs render --target tljh`. Run it once on the hub's server, right
# after TLJH's installer (run without --admin: these commands name the admins).

# Secrets are never in config.yaml: they live in files only root can read, which
# jupyterhub_config.d/communityhubs.py reads when the hub starts.
sudo install -d -m 0700 /opt/tljh/state/communityhubs
sudo sh -c 'umask 077; python3 -c "import secrets; print(secrets.token_hex(32))" > /opt/tljh/state/communityhubs/admin-token'
printf '%s' "$OAUTH_CLIENT_SECRET" | sudo sh -c 'umask 077; cat > /opt/tljh/state/communityhubs/oauth-client-secret'   # the OAuth client secret, from $OAUTH_CLIENT_SECRET

sudo tljh-config set http.address 127.0.0.1
sudo tljh-config set auth.type github
sudo tljh-config set auth.GitHubOAuthenticator.client_id Ov23liExampleId01
sudo tljh-config set auth.GitHubOAuthenticator.oauth_callback_url https://hub.example.org/hub/oauth_callback
sudo tljh-config add-item auth.GitHubOAuthenticator.allowed_organizations example-research-lab
sudo tljh-config add-item auth.GitHubOAuthenticator.scope read:org
sudo tljh-config add-item users.admin lab-lead
sudo tljh-config add-item users.allowed lab-lead
sudo tljh-config set user_environment.default_app jupyterlab
sudo tljh-config set services.cull.enabled false

# The Python file, from the folder this script was rendered into, then the reloads.
sudo install -m 0644 jupyterhub_config.d/communityhubs.py /opt/tljh/config/jupyterhub_config.d/
sudo tljh-config reload proxy
sudo tljh-config reload
