"""Secrets on disk: generated with `secrets`, stored with mode 0600, never printed.

When COMMUNITYHUBS_SECRET_LEDGER names a file, every secret created through this
module (or handed to `record`) is also appended to it. The test suite uses the
ledger to look for each of the run's secrets in everything the build publishes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from . import names

LEDGER_ENV = names.SECRET_LEDGER_ENV


def write_private(path: Path, content: str | bytes) -> None:
    """Write a file readable only by its owner, created with 0600 from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb" if isinstance(content, bytes) else "w") as f:
        f.write(content)
    os.chmod(path, 0o600)  # in case the file existed with wider rights


def record(secret: str) -> None:
    """Add a secret to the test ledger, if one is configured."""
    ledger = os.environ.get(LEDGER_ENV)
    if ledger and secret:
        path = Path(ledger)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as f:
            f.write(secret + "\n")


def ensure_secret(path: Path, *, env: str | None = None, nbytes: int = 32) -> str:
    """Return the secret stored at `path`, creating it if needed.

    A value in the environment variable `env` wins, so a reader (or a test that
    plants canaries) can choose the secret without it touching a command line.
    """
    value = os.environ.get(env, "") if env else ""
    if not value and path.exists():
        value = path.read_text().strip()
    if not value:
        value = secrets.token_hex(nbytes)
    if not path.exists() or path.read_text() != value:
        # The exact bytes and no newline: `kubectl create secret --from-file` copies the file as it
        # is, and a hub reading the Secret would otherwise expect the password plus "\n".
        write_private(path, value)
    record(value)
    return value


class PrivateHeaders(dict):
    """HTTP headers that carry a token: their repr (in tracebacks, debuggers, logs) hides the values."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: '<hidden>'" for k in self) + "}"


def auth_headers(token: str) -> PrivateHeaders:
    return PrivateHeaders(Authorization=f"token {token}")
