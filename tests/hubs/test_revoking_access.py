"""Taking access away on a real local hub, across restarts (issue 23, fault 1).

JupyterHub only ever adds admins from `admin_users`, and lets users who are in its
database log in even when they are no longer in `allowed_users` (allow_existing_users).
These tests show both traps and the ways out that really work: the REST API for
admin rights, `authenticator.allow_existing_users: false` or deleting the user for
logins, and `authenticator.blocked_users`.
"""

from __future__ import annotations

import os
import subprocess
import sys
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

    def admin_token(self) -> str:
        return (self.state / names.ADMIN_TOKEN_FILE).read_text().strip()

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


# --- `communityhubs revoke` and `communityhubs audit` on the running hub (issue 29) ---------------

REPORTERS = {
    "groups": [{"name": "demo-reporters", "users": ["demo-bo"]}],
    "roles": [{"name": "demo-activity-report", "scopes": ["list:users"], "groups": ["demo-reporters"]}],
}


LEFT = {**REPORTERS, "allowed_users": ["demo-ada"], "groups": [{"name": "demo-reporters", "users": []}]}
CLOSED = {"type": "shared-password", "allow_existing_users": False}


def cli(*args: str, token: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUDIT_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "communityhubs", *args, "--token-env", "AUDIT_TOKEN"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def opens_home(url: str, session: requests.Session) -> bool:
    """Whether a browser session kept from before still opens /hub/home without logging in."""
    return session.get(f"{url}/hub/home", allow_redirects=False, timeout=30).status_code == 200


def test_revoke_ends_a_kept_session_token_and_server_and_a_changed_spec_keeps_them_out(hub) -> None:
    api = hub.start(**REPORTERS)
    session = log_in(hub.url, "demo-bo", hub.password())
    token, _ = api.create_token("demo-bo", scopes=["list:users"], note="demo-bo's report script")
    assert opens_home(hub.url, session) and admin_call(hub.url, token) == 200

    api = hub.start(**LEFT)  # the spec alone: out of allowed_users and the group, hub restarted
    assert opens_home(hub.url, session) and admin_call(hub.url, token) == 200, "the spec alone ends nothing"
    api.start_server("demo-bo", timeout=120)  # and his server can still be started

    done = cli("revoke", "demo-bo", "--url", hub.url, token=hub.admin_token(), cwd=hub.folder)
    assert done.returncode == 0, done.stderr
    assert "server (default) stopped" in done.stdout and "browser sessions ended" in done.stdout
    assert "then: remove demo-bo from allowed_users" in done.stdout
    assert not opens_home(hub.url, session)
    assert admin_call(hub.url, token) == 403
    assert "demo-bo" not in [u["name"] for u in api.users()]  # no server, no group, no record
    assert api.group("demo-reporters")["users"] == []

    hub.start(**LEFT, authenticator=CLOSED)  # and what revoke said to change
    assert not hub.can_log_in("demo-bo") and not opens_home(hub.url, session)


def test_revoke_admin_only_leaves_a_user_whose_old_token_cannot_administer(hub) -> None:
    api = hub.start()
    wide, _ = api.create_token("demo-boss", scopes=["admin:users"], note="demo-boss's admin script")
    own, _ = api.create_token("demo-boss", scopes=["read:users:name!user"], note="demo-boss's own")
    assert admin_call(hub.url, wide) == 200

    done = cli("revoke", "demo-boss", "--admin-only", "--url", hub.url, token=hub.admin_token(), cwd=hub.folder)
    assert done.returncode == 0, done.stderr
    assert "admin rights taken away" in done.stdout and "1 token(s)" in done.stdout
    assert admin_call(hub.url, wide) == 403
    assert api.user("demo-boss")["admin"] is False
    assert [t["note"] for t in api.tokens("demo-boss")] == ["demo-boss's own"]


def test_revoke_is_refused_in_one_line_for_someone_who_is_not_there(hub) -> None:
    hub.start()
    done = cli("revoke", "demo-nobody", "--url", hub.url, token=hub.admin_token(), cwd=hub.folder)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "there is no user 'demo-nobody'" in done.stderr


def hub_state(api) -> dict:
    """Everything an audit could change: users (with admin, groups, roles, servers), their tokens
    (not when each was last used), groups and services."""
    users = {
        u["name"]: (u["admin"], sorted(u["groups"]), sorted(u.get("roles") or []), sorted(u["servers"]))
        for u in api.users()
    }
    tokens = {
        name: sorted((t["id"], t["note"], tuple(sorted(t["scopes"]))) for t in api.tokens(name)) for name in users
    }
    groups = {g["name"]: sorted(g["users"]) for g in api.groups()}
    services = api.request("GET", "/services")
    return {"users": users, "tokens": tokens, "groups": groups, "services": sorted(services)}


def test_audit_with_a_read_only_token_changes_nothing_and_reports_what_was_planted(hub) -> None:
    from communityhubs.audit import READ_SCOPES

    api = hub.start(**REPORTERS)
    api.create_users(["demo-second-admin"], admin=True)  # an admin the spec does not name
    api.create_token("demo-ada", scopes=["read:users:name!user"], note="a script from last term")
    api.add_to_group("demo-reporters", ["demo-ada"])  # a member the spec does not give the group
    secret, _ = api.create_token("demo-admin", scopes=READ_SCOPES, note="audit", expires_in=3600)
    before = hub_state(api)
    spec_file = hub.folder / "hub.yaml"
    done = cli("audit", "--url", hub.url, "--spec", str(spec_file), token=secret, cwd=hub.folder)
    assert done.returncode == 0, done.stderr
    assert hub_state(api) == before
    report = done.stdout
    for finding in (
        "drift: admin",
        "demo-second-admin is an admin on the hub",
        "token never expires  demo-ada's token 'a script from last term'",
        "admin service",
        "role",
        "group demo-reporters: demo-activity-report",
        "drift: group",
        "demo-reporters has members the spec does not give it: demo-ada",
        "never logged in",
    ):
        assert finding in report, report
    assert "audit'" not in report  # its own token is not a finding
