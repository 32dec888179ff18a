"""`communityhubs import`: rebuild a hub from a bundle, on any target.

Order matters for "nothing half-done": the whole bundle is verified first,
then the spec is checked against the target, then everything the import
would change is planned against the hub as it is, and only a plan without
conflicts is carried out. Importing the same bundle twice changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import names
from ..client import HubClient
from ..errors import CommunityHubsError
from ..folder_archive import Listing, listing
from ..hub import Hub
from ..spec import HubSpec, parse_yaml, validate_spec
from ..targets import Runner, target_for
from . import people
from .bundle import Bundle, BundleError, count, open_bundle
from .progress import Progress
from .remote import RemoteHub


class ImportRefused(CommunityHubsError, ValueError):
    """The hub already holds something the bundle would overwrite; str(error) is one line."""


def bundle_spec(bundle: Bundle) -> HubSpec:
    where = f"{bundle.path}: spec/hub.yaml"
    return validate_spec(parse_yaml(bundle.read("spec/hub.yaml").decode(), where), source=where)


@dataclass
class Plan:
    """What the import will do; `conflicts` must be empty before any of it is done."""

    create_users: list[dict[str, Any]] = field(default_factory=list)
    homes: list[tuple[str, str]] = field(default_factory=list)
    """(user, bundle member) of homes to write."""
    shared: list[tuple[str, str]] = field(default_factory=list)
    create_groups: list[str] = field(default_factory=list)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=lambda: {"users": 0, "groups": 0, "homes": 0})
    conflicts: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.create_users or self.homes or self.shared or self.create_groups or self.properties or self.members
        )


def same_folder(current: Listing, wanted: Listing) -> str:
    """'write' into an empty folder; 'same' when the folder already holds every entry of the
    bundle's (files added since, such as a server's .jupyter, are the user's); else 'other'."""
    if wanted.empty:
        return "same"
    if current.empty:
        return "write"
    return "same" if wanted.entries.items() <= current.entries.items() else "other"


def first_difference(current: Listing, wanted: Listing) -> str:
    """The first path, in order, that the bundle and the folder disagree about."""
    return next(p for p in sorted(wanted.entries) if current.entries.get(p) != wanted.entries[p])


def plan_import(bundle: Bundle, hub: Runner, client: HubClient) -> Plan:
    plan = Plan()
    here = {u["name"]: u for u in people.users(client)}
    for user in bundle.json("hub/users.json"):
        name, mine = user["name"], here.get(user["name"])
        if mine is None:
            plan.create_users.append(user)
        elif mine["admin"] != user["admin"]:
            state = "an admin" if mine["admin"] else "not an admin"
            plan.conflicts.append(f"user {name!r} already exists on this hub and is {state}, unlike in the bundle")
            continue
        else:
            plan.unchanged["users"] += 1
        if not user["home"]:
            continue  # nothing to write, so nothing to compare (on docker each read is a container)
        wanted = hub.readable(bundle.archives[user["home"]])
        current = listing(hub.read_home(name), where=f"home of {name}")
        verdict = same_folder(current, wanted)
        if verdict == "write":
            plan.homes.append((name, user["home"]))
        elif verdict == "other":
            plan.conflicts.append(
                f"user {name!r} already has other files in their home on this hub "
                f"({first_difference(current, wanted)!r} differs); remove them or import into a new hub"
            )
        else:
            plan.unchanged["homes"] += 1
    for folder in bundle.json("hub/shared.json"):
        current = listing(hub.read_shared(folder["name"]), where=folder["name"])
        wanted = bundle.archives[folder["archive"]]
        verdict = same_folder(current, wanted)
        if verdict == "write":
            plan.shared.append((folder["name"], folder["archive"]))
        elif verdict == "other":
            plan.conflicts.append(
                f"shared folder {folder['name']!r} already holds other files on this hub "
                f"({first_difference(current, wanted)!r} differs)"
            )
    groups_here = {g["name"]: g for g in people.groups(client)}
    for group in bundle.json("hub/groups.json"):
        name, mine = group["name"], groups_here.get(group["name"])
        if mine is None:
            plan.create_groups.append(name)
            mine = {"users": [], "properties": {}}
        if mine["properties"] and mine["properties"] != group["properties"]:
            plan.conflicts.append(f"group {name!r} already exists on this hub with other properties")
        elif group["properties"] and not mine["properties"]:
            plan.properties[name] = group["properties"]
        missing = sorted(set(group["users"]) - set(mine["users"]))
        if missing:
            plan.members[name] = missing
        if name in groups_here and not missing and name not in plan.properties:
            plan.unchanged["groups"] += 1
    return plan


