"""The site and a hub in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support import layout
from tests.support.browser import log_in_in_browser

# Console messages that are not our errors.
CONSOLE_ALLOWLIST = [
    "Got invalid theme mode",  # sphinx-book-theme, once on first load with no stored mode
]

SECTIONS = {
    "Get started: run a hub and a guide on your own computer": "docs/get-started.html",
    "What is a community hub?": "docs/overview.html",
    "Guides for hub admins": "guides/index.html",
    "Reference": "docs/reference/index.html",
}


def test_landing_page_renders_without_console_errors(page, site_url: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_url}/index.html")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().startswith("Community Hubs")
    assert page.locator(".sd-card").count() == 3
    real = [e for e in errors if not any(a in e for a in CONSOLE_ALLOWLIST)]
    assert real == []


DOORS = {
    "I lead a community": "docs/who-is-it-for.html",
    "I run a hub": "guides/index.html",
    "I run hubs for others": "docs/outgrow-one-machine.html",
}


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)], ids=["phone", "laptop"])
def test_a_door_for_each_reader_is_on_the_first_screen(page, site_url: str, width: int, height: int) -> None:
    """A community leader, a hub admin and an operator each find their way in without scrolling."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{site_url}/index.html")
    page.wait_for_load_state("networkidle")
    for title, href in DOORS.items():
        card = page.locator(".sd-card", has_text=title)
        box = card.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (title, box)
        assert card.locator("a").first.get_attribute("href") == href


def test_choosing_where_the_hub_runs_switches_every_tab_set_on_the_page(page, site_url: str) -> None:
    """A reader picks their platform once: "where to run this guide" and the configuration tabs move together."""
    page.goto(f"{site_url}/guides/add-users-and-admins.html")
    page.wait_for_load_state("networkidle")
    sets = page.locator(".sd-tab-set")
    assert sets.count() >= 2

    def chosen() -> list[str]:
        return [sets.nth(i).locator("input:checked + label").inner_text().strip() for i in range(sets.count())]

    assert set(chosen()) == {"Local"}
    sets.first.locator("label", has_text="Kubernetes").click()
    assert set(chosen()) == {"Kubernetes"}
    page.reload()  # and the choice is remembered on the next page the reader opens
    page.wait_for_load_state("networkidle")
    assert set(chosen()) == {"Kubernetes"}


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)], ids=["phone", "laptop"])
def test_no_page_cuts_anything_off_on_a_phone_or_a_laptop(page, site, site_url: str, width: int, height: int) -> None:
    """Every page of the site: nothing runs past the screen or a box that clips it unless the box
    scrolls sideways, a box that scrolls says so in words, and tab labels take two rows at most."""
    page.set_viewport_size({"width": width, "height": height})
    problems = {}
    for html in sorted(site.rglob("*.html")):
        path = html.relative_to(site).as_posix()
        if path.startswith(("_", "genindex", "search")):
            continue
        page.goto(f"{site_url}/{path}")
        page.wait_for_load_state("load")
        found = {
            "cut off": page.evaluate(layout.CUT_OFF),
            "the page scrolls sideways": page.evaluate(layout.PAGE_SCROLLS),
            "scrolls with no hint": page.evaluate(layout.UNHINTED_SCROLLERS),
            "tab label rows over 2": max(0, page.evaluate(layout.TAB_ROWS) - 2),
        }
        if any(found.values()):
            problems[path] = {what: value for what, value in found.items() if value}
    assert problems == {}


