"""`{hub-config} SPEC` with `:keys: limits culling` (spec keys; none for the whole file): one change
in every form an admin meets it, as tabs generated from the spec at build time: the spec excerpt,
each target's native configuration (`jupyterhub_config.py`, Zero to JupyterHub `values.yaml`, The
Littlest JupyterHub's `tljh-config` commands), what proves each form (the stored records in
docs/proofs/), and, from the directive's content, the steps on a hosted hub.

What a tab is called, which blocks it shows and how its proof reads are the site's business, so
they live here, not in the targets: the targets render files and say which files (`digest`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from communityhubs.formats.tljh_commands import reloads
from communityhubs.spec import HubSpec, SpecError, load_spec
from communityhubs.targets import TARGETS, Target
from communityhubs.targets.pyconfig import READ_SECRET, imports_used
from communityhubs.targets.tljh import (
    COMMANDS_FILE,
    CONFIG_DIR,
    EXTRA_FILE,
    USER_ENVIRONMENT_FILE,
    user_environment_lines,
)
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

NOTHING = "# (nothing to set"  # how a block with nothing in it begins


def blocks(target: Target, spec: HubSpec, keys: list[str]) -> list[tuple[str, str]]:
    """(language, text) blocks a page shows of `keys` of the spec, or of all of it without keys."""
    if target.name in BLOCKS:
        return BLOCKS[target.name](target, spec, keys)
    language = "python" if target.native_file.endswith(".py") else "yaml"
    if not keys:
        return [(language, "\n".join(target.render(spec).values()))]
    text = target.excerpt(spec, keys)
    if language == "python" and text:
        text = standalone(text)
    return [(language, text or f"{NOTHING}: defaults)")]


def standalone(lines: str) -> str:
    """A jupyterhub_config.py excerpt with what it uses that the whole file defines once at its top
    (its imports, `read_secret`), so that the lines pasted alone still run."""
    needs = imports_used(lines)
    if "read_secret(" in lines or re.search(r"\bPath\(", lines):
        needs.append("from pathlib import Path")
    if "read_secret(" in lines:
        needs += ["", "", READ_SECRET]
    if not needs:
        return lines
    return "\n".join(["# at the top of jupyterhub_config.py, once", *needs, "", lines])


def tljh_blocks(target: Any, spec: HubSpec, keys: list[str]) -> list[tuple[str, str]]:
    """The commands, then the lines of the Python file, then the reloads, for `keys` (all of the
    script and the Python file without keys)."""
    if not keys:
        files = target.render(spec)
        shown = [("bash", files[COMMANDS_FILE]), ("python", files[EXTRA_FILE])]
        return shown + ([("bash", files[USER_ENVIRONMENT_FILE])] if USER_ENVIRONMENT_FILE in files else [])
    chosen = [part for part in target.parts(spec) if part.key in keys]
    commands = [c for part in chosen for c in part.commands]
    extra = "\n".join(line for part in chosen for line in part.extra.lines)
    # What user-environment.sh does for these keys: on the server itself, after TLJH's configuration.
    machine = [line for key in keys for line in user_environment_lines(spec, key) if line]
    after = [
        (
            "bash",
            f"# then, on the server itself ({USER_ENVIRONMENT_FILE}: bash {USER_ENVIRONMENT_FILE})\n"
            + "\n".join(machine),
        )
    ]
    if not commands and not extra:
        return after if machine else [("bash", f"{NOTHING}: TLJH's defaults)")]
    shown = [("bash", "\n".join(c.line() for c in commands))] if commands else []
    if "read_secret(" in extra:  # pasted alone, the lines need the files they read and the function
        shown.insert(0, ("bash", target.secret_commands(spec).rstrip()))
        shown.append(("python", f"{target.python_header(spec)}\n\n{extra}"))
    elif extra:
        shown.append(("python", f"# in {CONFIG_DIR}/{EXTRA_FILE}\n{extra}"))
    return [*shown, ("bash", "# then\n" + "\n".join(reloads(commands))), *(after if machine else [])]


def chart_proof(record: dict[str, Any]) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in record["hub_image"].items())
    return (
        f"Rendered by Helm ({record['chart']}), loaded by the chart's own hub configuration "
        f"({versions}), and every user's pod built by KubeSpawner, on {record['checked_on']}. Checked: the pods "
        "validate, reserve memory and stay within their limits, every Secret reference resolves, every variable "
        "the hub reads is set, the hub database persists and outlives `helm uninstall`, every pod runs an image "
        "with a fixed tag and states its pull policy, the hub's and proxy's own pods reserve memory, shared data "
        "on a named cluster has a storage class or is refused, every name is one Kubernetes takes, and the "
        "culler runs unless the spec turns it off. No cluster ran it here."
    )


def tljh_proof(record: dict[str, Any]) -> str:
    versions = ", ".join(f"{name} {version}" for name, version in record["hub"].items())
    return (
        f"Run by TLJH {record['tljh']}'s own `tljh-config`, which made the config.yaml we render, then loaded "
        f"by TLJH's configurer with the Python file ({versions}): the same logins, admins, groups, limits "
        f"and culling as jupyterhub_config.py, checked on {record['checked_on']}. Languages and shared folders "
        f"(user-environment.sh): run as root on {record.get('system', 'the test machine')} in a private "
        "/opt/tljh, /srv and /home, with accounts made by TLJH's own code."
    )


class Proof(NamedTuple):
    checked: str
    """The record's {spec file: digest of what it rendered to when checked}."""
    by: str
    """Whose code checks it."""
    session: str
    """The nox session that runs the checks and stores the record."""
    said: Callable[[dict[str, Any]], str]


