"""A failing hub test shows what its hub said (tests/conftest.py, tests/support/hub_logs.py)."""

from __future__ import annotations

import pytest

INNER = """
def test_with_a_hub(tmp_path):
    state = tmp_path / "hub"
    state.mkdir()
    (state / "hub.log").write_text("[E hub] Spawner failed: 3f9a8c7d6e5b4a39281706f5e4d3c2b1a0 refused\\n")
    assert {passes}
"""


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    return pytester


def test_a_failed_hub_test_shows_its_hubs_log_with_tokens_masked(inner: pytest.Pytester) -> None:
    inner.makepyfile(INNER.format(passes=False))
    result = inner.runpytest()
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "hub, proxy and container logs" in out
    section = out.split("hub, proxy and container logs", 1)[1]
    assert "[E hub] Spawner failed: <secret> refused" in section
    assert "3f9a8c7d6e5b4a39281706f5e4d3c2b1a0" not in section


def test_a_passing_hub_test_shows_no_log(inner: pytest.Pytester) -> None:
    inner.makepyfile(INNER.format(passes=True))
    result = inner.runpytest("-rA")
    result.assert_outcomes(passed=1)
    assert "hub, proxy and container logs" not in result.stdout.str()
