"""Users and groups as the REST API shows them, in the form a bundle keeps.

Both the export (what the old hub had) and the comparison (what the new hub
has) read them here, so the two sides are always described the same way.
"""

from __future__ import annotations

from typing import Any

from ..client import HubClient

User = dict[str, Any]
Group = dict[str, Any]


def users(client: HubClient) -> list[User]:
    """GET /hub/api/users, every page: name, admin flag, groups and roles."""
    return sorted(
        (
            {"name": u["name"], "admin": bool(u["admin"]), "groups": sorted(u["groups"]), "roles": sorted(u["roles"])}
            for u in client.paged("/users")
        ),
        key=lambda u: u["name"],
    )


def groups(client: HubClient) -> list[Group]:
    """GET /hub/api/groups, every page: members, properties and roles."""
    return sorted(
        (
            {
                "name": g["name"],
                "users": sorted(g["users"]),
                "properties": g.get("properties", {}),
                "roles": sorted(g.get("roles", [])),
            }
            for g in client.paged("/groups")
        ),
        key=lambda g: g["name"],
    )
