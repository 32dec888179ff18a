"""What an upgrade changes: Helm's manifest of the release as it runs against Helm's render of
the new one, object by object. `hub up` prints it before `helm upgrade` applies anything."""

from __future__ import annotations

import json

import yaml


def objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for doc in yaml.safe_load_all(manifest or "")
        if isinstance(doc, dict) and "kind" in doc
    }


def comparable(doc: dict) -> dict:
    """An object as the upgrade would change it. The chart generates its Secret's values (cookie
    secret, proxy token) afresh in every offline render and `helm upgrade` keeps the release's, so
    Secrets compare by their keys, and the checksums of those values on pod templates are left out.
    Never a value of a Secret: only kinds and names are printed."""
    doc = json.loads(json.dumps(doc))
    if doc["kind"] == "Secret":
        return {"keys": sorted({**(doc.get("data") or {}), **(doc.get("stringData") or {})})}
    for meta in (doc.get("metadata", {}), doc.get("spec", {}).get("template", {}).get("metadata", {})):
        notes = meta.get("annotations") or {}
        for key in [k for k in notes if k.startswith("checksum/")]:
            del notes[key]
    return doc


def changes(old: str, new: str) -> list[str]:
    """What applying `new` over `old` does, one line per object: added (+), removed (-), changed (~)."""
    before = {key: comparable(doc) for key, doc in objects(old).items()}
    after = {key: comparable(doc) for key, doc in objects(new).items()}
    lines = [f"+ {kind} {name}" for kind, name in sorted(after.keys() - before.keys())]
    lines += [f"- {kind} {name}" for kind, name in sorted(before.keys() - after.keys())]
    lines += [
        f"~ {kind} {name}"
        for kind, name in sorted(before.keys() & after.keys())
        if before[(kind, name)] != after[(kind, name)]
    ]
    return lines
