"""The guides as downloadable notebooks, and the output regression.

The site build executes every guide (myst-nb writes the executed notebook to
_build/jupyter_execute/guides/NAME.ipynb). `store` copies those, scrubbed, to
notebooks/ as the baseline; the tests diff a fresh run against it.

    python -m communityhubs.notebooks store _build/html notebooks

The comparison (`tests/support/notebook_diff.py`) lives with the tests: it needs
pytest-notebook, a test library this runtime package never imports.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from . import names
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


def store(html_dir: Path, notebooks_dir: Path) -> list[Path]:
    source = executed_dir(html_dir)
    executed = sorted(source.rglob("*.ipynb"))
    if not executed:
        raise SystemExit(f"{source}: no executed guides; build the site first")
    notebooks_dir.mkdir(exist_ok=True)
    written = []
    for path in executed:
        target = notebooks_dir / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_install_cell(scrub_notebook(read(path))), target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "store":
        print(__doc__, file=sys.stderr)
        return 2
    for path in store(Path(argv[1]), Path(argv[2])):
        print(f"stored {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
