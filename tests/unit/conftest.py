"""Fixtures the unit tests share: `cluster`, the command line against recording stand-ins."""

from tests.support.cluster_cli import cluster  # noqa: F401 (a fixture, found by pytest by its name)
