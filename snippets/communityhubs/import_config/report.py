"""What `import-config` found: every values key it read, carried over, left out (with the
reason) or still to be given; and the record of which keys have been read, so that nothing
in a provider's files is dropped silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..mapping import dig, merge
from .values_files import leaves

REASONS = {
    "custom.homepage": "the provider's home page template and branding",
    "custom.2i2c": "the provider's own staff access to its hubs; add anyone you need to admins",
    "custom": "a feature of the provider's chart (basehub's custom keys)",
    "singleuser.storage": "home and shared storage (storage classes, NFS) of the provider's cluster; "
    "move the files with `communityhubs export`",
    "singleuser.nodeSelector": "which of the provider's machines run servers",
    "singleuser.extraTolerations": "which of the provider's machines run servers",
    "scheduling": "placement of pods on the provider's machines",
    "prePuller": "image pre-pulling on the provider's machines",
    "singleuser.cloudMetadata": "the provider's cloud network rules",
    "singleuser.networkPolicy": "the provider's cluster network rules",
    "singleuser.initContainers": "extra containers of the provider's cluster",
    "singleuser.extraContainers": "extra containers of the provider's cluster",
    "singleuser.extraFiles": "files the chart writes into servers; add them to your image",
    "singleuser.cmd": "the server command; keep it in your image",
    "hub.config.KubeSpawner.http_timeout": "the spec keeps one timeout for starting and for answering "
    "(limits.start_timeout)",
    "singleuser.image.pullPolicy": "how the provider's cluster pulls images",
    "singleuser.extraEnv": "read from a Kubernetes secret, or uses Kubernetes' $(VAR) expansion",
    "hub.extraConfig": "Python run by the hub: read it and port what you need by hand",
    "hub.extraFiles": "files the chart writes into the hub",
    "hub.extraEnv": "environment of the provider's hub pod",
    "hub.image": "the provider's build of the hub",
    "hub.resources": "the hub pod's resources on the provider's cluster",
    "hub.db": "the hub database's volume; users and groups move with `communityhubs export`",
    "hub.services": "a service of the provider's hub",
    "hub.loadRoles": "a role for users or services: the spec gives roles to groups",
    "hub.networkPolicy": "the provider's cluster network rules",
    "hub.service": "the hub's Kubernetes service",
    "hub.nodeSelector": "which of the provider's machines run the hub",
    "hub.annotations": "Kubernetes annotations",
    "hub.allowNamedServers": "named servers: not in the spec yet",
    "hub.redirectToServer": "not in the spec yet",
    "hub.config": "no equivalent in the hub spec yet",
    "proxy": "the provider's proxy, ingress and HTTPS; the new hub gets its own",
    "ingress": "the provider's ingress and domain",
    "imagePullSecret": "registry credentials: a secret, never imported",
    "cull": "not in the spec: only enabled, timeout, every and maxAge are",
}


KEEPS_SECRETS = ("client_secret", "user_password", "admin_password", "api_token", "password")


@dataclass
class Report:
    carried: list[tuple[str, str]] = field(default_factory=list)  # (values key, where it went)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (values key, why)
    must_give: list[tuple[str, str]] = field(default_factory=list)  # (what, how)

    def table(self) -> str:
        lines = []
        for title, rows in [
            ("Carried over", self.carried),
            ("Left out", self.left_out),
            ("The new hub must be given", self.must_give),
        ]:
            lines.append(f"{title} ({len(rows)}):")
            width = min(max((len(a) for a, _ in rows), default=0), 56)
            for key, text in rows:  # a key too long for the column gets a line of its own
                lines += [f"  {key}", f"  {'':<{width}}  {text}"] if len(key) > width else [f"  {key:<{width}}  {text}"]
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


class Values:
    """The Zero to JupyterHub values, with what has been read marked off."""

    def __init__(
        self, data: dict[str, Any], prefix: str, report: Report, defaults: dict[str, Any] | None = None, whose: str = ""
    ):
        """`defaults`: what the provider's chart sets beneath the files (`whose` names it in the report)."""
        self.data, self.prefix, self.report = merge(defaults or {}, data), prefix, report
        self.leaves = set(leaves(data)) - {""}  # every value's dotted key, found once: the files do not change
        self.defaults = set(leaves(defaults or {})) - {""} - self.leaves
        self.known = self.leaves | self.defaults
        self.whose = whose
        self.taken: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        return dig(self.data, key, default)

    def take(self, key: str, default: Any = None, to: str | None = None) -> Any:
        """A value, marked as read; `to` records it as carried over to that spec key."""
        value = self.get(key, default)
        # the key itself, or every leaf under it, in the files or the provider's defaults alike
        read = {key} & self.known or {leaf for leaf in self.known if leaf.startswith(key + ".")}
        self.taken |= read
        if to and self.get(key) is not None:
            from_files = bool(read & self.leaves)
            self.report.carried.append((self.prefix + key, to if from_files else f"{to}: {self.whose}"))
        return value

    def left(self) -> list[str]:
        return sorted(self.leaves - self.taken)

    def defaults_left(self) -> list[str]:
        """Provider defaults the spec did not take: the new hub will differ there."""
        return sorted(self.defaults - self.taken)


@dataclass
class Options:
    name: str
    image_map: dict[str, str]
    default_image: str | None
    callback_url: str | None
    client_id: str | None
    target: str | None


# Login settings that decide who gets in or who is an admin by the identity provider's groups:
# each is named on its own row, never folded into "hub.config.* (N keys)".
GROUP_ACCESS = {
    "allowed_groups": "who may log in, by the identity provider's groups",
    "admin_groups": "who is an admin, by the identity provider's groups",
    "manage_groups": "hub groups taken from the identity provider at each login",
    "blocked_groups": "who may never log in, by the identity provider's groups",
    "allowed_organizations": "who may log in, by GitHub organisation or team",
    "claim_groups_key": "which claim holds a person's groups",
    "auth_state_groups_key": "which part of the login holds a person's groups",
}


def reason_for(leaf: str, reasons: dict[str, str] = REASONS) -> str:
    """Why a key was left out: a secret, else the reason of its longest prefix in `reasons`
    (a values file's REASONS, or a TLJH config.yaml's)."""
    parts = leaf.split(".")
    if parts[-1] in KEEPS_SECRETS:
        return "a secret: never imported, nor shown"
    trait = next((part for part in reversed(parts) if part in GROUP_ACCESS), None)
    if trait:
        return (
            f"{trait}: {GROUP_ACCESS[trait]}; the spec has no such setting yet, so the new hub lets in "
            "only its allowed_users and admins: add the group's members there"
        )
    best = max((p for p in reasons if leaf == p or leaf.startswith(p + ".")), key=len, default=None)
    return reasons[best] if best else "no equivalent in the hub spec yet"


def grouped(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Rows with one reason under one REASONS prefix become one row: `jupyterhub.custom.homepage.* (12 keys)`."""
    out: dict[tuple[str, str], list[str]] = {}
    for key, why in rows:
        chart = next((p for p in ("basehub.jupyterhub.", "jupyterhub.") if key.startswith(p)), "")
        bare = key.removeprefix(chart)
        head = max((p for p in REASONS if bare.startswith(p + ".") and REASONS[p] == why), key=len, default=None)
        out.setdefault((chart + head if head else key, why), []).append(key)
    return [(keys[0] if len(keys) == 1 else f"{label}.* ({len(keys)} keys)", why) for (label, why), keys in out.items()]
