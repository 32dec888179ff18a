"""communityhubs: run, render and check community hubs from one spec.

  communityhubs hub up|status|down [--target T] [--spec F] [--state D] [--port P] [--context C] [--dry-run]
  communityhubs hub delete [--target T] [--spec F] [--state D] --confirm NAME   (deletes the hub's data)
  communityhubs render --target T [--spec F] [--out D]
  communityhubs export --out BUNDLE [--spec F] [--state D] [--target T]
  communityhubs export --out BUNDLE --spec F --url URL --token-env VAR [--start-servers]
  communityhubs import BUNDLE [--target T] [--state D] [--port P]
  communityhubs import BUNDLE --url URL --token-env VAR [--start-servers]
  communityhubs verify BUNDLE
  communityhubs import-config VALUES.yaml [VALUES.yaml ...] --out hub.yaml [--name N] [--image-map FROM=TO ...]
  communityhubs import-config /opt/tljh/config/config.yaml --out hub.yaml   (The Littlest JupyterHub)
  communityhubs revoke NAME (--url URL --token-env VAR | [--spec F] [--state D] [--target T]) [--admin-only]
  communityhubs audit (--url URL --token-env VAR | [--spec F] [--state D] [--target T]) [--spec F]
  communityhubs check SPEC...
  communityhubs image base|build|ensure

Prints where the secrets are stored, never the secrets themselves.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import names
from .audit import audit
from .audit import table as audit_table
from .client import HubClient
from .errors import CommunityHubsError, ImportConfigError
from .hub import Hub, HubError
from .images import (
    DEBIAN_BASE,
    USER_IMAGE,
    ImageError,
    build_debian_base,
    build_user_image,
    ensure_images,
    image_size_mb,
    push_image,
)
from .import_config import import_config, spec_text, write_spec
from .replicate.bundle import describe_bundle, open_bundle
from .replicate.export import export_hub
from .replicate.remote import RemoteHub
from .replicate.restore import import_bundle, import_bundle_by_url
from .revoke import revoke
from .spec import EXAMPLE_SPEC, HubSpec, load_spec
from .targets import NAMES, target_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="communityhubs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    hub = sub.add_parser("hub", help="run a local hub")
    hub.add_argument(
        "action",
        choices=["up", "status", "down", "delete", "backup", "restore"],
        help="down stops the hub and keeps its data; delete also deletes the data (homes, shared data, database); "
        "kubernetes: backup copies the database and every claim into --folder, restore makes missing ones again",
    )
    hub.add_argument("--spec", default=str(EXAMPLE_SPEC), help="hub spec file (default: %(default)s)")
    hub.add_argument("--state", default=names.STATE_ROOT, help="state directory root (default: %(default)s)")
    hub.add_argument(
        "--port", type=int, default=names.PUBLIC_PORT, help="public port on 127.0.0.1 (default: %(default)s)"
    )
    hub.add_argument("--target", choices=NAMES, help="where the hub runs (default: the spec's target, else local)")
    hub.add_argument("--context", help="kubernetes: use this kube context instead of creating a kind cluster")
    hub.add_argument(
        "--dry-run", action="store_true", help="kubernetes: print every file and command `up` would write and run"
    )
    hub.add_argument("--confirm", metavar="NAME", help="delete: the hub's name, typed back")
    hub.add_argument("--folder", type=Path, help="backup: a new folder to write; restore: a backup's folder")
    hub.add_argument(
        "--replace-database",
        action="store_true",
        help="restore: replace the hub's database with the backup's (the one there is kept beside it, dated)",
    )
    render = sub.add_parser("render", help="write a target's native configuration (jupyterhub_config.py, values.yaml)")
    render.add_argument("--target", choices=NAMES, help="default: the spec's target, else local")
    render.add_argument("--spec", default=str(EXAMPLE_SPEC), help="hub spec file (default: %(default)s)")
    render.add_argument("--out", type=Path, help="folder to write into (default: print to stdout)")
    export = sub.add_parser("export", help="write a running hub's users, groups, data and recipes to one bundle")
    export.add_argument("--out", type=Path, required=True, help="bundle file to write (a tar archive)")
    export.add_argument("--spec", default=str(EXAMPLE_SPEC), help="hub spec file (default: %(default)s)")
    export.add_argument("--state", default=names.STATE_ROOT, help="state directory root (default: %(default)s)")
    export.add_argument("--target", choices=NAMES, help="where the hub runs (default: the spec's target, else local)")
    export.add_argument("--url", help="a running hub this tool did not start, read with an admin token (give --spec)")
    export.add_argument("--token-env", help="with --url: the environment variable that holds the admin token")
    export.add_argument(
        "--start-servers", action="store_true", help="with --url: start stopped servers to read their homes"
    )
    restore = sub.add_parser("import", help="rebuild a hub from a bundle, on any target")
    restore.add_argument("bundle", type=Path)
    restore.add_argument("--target", choices=NAMES, help="where to rebuild it (default: where it came from)")
    restore.add_argument("--state", default=names.STATE_ROOT, help="state directory root (default: %(default)s)")
    restore.add_argument(
        "--port", type=int, default=names.PUBLIC_PORT, help="public port if the hub is started (default: %(default)s)"
    )
    restore.add_argument("--url", help="a running hub this tool did not start (such as a TLJH server), written to")
    restore.add_argument("--token-env", help="with --url: the environment variable that holds an admin token")
    restore.add_argument(
        "--start-servers", action="store_true", help="with --url: start stopped servers to write their homes"
    )
    config = sub.add_parser(
        "import-config",
        help="a hub spec from a provider's Helm values files (Zero to JupyterHub, 2i2c basehub/daskhub) "
        "or The Littlest JupyterHub's config.yaml",
    )
    config.add_argument(
        "values", nargs="+", type=Path, help="values files, merged in order as helm does (or one TLJH config.yaml)"
    )
    config.add_argument("--out", type=Path, required=True, help="the hub spec to write")
    config.add_argument("--name", help="the hub's name (default: from the last file's name)")
    config.add_argument("--target", choices=NAMES, help="write this target into the spec")
    config.add_argument(
        "--image-map", action="append", default=[], metavar="FROM=TO", help="run image TO where the values name FROM"
    )
    config.add_argument("--default-image", help="run this image wherever --image-map names none")
    config.add_argument("--callback-url", help="the new hub's OAuth callback URL")
    config.add_argument("--client-id", help="the new hub's OAuth client id")
    verify = sub.add_parser("verify", help="check every byte of a bundle and say what it holds")
    verify.add_argument("bundle", type=Path)
    image = sub.add_parser("image", help="build the user images; push one to a registry a cluster pulls from")
    image.add_argument(
        "action",
        choices=["base", "build", "ensure", "push"],
        help="base: a Debian base image from Debian packages; build: the user image; "
        "ensure: both, the base only if missing and --base-image is not given (no-op without Docker); "
        "push REGISTRY: the user image (or --tag) under its immutable tag, to REGISTRY",
    )
    image.add_argument("registry", nargs="?", help="for push: host[:port][/path] of a registry the cluster reads")
    image.add_argument("--base-image", help="base image for the user image (default: the Dockerfile's)")
    image.add_argument(
        "--ca-cert",
        action="append",
        default=[],
        type=Path,
        help="extra CA certificate to trust in the build (repeatable)",
    )
    image.add_argument("--tag", help="image tag")
    revoke = sub.add_parser(
        "revoke", help="end one person's access on a running hub: servers, tokens, groups, sessions"
    )
    revoke.add_argument("name", help="the person's user name on the hub")
    revoke.add_argument("--admin-only", action="store_true", help="take admin rights away and leave the person a user")
    audit = sub.add_parser("audit", help="a read-only report of a running hub's admins, tokens, roles and servers")
    for command in (revoke, audit):
        command.add_argument("--url", help="a running hub, reached with the token in --token-env")
        command.add_argument("--token-env", help="with --url: the environment variable that holds the token")
        command.add_argument("--spec", default=str(EXAMPLE_SPEC), help="the hub's spec (default: %(default)s)")
        command.add_argument(
            "--state", default=names.STATE_ROOT, help="without --url: the state root of a hub `hub up` started"
        )
        command.add_argument("--target", choices=NAMES, help="without --url: where that hub runs")
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
        if args.command in ("revoke", "audit"):
            return run_access(args)
        if args.command == "export":
            spec = load_spec(args.spec)
            hub = (
                remote_hub(args, spec)
                if args.url
                else Hub(spec, check_state(Path(args.state)) / spec.name, target=args.target)
            )
            print(export_hub(hub, args.out))
            return 0
        if args.command == "import":
            if args.url:
                url, token = url_and_token(args)
                print(import_bundle_by_url(args.bundle, url, token, start_servers=args.start_servers))
                return 0
            check_port(args.port)
            print(import_bundle(args.bundle, args.target, check_state(Path(args.state)), args.port))
            return 0
        if args.command == "import-config":
            return run_import_config(args)
        if args.command == "verify":
            print(describe_bundle(open_bundle(args.bundle)))
            return 0
        if args.command == "render":
            return run_render(Path(args.spec), args.target, args.out)
        if args.action in ("backup", "restore"):
            return run_day_two(args)
        if args.dry_run:
            return run_dry(args)
        if args.action == "delete":
            return run_delete(Path(args.spec), Path(args.state), args.target, args.context, args.confirm)
        return run_hub(args.action, Path(args.spec), Path(args.state), args.port, args.target, args.context)
    except CommunityHubsError as err:  # every refusal we anticipated: one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 1


def running_hub(args: argparse.Namespace) -> tuple[HubClient, HubSpec | None]:
    """The hub `revoke` and `audit` talk to: --url with a token from the environment, or a hub
    this tool started from --spec and --state. The spec is the hub's own, or None with --url
    unless --spec was given."""
    if args.url:
        url, token = url_and_token(args)
        given = args.spec != str(EXAMPLE_SPEC)
        return HubClient(url, token), load_spec(args.spec) if given else None
    spec = load_spec(args.spec)
    info = Hub(spec, check_state(Path(args.state)) / spec.name, target=args.target).info()
    if info is None:
        raise HubError(f"{args.command}: hub {spec.name} is not running from {args.state}; give --url and --token-env")
    return HubClient(info.url, info.admin_token()), spec


def run_access(args: argparse.Namespace) -> int:
    client, spec = running_hub(args)
    if args.command == "revoke":
        sys.stdout.write(revoke(client, args.name, admin_only=args.admin_only).text())
        return 0
    sys.stdout.write(audit_table(audit(client, spec)))
    return 0


def run_import_config(args: argparse.Namespace) -> int:
    """Everything is read and checked before the spec is written, in one piece."""
    image_map = {}
    for pair in args.image_map:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            raise ImportConfigError(f"--image-map {pair!r}: expected FROM=TO, such as quay.io/org/image:tag=my/image:1")
        image_map[source] = target
    data, report = import_config(
        args.values,
        name=args.name,
        image_map=image_map,
        default_image=args.default_image,
        callback_url=args.callback_url,
        client_id=args.client_id,
        target=args.target,
    )
    write_spec(args.out, spec_text(data, report, args.values))
    sys.stdout.write(report.table())
    print(f"wrote {args.out} (hub {data['name']}); check it with `communityhubs check {args.out}`")
    return 0


def run_image(args: argparse.Namespace) -> int:
    if args.action == "ensure":
        problem = ensure_images(args.base_image, args.ca_cert)
        print(f"docker images not built: {problem}" if problem else f"docker images ready: {USER_IMAGE}")
        return 0
    if args.action == "push":
        if not args.registry:
            raise ImageError("image push: name the registry, such as `communityhubs image push quay.io/your-org`")
        pushed, digest = push_image(args.tag or USER_IMAGE, args.registry)
        print(f"pushed {pushed} ({digest or 'digest not reported'})")
        print(f"name it in the hub's spec: environment.image: {pushed}")
        return 0
    if args.action == "base":
        tag = args.tag or DEBIAN_BASE
        seconds = build_debian_base(tag)
    else:
        tag = args.tag or USER_IMAGE
        seconds = build_user_image(tag, base_image=args.base_image, ca_certs=args.ca_cert)
    print(f"built {tag} in {seconds:.0f} s ({image_size_mb(tag):.0f} MB)")
    return 0


def run_render(spec_path: Path, target: str | None, out: Path | None) -> int:
    spec = load_spec(spec_path)
    files = target_for(spec, target).render(spec)  # everything is rendered before anything is written
    for name, text in files.items():
        if out is None:
            sys.stdout.write(text)
            continue
        (out / name).parent.mkdir(parents=True, exist_ok=True)  # tljh's jupyterhub_config.d/ file
        (out / name).write_text(text)
        print(f"wrote {out / name}")
    return 0


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise HubError(f"--port: {port} is not a port number (1-65535)")


def url_and_token(args: argparse.Namespace) -> tuple[str, str]:
    """`export|import --url URL --token-env VAR`: the token comes from the environment, never the command line."""
    command = f"{args.command} --url"
    if not args.token_env:
        raise HubError(f"{command}: give --token-env VAR, the environment variable that holds the hub's token")
    token = os.environ.get(args.token_env, "").strip()
    if not token:
        raise HubError(f"{command}: ${args.token_env} is empty or not set; put an admin token in it")
    if not args.url.startswith(("http://", "https://")):
        raise HubError(f"{command}: {args.url!r} is not an http:// or https:// address")
    return args.url, token


def remote_hub(args: argparse.Namespace, spec: HubSpec) -> RemoteHub:
    url, token = url_and_token(args)
    return RemoteHub(spec, target_for(spec, args.target), url, token, start_servers=args.start_servers)


def check_state(root: Path) -> Path:
    if root.exists() and not root.is_dir():
        raise HubError(f"--state {root}: is a file; give a folder for hubs' state")
    return root


def run_dry(args: argparse.Namespace) -> int:
    """`hub up --target kubernetes --dry-run`: the plan `up` would carry out, with nothing done."""
    check_port(args.port)
    spec = load_spec(args.spec)
    if args.action != "up":
        raise HubError("--dry-run: only `hub up` has a plan to print (see `communityhubs render`)")
    options = {"context": args.context} if args.context else {}
    hub = Hub(spec, check_state(Path(args.state)) / spec.name, port=args.port, target=args.target, **options)
    sys.stdout.write(hub.plan().text())
    return 0


def run_day_two(args: argparse.Namespace) -> int:
    """`hub backup|restore --folder DIR [--dry-run]` on a hub `hub up` started on a cluster."""
    if not args.folder:
        raise HubError(f"hub {args.action}: name the backup's folder with --folder")
    spec = load_spec(args.spec)
    options = {"context": args.context} if args.context else {}
    hub = Hub(spec, check_state(Path(args.state)) / spec.name, target=args.target, **options)
    for line in hub.day_two(args.action, args.folder, dry_run=args.dry_run, replace_database=args.replace_database):
        print(line if args.dry_run else f"{args.action}: {line}")
    return 0


def run_hub(
    action: str, spec_path: Path, state_root: Path, port: int, target: str | None = None, context: str | None = None
) -> int:
    check_port(port)
    spec = load_spec(spec_path)
    options = {"context": context} if context else {}  # a kube context: only the kubernetes target takes one
    hub = Hub(spec, check_state(state_root) / spec.name, port=port, target=target, **options)
    if action == "up":
        info = hub.up()
        print(f"hub {spec.name} is running at {info.url}/ (pid {info.pid}, {info.proxy} proxy)")
        print(f"admin token:     {info.token_file} (send it as 'Authorization: token ...')")
        if info.password_file.exists():
            print(f"shared password: {info.password_file}")
        print(f"log:             {hub.log_file}")
        if hub.isolation():
            print(hub.isolation())
        return 0
    if action == "status":
        info = hub.info()
        if info is None:
            print(f"hub {spec.name} is not running")
            left = hub.leftovers()
            if left:
                print(f"{left}: `hub up` takes the user servers over, `hub down` stops them")
            return 3
        client = HubClient(info.url, info.admin_token())
        users = client.users()
        running = sum(1 for u in users if u["servers"])
        print(f"hub {spec.name} is running at {info.url}/ (pid {info.pid}, JupyterHub {client.version()})")
        print(f"users: {len(users)}, servers running: {running}")
        return 0
    stopped = hub.down()
    print(f"hub {spec.name} stopped" if stopped else f"hub {spec.name} was not running")
    if hub.doomed():
        print(f"its data is kept: `communityhubs hub delete --confirm {spec.name}` lists and deletes it")
    return 0


def run_delete(spec_path: Path, state_root: Path, target: str | None, context: str | None, confirm: str | None) -> int:
    """Deleting data is its own command: it lists what goes and needs the hub's name typed back."""
    spec = load_spec(spec_path)
    options = {"context": context} if context else {}
    hub = Hub(spec, check_state(state_root) / spec.name, target=target, **options)
    doomed = hub.doomed()
    if not doomed:
        print(f"hub {spec.name} has no data here to delete")
        return 0
    print(f"hub {spec.name}: `delete` stops it and deletes, for good:")
    for line in doomed:
        print(f"  {line}")
    if confirm is None and sys.stdin.isatty():
        confirm = input(f"type the hub's name ({spec.name}) to delete all of this: ").strip()
    if confirm != spec.name:
        given = "no --confirm" if confirm is None else f"--confirm {confirm!r}"
        raise HubError(f"{given}: give --confirm {spec.name}, the hub's name, to delete this; nothing was deleted")
    hub.down()
    hub.forget()
    print(f"hub {spec.name}: deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
