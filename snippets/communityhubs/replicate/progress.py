"""Progress of a long copy: files and bytes done, and the rate.

Shown on a terminal only. In notebooks, CI logs and pipes it stays quiet, so a
guide's output is the same on every run; the final summary says the rate instead.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def wanted(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI")


class Progress:
    def __init__(self, what: str, total_bytes: int, stream: TextIO | None = None, every: float = 0.2):
        self.what = what
        self.total = total_bytes
        self.files = 0
        self.bytes = 0
        self.started = time.monotonic()
        self.stream = stream or sys.stderr
        self.shown = wanted(self.stream)
        self._every = every
        self._last = 0.0

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> float:
        """MB/s so far (MB = 10^6 bytes)."""
        return self.bytes / 1e6 / max(self.seconds, 1e-6)

    def add(self, files: int, nbytes: int) -> None:
        self.files += files
        self.bytes += nbytes
        now = time.monotonic()
        if self.shown and now - self._last >= self._every:
            self._last = now
            share = f" of {self.total / 1e6:.1f}" if self.total else ""
            self.stream.write(
                f"\r{self.what}: {self.files} files, {self.bytes / 1e6:.1f}{share} MB, {self.rate():.1f} MB/s "
            )
            self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
