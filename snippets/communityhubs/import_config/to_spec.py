"""`communityhubs import-config`: a hub spec from a provider's Helm values files.

Reads plain Zero to JupyterHub values, 2i2c `basehub` values (Zero to
JupyterHub under a `jupyterhub:` key) and 2i2c `daskhub` values (`basehub`
under a further `basehub:` key), merged in order as helm merges them. Every
value in the files ends in exactly one place of the report: carried over into
the spec, left out with the reason, or (for secrets, which are never read)
something the new hub must be given. Nothing is dropped silently.

This is the inverse of `targets/kubernetes.py` (both read `mapping.py`): rendering a spec to values.yaml
and importing it back gives the same spec (tests/unit/test_import_config.py).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .. import names
from ..formats.helm_values import keys_from_table
from ..images import USER_IMAGE
from ..sections import culling, front_door, kernels, languages, login, pulling, storage
from ..sections.login import OAUTH_CLASSES, oauth_traits
from ..spec import HubSpec, schema_default
from ..traits import ADMIN_SERVICE
from .profiles import image_of, mapped, profiles
from .report import Options, Report, Values

# Where values are left out, and why; the longest matching prefix of a key gives its reason.


# --- values -> spec ---------------------------------------------------------------------


def normal_username(value: Any) -> str | None:
    """JupyterHub lowercases usernames; the spec accepts only the normalised form."""
    name = str(value).strip().lower()
    return name if re.fullmatch(r"[a-z0-9][a-z0-9._@+-]{0,127}", name) else None


def usernames(items: Any, key: str, values: Values) -> list[str]:
    items = [items] if isinstance(items, str) else list(items or [])
    found = {n for n in (normal_username(v) for v in items) if n}
    refused = [v for v in items if not normal_username(v)]
    if refused:
        example = f"{refused[0]!r}" + (f" and {len(refused) - 1} more" if len(refused) > 1 else "")
        values.report.left_out.append((f"{values.prefix}{key}: {example}", "not usernames the hub spec accepts"))
    return sorted(found)


def people(values: Values, auth: dict[str, Any]) -> dict[str, Any]:
    """admins and allowed_users, from Authenticator and from the login class (both are used)."""
    classes = ["Authenticator", *([OAUTH_CLASSES[auth["type"]]] if auth["type"] in OAUTH_CLASSES else [])]
    out: dict[str, Any] = {}
    for trait, key in [("admin_users", "admins"), ("allowed_users", "allowed_users")]:
        found: list[str] = []
        for cls in classes:
            path = f"hub.config.{cls}.{trait}"
            found += usernames(values.take(path, to=key), path, values)
        if found:
            out[key] = sorted(set(found))
    allow_all = values.take("hub.config.Authenticator.allow_all")
    if allow_all is not None:
        if "allow_all" in auth or auth["type"] not in ("github", "google", "generic-oauth"):
            values.report.left_out.append(
                (values.prefix + "hub.config.Authenticator.allow_all", "set on the login class instead")
            )
        else:
            auth["allow_all"] = bool(allow_all)
            values.report.carried.append(
                (values.prefix + "hub.config.Authenticator.allow_all", "authenticator.allow_all")
            )
    return out


def groups(values: Values) -> list[dict[str, Any]]:
    loaded = values.take("hub.config.JupyterHub.load_groups", {}, to="groups") or {}
    overrides = values.get("hub.config.KubeSpawner.group_overrides") or {}
    out = []
    for name, group in loaded.items():
        group = group or {}
        item: dict[str, Any] = {"name": str(name)}
        members = group.get("users", []) if isinstance(group, dict) else group
        if members:
            item["users"] = list(members)
        if isinstance(group, dict) and group.get("properties"):
            item["properties"] = group["properties"]
        out.append(item)
    # Group limits written as this project writes them ("NN-group": one group, limits only) come back as limits.
    by_name = {g["name"]: g for g in out}
    for key, override in overrides.items():
        names = override.get("groups", [])
        limits = override.get("spawner_override", {})
        path = f"hub.config.KubeSpawner.group_overrides.{key}"
        if len(names) == 1 and names[0] in by_name and set(limits) <= {"mem_limit", "cpu_limit"}:
            values.take(path, to=f"groups[{names[0]}].limits")
            by_name[names[0]]["limits"] = dict(limits)
    return out


def roles(values: Values, group_names: set[str]) -> list[dict[str, Any]]:
    out = []
    for name, role in (values.get("hub.loadRoles") or {}).items():
        role = role or {}
        members = set(role) - {"description", "scopes", "groups"}
        if members or not set(role.get("groups", [])) <= group_names or not role.get("scopes"):
            continue  # left out below, with the reason
        values.take(f"hub.loadRoles.{name}", to=f"roles[{name}]")
        out.append({"name": str(name), **{k: role[k] for k in ("description", "scopes", "groups") if k in role}})
    return out


def plain_env(values: Values) -> dict[str, str]:
    env = {}
    for key, value in (values.get("singleuser.extraEnv") or {}).items():
        if isinstance(value, (str, int, float, bool)) and "$(" not in str(value):
            env[str(key)] = str(value)
            values.take(f"singleuser.extraEnv.{key}", to=f"environment.env.{key}")
    return env


def environment(values: Values, options: Options) -> dict[str, Any]:
    env = keys_from_table(values, "environment")
    extra = plain_env(values)
    if extra:
        env["env"] = extra
    image = image_of(values.get("singleuser.image"))
    if image:
        values.take("singleuser.image.name")
        values.take("singleuser.image.tag")
        env["image"], note = mapped(image, options)
        values.report.carried.append((values.prefix + "singleuser.image", "environment.image" + note))
        if env["image"] == USER_IMAGE:
            del env["image"]  # our own image, every target's default: `render` states it again
        elif languages.image_languages(env["image"]):  # ours with R: the spec says the language
            env["languages"] = languages.image_languages(env.pop("image"))
    found = profiles(values, options)
    if found:
        env["profiles"] = found
    return env | pulling.from_values_yaml(values)


def shared_data(values: Values, name: str) -> list[dict[str, Any]]:
    """Shared folders as this project's values write them: a claim `<hub>-shared-<folder>` at /srv/shared/<folder>."""
    # The chart takes a list (before 4.0) or a map of them (its form since, and ours).
    volumes = values.get("singleuser.storage.extraVolumes") or []
    mounts = values.get("singleuser.storage.extraVolumeMounts") or []
    volumes = list(volumes.values()) if isinstance(volumes, dict) else volumes
    mounts = list(mounts.values()) if isinstance(mounts, dict) else mounts
    if not isinstance(volumes, list) or not isinstance(mounts, list):
        return []  # left out below
    mounts = [m for m in mounts if isinstance(m, dict)]
    out = []
    for volume in filter(lambda v: isinstance(v, dict), volumes):
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName", "")
        folder = claim.removeprefix(names.shared_claim(name, ""))
        mount = next((m for m in mounts if m.get("name") == volume.get("name")), None)
        shared = claim.startswith(names.shared_claim(name, ""))
        if shared and mount and mount.get("mountPath") == f"{names.SHARED_ROOT}/{folder}":
            item: dict[str, Any] = {"name": folder}
            if not mount.get("readOnly", True):
                item["read_only"] = False
            out.append(item)
    if out:
        values.take("singleuser.storage.extraVolumes", to="shared_data")
        values.take("singleuser.storage.extraVolumeMounts")
    return out


