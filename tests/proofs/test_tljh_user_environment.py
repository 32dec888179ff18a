"""On The Littlest JupyterHub, languages and shared folders are `user-environment.sh`: run here as written.

Languages: TLJH's own code says where every user's server runs from: its user environment, USER_ENV_PREFIX
(/opt/tljh/user), whose bin/ SystemdSpawner puts first on each server's PATH. The script is then
run as root, line by line as an admin runs it, in a private mount namespace where /opt/tljh/user
is a fresh Python environment with Jupyter, as TLJH's installer leaves it (nothing outside the
namespace sees it; the system's packages install on this machine for real, from Debian's archive:
TLJH runs on Ubuntu, whose archive this machine cannot reach). The kernel must then be where that
Jupyter finds it, and run code.

Shared folders: in a private mount namespace with a copy of /etc, an empty /home and /srv, TLJH's
own installer makes its groups and TLJH's own user code makes the accounts, as its spawner does at
each person's start (some before the script runs, one after); then each account tries to read,
write and delete through the link in its home.
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
from communityhubs.spec import load_spec, validate_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import USER_ENVIRONMENT_FILE, USER_PREFIX

from tests.support.chart_hub import need_namespace
from tests.support.hub_questions import password, questions
from tests.support.needs import require
from tests.support.paths import ROOT
from tests.support.tljh_hub import TLJH_SPECS, ask_tljh_hub, need_root, tljh_python

TLJH = TARGETS["tljh"]
LANGUAGE_SPECS = [p for p in TLJH_SPECS if load_spec(p).section("environment").get("languages")]

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
    need_namespace()
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


SHARED = {
    "name": "shared",
    "target": "tljh",
    "authenticator": {"type": "shared-password"},
    "admins": ["demo-admin"],
    "allowed_users": ["demo-ada", "demo-grace", "demo-kept"],
    "shared_data": [{"name": "datasets"}, {"name": "scratch", "read_only": False}],
}
# Everyone's account as TLJH's UserCreatingSpawner.start makes it at their server's start, by TLJH's
# own functions; "before" runs before the script (with TLJH's installer's groups), "after" after it.
ACCOUNTS = """\
import os, sys
from tljh import user
from tljh.installer import ensure_usergroups
from tljh.normalize import generate_system_username
people = {"before": {"demo-admin": True, "demo-ada": False, "demo-kept": False}, "after": {"demo-grace": False}}
if sys.argv[1] == "before":
    ensure_usergroups()
for name, admin in people[sys.argv[1]].items():
    account = generate_system_username("jupyter-" + name)
    user.ensure_user(account)
    user.ensure_user_group(account, "jupyterhub-users")
    if admin:
        user.ensure_user_group(account, "jupyterhub-admins")
    else:
        user.remove_user_group(account, "jupyterhub-admins")
if sys.argv[1] == "before":  # demo-kept has a folder of her own named like a shared one
    home = os.path.expanduser("~jupyter-demo-kept")
    os.system(f"setpriv --reuid=jupyter-demo-kept --regid=jupyter-demo-kept --init-groups "
              f"sh -c 'mkdir {home}/datasets && echo mine > {home}/datasets/notes.txt'")
"""
# What each account can do through the links in its home: an exit code per attempt.
TRIES = {
    "admin writes datasets": ("demo-admin", "echo north,11.5 > ~/datasets/stations.csv"),
    "ada reads datasets": ("demo-ada", "grep -q north ~/datasets/stations.csv"),
    "ada changes datasets": ("demo-ada", "echo east,0 >> ~/datasets/stations.csv"),
    "ada adds to datasets": ("demo-ada", "touch ~/datasets/mine.csv"),
    "grace, made after, reads datasets": ("demo-grace", "grep -q north ~/datasets/stations.csv"),
    "ada writes scratch": ("demo-ada", "echo draft > ~/scratch/ada.txt"),
    "grace reads ada's scratch file": ("demo-grace", "grep -q draft ~/scratch/ada.txt"),
    "grace deletes ada's scratch file": ("demo-grace", "rm -f ~/scratch/ada.txt"),
    "grace writes scratch": ("demo-grace", "echo hers > ~/scratch/grace.txt"),
    "kept still has her own datasets": ("demo-kept", "grep -q mine ~/datasets/notes.txt"),
}
CHECK = """\
import json, os, subprocess, sys
tries = json.loads(sys.argv[1])
seen = {}
for what, (name, code) in tries.items():
    account = "jupyter-" + name
    done = subprocess.run(["setpriv", f"--reuid={account}", f"--regid={account}", "--init-groups", "sh", "-c",
                           f"cd; {code}"], env={"HOME": os.path.expanduser("~" + account), "PATH": "/usr/bin:/bin"},
                          capture_output=True)
    seen[what] = done.returncode
