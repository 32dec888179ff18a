"""The Docker engine, as the docker target uses it: networks, containers and volumes of
one hub, and short-lived containers that read or write a volume. Every call goes
through the `docker` command, and a failure becomes one line naming what failed."""

from __future__ import annotations

import subprocess

from ..folder_archive import tar_folder
from ..hubprocess import HubError


def docker(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, input=stdin)


def said(done: subprocess.CompletedProcess) -> str:
    return done.stderr.decode(errors="replace").strip()[:200]


def exists(kind: str, name: str) -> bool:
    """Whether a `network` or `volume` of this name exists."""
    return docker(kind, "inspect", name).returncode == 0


def ensure_network(name: str) -> None:
    """A bridge network with no traffic between its containers."""
    if exists("network", name):
        return
    made = docker("network", "create", "--opt", "com.docker.network.bridge.enable_icc=false", name)
    if made.returncode != 0:
        raise HubError(f"docker network create {name} failed: {said(made)}")


def remove_network(name: str) -> None:
    docker("network", "rm", name)


def listed(kind: str, pattern: str, stopped_too: bool = True) -> list[str]:
    """Ids of containers (`ps`) or names of volumes whose names match `pattern`."""
    if kind == "volume":
        return docker("volume", "ls", "-q", "--filter", f"name={pattern}").stdout.decode().split()
    flags = "-aq" if stopped_too else "-q"
    return docker("ps", flags, "--filter", f"name={pattern}").stdout.decode().split()


def remove(kind: str, names: list[str]) -> None:
    """Force-remove containers (`rm`) or volumes (`volume rm`)."""
    if names:
        docker(*(["rm", "-f"] if kind == "container" else ["volume", "rm", "-f"]), *names)


def run_in_volume(image: str, volume: str, *cmd: str, stdin: bytes | None = None) -> bytes:
    """Run `cmd` as root, with no network, in a container of `image` with the volume at /data."""
    args = ["run", "--rm", "-i", "--network", "none", "--user", "0", "-v", f"{volume}:/data", image, *cmd]
    done = docker(*args, stdin=stdin)
    if done.returncode != 0:
        raise HubError(f"docker run on volume {volume} failed: {said(done)}")
    return done.stdout


def read_volume(image: str, volume: str) -> bytes:
    """A volume's contents as a tar archive; empty when it was never made (a user who never started)."""
    if not exists("volume", volume):
        return tar_folder(None)
    return run_in_volume(image, volume, "tar", "-C", "/data", "-cf", "-", ".")


def write_volume(image: str, volume: str, archive: bytes, owner: str) -> None:
    """Unpack into a volume (made if needed), every file owned by `owner` (uid:gid)."""
    docker("volume", "create", volume)
    run_in_volume(image, volume, "sh", "-c", f"tar -C /data -xf - && chown -R {owner} /data", stdin=archive)


def new_volume(image: str, volume: str, owner: str) -> None:
    """An empty volume owned by `owner`, unless it exists already."""
    if not exists("volume", volume):
        docker("volume", "create", volume)
        run_in_volume(image, volume, "chown", owner, "/data")


def pip_freeze(image: str) -> str:
    done = docker("run", "--rm", "--network", "none", "--entrypoint", "python3", image, "-m", "pip", "freeze")
    if done.returncode != 0:
        raise HubError(f"pip freeze in {image} failed: {said(done)}")
    return done.stdout.decode()


def image_id(image: str) -> str:
    return docker("image", "inspect", "-f", "{{.Id}}", image).stdout.decode().strip()
