"""Taking access away on a real local hub, across restarts (issue 23, fault 1).

JupyterHub only ever adds admins from `admin_users`, and lets users who are in its
database log in even when they are no longer in `allowed_users` (allow_existing_users).
These tests show both traps and the ways out that really work: the REST API for
admin rights, `authenticator.allow_existing_users: false` or deleting the user for
logins, and `authenticator.blocked_users`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml
from communityhubs import names
from communityhubs.client import HubAPIError, HubClient, log_in
from communityhubs.hub import Hub
from communityhubs.spec import load_spec

BASE = {
    "name": "revoke",
    "authenticator": {"type": "shared-password"},
    "admins": ["demo-admin", "demo-boss"],
    "allowed_users": ["demo-ada", "demo-bo"],
}


class RestartingHub:
    """One hub's state folder, started again from a changed spec, as an admin restarts a hub."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.state = folder / "state"
        self.runner = None

    def start(self, **changes) -> HubClient:
        spec_file = self.folder / "hub.yaml"
        spec_file.write_text(yaml.safe_dump({**BASE, **changes}))
        if self.runner is not None:
            self.runner.down()
        self.runner = Hub(load_spec(spec_file), self.state)
        info = self.runner.up()
        self.url = info.url
        return HubClient(info.url, info.admin_token())

    def password(self) -> str:
        return (self.state / names.SHARED_PASSWORD_FILE).read_text().strip()

    def can_log_in(self, name: str) -> bool:
        try:
            log_in(self.url, name, self.password())
            return True
        except HubAPIError:
            return False

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.down()
            self.runner.forget()


@pytest.fixture
def hub(tmp_path: Path):
    running = RestartingHub(tmp_path)
    yield running
    running.stop()


def admin_call(url: str, token: str) -> int:
    """An admin-only call (list every user) with someone's own token: its status."""
    return requests.get(f"{url}/hub/api/users", headers={"Authorization": f"token {token}"}, timeout=30).status_code


def test_an_admin_taken_out_of_the_spec_stays_admin_until_the_api_removes_the_rights(hub) -> None:
    api = hub.start()
    boss_token, _ = api.create_token("demo-boss", scopes=["admin:users"], note="demo-boss's own token")
    assert admin_call(hub.url, boss_token) == 200

    api = hub.start(admins=["demo-admin"])  # demo-boss taken out of the spec, hub restarted
    assert api.user("demo-boss")["admin"] is True, "JupyterHub only adds admins from admin_users"
    assert admin_call(hub.url, boss_token) == 200

    api.set_admin("demo-boss", False)  # PATCH /hub/api/users/demo-boss {"admin": false}
    assert admin_call(hub.url, boss_token) == 403

    api = hub.start(admins=["demo-admin"])  # and a restart does not give the rights back
    assert api.user("demo-boss")["admin"] is False
    assert admin_call(hub.url, boss_token) == 403


def test_a_user_taken_out_of_allowed_users_logs_in_until_existing_users_are_refused(hub) -> None:
    hub.start()
    assert hub.can_log_in("demo-bo") and not hub.can_log_in("demo-stranger")

    hub.start(allowed_users=["demo-ada"])  # demo-bo taken out of the spec
    assert hub.can_log_in("demo-bo"), "allow_existing_users is JupyterHub's default"

    api = hub.start(
        allowed_users=["demo-ada"], authenticator={"type": "shared-password", "allow_existing_users": False}
    )
    assert not hub.can_log_in("demo-bo")
    api.create_users(["demo-cy"])  # added through the API but not to the spec: kept out too
    assert not hub.can_log_in("demo-cy")
    assert hub.can_log_in("demo-ada") and hub.can_log_in("demo-admin") is False  # admins use their own password


def test_a_deleted_user_cannot_log_in_again(hub) -> None:
    api = hub.start(allowed_users=["demo-ada"])
    api.create_users(["demo-cy"])  # added through the API: may log in while they exist
    assert hub.can_log_in("demo-cy")
    api.delete_user("demo-cy")
    assert not hub.can_log_in("demo-cy")


def test_a_blocked_user_cannot_log_in_though_allowed(hub) -> None:
    hub.start(authenticator={"type": "shared-password", "blocked_users": ["demo-bo"]})
    assert not hub.can_log_in("demo-bo")
    assert hub.can_log_in("demo-ada")
