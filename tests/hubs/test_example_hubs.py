"""Every example spec starts a hub on its target, and a guide's connection to a hub is checked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from communityhubs.client import HubClient
from communityhubs.guide import GuideError, connect
from communityhubs.hub import Hub
from communityhubs.spec import load_spec
from communityhubs.targets import TargetUnavailable

from tests.support.goldens import EXAMPLES
from tests.support.needs import need_cluster, need_docker


@pytest.mark.parametrize("spec_file", EXAMPLES, ids=lambda p: p.name)
def test_every_example_spec_starts_a_hub(spec_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_spec(spec_file)
    hub = Hub(spec, tmp_path / "hub")
    if hub.target.name == "tljh":  # a server of its own: refused here in one line, leaving nothing
        with pytest.raises(TargetUnavailable, match=r"^the tljh target cannot run here: TLJH runs on a server"):
            hub.up()
        assert not (tmp_path / "hub").exists()
        return
    if hub.target.name == "kubernetes":
        need_cluster()
    if hub.target.name == "docker":
        need_docker()
        from communityhubs.images import USER_IMAGE, build_image, image_exists, recipe_folder

        image = spec.settings["environment.image"] or USER_IMAGE
        recipe = recipe_folder(image)
        if image != USER_IMAGE and recipe and not image_exists(image):  # ours, built on the user image
            build_image(recipe, image, base_image=USER_IMAGE, quiet=True)
    auth = spec.data["authenticator"]
    if "client_secret_env" in auth:
        monkeypatch.setenv(auth["client_secret_env"], "dummy-not-a-secret")
    info = hub.up()
    try:
        assert requests.get(f"{info.url}/hub/api/", timeout=10).json()["version"].startswith("6.")
        if "client_secret_env" in auth:  # OAuth: as far as the redirect to the provider
            login = requests.get(f"{info.url}/hub/oauth_login", allow_redirects=False, timeout=10)
            assert login.status_code == 302
            assert parse_qs(urlparse(login.headers["Location"]).query)["client_id"] == [auth["client_id"]]
    finally:
        hub.down()
        hub.forget()


def test_users_are_filtered_by_the_hub_across_pages(local_hub) -> None:
    _, info = local_hub
    api = HubClient(info.url, info.admin_token())
    names = [f"demo-page-{n:03d}" for n in range(250)]  # more than one page (JupyterHub's max is 200)
    api.create_users(names)
    assert sorted(u["name"] for u in api.users("demo-page-")) == names
    assert len(api.users("demo-")) == 250 + 3


def test_a_token_the_hub_refuses_is_caught_when_the_guide_opens(local_hub) -> None:
    _, info = local_hub
    with pytest.raises(GuideError, match=r"^HUB_TOKEN: the hub at .* refuses this token \(403\)"):
        connect(info.url, "garbage-token")
