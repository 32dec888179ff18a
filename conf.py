"""Sphinx configuration for the Community Hubs site.

The repository root is the source directory. We build with Sphinx + myst-nb
directly rather than jupyter-book: jupyter-book 1 cannot be installed beside
Sphinx 8/9, and jupyter-book 2 has no conf.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent
# The guides and this file import our helpers from snippets/, installed by
# requirements.txt (`-e ./snippets`); the site's own tooling is site_tools/, beside this file.
sys.path.insert(0, str(ROOT))

project = "Community Hubs"
author = "Community Hubs contributors"
copyright = "2026, Community Hubs contributors"

extensions = [
    "myst_nb",  # also loads myst_parser
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx.ext.graphviz",  # diagrams rendered offline by Graphviz's `dot`
    "site_tools",  # the spec reference and configuration tabs, generated; stored outputs where a guide can't run
]

root_doc = "index"
exclude_patterns = [
    "_build",
    ".nox",
    ".venv",
    "**/.ipynb_checkpoints",
    "notebooks",  # generated downloads, not pages
    "snippets",
    "site_tools",
    "tests",
    ".ci",
    "README.md",
    "**/node_modules",
    ".hub",
    "**/_*.md",  # fragments that pages include
    ".*",  # hidden folders: tool caches such as .pytest_cache
]

myst_enable_extensions = ["colon_fence", "deflist", "substitution", "attrs_inline"]
# Markdown that a cell prints (IPython's Markdown) is read as MyST, like the pages: myst-nb's
# default, CommonMark, has no tables, and a figures table would show as one paragraph of pipes.
nb_render_markdown_format = "myst"
myst_heading_anchors = 3

# --- executing the guides -------------------------------------------------
# Locally the outputs are cached (jupyter-cache) and a guide re-runs only when
# it changes; CI forces a fresh run of every guide (NB_EXECUTION_MODE=force).
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "cache")
nb_execution_cache_path = str(ROOT / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a broken guide breaks the build
# Guides under guides/<target>/ need that target (a Docker engine and the user
# image for guides/docker). Where it cannot run here, their pages show the
# outputs of their last verified run from notebooks/, with a note that says so;
# the tests require them to have run (site_tools/stored_outputs.py).
from communityhubs.targets import TARGETS  # noqa: E402

communityhubs_stored_outputs: dict[str, str] = {}
for _name, _target in TARGETS.items():
    if (ROOT / "guides" / _name).is_dir():
        _why = _target.unavailable()
        if _why:
            communityhubs_stored_outputs[f"guides/{_name}/*.md"] = _why
            print(f"communityhubs: guides/{_name} show their stored outputs: {_why}")
# What proves each target's file beyond the guides' runs (tests/support/chart_proof.py stores it).
communityhubs_proofs = str(ROOT / "docs" / "proofs")
nb_execution_show_tb = True
# myst-nb 1.4's stream merging duplicates text in the notebooks it writes; our
# regression step merges streams itself (site_tools/notebooks.py).
nb_merge_streams = False

# --- HTML -----------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Community Hubs"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_js_files = ["a11y.js"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = ""
html_theme_options = {
    "repository_url": "https://github.com/community-hubs/community-hubs",
    "use_repository_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
graphviz_output_format = "svg"

nitpicky = True
