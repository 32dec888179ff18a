"""What a spec section becomes on The Littlest JupyterHub: `sudo tljh-config set|add-item KEY VALUE`
commands where config.yaml has a key and `tljh-config` reads the value back as it is, and lines of
a jupyterhub_config.d Python file for the rest."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from .. import mapping
from ..spec import HubSpec
from .python_lines import Section


@dataclass(frozen=True)
class Command:
    """One `tljh-config` call."""

    action: str
    """set or add-item"""
    key: str
    value: str | int | bool

    def line(self, config_path: str = "") -> str:
        """The command as an admin types it; with `config_path`, on that file instead of TLJH's own."""
        where = f"--config-path {config_path} " if config_path else ""
        return f"sudo tljh-config {where}{self.action} {self.key} {shlex.quote(as_text(self.value))}"


def as_text(value: str | int | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def reloads(commands: list[Command]) -> list[str]:
    """What applies the commands: the proxy too when they change how Traefik listens."""
    proxy = any(c.key.startswith(("http.", "https.")) for c in commands)
    return ["sudo tljh-config reload proxy", "sudo tljh-config reload"] if proxy else ["sudo tljh-config reload"]


def said_as_is(value: Any) -> bool:
    """Whether `tljh-config` reads the value back as it is: it turns digits into numbers and
    true/false into booleans, so a string like "12345" must go in the Python file instead."""
    if isinstance(value, bool) or (isinstance(value, int) and value >= 0):
        return True
    if not isinstance(value, str) or not value or "\n" in value:
        return False
    return not (re.fullmatch(r"\d+(\.\d*)?", value) or value.lower() in ("true", "false"))


@dataclass
class Part:
    """What one spec key becomes on TLJH: commands, and lines of the Python file."""

    key: str
    title: str = ""
    commands: list[Command] = field(default_factory=list)
    extra: Section = field(init=False)

    def __post_init__(self) -> None:
        self.extra = Section(self.key, self.title or self.key)

    def say(self, tljh_key: str, trait: str, value: Any, comment: str = "") -> Part:
        """`tljh-config set` (lists: one `add-item` each) where it reads the value back as it is,
        else a line of the Python file."""
        items = value if isinstance(value, (list, tuple)) else None
        if items is not None and items and all(said_as_is(v) for v in items):
            self.commands += [Command("add-item", tljh_key, v) for v in items]
        elif items is None and said_as_is(value):
            self.commands.append(Command("set", tljh_key, value))
        elif items is None or items:
            self.extra.set(trait, value, comment)
        return self

    def code(self, text: str, comment: str = "") -> Part:
        self.extra.code(text, comment)
        return self


def table_commands(part: Part, spec: HubSpec) -> Part:
    """The section's plain keys from the one mapping table: `tljh-config` where TLJH has a key."""
    for row, value in mapping.settings(spec, part.key):
        if row.tljh:  # `say` puts what tljh-config cannot read back (0.5 CPUs) in the Python file
            part.say(row.tljh, row.trait, value, row.comment)
        else:
            part.extra.set(row.trait, value, row.comment)
    return part
