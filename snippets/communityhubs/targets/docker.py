"""The docker target: the hub and proxy run on this machine (as for local),
user servers run in containers from our user image, each user's home in a
named volume.

Containers run on a Docker network of the hub's own, with traffic between
containers switched off: a server can reach the hub's API at the network's
gateway and nothing else on this machine, and it cannot bind a port on this
machine's loopback (where the hub's public port is). Each server's port is
published on 127.0.0.1 only, where the proxy reaches it.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .. import mapping, names, traits
from ..hubprocess import DEFAULT_PORTS, Ports
from ..images import USER_IMAGE, docker_answers, image_exists, recipe_folder
from ..sections import languages, pulling, refuse
from ..spec import HubSpec, SpecError
from . import docker_engine as engine
from .base import UserEnvironment
from .process import ProcessRunner, ProcessTarget
from .pyconfig import Section, render_config


def volume_name(hub: str, what: str) -> str:
    """Docker names for a hub's volumes: one per user, one per shared folder."""
    return names.resource(hub, what)


def home_template(hub: str) -> str:
    """DockerSpawner's template for a user's home volume; it fills in the escaped username."""
    return volume_name(hub, "home-{username}")


def network_name(hub: str) -> str:
    """The Docker network a hub's user servers run on."""
    return names.resource(hub)


def spawner_class(spec: HubSpec) -> str:
    """Plain DockerSpawner, unless the hub offers profiles or shares folders (our small subclasses)."""
    if spec.section("environment").get("profiles"):
        return "communityhubs.docker_spawner.ProfilesDockerSpawner"  # shares folders too
    if spec.data.get("shared_data"):
        return "communityhubs.docker_spawner.SharedDataDockerSpawner"
    return "docker"


class DockerTarget(ProcessTarget):
    name = "docker"

    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
        for where, key in traits.placements(spec):
            why = "every server runs on this one machine: there is no node to choose and no device to hand out"
            raise refuse(spec, f"{where}.{key}", self.name, why)
        environment = spec.section("environment")
        s = Section("spawner", "user servers: one container each (DockerSpawner)")
        s.set("JupyterHub.spawner_class", spawner_class(spec))
        s.set(
            "DockerSpawner.network_name",
            network_name(spec.name),
            "the hub's own network: containers can reach its API, not each other or this machine's loopback",
        )
        s.set("DockerSpawner.use_internal_ip", False, "the proxy reaches each server at a port published on 127.0.0.1")
        s.set("DockerSpawner.host_ip", "127.0.0.1")
        s.set("DockerSpawner.image", languages.hub_image(spec, USER_IMAGE))
        s.set("DockerSpawner.pull_policy", "never", "images are built on this machine, never pulled")
        s.set("DockerSpawner.remove", True, "containers go when servers stop; the volumes stay")
        s.set("DockerSpawner.name_template", names.resource(spec.name, "{username}"))
        s.set("DockerSpawner.notebook_dir", names.HOME)
        s.set(
            "DockerSpawner.volumes",
            {home_template(spec.name): names.HOME},
            "each user's home is a named volume that outlives the container",
        )
        sections = [s]

        env = Section("environment", "choices of environment")
        if environment.get("profiles"):
            env.set(
                "ProfilesDockerSpawner.profile_list",
                traits.profile_list(spec),
                "KubeSpawner's profile_list; start a server with {'profile': NAME, 'OPTION': CHOICE}",
            )
        sections.append(pulling.jupyterhub_config(spec, self.name, env))

        limits = Section("limits", "Docker enforces these with control groups")
        host_config = mapping.docker_reservations(spec.section("limits"))
        if host_config:
            limits.set("DockerSpawner.extra_host_config", host_config, "guarantees: Docker's soft reservations")
        sections.append(limits)

        shared = Section("shared_data", "folders shared with every user")
        volumes = {
            volume_name(spec.name, f"shared-{d['name']}"): {
                "path": f"{names.SHARED_ROOT}/{d['name']}",
                "read_only": d.get("read_only", spec.settings["shared_data[].read_only"]),
            }
            for d in spec.data.get("shared_data", [])
        }
        if volumes:
            shared.set("SharedDataDockerSpawner.shared_volumes", volumes, "read_only folders stay writable for admins")
        sections.append(shared)
        return render_config(spec, ports, sections, self.name, hub_network=network_name(spec.name))

    def unavailable(self) -> str:
        if not docker_answers():
            return "no Docker engine answers (install docker.io and start dockerd)"
        if not image_exists(USER_IMAGE):
            return f"the user image {USER_IMAGE} is not built (communityhubs image build)"
        return ""

    def runner(self, spec: HubSpec, state_dir: Path, port: int | None = None, **options: Any) -> DockerRunner:
        self.check_options(options)
        return DockerRunner(self, spec, state_dir, port)


