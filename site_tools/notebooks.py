"""The guides as downloadable notebooks, and the scrubbing that makes two runs comparable.

The site build executes every guide (myst-nb writes the executed notebook to
_build/jupyter_execute/guides/NAME.ipynb). A guide's stored run in notebooks/ (the baseline, written
by `nox -s guide -- guides/NAME.md --store` or `nox -s baseline`) is the scrubbed notebook with a
first cell that installs the helpers; the tests diff a fresh run against it
(tests/support/notebook_diff.py, which needs pytest-notebook, a test library).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from communityhubs import names
from nbformat import NotebookNode

from .scrub import scrub_text

HELPERS_ENV = names.HELPERS_ENV
HELPERS_SOURCE = "communityhubs @ git+https://github.com/community-hubs/community-hubs#subdirectory=snippets"
INSTALL_TAG = "communityhubs-install"
INSTALL_CELL = f"""\
# Downloaded this notebook? It uses the guides' small helper package,
# `communityhubs`. Where it is missing, this cell installs it from the
# project's repository ({HELPERS_ENV} names another source, such as a folder).
# With HUB_URL and HUB_TOKEN set, that is all a guide needs to work on your hub.
import importlib.util, os, subprocess, sys

if importlib.util.find_spec("communityhubs") is None:
    source = os.environ.get("{HELPERS_ENV}", "{HELPERS_SOURCE}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)
"""


def with_install_cell(nb: NotebookNode) -> NotebookNode:
    """The downloadable notebook: the guide, after a first cell that installs the helpers."""
    cell = nbformat.v4.new_code_cell(INSTALL_CELL, metadata={"tags": [INSTALL_TAG]})
    cell.pop("id", None)
    nb = copy.deepcopy(nb)
    nb.cells.insert(0, cell)
    return nb


def without_install_cell(nb: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INSTALL_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


def executed_dir(html_dir: Path) -> Path:
    """Where myst-nb leaves executed notebooks for a build into `html_dir`."""
    return Path(html_dir).parent / "jupyter_execute" / "guides"


def merge_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Join consecutive stdout/stderr chunks: how a print is split up depends on timing."""
    merged: list[NotebookNode] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream" == last.get("output_type")
            and output["name"] == last["name"]
        ):
            last["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def scrub_notebook(nb: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(nb)
    nb.metadata.pop("mystnb", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
            if "remove-stderr" in cell.metadata.get("tags", []):
                # What the page hides (progress for the build log) is not part of what a guide shows.
                cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = scrub_text(output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = scrub_text(value)
            if output.get("output_type") == "error":
                output["traceback"] = [scrub_text(line) for line in output["traceback"]]
                output["evalue"] = scrub_text(output["evalue"])
    return nb


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)
