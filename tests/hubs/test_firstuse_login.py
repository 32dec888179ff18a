"""The firstuse login (TLJH's default) on a real local hub: the first password typed for a name
becomes its password, kept hashed in the hub's own folder."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest
from communityhubs.client import HubAPIError, log_in
from communityhubs.hub import Hub
from communityhubs.spec import validate_spec

PASSWORDS = {
    "short": "ninechars",  # long enough for FirstUse's own 7, not for the spec's 12
    "chosen": secrets.token_urlsafe(12),
    "other": secrets.token_urlsafe(12),
}


def refused(url: str, name: str, password: str) -> bool:
    """Whether `name` is refused with PASSWORDS[password] (looked up here: a failing assert shows no password)."""
    try:
        log_in(url, name, PASSWORDS[password])
        return False
    except HubAPIError as err:
        assert err.status == 403
        return True


def test_the_first_password_typed_becomes_the_persons_password(tmp_path: Path) -> None:
    spec = validate_spec(
        {
            "name": "first-use",
            "authenticator": {"type": "firstuse", "min_password_length": 12},
            "allowed_users": ["demo-ada"],
        },
        source="firstuse.yaml",
    )
    hub = Hub(spec, tmp_path / "state")
    url = hub.up().url
    try:
        assert refused(url, "demo-ada", "short")  # below min_password_length: no password is set
        assert not refused(url, "demo-ada", "chosen")  # the first one long enough becomes hers
        assert refused(url, "demo-ada", "other")  # from now on only hers works
        assert not refused(url, "demo-ada", "chosen")
        assert refused(url, "demo-sam", "other")  # not allowed: no password is set either
        stored = list((tmp_path / "state").glob("passwords.dbm*"))
        assert stored and PASSWORDS["chosen"].encode() not in b"".join(p.read_bytes() for p in stored)  # hashed
        assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700  # in the hub's private folder
    finally:
        hub.down()


@pytest.mark.parametrize("length", [0, 2000])
def test_a_password_length_nobody_can_meet_is_refused_in_one_line(length: int) -> None:
    from communityhubs.spec import SpecError

    with pytest.raises(SpecError, match=r"authenticator.min_password_length"):
        validate_spec({"name": "x", "authenticator": {"type": "firstuse", "min_password_length": length}}, source="x")
