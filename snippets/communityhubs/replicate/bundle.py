"""The replication bundle: one tar file a community can carry to any hub.

Layout, in this order (open it with any `tar`):

    bundle.json            {"kind": "communityhubs-bundle", "format": 1}
    spec/hub.yaml          the hub specification
    config/...             the native configuration rendered for the source target
    hub/users.json         users: admin flag, groups, roles
    hub/groups.json        groups: members, properties, roles
    homes/NNNN.tar         each user's home folder (users.json says whose)
    shared/NNNN.tar        each shared folder
    environments/NNNN/...  each user environment: recipe files and `pip freeze`
    manifest.json          what it holds, where from, and the SHA-256 of every member
    manifest.sha256        the SHA-256 of manifest.json

Every byte of the file is checked before anything is read from it: headers are
compared with their canonical form, data with the manifest's SHA-256, padding
and the end of the archive must be zeros. So one flipped byte or a truncated
copy is refused, never half-imported.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import CommunityHubsError
from ..folder_archive import Listing, UnsafeArchive, listing

KIND = "communityhubs-bundle"
FORMAT = 1
MARKER = "bundle.json"
MANIFEST = "manifest.json"
SEAL = "manifest.sha256"
TAR_FORMAT = tarfile.GNU_FORMAT  # base-256 sizes: homes over 8 GB still fit
ENCODING = "utf-8"
CHUNK = 1 << 20


class BundleError(CommunityHubsError, ValueError):
    """A bundle that cannot be written or used; str(error) is one line naming the file."""


def count(n: int, noun: str) -> str:
    """'1 home', '2 homes'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


