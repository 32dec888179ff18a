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

from .. import mapping, names
from ..images import USER_IMAGE
from ..sections import culling, front_door
from ..spec import AUTH_ONLY, HubSpec, schema_default
from ..traits import ADMIN_SERVICE, AUTHENTICATORS, COPIED_KEYS, OAUTH_CLASSES, oauth_traits
from .profiles import image_of, mapped, profiles
from .report import Options, Report, Values
from .values_files import ImportConfigError

SECRET_ENV = "OAUTH_CLIENT_SECRET"


CLIENT_ID_PLACEHOLDER = "REPLACE-WITH-YOUR-OAUTH-CLIENT-ID"


LOCAL_CALLBACK = f"http://127.0.0.1:{names.PUBLIC_PORT}/hub/oauth_callback"  # where `hub up` serves a hub by default

# authenticator_class as values files write it -> spec type


AUTH_TYPES = {
    **{name: kind for kind, name in AUTHENTICATORS.items()},
    **{cls: kind for kind, cls in OAUTH_CLASSES.items()},
    **{
        f"oauthenticator.{mod}.{cls}": kind
        for kind, cls, mod in [
            ("github", "GitHubOAuthenticator", "github"),
            ("google", "GoogleOAuthenticator", "google"),
            ("cilogon", "CILogonOAuthenticator", "cilogon"),
            ("generic-oauth", "GenericOAuthenticator", "generic"),
        ]
    },
    "generic": "generic-oauth",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator": "shared-password",
    "SharedPasswordAuthenticator": "shared-password",
    "jupyterhub.auth.DummyAuthenticator": "dummy",
    "DummyAuthenticator": "dummy",
}

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


def auth_type(values: Values) -> str:
    key = "hub.config.JupyterHub.authenticator_class"
    raw = values.take(key)
    if raw is None:
        # The chart's default is the dummy login: any password opens any account, the admins' too.
        raise ImportConfigError(
            f"{values.prefix}{key}: not set, so the old hub used the chart's default, a test login that takes "
            "any password for any user, admins included; set the login the new hub should use in the values first"
        )
    kind = AUTH_TYPES.get(str(raw))
    if kind is None:
        known = ", ".join(sorted(AUTHENTICATORS))
        raise ImportConfigError(f"{values.prefix}{key}: {raw!r} has no equivalent in the hub spec (it has: {known})")
    values.report.carried.append((values.prefix + key, f"authenticator.type: {kind}"))
    return kind


def authenticator(values: Values, options: Options) -> dict[str, Any]:
    kind = auth_type(values)
    auth: dict[str, Any] = {"type": kind, **plain(values, "authenticator")}
    report = values.report
    if kind == "shared-password":
        values.take(f"hub.extraEnv.{names.SHARED_PASSWORD_ENV}")
        values.take(f"hub.extraConfig.{names.SHARED_PASSWORD_FILE}")
        values.take(f"hub.extraEnv.{names.ADMIN_PASSWORD_ENV}")
        values.take(f"hub.extraConfig.{names.ADMIN_PASSWORD_FILE}")
        report.must_give.append(
            ("the shared password", f"${names.SHARED_PASSWORD_ENV}, or `hub up` generates one (mode 0600)")
        )
    if kind not in OAUTH_CLASSES:
        return auth
    cls = OAUTH_CLASSES[kind]
    base = f"hub.config.{cls}"
    client_id = values.take(f"{base}.client_id")
    if options.client_id:
        auth["client_id"] = options.client_id
    elif client_id and "ENC[" not in str(client_id):
        auth["client_id"] = str(client_id)
        report.carried.append((values.prefix + f"{base}.client_id", "authenticator.client_id"))
    else:
        auth["client_id"] = CLIENT_ID_PLACEHOLDER
        report.must_give.append(
            (
                "an OAuth client id",
                f"register a client for the new hub; --client-id, or replace {CLIENT_ID_PLACEHOLDER}",
            )
        )
    secret_env = next(
        (
            env
            for env, spec in (values.get("hub.extraEnv") or {}).items()
            if isinstance(spec, dict)
            and spec.get("valueFrom", {}).get("secretKeyRef", {}).get("key") == names.OAUTH_SECRET_FILE
        ),
        SECRET_ENV,
    )
    values.take(f"hub.extraEnv.{secret_env}")
    values.take(f"hub.extraConfig.{names.OAUTH_SECRET_FILE}")
    auth["client_secret_env"] = secret_env
    if values.get(f"{base}.client_secret") is not None:
        values.take(f"{base}.client_secret")
        report.left_out.append((values.prefix + f"{base}.client_secret", "a secret: never imported, nor shown"))
    report.must_give.append(
        (
            "the OAuth client secret",
            f"${secret_env} (providers keep theirs encrypted, e.g. 2i2c's enc-*.secret.values.yaml)",
        )
    )
    callback = values.take(f"{base}.oauth_callback_url", to="authenticator.callback_url")
    auth["callback_url"] = options.callback_url or callback or LOCAL_CALLBACK
    if not options.callback_url:
        where = "the old hub's" if callback else "where `hub up` serves the new hub"
        report.must_give.append(
            (
                "the OAuth callback URL",
                f"{auth['callback_url']} ({where}); register the new hub's with the provider; --callback-url",
            )
        )
    report.must_give.append(("DNS and HTTPS", "a domain for the new hub, and its certificate"))
    return copy_oauth_traits(values, base, kind, auth)


