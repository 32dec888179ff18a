"""The tljh target: The Littlest JupyterHub (TLJH) on a server of its own.

A TLJH admin configures the hub with `sudo tljh-config set|add-item KEY VALUE`, which
edits /opt/tljh/config/config.yaml, and `sudo tljh-config reload`; what config.yaml has
no key for goes in a Python file under /opt/tljh/config/jupyterhub_config.d/, which
TLJH's hub loads after it. From a spec this target renders all three:

- `tljh-config.sh`: the commands, in order, ending with the reloads;
- `config.yaml`: the file those commands leave behind;
- `jupyterhub_config.d/communityhubs.py`: only what `tljh-config` cannot say;
- `user-environment.sh`, for a spec with languages or shared folders: what the server itself
  needs beside TLJH's configuration (sections/languages.py, sections/shared_folders.py).

TLJH itself cannot run on this machine (it needs systemd and an installer that downloads
from GitHub), so `hub up` refuses it; the tests prove the files with TLJH's own
`tljh-config` and configurer (tests/support/tljh_hub.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .. import mapping, names
from ..formats.python_lines import py
from ..formats.tljh_commands import Command, Part, reloads, table_commands
from ..hubprocess import DEFAULT_PORTS, HubInfo, Ports
from ..sections import culling, front_door, kernels, languages, login, pulling, refuse, shared_folders, storage
from ..sections.login import login_secrets
from ..spec import HubSpec
from ..traits import ADMIN_SERVICE, allowed_users, group_overrides, load_groups, load_roles
from .base import Runner, Target, TargetUnavailable, UserEnvironment

TLJH_VERSION = "2.0.0"
PREFIX = "/opt/tljh"
"""Where TLJH's installer puts everything (TLJH_INSTALL_PREFIX)."""
CONFIG_DIR = f"{PREFIX}/config"
SECRETS_DIR = f"{PREFIX}/state/communityhubs"
"""Our secret files on the server: in TLJH's state folder, readable by root (the hub's account) only."""
COMMANDS_FILE = "tljh-config.sh"
CONFIG_FILE = "config.yaml"
EXTRA_FILE = "jupyterhub_config.d/communityhubs.py"
USER_ENVIRONMENT_FILE = "user-environment.sh"
USER_PREFIX = f"{PREFIX}/user"
"""TLJH's user environment (its USER_ENV_PREFIX): the Python and Jupyter every user's server runs from."""
INSTALL_DOCS = "https://tljh.jupyter.org/en/latest/install/index.html"


def admins(spec: HubSpec) -> Part:
    return Part("admins").say("users.admin", "Authenticator.admin_users", sorted(spec.admins))


def allowed(spec: HubSpec) -> Part:
    return Part("allowed_users").say("users.allowed", "Authenticator.allowed_users", allowed_users(spec))


def groups(spec: HubSpec) -> Part:
    # TLJH's users.extra_user_groups are Unix groups; JupyterHub's groups have no key in config.yaml.
    part = Part("groups")
    if load_groups(spec):
        part.code(f"c.JupyterHub.load_groups = {py(load_groups(spec))}", "created or updated at every start")
    overrides = group_overrides(spec)
    if overrides:
        part.code(f"c.Spawner.group_overrides = {py(overrides)}", "members of these groups get these limits instead")
    return part


def roles(spec: HubSpec) -> Part:
    found = load_roles(spec)
    return Part("roles").code(f"c.JupyterHub.load_roles = {py(found)}") if found else Part("roles")


def environment(spec: HubSpec) -> Part:
    env = spec.section("environment")
    for key in ("image", "profiles"):
        if key in env:
            why = "servers run in TLJH's one user environment (/opt/tljh/user: `sudo -E pip install` adds to it)"
            raise refuse(spec, f"environment.{key}", "tljh", why)
    part = Part("environment")
    url = spec.settings["environment.default_url"]
    if url in mapping.TLJH_DEFAULT_APPS:
        part.say("user_environment.default_app", "Spawner.default_url", mapping.TLJH_DEFAULT_APPS[url])
    else:
        part.extra.set("Spawner.default_url", url)
    if spec.settings["environment.env"]:
        part.extra.set("Spawner.environment", spec.settings["environment.env"])
    return pulling.tljh(spec, part)


def limits(spec: HubSpec) -> Part:
    for row, _ in mapping.settings(spec, "limits"):  # a value the spec (or its schema) sets
        if row.key in REFUSED:
            raise refuse(spec, row.key, "tljh", REFUSED[row.key])
    return table_commands(Part("limits"), spec)


# What `user-environment.sh` does for a spec key, in this order: the server itself, not TLJH's configuration.
ON_THE_SERVER: dict[str, Callable[[HubSpec], list[str]]] = {
    "environment": lambda spec: languages.tljh_lines(spec, USER_PREFIX),
    "shared_data": shared_folders.tljh_lines,
}


def user_environment_lines(spec: HubSpec, key: str) -> list[str]:
    return ON_THE_SERVER[key](spec) if key in ON_THE_SERVER else []


