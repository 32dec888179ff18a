# What the hub "second-language" on The Littlest JupyterHub 2.0.0 needs of its server beside
# TLJH's configuration, rendered from docker-second-language.yaml by `communityhubs render --target tljh`.
# Run it on the hub's server after tljh-config.sh, and again after every change to the
# spec: `bash user-environment.sh`. It adds and corrects; it removes nothing.
set -e

# Languages besides Python (environment.languages): the system's own packages, without questions
sudo apt-get update --yes
sudo env DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends r-base-core r-cran-irkernel
# R's kernel (ir), registered in TLJH's user environment, where every user's server looks for kernels
sudo env PATH=/opt/tljh/user/bin:$PATH R --quiet -e 'IRkernel::installspec(user = FALSE, prefix = "/opt/tljh/user")'
