"""What the people, groups, roles and profiles of a spec mean in JupyterHub's own settings, shared
by every renderer: `pyconfig` writes them as `c.Class.trait = value` lines; `kubernetes` puts the
same values under the chart's `hub.config` (or its own keys). Sections with a module of their own
(logins, culling, the front door) are in `communityhubs.sections`.
"""

from __future__ import annotations

import copy
from typing import Any

from . import mapping
from .sections import languages
from .spec import HubSpec

ADMIN_SERVICE = "community-admin"
"""The service whose token the guides and tests use to administer the hub.

It keeps `admin: True`, which JupyterHub 6.1 accepts and warns about once, when the
service is first created. Both other ways break something: a custom role with the
admin scopes cannot grant admin rights (`PATCH /users/NAME {"admin": true}` answers
403 unless `current_user.admin`), and the built-in `admin` role in `load_roles` turns
`admin_users` into a static list, with a warning at every start."""


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
        f"{i:02d}-{g['name']}": {"groups": [g["name"]], "spawner_override": mapping.per_server(g["limits"])}
        for i, g in enumerate(spec.data.get("groups", []))
        if g.get("limits")
    }


def load_roles(spec: HubSpec) -> list[dict[str, Any]]:
    return [
        {k: role[k] for k in ("name", "description", "scopes", "groups") if k in role}
        for role in spec.data.get("roles", [])
    ]


PLACEMENT = ("node_selector", "tolerations", "extra_resource_limits")
"""Profile and choice keys that place a server on a node pool or give it devices: the spec's
names are KubeSpawner's own traits."""


CHART_USER_TOLERATIONS = [
    {"key": key, "operator": "Equal", "value": "user", "effect": "NoSchedule"}
    for key in ("hub.jupyter.org/dedicated", "hub.jupyter.org_dedicated")
]
"""Zero to JupyterHub's scheduling.userPods.tolerations, which it gives every user pod: a profile's
own `tolerations` replace the whole list in KubeSpawner, so they are given again beside the
profile's (tests/proofs/test_chart_hub.py reads the chart's list and the pods KubeSpawner builds)."""


def _override(item: dict[str, Any]) -> dict[str, Any]:
    """A profile's or choice's image, resources and placement, as KubeSpawner's kubespawner_override."""
    return {
        **({"image": item["image"]} if "image" in item else {}),
        **mapping.per_server(item.get("limits", {})),
        **{key: copy.deepcopy(item[key]) for key in PLACEMENT if key in item},
    }


def placements(spec: HubSpec) -> list[tuple[str, str]]:
    """(where, key) for every placement key the spec's profiles and choices give."""
    found = []
    for i, p in enumerate(spec.section("environment").get("profiles", [])):
        found += [(f"environment.profiles[{i}]", key) for key in PLACEMENT if key in p]
        for j, o in enumerate(p.get("options", [])):
            for k, c in enumerate(o["choices"]):
                where = f"environment.profiles[{i}].options[{j}].choices[{k}]"
                found += [(where, key) for key in PLACEMENT if key in c]
    return found


def profile_list(spec: HubSpec) -> list[dict[str, Any]]:
    """The spec's profiles in KubeSpawner's `profile_list` shape, which both Zero to JupyterHub
    (`singleuser.profileList`) and our docker spawner read: one format for the admin to learn."""
    out = []
    for i, p in enumerate(spec.section("environment").get("profiles", [])):
        profile: dict[str, Any] = {"display_name": p.get("display_name", p["name"]), "slug": p["name"]}
        if "description" in p:
            profile["description"] = p["description"]
        if i == 0:
            profile["default"] = True
        if _override(p):
            profile["kubespawner_override"] = _override(p)
        if p.get("options"):
            profile["profile_options"] = {
                o["name"]: {
                    "display_name": o.get("display_name", o["name"]),
                    "choices": {
                        c["name"]: {
                            "display_name": c.get("display_name", c["name"]),
                            **({"description": c["description"]} if "description" in c else {}),
                            # Always said, never left to order: Helm's toYaml sorts these keys, and
                            # KubeSpawner takes the first one it reads unless one says default.
                            **({"default": True} if c["name"] == default_choice(o) else {}),
                            "kubespawner_override": _override(c),
                        }
                        for c in o["choices"]
                    },
                }
                for o in p["options"]
            }
        out.append(profile)
    return out


def default_choice(option: dict[str, Any]) -> str:
    """The spec's default choice of an option: the one marked `default`, else the first listed."""
    return next((c["name"] for c in option["choices"] if c.get("default")), option["choices"][0]["name"])


def images(spec: HubSpec, default: str) -> list[str]:
    """Every image a server of this hub may run: the hub's own (or `default`), and each profile's and choice's."""
    environment = spec.section("environment")
    found = {languages.hub_image(spec, default)}
    for p in environment.get("profiles", []):
        found |= {
            item["image"] for item in [p, *(c for o in p.get("options", []) for c in o["choices"])] if "image" in item
        }
    return sorted(found - {""})
