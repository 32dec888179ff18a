"""`nox -s chart-proof`: run the chart checks (tests/proofs/test_chart.py, tests/proofs/test_chart_hub.py) and,
only when all pass, store what they proved in docs/proofs/kubernetes.json. Each guide's values.yaml
tab says so, with the day, for the exact values it shows; a test fails once the rendered values
drift from the ones proved, until this is run again.
"""

from __future__ import annotations

import sys

from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import CHART_VERSION, HUB_IMAGE_VERSIONS

from .chart_render import KUBERNETES, SPECS, rendered_values
from .proof_record import record_path, run_and_store

RECORD = record_path("kubernetes")
CHECKS = ["tests/proofs/test_chart.py", "tests/proofs/test_chart_hub.py"]


def proved_values() -> dict[str, str]:
    """{spec file name: digest of the values.yaml it renders to}, for every spec Kubernetes takes."""
    return {
        path.name: TARGETS["kubernetes"].digest(load_spec(path)) for path in SPECS if rendered_values(path) is not None
    }


def record(summary: str) -> dict:
    return {
        "chart": f"jupyterhub {CHART_VERSION}",
        "hub_image": HUB_IMAGE_VERSIONS,
        "kubernetes_schemas": list(KUBERNETES),
        "result": summary,
        "values": proved_values(),
    }


if __name__ == "__main__":
    sys.exit(run_and_store("kubernetes", CHECKS, record))
