"""The output regression: a fresh run of each guide against its baseline in notebooks/.

Kept with the tests because it needs pytest-notebook, a test library the
runtime package (`communityhubs`) never imports.
"""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode
from pytest_notebook.diffing import diff_notebooks, diff_to_string, filter_diff

from site_tools.notebooks import executed_dir, read, scrub_notebook, without_install_cell

# Cell ids and execution metadata differ between runs and say nothing about a guide.
IGNORED_PATHS = ["/metadata", "/cells/*/metadata", "/cells/*/id", "/nbformat_minor"]


def without_images(nb: NotebookNode) -> NotebookNode:
    """Plots drawn from a run's own timings differ in every pixel: compare that an image is there, not which."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for mime in output.get("data", {}):
                if mime.startswith("image/"):
                    output["data"][mime] = f"<{mime}>"
    return nb


def diff(expected: NotebookNode, obtained: NotebookNode) -> str:
    """'' when the two agree after scrubbing, else a readable diff."""
    expected = without_images(scrub_notebook(without_install_cell(expected)))
    obtained = without_images(scrub_notebook(without_install_cell(obtained)))
    found = filter_diff(diff_notebooks(expected, obtained), IGNORED_PATHS)
    if not found:
        return ""
    return diff_to_string(expected, found, use_git=False, use_diff=True, use_color=False)


def compare(html_dir: Path, notebooks_dir: Path) -> dict[str, str]:
    """{guide: diff} for every guide whose fresh outputs differ from its baseline."""
    problems = {}
    source = executed_dir(html_dir)
    for path in sorted(source.rglob("*.ipynb")):
        baseline = notebooks_dir / path.relative_to(source)
        if not baseline.exists():
            problems[path.stem] = f"no baseline {baseline}; run `nox -s baseline`"
            continue
        found = diff(read(baseline), read(path))
        if found:
            problems[path.stem] = found
    return problems
