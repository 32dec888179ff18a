"""What a spec means in JupyterHub's own settings, shared by every renderer.

`pyconfig` writes these as `c.Class.trait = value` lines; `kubernetes` puts the
same values under the chart's `hub.config` (or its own keys). A fact such as
"GitHub organisations need the read:org scope" is decided here, once.
Secrets are never among them: each renderer says where its hub reads them.
"""

from __future__ import annotations

from typing import Any

from ..spec import HubSpec

ADMIN_SERVICE = "community-admin"
"""The service whose token the guides and tests use to administer the hub."""

CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]

AUTHENTICATORS = {
    "shared-password": "shared-password",
    "dummy": "dummy",
    "github": "github",
    "generic-oauth": "generic-oauth",
}
OAUTH_CLASSES = {"github": "GitHubOAuthenticator", "generic-oauth": "GenericOAuthenticator"}
GENERIC_OAUTH_KEYS = ("authorize_url", "token_url", "userdata_url", "username_claim")


def oauth_traits(spec: HubSpec) -> dict[str, Any]:
    """The OAuthenticator class's settings (without the client secret); {} for other logins."""
    auth = spec.data["authenticator"]
    kind = auth["type"]
    if kind not in OAUTH_CLASSES:
        return {}
    traits: dict[str, Any] = {"client_id": auth["client_id"], "oauth_callback_url": auth["callback_url"]}
    traits |= {key: auth[key] for key in GENERIC_OAUTH_KEYS if key in auth}
    scopes = list(spec.value("authenticator.scope") or (["openid", "profile"] if kind == "generic-oauth" else []))
    if auth.get("allowed_organizations"):
        traits["allowed_organizations"] = sorted(auth["allowed_organizations"])
        if "read:org" not in scopes:
            # Without read:org GitHub only reveals public memberships, and private members are refused.
            scopes.append("read:org")
    if scopes:
        traits["scope"] = scopes
    if spec.value("authenticator.allow_all"):
        traits["allow_all"] = True
    return traits


def allowed_users(spec: HubSpec) -> list[str]:
    """Admins are listed too, so that users added later through the API may log in (allow_existing_users)."""
    return sorted(set(spec.allowed_users) | set(spec.admins))


def load_groups(spec: HubSpec) -> dict[str, Any]:
    return {
        g["name"]: {"users": g.get("users", []), "properties": g.get("properties", {})}
        for g in spec.data.get("groups", [])
    }


def group_overrides(spec: HubSpec) -> dict[str, Any]:
    """Spawner.group_overrides for groups with `limits`; keys sort in the spec's order."""
    return {
        f"{i:02d}-{g['name']}": {"groups": [g["name"]], "spawner_override": dict(g["limits"])}
        for i, g in enumerate(spec.data.get("groups", []))
        if g.get("limits")
    }


def load_roles(spec: HubSpec) -> list[dict[str, Any]]:
    return [
        {k: role[k] for k in ("name", "description", "scopes", "groups") if k in role}
        for role in spec.data.get("roles", [])
    ]
