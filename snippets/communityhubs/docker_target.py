"""Render a hub spec for the `docker` target: the hub and proxy run on this
machine (as for `local`), user servers run in containers from our user image,
each with a named volume for its home directory.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from .images import USER_IMAGE, docker_answers, image_exists
from .local_hub import HubError
from .render import LocalPorts, render_hub
from .spec import HubSpec

HOME = "/home/jovyan"


def volume_name(hub: str, what: str) -> str:
    """Docker names for a hub's volumes: one per user, one per shared folder."""
    return f"chub-{hub}-{what}"


def render_docker(spec: HubSpec, ports: LocalPorts, state_dir: Path, proxy_cmd: list[str]) -> dict[str, Any]:
    settings = render_hub(spec, ports, state_dir, proxy_cmd)
    settings["JupyterHub"]["spawner_class"] = "communityhubs.docker_spawner.HostNetworkDockerSpawner"
    settings["Spawner"]["notebook_dir"] = HOME
    limits = spec.section("limits")
    docker: dict[str, Any] = {
        "image": spec.section("environment").get("image", USER_IMAGE),
        "remove": True,  # containers go when servers stop; the volumes stay
        "name_template": f"chub-{spec.name}-{{username}}",
        "volumes": {volume_name(spec.name, "home-{username}"): HOME},
        "shared_volumes": {
            volume_name(spec.name, f"shared-{d['name']}"): f"/srv/shared/{d['name']}"
            for d in spec.data.get("shared_data", [])
        },
        "pull_policy": "never",  # images are built here, never pulled
    }
    if "mem_limit" in limits:
        docker["mem_limit"] = limits["mem_limit"]
    if "cpu_limit" in limits:
        docker["cpu_limit"] = float(limits["cpu_limit"])
    profiles = spec.section("environment").get("profiles")
    if profiles:
        docker["allowed_images"] = {p["name"]: p["image"] for p in profiles}
    settings["HostNetworkDockerSpawner"] = docker
    return settings


def _docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True)


def docker_ready(image: str = USER_IMAGE) -> str:
    """'' if a Docker engine answers and the user image is built, else why not."""
    if not docker_answers():
        return "no Docker engine answers (install docker.io and start dockerd)"
    if not image_exists(image):
        return f"the user image {image} is not built (communityhubs image build)"
    return ""


def prepare(spec: HubSpec) -> None:
    """Check Docker and the images, and create shared-data volumes that the
    image's user (uid 1000) owns, so admins can write to them."""
    if not docker_answers():
        raise HubError("no Docker engine answers: start dockerd (or use the local target)")
    images = {spec.section("environment").get("image", USER_IMAGE)}
    images |= {p["image"] for p in spec.section("environment").get("profiles", [])}
    for image in sorted(images):
        if not image_exists(image):
            raise HubError(
                f"{spec.source}: environment.image: {image!r} is not built here: run `communityhubs image build`"
            )
    for data in spec.data.get("shared_data", []):
        volume = volume_name(spec.name, f"shared-{data['name']}")
        if _docker("volume", "inspect", volume).returncode != 0:
            _docker("volume", "create", volume)
            image = spec.section("environment").get("image", USER_IMAGE)
            done = _docker(
                "run",
                "--rm",
                "--network",
                "none",
                "--user",
                "0",
                "-v",
                f"{volume}:/data",
                image,
                "chown",
                "1000:1000",
                "/data",
            )
            if done.returncode != 0:
                raise HubError(f"could not prepare shared volume {volume}: {done.stderr.strip()[:200]}")


def remove_containers(spec: HubSpec) -> None:
    listed = _docker("ps", "-aq", "--filter", f"name=^chub-{spec.name}-")
    ids = listed.stdout.split()
    if ids:
        _docker("rm", "-f", *ids)


def remove_volumes(spec: HubSpec) -> None:
    """Delete the hub's user and shared volumes: its data is gone after this."""
    listed = _docker("volume", "ls", "-q", "--filter", f"name=^chub-{spec.name}-")
    names = listed.stdout.split()
    if names:
        _docker("volume", "rm", "-f", *names)