def admin_service(spec: HubSpec) -> Part:
    return Part("", "the admins' own API token").code(
        f"c.JupyterHub.services.append({{'name': {ADMIN_SERVICE!r}, "
        f"'api_token': read_secret({names.ADMIN_TOKEN_FILE!r}), 'admin': True}})",
        "a service whose token scripts and the guides use (send it as 'Authorization: token ...')",
    )


REFUSED = {
    "limits.mem_guarantee": "TLJH's SystemdSpawner sets limits only (MemoryMax, CPUQuota), never guarantees",
    "limits.cpu_guarantee": "TLJH's SystemdSpawner sets limits only (MemoryMax, CPUQuota), never guarantees",
}
BY_KEY: dict[str, Callable[[HubSpec], Part]] = {
    "https": front_door.https_tljh,
    "public_address": front_door.address_tljh,
    "authenticator": login.tljh,
    "admins": admins,
    "allowed_users": allowed,
    "groups": groups,
    "roles": roles,
    "environment": environment,
    "limits": limits,
    "culling": culling.tljh,
    "kernels": kernels.tljh,
    "shared_data": lambda spec: Part("shared_data"),  # user-environment.sh makes the folders
    "storage": storage.tljh,
}


HEADER = """\
# The hub "{name}" on The Littlest JupyterHub {version}, rendered from {source}
# by `communityhubs render --target tljh`. Run it on the hub's server after TLJH's
# installer (run without --admin: these commands name the admins), and again after
# every change to the spec: each run leaves exactly the config.yaml rendered beside it.
set -e  # the first command that fails stops the script, and the hub keeps its old configuration
"""
SECRETS_HEADER = """\
# Secrets are never in config.yaml: they live in files only root can read, which
# jupyterhub_config.d/communityhubs.py reads when the hub starts. Each is made only
# where it is missing, so running this again keeps every password and token.
sudo install -d -m 0700 {dir}
"""
NEW_SECRET = (
    "sudo sh -c 'umask 077; test -s {dir}/{file} || "
    'python3 -c "import secrets; print(secrets.token_hex({nbytes}))" > {dir}/{file}\''
)
NEW_CONFIG = f"{CONFIG_DIR}/config.yaml.new"
FRESH_CONFIG = """\
# The new config.yaml, made beside the old one from what TLJH's installer leaves ({{}}),
# so whatever an earlier run set and this spec no longer says goes back to TLJH's default.
sudo sh -c 'echo "{{}}" > {new}'
"""
REPLACE_CONFIG = """
# Then it takes the old one's place; the old one is kept beside it, dated.
sudo cp -p {dir}/config.yaml "{dir}/config.yaml.before-$(date +%Y%m%d-%H%M%S)"
sudo mv {new} {dir}/config.yaml
"""
ENV_SECRET = "printf '%s' \"${env}\" | sudo sh -c 'umask 077; cat > {dir}/{file}'   # {what}, from ${env}"
USER_ENVIRONMENT_HEADER = """\
# What the hub "{name}" on The Littlest JupyterHub {version} needs of its server beside
# TLJH's configuration, rendered from {source} by `communityhubs render --target tljh`.
# Run it on the hub's server after tljh-config.sh, and again after every change to the
# spec: `bash user-environment.sh`. It adds and corrects; it removes nothing.
set -e
"""
EXTRA_HEADER = '''\
# {path}/{extra}
# for the hub "{name}": what TLJH's config.yaml has no key for.
# TLJH's hub loads it after config.yaml (`sudo tljh-config reload`).
from pathlib import Path

from tljh.config import STATE_DIR

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


def read_secret(name):
    """A secret kept in {secrets}/NAME, readable by root only."""
    return (Path(STATE_DIR) / "communityhubs" / name).read_text().strip()
'''


