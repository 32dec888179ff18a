"""No secret a run creates reaches the published site, the notebooks or the logs.

`nox -s tests` plants a canary shared password and has every secret the build
creates (admin tokens, cookie secrets, passwords, scoped tokens) recorded in a
ledger; here we look for each of them everywhere a reader or a log could see.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.paths import BUILD, ROOT

LEDGER = BUILD / "secrets" / "ledger"
PUBLISHED = [BUILD / "html", BUILD / "jupyter_execute", BUILD / "logs", ROOT / "notebooks"]


def find_secrets(secrets: set[str], roots: list[Path]) -> list[str]:
    """Every (file, secret prefix) where a secret appears in a file that is, or is under, a root."""
    hits = []
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for secret in secrets:
                    if secret.encode() in data:
                        hits.append(f"{path} contains {secret[:6]}…")
    return hits


def ledger() -> set[str]:
    assert LEDGER.exists(), "no secret ledger: run the suite with `nox -s tests`"
    assert LEDGER.stat().st_mode & 0o077 == 0, "the ledger must be mode 0600"
    return {line for line in LEDGER.read_text().splitlines() if line}


def test_the_run_created_and_recorded_secrets(site: Path) -> None:
    secrets = ledger()
    for variable in ("HUB_SHARED_PASSWORD", "HUB_ADMIN_PASSWORD"):
        planted = os.environ.get(variable, "")
        assert planted.startswith("canary-") and planted in secrets, variable
    # at least: one admin token and cookie secret per throwaway hub, and the scoped token guide's token
    assert len(secrets) >= 10


def test_no_secret_in_published_output_or_logs(site: Path) -> None:
    hub_logs = sorted((BUILD / "hubs").glob("*/hub.log"))
    assert hub_logs, "the guides' hubs keep their logs under _build/hubs"
    assert find_secrets(ledger(), PUBLISHED + hub_logs) == []


def test_the_scan_finds_a_planted_leak(tmp_path: Path) -> None:
    canary = "canary-" + os.urandom(8).hex()
    (tmp_path / "page.html").write_text(f"<p>token {canary}</p>")
    (tmp_path / "clean.html").write_text("<p>nothing here</p>")
    hits = find_secrets({canary}, [tmp_path])
    assert len(hits) == 1 and "page.html" in hits[0]
