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

import string
import subprocess
from pathlib import Path

from escapism import escape

from .. import mapping, names, traits
from ..hubprocess import DEFAULT_PORTS, HubError, HubProcess, Ports
from ..images import USER_IMAGE, docker_answers, image_exists, recipe_folder
from ..spec import HubSpec, SpecError
from .base import ProcessTarget, UserEnvironment, tar_folder
from .pyconfig import Section, render_config


def volume_name(hub: str, what: str) -> str:
    """Docker names for a hub's volumes: one per user, one per shared folder."""
    return names.resource(hub, what)


def network_name(hub: str) -> str:
    """The Docker network a hub's user servers run on."""
    return names.resource(hub)


def escaped(username: str) -> str:
    """A username as DockerSpawner writes it in names: `demo-ada` becomes `demo-2dada`."""
    return escape(username, set(string.ascii_lowercase + string.digits), escape_char="-").lower()


def _docker(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, input=stdin)


def spawner_class(spec: HubSpec) -> str:
    """Plain DockerSpawner, unless the hub offers profiles or shares folders (our small subclasses)."""
    if spec.section("environment").get("profiles"):
        return "communityhubs.docker_spawner.ProfilesDockerSpawner"  # shares folders too
    if spec.data.get("shared_data"):
        return "communityhubs.docker_spawner.SharedDataDockerSpawner"
    return "docker"


