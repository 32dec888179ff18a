"""The one base of every error this package raises on purpose.

Each carries a one-line message for the person who asked: the file, key or
address, the value, and what to do. The CLI catches this base, so no traceback
reaches a user for anything we anticipated.
"""

from __future__ import annotations


class CommunityHubsError(Exception):
    """Something this package refuses or cannot do; str(error) is one line."""


class ImportConfigError(CommunityHubsError, ValueError):
    """A values file that cannot become a hub spec. str(error) names the file or key."""
