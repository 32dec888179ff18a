"""A small client for the JupyterHub REST API.

The token travels in the Authorization header only: never in a URL, a log line
or an exception message.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import quote

import requests

from .errors import CommunityHubsError
from .secretfiles import record


class HubAPIError(CommunityHubsError, RuntimeError):
    def __init__(self, method: str, path: str, status: int, message: str):
        super().__init__(f"{method} {path} -> {status}: {message}")
        self.status = status
        self.message = message


class HubUnreachable(CommunityHubsError, ConnectionError):
    """No HTTP answer at all from the hub's address: nothing listens (`timed_out` False), or it took too long."""

    def __init__(self, message: str, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out


class HubClient:
    """`show_calls=True` prints each change it makes as the REST call a reader can repeat
    with curl (`POST /hub/api/users {...}`); reads (GET) are not shown, nor calls made
    from worker threads, whose order varies between runs."""

    def __init__(self, url: str, token: str, timeout: float = 30, show_calls: bool = False):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.show_calls = show_calls
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def __repr__(self) -> str:  # never show the token
        return f"HubClient({self.url!r})"

    # --- plumbing ----------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        if self.show_calls and method != "GET" and threading.current_thread() is threading.main_thread():
            body = kwargs.get("json")
            print(f"{method} /hub/api{path}" + (f" {json.dumps(body, ensure_ascii=False)}" if body else ""))
        try:
            resp = self.session.request(method, f"{self.url}/hub/api{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as err:  # advice, not a urllib3 traceback
            timed_out = isinstance(err, requests.Timeout)
            why = f"no answer within {self.timeout:.0f} s" if timed_out else "no answer"
            raise HubUnreachable(
                f"{method} /hub/api{path}: {why} from {self.url} ({type(err).__name__}); is the hub running there?",
                timed_out,
            ) from None
        if resp.status_code >= 400:
            try:
                message = resp.json().get("message", resp.reason)
            except ValueError:
                message = resp.reason
            raise HubAPIError(method, f"/hub/api{path}", resp.status_code, message)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    # --- hub ---------------------------------------------------------------
    def version(self) -> str:
        return self.request("GET", "/")["version"]

    def whoami(self) -> dict[str, Any]:
        return self.request("GET", "/user")

    # --- users -------------------------------------------------------------
    def paged(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list the hub pages (GET /hub/api/users returns 200 at most per page)."""
        items: list[dict[str, Any]] = []
        headers = {"Accept": "application/jupyterhub-pagination+json"}
        offset = 0
        while True:
            page = self.request("GET", path, params={**params, "offset": offset}, headers=headers)
            items += page["items"]
            following = page["_pagination"].get("next")
            if not following:
                return items
            offset = following["offset"]

    def users(self, prefix: str = "") -> list[dict[str, Any]]:
        """Users whose names start with `prefix`, filtered by the hub (`name_filter`), every page."""
        return self.paged("/users", **({"name_filter": prefix} if prefix else {}))

    def user(self, name: str) -> dict[str, Any]:
        return self.request("GET", f"/users/{quote(name)}")

    def create_users(self, names: list[str], admin: bool = False) -> list[dict[str, Any]]:
        return self.request("POST", "/users", json={"usernames": names, "admin": admin})

    def set_admin(self, name: str, admin: bool) -> dict[str, Any]:
        return self.request("PATCH", f"/users/{quote(name)}", json={"admin": admin})

    def delete_user(self, name: str) -> None:
        self.request("DELETE", f"/users/{quote(name)}")

    # --- groups ------------------------------------------------------------
    def groups(self, prefix: str = "") -> list[dict[str, Any]]:
        return [g for g in self.paged("/groups") if g["name"].startswith(prefix)]

    def group(self, name: str) -> dict[str, Any]:
        return self.request("GET", f"/groups/{quote(name)}")

    def create_group(self, name: str, users: list[str] | None = None) -> dict[str, Any]:
        group = self.request("POST", f"/groups/{quote(name)}")
        return self.add_to_group(name, users) if users else group

    def add_to_group(self, name: str, users: list[str]) -> dict[str, Any]:
        return self.request("POST", f"/groups/{quote(name)}/users", json={"users": users})

    def remove_from_group(self, name: str, users: list[str]) -> dict[str, Any]:
        return self.request("DELETE", f"/groups/{quote(name)}/users", json={"users": users})

    def set_group_properties(self, name: str, properties: dict[str, Any]) -> dict[str, Any]:
        return self.request("PUT", f"/groups/{quote(name)}/properties", json=properties)

    def delete_group(self, name: str) -> None:
        self.request("DELETE", f"/groups/{quote(name)}")

    # --- servers -----------------------------------------------------------
    def start_server(
        self, name: str, wait: bool = True, timeout: float = 120, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Start the user's server; `options` are user_options, such as a chosen profile."""
        self.request("POST", f"/users/{quote(name)}/server", json=options or {})
        return self.wait_for_server(name, ready=True, timeout=timeout) if wait else self.user(name)

    def stop_server(self, name: str, wait: bool = True, timeout: float = 60) -> dict[str, Any]:
        try:
            self.request("DELETE", f"/users/{quote(name)}/server")
        except HubAPIError as err:
            # 503 is the proxy's, not the hub's: it lost the hub's answer (seen when a docker hub's
            # last containers leave its network: the hub logged 204, the proxy "read ETIMEDOUT").
            # Stopping is idempotent, so the server's own state decides.
            if err.status != 503 or not wait:
                raise
        return self.wait_for_server(name, ready=False, timeout=timeout) if wait else self.user(name)

    def server(self, name: str) -> dict[str, Any] | None:
        """The user's default server model, or None when it is not running."""
        return self.user(name)["servers"].get("")

    def wait_for_server(self, name: str, ready: bool, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            user = self.user(name)
            server = user["servers"].get("")
            if ready and server and server["ready"]:
                return user
            if not ready and not server:
                return user
            if time.monotonic() > deadline:
                state = "ready" if ready else "stopped"
                raise TimeoutError(f"server of {name!r} not {state} after {timeout:.0f} s")
            time.sleep(0.5)

    # --- tokens ------------------------------------------------------------
    def create_token(self, user: str, scopes: list[str], note: str, expires_in: int | None = None) -> tuple[str, dict]:
        """Create a token for `user`; returns (secret, model without the secret)."""
        body: dict[str, Any] = {"scopes": scopes, "note": note}
        if expires_in:
            body["expires_in"] = expires_in
        model = self.request("POST", f"/users/{quote(user)}/tokens", json=body)
        secret = model.pop("token")
        record(secret)
        return secret, model

    def tokens(self, user: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/users/{quote(user)}/tokens")["api_tokens"]

    def revoke_token(self, user: str, token_id: str) -> None:
        self.request("DELETE", f"/users/{quote(user)}/tokens/{quote(token_id)}")


def log_in(hub_url: str, username: str, password: str) -> requests.Session:
    """Log in through the hub's login form, as a browser would; return the session.

    JupyterHub's form carries an `_xsrf` value both as a cookie and a hidden input.
    """
    session = requests.Session()
    page = session.get(f"{hub_url.rstrip('/')}/hub/login", timeout=30)
    page.raise_for_status()
    xsrf = session.cookies.get("_xsrf", "")
    resp = session.post(
        f"{hub_url.rstrip('/')}/hub/login",
        data={"username": username, "password": password, "_xsrf": xsrf},
        timeout=60,
        allow_redirects=False,
    )
    if resp.status_code != 302:
        raise HubAPIError("POST", "/hub/login", resp.status_code, "login refused")
    return session
