"""Helpers for the Community Hubs guides: the hub spec, targets, and a hub client."""

from pathlib import Path

SNIPPETS = Path(__file__).resolve().parent.parent
"""The snippets/ folder: the one home of every config file the guides use."""

__all__ = ["SNIPPETS"]
