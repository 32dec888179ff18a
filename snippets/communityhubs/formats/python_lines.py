"""Lines of jupyterhub_config.py as an admin writes them: `c.Class.trait = value`, each group of
lines tagged with the spec key it comes from, so a page can show the lines of one key."""

from __future__ import annotations

import pprint
from dataclasses import dataclass, field
from typing import Any

from .. import mapping
from ..spec import HubSpec

SET_TRAITS = {"allowed_organizations"}
"""Traits JupyterHub declares as sets, written as Python sets."""


def py(value: Any) -> str:
    """A Python literal an admin would write; sets (JupyterHub's set traits) sorted, so output is stable."""
    if isinstance(value, set):
        return "{" + ", ".join(repr(v) for v in sorted(value)) + "}" if value else "set()"
    return pprint.pformat(value, width=100, sort_dicts=False)


@dataclass
class Section:
    """Lines of jupyterhub_config.py that come from one spec key (or '' for the hub's own)."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)

    def set(self, trait: str, value: Any, comment: str = "") -> Section:
        return self.code(f"c.{trait} = {py(value)}", comment)

    def code(self, text: str, comment: str = "") -> Section:
        if comment:
            self.lines.append(f"# {comment}")
        self.lines.extend(text.splitlines())
        return self

    def text(self) -> str:
        return "\n".join([f"# --- {self.title} ---", *self.lines])


def table_lines(s: Section, spec: HubSpec) -> Section:
    """The section's plain keys, one line each, from the one mapping table."""
    for row, value in mapping.settings(spec, s.key):
        s.set(row.trait, value, row.comment)
    return s