def copy_oauth_traits(values: Values, base: str, kind: str, auth: dict[str, Any]) -> dict[str, Any]:
    """The login class's settings under `base` (values' hub.config.CLS, TLJH's auth.CLS) into `auth`."""
    # OAuthenticator trait -> spec key: the renderer's own table read backwards, and the traits it sets itself.
    copied = {trait: key for key, trait in COPIED_KEYS.items()} | {
        "allowed_hosted_domains": "hosted_domains",  # 2i2c's files use this older name of hosted_domain
        "allowed_idps": "allowed_idps",  # the name before OAuthenticator 17.4 (Zero to JupyterHub 4.3.1 reads it)
        "allowed_organizations": "allowed_organizations",
        "scope": "scope",
        "allow_all": "allow_all",
    }
    for trait, key in copied.items():
        value = values.get(f"{base}.{trait}")
        if value is None or kind not in AUTH_ONLY.get(key, (kind,)):
            continue
        if key == "allowed_idps":
            value = idps(value, values, f"{base}.{trait}")
        elif key in ("hosted_domains", "allowed_organizations", "scope") and isinstance(value, str):
            value = [value]  # traitlets accepts one string for a list; the spec wants the list
        values.take(f"{base}.{trait}", to=f"authenticator.{key}")
        auth[key] = value
    if kind == "google" and "username_claim" in auth and auth["username_claim"] == "email":
        del auth["username_claim"]  # Google's default
    return auth


IDP_KEYS = {"default", "allow_all", "allowed_domains", "username_derivation"}


DERIVATION_KEYS = {"username_claim", "action", "domain", "prefix"}


def idps(value: Any, values: Values, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportConfigError(f"{values.prefix}{key}: {value!r} should be a mapping of CILogon entity ids")
    out = {}
    for idp, settings in value.items():
        settings = dict(settings or {})
        for extra in sorted(set(settings) - IDP_KEYS):
            values.report.left_out.append((f"{values.prefix}{key}.{idp}.{extra}", "no equivalent in the hub spec yet"))
            del settings[extra]
        derivation = dict(settings.get("username_derivation") or {})
        for extra in sorted(set(derivation) - DERIVATION_KEYS):
            where = f"{values.prefix}{key}.{idp}.username_derivation.{extra}"
            values.report.left_out.append((where, "no equivalent in the hub spec yet"))
            del derivation[extra]
        settings["username_derivation"] = derivation
        out[str(idp)] = settings
    return out


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
    env = plain(values, "environment")
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
    found = profiles(values, options)
    if found:
        env["profiles"] = found
    return env


def plain(values: Values, section: str) -> dict[str, Any]:
    """A section's plain keys, read back through the one mapping table the renderers write with."""
    out: dict[str, Any] = {}
    chart_defaults: set[str] = set()  # keys left to the chart's own default
    for row in mapping.rows(section):
        found = [(path, values.get(path)) for path in (row.values, *row.also_read)]
        found = [(path, value) for path, value in found if value is not None]
        if row.leaf in chart_defaults:
            for path, _ in found:
                values.take(path, to=f"{row.key} (rendered again from the spec's default)")
            continue
        if row.leaf in out:  # another trait of a key already read: carried only where it agrees
            if found and all(row.to_spec(v, values.prefix + path) == out[row.leaf] for path, v in found):
                for path, _ in found:
                    values.take(path, to=f"{row.key} (the spec keeps one value for both)")
            continue
        for path, _ in found:
            values.take(path, to=row.key)
        if row.null_on_chart and values.get(row.values, "absent") is None:
            values.take(row.values)  # null: no request, what the spec means when it leaves the key out
        if found:
            path, value = found[-1]  # the last one wins, as in the chart
            out[row.leaf] = row.to_spec(value, values.prefix + path)
        elif row.chart_default is not None:
            # Unset: the chart's own default, which the kubernetes target keeps for a spec that
            # leaves the key out; other targets use the schema's.
            chart_defaults.add(row.leaf)
            why = f"{row.key}: not set (the chart's {row.chart_default} on kubernetes, {row.key}'s default elsewhere)"
            values.report.carried.append((values.prefix + row.values, why))
    return out


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
    auth = authenticator(values, options)
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
    spec["limits"] = plain(values, "limits")
    spec["culling"] = culling.from_values_yaml(values)
    shares = shared_data(values, options.name)
    if shares:
        spec["shared_data"] = shares
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
