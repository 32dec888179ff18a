"""What every guide's first and last cell does.

`open_hub()` uses the reader's own hub when HUB_URL and HUB_TOKEN are set, and
otherwise starts a throwaway local hub from a spec in snippets/, which `close()`
stops again. Guides only create users and groups whose names start with PREFIX, and
clean up only what they created: what the hub had when the guide opened it stays.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import names
from .client import HubAPIError, HubClient, HubUnreachable
from .errors import CommunityHubsError
from .hub import Hub, Runner
from .spec import EXAMPLE_SPEC, load_spec

PREFIX = "demo-"
READERS_HUB = "HUB_URL"  # the target name of a hub given by HUB_URL/HUB_TOKEN


@dataclass
class GuideHub:
    """The hub a guide works on."""

    url: str
    client: HubClient
    target: str
    version: str
    _token: str = field(repr=False)
    _local: Runner | None = field(default=None, repr=False)
    _state_dir: Path | None = field(default=None, repr=False)
    _had_users: set[str] = field(default_factory=set, repr=False)
    _had_servers: set[str] = field(default_factory=set, repr=False)
    _had_groups: set[str] = field(default_factory=set, repr=False)

    @property
    def token(self) -> str:
        """The admin token, for tools that need it in a header (never print it)."""
        return self._token

    @property
    def log_file(self) -> Path | None:
        """The hub's log, for a throwaway local hub."""
        return self._state_dir / names.LOG_FILE if self._state_dir else None

    def shared_password(self) -> str:
        """The throwaway hub's shared password, read from its 0600 file (never print it)."""
        if not self._state_dir:
            raise RuntimeError("only a throwaway local hub has a password file")
        return (self._state_dir / names.SHARED_PASSWORD_FILE).read_text().strip()

    def admin_password(self) -> str:
        """The throwaway hub's admins' password, read from its 0600 file (never print it)."""
        if not self._state_dir:
            raise RuntimeError("only a throwaway local hub has a password file")
        return (self._state_dir / names.ADMIN_PASSWORD_FILE).read_text().strip()

    @property
    def throwaway(self) -> bool:
        """Whether this is a hub the guide started for itself (not the reader's)."""
        return self._local is not None

    def about(self) -> str:
        """'a local hub, JupyterHub 6.1.1', or 'your hub, ...' when it is the reader's."""
        return f"{describe(self.target)}, JupyterHub {self.version}"

    def verified(self) -> str:
        """One line for the end of a guide: what this run was verified against."""
        return verified_line(self.target, self.version)

    def __post_init__(self) -> None:
        # What the hub had before the guide began: clean-up leaves exactly that.
        users = self.client.users(PREFIX)
        self._had_users = {u["name"] for u in users}
        self._had_servers = {u["name"] for u in users if u["servers"]}
        self._had_groups = {g["name"] for g in self.client.groups(PREFIX)}

    def left_behind(self) -> list[str]:
        """What this guide created (users, groups, servers) that is still there: [] after `cleanup`."""
        users = self.client.users(PREFIX)
        left = [f"user {u['name']}" for u in users if u["name"] not in self._had_users]
        left += [f"server of {u['name']}" for u in users if u["servers"] and u["name"] not in self._had_servers]
        left += [f"group {g['name']}" for g in self.client.groups(PREFIX) if g["name"] not in self._had_groups]
        return sorted(left)

    def cleanup(self) -> None:
        """Remove the users, groups and servers this guide created, and nothing else.

        Servers are stopped first (`DELETE /hub/api/users/NAME/server`, which can
        answer before the server is gone), side by side, then users deleted.
        """
        shown, self.client.show_calls = self.client.show_calls, False  # clean-up is not a step to copy
        for group in self.client.groups(PREFIX):
            if group["name"] not in self._had_groups:
                self.client.delete_group(group["name"])
        users = self.client.users(PREFIX)

        def remove(user: dict) -> None:
            name = user["name"]
            if user["servers"] and name not in self._had_servers:
                self.client.stop_server(name, wait=True, timeout=300)
            if name not in self._had_users:
                self.client.delete_user(name)

        with ThreadPoolExecutor(max_workers=min(32, len(users) or 1)) as pool:
            list(pool.map(remove, users))
        self.client.show_calls = shown

    def restart(self, spec_file: str | Path | None = None) -> None:
        """Stop and start the throwaway hub on the same state, as `systemctl restart jupyterhub`
        restarts a real one: the hub and the proxy it started read their files again, and
        `spec_file`, if given, is the changed specification it starts from."""
        if self._local is None:
            raise RuntimeError("only a throwaway local hub can be restarted by a guide")
        self._local.down()
        if spec_file is not None:
            self._local = Hub(load_spec(spec_file), self._local.state_dir, self._local.port)
        url = self._local.up().url
        if url != self.url:  # the state folder keeps the port; anything else is a different hub
            raise RuntimeError(f"the hub came back at {url}, not {self.url}")

    def close(self) -> None:
        if self._local is not None:
            self._local.down()
            self._local.forget()  # a throwaway hub's data goes with it
            self._local = None
            if self._state_dir and not os.environ.get(names.STATE_ROOT_ENV):
                shutil.rmtree(self._state_dir, ignore_errors=True)


