# The languages besides Python of the hub "second-language" on The Littlest JupyterHub 2.0.0,
# rendered from docker-second-language.yaml by `communityhubs render --target tljh` (environment.languages).
# Run it on the hub's server once, and again after a change: `bash user-environment.sh`.
# It only adds; a server started after it offers each language in its launcher.
set -e

# The system's own packages, installed without questions
sudo apt-get update --yes
sudo env DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends r-base-core r-cran-irkernel

# R's kernel (ir), registered in TLJH's user environment, where every user's server looks for kernels
sudo env PATH=/opt/tljh/user/bin:$PATH R --quiet -e 'IRkernel::installspec(user = FALSE, prefix = "/opt/tljh/user")'
