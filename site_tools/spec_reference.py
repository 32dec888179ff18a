"""``{hub-spec-reference}``: hub.schema.json as a reference list, one entry per key with its type,
its description and what each target does when the spec leaves it out (the schema's `default`, or
its `x-unset`: one sentence for every target, or one per target), so the page is generated from
the schema and cannot drift from it. A list, not a table: each key's meaning wraps in the column
on any screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from communityhubs.spec import SCHEMA_PATH, load_schema, resolve_ref
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class KeyDoc(NamedTuple):
    key: str
    type: str
    description: str
    unset: list[str]
    """What the key becomes when the spec leaves it out, as the reference shows it (a bullet per
    target where they differ; none for a required key)."""


def _unset_lines(node: dict[str, Any], required: bool) -> list[str]:
    """What the reference shows for a key left out: one line, or one bullet per target."""
    said = node.get("x-unset")
    if isinstance(said, dict):
        return ["**Left out:**", "", *(f"- {target}: {text}" for target, text in said.items())]
    if said:
        return [f"**Left out:** {said}"]
    if "default" in node and not required:
        return [f"**Left out:** `{json.dumps(node['default'])}` on every target."]
    return []


def _type(node: dict[str, Any], schema: dict[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        return f"list of {_type(resolve_ref(node.get('items', {}), schema), schema)}"
    if kind == "string" and node.get("x-hint"):
        return f"string ({node['x-hint']})"
    if kind in ("number", "integer"):
        bounds = []
        if "minimum" in node:
            bounds.append(f"≥ {node['minimum']}")
        if "exclusiveMinimum" in node:
            bounds.append(f"> {node['exclusiveMinimum']}")
        if "maximum" in node:
            bounds.append(f"≤ {node['maximum']}")
        return kind + (f" ({', '.join(bounds)})" if bounds else "")
    return str(kind)


def key_docs(schema: dict[str, Any] | None = None) -> Iterator[KeyDoc]:
    schema = schema or load_schema()

    def walk(node: dict[str, Any], prefix: str) -> Iterator[KeyDoc]:
        for name, child in node.get("properties", {}).items():
            child = resolve_ref(child, schema)
            key = f"{prefix}{name}"
            required = name in node.get("required", [])
            desc = child.get("description", "") + (" Required." if required else "")
            yield KeyDoc(key, _type(child, schema), desc.strip(), _unset_lines(child, required))
            if child.get("type") == "object":
                yield from walk(child, key + ".")
            items = resolve_ref(child.get("items", {}), schema)
            if child.get("type") == "array" and items.get("type") == "object":
                yield from walk(items, key + "[].")

    yield from walk(schema, "")


def markdown_list(schema: dict[str, Any] | None = None) -> str:
    """Each key as a definition-list entry: the key, then its type, meaning and what it becomes left out."""
    lines: list[str] = []
    for doc in key_docs(schema):
        lines += [f"`{doc.key}`", f": *{doc.type}*" + (f". {doc.description}" if doc.description else "")]
        if doc.unset:
            lines += ["", *(f"  {line}" if line else "" for line in doc.unset)]
        lines.append("")
    return "\n".join(lines)


class HubSpecReference(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(SCHEMA_PATH))  # rebuild the page when the schema changes
        container = nodes.container(classes=["hub-spec-reference"])
        self.state.nested_parse(
            StringList(markdown_list().splitlines(), source=str(SCHEMA_PATH)), self.content_offset, container
        )
        return [container]
