"""Sphinx extension: ``{hub-spec-reference}`` renders the hub spec schema as a table."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from .schema_reference import markdown_table
from .spec import SCHEMA_PATH


class HubSpecReference(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(SCHEMA_PATH))  # rebuild the page when the schema changes
        container = nodes.container(classes=["hub-spec-reference"])
        self.state.nested_parse(
            StringList(markdown_table().splitlines(), source=str(SCHEMA_PATH)), self.content_offset, container
        )
        return [container]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("hub-spec-reference", HubSpecReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
