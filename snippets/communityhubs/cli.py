"""`communityhubs hub up|status|down`: run a local hub from a spec.

Prints where the secrets are stored, never the secrets themselves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .client import HubClient
from .local_hub import HubError, LocalHub
from .proxy import ProxyNotFound
from .spec import EXAMPLE_SPEC, SpecError, load_spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="communityhubs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    hub = sub.add_parser("hub", help="run a local hub")
    hub.add_argument("action", choices=["up", "status", "down"])
    hub.add_argument("--spec", default=str(EXAMPLE_SPEC), help="hub spec file (default: %(default)s)")
    hub.add_argument("--state", default=".hub", help="state directory root (default: %(default)s)")
    hub.add_argument("--port", type=int, default=8000, help="public port on 127.0.0.1 (default: %(default)s)")
    check = sub.add_parser("check", help="validate a hub spec")
    check.add_argument("spec", nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            for path in args.spec:
                print(f"{path}: ok ({load_spec(path).name})")
            return 0
        return run_hub(args.action, Path(args.spec), Path(args.state), args.port)
    except (SpecError, HubError, ProxyNotFound) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def run_hub(action: str, spec_path: Path, state_root: Path, port: int) -> int:
    spec = load_spec(spec_path)
    hub = LocalHub(spec, state_root / spec.name, port=port)
    if action == "up":
        info = hub.up()
        print(f"hub {spec.name} is running at {info.url}/ (pid {info.pid}, {info.proxy} proxy)")
        print(f"admin token:     {info.token_file} (send it as 'Authorization: token ...')")
        if info.password_file.exists():
            print(f"shared password: {info.password_file}")
        print(f"log:             {hub.log_file}")
        return 0
    if action == "status":
        info = hub.info()
        if info is None:
            print(f"hub {spec.name} is not running")
            return 3
        client = HubClient(info.url, info.admin_token())
        users = client.users()
        running = sum(1 for u in users if u["servers"])
        print(f"hub {spec.name} is running at {info.url}/ (pid {info.pid}, JupyterHub {client.version()})")
        print(f"users: {len(users)}, servers running: {running}")
        return 0
    stopped = hub.down()
    print(f"hub {spec.name} stopped" if stopped else f"hub {spec.name} was not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
