"""`communityhubs hub up|status|down`: run a local hub from a spec.

Prints where the secrets are stored, never the secrets themselves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .client import HubClient
from .images import (
    DEBIAN_BASE,
    USER_IMAGE,
    ImageError,
    build_debian_base,
    build_user_image,
    ensure_images,
    image_size_mb,
)
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
    hub.add_argument(
        "--target", choices=["local", "docker"], help="where user servers run (default: the spec's target, else local)"
    )
    image = sub.add_parser("image", help="build the docker target's images")
    image.add_argument(
        "action",
        choices=["base", "build", "ensure"],
        help="base: a Debian base image from Debian packages; build: the user image; "
        "ensure: both, the base only if missing and --base-image is not given (no-op without Docker)",
    )
    image.add_argument("--base-image", help="base image for the user image (default: the Dockerfile's)")
    image.add_argument(
        "--ca-cert",
        action="append",
        default=[],
        type=Path,
        help="extra CA certificate to trust in the build (repeatable)",
    )
    image.add_argument("--tag", help="image tag")
    check = sub.add_parser("check", help="validate a hub spec")
    check.add_argument("spec", nargs="+")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            for path in args.spec:
                print(f"{path}: ok ({load_spec(path).name})")
            return 0
        if args.command == "image":
            return run_image(args)
        return run_hub(args.action, Path(args.spec), Path(args.state), args.port, args.target)
    except (SpecError, HubError, ProxyNotFound, ImageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def run_image(args: argparse.Namespace) -> int:
    if args.action == "ensure":
        problem = ensure_images(args.base_image, args.ca_cert)
        print(f"docker images not built: {problem}" if problem else f"docker images ready: {USER_IMAGE}")
        return 0
    if args.action == "base":
        tag = args.tag or DEBIAN_BASE
        seconds = build_debian_base(tag)
    else:
        tag = args.tag or USER_IMAGE
        seconds = build_user_image(tag, base_image=args.base_image, ca_certs=args.ca_cert)
    print(f"built {tag} in {seconds:.0f} s ({image_size_mb(tag):.0f} MB)")
    return 0


def run_hub(action: str, spec_path: Path, state_root: Path, port: int, target: str | None = None) -> int:
    spec = load_spec(spec_path)
    hub = LocalHub(spec, state_root / spec.name, port=port, target=target)
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
