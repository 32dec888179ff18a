"""The Littlest JupyterHub's own code, without a server: its `tljh-config` makes config.yaml from
the commands we render, and its hub configuration (`tljh/jupyterhub_config.py`, which calls the
configurer's `apply_config` and then loads jupyterhub_config.d/) reads it.

- `tljh_python()`: a virtual environment with TLJH's hub requirements (tests/support/tljh-hub-requirements.txt)
  and TLJH itself, made once and kept under .nox/ (keyed by both);
- `run_commands(script, prefix)`: every `sudo tljh-config set|add-item` line of a rendered script,
  as written, through TLJH's own command-line entry point, against PREFIX/config/config.yaml;
- `ask_tljh_hub(files, secrets, questions)`: tests/support/hub_probe.py run by that Python on TLJH's
  jupyterhub_config.py, with TLJH_INSTALL_PREFIX (which TLJH reads) pointing at a temporary folder;
- `traefik_config(files)`: the Traefik configuration TLJH writes from that config.yaml
  (`tljh.traefik.ensure_traefik_config`, what `tljh-config reload proxy` runs before restarting Traefik).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from communityhubs.spec import SpecError, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import COMMANDS_FILE, EXTRA_FILE

from .goldens import EXAMPLES
from .needs import need_tljh, require
from .paths import ROOT
from .venvs import new_venv

PROBE = Path(__file__).with_name("hub_probe.py")
REQUIREMENTS = Path(__file__).with_name("tljh-hub-requirements.txt")
COMMAND = "sudo tljh-config "
# TLJH's own CLI (tljh.config.main, the `tljh-config` console script), called once per command in
# one process: the script's start-up costs about 2 s, and the code each command runs is the same.
# First the config.yaml TLJH's installer leaves (run without --admin, as the guide says; no plugins).
RUN_COMMANDS = """\
import json, sys
from tljh.config import main
from tljh.installer import ensure_config_yaml
from tljh.utils import get_plugin_manager
ensure_config_yaml(get_plugin_manager())
for argv in json.load(sys.stdin):
    main(argv)
"""


def tljh_python() -> Path:
    """The Python of a venv holding TLJH and its hub's packages (made on first use, kept under .nox/)."""
    folder = need_tljh()
    source = hashlib.sha256((folder / "setup.py").read_bytes() + (folder / "tljh" / "configurer.py").read_bytes())
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + source.digest()).hexdigest()[:12]
    venv = ROOT / ".nox" / f"tljh-hub-{digest}"
    python = venv / "bin" / "python"
    if (venv / "ready").is_file():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    install = [*new_venv(venv), "--no-deps"]
    subprocess.run([*install, "--requirement", str(REQUIREMENTS)], check=True)
    with tempfile.TemporaryDirectory() as tmp:  # a copy: a build writes build/ and *.egg-info beside setup.py
        copy = Path(tmp) / "tljh"
        shutil.copytree(folder, copy)
        subprocess.run([*install, str(copy)], check=True)
    (venv / "ready").write_text(digest)
    return python


@functools.cache
def tljh_hub_config() -> str:
    """TLJH's own jupyterhub_config.py as installed in the venv (asked once: the same for every spec)."""
    where = "import tljh, pathlib; print(pathlib.Path(tljh.__file__).with_name('jupyterhub_config.py'))"
    return subprocess.run([str(tljh_python()), "-c", where], capture_output=True, text=True, check=True).stdout.strip()


def tljh_config_argv(script: str, config_path: Path) -> list[list[str]]:
    """The `tljh-config` arguments of each `sudo tljh-config set|add-item` line, with --config-path."""
    argvs = []
    for line in script.splitlines():
        if line.startswith(COMMAND):
            argv = shlex.split(line[len(COMMAND) :])
            if argv[0] in ("set", "add-item"):
                argvs.append(["--config-path", str(config_path), *argv])
    return argvs


def need_root() -> None:
    require("root (tljh-config refuses to run without it)", "" if os.geteuid() == 0 else "not running as root")


def run_commands(script: str, prefix: Path) -> Path:
    """Run the script's tljh-config commands with TLJH's code, on the config.yaml a fresh install
    leaves; the config.yaml they make."""
    need_root()
    config = prefix / "config" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ["PATH"], "TLJH_INSTALL_PREFIX": str(prefix), "HOME": str(prefix)}
    done = subprocess.run(
        [str(tljh_python()), "-c", RUN_COMMANDS],
        input=json.dumps(tljh_config_argv(script, config)),
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        raise AssertionError(f"tljh-config refused a command:\n{done.stderr[-3000:]}")
    return config


WRITE_TRAEFIK_CONFIG = """\
import json, sys, toml
from pathlib import Path
from tljh.config import STATE_DIR
from tljh.traefik import ensure_traefik_config
ensure_traefik_config(STATE_DIR)
state = Path(STATE_DIR)
written = {"static": state / "traefik.toml", "dynamic": state / "rules" / "dynamic.toml"}
json.dump({name: toml.load(path) for name, path in written.items()}, sys.stdout)
"""


def traefik_config(files: dict[str, str]) -> dict[str, Any]:
    """{"static": traefik.toml, "dynamic": rules/dynamic.toml} as TLJH writes them from the
    config.yaml our commands make."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "opt-tljh"
        run_commands(files[COMMANDS_FILE], prefix)
        (prefix / "state").mkdir()
        env = {"PATH": os.environ["PATH"], "TLJH_INSTALL_PREFIX": str(prefix), "HOME": tmp}
        done = subprocess.run(
            [str(tljh_python()), "-c", WRITE_TRAEFIK_CONFIG], capture_output=True, text=True, env=env, cwd=tmp
        )
        if done.returncode:
            raise AssertionError(f"TLJH could not write Traefik's configuration:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)


def ask_tljh_hub(files: dict[str, str], secrets: dict[str, str], questions: dict[str, Any]) -> dict[str, Any]:
    """tests/support/hub_probe.py's answers from TLJH's own hub configuration, given our rendered files:
    config.yaml as `tljh-config` makes it from the commands, the Python file in jupyterhub_config.d/,
    and the secret files the script creates."""
    python = tljh_python()
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "opt-tljh"
        run_commands(files[COMMANDS_FILE], prefix)
        extra = prefix / "config" / EXTRA_FILE
        extra.parent.mkdir(parents=True, exist_ok=True)  # the installer makes it
        extra.write_text(files[EXTRA_FILE])
        state = prefix / "state" / "communityhubs"
        state.mkdir(parents=True)
        for name, value in secrets.items():
            (state / name).write_text(value)
            (state / name).chmod(0o600)
        hub_config = tljh_hub_config()
        out = Path(tmp) / "answers.json"
        env = {"PATH": os.environ["PATH"], "TLJH_INSTALL_PREFIX": str(prefix), "HOME": tmp}
        done = subprocess.run(
            [str(python), str(PROBE), hub_config, str(out)],
            input=json.dumps(questions),
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
        if done.returncode:
            raise AssertionError(f"TLJH's hub configuration failed:\n{done.stderr[-3000:]}")
        return json.loads(out.read_text())


def renders(path: Path) -> bool:
    """Whether the tljh target renders this spec (others are refused in one line)."""
    try:
        TARGETS["tljh"].render(load_spec(path))
    except SpecError:
        return False
    return True


# The example specs TLJH can run: the ones checked against its code.
TLJH_SPECS = [p for p in EXAMPLES if renders(p)]
