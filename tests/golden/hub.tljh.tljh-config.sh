# The hub "demo-community" on The Littlest JupyterHub 2.0.0, rendered from hub.yaml
# by `communityhubs render --target tljh`. Run it once on the hub's server, right
# after TLJH's installer (run without --admin: these commands name the admins).

# Secrets are never in config.yaml: they live in files only root can read, which
# jupyterhub_config.d/communityhubs.py reads when the hub starts.
sudo install -d -m 0700 /opt/tljh/state/communityhubs
sudo sh -c 'umask 077; python3 -c "import secrets; print(secrets.token_hex(16))" > /opt/tljh/state/communityhubs/shared-password'
sudo sh -c 'umask 077; python3 -c "import secrets; print(secrets.token_hex(24))" > /opt/tljh/state/communityhubs/admin-password'
sudo sh -c 'umask 077; python3 -c "import secrets; print(secrets.token_hex(32))" > /opt/tljh/state/communityhubs/admin-token'

sudo tljh-config set http.address 127.0.0.1
sudo tljh-config set auth.type shared-password
sudo tljh-config add-item users.admin demo-admin
sudo tljh-config add-item users.allowed demo-ada
sudo tljh-config add-item users.allowed demo-admin
sudo tljh-config add-item users.allowed demo-grace
sudo tljh-config set user_environment.default_app jupyterlab
sudo tljh-config set limits.memory 1G
sudo tljh-config set limits.cpu 1
sudo tljh-config set services.cull.enabled true
sudo tljh-config set services.cull.timeout 3600
sudo tljh-config set services.cull.every 300

# The Python file, from the folder this script was rendered into, then the reloads.
sudo install -m 0644 jupyterhub_config.d/communityhubs.py /opt/tljh/config/jupyterhub_config.d/
sudo tljh-config reload proxy
sudo tljh-config reload
