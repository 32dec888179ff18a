"""Render a hub spec as the jupyterhub_config.py an admin would keep.

One small function per spec section (the shape of The Littlest JupyterHub's
configurer); each returns a `Section` of commented Python lines tagged with
the spec key it comes from, so a guide can show just the lines for one key.
The local and docker targets add their spawner section and refuse what they
cannot do. Secrets are never written: the file reads them at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .. import names
from ..formats.python_lines import Section, py, table_lines
from ..hubprocess import HOST, Ports
from ..sections import culling, front_door, kernels, login, storage
from ..spec import HubSpec
from ..traits import ADMIN_SERVICE, allowed_users, group_overrides, load_groups, load_roles

HEADER = """\
# jupyterhub_config.py for the hub "{name}" ({target} target).
# Rendered from {source} by `communityhubs render --target {target}`.
# Start it from the folder that holds its state: `jupyterhub -f jupyterhub_config.py`.
# Secrets are not in this file: they are read at start-up from files beside the
# database (mode 0600) or from environment variables.
{imports}from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config)


{read_secret}"""
READ_SECRET = '''\
def read_secret(name):
    """A secret kept in the file `name` in the hub's folder, readable only by the hub."""
    return Path(name).read_text().strip()
'''


def imports_used(lines: str) -> list[str]:
    """The imports of the standard library modules that `lines` use (only those: the file and each
    excerpt a page shows import what they use)."""
    return [f"import {m}" for m in ("os", "subprocess", "sys") if re.search(rf"\b{m}\.", lines)]


def hub_section(ports: Ports, hub_network: str | None = None) -> Section:
    """Where the hub listens. With `hub_network` (a Docker network's name), the hub's API
    listens on that network's gateway, the one address of this machine its containers reach."""
    if hub_network is None:
        s = Section("", "where the hub listens: 127.0.0.1 only")
        s.set("JupyterHub.bind_url", f"http://{HOST}:{ports.public}", "the public address (the proxy)")
        s.set("JupyterHub.hub_bind_url", f"http://{HOST}:{ports.hub}", "the hub's own API, for the proxy and servers")
    else:
        s = Section("", f"where the hub listens: 127.0.0.1, and its Docker network {hub_network!r}")
        s.set("JupyterHub.bind_url", f"http://{HOST}:{ports.public}", "the public address (the proxy)")
        inspect = ["docker", "network", "inspect", "--format", "{{(index .IPAM.Config 0).Gateway}}", hub_network]
        s.code(
            f"gateway = subprocess.check_output({inspect!r}, text=True).strip()",
            "servers reach the hub's API at the network's gateway (`communityhubs hub up` makes the network)",
        )
        s.code(f'c.JupyterHub.hub_bind_url = f"http://{{gateway}}:{ports.hub}"')
    s.set("ConfigurableHTTPProxy.api_url", f"http://{HOST}:{ports.proxy_api}")
    s.set(
        "JupyterHub.proxy_class",
        "communityhubs.checked_proxy.PortCheckingProxy",
        "configurable-http-proxy, checked to hold its public port after every restart",
    )
    s.set("JupyterHub.db_url", names.DATABASE_URL)
    s.set("JupyterHub.last_activity_interval", 30, "how often (s) the hub records activity, which culling reads")
    return s


def admins_section(spec: HubSpec) -> Section:
    s = Section("admins", "admins")
    return s.set("Authenticator.admin_users", set(spec.admins), "made admins again at every start")


def allowed_section(spec: HubSpec) -> Section:
    return Section("allowed_users", "who may log in").set("Authenticator.allowed_users", set(allowed_users(spec)))


def groups_section(spec: HubSpec) -> Section:
    s = Section("groups", "groups")
    s.set("JupyterHub.load_groups", load_groups(spec), "created or updated at every start")
    overrides = group_overrides(spec)
    if overrides:
        s.set("Spawner.group_overrides", overrides, "members of these groups get these limits instead")
    return s


def roles_section(spec: HubSpec) -> Section:
    s = Section("roles", "roles: a few scopes for a group's members")
    for role in load_roles(spec):
        s.code(f"c.JupyterHub.load_roles.append({py(role)})")
    return s


def environment_section(spec: HubSpec) -> Section:
    s = table_lines(Section("environment", "what users find when their server starts"), spec)
    env = spec.settings["environment.env"]
    if env:
        s.set("Spawner.environment", env)
    return s


def limits_section(spec: HubSpec) -> Section:
    return table_lines(Section("limits", "resources per server, and many starts at once"), spec)


def services_section() -> Section:
    s = Section("", "the admins' own API token")
    s.code(
        f"c.JupyterHub.services = [{{'name': {ADMIN_SERVICE!r}, "
        f"'api_token': read_secret({names.ADMIN_TOKEN_FILE!r}), 'admin': True}}]",
        "a service whose token scripts and the guides use (send it as 'Authorization: token ...')",
    )
    return s.code("c.JupyterHub.load_roles = []")


SectionFn = Callable[[HubSpec], Section]
SHARED: list[SectionFn] = [
    front_door.https_jupyterhub_config,
    login.jupyterhub_config,
    admins_section,
    allowed_section,
    groups_section,
    environment_section,
]


def render_config(
    spec: HubSpec, ports: Ports, spawner: Iterable[Section], target: str, hub_network: str | None = None
) -> list[Section]:
    """Every section of a jupyterhub_config.py, in the order of the spec."""
    return [
        hub_section(ports, hub_network),
        *(fn(spec) for fn in SHARED),
        limits_section(spec),
        *spawner,
        services_section(),
        roles_section(spec),
        culling.jupyterhub_config(spec),
        kernels.jupyterhub_config(spec),
        storage.jupyterhub_config(spec, target),
    ]


def config_text(spec: HubSpec, target: str, sections: list[Section]) -> str:
    body = [s.text() for s in sections if s.lines]
    imports = "".join(f"{line}\n" for line in imports_used("\n".join(body)))
    header = HEADER.format(
        name=spec.name, target=target, source=spec.source_name, imports=imports, read_secret=READ_SECRET
    )
    return "\n\n".join([header, *body]) + "\n"