# Targets whose tab shows more than their native file, and targets proven beyond the guides' own
# runs, by upstream checks whose stored record (docs/proofs/<target>.json) the tab quotes.
BLOCKS = {"tljh": tljh_blocks}
PROOFS = {
    "kubernetes": Proof("values", "the chart's own code", "chart-proof", chart_proof),
    "tljh": Proof("files", "TLJH's own code", "tljh-proof", tljh_proof),
}


def proof(target: Target, spec: HubSpec, source_name: str, record: dict[str, Any] | None) -> str:
    """What a page says proves this target's file for `spec` ('' where the guides' own runs prove it):
    the stored record, where it is for the very file the spec renders to today."""
    found = PROOFS.get(target.name)
    if found is None:
        return ""
    if not record or record[found.checked].get(source_name) != target.digest(spec):  # type: ignore[attr-defined]
        return f"Not checked by {found.by} since it last changed (`nox -s {found.session}` checks it)."
    return found.said(record)


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


# Where the hub runs, in the words of every tab set on the site ("where to run this guide" says
# the same): tabs with one sync key switch together, so a reader picks their platform once.
PLACES = {"local": "Local", "docker": "Docker", "kubernetes": "Kubernetes", "tljh": "TLJH", "hosted": "Hosted"}
# What each target's tab calls its form, above its blocks.
FORMS = {
    "local": "`jupyterhub_config.py`, JupyterHub on its own",
    "docker": "`jupyterhub_config.py`, JupyterHub with DockerSpawner",
    "kubernetes": "`values.yaml` for the Zero to JupyterHub chart",
    "tljh": "`tljh-config` commands for The Littlest JupyterHub",
}


def config_tabs(
    spec_path: Path, keys: list[str], hosted: list[str], proofs: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """MyST lines: the spec's `keys` (all of it without keys), then a tab per place the hub runs with
    its native form, each with what proves it where a stored record says, and the hosted steps."""
    spec = load_spec(spec_path)
    excerpt = {k: spec.data[k] for k in keys if k in spec.data}
    if not keys:
        lines = [f"`{spec_path.name}`, the whole specification:", "", *fenced("yaml", spec_path.read_text())]
    elif excerpt:
        lines = [f"In `{spec_path.name}`:", "", *fenced("yaml", yaml.safe_dump(excerpt, sort_keys=False))]
    else:
        lines = [f"`{spec_path.name}` sets nothing here: each platform's own default stands."]
    tabs: list[tuple[str, list[str], bool]] = []  # (sync key, body, has something to show)
    for target in TARGETS.values():
        shown = True
        try:
            found = blocks(target, spec, keys)
            shown = not all(text.startswith(NOTHING) for _, text in found)
            body = [FORMS[target.name] + ":", ""]
            body += [line for language, text in found for line in fenced(language, text)]
            said = proof(target, spec, spec_path.resolve().name, (proofs or {}).get(target.name))
            if said:
                body += ["", f"*{said}*"]
        except SpecError as err:
            body = [f"The {target.name} target refuses this: `{str(err).split(': ', 1)[1]}`"]
        tabs.append((target.name, body, shown))
    if hosted:
        tabs.append(("hosted", hosted, True))
    first = next((key for key, _, shown in tabs if shown), tabs[0][0])
    lines += ["", "::::{tab-set}"]
    for key, body, _ in tabs:
        lines += [f":::{{tab-item}} {PLACES[key]}", f":sync: {key}", *([":selected:"] if key == first else [])]
        lines += ["", *body, ":::"]
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
