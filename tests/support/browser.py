"""A person in the browser: logging in to a hub (the browser tests and the burst benchmark)."""

from __future__ import annotations


def log_in_in_browser(page, hub_url: str, user: str, password: str) -> None:
    page.goto(f"{hub_url}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=90000)
    page.locator(".jp-LauncherCard").first.wait_for(timeout=60000)
