# The hub "second-language" on The Littlest JupyterHub 2.0.0, rendered from docker-second-language.yaml
# by `communityhubs render --target tljh`. Run it on the hub's server after TLJH's
# installer (run without --admin: these commands name the admins), and again after
# every change to the spec: each run leaves exactly the config.yaml rendered beside it.
set -e  # the first command that fails stops the script, and the hub keeps its old configuration

# Secrets are never in config.yaml: they live in files only root can read, which
# jupyterhub_config.d/communityhubs.py reads when the hub starts. Each is made only
# where it is missing, so running this again keeps every password and token.
sudo install -d -m 0700 /opt/tljh/state/communityhubs
sudo sh -c 'umask 077; test -s /opt/tljh/state/communityhubs/shared-password || python3 -c "import secrets; print(secrets.token_hex(16))" > /opt/tljh/state/communityhubs/shared-password'
sudo sh -c 'umask 077; test -s /opt/tljh/state/communityhubs/admin-token || python3 -c "import secrets; print(secrets.token_hex(32))" > /opt/tljh/state/communityhubs/admin-token'

# The new config.yaml, made beside the old one from what TLJH's installer leaves ({}),
# so whatever an earlier run set and this spec no longer says goes back to TLJH's default.
sudo sh -c 'echo "{}" > /opt/tljh/config/config.yaml.new'
sudo tljh-config --config-path /opt/tljh/config/config.yaml.new set auth.type shared-password
sudo tljh-config --config-path /opt/tljh/config/config.yaml.new add-item users.allowed demo-ada
sudo tljh-config --config-path /opt/tljh/config/config.yaml.new add-item users.allowed demo-grace
sudo tljh-config --config-path /opt/tljh/config/config.yaml.new set user_environment.default_app jupyterlab

# Then it takes the old one's place; the old one is kept beside it, dated.
sudo cp -p /opt/tljh/config/config.yaml "/opt/tljh/config/config.yaml.before-$(date +%Y%m%d-%H%M%S)"
sudo mv /opt/tljh/config/config.yaml.new /opt/tljh/config/config.yaml

# The Python file, from the folder this script was rendered into, then the reloads.
sudo install -m 0644 jupyterhub_config.d/communityhubs.py /opt/tljh/config/jupyterhub_config.d/
sudo tljh-config reload

# Then what the server itself needs, from the same folder: bash user-environment.sh
