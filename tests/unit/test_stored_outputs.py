"""Where a guide's target cannot run, its page shows the last verified outputs, and says so."""

from __future__ import annotations

import re

import jupytext

from site_tools.stored_outputs import stored_note, with_stored_outputs
from tests.support.paths import ROOT

GUIDE = "docker/keep-files-across-restarts"


def test_stored_outputs_fill_every_code_cell_and_a_note_says_where_they_come_from() -> None:
    fresh = jupytext.read(ROOT / "guides" / f"{GUIDE}.md")
    assert all(not c.get("outputs") for c in fresh.cells if c.cell_type == "code")  # the source has none
    stored = ROOT / "notebooks" / f"{GUIDE}.ipynb"
    shown = with_stored_outputs(fresh, stored)
    code = [c for c in shown.cells if c.cell_type == "code"]
    assert code and all(c.outputs for c in code if c.source.strip())
    note = stored_note(stored, "no Docker engine answers")
    assert note.startswith(":::{note}") and "could not run (no Docker engine answers)" in note
    assert "Verified against a docker hub, JupyterHub 6." in note  # against what, from the run itself
    assert re.search(r"on \d{4}-\d{2}-\d{2}\.", note) and "<date>" not in note  # and when
    assert shown.metadata["language_info"]["name"] == "python"  # lexer for the code cells: no build warnings
    assert len(shown.cells) == len(fresh.cells)  # myst-nb maps cells to source lines: none added
    shown_text = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert re.search(r"Verified against a docker hub, JupyterHub 6\.\d+\.\d+, on \d{4}-\d{2}-\d{2}\.", shown_text)


def test_a_cell_whose_code_changed_since_the_baseline_gets_no_stale_output() -> None:
    fresh = jupytext.read(ROOT / "guides" / f"{GUIDE}.md")
    cell = next(c for c in fresh.cells if c.cell_type == "code")
    cell.source += "\nprint('changed')"
    shown = with_stored_outputs(fresh, ROOT / "notebooks" / f"{GUIDE}.ipynb")
    assert next(c for c in shown.cells if c.cell_type == "code" and "changed" in c.source).outputs == []


def test_a_guide_never_verified_shows_no_outputs_and_says_so(tmp_path) -> None:
    fresh = jupytext.read(ROOT / "guides" / f"{GUIDE}.md")
    missing = tmp_path / "never-run.ipynb"
    shown = with_stored_outputs(fresh, missing)
    assert shown.cells == fresh.cells and shown.metadata["language_info"]["name"] == "python"
    note = stored_note(missing, "not installed: kind")
    assert "no verified run of it has been stored yet" in note and "last verified run" not in note


def test_the_kind_guide_runs_its_dry_run_here_and_says_which_steps_did_not_run() -> None:
    """Where no kind cluster can run, the cells tagged runs-anywhere (the `--dry-run`) still run in the
    build, and every other step says it was not run here, and why."""
    from site_tools.stored_outputs import RUNS_ANYWHERE, run_here

    guide = ROOT / "guides" / "kubernetes" / "deploy-your-hub-on-kubernetes-with-kind.md"
    fresh = jupytext.read(guide)
    shown = run_here(fresh, "not installed: kind", guide.parent)
    code = [c for c in shown.cells if c.cell_type == "code"]
    ran = [c for c in code if RUNS_ANYWHERE in c.metadata.get("tags", [])]
    assert len(ran) == 1
    text = "".join(o.get("text", "") for o in ran[0].outputs)
    assert "kind create cluster" in text and "helm upgrade --install" in text and "Not run here" not in text
    others = [c for c in code if c not in ran]
    assert others and all(c.outputs[0]["text"] == "Not run here: not installed: kind.\n" for c in others)


def test_a_step_a_verified_run_stored_without_output_is_not_called_unrun() -> None:
    """A stored run's silent cells ran; only guides with no verified run get "Not run here"."""
    from site_tools.stored_outputs import run_here, stored_run

    fresh = jupytext.read(ROOT / "guides" / f"{GUIDE}.md")
    stored = ROOT / "notebooks" / f"{GUIDE}.ipynb"
    shown = run_here(with_stored_outputs(fresh, stored), "no Docker engine answers", ROOT, stored_run(stored))
    texts = [o.get("text", "") for c in shown.cells if c.cell_type == "code" for o in c.outputs]
    assert texts and not any(t.startswith("Not run here") for t in texts)
    kind = ROOT / "notebooks" / "kubernetes" / "deploy-your-hub-on-kubernetes-with-kind.ipynb"
    assert stored_run(kind) == frozenset()  # its stored notebook is the source alone: no run was stored


def test_the_note_quotes_only_the_verified_line_of_a_last_cell_that_prints_more() -> None:
    """The rebuild guide's last cell prints a command and its answer before the verified line: the
    note takes that line alone, and the command (`--spec`, which Markdown would turn into a dash) stays
    in its cell."""
    stored = ROOT / "notebooks" / "docker" / "rebuild-your-hub-elsewhere.ipynb"
    note = stored_note(stored, "no Docker engine answers")
    assert "--spec" not in note and "hub demo-replicate stopped" not in note
    assert re.search(r"Verified against a docker hub, JupyterHub 6\.\d+\.\d+, on \d{4}-\d{2}-\d{2}\.\n:::", note)
