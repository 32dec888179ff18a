"""DockerSpawner with shared-data volumes whose read-only mounts stay writable for admins.

Only hubs with `shared_data` use this class; every other docker hub runs
DockerSpawner itself. It uses DockerSpawner's `volume_binds` extension point
rather than rewriting `volumes` when a server starts.
"""

from __future__ import annotations

from dockerspawner import DockerSpawner
from traitlets import Dict


class SharedDataDockerSpawner(DockerSpawner):
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
