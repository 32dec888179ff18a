"""Every guide ran in this build, and its outputs match the stored baseline.

The site build executed the guides (forced, in `nox -s tests`); we compare
those notebooks with notebooks/ instead of running every guide twice.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from communityhubs.notebooks import executed_dir, read, scrub_notebook

from .conftest import GUIDES, ROOT
from .needs import guide_problem, need_guide_target
from .notebook_diff import diff


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


def test_run_specific_values_do_not_count_as_changes() -> None:
    from communityhubs.scrub import scrub_text

    one = "at http://127.0.0.1:40123/ on 2026-11-25, 12.5ms, token 3f9a8c7d6e5b4a39281706f5e4d3c2b1a0"
    two = "at http://127.0.0.1:51234/ on 2027-01-02, 3ms, token 0a1b2c3d4e5f60718293a4b5c6d7e8f9ab"
    assert scrub_text(one) == scrub_text(two)
    assert scrub_text("demo users left: 0") != scrub_text("demo users left: 1")
    # whom local servers run as depends on the machine; a docker hub's answer does not
    as_root = "user servers run as: a Unix account of their own each (jupyter-NAME), home folders 0700"
    shared = "user servers run as: this hub's own account, all of them, because /root is closed (mode 700)"
    docker = "user servers run as: uid 1000 in a container each, on the hub's own network"
    assert scrub_text(as_root) == scrub_text(shared) != scrub_text(docker) == docker


def test_stderr_a_page_hides_is_not_compared_but_visible_output_is() -> None:
    """Progress for the build log (cells tagged remove-stderr) may differ; what readers see may not."""
    baseline = read(ROOT / "notebooks" / "prepare-a-workshop.ipynb")
    run = nbformat.from_dict(scrub_notebook(baseline))
    cell = next(c for c in run.cells if "remove-stderr" in c.metadata.get("tags", []))
    cell.outputs.insert(0, nbformat.v4.new_output("stream", name="stderr", text="progress: 3/30 ready after 12 s\n"))
    assert diff(baseline, run) == ""
    cell.outputs.insert(0, nbformat.v4.new_output("stream", name="stdout", text="3 of 30 servers ready\n"))
    assert "3 of 30 servers ready" in diff(baseline, run)
