"""What a section's reader needs of the configuration it reads back (import-config's values from a
values.yaml or TLJH's config.yaml, `import_config.report.Values`): get a key, take it (marking it
read, and where it went), and note what was carried, left out or must be given. Stated here so the
sections below import-config need nothing of it."""

from __future__ import annotations

from typing import Any, Protocol


class Findings(Protocol):
    carried: list[tuple[str, str]]
    left_out: list[tuple[str, str]]
    must_give: list[tuple[str, str]]


class FileValues(Protocol):
    prefix: str
    """Where the values sit in the file (`jupyterhub.` in a 2i2c basehub file), for messages."""
    report: Findings

    def get(self, key: str, default: Any = None) -> Any: ...

    def take(self, key: str, default: Any = None, to: str | None = None) -> Any: ...


class ReaderOptions(Protocol):
    """What the person importing gives instead of the file (`--client-id`, `--callback-url`)."""

    client_id: str | None
    callback_url: str | None
