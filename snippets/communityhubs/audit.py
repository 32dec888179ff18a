"""A read-only audit of a running hub: who holds admin rights (people and services), which
tokens never expire or are old, which roles are granted to whom, servers running for days,
people who never logged in, whether idle servers are stopped, and with a spec, what the hub
holds that the spec does not grant (drift).

Every call is a GET, so a token with only READ_SCOPES is enough, and the audit changes nothing
on the hub. JupyterHub does record that the audit's token was used (its last_activity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .client import HubClient
from .spec import HubSpec
from .traits import allowed_users, load_groups

READ_SCOPES = [
    "list:users",
    "read:users",
    "read:tokens",
    "read:servers",
    "list:groups",
    "read:groups",
    "list:services",
    "read:services",
    "read:roles",
]
"""What the audit reads with: none of them can change anything."""
OLD = timedelta(days=90)
LONG = timedelta(days=2)


@dataclass(frozen=True)
class Finding:
    kind: str
    what: str


def _when(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def ago(stamp: str | None, now: datetime) -> str:
    moment = _when(stamp)
    if moment is None:
        return "never"
    days = (now - moment).days
    return "today" if days <= 0 else f"{days} days ago"  # <= 0: a clock a little ahead of ours


def audit(client: HubClient, spec: HubSpec | None = None, now: datetime | None = None) -> list[Finding]:
    """The findings, read with GETs only."""
    now = now or datetime.now(UTC)
    users = sorted(client.paged("/users"), key=lambda u: u["name"])
    services = client.request("GET", "/services") or {}
    groups = sorted(client.paged("/groups"), key=lambda g: g["name"])
    me = client.whoami()
    found: list[Finding] = []
    for user in users:
        if user["admin"]:
            found.append(Finding("admin", f"{user['name']}, last active {ago(user['last_activity'], now)}"))
    for name, service in sorted(services.items()):
        if service.get("admin"):
            found.append(Finding("admin service", f"{name}: its token is set in the hub's configuration"))
    found += role_grants(users, groups, services)
    held = {u["name"]: client.tokens(u["name"]) for u in users}  # GET /hub/api/users/NAME/tokens
    found += tokens(held, me, now)
    for user in users:
        for server, model in sorted((user.get("servers") or {}).items()):
            started = _when(model.get("started"))
            if started and started < now - LONG:
                since = ago(model["started"], now)
                found.append(Finding("server running for days", f"{user['name']}'s {server or 'default'}, {since}"))
    found += [Finding("never logged in", u["name"]) for u in users if u["last_activity"] is None]
    found += culling(services)
    if spec is not None:
        found += drift(spec, users, groups, held)
    found.append(Finding("JupyterHub", client.version()))
    return found


def role_grants(users: list[dict], groups: list[dict], services: dict) -> list[Finding]:
    """Roles beyond the default ones, as the hub reports them (read:roles)."""
    plain = {"user", "admin", "server", "token"}
    found = []
    for kind, holders in (("user", users), ("group", groups), ("service", list(services.values()))):
        for holder in holders:
            extra = sorted(set(holder.get("roles") or []) - plain)
            if extra:
                found.append(Finding("role", f"{kind} {holder['name']}: {', '.join(extra)}"))
    return found


def tokens(held: dict[str, list[dict]], me: dict, now: datetime) -> list[Finding]:
    found = []
    for name, listed in held.items():
        for token in listed:
            what = f"{name}'s token {token['note'] or token['id']!r}"
            if token["expires_at"] is None and token["id"] != me.get("token_id"):
                found.append(Finding("token never expires", f"{what}, last used {ago(token['last_activity'], now)}"))
            created = _when(token["created"])
            if created and created < now - OLD:
                found.append(Finding("token older than 90 days", f"{what}, made {ago(token['created'], now)}"))
    return found


def culling(services: dict) -> list[Finding]:
    cullers = [s for s in services.values() if "jupyterhub_idle_culler" in " ".join(s.get("command") or [])]
    if not cullers:
        return [Finding("idle servers", "no idle culler runs as a hub service: servers run until someone stops them")]
    found = []
    for culler in cullers:
        given = (a.split("=", 1)[1] for a in culler["command"] if a.startswith("--timeout="))
        timeout = next(given, "600 (its default)")
        found.append(Finding("idle servers", f"stopped after {timeout} s idle by the service {culler['name']!r}"))
    return found


def drift(spec: HubSpec, users: list[dict], groups: list[dict], held: dict[str, list[dict]]) -> list[Finding]:
    """What the running hub grants that the spec does not."""
    admins = set(spec.admins)
    members = {name: set(group["users"]) for name, group in load_groups(spec).items()}
    allowed = set(allowed_users(spec)) | set().union(set(), *members.values())
    found = []
    for user in users:
        name = user["name"]
        if user["admin"] and name not in admins:
            found.append(Finding("drift: admin", f"{name} is an admin on the hub, not in the spec's admins"))
        if allowed and name not in allowed:
            found.append(Finding("drift: user", f"{name} is on the hub, and the spec does not list them"))
            for token in held.get(name, []):
                note = token["note"] or token["id"]
                found.append(Finding("drift: token", f"{name}'s token {note!r}: its owner is not in the spec"))
    for group in groups:
        extra = sorted(set(group.get("users") or []) - members.get(group["name"], set()))
        if extra:
            found.append(
                Finding("drift: group", f"{group['name']} has members the spec does not give it: {', '.join(extra)}")
            )
    return found


def table(findings: list[Finding]) -> str:
    width = max((len(f.kind) for f in findings), default=0)
    return "".join(f"{f.kind:{width}}  {f.what}\n" for f in findings)
