"""The admin client keeps its token out of reprs, errors and URLs."""

from __future__ import annotations

import pytest
from communityhubs.client import HubAPIError, HubClient


def test_token_is_not_in_repr_or_errors(local_hub) -> None:
    _, info = local_hub
    token = info.admin_token()
    api = HubClient(info.url, token)
    assert token not in repr(api)
    with pytest.raises(HubAPIError) as err:
        api.user("demo-nobody")
    assert err.value.status == 404
    assert token not in str(err.value)


def test_wrong_token_is_refused(local_hub) -> None:
    _, info = local_hub
    with pytest.raises(HubAPIError) as err:
        HubClient(info.url, "0" * 64).users()
    assert err.value.status == 403


def test_token_travels_in_header_not_url(local_hub) -> None:
    _, info = local_hub
    api = HubClient(info.url, info.admin_token())
    seen = []
    api.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    api.users()
    assert seen and info.admin_token() not in seen[0].url
    assert seen[0].headers["Authorization"] == f"token {info.admin_token()}"
