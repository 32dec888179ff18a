"""Side by side: what a bundle holds, and what a rebuilt hub has.

Users, admin flags and groups are read from the new hub's REST API, homes
through its target, and every file is compared by its SHA-256. Each user
environment is compared package by package (`pip freeze`); a hub rebuilt on
another target runs another environment, so that part is reported beside the
verdict, not in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..client import HubClient
from ..folder_archive import listing
from ..targets import Runner
from . import people
from .bundle import Bundle, count


@dataclass(frozen=True)
class Row:
    what: str
    exported: str
    rebuilt: str

    @property
    def same(self) -> bool:
        return self.exported == self.rebuilt


@dataclass(frozen=True)
class Comparison:
    rows: list[Row]
    files: int
    environments: list[str] = field(default_factory=list)
    """One line per user environment: same packages, or which differ."""

    @property
    def same(self) -> bool:
        return all(row.same for row in self.rows)

    def table(self) -> str:
        width = max(len(r.what) for r in self.rows)
        side = max(len(r.exported) for r in self.rows)
        lines = [f"{'':{width}}  {'exported':{side}}  rebuilt"]
        for r in self.rows:
            mark = "same" if r.same else "DIFFERENT"
            lines.append(f"{r.what:{width}}  {r.exported:{side}}  {r.rebuilt if not r.same else mark}")
        verdict = "every" if self.same else "NOT every"
        lines.append(f"{verdict} user, group, admin flag and file matches ({self.files} files compared by SHA-256)")
        return "\n".join(lines + self.environments)


def summary(entries: dict[str, str]) -> str:
    files = sum(1 for what in entries.values() if what.startswith("sha256:"))
    links = sum(1 for what in entries.values() if what.startswith("link:"))
    return f"{count(files, 'file')}, {count(links, 'link')}"


def compare(bundle: Bundle, hub: Runner) -> Comparison:
    info = hub.info()
    if info is None:
        raise RuntimeError(f"hub {hub.spec.name} is not running")
    client = HubClient(info.url, info.admin_token())
    users_then = bundle.json("hub/users.json")
    names = {u["name"] for u in users_then}
    # The bundle's users as the new hub has them (the new hub may have others besides).
    users_now = {u["name"]: u for u in people.users(client) if u["name"] in names}
    rows = [
        Row("users", ", ".join(u["name"] for u in users_then), ", ".join(users_now)),
        Row(
            "admins",
            ", ".join(u["name"] for u in users_then if u["admin"]),
            ", ".join(n for n, u in users_now.items() if u["admin"]),
        ),
    ]
    groups_now = {g["name"]: g for g in people.groups(client)}
    for group in bundle.json("hub/groups.json"):
        now = groups_now.get(group["name"], {"users": ["(missing)"], "properties": {}})
        rows.append(Row(f"group {group['name']}", ", ".join(group["users"]) or "-", ", ".join(now["users"]) or "-"))
        if group["properties"]:
            rows.append(Row("  properties", _props(group["properties"]), _props(now["properties"])))
    files = 0
    for user in users_then:
        then = bundle.archives[user["home"]].entries if user["home"] else {}
        now = listing(hub.read_home(user["name"])).entries
        files += sum(1 for what in then.values() if what.startswith("sha256:"))
        exported, rebuilt = summary(then), summary(now)
        if then != now:  # same counts can still hide a changed byte: say so
            rebuilt += " (checksums differ)" if exported == rebuilt else ""
        rows.append(Row(f"home of {user['name']}", exported, rebuilt))
    return Comparison(rows, files, environments(bundle, hub))


def packages(freeze: str) -> dict[str, str]:
    """`pip freeze` as {normalised name: what is installed}."""
    found = {}
    for line in freeze.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-e ")):  # editable installs are local checkouts, not packages
            name = re.split(r"\s*(?:==|@| )", line, maxsplit=1)[0]
            found[re.sub(r"[-_.]+", "-", name).lower()] = line
    return found


def environments(bundle: Bundle, hub: Runner) -> list[str]:
    """Each exported environment against the new hub's (by name, else in order), package by package."""
    now = hub.environments()
    by_name = {env.name: env for env in now}
    lines = []
    for i, then in enumerate(bundle.json("hub/environments.json")):
        old = packages(bundle.read(f"{then['folder']}/packages.txt").decode())
        match = by_name.get(then["name"]) or (now[i] if i < len(now) else None)
        if match is None:
            lines.append(f"environment {then['name']}: {count(len(old), 'package')}; the new hub has no environment")
            continue
        new = packages(match.packages)
        changed = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
        where = then["name"] if match.name == then["name"] else f"{then['name']} -> {match.name}"
        if not changed:
            lines.append(f"environment {where}: the same {count(len(old), 'package')}")
            continue
        shown = ", ".join(f"{old.get(n, '(none)')} -> {new.get(n, '(none)')}" for n in changed[:5])
        more = f", and {len(changed) - 5} more" if len(changed) > 5 else ""
        lines.append(f"environment {where}: {len(changed)} of {count(len(old), 'package')} differ: {shown}{more}")
    return lines


def _props(properties: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(properties.items())) or "-"