homes = {n: os.path.expanduser("~jupyter-" + n) for n in ("demo-admin", "demo-ada", "demo-grace", "demo-kept")}
seen["links"] = {n: os.readlink(h + "/datasets") if os.path.islink(h + "/datasets") else None for n, h in homes.items()}
seen["folders"] = {}
import grp
for name in ("datasets", "scratch"):
    st = os.stat("/srv/shared/" + name)
    seen["folders"][name] = [st.st_uid, grp.getgrgid(st.st_gid).gr_name, oct(st.st_mode & 0o7777)]
json.dump(seen, sys.stdout)
"""
RUN_SHARED = """\
set -e
cp -a /etc "$OUT/etc"
mount --bind "$OUT/etc" /etc
mount -t tmpfs tmpfs /home
mount -t tmpfs tmpfs /srv
"$TLJH_PYTHON" "$OUT/accounts.py" before
for run in 1 2; do  # twice: a second run changes nothing
  bash -ec 'sudo() { "$@"; }
. "$SCRIPT"' >> "$OUT/script.log" 2>&1
done
"$TLJH_PYTHON" "$OUT/accounts.py" after
"$TLJH_PYTHON" "$OUT/check.py" "$TRIES" > "$OUT/seen.json"
bash -ec 'sudo() { "$@"; }
. "$CHANGED"' >> "$OUT/script.log" 2>&1
stat -c '%G %a' /srv/shared/datasets > "$OUT/changed.txt"
"""


def test_shared_folders_are_read_by_everyone_and_written_as_the_spec_says(tmp_path: Path) -> None:
    need_root()
    need_namespace()
    for tool in ("setpriv", "useradd", "gpasswd"):
        require(tool, "" if shutil.which(tool) else f"no {tool}")
    spec = validate_spec(SHARED, "shared.yaml")
    writable = {**SHARED, "shared_data": [{"name": "datasets", "read_only": False}]}
    (tmp_path / "script.sh").write_text(TLJH.render(spec)[USER_ENVIRONMENT_FILE])
    (tmp_path / "changed.sh").write_text(TLJH.render(validate_spec(writable, "shared.yaml"))[USER_ENVIRONMENT_FILE])
    (tmp_path / "accounts.py").write_text(ACCOUNTS)
    (tmp_path / "check.py").write_text(CHECK)
    env = {**os.environ, "TLJH_PYTHON": str(tljh_python()), "OUT": str(tmp_path), "TRIES": json.dumps(TRIES)}
    env |= {"SCRIPT": str(tmp_path / "script.sh"), "CHANGED": str(tmp_path / "changed.sh")}
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", RUN_SHARED], env=env)
    log = (tmp_path / "script.log").read_text() if (tmp_path / "script.log").exists() else ""
    assert done.returncode == 0, f"the shared folders' commands failed:\n{log[-3000:]}"
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert seen.pop("folders") == {
        "datasets": [0, "jupyterhub-admins", "0o2775"],
        "scratch": [0, "jupyterhub-users", "0o3775"],
    }
    assert seen.pop("links") == {
        "demo-admin": "/srv/shared/datasets",
        "demo-ada": "/srv/shared/datasets",
        "demo-grace": "/srv/shared/datasets",  # from /etc/skel
        "demo-kept": None,  # her own folder stays
    }
    allowed = {what: code == 0 for what, code in seen.items()}
    assert allowed == {
        "admin writes datasets": True,
        "ada reads datasets": True,
        "ada changes datasets": False,
        "ada adds to datasets": False,
        "grace, made after, reads datasets": True,
        "ada writes scratch": True,
        "grace reads ada's scratch file": True,
        "grace deletes ada's scratch file": False,
        "grace writes scratch": True,
        "kept still has her own datasets": True,
    }
    # The spec changed to a writable datasets folder: the script corrects it in place, files kept.
    assert (tmp_path / "changed.txt").read_text().split() == ["jupyterhub-users", "3775"]
