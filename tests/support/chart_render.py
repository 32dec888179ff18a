"""Helm's own code renders the Zero to JupyterHub chart with the values.yaml we render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from communityhubs.spec import EXAMPLE_SPEC, EXAMPLES, SpecError, load_spec
from communityhubs.targets import TARGETS

SPECS = [EXAMPLE_SPEC, *sorted(EXAMPLES.glob("*.yaml"))]


KUBERNETES = ("1.28.0", "1.37.0")  # the chart's kubeVersion floor (>=1.28.0-0), and the newest schemas known


def rendered_values(path: Path) -> dict[str, Any] | None:
    try:
        return yaml.safe_load(TARGETS["kubernetes"].render(load_spec(path))["values.yaml"])
    except SpecError:
        return None  # refused in one line: tests/golden/*.kubernetes.refused


def helm_render(chart: Path, values: dict[str, Any], name: str) -> dict[str, str]:
    from helm_python import Chart

    return Chart.load(str(chart)).render(values, name=name, namespace=name, is_install=True)


def manifests(files: dict[str, str]) -> list[dict[str, Any]]:
    return [doc for path, text in files.items() if path.endswith(".yaml") for doc in yaml.safe_load_all(text) if doc]
