"""A hub spec from The Littlest JupyterHub's config.yaml (/opt/tljh/config/config.yaml): the
inverse of `targets/tljh.py`, through the mapping table's `tljh` column and the same login
tables. Rendering a spec for TLJH and importing its config.yaml back renders the same file
again (tests/unit/test_import_config.py).

config.yaml is only part of a TLJH hub: what its jupyterhub_config.d/ Python files set is not
read, and the report says so. Keys the file leaves out get TLJH's own defaults, named as such.
"""

from __future__ import annotations

from typing import Any

from .. import mapping
from ..sections import culling, front_door, login
from .report import Options, Values
from .to_spec import usernames
from .values_files import ImportConfigError

TLJH_KEYS = {"base_url", "auth", "users", "limits", "http", "https", "traefik_api", "user_environment", "services"}
"""The top-level keys of TLJH's config.yaml (tljh/config_schema.py, and auth)."""
DEFAULTS = {
    "user_environment": {"default_app": "jupyterlab"},
    "services": {"cull": {"enabled": True, "timeout": 600, "every": 60, "max_age": 0}},
    "http": {"address": ""},
}
"""What TLJH 2.0.0 uses where config.yaml says nothing and the spec can say it (tljh/configurer.py's
`default`; tests/proofs/test_tljh.py checks these against TLJH's own)."""
WHOSE = "TLJH 2.0.0's default (tljh/configurer.py), not set in the file"
REASONS = {
    "users.extra_user_groups": "Unix groups of the server's accounts: not in the hub spec",
    "base_url": "the hub's URL prefix: not in the spec yet",
    "traefik_api": "TLJH's own proxy API",
    "http.port": "the port Traefik listens on",
    "https.port": "the port Traefik listens on",
    "https.address": "Traefik's HTTPS address follows http.address in the spec",
    "https.letsencrypt.staging": "Let's Encrypt's test service: not in the spec",
    "services.cull": "not in the spec: only enabled, timeout, every and max_age are",
    "auth": "no equivalent in the hub spec yet",
}


def looks_like_tljh(data: dict[str, Any]) -> bool:
    """A TLJH config.yaml, not Helm values: only TLJH's own top-level keys."""
    return bool(data) and set(data) <= TLJH_KEYS


def people(values: Values, auth: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, key in [("users.admin", "admins"), ("users.allowed", "allowed_users")]:
        found = usernames(values.take(path, to=key), path, values)
        if found:
            out[key] = sorted(set(found))
    return out


def plain(values: Values, spec: dict[str, Any]) -> None:
    """Every row of the mapping table with a TLJH key, into its spec section."""
    for row in mapping.rows():
        value = values.take(row.tljh, to=row.key) if row.tljh else None
        if value is not None:
            spec.setdefault(row.section, {})[row.leaf] = row.to_spec(value, row.tljh)


def environment(values: Values, spec: dict[str, Any]) -> None:
    app = values.take("user_environment.default_app", to="environment.default_url")
    urls = {name: url for url, name in mapping.TLJH_DEFAULT_APPS.items()}
    if app not in urls:
        raise ImportConfigError(f"user_environment.default_app: {app!r} is not one of: {', '.join(urls)}")
    spec.setdefault("environment", {})["default_url"] = urls[app]


def spec_from_tljh(values: Values, options: Options) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": options.name}
    spec["authenticator"] = login.from_tljh(values, options)
    spec |= people(values, spec["authenticator"])
    plain(values, spec)
    environment(values, spec)
    spec["culling"] = culling.from_tljh(values)
    secure = front_door.https_from_tljh(values)
    if secure:
        spec["https"] = secure
    address = front_door.address_from_tljh(values)
    if address:
        spec["public_address"] = address
    values.report.left_out.append(
        ("jupyterhub_config.d/*.py", "not read: Python run by TLJH's hub; port what it sets (groups, timeouts) by hand")
    )
    spec["target"] = options.target or "tljh"
    return spec