class DockerRunner(ProcessRunner):
    """A docker hub: its network, its containers and its volumes, all named `chub-<hub>-...`."""

    @property
    def images(self) -> list[str]:
        return traits.images(self.spec, default=USER_IMAGE)

    @property
    def network(self) -> str:
        return network_name(self.spec.name)

    def prepare(self) -> None:
        """Check the images; create the hub's network, and shared-data volumes that the
        image's user (uid 1000) owns."""
        super().prepare()
        for image in self.images:
            if not image_exists(image):
                raise SpecError(
                    f"{self.spec.source}: environment.image: {image!r} is not built here: "
                    "run `communityhubs image build`"
                )
        engine.ensure_network(self.network)
        for data in self.spec.data.get("shared_data", []):
            engine.new_volume(self.images[0], self.shared_volume(data["name"]), names.DOCKER_OWNER)

    def down(self) -> bool:
        if not super().down():  # no hub ran from this folder: containers of this name belong to another copy
            return False
        # The hub stops its servers; these are what a crashed hub left.
        engine.remove("container", engine.listed("container", names.resources_filter(self.spec.name)))
        engine.remove_network(self.network)
        return True

    def isolation(self) -> str:
        return (
            "user servers run as: uid 1000 in a container each, on the hub's own network "
            "(no traffic between containers), each home a volume of its own"
        )

    def leftovers(self) -> str:
        found = self.process.leftover_processes()  # one scan of the process table
        if not found:  # only a crash of this folder's hub says the containers are its own
            return ""
        running = engine.listed("container", names.resources_filter(self.spec.name), stopped_too=False)
        return self.process.describe_leftovers(containers=len(running), found=found)

    def doomed(self) -> list[str]:
        return [f"Docker volume {v}" for v in engine.listed("volume", names.resources_filter(self.spec.name))]

    def forget(self) -> None:
        """Delete the hub's user and shared volumes: its data is gone after this."""
        engine.remove("volume", engine.listed("volume", names.resources_filter(self.spec.name)))

    def home_volume(self, user: str) -> str:
        """The volume DockerSpawner mounts as `user`'s home, named by DockerSpawner's own escaping."""
        from dockerspawner import DockerSpawner  # imports JupyterHub: only when asked
        from dockerspawner.volumenamingstrategy import default_format_volume_name

        spawner = DockerSpawner(user=SimpleNamespace(name=user), image=self.images[0])
        return default_format_volume_name(home_template(self.spec.name), spawner)

    def shared_volume(self, name: str) -> str:
        return volume_name(self.spec.name, f"shared-{name}")

    def read_home(self, user: str) -> bytes:
        return engine.read_volume(self.images[0], self.home_volume(user))

    def write_home(self, user: str, archive: bytes) -> None:
        engine.write_volume(self.images[0], self.home_volume(user), archive, names.DOCKER_OWNER)

    def read_shared(self, name: str) -> bytes:
        return engine.read_volume(self.images[0], self.shared_volume(name))

    def write_shared(self, name: str, archive: bytes) -> None:
        engine.write_volume(self.images[0], self.shared_volume(name), archive, names.DOCKER_OWNER)

    def environments(self) -> list[UserEnvironment]:
        found = []
        for image in self.images:
            folder = recipe_folder(image)
            recipe = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder else {}
            found.append(UserEnvironment(image, engine.pip_freeze(image), recipe, engine.image_id(image)))
        return found
