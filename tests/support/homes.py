"""Home folders with the awkward things real homes hold, as tar archives a target can write.

Shared by the replication tests and the replication benchmark.
"""

from __future__ import annotations

import io
import os
import tarfile


def _add(tar: tarfile.TarFile, name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.uid = info.gid = 1000
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def archive(build) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    return buffer.getvalue()


def varied_home() -> bytes:
    """Non-ASCII names, spaces, an empty file, nested and hidden folders, links in and out."""

    def build(tar: tarfile.TarFile) -> None:
        _add(tar, "Données de terrain", kind=tarfile.DIRTYPE)
        _add(tar, "Données de terrain/relevé n° 1.csv", b"site,temp\nA,14.2\n")
        _add(tar, "empty file.txt", b"")
        _add(tar, ".config", kind=tarfile.DIRTYPE)
        _add(tar, ".config/deep", kind=tarfile.DIRTYPE)
        _add(tar, ".config/deep/er", kind=tarfile.DIRTYPE)
        _add(tar, ".config/deep/er/settings.json", b'{"theme": "dark"}\n')
        _add(tar, "empty folder", kind=tarfile.DIRTYPE)
        _add(tar, "latest.csv", kind=tarfile.SYMTYPE, link="Données de terrain/relevé n° 1.csv")
        _add(tar, "shared", kind=tarfile.SYMTYPE, link="/srv/shared")  # kept as a link, never followed

    return archive(build)


def big_home(megabytes: int = 50) -> bytes:
    def build(tar: tarfile.TarFile) -> None:
        _add(tar, "data.bin", os.urandom(megabytes * 1_000_000))

    return archive(build)


def many_files_home(count: int = 2000, size: int = 4000) -> bytes:
    """`count` files of `size` bytes (a small notebook or CSV), 100 to a folder."""

    def build(tar: tarfile.TarFile) -> None:
        for folder in range(-(-count // 100)):
            _add(tar, f"runs/{folder:02d}", kind=tarfile.DIRTYPE)
        for i in range(count):
            line = f"run {i}: {i * i}\n".encode()
            _add(tar, f"runs/{i // 100:02d}/result-{i:04d}.txt", (line * (size // len(line) + 1))[:size])

    return archive(build)


def unsafe_home(member: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> bytes:
    """A home archive with one member that tries to leave its folder."""

    def build(tar: tarfile.TarFile) -> None:
        _add(tar, "ok.txt", b"fine\n")
        _add(tar, member, b"gotcha\n", kind=kind, link=link)

    return archive(build)
