"""Render a hub spec into JupyterHub settings.

Pure functions from (spec, ports, paths) to a JSON-able dict of traitlets
settings, which snippets/jupyterhub_config.py applies. `render_hub` is what
every target shares (hub, proxy, logins, users, groups, services); each target
adds its spawner: `render_local` here, `render_docker` in docker_target.py.
Secrets are not part of the output: the config file reads them from the
state directory.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .spec import HubSpec

AUTHENTICATORS = {
    "shared-password": "shared-password",
    "dummy": "dummy",
    "github": "github",
    "generic-oauth": "generic",
}

ADMIN_SERVICE = "community-admin"
"""The service whose token the guides and tests use to administer the hub."""

CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


@dataclass(frozen=True)
class LocalPorts:
    public: int
    hub: int
    proxy_api: int


def render_local(spec: HubSpec, ports: LocalPorts, state_dir: Path, proxy_cmd: list[str]) -> dict[str, Any]:
    """The local target: one process per user, running as the hub's own account."""
    settings = render_hub(spec, ports, state_dir, proxy_cmd)
    settings["JupyterHub"]["spawner_class"] = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    settings["SimpleLocalProcessSpawner"] = {"home_dir_template": str(state_dir / "homes" / "{username}")}
    settings["Spawner"]["notebook_dir"] = "~"
    # Nothing enforces limits here; servers are told them, as Docker and Kubernetes spawners do.
    limits = spec.section("limits")
    env = settings["Spawner"]["environment"]
    if "mem_limit" in limits:
        env["MEM_LIMIT"] = limits["mem_limit"]
    if "cpu_limit" in limits:
        env["CPU_LIMIT"] = str(limits["cpu_limit"])
    return settings


def render_hub(spec: HubSpec, ports: LocalPorts, state_dir: Path, proxy_cmd: list[str]) -> dict[str, Any]:
    """{section: {trait: value}} shared by every target whose hub runs on this machine."""
    data = spec.data
    auth = data["authenticator"]
    limits = spec.section("limits")
    env = dict(spec.section("environment").get("env", {}))

    settings: dict[str, Any] = {
        "JupyterHub": {
            "ip": "127.0.0.1",
            "port": ports.public,
            "hub_ip": "127.0.0.1",
            "hub_port": ports.hub,
            "db_url": f"sqlite:///{state_dir / 'jupyterhub.sqlite'}",
            "cookie_secret_file": str(state_dir / "jupyterhub_cookie_secret"),
            "pid_file": str(state_dir / "jupyterhub.pid"),
            "authenticator_class": AUTHENTICATORS[auth["type"]],
            "load_groups": {
                g["name"]: {"users": g.get("users", []), "properties": g.get("properties", {})}
                for g in data.get("groups", [])
            },
            "last_activity_interval": 30,
        },
        "ConfigurableHTTPProxy": {
            "api_url": f"http://127.0.0.1:{ports.proxy_api}",
            "command": proxy_cmd,
        },
        "Authenticator": {
            "admin_users": spec.admins,
            "allowed_users": sorted(set(spec.allowed_users) | set(spec.admins)),
        },
        "Spawner": {
            "default_url": spec.section("environment").get("default_url", "/lab"),
            "environment": env,
            "start_timeout": limits.get("start_timeout", 60),
            "http_timeout": limits.get("start_timeout", 60),
        },
    }
    if "concurrent_spawn_limit" in limits:
        settings["JupyterHub"]["concurrent_spawn_limit"] = limits["concurrent_spawn_limit"]
    if auth["type"] in ("github", "generic-oauth"):
        settings.update(render_oauth(auth))

    # The hub admins' own service: only an admin may grant admin rights, so it has the admin role.
    services: list[dict[str, Any]] = [{"name": ADMIN_SERVICE, "admin": True}]
    roles: list[dict[str, Any]] = []
    culling = spec.section("culling")
    if culling.get("enabled"):
        cmd = [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={culling.get('timeout', 3600)}",
            f"--cull-every={culling.get('every', 300)}",
        ]
        if culling.get("max_age"):
            cmd.append(f"--max-age={culling['max_age']}")
        services.append({"name": "idle-culler", "command": cmd})
        roles.append({"name": "idle-culler", "scopes": CULLER_SCOPES, "services": ["idle-culler"]})
    settings["JupyterHub"]["services"] = services
    settings["JupyterHub"]["load_roles"] = roles
    return settings


def render_oauth(auth: dict[str, Any]) -> dict[str, Any]:
    """OAuth settings; the client secret is read from the environment by the config file."""
    if auth["type"] == "github":
        section: dict[str, Any] = {
            "client_id": auth["client_id"],
            "oauth_callback_url": auth["callback_url"],
        }
        if auth.get("allowed_organizations"):
            section["allowed_organizations"] = auth["allowed_organizations"]
        return {"GitHubOAuthenticator": section}
    return {
        "GenericOAuthenticator": {
            "client_id": auth["client_id"],
            "oauth_callback_url": auth["callback_url"],
            "authorize_url": auth["authorize_url"],
            "token_url": auth["token_url"],
            "userdata_url": auth["userdata_url"],
            "username_claim": auth["username_claim"],
            "scope": auth.get("scope", ["openid", "profile"]),
        }
    }
