"""Turn hub.schema.json into reference rows: one per key, with type and description.

Used by the Sphinx extension that writes the hub-spec reference page, so the
page is generated from the schema and cannot drift from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from .spec import load_schema, resolve_ref


class KeyDoc(NamedTuple):
    key: str
    type: str
    description: str


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
            yield KeyDoc(key, _type(child, schema), desc.strip())
            if child.get("type") == "object":
                yield from walk(child, key + ".")
            items = resolve_ref(child.get("items", {}), schema)
            if child.get("type") == "array" and items.get("type") == "object":
                yield from walk(items, key + "[].")

    yield from walk(schema, "")


def markdown_table(schema: dict[str, Any] | None = None) -> str:
    rows = ["| Key | Type | Meaning |", "| --- | --- | --- |"]
    for doc in key_docs(schema):
        rows.append(f"| `{doc.key}` | {doc.type} | {doc.description.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)
