"""Every guide ran in this build, and its outputs match the stored baseline.

The site build executed the guides (forced, in `nox -s tests`); we compare
those notebooks with notebooks/ instead of running every guide twice.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from site_tools.notebooks import executed_dir, read, scrub_notebook
from tests.support.needs import guide_problem, need_guide_target
from tests.support.notebook_diff import diff
from tests.support.paths import GUIDES, ROOT


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_outputs_match_baseline(site: Path, guide: str) -> None:
    need_guide_target(guide)
    executed = executed_dir(site) / f"{guide}.ipynb"
    baseline = ROOT / "notebooks" / f"{guide}.ipynb"
    assert executed.exists(), f"the build did not execute {guide}"
    assert baseline.exists(), f"no baseline for {guide}: run `nox -s baseline`"
    found = diff(read(baseline), read(executed))
    assert found == "", (
        f"{guide}: outputs differ from notebooks/{guide}.ipynb (update with `nox -s baseline` if intended):\n{found}"
    )


def test_every_code_cell_ran_and_produced_no_error(site: Path) -> None:
    for guide in GUIDES:
        if guide_problem(guide):
            continue  # reported by test_guide_outputs_match_baseline
        nb = read(executed_dir(site) / f"{guide}.ipynb")
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code), guide
        assert not [o for c in code for o in c.outputs if o.output_type == "error"], guide


def test_a_changed_output_is_reported_with_a_readable_diff(site: Path) -> None:
    """The comparison itself can fail: change one output line and look for it in the diff."""
    baseline = read(ROOT / "notebooks" / "add-users-and-admins.ipynb")
    changed = nbformat.from_dict(scrub_notebook(baseline))
    cell = next(c for c in changed.cells if c.cell_type == "code" and c.outputs)
    cell.outputs[0]["text"] = cell.outputs[0]["text"].replace("local hub", "LOCAL HUB")
    found = diff(baseline, changed)
    assert "LOCAL HUB" in found and "local hub" in found
