"""Taking someone's access away on a running hub, so that it really ends.

Taking a name out of the configuration is not enough on a live JupyterHub: a browser session
keeps working without asking the authenticator again, tokens keep their scopes, and groups
only ever gain members from `load_groups`. `revoke` does on the running hub, through its REST
API, what the configuration cannot: it stops the person's servers, revokes every token
(their servers' login tokens too), takes them out of every group and takes admin rights away.
A hub session ends only when JupyterHub forgets the person (`DELETE /hub/api/users/NAME`); that
is done only where the hub's spawner keeps a person's files when it forgets them, and said
otherwise. `changes_to_make` lists what to change in the configuration so that a restart does
not let the person back in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from .client import HubAPIError, HubClient
from .errors import CommunityHubsError

# Spawners that keep a person's files when JupyterHub forgets the person: their homes are
# folders, volumes or Unix accounts named after them, not deleted with the user (KubeSpawner
# deletes the home claim with the user by default, `delete_pvc`; unknown spawners may too).
KEEPS_FILES = ("LocalProcessSpawner", "AccountSpawner", "DockerSpawner", "SystemdSpawner", "UserCreatingSpawner")
TLJH_SPAWNERS = ("SystemdSpawner", "UserCreatingSpawner")


class RevokeError(CommunityHubsError):
    """The hub refused a step or the person is not there; str(error) is one line."""


@dataclass
class Revoked:
    """What `revoke` did, and what is left for the configuration (and on TLJH, the server)."""

    name: str
    done: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.name}: {line}" for line in self.done]
        lines += [f"then: {line}" for line in self.left]
        return "\n".join(lines) + "\n"


def own_scope(scope: str, name: str) -> bool:
    """Whether a token scope reaches only its owner's own things (`read:users:name!user=ada`)."""
    _, _, filter_ = scope.partition("!")
    return filter_ in ("user", f"user={name}") or filter_.startswith(f"server={name}/")


def spawner_class(client: HubClient) -> str:
    """The hub's spawner class (GET /hub/api/info, which needs read:hub), or '' if not shown."""
    try:
        return client.request("GET", "/info")["spawner"]["class"]
    except (HubAPIError, KeyError, TypeError):
        return ""


def revoke(client: HubClient, name: str, admin_only: bool = False) -> Revoked:
    """End `name`'s access (or with `admin_only`, only their admin rights) on the running hub."""
    try:
        user = client.user(name)
    except HubAPIError as err:
        if err.status == 404:
            raise RevokeError(f"revoke {name}: there is no user {name!r} on the hub at {client.url}") from None
        raise RevokeError(f"revoke {name}: {err}") from None
    me = client.whoami()
    if me.get("kind") == "user" and me.get("name") == name:
        raise RevokeError(f"revoke {name}: the token given is {name}'s own; use another admin's token")
    result = Revoked(name)
    spawner = spawner_class(client)
    try:
        if admin_only:
            take_admin_away(client, user, result)
        else:
            end_everything(client, user, spawner, result)
    except HubAPIError as err:
        raise RevokeError(f"revoke {name}: the hub refused {err}; done before that: {'; '.join(result.done)}") from None
    result.left = changes_to_make(user, spawner, admin_only)
    return result


def take_admin_away(client: HubClient, user: dict, result: Revoked) -> None:
    name = user["name"]
    # Scopes are read before the rights go: a token's listed scopes are what it can do now.
    wide = [t for t in client.tokens(name) if not all(own_scope(s, name) for s in t.get("scopes", []))]
    for token in wide:
        client.revoke_token(name, token["id"])
    if user["admin"]:
        client.set_admin(name, False)
        result.done.append("admin rights taken away (PATCH /hub/api/users/NAME {'admin': false})")
    else:
        result.done.append("was not an admin")
    result.done.append(f"{len(wide)} token(s) that reached beyond their own things revoked")


def end_everything(client: HubClient, user: dict, spawner: str, result: Revoked) -> None:
    name = user["name"]
    for server in sorted(user.get("servers") or {}):
        path = f"/users/{quote(name)}/servers/{quote(server)}" if server else f"/users/{quote(name)}/server"
        client.request("DELETE", path)
        result.done.append(f"server {server or '(default)'} stopped")
    if user.get("servers"):
        client.wait_for_server(name, ready=False, timeout=120)
    tokens = client.tokens(name)
    for token in tokens:
        client.revoke_token(name, token["id"])
    result.done.append(
        f"{len(tokens)} token(s) revoked, their servers' login tokens among them" if tokens else "held no tokens"
    )
    for group in sorted(user.get("groups") or []):
        client.remove_from_group(group, [name])
    if user.get("groups"):
        result.done.append(f"taken out of groups: {', '.join(sorted(user['groups']))}")
    if user["admin"]:
        client.set_admin(name, False)
        result.done.append("admin rights taken away")
    if any(kind in spawner for kind in KEEPS_FILES):
        client.delete_user(name)
        result.done.append("browser sessions ended: the hub forgot them (DELETE /hub/api/users/NAME); their files stay")
    else:
        why = f"{spawner.rsplit('.', 1)[-1]} may delete their files with them" if spawner else "its spawner is unknown"
        result.done.append(
            f"browser sessions NOT ended: on this hub {why}; they end when you delete the user in the admin panel"
        )


def changes_to_make(user: dict, spawner: str, admin_only: bool) -> list[str]:
    """What the hub's configuration must lose, so that a restart does not give access back."""
    name = user["name"]
    roles = sorted(set(user.get("roles") or []) - {"user", "admin"})
    left = [f"remove {name} from admins (Authenticator.admin_users)"] if user["admin"] else []
    if not admin_only:
        left.append(f"remove {name} from allowed_users and from every group's users (load_groups)")
        left.append("set authenticator.allow_existing_users: false, or add them to blocked_users")
    if roles:
        left.append(f"remove {name} from these roles (load_roles): {', '.join(roles)}")
    if any(kind in spawner for kind in TLJH_SPAWNERS):
        account = f"jupyter-{name}"
        left.append(f"on TLJH, their sudo rights: sudo gpasswd -d {account} jupyterhub-admins")
        if not admin_only:
            left.append(
                f"on TLJH, their Unix account: archive /home/{account}, then sudo userdel {account} "
                "(userdel keeps the home unless given -r)"
            )
    return left
