"""A running hub this tool did not start, reached over HTTP with an admin token (`export --url`,
`import --url`): a hub on The Littlest JupyterHub, Zero to JupyterHub or a provider's.

Users, groups and roles go through the REST API as for any hub. Homes go through each
user's own server, with the Jupyter server's contents API, as the take-home guide's
`download_home` does: only servers that run, or that `start_servers` starts (and stops
again), can be read or written. Hidden files are neither listed nor written by that API;
shared folders and package lists have no HTTP address at all. Everything that could not be
read is named in `not_read` (the bundle's manifest keeps it), and what could not be
written in `not_written`.
"""

from __future__ import annotations

import base64
import io
import tarfile
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from ..client import HubAPIError, HubClient
from ..folder_archive import Listing
from ..spec import HubSpec
from ..targets import Target
from ..targets.base import UserEnvironment


@dataclass(frozen=True)
class RemoteInfo:
    url: str
    token: str = field(repr=False)

    def admin_token(self) -> str:
        return self.token


class RemoteHub:
    """The parts of a `Runner` that `export_hub` reads, for a hub reached only by its URL."""

    def __init__(self, spec: HubSpec, target: Target, url: str, token: str, start_servers: bool = False):
        self.spec, self.target = spec, target
        self.url, self._token = url.rstrip("/"), token
        self.client = HubClient(self.url, token, timeout=120)
        self.start_servers = start_servers
        self._not_read = ["hidden files and folders in homes: the contents API does not list them"]
        self._not_written: list[str] = []

    def info(self) -> RemoteInfo:
        self.client.whoami()  # the hub answers and takes the token before anything is written
        return RemoteInfo(self.url, self._token)

    def not_read(self) -> list[str]:
        return list(self._not_read)

    def readable(self, wanted: Listing) -> Listing:
        """Without hidden files and folders, which the contents API neither lists nor writes."""
        shown = {p: what for p, what in wanted.entries.items() if not any(x.startswith(".") for x in p.split("/"))}
        return Listing(shown, wanted.bytes)

    def not_written(self) -> list[str]:
        return list(self._not_written)

    def _running(self, name: str) -> bool | None:
        """Whether the user's server runs; None for a user the hub does not have (yet)."""
        try:
            return bool(self.client.user(name).get("server"))
        except HubAPIError as err:
            if err.status == 404:
                return None
            raise

    def read_home(self, name: str) -> bytes:
        """The user's home as a tar archive, through their server; empty if it cannot be read."""
        running = self._running(name)
        if running is None:
            return _tar({})  # a user still to be made has no home yet
        if not running and not self.start_servers:
            self._not_read.append(f"home of {name}: their server is not running (--start-servers starts it)")
            return _tar({})
        if not running:
            self.client.start_server(name, timeout=600)
        try:
            return _tar(self._files(name))
        except (requests.RequestException, HubAPIError) as err:
            self._not_read.append(f"home of {name}: {err}")
            return _tar({})
        finally:
            if not running:
                self.client.stop_server(name, wait=True, timeout=300)

    def write_home(self, name: str, archive: bytes) -> None:
        """Unpack a home archive through the user's server (PUT on the contents API), folders first;
        the files belong to the user's own account on the hub, as if they had uploaded them."""
        running = self._running(name)
        if not running and not self.start_servers:
            self._not_written.append(f"home of {name}: their server is not running (--start-servers starts it)")
            return
        if not running:
            self.client.start_server(name, timeout=600)
        try:
            self._put(name, archive)
        finally:
            if not running:
                self.client.stop_server(name, wait=True, timeout=300)

    def _put(self, name: str, archive: bytes) -> None:
        base = f"{self.url}/user/{quote(name, safe='@~')}/api/contents"
        headers = {"Authorization": f"token {self._token}"}
        hidden = 0
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                path = member.name.removeprefix("./").strip("/")
                if not path:
                    continue
                if any(part.startswith(".") for part in path.split("/")):
                    hidden += 1  # the contents API refuses hidden paths
                    continue
                if member.isdir():
                    model: dict[str, Any] = {"type": "directory"}
                elif member.isfile():
                    content = tar.extractfile(member).read()  # type: ignore[union-attr]
                    model = {"type": "file", "format": "base64", "content": base64.b64encode(content).decode()}
                else:
                    self._not_written.append(f"home of {name}: {path}: not a file or a folder")
                    continue
                resp = requests.put(f"{base}/{quote(path)}", json=model, headers=headers, timeout=300)
                resp.raise_for_status()
        if hidden:
            self._not_written.append(
                f"home of {name}: {hidden} hidden files and folders: the contents API refuses them"
            )

    def _files(self, name: str) -> dict[str, bytes | None]:
        """{path: content, or None for a folder}, walking the contents API from the home's top."""
        base = f"{self.url}/user/{quote(name, safe='@~')}"
        headers = {"Authorization": f"token {self._token}"}
        found: dict[str, bytes | None] = {}
        folders = [""]
        while folders:
            folder = folders.pop()
            listing = requests.get(
                f"{base}/api/contents/{quote(folder)}", params={"content": 1}, headers=headers, timeout=60
            )
            listing.raise_for_status()
            for item in listing.json()["content"]:
                if item["type"] == "directory":
                    found[item["path"]] = None
                    folders.append(item["path"])
                else:
                    resp = requests.get(f"{base}/files/{quote(item['path'])}", headers=headers, timeout=300)
                    resp.raise_for_status()
                    found[item["path"]] = resp.content
        return found

    def read_shared(self, name: str) -> bytes:
        self._not_read.append(f"shared folder {name}: it has no address over HTTP; copy it from the old hub's storage")
        return _tar({})

    def environments(self) -> list[UserEnvironment]:
        self._not_read.append("user environments: their package lists cannot be read over HTTP")
        return []


def _tar(files: dict[str, Any]) -> bytes:
    """A folder archive of {path: bytes, or None for a folder}, as `Runner.read_home` returns."""
    out = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.mtime = now
            content = files[path]
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(content), 0o644
                tar.addfile(info, io.BytesIO(content))
    return out.getvalue()
