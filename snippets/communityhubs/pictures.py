"""Pictures of a guide's own hub, taken by a real browser while the guide runs: what a person
sees on the login page, the spawn page, the admin panel or in JupyterLab.

A picture needs someone to log in as, so only a throwaway hub (whose password files the guide
can read) is photographed; on a reader's hub the guide says which page to open instead. The
browser is Debian's chromium, driven by Playwright; neither is needed by the hub itself.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from IPython.display import Image, Markdown

    from .guide import GuideHub

    Shown = Image | Markdown

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SIZE = {"width": 1100, "height": 620}  # wide enough for JupyterHub's pages, small enough to read on the site


def browser_missing() -> str:
    """Why no picture can be taken here ('' when one can)."""
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (Debian: `apt-get install chromium`; elsewhere set $CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (`pip install playwright`)"
    return ""


def of_guide_hub(
    hub: GuideHub,
    path: str,
    user: str | None = None,
    admin: bool = False,
    show: str = "",
    lands: str = "",
    run_all: bool = False,
) -> Shown:
    """`picture` of a guide's hub, logged in as `user` with the admins' password (`admin`) or the
    shared one; on a reader's hub, whose passwords a guide does not know, a line naming the page."""
    if not hub.throwaway:
        from IPython.display import Markdown

        return Markdown(f"*Open `{path}` on your hub to see this page: pictures are taken only on a guide's own hub.*")
    login = (user, hub.admin_password() if admin else hub.shared_password()) if user else None
    return picture(hub.url, path, login, show, lands, run_all)


def picture(
    url: str,
    path: str,
    login: tuple[str, str] | None = None,
    show: str = "",
    lands: str = "",
    run_all: bool = False,
) -> Shown:
    """The page at `path` of the hub at `url`, as a visitor sees it or, with `login` (name,
    password), as that person does once logged in, after the text `show` appears on it. `lands`:
    the page `path` sends the browser on to (/hub/spawn/USER goes on to /hub/spawn-pending/USER).
    `run_all`: in JupyterLab, run every cell of the open notebook first (Run, Run All Cells)."""
    from IPython.display import Image, Markdown

    missing = browser_missing()
    if missing:
        return Markdown(f"*Open `{path}` on the hub to see this page: no picture here, {missing}.*")
    # Playwright's sync API refuses to run where an event loop runs, as in a Jupyter kernel: a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as thread:
        shown = thread.submit(screenshot, url, path, login, show, lands or path, run_all).result()
    if isinstance(shown, str):  # no page at all: what the browser said instead
        return Markdown(f"*The browser showed no page at `{path}`: {shown}*")
    return Image(data=shown, format="png")


def screenshot(
    url: str, path: str, login: tuple[str, str] | None, show: str, lands: str, run_all: bool = False
) -> bytes | str:
    """The page as PNG, or the browser's own error (such as net::ERR_CONNECTION_REFUSED) where none loads."""
    from playwright.sync_api import Error, sync_playwright

    # A hostname, not an IP: some cookie jars ignore cookies that an IP-address host sets.
    url = url.replace("127.0.0.1", "localhost")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport=SIZE).new_page()
            if login:  # straight to the page: a login that went home would start the person's server
                page.goto(f"{url}/hub/login?next={quote(urlsplit(url).path + path)}")
                page.fill("input[name=username]", login[0])
                page.fill("input[name=password]", login[1])
                page.click("input[type=submit], button[type=submit]")
                page.wait_for_load_state("networkidle")
                if urlsplit(page.url).path.endswith("/hub/login"):  # refused: the login page is what they see
                    return page.screenshot()
                page.wait_for_url(f"**{lands}*", timeout=90_000)
            else:
                try:
                    page.goto(f"{url}{path}")
                except Error as err:
                    return next((w for w in str(err).split() if w.startswith("net::")), str(err).splitlines()[0])
            page.wait_for_load_state("networkidle")
            if run_all:
                page.get_by_text("| Idle").first.wait_for(timeout=90_000)  # the notebook's kernel has started
                no_news(page)  # before the run: a dialog the run opens would cover the question's buttons
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_text("Run All Cells", exact=True).first.click()
            if show:
                page.get_by_text(show).first.wait_for(timeout=90_000)
            if not run_all:
                no_news(page)
            return page.screenshot()
        finally:
            browser.close()


def no_news(page: Any) -> None:
    """Answer JupyterLab's first-run question, which covers part of the launcher."""
    news = page.get_by_text("Would you like to get notified about official Jupyter news?")
    if news.count():
        page.get_by_role("button", name="No", exact=True).click()
        news.wait_for(state="hidden")


def provider_login(hub_url: str, name: str, path: str = "/hub/home") -> tuple[Shown, Shown]:
    """Pictures of `name` logging in through an OAuth provider whose page asks only for a name (the
    throwaway provider of `communityhubs.identity_provider`): its page, then where the hub lands."""
    from IPython.display import Image, Markdown

    missing = browser_missing()
    if missing:
        note = Markdown(f"*No picture here: {missing}.*")
        return note, note
    with ThreadPoolExecutor(max_workers=1) as thread:
        asked, landed, _ = thread.submit(sign_in_through_provider, hub_url, name, path).result()
    return Image(data=asked, format="png"), Image(data=landed, format="png")


def sign_in_through_provider(hub_url: str, name: str, path: str = "/hub/home") -> tuple[bytes, bytes, str]:
    """Click the hub's "Sign in with" button, give the provider's page `name` and authorise: the
    provider's page and the hub's landing page as PNG, and the landing page's text."""
    from playwright.sync_api import sync_playwright

    url = hub_url.replace("127.0.0.1", "localhost")  # as the callback URL names it: the state cookie's host
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport=SIZE).new_page()
            page.goto(f"{url}/hub/login?next={quote(urlsplit(url).path + path)}")
            page.get_by_role("button", name="Sign in with").click()
            page.locator("input[name=sub]").fill(name)
            asked = page.screenshot()
            page.get_by_role("button", name="Authorize").click()
            page.wait_for_load_state("networkidle")
            return asked, page.screenshot(), page.inner_text("body")
        finally:
            browser.close()
