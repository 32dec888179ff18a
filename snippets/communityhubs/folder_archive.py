"""Folder archives (a user's home, a shared folder): made, checked, listed and unpacked.

Hubs hand homes over as tar archives (`Runner.read_home`). Here an archive
becomes a listing, {path: what}, where `what` is a file's SHA-256, a link's
target or "dir": two homes are the same when their listings are equal, whatever
tar wrote them (Python's tarfile locally, GNU tar in a container).
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import CommunityHubsError


class UnsafeArchive(CommunityHubsError, ValueError):
    """An archive that would write outside its folder; str(error) is one line."""


@dataclass(frozen=True)
class Listing:
    """The entries of a folder archive and the bytes its files hold."""

    entries: dict[str, str]
    bytes: int

    @property
    def files(self) -> int:
        return sum(1 for what in self.entries.values() if what.startswith("sha256:"))

    @property
    def empty(self) -> bool:
        return not self.entries


def member_path(name: str) -> str:
    """A member's path inside the folder: GNU tar's "./a" and tarfile's "a" are the same."""
    path = name
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/") or "."


def check_member(member: tarfile.TarInfo, links: set[str], where: str) -> str:
    """The member's folder-relative path; refuses paths that leave the folder or pass through a link."""
    path = member_path(member.name)
    pure = PurePosixPath(path)
    if pure.is_absolute():
        raise UnsafeArchive(f"{where}: {member.name!r} is an absolute path")
    if ".." in pure.parts:
        raise UnsafeArchive(f"{where}: {member.name!r} escapes its folder")
    for parent in list(pure.parents)[:-1]:
        if str(parent) in links:
            raise UnsafeArchive(f"{where}: {member.name!r} would be written through the link {str(parent)!r}")
    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise UnsafeArchive(f"{where}: {member.name!r} is a device or pipe, not a file, folder or link")
    if member.islnk():
        target = PurePosixPath(member_path(member.linkname))
        if target.is_absolute() or ".." in target.parts:
            raise UnsafeArchive(f"{where}: hard link {member.name!r} points outside its folder")
    return path


def listing(archive: bytes, where: str = "archive") -> Listing:
    """Check every member is safe to unpack and list them; links are recorded, never followed."""
    entries: dict[str, str] = {}
    links: set[str] = set()
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            for member in tar:
                path = check_member(member, links, where)
                if path == ".":
                    continue
                if member.issym():
                    links.add(path)
                    entries[path] = f"link:{member.linkname}"
                elif member.islnk():
                    entries[path] = entries.get(member_path(member.linkname), "missing")
                elif member.isdir():
                    entries[path] = "dir"
                else:
                    data = tar.extractfile(member).read()  # type: ignore[union-attr]
                    entries[path] = f"sha256:{hashlib.sha256(data).hexdigest()}"
                    total += len(data)
    except tarfile.TarError as err:
        raise UnsafeArchive(f"{where}: not a readable tar archive: {err}") from None
    return Listing(entries, total)


def tar_folder(folder: Path | None) -> bytes:
    """A folder's contents as a tar archive (empty for None or a missing folder);
    links are kept as links, never followed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if folder is not None and folder.is_dir():
            for item in sorted(folder.iterdir()):
                tar.add(item, arcname=item.name)
    return buffer.getvalue()


def untar_into(archive: bytes, folder: Path) -> None:
    """Unpack an archive that `folder_archive.listing` accepts: nothing lands outside the
    folder or is written through a link; links themselves are kept as they are. Files
    belong to the account the hub runs as, whoever wrote the archive."""
    listing(archive, where=str(folder))  # refuses before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        members = [owned_here(m) for m in tar.getmembers()]
        if hasattr(tarfile, "tar_filter"):  # Python 3.11.4 and later: tarfile's own checks as well
            tar.extractall(folder, members=members, filter="tar")
        else:  # Debian 12's Python 3.11.2 has no extraction filters; `listing` did the checks
            tar.extractall(folder, members=members, numeric_owner=True)


def owned_here(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """The member owned by this account, without setuid, setgid or sticky bits."""
    member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
    member.mode &= 0o777
    return member
