"""The guides that run on any hub, against a hub on a kind cluster: as on docker, through
HUB_URL and HUB_TOKEN. Runs in the hosted workflow; skipped here with what is missing."""

from __future__ import annotations

import jupytext
import nbclient
import pytest
from communityhubs.hub import Hub
from communityhubs.spec import load_spec

from tests.support.needs import need_cluster
from tests.support.paths import ON_EVERY_TARGET, ROOT


@pytest.fixture(scope="module")
def kind_hub(tmp_path_factory: pytest.TempPathFactory):
    need_cluster()
    hub = Hub(load_spec(), tmp_path_factory.mktemp("kind-guides") / "demo-community", target="kubernetes")
    info = hub.up()
    yield info
    hub.down()
    hub.forget()  # the throwaway kind cluster


@pytest.mark.parametrize("guide", ON_EVERY_TARGET)
def test_guide_runs_on_a_kind_hub(kind_hub, guide: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_URL", kind_hub.url)
    monkeypatch.setenv("HUB_TOKEN", kind_hub.admin_token())
    nb = jupytext.read(ROOT / "guides" / f"{guide}.md")
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=900).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Verified against your hub" in text
