"""A notebook downloaded from the site runs where a reader opens it: in a fresh
virtual environment outside this repository, against their own running hub."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import nbformat
import pytest
from communityhubs.client import HubClient

from site_tools.notebooks import HELPERS_ENV, INSTALL_TAG
from tests.support.paths import ROOT

GUIDE = "add-users-and-admins"  # works on any hub through HUB_URL and HUB_TOKEN


def test_every_downloadable_notebook_starts_by_installing_the_helpers() -> None:
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0]
        assert INSTALL_TAG in first.metadata.get("tags", []), path.name
        assert "pip" in first.source and HELPERS_ENV in first.source


@pytest.fixture(scope="module")
def reader_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reader's fresh environment: Python with Jupyter's kernel and runner, nothing of ours."""
    home = tmp_path_factory.mktemp("reader")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "ipykernel", "nbclient"], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"could not install Jupyter into a fresh environment: {done.stderr[-500:]}")
    return home


def test_a_downloaded_notebook_runs_outside_the_repository_on_a_running_hub(local_hub, reader_env: Path) -> None:
    _, info = local_hub
    notebook = reader_env / f"{GUIDE}.ipynb"
    shutil.copy(ROOT / "notebooks" / f"{GUIDE}.ipynb", notebook)
    helpers = reader_env / "snippets"  # a copy: building in place would leave build/ in the repository
    shutil.copytree(ROOT / "snippets", helpers, ignore=shutil.ignore_patterns("node_modules", "*.egg-info", "build"))
    python = reader_env / "venv" / "bin" / "python"
    runner = (
        "import nbclient, nbformat, sys\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbclient.NotebookClient(nb, kernel_name='python3', timeout=300).execute()\n"
        "nbformat.write(nb, sys.argv[1])\n"
    )
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "HOME": str(reader_env),
        "HUB_URL": info.url,
        "HUB_TOKEN": info.admin_token(),
        # A copy of the repository's helpers, installed as a reader's pip would install them from GitHub.
        HELPERS_ENV: str(helpers),
        **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "REQUESTS_"))},
    }
    done = subprocess.run(
        [str(python), "-c", runner, str(notebook)], cwd=reader_env, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ran = nbformat.read(notebook, as_version=4)
    text = "".join(o.get("text", "") for c in ran.cells if c.cell_type == "code" for o in c.outputs)
    assert "Working on your hub, JupyterHub 6." in text
    assert "POST /hub/api/users" in text  # the REST calls the reader can repeat
    assert info.admin_token() not in text
    # installed as a copy, not the repository's editable package
    where = subprocess.run(
        [str(python), "-c", "import communityhubs; print(communityhubs.__file__)"],
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    assert str(reader_env) in where and str(ROOT) not in where
    left = sorted(u["name"] for u in HubClient(info.url, info.admin_token()).users("demo-"))
    assert left == ["demo-ada", "demo-admin", "demo-grace"]  # it removed what it created, and nothing else
