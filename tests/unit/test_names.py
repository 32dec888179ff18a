"""Names once: state files, environment variables, resource prefixes and in-image paths are
declared in snippets/communityhubs/names.py and nowhere else in the package's code."""

from __future__ import annotations

import ast
from pathlib import Path

from communityhubs import names

PACKAGE = Path(names.__file__).parent

# Literals that only the names module may spell. Docstrings and comments may mention them.
# (`shared-password` is also the spec's login type, a schema value, so it is not listed.)
CONTAINED = [
    names.ADMIN_TOKEN_FILE,
    names.OAUTH_SECRET_FILE,
    names.COOKIE_SECRET_FILE,
    names.SHARED_PASSWORD_ENV,
    names.KIND_CONFIG_FILE,
    "COMMUNITYHUBS_",
    f"{names.PREFIX}-",
    names.SHARED_ROOT,
    names.HOME,
    "jupyterhub.sqlite",
    names.CLUSTER_RECORD_FILE,
    names.PORT_FORWARD_LOG,
]
EXACT = [names.STATE_ROOT, names.PID_FILE, names.LOG_FILE, names.LOCK_FILE, names.RUN_FILE, names.PUBLIC_PORT]


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
        else:
            continue
        for i, statement in enumerate(body):  # the docstring, and attribute docstrings after assignments
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                if i == 0 or isinstance(body[i - 1], ast.Assign | ast.AnnAssign):
                    found.add(id(statement.value))
    return found


def spelled_out(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    skip = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skip:
            continue
        value = node.value
        hit = value in EXACT or (isinstance(value, str) and any(name in value for name in CONTAINED))
        if hit and not isinstance(value, bool):
            found.append(f"{path.name}:{node.lineno}: {value!r}")
    return found


def test_no_module_but_names_spells_a_state_file_variable_prefix_or_image_path() -> None:
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "names.py"]
    assert len(modules) > 20
    found = [hit for module in modules for hit in spelled_out(module)]
    assert found == []


def test_the_check_finds_a_literal_when_one_is_written(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text('"""A docstring may say admin-token."""\nTOKEN = "admin-token"\nPORT = 8000\n')
    assert [hit.split(": ", 1)[1] for hit in spelled_out(module)] == ["'admin-token'", "8000"]
