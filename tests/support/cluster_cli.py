"""The `communityhubs` command line run against the recording stand-ins of `recording_cluster`
(helm, kubectl and kind on PATH) that answer like a cluster holding an existing release: the
fixture the cluster-safety and day-two tests share."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from communityhubs import names
from communityhubs.spec import load_spec
from communityhubs.targets.chart import secret_files

from tests.support import recording_cluster

HUB = "demo-community"
CONTEXT = "their-cluster"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret_answer(values: dict[str, str]) -> str:
    return json.dumps({"kind": "Secret", "data": {key: b64(value) for key, value in values.items()}})


CLAIMS = json.dumps({"items": [{"metadata": {"name": n}} for n in ("claim-ada", "hub-db-dir", "chub-shared-data")]})
THEIR_SECRETS = {key: f"their-{key}-value" for key in secret_files(load_spec())}
EXISTING_RELEASE = [  # the release, the namespace and the hub's Secret exist already
    {"match": f"get secret {names.secrets_name(HUB)}", "stdout": secret_answer(THEIR_SECRETS)},
    {"match": "get secret hub ", "stdout": b64("the-chart-token")},
    {"match": "get pvc", "stdout": CLAIMS},
]
UPGRADE_FAILS = {"match": "helm upgrade", "rc": 1, "stderr": "Error: UPGRADE FAILED: context deadline exceeded\n"}
DELETING = ("uninstall", " delete ")
KEEP = "helm.sh/resource-policy=keep"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(run, rules): run(*args, rules=[...]) runs the command line against the stand-ins."""
    spec = tmp_path / "hub.yaml"
    data = load_spec().data
    spec.write_text(yaml.safe_dump({**data, "environment": {**data["environment"], "image": "registry.example/u:1"}}))
    port = str(free_port())
    for variable in (names.SHARED_PASSWORD_ENV, names.ADMIN_PASSWORD_ENV):  # a value given there would win
        monkeypatch.delenv(variable, raising=False)

    def run(*args: str, rules: list[dict]):
        bin_dir = recording_cluster.install(tmp_path, rules)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        given = ["--target", "kubernetes", "--spec", str(spec), "--state", str(tmp_path / "hubs")]
        if args[:2] == ("hub", "up"):
            given += ["--context", CONTEXT, "--port", port]
        # Ctrl-C as in a terminal: a job started in the background of a script inherits SIGINT
        # ignored, and Python then never raises KeyboardInterrupt, so it is restored to the default.
        done = subprocess.run(
            [sys.executable, "-m", "communityhubs", *args, *given],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 (no threads here)
        )
        return done, recording_cluster.commands(tmp_path)

    return run, tmp_path


def one_error_line(done) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]
