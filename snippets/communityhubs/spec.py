"""Load and validate a hub specification (hub.yaml).

Every problem is reported as one line naming the file, the key and the value,
so a reader can fix it without reading a traceback.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import CommunityHubsError

SPECS = Path(__file__).resolve().parent / "specs"
"""Package data: the schema, the example hub spec and the other example specs (snippets/ links to them)."""
SCHEMA_PATH = SPECS / "hub.schema.json"
EXAMPLE_SPEC = SPECS / "hub.yaml"
EXAMPLES = SPECS / "examples"


class SpecError(CommunityHubsError, ValueError):
    """A hub spec that cannot be used. str(error) is a single line."""


@dataclass(frozen=True)
class HubSpec:
    """A validated hub spec. `data` keeps the file's structure; `settings` holds every key of
    the schema with its value, or its schema default when unset, resolved once here so that
    renderers look values up and never come back for a default."""

    source: str
    data: dict[str, Any]
    settings: dict[str, Any] = field(init=False, repr=False, compare=False)
    """{dotted key: value}: "culling.every", "limits.mem_limit" (None when unset with no default);
    keys inside list items ("shared_data[].read_only") hold their default."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", resolved_settings(self.data))

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def source_name(self) -> str:
        """The spec's file name, without the folders it was read from."""
        return Path(self.source).name

    @property
    def admins(self) -> list[str]:
        return list(self.data.get("admins", []))

    @property
    def allowed_users(self) -> list[str]:
        return list(self.data.get("allowed_users", []))

    def section(self, key: str) -> dict[str, Any]:
        return dict(self.data.get(key, {}))


_UNSET = object()


def resolved_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Every key the schema declares, with the spec's value or the schema's default."""
    schema = _schema()
    out: dict[str, Any] = {}

    def visit(node: dict[str, Any], key: str, value: Any) -> None:
        node = resolve_ref(node, schema)
        if node.get("type") == "object" and node.get("properties"):
            for name, child in node["properties"].items():
                below = value.get(name, _UNSET) if isinstance(value, dict) else _UNSET
                visit(child, f"{key}.{name}" if key else name, below)
            if not key:
                return
        elif node.get("type") == "array" and "items" in node:
            visit(node["items"], f"{key}[]", _UNSET)  # keys inside list items: their default
        out[key] = node.get("default") if value is _UNSET else value

    visit(schema, "", data)
    return out


def schema_default(key: str) -> Any:
    """The schema's "default" for a dotted key; "shared_data[].read_only" reaches into lists.

    Defaults are declared once, in hub.schema.json, beside the key's description.
    """
    try:
        return _defaults()[key]
    except KeyError:
        raise KeyError(f"{key}: not a key of {SCHEMA_PATH.name}") from None


@functools.cache
def _defaults() -> dict[str, Any]:
    """Every key's default: the settings of an empty spec (one walk of the schema, `resolved_settings`)."""
    return resolved_settings({})