@dataclass
class ImportReport:
    hub: Runner
    url: str
    plan: Plan
    files: int
    bytes: int
    write_seconds: float
    """Time spent writing homes and shared folders through the target."""
    seconds: float
    """The whole import: verifying the bundle, starting the hub, planning, writing."""
    notes: list[str]

    @property
    def rate(self) -> float:
        """MB/s written into homes and shared folders (MB = 10^6 bytes)."""
        return self.bytes / 1e6 / max(self.write_seconds, 1e-6)

    def __str__(self) -> str:
        where = f"hub {self.hub.spec.name} on {self.hub.target.name} at {self.url}/"
        kept, plan = self.plan.unchanged, self.plan
        same = (
            f"{count(kept['users'], 'user')}, {count(kept['groups'], 'group')} and {count(kept['homes'], 'home')} "
            "already match"
        )
        if plan.empty:
            return f"nothing to change: {where}: {same}"
        made = (
            f"created {count(len(plan.create_users), 'user')} and {count(len(plan.create_groups), 'group')}, "
            f"wrote {count(len(plan.homes), 'home')} and {count(len(plan.shared), 'shared folder')} "
            f"({count(self.files, 'file')}, {self.bytes / 1e6:.1f} MB) in {self.write_seconds:.1f} s "
            f"({self.rate:.1f} MB/s)"
        )
        return "\n".join([f"imported into {where}: {made}; {same}", *self.notes])


def import_bundle(
    path: str | Path, target: str | None = None, state_root: Path = Path(names.STATE_ROOT), port: int | None = None
) -> ImportReport:
    """Rebuild the bundle's hub on `target` (default: the target it came from), or complete one
    already running there. Refuses, changing nothing, a bad bundle or one that conflicts."""
    started_at = time.monotonic()
    bundle = open_bundle(path)
    spec = bundle_spec(bundle)
    hub = Hub(spec, Path(state_root) / spec.name, port=port, target=target or bundle.manifest["source"]["target"])
    info = hub.info()
    started = info is None
    # Refused before anything is written; on failure, no hub we started and no state folder we made.
    with hub.undone_on_failure(stop=started):
        info = hub.start() if info is None else info
        client = HubClient(info.url, info.admin_token())
        plan = plan_import(bundle, hub, client)
        if plan.conflicts:
            raise ImportRefused(f"{bundle.path}: not imported into {spec.name}: {plan.conflicts[0]}")
    progress = apply(bundle, hub, client, plan)
    notes = role_notes(bundle, client)
    return ImportReport(
        hub, info.url, plan, progress.files, progress.bytes, progress.seconds, time.monotonic() - started_at, notes
    )


def apply(bundle: Bundle, hub: Runner | RemoteHub, client: HubClient, plan: Plan) -> Progress:
    total = sum(bundle.archives[m].bytes for _, m in plan.homes + plan.shared)
    progress = Progress("import", total)
    # People first: a hub reached by its URL writes each home through its owner's own server.
    create_people(client, plan)
    for user, member in plan.homes:
        hub.write_home(user, bundle.read(member))
        progress.add(bundle.archives[member].files, bundle.archives[member].bytes)
    for name, member in plan.shared:
        hub.write_shared(name, bundle.read(member))
        progress.add(bundle.archives[member].files, bundle.archives[member].bytes)
    progress.done()
    return progress


def create_people(client: HubClient, plan: Plan) -> None:
    for admin in (False, True):
        names = [u["name"] for u in plan.create_users if u["admin"] is admin]
        if names:
            client.create_users(names, admin=admin)
    for name in plan.create_groups:
        client.create_group(name)
    for name, properties in plan.properties.items():
        client.set_group_properties(name, properties)
    for name, users in plan.members.items():
        client.add_to_group(name, users)


def import_bundle_by_url(path: str | Path, url: str, token: str, start_servers: bool = False) -> ImportReport:
    """Rebuild the bundle's people and homes on a running hub reached by its URL (a hub on The
    Littlest JupyterHub, for one): users and groups over REST, homes through each user's server.
    Its configuration comes from the bundle's spec, rendered for it (`communityhubs render`)."""
    started_at = time.monotonic()
    bundle = open_bundle(path)
    spec = bundle_spec(bundle)
    hub = RemoteHub(spec, target_for(spec), url, token, start_servers=start_servers)
    info = hub.info()  # the hub answers and takes the token before anything is planned
    client = HubClient(info.url, info.admin_token(), timeout=120)
    plan = plan_import(bundle, hub, client)  # type: ignore[arg-type] (reads homes as a Runner does)
    if plan.conflicts:
        raise ImportRefused(f"{bundle.path}: not imported into the hub at {info.url}: {plan.conflicts[0]}")
    notes = [
        f"not written: shared folder {name}: it has no address over HTTP; copy it onto the hub's storage"
        for name, _ in plan.shared
    ]
    plan.shared = []
    progress = apply(bundle, hub, client, plan)
    notes += [f"not written: {line}" for line in hub.not_written()] + role_notes(bundle, client)
    return ImportReport(
        hub, info.url, plan, progress.files, progress.bytes, progress.seconds, time.monotonic() - started_at, notes
    )


def role_notes(bundle: Bundle, client: HubClient) -> list[str]:
    """Roles come from the spec (`roles:`); any the old hub gave otherwise are named, not lost silently."""
    here = {u["name"]: set(u["roles"]) for u in people.users(client)}
    notes = []
    for user in bundle.json("hub/users.json"):
        missing = sorted(set(user["roles"]) - here.get(user["name"], set()))
        if missing:
            notes.append(
                f"note: user {user['name']!r} had roles {missing} that the spec does not give: add them to roles:"
            )
    return notes


__all__ = ["BundleError", "ImportRefused", "ImportReport", "import_bundle", "import_bundle_by_url"]
