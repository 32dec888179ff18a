"""DockerSpawner on the host's network, so that all traffic stays on 127.0.0.1.

On the default bridge network a container reaches the hub through the bridge's
gateway address; with host networking the hub, the proxy and every user
server talk over loopback only. Each server therefore needs a port of its own,
and the hub must be told where it is (DockerSpawner cannot ask Docker).
Shared-data volumes are mounted read-only for users and read-write for admins.
"""

from __future__ import annotations

import socket

from dockerspawner import DockerSpawner
from traitlets import Bool, Dict, Unicode


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HostNetworkDockerSpawner(DockerSpawner):
    network_name = Unicode("host", config=True)
    ip = Unicode("127.0.0.1", config=True)
    # No port bindings (Docker refuses them on the host network); we report the address ourselves.
    use_internal_ip = Bool(True, config=True)
    shared_volumes = Dict(
        help="{volume name: mount path} mounted in every server: read-only for users, read-write for admins.",
        config=True,
    )

    async def start(self):
        self.port = _free_port()
        volumes = dict(self.volumes)
        mode = "rw" if self.user.admin else "ro"
        for volume, path in self.shared_volumes.items():
            volumes[volume] = {"bind": path, "mode": mode}
        self.volumes = volumes
        return await super().start()

    async def get_ip_and_port(self):
        return "127.0.0.1", self.port
