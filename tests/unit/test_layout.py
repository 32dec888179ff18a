"""The suite's layout: tests in folders that say what they need, helpers in tests/support, and no
test module imported by another module (a test module is run, never used)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

TESTS = ROOT / "tests"
FOLDERS = {"unit", "hubs", "site", "proofs"}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def imported_test_modules(path: Path) -> set[str]:
    return {m for m in imported(path) if m.split(".")[-1].startswith("test_") or m in ("conftest", "tests.conftest")}


def test_no_module_imports_a_test_module() -> None:
    modules = [ROOT / "noxfile.py", *TESTS.rglob("*.py")]
    offenders = {
        str(p.relative_to(ROOT)): sorted(found)
        for p in modules
        if p.name != "conftest.py" and (found := imported_test_modules(p))
    }
    assert offenders == {}


def test_the_noxfile_imports_nothing_from_the_tests() -> None:
    assert not [m for m in imported(ROOT / "noxfile.py") if m == "tests" or m.startswith("tests.")]


def test_every_test_module_is_in_a_folder_that_says_what_it_needs() -> None:
    misplaced = [
        str(p.relative_to(TESTS)) for p in TESTS.rglob("test_*.py") if p.relative_to(TESTS).parts[0] not in FOLDERS
    ]
    assert misplaced == []
    assert {p.name for p in TESTS.iterdir() if p.is_dir()} >= FOLDERS | {"support"}


def test_the_check_sees_a_test_module_imported(tmp_path: Path) -> None:
    probe = ROOT / "tests" / "support" / "probe_for_the_layout_check.py"
    try:
        probe.write_text("from ..unit.test_spec import x\nfrom tests.site import test_site\nimport os\n")
        assert imported_test_modules(probe) == {"tests.unit.test_spec", "tests.site.test_site"}
    finally:
        probe.unlink()
