"""Recording stand-ins for `helm`, `kubectl` and `kind`: put on PATH, they write every command
line they are given to a log and answer like a cluster that a scenario describes, so a test can
assert exactly which commands the tool issued against a cluster holding someone's only copy.

A scenario is a list of rules, first match wins: {"match": "helm upgrade", "rc": 1, "stderr": "...",
"stdout": "...", "interrupt": true}. `match` is a substring of the command line (shlex-joined);
`interrupt` sends SIGINT to the calling process, as Ctrl-C in the terminal would, then waits.
`kubectl port-forward` serves JupyterHub's /hub/api/ answer on its local port, like a hub would.
Anything not matched succeeds with no output.
"""

from __future__ import annotations

import http.server
import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path

LOG = "commands.log"
APPLIED = "applied.jsonl"
SCENARIO = "scenario.json"


def install(folder: Path, rules: list[dict]) -> Path:
    """Write the three stand-ins into `folder`/bin and the scenario beside; returns the bin folder."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (folder / SCENARIO).write_text(json.dumps(rules))
    (folder / LOG).unlink(missing_ok=True)  # each install starts a new record
    (folder / APPLIED).unlink(missing_ok=True)
    for tool in ("helm", "kubectl", "kind"):
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\nexec {sys.executable} {Path(__file__).resolve()} {folder} {tool} "$@"\n')
        script.chmod(0o755)
    return bin_dir


def commands(folder: Path) -> list[str]:
    """Every command line the stand-ins were given, in order."""
    log = folder / LOG
    return log.read_text().splitlines() if log.is_file() else []


def _serve_hub_api(port: int) -> None:
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            body = json.dumps({"version": "5.5.0"}).encode()
            self.send_response(200 if self.path.startswith("/hub/api") else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    http.server.HTTPServer(("127.0.0.1", port), Answer).serve_forever()


def applied(folder: Path) -> list[dict]:
    """Every manifest given on stdin to `kubectl apply -f -`, in order."""
    log = folder / APPLIED
    return [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() else []


def main(folder: Path, tool: str, args: list[str]) -> int:
    line = shlex.join([tool, *args])
    with (folder / LOG).open("a") as log:
        log.write(line + "\n")
    if tool == "kubectl" and args[-3:] == ["apply", "-f", "-"]:
        given = sys.stdin.read()
        try:
            manifest = json.dumps(json.loads(given))
        except ValueError:  # YAML from `create --dry-run=client -o yaml`
            manifest = json.dumps({"yaml": given})
        with (folder / APPLIED).open("a") as log:
            log.write(manifest + "\n")
    for rule in json.loads((folder / SCENARIO).read_text()):
        if rule["match"] in line:
            if rule.get("interrupt"):
                os.kill(os.getppid(), signal.SIGINT)
                time.sleep(30)
            sys.stdout.write(rule.get("stdout", ""))
            sys.stderr.write(rule.get("stderr", ""))
            return int(rule.get("rc", 0))
    if tool == "kubectl" and "port-forward" in args:
        _serve_hub_api(int(args[-1].split(":")[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