class DockerTarget(ProcessTarget):
    name = "docker"

    def images(self, spec: HubSpec) -> list[str]:
        return traits.images(spec, default=USER_IMAGE)

    def sections(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> list[Section]:
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
        s.set("DockerSpawner.image", environment.get("image", USER_IMAGE))
        s.set("DockerSpawner.pull_policy", "never", "images are built on this machine, never pulled")
        s.set("DockerSpawner.remove", True, "containers go when servers stop; the volumes stay")
        s.set("DockerSpawner.name_template", names.resource(spec.name, "{username}"))
        s.set("DockerSpawner.notebook_dir", names.HOME)
        s.set(
            "DockerSpawner.volumes",
            {volume_name(spec.name, "home-{username}"): names.HOME},
            "each user's home is a named volume that outlives the container",
        )
        sections = [s]

        env = Section("environment", "choices of environment")
        if environment.get("profiles"):
            env.set(
                "ProfilesDockerSpawner.profile_list",
                traits.profile_list(spec),
                "KubeSpawner's profile_list; start a server with {'profile': NAME, 'profile-option-OPTION': CHOICE}",
            )
        sections.append(env)

        limits = Section("limits", "Docker enforces these with control groups")
        host_config = mapping.docker_reservations(spec.section("limits"))
        if host_config:
            limits.set("DockerSpawner.extra_host_config", host_config, "guarantees: Docker's soft reservations")
        sections.append(limits)

        shared = Section("shared_data", "folders shared with every user")
        volumes = {
            volume_name(spec.name, f"shared-{d['name']}"): {
                "path": f"{names.SHARED_ROOT}/{d['name']}",
                "read_only": d.get("read_only", spec.value("shared_data[].read_only")),
            }
            for d in spec.data.get("shared_data", [])
        }
        if volumes:
            shared.set("SharedDataDockerSpawner.shared_volumes", volumes, "read_only folders stay writable for admins")
        sections.append(shared)
        return render_config(spec, ports, sections, hub_network=network_name(spec.name))

    def unavailable(self) -> str:
        if not docker_answers():
            return "no Docker engine answers (install docker.io and start dockerd)"
        if not image_exists(USER_IMAGE):
            return f"the user image {USER_IMAGE} is not built (communityhubs image build)"
        return ""

    def prepare(self, spec: HubSpec) -> None:
        """Check the images; create the hub's network, and shared-data volumes that the
        image's user (uid 1000) owns."""
        super().prepare(spec)
        for image in self.images(spec):
            if not image_exists(image):
                raise SpecError(
                    f"{spec.source}: environment.image: {image!r} is not built here: run `communityhubs image build`"
                )
        network = network_name(spec.name)
        if _docker("network", "inspect", network).returncode != 0:
            made = _docker("network", "create", "--opt", "com.docker.network.bridge.enable_icc=false", network)
            if made.returncode != 0:
                raise HubError(f"docker network create {network} failed: {made.stderr.decode(errors='replace')[:200]}")
        for data in spec.data.get("shared_data", []):
            volume = self.shared_volume(spec, data["name"])
            if _docker("volume", "inspect", volume).returncode != 0:
                _docker("volume", "create", volume)
                self._run_in_volume(spec, volume, "chown", names.DOCKER_OWNER, "/data")

    def _run_in_volume(self, spec: HubSpec, volume: str, *cmd: str, stdin: bytes | None = None) -> bytes:
        image = self.images(spec)[0]
        args = ["run", "--rm", "-i", "--network", "none", "--user", "0", "-v", f"{volume}:/data", image, *cmd]
        done = _docker(*args, stdin=stdin)
        if done.returncode != 0:
            raise HubError(
                f"docker run on volume {volume} failed: {done.stderr.decode(errors='replace').strip()[:200]}"
            )
        return done.stdout

    def down(self, spec: HubSpec, state_dir: Path) -> bool:
        stopped = super().down(spec, state_dir)
        if not stopped:  # no hub ran from this folder: containers of this name belong to another copy
            return False
        listed = _docker("ps", "-aq", "--filter", f"name={names.resources_filter(spec.name)}")
        ids = listed.stdout.decode().split()
        if ids:  # the hub stops its servers; these are what a crashed hub left
            _docker("rm", "-f", *ids)
        _docker("network", "rm", network_name(spec.name))
        return True

    def isolation(self, state_dir: Path) -> str:
        return (
            "user servers run as: uid 1000 in a container each, on the hub's own network "
            "(no traffic between containers), each home a volume of its own"
        )

    def leftovers(self, spec: HubSpec, state_dir: Path) -> str:
        process = HubProcess(state_dir)
        found = process.leftovers()  # one scan of the process table
        if not found:  # only a crash of this folder's hub says the containers are its own
            return ""
        listed = _docker("ps", "-q", "--filter", f"name={names.resources_filter(spec.name)}").stdout.decode().split()
        return process.describe_leftovers(containers=len(listed), found=found)

    def forget(self, spec: HubSpec, state_dir: Path) -> None:
        """Delete the hub's user and shared volumes: its data is gone after this."""
        listed = _docker("volume", "ls", "-q", "--filter", f"name={names.resources_filter(spec.name)}")
        volumes = listed.stdout.decode().split()
        if volumes:
            _docker("volume", "rm", "-f", *volumes)

    def home_volume(self, spec: HubSpec, user: str) -> str:
        return volume_name(spec.name, f"home-{escaped(user)}")

    def read_volume(self, spec: HubSpec, volume: str) -> bytes:
        """A volume's contents as a tar archive; empty when it was never made (a user who never started)."""
        if _docker("volume", "inspect", volume).returncode != 0:
            return tar_folder(None)
        return self._run_in_volume(spec, volume, "tar", "-C", "/data", "-cf", "-", ".")

    def write_volume(self, spec: HubSpec, volume: str, archive: bytes) -> None:
        """Unpack into a volume (made if needed), owned by the image's user (uid 1000)."""
        _docker("volume", "create", volume)
        self._run_in_volume(
            spec, volume, "sh", "-c", f"tar -C /data -xf - && chown -R {names.DOCKER_OWNER} /data", stdin=archive
        )

    def shared_volume(self, spec: HubSpec, name: str) -> str:
        return volume_name(spec.name, f"shared-{name}")

    def read_home(self, spec: HubSpec, state_dir: Path, user: str) -> bytes:
        return self.read_volume(spec, self.home_volume(spec, user))

    def write_home(self, spec: HubSpec, state_dir: Path, user: str, archive: bytes) -> None:
        self.write_volume(spec, self.home_volume(spec, user), archive)

    def read_shared(self, spec: HubSpec, state_dir: Path, name: str) -> bytes:
        return self.read_volume(spec, self.shared_volume(spec, name))

    def write_shared(self, spec: HubSpec, state_dir: Path, name: str, archive: bytes) -> None:
        self.write_volume(spec, self.shared_volume(spec, name), archive)

    def environments(self, spec: HubSpec, state_dir: Path) -> list[UserEnvironment]:
        found = []
        for image in self.images(spec):
            done = _docker("run", "--rm", "--network", "none", "--entrypoint", "python3", image, "-m", "pip", "freeze")
            if done.returncode != 0:
                raise HubError(f"pip freeze in {image} failed: {done.stderr.decode(errors='replace').strip()[:200]}")
            identity = _docker("image", "inspect", "-f", "{{.Id}}", image).stdout.decode().strip()
            folder = recipe_folder(image)
            recipe = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder else {}
            found.append(UserEnvironment(image, done.stdout.decode(), recipe, identity))
        return found