class BundleWriter:
    """Writes a bundle to a hidden temporary file beside `path` and renames it into
    place only when complete: a failed export leaves no bundle, half or whole."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.files: dict[str, dict[str, Any]] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        self._partial = Path(partial)
        self._file = os.fdopen(fd, "wb")  # mkstemp makes it 0600: homes are private data
        self._tar = tarfile.open(fileobj=self._file, mode="w:", format=TAR_FORMAT, encoding=ENCODING)
        self.add(MARKER, dumps({"kind": KIND, "format": FORMAT}))

    def add(self, name: str, data: bytes) -> None:
        if not name.isascii() or name in self.files:
            raise BundleError(f"{self.path}: member name {name!r} is not ASCII or is repeated")
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = 0  # the same hub exports the same bytes
        self._tar.addfile(info, io.BytesIO(data))
        self.files[name] = {"sha256": sha256(data), "size": len(data)}

    def finish(self, manifest: dict[str, Any]) -> Path:
        body = dumps({**manifest, "kind": KIND, "format": FORMAT, "files": self.files})
        self.add(MANIFEST, body)
        self.add(SEAL, f"{sha256(body)}  {MANIFEST}\n".encode())
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._partial, self.path)
        return self.path

    def abort(self) -> None:
        self._tar.close()
        self._file.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None and self._partial.exists():
            self.abort()


@dataclass
class Bundle:
    """A bundle whose every byte has been verified (see `open_bundle`)."""

    path: Path
    manifest: dict[str, Any]
    _where: dict[str, tuple[int, int]] = field(repr=False)
    archives: dict[str, Listing] = field(repr=False)
    """The listing of every folder archive (homes/*.tar, shared/*.tar), checked safe to unpack."""

    def read(self, name: str) -> bytes:
        offset, size = self._where[name]
        with self.path.open("rb") as f:
            f.seek(offset)
            return f.read(size)

    def json(self, name: str) -> Any:
        return json.loads(self.read(name))

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def open_bundle(path: str | Path) -> Bundle:
    """Verify a bundle completely, then return it. Refuses (BundleError) a file that
    is not a bundle, is of a newer format, is truncated, or has any byte changed."""
    path = Path(path)
    if not path.is_file():
        raise BundleError(f"{path}: no such bundle file")
    with path.open("rb") as f:
        try:
            tar = tarfile.open(fileobj=f, mode="r:", encoding=ENCODING)
        except tarfile.ReadError:
            raise BundleError(f"{path}: not a Community Hubs bundle: not a tar archive") from None
        with tar:
            return _verified(path, f, tar)


def _verified(path: Path, f: Any, tar: tarfile.TarFile) -> Bundle:
    try:
        members = _members(path, tar)
        _check_marker(path, tar, members[0])
        _check_layout(path, f, members)
        manifest = _check_manifest(path, tar, members)
        where = {m.name: (m.offset_data, m.size) for m in members}
        _check_files(path, f, manifest, where)
    except tarfile.ReadError as err:
        raise BundleError(f"{path}: truncated or damaged: {err}") from None
    bundle = Bundle(path, manifest, where, {})  # reads reopen the file by offset
    for name in where:
        if name.startswith(("homes/", "shared/")) and name.endswith(".tar"):
            try:
                bundle.archives[name] = listing(bundle.read(name), where=f"{path}: {name}")
            except UnsafeArchive as err:
                raise BundleError(str(err)) from None
    return bundle


def _members(path: Path, tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    if not members or members[0].name != MARKER:
        raise BundleError(f"{path}: not a Community Hubs bundle: it does not begin with {MARKER}")
    names = [m.name for m in members]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BundleError(f"{path}: damaged: {repeated[0]!r} appears more than once")
    return members


def _check_marker(path: Path, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    try:
        marker = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
        kind, version = marker["kind"], marker["format"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BundleError(f"{path}: not a Community Hubs bundle: {MARKER} is not readable") from None
    if kind != KIND or not isinstance(version, int):
        raise BundleError(f"{path}: not a Community Hubs bundle: {MARKER} says kind {kind!r}")
    if version > FORMAT:
        raise BundleError(
            f"{path}: bundle format {version} is newer than this communityhubs reads ({FORMAT}): upgrade communityhubs"
        )


def _check_layout(path: Path, f: Any, members: list[tarfile.TarInfo]) -> None:
    """Headers in canonical form, zeros in every padding and after the last member."""
    expected_offset = 0
    for m in members:
        if m.offset != expected_offset or not m.isreg():
            raise BundleError(f"{path}: damaged at byte {m.offset}: unexpected member {m.name!r}")
        f.seek(m.offset)
        if f.read(m.offset_data - m.offset) != m.tobuf(TAR_FORMAT, ENCODING, "surrogateescape"):
            raise BundleError(f"{path}: damaged at byte {m.offset}: the header of {m.name!r} was changed")
        end = m.offset_data + m.size
        padded = -(-end // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
        f.seek(end)
        if f.read(padded - end).strip(b"\0"):
            raise BundleError(f"{path}: damaged at byte {end}: padding after {m.name!r} was changed")
        expected_offset = padded
    size = f.seek(0, os.SEEK_END)
    if size % tarfile.RECORDSIZE or size - expected_offset < 2 * tarfile.BLOCKSIZE:
        raise BundleError(f"{path}: truncated: {size} bytes do not end in a complete tar record")
    f.seek(expected_offset)
    while block := f.read(CHUNK):
        if block.strip(b"\0"):
            raise BundleError(f"{path}: damaged after byte {expected_offset}: data after the end of the archive")


MANIFEST_KEYS = (
    "hub",
    "exported_at",
    "files",
    "new_hub_needs",
    "source.target",
    "source.jupyterhub",
    *(f"counts.{what}" for what in ("users", "groups", "homes", "files")),
)
"""What `verify` and `import` read from every manifest."""


def _check_manifest(path: Path, tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict[str, Any]:
    if [m.name for m in members[-2:]] != [MANIFEST, SEAL]:
        raise BundleError(f"{path}: truncated or damaged: it does not end with {MANIFEST} and {SEAL}")
    body = tar.extractfile(members[-2]).read()  # type: ignore[union-attr]
    seal = tar.extractfile(members[-1]).read()  # type: ignore[union-attr]
    if seal != f"{sha256(body)}  {MANIFEST}\n".encode():
        raise BundleError(f"{path}: damaged: {MANIFEST} does not match its SHA-256 in {SEAL}")
    manifest = json.loads(body)
    if (
        manifest.get("kind") != KIND
        or manifest.get("format") != json.loads(tar.extractfile(members[0]).read())["format"]
    ):  # type: ignore[union-attr]
        raise BundleError(f"{path}: damaged: {MANIFEST} and {MARKER} disagree")
    for key in MANIFEST_KEYS:  # sealed, yet not written by `communityhubs export`: say what is missing
        node: Any = manifest
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise BundleError(f"{path}: not a complete bundle: {MANIFEST} has no {key!r}")
            node = node[part]
    return manifest


def _check_files(path: Path, f: Any, manifest: dict[str, Any], where: dict[str, tuple[int, int]]) -> None:
    listed = set(manifest["files"])
    present = set(where) - {MANIFEST, SEAL}
    if listed != present:
        odd = sorted(listed ^ present)[0]
        raise BundleError(f"{path}: damaged: {odd!r} is {'missing' if odd in listed else 'not in the manifest'}")
    for name in sorted(present):
        offset, size = where[name]
        digest = hashlib.sha256()
        f.seek(offset)
        left = size
        while left:
            block = f.read(min(CHUNK, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)
        expected = manifest["files"][name]
        if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
            raise BundleError(f"{path}: damaged: {name} does not match its SHA-256 in the manifest")


def describe_bundle(bundle: Bundle) -> str:
    """What `communityhubs verify` prints: where the bundle is from, what it holds, what it lacks."""
    m = bundle.manifest
    counts = m["counts"]
    lines = [
        f"{bundle.path.name}: every byte checked ({bundle.size / 1e6:.1f} MB, bundle format {m['format']})",
        f"hub {m['hub']}, exported from the {m['source']['target']} target "
        f"(JupyterHub {m['source']['jupyterhub']}) at {m['exported_at']}",
        f"holds {count(counts['users'], 'user')}, {count(counts['groups'], 'group')} and "
        f"{count(counts['homes'], 'home')} ({count(counts['files'], 'file')})",
        "the new hub must be given:",
        *(f"  - {need}" for need in m["new_hub_needs"]),
    ]
    return "\n".join(lines)