class TljhTarget(Target):
    name = "tljh"
    native_file = CONFIG_FILE

    def parts(self, spec: HubSpec) -> list[Part]:
        """Every spec key's commands and Python lines, in order; refuses what TLJH cannot say."""
        return [*(fn(spec) for fn in BY_KEY.values()), admin_service(spec)]

    def config(self, commands: list[Command]) -> dict[str, Any]:
        """The config.yaml the commands leave: each `set` puts a value, each `add-item` appends one."""
        config: dict[str, Any] = {}
        for command in commands:
            *path, leaf = command.key.split(".")
            node = config
            for part in path:
                node = node.setdefault(part, {})
            if command.action == "set":
                node[leaf] = command.value
            else:
                node.setdefault(leaf, []).append(command.value)
        return config

    def secret_commands(self, spec: HubSpec) -> str:
        """The commands that make each secret file the Python file reads, where it is missing."""
        lines = [SECRETS_HEADER.format(dir=SECRETS_DIR)]
        for secret in login_secrets(spec):
            lines.append(NEW_SECRET.format(nbytes=secret.nbytes, dir=SECRETS_DIR, file=secret.file) + "\n")
        lines.append(NEW_SECRET.format(nbytes=32, dir=SECRETS_DIR, file=names.ADMIN_TOKEN_FILE) + "\n")
        env = spec.data["authenticator"].get("client_secret_env")
        if env:  # printf is the shell's own: the secret never shows in the list of processes
            what = "the OAuth client secret"
            lines.append(ENV_SECRET.format(env=env, dir=SECRETS_DIR, file=names.OAUTH_SECRET_FILE, what=what) + "\n")
        return "".join(lines)

    def python_header(self, spec: HubSpec) -> str:
        """The top of the Python file: where it goes, and the `read_secret` its lines call."""
        return EXTRA_HEADER.format(path=CONFIG_DIR, extra=EXTRA_FILE, name=spec.name, secrets=SECRETS_DIR)

    def script(self, spec: HubSpec, commands: list[Command]) -> str:
        lines = [HEADER.format(name=spec.name, version=TLJH_VERSION, source=spec.source_name)]
        lines.append("\n" + self.secret_commands(spec))
        lines.append("\n" + FRESH_CONFIG.format(new=NEW_CONFIG))
        lines.append("".join(c.line(NEW_CONFIG) + "\n" for c in commands))
        lines.append(REPLACE_CONFIG.format(dir=CONFIG_DIR, new=NEW_CONFIG))
        lines.append("\n# The Python file, from the folder this script was rendered into, then the reloads.\n")
        lines.append(f"sudo install -m 0644 {EXTRA_FILE} {CONFIG_DIR}/jupyterhub_config.d/\n")
        lines.append("".join(f"{line}\n" for line in reloads(commands)))
        if self.user_environment(spec):
            lines.append(f"\n# Then what the server itself needs, from the same folder: bash {USER_ENVIRONMENT_FILE}\n")
        return "".join(lines)

    def extra_file(self, spec: HubSpec, parts: list[Part]) -> str:
        header = self.python_header(spec)
        body = [part.extra.text() for part in parts if part.extra.lines]
        return "\n\n".join([header, *body]) + "\n"

    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        parts = self.parts(spec)
        commands = [command for part in parts for command in part.commands]
        config = yaml.safe_dump(self.config(commands), sort_keys=False, default_flow_style=False)
        files = {
            COMMANDS_FILE: self.script(spec, commands),
            CONFIG_FILE: config,
            EXTRA_FILE: self.extra_file(spec, parts),
        }
        user_environment = self.user_environment(spec)
        return files | ({USER_ENVIRONMENT_FILE: user_environment} if user_environment else {})

    def user_environment(self, spec: HubSpec) -> str:
        """`user-environment.sh`, or '' when the spec asks nothing of the server itself."""
        lines = [line for lines_of in ON_THE_SERVER.values() for line in lines_of(spec)]
        if not lines:
            return ""
        header = USER_ENVIRONMENT_HEADER.format(name=spec.name, version=TLJH_VERSION, source=spec.source_name)
        return header + "".join(f"{line}\n" for line in lines)

    def excerpt(self, spec: HubSpec, keys: list[str]) -> str:
        parts = [part for key in keys for part in self.parts(spec) if part.key == key]
        lines = [line for part in parts for line in [c.line() for c in part.commands] + part.extra.lines]
        for key in keys:  # and what user-environment.sh does for them
            lines += [line for line in user_environment_lines(spec, key) if line]
        return "\n".join(lines)

    def digest(self, spec: HubSpec) -> str:
        """Names the exact files a spec renders to: what docs/proofs/tljh.json says was proved."""
        files = self.render(spec)
        proved = files[COMMANDS_FILE] + files[EXTRA_FILE] + files.get(USER_ENVIRONMENT_FILE, "")
        return hashlib.sha256(proved.encode()).hexdigest()[:16]

    def unavailable(self) -> str:
        return (
            "TLJH runs on a server of its own under systemd, set up by its installer "
            f"({INSTALL_DOCS}); `communityhubs render --target tljh` writes what to run there"
        )

    def runner(self, spec: HubSpec, state_dir: Path, port: int | None = None, **options: Any) -> TljhRunner:
        return TljhRunner(self, spec, state_dir, port)


class TljhRunner(Runner):
    """TLJH's hub runs on its own server, not from here: every step is refused in one line by
    `check` (`up`), and there is no hub here to read."""

    def start(self) -> HubInfo:
        raise TargetUnavailable(f"the tljh target cannot run here: {self.target.unavailable()}")

    def info(self) -> HubInfo | None:
        return None

    def down(self) -> bool:
        return False

    def read_home(self, user: str) -> bytes:
        raise self.not_here()

    def write_home(self, user: str, archive: bytes) -> None:
        raise self.not_here()

    def environments(self) -> list[UserEnvironment]:
        raise self.not_here()

    def not_here(self) -> TargetUnavailable:
        return TargetUnavailable(
            f"hub {self.spec.name} runs on a TLJH server, not here: use `communityhubs export --url` against it"
        )
