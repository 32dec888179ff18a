"""Guides whose target cannot run on this machine (no Docker engine, no kind cluster) show the
outputs of their last verified run from notebooks/, with a note saying so, instead of empty cells
(`communityhubs_stored_outputs` in conf.py: {pattern: why}). Cells tagged `runs-anywhere` (a
`--dry-run`) still run in every build; any other cell with no stored output says it did not run.

myst-nb has no hook for "outputs from elsewhere": `install` wraps the one function that decides
how a notebook gets its outputs (`myst_nb.sphinx_.create_client`), and only for matching pages.
Everything else here is plain functions on notebooks, tested in tests/unit/test_stored_outputs.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from sphinx.application import Sphinx


def with_stored_outputs(notebook: nbformat.NotebookNode, stored: Path) -> nbformat.NotebookNode:
    """The guide with the outputs of its last verified run, matched cell by cell on their code
    (none at all where no run has been stored: outputs are never made up)."""
    if not stored.is_file():
        done = copy.deepcopy(notebook)
        done.metadata.setdefault("language_info", {"name": "python"})  # lexer for the code cells
        return done
    baseline = nbformat.read(stored, as_version=4)
    done = copy.deepcopy(notebook)
    outputs = {c.source: c for c in baseline.cells if c.cell_type == "code"}
    day = stored_on(stored)  # the baseline's dates are scrubbed; the commit that stored it says when
    for cell in done.cells:
        if cell.cell_type == "code" and cell.source in outputs:
            cell.outputs = outputs[cell.source].outputs
            cell.execution_count = outputs[cell.source].execution_count
            for output in cell.outputs:
                if "Verified against" in output.get("text", ""):
                    output["text"] = output["text"].replace("<date>", day)
    done.metadata["language_info"] = baseline.metadata.get("language_info", {"name": "python"})
    return done


RUNS_ANYWHERE = "runs-anywhere"
"""The tag of a guide's cells that need no target (a `--dry-run`): they run in every build."""


def run_here(
    notebook: nbformat.NotebookNode, why: str, cwd: Path, stored: frozenset[str] = frozenset()
) -> nbformat.NotebookNode:
    """Run the cells tagged runs-anywhere, in order, in one kernel, and give each other code cell
    that no stored run has (`stored`: their sources) one line saying why it did not run here."""
    from nbclient import NotebookClient

    done = copy.deepcopy(notebook)
    anywhere = [c for c in done.cells if c.cell_type == "code" and RUNS_ANYWHERE in c.metadata.get("tags", [])]
    if anywhere:
        runnable = nbformat.v4.new_notebook(cells=anywhere, metadata=done.metadata)
        NotebookClient(
            runnable, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        ).execute()
    for cell in done.cells:
        if cell.cell_type == "code" and cell.source.strip() and not cell.outputs and cell.source not in stored:
            text = f"Not run here: {why}.\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return done


def stored_run(stored: Path) -> frozenset[str]:
    """The code cells a verified run stored (its last output says "Verified against"); none where
    the stored notebook is only the guide's source."""
    if not stored.is_file():
        return frozenset()
    cells = [c for c in nbformat.read(stored, as_version=4).cells if c.cell_type == "code"]
    texts = (o.get("text", "") for c in cells for o in c.get("outputs", []))
    return frozenset(c.source for c in cells) if any("Verified against" in t for t in texts) else frozenset()


def stored_note(stored: Path, why: str) -> str:
    """The note at the top of such a page: why, and what the outputs were verified against."""
    baseline = nbformat.read(stored, as_version=4) if stored.is_file() else nbformat.v4.new_notebook()
    texts = [o.get("text", "") for c in baseline.cells for o in c.get("outputs", [])]
    # That one line only: the rest of the cell's output stays below, with its cell.
    lines = [line.strip() for text in texts for line in text.splitlines()]
    verified = next((line for line in reversed(lines) if line.startswith("Verified against")), "")
    if not verified:
        return (
            f":::{{note}}\nThis site was built on a machine where this guide could not run ({why}), and no "
            "verified run of it has been stored yet. Steps that need no cluster ran during this build; "
            "the others say so. The workflow `.github/workflows/kubernetes.yml` runs it all on a kind cluster.\n:::\n"
        )
    # The baseline's date is scrubbed (it changes every run); the commit that stored it says when.
    verified = verified.replace("<date>", stored_on(stored))
    return (
        f":::{{note}}\nThis site was built on a machine where this guide could not run ({why}). "
        f"The outputs below are from its last verified run. {verified}\n:::\n"
    )


def stored_on(stored: Path) -> str:
    """The day the baseline was committed, else the day the file was written."""
    log = subprocess.run(
        ["git", "log", "-1", "--format=%cs", "--", stored.name], cwd=stored.parent, capture_output=True, text=True
    )
    if log.returncode == 0 and log.stdout.strip():
        return log.stdout.strip()
    return dt.date.fromtimestamp(stored.stat().st_mtime).isoformat()


def stored_outputs(app: Sphinx, source: str) -> tuple[Path, str] | None:
    """(baseline notebook, why) when the guide at `source` shows stored outputs."""
    root = Path(app.srcdir)
    path = Path(source)
    if not path.is_file():
        return None
    rel = PurePosixPath(path.resolve().relative_to(root).as_posix())
    for pattern, why in app.config.communityhubs_stored_outputs.items():
        if rel.match(pattern):
            return root / "notebooks" / rel.relative_to("guides").with_suffix(".ipynb"), why
    return None


def add_stored_note(app: Sphinx, docname: str, content: list[str]) -> None:
    """`source-read`: the note goes into the page's text before its first code cell.

    (Text, not a notebook cell: myst-nb maps cells to source lines, so none may be added.)
    """
    found = stored_outputs(app, app.env.doc2path(docname))
    if found:
        head, marker, tail = content[0].partition("```{code-cell}")
        content[0] = f"{head}{stored_note(*found)}\n{marker}{tail}"


def install(app: Sphinx) -> None:
    """Wrap myst-nb's execution client: guides matching a pattern in
    `communityhubs_stored_outputs` ({pattern: why}) take their outputs from notebooks/.

    myst-nb has no hook for "outputs from elsewhere", so we wrap the one function
    that decides how a notebook gets its outputs.
    """
    import myst_nb.sphinx_ as mystnb_sphinx
    from myst_nb.core.execute.base import NotebookClientBase

    if not app.config.communityhubs_stored_outputs:
        return
    original = mystnb_sphinx.create_client

    def create_client(notebook: Any, source: str, nb_config: Any, log: Any, read_fmt: Any = None) -> Any:
        found = stored_outputs(app, source)
        if found:
            log.info(f"showing the stored outputs of {found[0].name}: {found[1]}")
            ran = stored_run(found[0])
            shown = run_here(with_stored_outputs(notebook, found[0]), found[1], Path(source).parent, ran)
            return NotebookClientBase(shown, Path(source), nb_config, log)
        return original(notebook, source, nb_config, log, read_fmt=read_fmt)

    mystnb_sphinx.create_client = create_client
