"""The ldap login against a real OpenLDAP server (Debian's slapd, started by communityhubs.directory):
who the directory and its groups let in, on a real local hub."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from communityhubs.client import HubAPIError, HubClient, log_in
from communityhubs.directory import DirectoryError, start_directory
from communityhubs.hub import Hub
from communityhubs.spec import load_spec

from tests.support.needs import need_slapd
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory):
    need_slapd()
    people = ["demo-ada", "demo-grace", "demo-admin"]
    found = start_directory(tmp_path_factory.mktemp("ldap") / "dir", people, {"hub-users": ["demo-ada"]})
    yield found
    found.stop()


def ldap_hub(directory, tmp_path: Path, **changes) -> tuple[Hub, str]:
    data = yaml.safe_load((ROOT / "snippets" / "examples" / "ldap-login.yaml").read_text())
    data["authenticator"] |= {
        "server_address": directory.address,
        "server_port": directory.port,
        "tls_strategy": "insecure",
        "bind_dn_template": [directory.bind_dn_template],
        "allowed_groups": [directory.group_dn("hub-users")],
    }
    data = copy.deepcopy(data)
    for key, value in changes.items():
        if value is None:
            del data["authenticator"][key]
        else:
            data["authenticator"][key] = value
    path = tmp_path / "ldap.yaml"
    path.write_text(yaml.safe_dump(data))
    hub = Hub(load_spec(path), tmp_path / "state")
    return hub, hub.up().url


def logs_in(url: str, directory, name: str, password_of: str | None = None) -> bool:
    """Whether `name` gets in with the directory's password of `password_of` (default: their own;
    "" for one nobody has). Passwords are looked up here, so that a failing assert never shows one."""
    who = name if password_of is None else password_of
    try:
        log_in(url, name, directory.passwords.get(who, "not-a-password"))
        return True
    except HubAPIError as err:
        assert err.status == 403
        return False


def test_the_directory_and_its_group_decide_who_logs_in(directory, tmp_path: Path) -> None:
    hub, url = ldap_hub(directory, tmp_path)
    try:
        assert logs_in(url, directory, "demo-ada")  # in the directory and the group
        assert not logs_in(url, directory, "demo-ada", password_of="demo-grace")  # someone else's password
        assert not logs_in(url, directory, "demo-grace")  # right password, not in the group
        assert not logs_in(url, directory, "demo-sam")  # not in the directory
        assert logs_in(url, directory, "demo-admin")  # an admin of the spec, outside the group
        api = HubClient(url, hub.info().admin_token())
        assert {u["name"]: u["admin"] for u in api.users()}.get("demo-admin") is True
        assert "demo-grace" not in {u["name"] for u in api.users()}
    finally:
        hub.down()


def test_without_allowed_groups_only_the_specs_people_get_in(directory, tmp_path: Path) -> None:
    hub, url = ldap_hub(directory, tmp_path, allowed_groups=None)
    try:
        assert not logs_in(url, directory, "demo-ada")  # the directory knows her; the spec not
        assert logs_in(url, directory, "demo-admin")
    finally:
        hub.down()


def test_a_directory_that_cannot_be_made_leaves_nothing(tmp_path: Path) -> None:
    need_slapd()
    folder = tmp_path / "dir"
    with pytest.raises(DirectoryError, match="slapadd refused"):
        start_directory(folder, ["demo ada,cn=x"], {})  # not a name a DN can hold as it is
    assert not folder.exists()