def resolve_ref(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its local `$ref` ("#/$defs/memory") merged in."""
    ref = node.get("$ref")
    if not ref:
        return node
    target = schema
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


@functools.cache
def _schema() -> dict[str, Any]:
    """The parsed schema, read once per process; shared, so never modified."""
    return json.loads(SCHEMA_PATH.read_text())


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def load_schema() -> dict[str, Any]:
    """A copy of the schema that the caller may change."""
    return copy.deepcopy(_schema())


MAX_SPEC_BYTES = 1 << 20  # a hub spec is a page or two; a megabyte is already absurd


class _SpecLoader(yaml.SafeLoader):
    """YAML without aliases (`*name` can expand a few bytes into gigabytes) or repeated keys
    (YAML keeps the last one silently)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.YAMLError(f"line {mark.line + 1}: YAML aliases (*name) are not allowed in a hub spec")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise yaml.YAMLError(f"line {line}: {key}: the key appears twice in one mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_spec(path: str | Path = EXAMPLE_SPEC) -> HubSpec:
    """Read and validate a spec file."""
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(f"{path}: {path.stat().st_size} bytes is too big for a hub spec (1 MB at most)")
        text = path.read_text()
    except OSError as err:
        raise SpecError(f"{path}: cannot read the spec: {err.strerror}") from None
    return validate_spec(parse_yaml(text, str(path)), source=str(path))


def parse_yaml(text: str, source: str) -> Any:
    """The spec's YAML, refusing aliases and repeated keys; errors name the file and line."""
    try:
        return yaml.load(text, Loader=_SpecLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f" (line {mark.line + 1})" if mark else ""
        raise SpecError(f"{source}{where}: not valid YAML: {err.problem}") from None
    except yaml.YAMLError as err:
        raise SpecError(f"{source}: {err}") from None


def validate_spec(data: Any, source: str = "<spec>") -> HubSpec:
    """Validate already-parsed spec data; raise SpecError on the first problem."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: the spec must be a mapping of keys, got {type(data).__name__}")
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise SpecError(f"{source}: {_describe(errors[0])}")
    _check_consistency(data, source)
    return HubSpec(source=source, data=data)


def _shown(name: Any) -> str:
    """A key as an error names it: as written, or quoted when it holds a newline or other
    unprintable character, so that every error stays one line."""
    text = str(name)
    return text if text.isprintable() else repr(text)


def _key(path: Any) -> str:
    """Turn a jsonschema path into a dotted key such as groups[0].users[1]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{_shown(part)}" if out else _shown(part))
    return out or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    key = _key(error.absolute_path)
    value = error.instance
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(set(value) - allowed)
        where = f"{key}." if error.absolute_path else ""
        return f"{where}{_shown(unknown[0])}: unknown key (allowed here: {', '.join(sorted(allowed))})"
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        where = f"{key}." if error.absolute_path else ""
        return f"{where}{name}: missing required key"
    if error.validator == "type":
        return f"{key}: {value!r} should be of type {error.validator_value}"
    if error.validator == "pattern":
        return f"{key}: {value!r} is not valid, expected {hint or 'a match for ' + error.validator_value}"
    if error.validator == "enum":
        choices = ", ".join(map(str, error.validator_value))
        return f"{key}: {value!r} is not one of: {choices}"
    if error.validator == "propertyNames":
        return f"{key}: {error.message}"
    return f"{key}: {value!r}: {error.message.split(chr(10))[0]}"


MEMORY_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def memory_bytes(size: str) -> int:
    """'512M' -> 536870912."""
    return int(size[:-1]) * MEMORY_UNITS[size[-1]]


MAX_MEMORY = 64 << 40  # 64T: more than any one machine offers a single server


def _walk(node: Any, key: str = "") -> Any:
    """(dotted key, value) for every value in the spec, lists included ("groups[0].limits")."""
    yield key, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{key}.{_shown(k)}" if key else _shown(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{key}[{i}]")


def _check_values(data: dict[str, Any], source: str) -> None:
    """Values a schema lets through that would still hurt: NaN and infinity, absurd sizes."""
    for key, value in _walk(data):
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError(f"{source}: {key}: {value!r} is not a number a hub can use")
        if key.rsplit(".", 1)[-1] in ("mem_limit", "mem_guarantee") and isinstance(value, str):
            if re.fullmatch(r"[1-9][0-9]*[KMGT]", value) and memory_bytes(value) > MAX_MEMORY:
                raise SpecError(f"{source}: {key}: {value!r} is more memory than any server can have (64T at most)")


NAMED_LISTS = ("groups", "roles", "shared_data", "environment.profiles")


def _check_unique_names(data: dict[str, Any], source: str) -> None:
    for key in NAMED_LISTS:
        node: Any = data
        for part in key.split("."):
            node = node.get(part, []) if isinstance(node, dict) else []
        _check_unique(node, key, source)


def _check_consistency(data: dict[str, Any], source: str) -> None:
    """Rules that span several keys, which a JSON schema cannot express well."""
    _check_values(data, source)
    _check_unique_names(data, source)
    _check_resources(data.get("limits", {}), "limits", source)
    culling = data.get("culling", {})
    every = culling.get("every", schema_default("culling.every"))
    timeout = culling.get("timeout", schema_default("culling.timeout"))
    if culling.get("enabled", schema_default("culling.enabled")) and every > timeout:
        raise SpecError(
            f"{source}: culling.every: {every!r} is longer than culling.timeout "
            f"{timeout!r}, so servers would outlive their timeout"
        )
    _check_https(data.get("https"), source)
    _check_public_address(data.get("public_address", {}), source)
    _check_authenticator(data["authenticator"], source)
    _check_profiles(data.get("environment", {}).get("profiles", []), source)
    environment = data.get("environment", {})
    if environment.get("languages") and "image" in environment:
        raise SpecError(
            f"{source}: environment.languages: an image of your own carries its own languages: install them in "
            "it (snippets/docker/with-r shows R) and leave environment.languages out"
        )
    _check_layers(data, source)
    group_names = {g["name"] for g in data.get("groups", [])}
    for i, role in enumerate(data.get("roles", [])):
        for j, group in enumerate(role.get("groups", [])):
            if group not in group_names:
                raise SpecError(f"{source}: roles[{i}].groups[{j}]: {group!r} is not one of the spec's groups")
    known = set(data.get("allowed_users", [])) | set(data.get("admins", []))
    for i, group in enumerate(data.get("groups", [])):
        for j, user in enumerate(group.get("users", [])):
            if known and user not in known:
                raise SpecError(f"{source}: groups[{i}].users[{j}]: {user!r} is not in allowed_users or admins")


OAUTH_NEEDS = ["client_id", "client_secret_env", "callback_url"]
AUTH_NEEDS = {
    "github": OAUTH_NEEDS,
    "google": OAUTH_NEEDS,
    "cilogon": [*OAUTH_NEEDS, "allowed_idps"],
    "generic-oauth": [*OAUTH_NEEDS, "authorize_url", "token_url", "userdata_url", "username_claim"],
    "azuread": [*OAUTH_NEEDS, "tenant_id"],
}
OAUTH_TYPES = tuple(AUTH_NEEDS)
AUTH_NEEDS["ldap"] = ["server_address", "bind_dn_template"]
LDAP_KEYS = ("server_address", "server_port", "tls_strategy", "bind_dn_template", "allowed_groups")
AUTH_ONLY = {  # keys that mean something for some login methods only
    "allowed_organizations": ("github",),
    "hosted_domains": ("google",),
    "strip_domain": ("google",),
    "allowed_idps": ("cilogon",),
    "authorize_url": ("generic-oauth",),
    "token_url": ("generic-oauth",),
    "userdata_url": ("generic-oauth",),
    "username_claim": ("generic-oauth", "google", "azuread"),
    "tenant_id": ("azuread",),
    "allow_all": ("github", "google", "generic-oauth", "azuread", "ldap", "firstuse"),
    "min_password_length": ("firstuse",),
    **{key: OAUTH_TYPES for key in [*OAUTH_NEEDS, "scope"]},
    **{key: ("ldap",) for key in LDAP_KEYS},
    "allowed_groups": ("ldap", "generic-oauth", "azuread"),
    "groups_claim": ("generic-oauth", "azuread"),
}


def _check_authenticator(auth: dict[str, Any], source: str) -> None:
    kind = auth["type"]
    for key in AUTH_NEEDS.get(kind, []):
        if key not in auth:
            raise SpecError(f"{source}: authenticator.{key}: missing, required for type {kind!r}")
    for key in auth:
        if key in AUTH_ONLY and kind not in AUTH_ONLY[key]:
            raise SpecError(
                f"{source}: authenticator.{key}: means nothing for type {kind!r} (only for {', '.join(AUTH_ONLY[key])})"
            )
    if kind in ("generic-oauth", "azuread") and "allowed_groups" in auth and "groups_claim" not in auth:
        raise SpecError(
            f"{source}: authenticator.allowed_groups: needs authenticator.groups_claim, the claim that names them"
        )
    for idp, settings in auth.get("allowed_idps", {}).items():
        derivation = settings["username_derivation"]
        needed = {"strip_idp_domain": "domain", "prefix": "prefix"}.get(derivation.get("action", ""))
        if needed and needed not in derivation:
            raise SpecError(
                f"{source}: authenticator.allowed_idps.{_shown(idp)}.username_derivation.{needed}: "
                f"missing, required for action {derivation['action']!r}"
            )


def _check_resources(resources: dict[str, Any], key: str, source: str) -> None:
    if "mem_limit" in resources and "mem_guarantee" in resources:
        if memory_bytes(resources["mem_guarantee"]) > memory_bytes(resources["mem_limit"]):
            raise SpecError(
                f"{source}: {key}.mem_guarantee: {resources['mem_guarantee']!r} is more than "
                f"{key}.mem_limit {resources['mem_limit']!r}"
            )
    if "cpu_limit" in resources and "cpu_guarantee" in resources:
        if resources["cpu_guarantee"] > resources["cpu_limit"]:
            raise SpecError(
                f"{source}: {key}.cpu_guarantee: {resources['cpu_guarantee']!r} is more than "
                f"{key}.cpu_limit {resources['cpu_limit']!r}"
            )


def _layers(data: dict[str, Any]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Every way limits combine for one server, each a list of (where, limits), later ones winning:
    the hub's, then a group's (its members' servers), then a profile's, then one choice's."""
    hub = [("limits", data.get("limits", {}))]
    groups = [[]] + [
        [(f"groups[{i}].limits", g["limits"])] for i, g in enumerate(data.get("groups", [])) if g.get("limits")
    ]
    profiles: list[list[tuple[str, dict[str, Any]]]] = [[]]
    for i, profile in enumerate(data.get("environment", {}).get("profiles", [])):
        where = f"environment.profiles[{i}]"
        base = [(f"{where}.limits", profile.get("limits", {}))]
        profiles.append(base)
        for j, option in enumerate(profile.get("options", [])):
            for k, choice in enumerate(option["choices"]):
                if choice.get("limits"):
                    profiles.append([*base, (f"{where}.options[{j}].choices[{k}].limits", choice["limits"])])
    return [hub + group + profile for group in groups for profile in profiles]


def every_limits(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every `limits` block of a spec: the hub's, each group's, each profile's and each choice's."""
    return [block for layers in _layers(data) for _, block in layers]


def _check_layers(data: dict[str, Any], source: str) -> None:
    """A guarantee above the limit a server ends up with, however its limits combine, builds a pod
    Kubernetes refuses (a request above its limit): refused here, naming both keys."""
    for layers in _layers(data):
        found: dict[str, tuple[str, Any]] = {}
        for where, limits in layers:
            found |= {key: (where, value) for key, value in limits.items()}
        for kind, size in (("mem", memory_bytes), ("cpu", float)):
            if f"{kind}_limit" in found and f"{kind}_guarantee" in found:
                (where_limit, limit), (where_guarantee, guarantee) = found[f"{kind}_limit"], found[f"{kind}_guarantee"]
                if size(guarantee) > size(limit):
                    raise SpecError(
                        f"{source}: {where_limit}.{kind}_limit: {limit!r} is less than {where_guarantee}."
                        f"{kind}_guarantee {guarantee!r}, which the same servers get"
                    )


def _check_unique(items: list[dict[str, Any]], key: str, source: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        name = item.get("name")
        if name in seen:
            raise SpecError(f"{source}: {key}[{i}].name: {name!r} is already the name of {key}[{seen[name]}]")
        seen[name] = i


def _check_profiles(profiles: list[dict[str, Any]], source: str) -> None:
    """Names unique at every level, one default per option, guarantees within limits."""
    for i, profile in enumerate(profiles):
        where = f"environment.profiles[{i}]"
        _check_resources(profile.get("limits", {}), f"{where}.limits", source)
        _check_unique(profile.get("options", []), f"{where}.options", source)
        for j, option in enumerate(profile.get("options", [])):
            choices = option["choices"]
            _check_unique(choices, f"{where}.options[{j}].choices", source)
            defaults = [k for k, choice in enumerate(choices) if choice.get("default")]
            if len(defaults) > 1:
                raise SpecError(
                    f"{source}: {where}.options[{j}].choices[{defaults[1]}].default: "
                    f"only one choice can be the default (choices[{defaults[0]}] is already)"
                )
            for k, choice in enumerate(choices):
                _check_resources(choice.get("limits", {}), f"{where}.options[{j}].choices[{k}].limits", source)


ADDRESS_ONLY = {"ingress_class": "ingress", "annotations": "ingress", "address": "load-balancer"}


def _check_public_address(address: dict[str, Any], source: str) -> None:
    kind = address.get("type")
    if kind == "ingress" and "host" not in address:
        raise SpecError(f"{source}: public_address.host: missing, needed with public_address.type ingress")
    for key, only in ADDRESS_ONLY.items():
        if key in address and kind != only:
            said = f", not {kind}" if kind else ": set the type, each platform's own is not the same"
            raise SpecError(f"{source}: public_address.{key}: only for public_address.type {only}{said}")
    if "address" in address:
        try:
            ipaddress.ip_address(address["address"])
        except ValueError:
            raise SpecError(f"{source}: public_address.address: {address['address']!r} is not an IP address") from None


def _check_https(https: dict[str, Any] | None, source: str) -> None:
    """A certificate with its key, or Let's Encrypt: one way, whole."""
    if https is None:
        return
    files = [key for key in ("certificate", "key") if key in https]
    if files and "letsencrypt" in https:
        raise SpecError(f"{source}: https.letsencrypt: choose either certificate and key, or letsencrypt, not both")
    if len(files) == 1:
        missing = {"certificate": "key", "key": "certificate"}[files[0]]
        raise SpecError(f"{source}: https.{missing}: missing, needed with https.{files[0]}")
    if not https:
        raise SpecError(f"{source}: https: give certificate and key, or letsencrypt")
