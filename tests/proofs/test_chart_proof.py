"""The stored record of the chart checks (tests/support/chart_proof.py), which each values.yaml tab quotes."""

from __future__ import annotations

import json

from communityhubs.spec import EXAMPLE_SPEC, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import CHART_VERSION

from site_tools.tabs import proof


def test_the_stored_chart_proof_is_for_the_values_rendered_today() -> None:
    """Each guide's values.yaml tab quotes docs/proofs/kubernetes.json: it must name today's values
    (after a change to them, `nox -s chart-proof` runs the checks again and stores a new record)."""
    from tests.support.chart_proof import RECORD, proved_values

    record = json.loads(RECORD.read_text())
    assert record["values"] == proved_values(), (
        "values.yaml changed since the chart checks last ran: nox -s chart-proof"
    )
    assert " passed" in record["result"] and "failed" not in record["result"], record["result"]


def test_a_values_file_the_checks_never_saw_says_so_on_its_tab() -> None:
    from tests.support.chart_proof import RECORD

    record = json.loads(RECORD.read_text())
    kubernetes = TARGETS["kubernetes"]
    spec = load_spec(EXAMPLE_SPEC)
    assert proof(kubernetes, spec, EXAMPLE_SPEC.name, record).startswith(
        f"Rendered by Helm (jupyterhub {CHART_VERSION})"
    )
    changed = load_spec(EXAMPLE_SPEC)
    changed.data["limits"] = {**changed.data.get("limits", {}), "mem_limit": "3G"}
    changed = type(changed)(changed.source, changed.data)
    assert proof(kubernetes, changed, EXAMPLE_SPEC.name, record).startswith("Not checked by the chart's own code")
