"""A throwaway OpenID Connect provider on 127.0.0.1 (`oidc-provider-mock`, from PyPI): people with
the claims a real provider would send (a username, groups), to try the `generic-oauth` login end to
end, in a browser, before a hub is pointed at the community's single sign-on. The guide on it and
the browser test log in through it.

Its login page asks only for a name (it checks no password: it stands in for the provider's own
login), so it answers only on 127.0.0.1 and `stop()` ends it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from .errors import CommunityHubsError
from .hubprocess import free_port


class ProviderError(CommunityHubsError, RuntimeError):
    """The provider could not be started or told about a person. str(error) is one line."""


@dataclass
class IdentityProvider:
    port: int
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoints(self) -> dict[str, str]:
        """The spec's generic-oauth URLs, from the provider's own discovery document."""
        found = requests.get(f"{self.url}/.well-known/openid-configuration", timeout=10).json()
        return {
            "authorize_url": found["authorization_endpoint"],
            "token_url": found["token_endpoint"],
            "userdata_url": found["userinfo_endpoint"],
        }

    def add_person(self, sub: str, claims: dict[str, Any]) -> None:
        """The claims the provider sends for `sub` (the name typed on its login page)."""
        done = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        if done.status_code != 204:
            raise ProviderError(f"the provider refused {sub!r}: {done.status_code} {done.text[:200]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_provider() -> IdentityProvider:
    """A running provider on a free port of 127.0.0.1; raises ProviderError, leaving nothing running."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    log = tempfile.TemporaryFile()  # its request log: a pipe nobody reads would fill up and stop it
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    provider = IdentityProvider(port, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=2).ok:
                return provider
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            provider.stop()
            log.seek(0)
            why = (log.read().decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise ProviderError(f"oidc-provider-mock did not answer on {provider.url}: {why}")
        time.sleep(0.2)