def describe(target: str) -> str:
    return "your hub" if target == READERS_HUB else f"a {target} hub"


def verified_line(target: str, version: str) -> str:
    """The line each guide ends with, built from the run itself."""
    return f"Verified against {describe(target)}, JupyterHub {version}, on {dt.date.today().isoformat()}."


class GuideError(CommunityHubsError, RuntimeError):
    """The reader's HUB_URL or HUB_TOKEN cannot be used; str(error) names which and the fix."""


def shell(command: str, cwd: Path, refused: bool = False) -> str:
    """Run a `communityhubs ...` command as a reader types it in a terminal in `cwd`;
    print the command and what it printed, and return that. A failed command raises,
    unless the guide shows a refusal (`refused=True`): then its error is printed, and
    success raises."""
    args = shlex.split(command)
    if args[0] == "communityhubs":  # the notebook's own Python, whatever the PATH says
        args = [sys.executable, "-m", "communityhubs", *args[1:]]
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    print(f"$ {command}\n{done.stdout}", end="")
    if refused:
        if done.returncode == 0:
            raise GuideError(f"`{command}` should have been refused, and was not")
        print(done.stderr, end="")
        return done.stderr
    if done.returncode != 0:
        raise GuideError(f"`{command}` failed: {done.stderr.strip()}")
    return done.stdout


def connect(url: str, token: str) -> HubClient:
    """A client for the reader's hub, checked now: a wrong address or token fails here, in one line."""
    if not token:
        raise GuideError("HUB_URL is set but HUB_TOKEN is not: export HUB_TOKEN=<an admin token from /hub/token>")
    if not url:
        raise GuideError("HUB_TOKEN is set but HUB_URL is not: export HUB_URL=https://your-hub.example.org")
    if not url.startswith(("http://", "https://")):
        raise GuideError(f"HUB_URL={url!r} has no scheme: write it as https://{url}")
    client = HubClient(url, token, show_calls=True)
    try:
        client.whoami()
    except HubUnreachable as err:
        if err.timed_out:
            raise GuideError(f"HUB_URL={url!r}: the hub did not answer within {client.timeout:.0f} s") from None
        raise GuideError(f"HUB_URL={url!r}: no hub answers at this address; is the hub running?") from None
    except HubAPIError as err:
        if err.status in (401, 403):
            raise GuideError(
                f"HUB_TOKEN: the hub at {url} refuses this token ({err.status}); make a new one at /hub/token"
            ) from None
        raise GuideError(f"HUB_URL={url!r}: {err}") from None
    return client


def open_hub(
    spec_file: str | Path = EXAMPLE_SPEC, name: str = "guide", throwaway: bool = False, port: int | None = None
) -> GuideHub:
    """Connect to the reader's hub, or start a throwaway local one.

    `throwaway=True` always starts a local hub, for demos that need settings
    the reader's hub should not have (such as a 20-second idle timeout);
    `port` is its public port, where a login provider must know it beforehand.
    """
    url, token = os.environ.get("HUB_URL"), os.environ.get("HUB_TOKEN")
    if (url or token) and not throwaway:
        client = connect(url or "", token or "")
        return GuideHub(url=url, client=client, target=READERS_HUB, version=client.version(), _token=token)

    spec = load_spec(spec_file)
    root = os.environ.get(names.STATE_ROOT_ENV)
    if root:
        Path(root).mkdir(parents=True, exist_ok=True)
    state_dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))
    local = Hub(spec, state_dir, port)
    info = local.up()
    atexit.register(local.down)  # a kernel that dies mid-guide leaves no hub behind
    client = HubClient(info.url, info.admin_token(), show_calls=True)
    return GuideHub(
        url=info.url,
        client=client,
        target=local.target.name,
        version=client.version(),
        _token=info.admin_token(),
        _local=local,
        _state_dir=state_dir,
    )
