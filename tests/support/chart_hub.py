"""The chart's own hub, without a cluster: its `files/hub/jupyterhub_config.py` and `z2jh.py`
read the values Helm rendered, under the hub image's versions, at the paths they read in the pod.

- `hub_python()`: a virtual environment with the hub image's frozen requirements, made once
  and kept under .nox/ (keyed by the requirements' hash);
- `lay_out(files, etc)`: the rendered `hub` Secret and ConfigMap as the pod mounts them;
- `ask_chart_hub(files, release, planned, questions)`: tests/support/hub_probe.py run by that Python in
  a private mount namespace (`unshare -m`) where ETC is bind-mounted on /usr/local/etc/jupyterhub, with
  the hub Deployment's environment, each secretKeyRef resolved against the Secrets the chart renders
  and those `hub up` creates (`planned`), so a wrong Secret name or key fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from .chart_render import manifests
from .needs import need_chart, require
from .paths import ROOT
from .venvs import new_venv

MOUNT = Path("/usr/local/etc/jupyterhub")  # where the chart mounts the hub's Secret and ConfigMap
PROBE = Path(__file__).with_name("hub_probe.py")
# Left out of the hub image's requirements: database drivers the configuration never imports,
# and psycopg2 builds from source against libpq.
NOT_IMPORTED = ("psycopg2==",)
# The hub's environment, as the chart's Deployment and Services give it (values are placeholders
# for addresses: nothing is contacted).
HUB_ENV = {
    "PROXY_API_SERVICE_HOST": "127.0.0.1",
    "PROXY_API_SERVICE_PORT": "8001",
    "PROXY_PUBLIC_SERVICE_HOST": "127.0.0.1",
    "PROXY_PUBLIC_SERVICE_PORT": "80",
    "HUB_SERVICE_HOST": "127.0.0.1",
    "HUB_SERVICE_PORT": "8081",
}


def hub_requirements() -> Path:
    chart = need_chart()
    path = chart.parent / f"{chart.name}-hub-image" / "requirements.txt"
    if not path.is_file():
        pytest.fail(f"no hub image requirements at {path} (the chart's images/hub/requirements.txt at its tag)")
    return path


def hub_python() -> Path:
    """The Python of a venv holding the chart's hub image's packages (made on first use, kept under .nox/)."""
    wanted = [line for line in hub_requirements().read_text().splitlines() if not line.startswith(NOT_IMPORTED)]
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    venv = ROOT / ".nox" / f"chart-hub-{digest}"
    python = venv / "bin" / "python"
    if (venv / "ready").is_file():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    install = new_venv(venv)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as reqs:
        reqs.write("\n".join(wanted) + "\n")
        reqs.flush()
        subprocess.run([*install, "--no-deps", "--requirement", reqs.name], check=True)
    (venv / "ready").write_text(digest)
    return python


def namespace_problem() -> str:
    """'' where a private mount namespace can bind a folder over MOUNT, else why not."""
    if os.geteuid() != 0:
        return "binding over /usr/local/etc/jupyterhub needs root (unshare -m)"
    if not shutil.which("unshare"):
        return "no unshare (util-linux)"
    try:
        tried = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return "unshare -m did not return"
    return "" if tried.returncode == 0 else f"unshare -m is refused here: {tried.stderr.strip()}"


def need_namespace() -> None:
    require("a private mount namespace", namespace_problem())


def rendered(files: dict[str, str], kind: str, name: str) -> dict[str, Any]:
    docs = [d for path, text in files.items() if path.endswith(".yaml") for d in yaml.safe_load_all(text) if d]
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def lay_out(files: dict[str, str], etc: Path) -> None:
    """The hub pod's /usr/local/etc/jupyterhub: the `hub` Secret in secret/, the ConfigMap in
    config/, and the chart's two Python files beside them (the image copies them there)."""
    for folder in ("secret", "config", "existing-secret"):
        (etc / folder).mkdir(parents=True)
    for key, value in rendered(files, "Secret", "hub")["data"].items():
        (etc / "secret" / key).write_bytes(base64.b64decode(value))
    for key, value in rendered(files, "ConfigMap", "hub")["data"].items():
        (etc / "config" / key).write_text(value)
    for name in ("jupyterhub_config.py", "z2jh.py"):
        shutil.copy(need_chart() / "files" / "hub" / name, etc / name)


def secret_value(files: dict[str, str], planned: dict[str, dict[str, str]], ref: dict[str, str]) -> str:
    """What a secretKeyRef gives the container: a key of a Secret the chart renders, or of one
    `hub up` creates before installing it (`planned`: {Secret name: {key: value}})."""
    name, key = ref["name"], ref["key"]
    found = [d for d in manifests(files) if d["kind"] == "Secret" and d["metadata"]["name"] == name]
    if found and key in (found[0].get("data") or {}):
        return base64.b64decode(found[0]["data"][key]).decode()
    if key in planned.get(name, {}):
        return planned[name][key]
    raise AssertionError(f"secretKeyRef {name}/{key}: no Secret the chart renders or `hub up` creates has this key")


def hub_env(files: dict[str, str], release: str, planned: dict[str, dict[str, str]]) -> dict[str, str]:
    """The hub container's environment as Kubernetes would give it: the Deployment's own variables,
    each secretKeyRef resolved against the Secrets that exist (a wrong name or key fails here)."""
    container = rendered(files, "Deployment", "hub")["spec"]["template"]["spec"]["containers"][0]
    env = {"PATH": os.environ["PATH"], "HELM_RELEASE_NAME": release, "POD_NAMESPACE": release, **HUB_ENV}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif "secretKeyRef" in item.get("valueFrom", {}):
            env[item["name"]] = secret_value(files, planned, item["valueFrom"]["secretKeyRef"])
    return env


def ask_chart_hub(files: dict[str, str], release: str, planned: dict[str, dict[str, str]], questions: dict) -> dict:
    """tests/support/hub_probe.py's answers from the chart's own hub configuration."""
    need_namespace()
    python = hub_python()
    with tempfile.TemporaryDirectory() as tmp:
        etc = Path(tmp) / "usr-local-etc"
        lay_out(files, etc / MOUNT.name)
        kubeconfig = Path(tmp) / "kubeconfig"  # KubeSpawner loads one at start; nothing is contacted
        kubeconfig.write_text(KUBECONFIG)
        env = hub_env(files, release, planned) | {"KUBECONFIG": str(kubeconfig), "HOME": tmp}
        # Over the parent, which Debian always has, so nothing is made outside the namespace.
        script = f'mount --bind "$1" {MOUNT.parent} && exec "$2" "$3" {MOUNT}/jupyterhub_config.py "$4"'
        out = Path(tmp) / "answers.json"
        command = ["unshare", "-m", "sh", "-c", script, "sh", str(etc), str(python), str(PROBE), str(out)]
        done = subprocess.run(command, input=json.dumps(questions), capture_output=True, text=True, env=env, cwd=tmp)
        if done.returncode:
            raise AssertionError(f"the chart's hub configuration failed:\n{done.stderr[-3000:]}")
        return json.loads(out.read_text())


def ask_our_hub(config_dir: Path, questions: dict, env: dict[str, str]) -> dict:
    """The same questions of our own rendered jupyterhub_config.py, under our JupyterHub."""
    out = config_dir / "answers.json"
    command = [sys.executable, str(PROBE), "jupyterhub_config.py", str(out)]
    done = subprocess.run(
        command, input=json.dumps(questions), capture_output=True, text=True, cwd=config_dir, env={**os.environ, **env}
    )
    if done.returncode:
        raise AssertionError(f"our hub configuration failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""