def admin_service(values: Values) -> None:
    if (values.get(f"hub.services.{ADMIN_SERVICE}") or {}).get("admin"):
        values.take(f"hub.services.{ADMIN_SERVICE}", to="(every hub made here has this admin service)")


def spec_from_values(values: Values, options: Options) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": options.name}
    auth = login.from_values_yaml(values, options)
    spec["authenticator"] = auth
    spec |= people(values, auth)
    found_groups = groups(values)
    if found_groups:
        spec["groups"] = found_groups
    found_roles = roles(values, {g["name"] for g in found_groups})
    if found_roles:
        spec["roles"] = found_roles
    env = environment(values, options)
    if env:
        spec["environment"] = env
    spec["limits"] = keys_from_table(values, "limits")
    spec["culling"] = culling.from_values_yaml(values)
    in_servers = kernels.from_values_yaml(values)
    if in_servers:
        spec["kernels"] = in_servers
    shares = shared_data(values, options.name)
    if shares:
        spec["shared_data"] = shares
    kept = storage.from_values_yaml(values)
    if kept:
        spec["storage"] = kept
    secure = front_door.https_from_values_yaml(values)
    if secure:
        spec["https"] = secure
    address = front_door.address_from_values_yaml(values, secure)
    if address:
        spec["public_address"] = address
    admin_service(values)
    if options.target:
        spec["target"] = options.target
    return spec


# --- one spec, however it was written ---------------------------------------------------


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """The spec without what changes nothing: values equal to the schema's defaults, empty lists and
    maps, scopes the renderer adds anyway, a `default` on a first choice, sorted user lists with
    admins among the allowed."""
    out = _drop_defaults(data, "")
    auth = out["authenticator"]
    if "scope" in auth:
        without = {**out, "authenticator": {k: v for k, v in auth.items() if k != "scope"}}
        if oauth_traits(HubSpec("<canonical>", without)).get("scope") == auth["scope"]:
            del auth["scope"]
    for profile in out.get("environment", {}).get("profiles", []):
        for option in profile.get("options", []):
            first = option["choices"][0]
            if first.get("default"):  # the first listed is the default anyway
                del first["default"]
    admins, allowed = sorted(out.get("admins", [])), out.get("allowed_users", [])
    if admins:
        out["admins"] = admins
    if allowed or admins:
        out["allowed_users"] = sorted(set(allowed) | set(admins))
    return out


def _default(key: str) -> Any:
    try:
        return schema_default(key)
    except KeyError:  # free-form maps (env, properties, allowed_idps) have no defaults
        return None


def _drop_defaults(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        kept = {}
        for k, v in node.items():
            child = f"{key}.{k}" if key else k
            v = _drop_defaults(v, child)
            if v in ({}, []) or v == _default(child):
                continue
            kept[k] = v
        return kept
    if isinstance(node, list):
        return [_drop_defaults(v, f"{key}[]") for v in node]
    return node


# --- the command ------------------------------------------------------------------------


def spec_text(data: dict[str, Any], report: Report, paths: list[Path]) -> str:
    header = [
        f"# Imported by `communityhubs import-config` from {', '.join(p.name for p in paths)}.",
        "# Check it with `communityhubs check`; what was left out, and why, was printed with it.",
    ]
    if report.must_give:
        header.append("# Before this hub serves people, give it:")
        header += [f"#   - {what}: {how}" for what, how in report.must_give]
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100, allow_unicode=True)
    return "\n".join(header) + "\n" + body


def write_spec(out: Path, text: str) -> None:
    """Written whole or not at all: a temporary file beside it, renamed over it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(partial, 0o644)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
