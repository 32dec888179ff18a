"""Readers copy what they see: every configuration tab on every page can be pasted into one file.
A YAML tab loads with a loader that refuses a key given twice (YAML itself would keep only the
last block), and a Python tab parses and stands alone: every name it uses it defines or imports
(`c` and get_config are JupyterHub's)."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest
from communityhubs.spec import SpecError, parse_yaml

from site_tools.tabs import config_tabs
from tests.support.paths import ROOT

DIRECTIVE = re.compile(r"```\{hub-config\} (\S+)\n(?::keys: ([^\n]*)\n)?")
PAGES = sorted([*ROOT.glob("guides/**/*.md"), *ROOT.glob("docs/**/*.md")])


def directives() -> list[tuple[str, Path, list[str]]]:
    found = []
    for page in PAGES:
        for match in DIRECTIVE.finditer(page.read_text()):
            keys = (match.group(2) or "").split()
            found.append((f"{page.relative_to(ROOT)}:{' '.join(keys) or 'all'}", page.parent / match.group(1), keys))
    return found


def fenced_blocks(lines: list[str]) -> list[tuple[str, str]]:
    """(language, text) of every fenced block in MyST lines."""
    blocks, language, body = [], None, []
    for line in lines:
        if language is None and line.startswith("```") and len(line) > 3:
            language, body = line[3:], []
        elif language is not None and line == "```":
            blocks.append((language, "\n".join(body)))
            language = None
        elif language is not None:
            body.append(line)
    return blocks


# What JupyterHub gives every configuration file: `c`, and get_config which makes it.
GIVEN = {"c", "get_config", *dir(builtins)}


def undefined_names(text: str) -> set[str]:
    """Names a Python tab uses and neither defines, imports nor is given: pasted alone, it fails."""
    tree = ast.parse(text)
    defined = set(GIVEN)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
            defined.update(a.arg for a in node.args.args) if isinstance(node, ast.FunctionDef) else None
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.comprehension):
            defined.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - defined


def paste_check(language: str, text: str) -> None:
    if language == "yaml":
        parse_yaml(text, "the tab")
    elif language == "python":
        missing = undefined_names(text)
        if missing:
            raise NameError(f"the tab uses {sorted(missing)} without defining them")


FOUND = directives()


def test_the_pages_have_configuration_tabs() -> None:
    assert len(FOUND) > 20


@pytest.mark.parametrize(("where", "spec", "keys"), FOUND, ids=[f[0] for f in FOUND])
def test_every_tab_pastes_into_one_file(where: str, spec: Path, keys: list[str]) -> None:
    blocks = fenced_blocks(config_tabs(spec, keys, hosted=[]))
    assert blocks
    for language, text in blocks:
        paste_check(language, text)


def test_the_check_refuses_a_top_level_key_given_twice_and_python_that_does_not_parse() -> None:
    with pytest.raises(SpecError, match="hub: the key appears twice"):
        paste_check("yaml", "hub:\n  a: 1\nsingleuser: {}\nhub:\n  b: 2\n")
    with pytest.raises(SyntaxError):
        paste_check("python", "c.Spawner.mem_limit = \n")
    with pytest.raises(NameError, match=r"\['read_secret'\]"):
        paste_check("python", "c.SharedPasswordAuthenticator.user_password = read_secret('shared-password')\n")
    with pytest.raises(NameError, match=r"\['sys'\]"):
        paste_check("python", "c.JupyterHub.services.append({'command': [sys.executable]})\n")
