"""Bundles made by hand, for the checks that refuse bad ones."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from communityhubs import SNIPPETS
from communityhubs.replicate import bundle as bundle_format
from communityhubs.replicate.bundle import FORMAT, BundleWriter, dumps


def write_bundle(path: Path, home: bytes, made_with_format: int = FORMAT, manifest: dict | None = None) -> Path:
    """A bundle made by hand around one home archive (a real export never holds unsafe ones)."""
    spec_text = (SNIPPETS / "hub.yaml").read_text()
    user = {"name": "demo-ada", "admin": False, "groups": [], "roles": ["user"], "home": "homes/0001.tar"}
    with mock.patch.object(bundle_format, "FORMAT", made_with_format), BundleWriter(path) as bundle:
        bundle.add("spec/hub.yaml", spec_text.encode())
        bundle.add("homes/0001.tar", home)
        for name, value in (("users", [user]), ("groups", []), ("shared", []), ("environments", [])):
            bundle.add(f"hub/{name}.json", dumps(value))
        bundle.finish(manifest or MANIFEST)
    return path


MANIFEST = {
    "hub": "demo-community",
    "exported_at": "2026-12-01T00:00:00+00:00",
    "source": {"target": "local", "jupyterhub": "6.1.1"},
    "counts": {"users": 1, "groups": 0, "homes": 1, "files": 0},
    "new_hub_needs": ["the shared password"],
}
