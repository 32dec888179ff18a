"""Side by side: what a bundle holds, and what a rebuilt hub has.

Users, admin flags and groups are read from the new hub's REST API, homes
through its target, and every file is compared by its SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        return "\n".join(lines)


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
    return Comparison(rows, files)


def _props(properties: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(properties.items())) or "-"
