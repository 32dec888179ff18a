"""The Littlest JupyterHub's own code, without a server: its `tljh-config` makes config.yaml from
the commands we render, and its hub configuration (`tljh/jupyterhub_config.py`, which calls the
configurer's `apply_config` and then loads jupyterhub_config.d/) reads it.

- `tljh_python()`: a virtual environment with TLJH's hub requirements (tests/support/tljh-hub-requirements.txt)
  and TLJH itself, made once and kept under .nox/ (keyed by both);
- `run_sequences(sequences, folder)`: rendered scripts run as written, one after another on the same
  stand-in for /opt/tljh, each `tljh-config` line through TLJH's own command-line entry point and
  every other line by bash; `run_commands(script, prefix)` runs one;
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from communityhubs.spec import SpecError, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import COMMANDS_FILE, EXTRA_FILE
from communityhubs.targets.tljh import PREFIX as TLJH_PREFIX

from .goldens import EXAMPLES
from .needs import need_tljh, require
from .paths import ROOT
from .venvs import new_venv

PROBE = Path(__file__).with_name("hub_probe.py")
REQUIREMENTS = Path(__file__).with_name("tljh-hub-requirements.txt")
COMMAND = "sudo tljh-config "
# A rendered script, run as written on a stand-in for /opt/tljh, in one process: each
# `sudo tljh-config ...` line through TLJH's own CLI entry point (tljh.config.main, what the
# console script calls; the script's start-up costs about 2 s a call), every other line by bash
# with `sudo` as a pass-through. `tljh-config reload` needs systemd and is left out. Each run starts
# from the config.yaml TLJH's installer leaves (run without --admin, as the guide says; no plugins)
# and runs its scripts in order on the same folder: what a server sees as its admin re-applies.
RUN_SCRIPTS = """\
import json, os, subprocess, sys
from pathlib import Path
from tljh.config import main
from tljh.installer import ensure_config_yaml
from tljh.utils import get_plugin_manager
ensure_config_yaml(get_plugin_manager())
fresh = Path(os.environ["TLJH_INSTALL_PREFIX"], "config", "config.yaml").read_text()
results = []
for run in json.load(sys.stdin):
    prefix = Path(run["prefix"])
    (prefix / "config" / "jupyterhub_config.d").mkdir(parents=True, exist_ok=True)
    (prefix / "config" / "config.yaml").write_text(fresh)
    after = []
    for script in run["scripts"]:
        for kind, step in script["steps"]:
            if kind == "tljh-config":
                try:
                    main(step)
                except SystemExit as exit:
                    if exit.code:
                        sys.exit(f"tljh-config {' '.join(step)} refused it (exit {exit.code})")
            else:
                subprocess.run(["bash", "-ec", 'sudo() { "$@"; }\\n' + step], check=True, cwd=script["folder"])
        secrets = prefix / "state" / "communityhubs"
        after.append({
            "config": (prefix / "config" / "config.yaml").read_text(),
            "secrets": {p.name: p.read_text() for p in sorted(secrets.iterdir())} if secrets.is_dir() else {},
            "kept": sorted(p.name for p in (prefix / "config").iterdir() if p.name.startswith("config.yaml.")),
        })
    results.append(after)
json.dump(results, sys.stdout)
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


def script_steps(script: str, prefix: Path) -> list[tuple[str, Any]]:
    """The script's lines as steps, with /opt/tljh moved to `prefix`: ("tljh-config", argv) for
    each tljh-config command but the reloads, ("bash", line) for every other command."""
    steps: list[tuple[str, Any]] = []
    for line in script.replace(TLJH_PREFIX, str(prefix)).splitlines():
        if not line.strip() or line.startswith(("#", "set -e")):
            continue
        if line.startswith(COMMAND):
            argv = shlex.split(line[len(COMMAND) :])
            if argv[0] != "reload":
                steps.append(("tljh-config", argv))
        elif steps and steps[-1][0] == "bash":  # one bash for lines in a row: as fast as the tljh-config calls
            steps[-1] = ("bash", f"{steps[-1][1]}\n{line}")
        else:
            steps.append(("bash", line))
    return steps


def need_root() -> None:
    require("root (tljh-config refuses to run without it)", "" if os.geteuid() == 0 else "not running as root")


def run_sequences(sequences: list[list[dict[str, str]]], folder: Path, env: dict | None = None) -> list[dict]:
    """Each sequence of rendered file sets (`render`'s answer), run in order on a fresh stand-in
    for /opt/tljh under `folder`. Per sequence, what each script left: [{"config": config.yaml's
    text, "secrets": {file: text}, "kept": [dated copies of earlier config.yaml files]}, ...]."""
    need_root()
    runs = []
    for n, sequence in enumerate(sequences):
        prefix = folder / f"opt-tljh-{n}"
        scripts = []
        for m, files in enumerate(sequence):
            rendered = folder / f"rendered-{n}-{m}"
            for name, text in files.items():
                (rendered / name).parent.mkdir(parents=True, exist_ok=True)
                (rendered / name).write_text(text)
            scripts.append({"folder": str(rendered), "steps": script_steps(files[COMMANDS_FILE], prefix)})
        runs.append({"prefix": str(prefix), "scripts": scripts})
    python = tljh_python()

    def run_chunk(n: int) -> list[dict]:  # one process per core: each tljh-config call costs ~13 ms
        installer = folder / f"opt-tljh-installer-{n}"
        environ = {"PATH": os.environ["PATH"], "TLJH_INSTALL_PREFIX": str(installer), "HOME": str(folder)}
        chunk = json.dumps(runs[n::cores])
        done = subprocess.run(
            [str(python), "-c", RUN_SCRIPTS],
            input=chunk,
            capture_output=True,
            text=True,
            env={**environ, **(env or {})},
        )
        if done.returncode:
            raise AssertionError(f"the script failed on TLJH's code:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)

    cores = max(1, min(len(runs), os.cpu_count() or 1))
    with ThreadPoolExecutor(cores) as pool:
        chunks = list(pool.map(run_chunk, range(cores)))
    return [chunks[i % cores][i // cores] for i in range(len(runs))]


def run_commands(script: str, prefix: Path) -> Path:
    """Run one rendered script as written (`run_sequences`) on a fresh stand-in for /opt/tljh at
    `prefix`; the config.yaml it leaves there."""
    files = {COMMANDS_FILE: script, EXTRA_FILE: ""}
    result = run_sequences([[files]], prefix.parent / f"{prefix.name}-runs")[0][-1]
    config = prefix / "config" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(result["config"])
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
