"""`communityhubs` is a real package: built as a wheel and installed in a fresh virtual
environment outside this repository, every module imports, `render` and `verify`
work, and a downloaded guide's imports resolve. The runtime package never imports a
test library."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from communityhubs import SNIPPETS
from communityhubs.folder_archive import tar_folder

from tests.support.bundles import write_bundle
from tests.support.paths import ROOT

PACKAGE = SNIPPETS / "communityhubs"
TEST_LIBRARIES = {"pytest", "pytest_notebook", "hypothesis", "playwright", "axe_playwright_python"}
# The site's tooling (site_tools/) uses these; the runtime package declares none of them.
SITE_LIBRARIES = {"sphinx", "docutils", "myst_nb", "myst_parser", "nbformat", "nbclient", "jupytext"}
GUIDE = ROOT / "guides" / "docker" / "rebuild-your-hub-elsewhere.md"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


# A module that may use one of them, as the wheel's extra that declares it (and only when called).
EXTRAS = {"pictures.py": {"playwright"}}


def test_the_runtime_package_imports_no_test_or_site_library() -> None:
    banned = TEST_LIBRARIES | SITE_LIBRARIES
    used = {
        str(p.relative_to(PACKAGE)): imported_modules(p) & banned - EXTRAS.get(str(p.relative_to(PACKAGE)), set())
        for p in PACKAGE.rglob("*.py")
    }
    assert {module: libs for module, libs in used.items() if libs} == {}
    declared = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(declared["pictures"]) == EXTRAS["pictures.py"]


def test_the_check_would_see_a_test_or_site_library(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom pytest_notebook.diffing import diff_notebooks\nimport sphinx.util\n")
    assert imported_modules(probe) & (TEST_LIBRARIES | SITE_LIBRARIES) == {"pytest_notebook", "sphinx"}


def locked_versions(tmp: Path) -> Path:
    """requirements.lock as a constraints file (its pins without their hashes): the wheel's own
    dependencies are chosen by its metadata, their versions by the lock, as everywhere else here."""
    pins = re.findall(r"^([A-Za-z0-9_.\-]+==[^\s\\]+(?: ;[^\\]+)?)", (ROOT / "requirements.lock").read_text(), re.M)
    path = tmp / "constraints.txt"
    path.write_text("\n".join(pin.strip() for pin in pins) + "\n")
    return path


def guide_imports(path: Path) -> list[str]:
    """The import statements of a guide's code cells, as a reader's notebook runs them."""
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", path.read_text(), flags=re.S)
    return [line for cell in cells for line in cell.splitlines() if re.match(r"(import|from) \S+", line)]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the repository with the wheel and the runtime pins; its bin/."""
    where = tmp_path_factory.mktemp("wheel")
    assert ROOT not in where.parents
    source = where / "source"  # a copy: building in place would leave build/ in the checkout
    shutil.copytree(PACKAGE, source / "communityhubs", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SNIPPETS / "pyproject.toml", source)
    wheels = where / "dist"
    build = [sys.executable, "-m", "uv", "build", "--quiet", "--wheel", "--out-dir", str(wheels), str(source)]
    subprocess.run(build, check=True, cwd=where)
    (wheel,) = wheels.glob("communityhubs-*.whl")
    venv = where / "venv"
    uv = [sys.executable, "-m", "uv"]
    subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    # Only what the wheel declares (its `hub` extra too: the throwaway hub's spawner and proxy classes).
    install = [*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python")]
    subprocess.run([*install, "-c", str(locked_versions(where)), f"{wheel}[hub]"], check=True, cwd=where)
    return venv / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_every_module_imports_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    names = sorted(
        ".".join(("communityhubs", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in PACKAGE.rglob("*.py")
    )
    code = (
        "import importlib, importlib.util, communityhubs\n"
        f"for name in {names!r}:\n"
        "    if name.endswith('__main__'):  # running it is `python -m communityhubs`; it must be there\n"
        "        assert importlib.util.find_spec(name), name\n"
        "    else:\n"
        "        importlib.import_module(name)\n"
        "print(communityhubs.__file__)\n"
    )
    done = run(installed, "python", "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "site-packages" in done.stdout  # the wheel's copy, not this checkout's


def test_the_installed_command_renders_and_verifies(installed: Path, tmp_path: Path) -> None:
    rendered = run(installed, "communityhubs", "render", "--target", "kubernetes", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert 'values.yaml for the hub "demo-community"' in rendered.stdout  # the example spec is package data
    workshop = run(
        installed,
        "communityhubs",
        "render",
        "--target",
        "local",
        "--spec",
        str(SNIPPETS / "examples" / "workshop.yaml"),
        cwd=tmp_path,
    )
    assert workshop.returncode == 0 and "c.Spawner.start_timeout = 300" in workshop.stdout, workshop.stderr
    bundle = write_bundle(tmp_path / "hub.bundle", home=tar_folder(None))
    verified = run(installed, "communityhubs", "verify", str(bundle), cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "demo-community" in verified.stdout


def test_the_rebuild_guides_imports_resolve_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    imports = guide_imports(GUIDE)
    assert any("communityhubs.replicate" in line for line in imports), imports
    done = run(installed, "python", "-c", "\n".join(imports), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
