"""DockerSpawner on the host's network, so that all traffic stays on 127.0.0.1.

On the default bridge network a container reaches the hub through the bridge's
gateway address; with host networking the hub, the proxy and every user
server talk over loopback only. Each server therefore needs a port of its own,
and the hub must be told where it is (DockerSpawner cannot ask Docker).
Shared-data volumes are mounted for everyone: read-only ones stay writable for admins.
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
        help="{volume name: {'path': mount path, 'read_only': bool}} mounted in every server; "
        "read-only volumes stay writable for admins.",
        config=True,
    )

    @property
    def volume_binds(self) -> dict:
        binds = dict(super().volume_binds)
        for volume, share in self.shared_volumes.items():
            read_only = share.get("read_only", True) and not self.user.admin
            binds[volume] = {"bind": share["path"], "mode": "ro" if read_only else "rw"}
        return binds

    async def start(self):
        self.port = _free_port()
        return await super().start()

    async def get_ip_and_port(self):
        return "127.0.0.1", self.port
