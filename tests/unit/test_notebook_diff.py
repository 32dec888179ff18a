"""The regression comparison itself: run-specific values are not changes, hidden progress is not
compared, and what a reader sees is."""

from __future__ import annotations

import nbformat

from site_tools.notebooks import read, scrub_notebook
from tests.support.notebook_diff import diff
from tests.support.paths import ROOT


def test_run_specific_values_do_not_count_as_changes() -> None:
    from site_tools.scrub import scrub_text

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
