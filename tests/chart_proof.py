"""`nox -s chart-proof`: run the chart checks (tests/test_chart.py, tests/test_chart_hub.py) and,
only when all pass, store what they proved in docs/proofs/kubernetes.json. Each guide's values.yaml
tab says so, with the day, for the exact values it shows; a test fails once the rendered values
drift from the ones proved, until this is run again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import CHART_VERSION, HUB_IMAGE_VERSIONS

from .conftest import ROOT
from .test_chart import KUBERNETES, SPECS, rendered_values

RECORD = ROOT / "docs" / "proofs" / "kubernetes.json"
CHECKS = ["tests/test_chart.py", "tests/test_chart_hub.py"]


def proved_values() -> dict[str, str]:
    """{spec file name: digest of the values.yaml it renders to}, for every spec Kubernetes takes."""
    return {
        path.name: TARGETS["kubernetes"].digest(load_spec(path)) for path in SPECS if rendered_values(path) is not None
    }


def main() -> int:
    report = ROOT / ".nox" / "chart-proof.txt"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *CHECKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CI": "true"},  # a missing chart or namespace fails, never skips
    )
    report.parent.mkdir(exist_ok=True)
    report.write_text(done.stdout + done.stderr)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
    if done.returncode != 0:
        print(f"chart checks failed ({summary}); nothing stored. See {report}")
        return 1
    record = {
        "checked_on": dt.date.today().isoformat(),
        "chart": f"jupyterhub {CHART_VERSION}",
        "hub_image": HUB_IMAGE_VERSIONS,
        "kubernetes_schemas": list(KUBERNETES),
        "result": summary,
        "values": proved_values(),
    }
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(record, indent=2) + "\n")
    print(f"stored {RECORD.relative_to(ROOT)}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