@pytest.mark.parametrize("title,href", SECTIONS.items(), ids=list(SECTIONS))
def test_top_level_sections_reachable_from_navigation(page, site_url: str, title: str, href: str) -> None:
    page.goto(f"{site_url}/index.html")
    nav = page.locator("nav.bd-docs-nav")
    nav.locator(f"a[href='{href}']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(href)
    assert page.locator("h1").first.inner_text().rstrip("#").strip() == title


def test_search_finds_right_to_replicate(page, site_url: str) -> None:
    page.goto(f"{site_url}/search.html?q=replicate")
    hit = page.locator("#search-results a[href*='right-to-replicate']").first
    hit.wait_for(timeout=15000)
    assert "Right to Replicate" in hit.inner_text()


ERRORS_PEOPLE_PASTE = {
    "Service Unavailable": "why-do-people-see-an-error-page",
    "Invalid username or password": "why-do-people-see-an-error-page",
    "Bad config encountered": "why-wont-my-hub-start",
    "already in use": "why-wont-my-hub-start",
    "Spawn failed": "why-wont-a-users-server-start",
    "appears to have died": "why-does-my-kernel-keep-dying",
    "not currently authorized to use this hub": "let-people-log-in-with-single-sign-on",
}


@pytest.mark.parametrize("words, guide", ERRORS_PEOPLE_PASTE.items(), ids=list(ERRORS_PEOPLE_PASTE))
def test_an_error_pasted_into_search_finds_its_troubleshooting_guide(
    page, site_url: str, words: str, guide: str
) -> None:
    page.goto(f"{site_url}/search.html?q={quote(words)}")
    hit = page.locator(f"#search-results a[href*='{guide}']").first
    hit.wait_for(timeout=15000)


def test_dark_mode_switch(page, site_url: str) -> None:
    page.goto(f"{site_url}/index.html")
    page.wait_for_load_state("networkidle")
    html = page.locator("html")
    seen = {}
    for mode in ("dark", "light"):  # the switch is a menu: System Settings, Light, Dark
        page.locator(".theme-switch-button").click()
        page.locator(f".theme-change-button[data-mode={mode}]").click()
        assert html.get_attribute("data-theme") == mode
        seen[mode] = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert seen["dark"] != seen["light"]


def test_code_blocks_have_a_copy_button(page, site_url: str) -> None:
    page.goto(f"{site_url}/docs/get-started.html")
    page.wait_for_load_state("networkidle")
    blocks = page.locator("div.highlight pre")
    assert blocks.count() > 0
    assert page.locator("button.copybtn").count() == blocks.count()


def test_tables_a_cell_prints_are_tables(page, site_url: str) -> None:
    """The "How fast is it?" page prints its figures as Markdown tables: a reader sees rows, not pipes."""
    page.goto(f"{site_url}/docs/benchmarks.html")
    page.wait_for_load_state("networkidle")
    outputs = page.locator("div.cell_output")
    assert outputs.locator("table").count() >= 2
    assert "| target |" not in outputs.first.inner_text() and "| --- |" not in page.locator("article").inner_text()


@pytest.mark.parametrize("path", ["index.html", "guides/manage-user-servers.html", "docs/benchmarks.html"])
def test_no_wcag_a_or_aa_violations(page, site_url: str, path: str) -> None:
    page.goto(f"{site_url}/{path}")
    page.wait_for_load_state("networkidle")
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()


def test_user_logs_in_to_a_hub_in_the_browser(page, local_hub) -> None:
    """A real login: the form, the cookie, the spawn, and JupyterLab in the browser."""
    _, info = local_hub
    # A hostname, not an IP: some cookie jars ignore cookies set by IP-address hosts.
    url = info.url.replace("127.0.0.1", "localhost")
    page.goto(f"{url}/hub/login")
    page.fill("input[name=username]", "demo-ada")
    page.fill("input[name=password]", info.password_file.read_text().strip())
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/user/demo-ada/lab**", timeout=90000)
    page.locator(".jp-LauncherCard").first.wait_for(timeout=60000)
    assert "/user/demo-ada/lab" in page.url


def test_an_admin_reaches_the_admin_panel_with_the_admins_password_and_not_with_the_shared_one(
    browser, local_hub
) -> None:
    """Someone who knows only the shared password cannot log in as an admin; the admin's own
    password opens /hub/admin. (Without an admin password, JupyterHub lets no admin log in.)"""
    _, info = local_hub
    url = info.url.replace("127.0.0.1", "localhost")
    guess, admin = browser.new_context(), browser.new_context()
    try:
        page = guess.new_page()
        page.goto(f"{url}/hub/login")
        page.fill("input[name=username]", "demo-admin")
        page.fill("input[name=password]", info.password_file.read_text().strip())
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/hub/login" in page.url and page.locator(".login_error, #login-main .alert").count() > 0
        page = admin.new_page()
        page.goto(f"{url}/hub/login?next=%2Fhub%2Fadmin")
        page.fill("input[name=username]", "demo-admin")
        page.fill("input[name=password]", info.admin_password_file.read_text().strip())
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url("**/hub/admin**", timeout=60000)
        page.get_by_text("demo-grace").first.wait_for(timeout=30000)  # the panel lists the users
    finally:
        guess.close()
        admin.close()


def test_one_user_cannot_open_another_users_server_in_the_browser(browser, local_hub) -> None:
    """Two people in two browser sessions: demo-grace is turned away from demo-ada's
    JupyterLab and files, while her own server works."""
    _, info = local_hub
    url = info.url.replace("127.0.0.1", "localhost")
    password = info.password_file.read_text().strip()
    ada, grace = browser.new_context(), browser.new_context()
    try:
        log_in_in_browser(ada.new_page(), url, "demo-ada", password)
        page = grace.new_page()
        log_in_in_browser(page, url, "demo-grace", password)
        response = page.goto(f"{url}/user/demo-ada/lab")
        assert response.status == 403, f"{response.status} at {page.url}"
        assert page.locator(".jp-LauncherCard").count() == 0
        files = grace.request.get(f"{url}/user/demo-ada/api/contents/", max_redirects=0)
        assert files.status in (302, 403) and "content" not in files.text()
        own = grace.request.get(f"{url}/user/demo-grace/api/contents/")
        assert own.status == 200 and own.json()["type"] == "directory"  # the check can tell a server that lets you in
    finally:
        ada.close()
        grace.close()


def test_a_picture_of_a_page_behind_the_login_starts_nobodys_server(local_hub) -> None:
    """The guides' pictures log in straight to the page they show: a login that went home would
    start the admin's server, which no guide's clean-up would stop."""
    from communityhubs.client import HubClient
    from communityhubs.pictures import picture

    _, info = local_hub
    api = HubClient(info.url, info.admin_token())
    before = {u["name"] for u in api.users("demo-") if u["servers"]}
    shown = picture(info.url, "/hub/admin", ("demo-admin", info.admin_password_file.read_text().strip()), "demo-grace")
    assert shown.data.startswith(b"\x89PNG") and len(shown.data) > 10_000
    assert {u["name"] for u in api.users("demo-") if u["servers"]} == before


def test_a_picture_names_the_page_where_none_can_be_taken(monkeypatch) -> None:
    from communityhubs import pictures

    monkeypatch.setattr(pictures, "CHROMIUM", "/nowhere/chromium")
    shown = pictures.picture("http://127.0.0.1:1", "/hub/admin")
    why = "no chromium at /nowhere/chromium (Debian: `apt-get install chromium`; elsewhere set $CHROMIUM)"
    assert shown.data == f"*Open `/hub/admin` on the hub to see this page: no picture here, {why}.*"
