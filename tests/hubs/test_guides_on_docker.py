"""The guides that work on any hub also run against a docker hub, built from
the same snippets/hub.yaml, through HUB_URL/HUB_TOKEN: as a reader would."""

from __future__ import annotations

import jupytext
import nbclient
import pytest
from communityhubs.hub import Hub
from communityhubs.spec import load_spec

from tests.support.needs import need_docker
from tests.support.paths import ON_EVERY_TARGET, ROOT


@pytest.fixture(scope="module")
def docker_hub(tmp_path_factory: pytest.TempPathFactory):
    need_docker()
    spec = load_spec()  # snippets/hub.yaml, the same file the local runs use
    hub = Hub(spec, tmp_path_factory.mktemp("docker-hub"), target="docker")
    info = hub.up()
    yield info
    hub.down()
    hub.forget()


def test_the_tabbed_guides_are_found() -> None:
    assert {"add-users-and-admins", "manage-user-servers"} <= set(ON_EVERY_TARGET)


@pytest.mark.parametrize("guide", ON_EVERY_TARGET)
def test_guide_runs_on_a_docker_hub(docker_hub, guide: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_URL", docker_hub.url)
    monkeypatch.setenv("HUB_TOKEN", docker_hub.admin_token())  # the kernel inherits the environment
    nb = jupytext.read(ROOT / "guides" / f"{guide}.md")
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=300).execute()  # raises on any cell error
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Working on your hub, JupyterHub 6." in text
    assert "Verified against your hub" in text
    assert docker_hub.admin_token() not in text


def test_docker_hub_is_left_as_found(docker_hub) -> None:
    from communityhubs.client import HubClient

    api = HubClient(docker_hub.url, docker_hub.admin_token())
    # every server a guide started was stopped again, and its containers are gone
    assert [u["name"] for u in api.users() if u["servers"]] == []
