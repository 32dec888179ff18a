# What the hub "docker-demo" on The Littlest JupyterHub 2.0.0 needs of its server beside
# TLJH's configuration, rendered from docker-hub.yaml by `communityhubs render --target tljh`.
# Run it on the hub's server after tljh-config.sh, and again after every change to the
# spec: `bash user-environment.sh`. It adds and corrects; it removes nothing.
set -e

# Shared folders (shared_data), in /srv/shared: read-only ones written by admins
# (jupyterhub-admins), the others by everyone (jupyterhub-users), each person's files
# their own. A folder the spec no longer lists stays, with its files.
sudo install -d -o root -g jupyterhub-admins -m 2775 /srv/shared/datasets
# Linked into the home of everyone TLJH makes from now on (it copies /etc/skel), and of everyone
# who has a home already, unless something of that name is there (-T: never into a folder that
# appears there meanwhile)
sudo ln -sfn /srv/shared/datasets /etc/skel/datasets
for home in /home/jupyter-*; do if [ -d "$home" ] && [ ! -e "$home"/datasets ] && [ ! -L "$home"/datasets ]; then sudo ln -sT /srv/shared/datasets "$home"/datasets; fi; done
