"""Shared fixtures: the built site, a static server for it, a browser, a local hub.

The site is built by `nox -s tests` before pytest starts (guides forced to
run), so the tests here check that build rather than paying for another one.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hub_logs import hub_logs
from tests.support.paths import CHROMIUM, HTML

# Each run writes its durations, per test and per folder, to _build/durations/tests.json.
pytest_plugins = ["tests.support.durations", "pytester"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """A failed test that used a hub shows that hub's log, its proxy's and its containers' with the failure."""
    report = yield
    if report.failed and call.when in ("setup", "call"):
        logs = hub_logs(getattr(item, "funcargs", {}))
        if logs:
            report.sections.append(("hub, proxy and container logs", logs))
    return report


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML} has no built site: run the suite with `nox -s tests`, which builds it first")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (search needs http, not file://)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway local hub from the example spec, shared by one module's tests (JupyterHub's own
    `app` fixture is module-scoped too): a test that stops or reconfigures its hub uses `own_local_hub`."""
    yield from started_local_hub(tmp_path_factory.mktemp("local-hub"))


@pytest.fixture
def own_local_hub(tmp_path: Path):
    """A throwaway local hub for one test, which may stop it."""
    yield from started_local_hub(tmp_path)


def started_local_hub(folder: Path):
    from communityhubs.hub import Hub
    from communityhubs.spec import load_spec

    hub = Hub(load_spec(), folder / "hub")
    info = hub.up()
    yield hub, info
    hub.down()
    shutil.rmtree(folder / "hub", ignore_errors=True)
