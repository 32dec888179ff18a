"""On The Littlest JupyterHub, `environment.languages` is `user-environment.sh`: run here as written.

TLJH's own code says where every user's server runs from: its user environment, USER_ENV_PREFIX
(/opt/tljh/user), whose bin/ SystemdSpawner puts first on each server's PATH. The script is then
run as root, line by line as an admin runs it, in a private mount namespace where /opt/tljh/user
is a fresh Python environment with Jupyter, as TLJH's installer leaves it (nothing outside the
namespace sees it; the system's packages install on this machine for real, from Debian's archive:
TLJH runs on Ubuntu, whose archive this machine cannot reach). The kernel must then be where that
Jupyter finds it, and run code.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from communityhubs import names
from communityhubs.sections.languages import LANGUAGES
from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import USER_ENVIRONMENT_FILE, USER_PREFIX

from tests.support.hub_questions import password, questions
from tests.support.needs import require
from tests.support.paths import ROOT
from tests.support.tljh_hub import TLJH_SPECS, ask_tljh_hub, need_root, tljh_python

TLJH = TARGETS["tljh"]
LANGUAGE_SPECS = [p for p in TLJH_SPECS if USER_ENVIRONMENT_FILE in TLJH.render(load_spec(p))]

# In the namespace: an empty /opt, TLJH's user environment made at its own path (Jupyter from the
# project's lock), then the script as written (`sudo` passes through: this runs as root, as `sudo` would make it).
RUN_AS_ADMIN = """\
set -e
mount -t tmpfs tmpfs /opt
"$PYTHON" -m uv venv --quiet --python "$PYTHON" /opt/tljh/user
"$PYTHON" -m uv pip install --quiet --python /opt/tljh/user/bin/python --constraint "$LOCK" jupyter-client
bash -ec 'sudo() { "$@"; }
. "$SCRIPT"' > "$OUT/script.log" 2>&1
/opt/tljh/user/bin/jupyter kernelspec list --json > "$OUT/kernelspecs.json"
/opt/tljh/user/bin/python "$OUT/run_code.py" > "$OUT/ran.json"
"""
# A server's Jupyter starts each language's kernel by its spec's name and runs a line in it.
RUN_CODE = """\
import json, sys
from jupyter_client.manager import start_new_kernel
ran = {}
for name, code in json.loads(sys.argv[1]).items():
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
    text = []
    def collect(msg):
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
    try:
        reply = kc.execute_interactive(code, output_hook=collect, timeout=120)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    ran[name] = {"status": reply["content"]["status"], "text": "".join(text)}
json.dump(ran, sys.stdout)
"""
SAY = {"ir": "cat(R.version.string, sum(1:10), sep = '\\n')"}


def need_system_packages(packages: tuple[str, ...]) -> None:
    require("apt-get (the script installs the system's packages)", "" if shutil.which("apt-get") else "no apt-get")
    require("unshare (a private /opt/tljh)", "" if shutil.which("unshare") else "no unshare")
    for package in packages:
        policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True).stdout
        missing = "" if "Candidate:" in policy and "Candidate: (none)" not in policy else f"{package} is not offered"
        require(f"the system package {package}", missing)


def test_tljh_runs_every_server_from_the_environment_the_script_registers_kernels_in() -> None:
    where = "from tljh.config import USER_ENV_PREFIX; print(USER_ENV_PREFIX)"
    env = {k: v for k, v in os.environ.items() if k != "TLJH_INSTALL_PREFIX"}
    said = subprocess.run([str(tljh_python()), "-c", where], capture_output=True, text=True, env=env, check=True)
    assert said.stdout.strip() == USER_PREFIX
    spec = load_spec(LANGUAGE_SPECS[0])
    shared, admin = password(), secrets.token_urlsafe(32)
    files = {names.SHARED_PASSWORD_FILE: shared, names.ADMIN_PASSWORD_FILE: admin, names.ADMIN_TOKEN_FILE: "t" * 64}
    answers = ask_tljh_hub(TLJH.render(spec), files, questions(spec, shared, admin))
    paths = {tuple(start["spawner"]["extra_paths"]) for start in answers["starts"]}
    assert len(paths) == 1 and len(next(iter(paths))) == 1
    assert next(iter(paths))[0].endswith("/opt-tljh/user/bin")  # <TLJH_INSTALL_PREFIX>/user/bin, first on PATH


@pytest.mark.parametrize("path", LANGUAGE_SPECS, ids=lambda p: p.stem)
def test_the_script_run_as_written_gives_every_server_the_languages_kernels(path: Path) -> None:
    spec = load_spec(path)
    asked = [LANGUAGES[key] for key in spec.data["environment"]["languages"]]
    need_root()
    need_system_packages(tuple(p for language in asked for p in language.packages))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        script = folder / USER_ENVIRONMENT_FILE
        script.write_text(TLJH.render(spec)[USER_ENVIRONMENT_FILE])
        (folder / "run_code.py").write_text(RUN_CODE.replace("sys.argv[1]", repr(json.dumps(SAY))))
        env = {**os.environ, "PYTHON": sys.executable, "LOCK": str(ROOT / "requirements.lock")}
        env |= {"SCRIPT": str(script), "OUT": str(folder)}
        done = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", RUN_AS_ADMIN], env=env)
        log = (folder / "script.log").read_text() if (folder / "script.log").exists() else ""
        assert done.returncode == 0, f"user-environment.sh failed:\n{log[-3000:]}"
        specs = json.loads((folder / "kernelspecs.json").read_text())["kernelspecs"]
        ran = json.loads((folder / "ran.json").read_text())
    for language in asked:
        assert specs[language.kernel]["resource_dir"] == f"{USER_PREFIX}/share/jupyter/kernels/{language.kernel}"
    assert ran["ir"]["status"] == "ok"
    version, total = ran["ir"]["text"].split("\n")[:2]
    assert version.startswith("R version ") and total == "55"
