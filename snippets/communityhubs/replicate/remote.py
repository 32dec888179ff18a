"""A running hub this tool did not start, read over HTTP with an admin token (`export --url`).

Users, groups and roles come from the REST API as for any hub. Homes come through
each user's own server, with the Jupyter server's contents API, as the take-home
guide's `download_home` does: only servers that run, or that `start_servers`
starts (and stops again), can be read. Hidden files are not listed by that API,
shared folders and package lists have no HTTP address at all. Everything that
could not be read is named in `not_read`, which the bundle's manifest keeps.
"""

from __future__ import annotations

import io
import tarfile
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from ..client import HubAPIError, HubClient
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

    def info(self) -> RemoteInfo:
        self.client.whoami()  # the hub answers and takes the token before anything is written
        return RemoteInfo(self.url, self._token)

    def not_read(self) -> list[str]:
        return list(self._not_read)

    def read_home(self, name: str) -> bytes:
        """The user's home as a tar archive, through their server; empty if it cannot be read."""
        running = bool(self.client.user(name).get("server"))
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
