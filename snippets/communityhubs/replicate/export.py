"""`communityhubs export`: a running hub, on any target, into one bundle file.

Users and groups are read through the REST API, homes and shared folders
through the target (`read_home`, `read_shared`), or, for a hub this tool did not
start, through each user's server (`remote.RemoteHub`, `export --url`). Secrets are never read:
the manifest says what the new hub must be given instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import names
from ..client import HubClient
from ..folder_archive import listing
from ..hub import HubError
from ..spec import HubSpec
from ..targets import Runner
from . import people
from .bundle import BundleWriter, count, dumps, sha256
from .progress import Progress
from .remote import RemoteHub


@dataclass(frozen=True)
class ExportReport:
    path: Path
    users: int
    groups: int
    homes: int
    files: int
    bytes: int
    seconds: float
    not_read: tuple[str, ...] = ()

    @property
    def rate(self) -> float:
        """MB/s of home and shared data read and written (MB = 10^6 bytes)."""
        return self.bytes / 1e6 / max(self.seconds, 1e-6)

    def __str__(self) -> str:
        return (
            f"exported {count(self.users, 'user')}, {count(self.groups, 'group')} and {count(self.homes, 'home')} "
            f"({count(self.files, 'file')}, {self.bytes / 1e6:.1f} MB) to {self.path.name} in {self.seconds:.1f} s "
            f"({self.rate:.1f} MB/s)" + "".join(f"\nnot read: {what}" for what in self.not_read)
        )


def spec_text(spec: HubSpec) -> str:
    """The spec as the admin wrote it, comments included, where its file can be read."""
    source = Path(spec.source)
    return source.read_text() if source.is_file() else yaml.safe_dump(spec.data, sort_keys=False)


def new_hub_needs(spec: HubSpec) -> list[str]:
    """What a bundle cannot carry and the new hub must be given: secrets and addresses."""
    auth = spec.data["authenticator"]
    needs = ["an admin token: the new hub makes its own (tokens are never exported; users make new ones)"]
    if auth["type"] == "shared-password":
        needs.append(f"the shared password: set {names.SHARED_PASSWORD_ENV}, or the new hub generates one")
    if "client_secret_env" in auth:
        needs.append(f"the OAuth client secret, in the environment variable {auth['client_secret_env']}")
        needs.append(f"the OAuth app's callback URL, now {auth['callback_url']}, changed at the provider (manual)")
    needs.append("the hub's address: DNS pointed at the new machine, and HTTPS for it (manual)")
    return needs


def export_hub(hub: Runner | RemoteHub, out: Path) -> ExportReport:
    """Write `hub` (which must be running) to the bundle `out`; nothing is left behind on failure."""
    info = hub.info()
    if info is None:
        raise HubError(f"hub {hub.spec.name} is not running: start it with `communityhubs hub up` first")
    client = HubClient(info.url, info.admin_token())
    spec, target = hub.spec, hub.target
    everyone, teams = people.users(client), people.groups(client)
    progress = Progress("export", 0)
    written_spec = spec_text(spec).encode()
    with BundleWriter(Path(out)) as bundle:
        bundle.add("spec/hub.yaml", written_spec)
        for name, text in target.render(spec).items():
            bundle.add(f"config/{name}", text.encode())
        homes = 0
        for i, user in enumerate(everyone, start=1):
            archive = hub.read_home(user["name"])
            found = listing(archive, where=f"home of {user['name']}")
            user["home"] = None
            if not found.empty:
                user["home"] = f"homes/{i:04d}.tar"
                bundle.add(user["home"], archive)
                homes += 1
            progress.add(found.files, found.bytes)
        shared = []
        for i, folder in enumerate(spec.data.get("shared_data", []), start=1):
            archive = hub.read_shared(folder["name"])
            found = listing(archive, where=f"shared folder {folder['name']}")
            shared.append({"name": folder["name"], "archive": f"shared/{i:04d}.tar"})
            bundle.add(shared[-1]["archive"], archive)
            progress.add(found.files, found.bytes)
        environments = []
        for i, env in enumerate(hub.environments(), start=1):
            folder = f"environments/{i:04d}"
            bundle.add(f"{folder}/packages.txt", env.packages.encode())
            for name, data in env.recipe.items():
                bundle.add(f"{folder}/recipe/{name}", data)
            environments.append({"name": env.name, "id": env.identity, "folder": folder, "recipe": sorted(env.recipe)})
        bundle.add("hub/users.json", dumps(everyone))
        bundle.add("hub/groups.json", dumps(teams))
        bundle.add("hub/shared.json", dumps(shared))
        bundle.add("hub/environments.json", dumps(environments))
        progress.done()
        not_read = hub.not_read()
        bundle.finish(
            {
                "hub": spec.name,
                "source": {"target": target.name, "jupyterhub": client.version(), "url": info.url},
                "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "spec_sha256": sha256(written_spec),
                "counts": {"users": len(everyone), "groups": len(teams), "homes": homes, "files": progress.files},
                "new_hub_needs": new_hub_needs(spec),
                "not_read": not_read,
            }
        )
    counts = (len(everyone), len(teams), homes, progress.files, progress.bytes, progress.seconds)
    return ExportReport(Path(out), *counts, tuple(not_read))
