"""The stored record of the TLJH checks (tests/support/tljh_proof.py), which each tljh-config tab quotes."""

from __future__ import annotations

import json

from communityhubs.spec import EXAMPLE_SPEC, HubSpec, load_spec
from communityhubs.targets import TARGETS

from site_tools.tabs import proof


def test_the_stored_tljh_proof_is_for_the_files_rendered_today() -> None:
    """After a change to what the tljh target renders, `nox -s tljh-proof` runs the checks again."""
    from tests.support.tljh_proof import RECORD, hub_versions, proved_files

    record = json.loads(RECORD.read_text())
    assert record["files"] == proved_files(), "the tljh files changed since the TLJH checks last ran: nox -s tljh-proof"
    assert record["hub"] == hub_versions()
    assert " passed" in record["result"] and "failed" not in record["result"], record["result"]


def test_a_tljh_tab_the_checks_never_saw_says_so() -> None:
    from tests.support.tljh_proof import RECORD

    record = json.loads(RECORD.read_text())
    tljh = TARGETS["tljh"]
    spec = load_spec(EXAMPLE_SPEC)
    assert proof(tljh, spec, EXAMPLE_SPEC.name, record).startswith("Run by TLJH 2.0.0's own `tljh-config`")
    changed = HubSpec(spec.source, {**spec.data, "limits": {**spec.data["limits"], "mem_limit": "3G"}})
    assert proof(tljh, changed, EXAMPLE_SPEC.name, record).startswith("Not checked by TLJH's own code")
