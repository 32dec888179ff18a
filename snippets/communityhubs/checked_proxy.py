"""configurable-http-proxy that fails loudly when it cannot take its public port.

When the proxy dies, JupyterHub starts a new one within seconds. If another
program has taken the public port meanwhile, the new proxy logs EADDRINUSE but
keeps running (its API port works), and JupyterHub logs "New proxy back up and
good to go" over a dead public port. This class checks that the proxy process
really listens on the public port; if not, it stops that proxy and raises, so
the hub logs an error and tries again at its next check, until the port is free.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import psutil
from jupyterhub.proxy import ConfigurableHTTPProxy


def listens_on(pid: int, port: int) -> bool:
    """True if the process (or a child of it) listens on the TCP port."""
    try:
        proc = psutil.Process(pid)
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return False
    for member in family:
        try:
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in member.net_connections("tcp")):
                return True
        except psutil.Error:
            continue
    return False


class PortCheckingProxy(ConfigurableHTTPProxy):
    async def start(self) -> None:
        await super().start()
        port = urlparse(self.public_url).port
        for _ in range(50):  # the proxy listens on its API port first, then the public one
            if listens_on(self.proxy_process.pid, port):
                return
            await asyncio.sleep(0.1)
        self.proxy_process.kill()  # so the hub's next check starts another one
        raise RuntimeError(f"the proxy could not take its public port {port}: another program holds it")
