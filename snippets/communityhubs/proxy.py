"""Find configurable-http-proxy: the reference Node version where Node exists,
otherwise the Python port from PyPI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from . import SNIPPETS, names
from .errors import CommunityHubsError

NODE_PROXY = SNIPPETS / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
# Both packages install a command of the same name; the Python port's lives beside
# the interpreter, so look it up there rather than on PATH.
PYTHON_PROXY = Path(sys.prefix) / "bin" / "configurable-http-proxy"


class ProxyNotFound(CommunityHubsError, RuntimeError):
    pass


def find_proxy() -> tuple[list[str], str]:
    """Return (command, kind) where kind is 'node', 'python' or 'custom'."""
    custom = os.environ.get(names.PROXY_ENV)
    if custom:
        if not shutil.which(custom):
            raise ProxyNotFound(f"{names.PROXY_ENV}={custom!r}: no such program")
        return [custom], "custom"
    if shutil.which("node") and NODE_PROXY.exists():
        return [str(NODE_PROXY)], "node"
    if PYTHON_PROXY.exists():
        return [str(PYTHON_PROXY)], "python"
    raise ProxyNotFound(
        "no configurable-http-proxy found: install Node.js and run "
        "`npm ci --prefix snippets/proxy`, or `pip install configurable-http-proxy`"
    )
