"""The generic-oauth login end to end in a real browser (Debian's chromium) against a real OpenID
Connect provider (oidc-provider-mock, started by communityhubs.identity_provider): the provider's
groups decide who gets in and become the person's groups on the hub."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import yaml
from communityhubs.client import HubClient
from communityhubs.hub import Hub
from communityhubs.hubprocess import free_port
from communityhubs.identity_provider import start_provider
from communityhubs.pictures import browser_missing, sign_in_through_provider
from communityhubs.spec import load_spec

from tests.support.needs import require
from tests.support.paths import ROOT


@pytest.fixture()
def provider():
    require("a browser", browser_missing())
    found = start_provider()
    yield found
    found.stop()


def test_the_providers_groups_decide_who_gets_in_and_become_hub_groups(
    provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider.add_person("demo-ada", {"preferred_username": "demo-ada", "groups": ["hub-users", "geology"]})
    provider.add_person("demo-grace", {"preferred_username": "demo-grace", "groups": ["visitors"]})
    port = free_port()
    data = yaml.safe_load((ROOT / "snippets" / "examples" / "oidc-login.yaml").read_text())
    data["authenticator"] |= provider.endpoints | {"callback_url": f"http://localhost:{port}/hub/oauth_callback"}
    monkeypatch.setenv(data["authenticator"]["client_secret_env"], secrets.token_urlsafe(32))
    path = tmp_path / "oidc.yaml"
    path.write_text(yaml.safe_dump(data))
    hub = Hub(load_spec(path), tmp_path / "state", port)
    info = hub.up()
    try:
        _, _, text = sign_in_through_provider(info.url, "demo-ada")
        assert "Start My Server" in text  # the hub's home page, logged in
        api = HubClient(info.url, info.admin_token())
        assert sorted(api.user("demo-ada")["groups"]) == ["geology", "hub-users"]

        _, _, text = sign_in_through_provider(info.url, "demo-grace")
        assert "not currently authorized" in text
        assert "demo-grace" not in {u["name"] for u in api.users()}

        provider.add_person("demo-ada", {"preferred_username": "demo-ada", "groups": ["hub-users"]})
        sign_in_through_provider(info.url, "demo-ada")
        assert api.user("demo-ada")["groups"] == ["hub-users"]  # the provider's word, at the next login
    finally:
        hub.down()
