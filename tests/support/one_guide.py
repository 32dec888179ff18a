"""`nox -s guide -- guides/NAME.md [--store]`: run one guide as the site build runs it, against a
fresh throwaway hub, and compare its outputs with its baseline in notebooks/ (or store them).
`nox -s baseline` stores every guide whose page changed since its stored run (`--changed`): each
baseline records the SHA-256 of the page it ran.

The guide is read as myst-nb reads it (the same cells) and executed by nbclient in a fresh
kernel in the guide's own folder, as myst-nb executes it in the build. About a minute for most
guides: no npm, no other guide, no site build.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from nbclient import NotebookClient

from site_tools.notebooks import scrub_notebook, with_install_cell

from .needs import guide_problem
from .notebook_diff import diff
from .paths import GUIDES, ROOT

# conf.py's MyST extensions: they decide how a page's text is read, and so where its cells are.
MYST_EXTENSIONS = {"colon_fence", "deflist", "substitution", "attrs_inline"}


def guide_name(path: Path) -> str:
    """guides/docker/x.md -> docker/x (the name the tests and notebooks/ use)."""
    resolved = path.resolve()
    guides = ROOT / "guides"
    if not resolved.is_relative_to(guides) or resolved.suffix != ".md" or not resolved.is_file():
        raise SystemExit(f"guide: {path}: not a guide page (a .md file under guides/)")
    return str(resolved.relative_to(guides).with_suffix(""))


def source_digest(name: str) -> str:
    return hashlib.sha256((ROOT / "guides" / f"{name}.md").read_bytes()).hexdigest()


def stored_digest(name: str) -> str:
    """The SHA-256 of the page the stored baseline ran ('' where none is recorded)."""
    baseline = ROOT / "notebooks" / f"{name}.ipynb"
    if not baseline.is_file():
        return ""
    return nbformat.read(baseline, as_version=4).metadata.get("communityhubs", {}).get("source_sha256", "")


def changed_guides() -> list[str]:
    """The guides whose page is not the one their baseline ran."""
    return [name for name in GUIDES if stored_digest(name) != source_digest(name)]


def execute(path: Path) -> nbformat.NotebookNode:
    """The guide's notebook with the outputs of a fresh run (raises on a failing cell)."""
    notebook = read_myst_markdown_notebook(path.read_text(), MdParserConfig(enable_extensions=MYST_EXTENSIONS))
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.resolve().parent)}}
    )
    client.execute()
    return notebook


def run_one(name: str, store: bool) -> bool:
    """Run the guide; store it, or compare it with its baseline. True when it ran and matched (or was stored)."""
    started = time.monotonic()
    ran = execute(ROOT / "guides" / f"{name}.md")
    took = time.monotonic() - started
    baseline = ROOT / "notebooks" / f"{name}.ipynb"
    if store:
        kept = with_install_cell(scrub_notebook(ran))
        kept.metadata["communityhubs"] = {"source_sha256": source_digest(name)}
        for i, cell in enumerate(kept.cells):  # ids from the cell, not random: a re-store changes only what ran
            cell.id = hashlib.sha256(f"{i}\n{cell.source}".encode()).hexdigest()[:8]
        baseline.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(kept, baseline)
        print(f"{name}: ran in {took:.0f} s; stored notebooks/{name}.ipynb")
        return True
    if not baseline.is_file():
        print(f"{name}: ran in {took:.0f} s; no baseline notebooks/{name}.ipynb yet (store one with --store)")
        return False
    found = diff(nbformat.read(baseline, as_version=4), ran)
    if found:
        print(f"{name}: ran in {took:.0f} s; outputs differ from notebooks/{name}.ipynb (--store if intended):")
        print(found)
        return False
    print(f"{name}: ran in {took:.0f} s; outputs match notebooks/{name}.ipynb")
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nox -s guide --", description=__doc__.splitlines()[0])
    parser.add_argument("guides", type=Path, nargs="*", help="guide pages, e.g. guides/add-users-and-admins.md")
    parser.add_argument("--store", action="store_true", help="store each run as the guide's new baseline")
    parser.add_argument("--changed", action="store_true", help="also every guide whose page changed since its run")
    parser.add_argument("--all", action="store_true", help="every guide")
    args = parser.parse_args(argv)
    named = [guide_name(path) for path in args.guides]
    chosen = [n for n in (GUIDES if args.all else changed_guides() if args.changed else []) if n not in named]
    problems = {name: guide_problem(name) for name in named + chosen}  # asks Docker once a guide, not twice
    for name in [n for n in chosen if problems[n]]:  # named ones fail instead: the reader asked for them
        print(f"{name}: not run, its stored run stays: it cannot run here: {problems[name]}")
    names = named + [n for n in chosen if not problems[n]]
    if not names:
        print("every guide's baseline ran its current page: nothing to run" if args.changed else parser.format_usage())
        return 0 if args.changed else 2
    for name in [n for n in named if problems[n]]:
        print(f"{name}: cannot run here: {problems[name]}")
    failed = [name for name in names if problems[name] or not run_one(name, args.store)]
    if failed:
        print(f"{len(failed)} of {len(names)} guides failed or differ: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
