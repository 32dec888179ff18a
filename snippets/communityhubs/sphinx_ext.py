"""Sphinx extension for the site.

- ``{hub-spec-reference}`` renders the hub spec schema as a table.
- ``{hub-config} SPEC`` with ``:keys: limits culling`` (spec keys, or `spawner`;
  none for the whole file) shows one change in every
  form an admin meets it, as tabs generated from the spec at build time: the
  spec excerpt, the jupyterhub_config.py lines, the Zero to JupyterHub
  values.yaml lines, and (from the directive's content) the steps on a hosted hub.
- Guides whose target cannot run on this machine (no Docker engine) show the
  outputs of their last verified run from notebooks/, with a note saying so,
  instead of empty cells (`communityhubs_stored_outputs`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .schema_reference import markdown_table
from .spec import SCHEMA_PATH, SpecError, load_spec
from .targets import TARGETS

logger = logging.getLogger(__name__)


class HubSpecReference(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(SCHEMA_PATH))  # rebuild the page when the schema changes
        container = nodes.container(classes=["hub-spec-reference"])
        self.state.nested_parse(
            StringList(markdown_table().splitlines(), source=str(SCHEMA_PATH)), self.content_offset, container
        )
        return [container]


def fenced(language: str, text: str) -> list[str]:
    return [f"```{language}", *text.rstrip().splitlines(), "```"]


def proof_records(folder: Path | None) -> dict[str, dict[str, Any]]:
    """{target name: its stored proof record} from `folder`/<target>.json (none where absent)."""
    if folder is None:
        return {}
    return {n: json.loads((folder / f"{n}.json").read_text()) for n in TARGETS if (folder / f"{n}.json").is_file()}


def load_proofs(app: Sphinx) -> None:
    """`builder-inited`: the proof records, read once for every {hub-config} of the build."""
    folder = app.config.communityhubs_proofs
    app.communityhubs_proof_records = proof_records(Path(folder) if folder else None)  # type: ignore[attr-defined]


def config_tabs(
    spec_path: Path, keys: list[str], hosted: list[str], proofs: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """MyST lines of a tab-set showing `keys` of the spec (all of it without keys) in each native form,
    each with what proves it where a stored record says (Target.proof)."""
    spec = load_spec(spec_path)
    excerpt = {k: spec.data[k] for k in keys if k in spec.data}
    spec_text = yaml.safe_dump(excerpt, sort_keys=False) if excerpt else "# (no key: the target decides this)"
    if not keys:
        spec_text = spec_path.read_text()  # the whole file, comments included
    tabs: list[tuple[str, list[str]]] = [(spec_path.name, fenced("yaml", spec_text))]
    forms: dict[tuple[str, ...], list[str]] = {}  # targets that render the same lines share a tab
    for target in TARGETS.values():
        try:
            body = [line for language, text in target.shown(spec, keys) for line in fenced(language, text)]
            proof = target.proof(spec, spec_path.resolve().name, (proofs or {}).get(target.name))
            if proof:
                body += ["", f"*{proof}*"]
        except SpecError as err:
            body = [f"The {target.name} target refuses this: `{str(err).split(': ', 1)[1]}`"]
        forms.setdefault((target.label, *body), []).append(target.name)
    for (label, *body), names in forms.items():
        tabs.append((f"{label} ({', '.join(names)})", body))
    if hosted:
        tabs.append(("On a hosted hub", hosted))
    lines = ["::::{tab-set}"]
    for label, body in tabs:
        lines += [f":::{{tab-item}} {label}", *body, ":::"]
    return [*lines, "::::"]


class HubConfig(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {"keys": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        _, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(path)
        try:
            proofs = self.env.app.communityhubs_proof_records  # read once per build (load_proofs)
            for target in proofs:
                self.env.note_dependency(str(Path(self.config.communityhubs_proofs) / f"{target}.json"))
            lines = config_tabs(Path(path), self.options.get("keys", "").split(), list(self.content), proofs)
        except SpecError as err:
            raise self.error(str(err)) from None
        container = nodes.container(classes=["hub-config"])
        self.state.nested_parse(StringList(lines, source=path), self.content_offset, container)
        return [container]


# --- stored outputs where a guide's target cannot run here -------------------------


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
    verified = next((t.strip() for t in reversed(texts) if "Verified against" in t), "")
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


def install_stored_outputs(app: Sphinx) -> None:
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("hub-spec-reference", HubSpecReference)
    app.add_directive("hub-config", HubConfig)
    app.add_config_value("communityhubs_stored_outputs", {}, "env")
    app.add_config_value("communityhubs_proofs", "", "env")  # folder of docs/proofs/<target>.json
    app.connect("builder-inited", install_stored_outputs)
    app.connect("builder-inited", load_proofs)
    app.connect("source-read", add_stored_note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
