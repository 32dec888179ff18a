"""Targets: one registry, native configuration rendered from the spec (golden
files), every spec key meaningful on every target, and faults found by a hub admin."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from communityhubs import SNIPPETS
from communityhubs.guide import GuideError, connect
from communityhubs.hub import Hub
from communityhubs.spec import SpecError, load_schema, load_spec, validate_spec
from communityhubs.targets import NAMES, TARGETS

from site_tools.spec_reference import key_docs
from tests.support.goldens import EXAMPLES, golden_outputs
from tests.support.paths import GOLDEN


def test_one_registry_drives_the_schema_and_the_cli() -> None:
    assert tuple(load_schema()["properties"]["target"]["enum"]) == NAMES
    help_text = subprocess.run(
        [sys.executable, "-m", "communityhubs", "hub", "--help"], capture_output=True, text=True
    ).stdout
    assert "{" + ",".join(NAMES) + "}" in help_text


def test_no_target_branches_outside_the_targets_package() -> None:
    package = SNIPPETS / "communityhubs"
    for path in package.rglob("*.py"):
        if "targets" in path.parts:
            continue
        text = path.read_text()
        for name in NAMES:
            assert f'== "{name}"' not in text and f"== '{name}'" not in text, f"{path.name} tests for {name}"


@pytest.mark.parametrize("name", sorted(golden_outputs()))
def test_rendered_configuration_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / name
    assert golden.exists(), f"no golden file {golden.name}: run `nox -s goldens`"
    assert golden_outputs()[name] == golden.read_text(), f"{name} changed: review, then `nox -s goldens`"


def test_every_golden_file_belongs_to_an_example() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(golden_outputs())


def test_rendered_jupyterhub_config_is_valid_python_without_secrets() -> None:
    for spec_file in EXAMPLES:
        spec = load_spec(spec_file)
        for target in TARGETS.values():
            try:
                files = target.render(spec)
            except SpecError:
                continue
            for name, text in files.items():
                if name.endswith(".py"):
                    compile(text, name, "exec")
                assert "read_secret('admin-token')" in text or name != "jupyterhub_config.py"


# --- every key means something on every target -------------------------------------

BASE: dict[str, Any] = {
    "name": "walk",
    "authenticator": {"type": "shared-password"},
    "admins": ["ada"],
    "allowed_users": ["ada", "grace"],
    "groups": [{"name": "team", "users": ["ada"], "properties": {"room": "1"}}],
    "environment": {"default_url": "/lab", "env": {"A": "1"}},
    "limits": {"mem_limit": "1G", "mem_guarantee": "512M", "cpu_limit": 2, "cpu_guarantee": 1, "start_timeout": 60},
    "culling": {"enabled": True, "timeout": 3600, "every": 300, "max_age": 0},
}
GITHUB = {
    "type": "github",
    "client_id": "abc",
    "client_secret_env": "SECRET",
    "callback_url": "https://h.example.org/hub/oauth_callback",
}
GENERIC = {
    **GITHUB,
    "type": "generic-oauth",
    "authorize_url": "https://id.example.org/a",
    "token_url": "https://id.example.org/t",
    "userdata_url": "https://id.example.org/u",
    "username_claim": "email",
}
GOOGLE = {**GITHUB, "type": "google"}
IDP = {"username_derivation": {"username_claim": "email"}}
CILOGON = {**GITHUB, "type": "cilogon", "allowed_idps": {"https://idp.example.edu/idp/shibboleth": IDP}}
PROFILE = {"name": "p", "image": "i:1"}
CHOICE = {"name": "small", "limits": {"mem_limit": "1G"}}


def profile(**changes: Any) -> dict:
    """A spec patch with one profile; `changes` go into the profile."""
    return {"environment": {"profiles": [{**PROFILE, **changes}]}}


def choice(**changes: Any) -> dict:
    """A spec patch with one profile whose one option has one choice; `changes` go into the choice."""
    return profile(options=[{"name": "size", "choices": [{**CHOICE, **changes}]}])


def second_choice(**changes: Any) -> dict:
    """Like `choice`, with a second choice after it; `changes` go into the second."""
    return profile(options=[{"name": "size", "choices": [dict(CHOICE), {**CHOICE, "name": "large", **changes}]}])


def limits_changes(prefix: str, patch: Callable[..., dict]) -> dict[str, tuple[dict, dict]]:
    base = {"mem_limit": "2G", "mem_guarantee": "1G", "cpu_limit": 2, "cpu_guarantee": 1}
    changed = {"mem_limit": "4G", "mem_guarantee": "512M", "cpu_limit": 3, "cpu_guarantee": 0.5}
    return {
        f"{prefix}.limits.{key}": (patch(limits=base), patch(limits={**base, key: value}))
        for key, value in changed.items()
    }


GPU_TAINT = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}


def placement_changes(prefix: str, patch: Callable[..., dict]) -> dict[str, tuple[dict, dict]]:
    """A profile's or choice's node pool, tolerations and devices, each key changed from a base with all three."""
    base = {
        "node_selector": {"pool": "gpu"},
        "tolerations": [GPU_TAINT],
        "extra_resource_limits": {"nvidia.com/gpu": 1},
    }
    changed = {
        "node_selector": {"pool": "big"},
        "tolerations": [{**GPU_TAINT, "key": "dedicated"}],
        "tolerations[].key": [{**GPU_TAINT, "key": "dedicated"}],
        "tolerations[].operator": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "tolerations[].value": [{**GPU_TAINT, "value": "yes"}],
        "tolerations[].effect": [{**GPU_TAINT, "effect": "NoExecute"}],
        "extra_resource_limits": {"nvidia.com/gpu": 2},
    }
    return {
        f"{prefix}.{key}": (patch(**base), patch(**{**base, key.partition("[")[0]: value}))
        for key, value in changed.items()
    }


ENTRA = {**GITHUB, "type": "azuread", "tenant_id": "b.onmicrosoft.com"}
LDAP = {"type": "ldap", "server_address": "ldap.b.org", "bind_dn_template": ["uid={username},dc=b,dc=org"]}
# One change per schema key: (base patch, key patch). The test below fails for a schema key missing here.
PUBLIC = {"type": "load-balancer"}
SHARED = {"type": "shared-password"}
CHANGES: dict[str, tuple[dict, dict]] = {
    "name": ({}, {"name": "other"}),
    "authenticator": ({}, {"authenticator": {"type": "dummy"}}),
    "authenticator.type": ({}, {"authenticator": {"type": "dummy"}}),
    "authenticator.client_id": ({"authenticator": GITHUB}, {"authenticator": {**GITHUB, "client_id": "xyz"}}),
    "authenticator.client_secret_env": (
        {"authenticator": GITHUB},
        {"authenticator": {**GITHUB, "client_secret_env": "OTHER"}},
    ),
    "authenticator.callback_url": (
        {"authenticator": GITHUB},
        {"authenticator": {**GITHUB, "callback_url": "https://x.example.org/hub/oauth_callback"}},
    ),
    "authenticator.allowed_organizations": (
        {"authenticator": GITHUB},
        {"authenticator": {**GITHUB, "allowed_organizations": ["lab"]}},
    ),
    "authenticator.hosted_domains": (
        {"authenticator": GOOGLE},
        {"authenticator": {**GOOGLE, "hosted_domains": ["uni.edu"]}},
    ),
    "authenticator.strip_domain": ({"authenticator": GOOGLE}, {"authenticator": {**GOOGLE, "strip_domain": False}}),
    "authenticator.allowed_idps": (
        {"authenticator": CILOGON},
        {
            "authenticator": {
                **CILOGON,
                "allowed_idps": {"https://idp.example.edu/idp/shibboleth": {**IDP, "default": True}},
            }
        },
    ),
    "authenticator.authorize_url": (
        {"authenticator": GENERIC},
        {"authenticator": {**GENERIC, "authorize_url": "https://o.example/a"}},
    ),
    "authenticator.token_url": (
        {"authenticator": GENERIC},
        {"authenticator": {**GENERIC, "token_url": "https://o.example/t"}},
    ),
    "authenticator.userdata_url": (
        {"authenticator": GENERIC},
        {"authenticator": {**GENERIC, "userdata_url": "https://o.example/u"}},
    ),
    "authenticator.username_claim": (
        {"authenticator": GENERIC},
        {"authenticator": {**GENERIC, "username_claim": "sub"}},
    ),
    "authenticator.scope": ({"authenticator": GENERIC}, {"authenticator": {**GENERIC, "scope": ["openid", "email"]}}),
    "authenticator.allow_all": ({"authenticator": GENERIC}, {"authenticator": {**GENERIC, "allow_all": True}}),
    "authenticator.server_address": (
        {"authenticator": LDAP},
        {"authenticator": {**LDAP, "server_address": "dir.b.org"}},
    ),
    "authenticator.server_port": ({"authenticator": LDAP}, {"authenticator": {**LDAP, "server_port": 3389}}),
    "authenticator.tls_strategy": ({"authenticator": LDAP}, {"authenticator": {**LDAP, "tls_strategy": "on_connect"}}),
    "authenticator.bind_dn_template": (
        {"authenticator": LDAP},
        {"authenticator": {**LDAP, "bind_dn_template": ["cn={username},dc=b,dc=org"]}},
    ),
    "authenticator.allowed_groups": (
        {"authenticator": LDAP},
        {"authenticator": {**LDAP, "allowed_groups": ["cn=hub,dc=b,dc=org"]}},
    ),
    "authenticator.groups_claim": (
        {"authenticator": GENERIC},
        {"authenticator": {**GENERIC, "groups_claim": "groups"}},
    ),
    "authenticator.tenant_id": (
        {"authenticator": ENTRA},
        {"authenticator": {**ENTRA, "tenant_id": "other.example.org"}},
    ),
    "authenticator.min_password_length": (
        {"authenticator": {"type": "firstuse"}},
        {"authenticator": {"type": "firstuse", "min_password_length": 12}},
    ),
    "authenticator.allow_existing_users": (
        {},
        {"authenticator": {"type": "shared-password", "allow_existing_users": False}},
    ),
    "authenticator.blocked_users": ({}, {"authenticator": {"type": "shared-password", "blocked_users": ["alan"]}}),
    "admins": ({}, {"admins": ["grace"]}),
    "allowed_users": ({}, {"allowed_users": ["ada", "grace", "alan"]}),
    "groups": ({}, {"groups": []}),
    "groups[].name": ({}, {"groups": [{"name": "crew", "users": ["ada"], "properties": {"room": "1"}}]}),
    "groups[].users": ({}, {"groups": [{"name": "team", "users": ["grace"], "properties": {"room": "1"}}]}),
    "groups[].properties": ({}, {"groups": [{"name": "team", "users": ["ada"], "properties": {"room": "2"}}]}),
    "groups[].limits": ({}, {"groups": [{"name": "team", "users": ["ada"], "limits": {"mem_limit": "4G"}}]}),
    "groups[].limits.mem_limit": (
        {"groups": [{"name": "team", "users": ["ada"], "limits": {"mem_limit": "4G"}}]},
        {"groups": [{"name": "team", "users": ["ada"], "limits": {"mem_limit": "8G"}}]},
    ),
    "groups[].limits.cpu_limit": (
        {"groups": [{"name": "team", "users": ["ada"], "limits": {"cpu_limit": 2}}]},
        {"groups": [{"name": "team", "users": ["ada"], "limits": {"cpu_limit": 4}}]},
    ),
    "roles": ({}, {"roles": [{"name": "report", "scopes": ["list:users"], "groups": ["team"]}]}),
    "roles[].name": (
        {"roles": [{"name": "report", "scopes": ["list:users"]}]},
        {"roles": [{"name": "other", "scopes": ["list:users"]}]},
    ),
    "roles[].description": (
        {"roles": [{"name": "report", "scopes": ["list:users"]}]},
        {"roles": [{"name": "report", "scopes": ["list:users"], "description": "Reads"}]},
    ),
    "roles[].scopes": (
        {"roles": [{"name": "report", "scopes": ["list:users"]}]},
        {"roles": [{"name": "report", "scopes": ["list:users", "read:users:activity"]}]},
    ),
    "roles[].groups": (
        {"roles": [{"name": "report", "scopes": ["list:users"]}]},
        {"roles": [{"name": "report", "scopes": ["list:users"], "groups": ["team"]}]},
    ),
    "environment": ({}, {"environment": {"default_url": "/tree"}}),
    "environment.default_url": ({}, {"environment": {"default_url": "/tree", "env": {"A": "1"}}}),
    "environment.env": ({}, {"environment": {"default_url": "/lab", "env": {"A": "2"}}}),
    "environment.image": ({}, {"environment": {"image": "example/lab:1"}}),
    "environment.languages": ({}, {"environment": {"languages": ["r"]}}),
    "environment.pull_secret": ({}, {"environment": {"default_url": "/lab", "pull_secret": "registry-login"}}),
    "environment.pre_pull": ({}, {"environment": {"default_url": "/lab", "pre_pull": True}}),
    "environment.profiles": ({}, {"environment": {"profiles": [{"name": "p", "image": "example/lab:1"}]}}),
    "environment.profiles[].name": (
        {"environment": {"profiles": [{"name": "p", "image": "i:1"}]}},
        {"environment": {"profiles": [{"name": "q", "image": "i:1"}]}},
    ),
    "environment.profiles[].image": (
        {"environment": {"profiles": [{"name": "p", "image": "i:1"}]}},
        {"environment": {"profiles": [{"name": "p", "image": "i:2"}]}},
    ),
    "environment.profiles[].description": (
        {"environment": {"profiles": [{"name": "p", "image": "i:1"}]}},
        {"environment": {"profiles": [{"name": "p", "image": "i:1", "description": "Big"}]}},
    ),
    "environment.profiles[].display_name": (profile(), profile(display_name="Python")),
    "environment.profiles[].limits": (profile(), profile(limits={"mem_limit": "2G"})),
    **limits_changes("environment.profiles[]", profile),
    **placement_changes("environment.profiles[]", profile),
    "environment.profiles[].options": (profile(), choice()),
    "environment.profiles[].options[].name": (
        choice(),
        profile(options=[{"name": "memory", "choices": [CHOICE]}]),
    ),
    "environment.profiles[].options[].display_name": (
        choice(),
        profile(options=[{"name": "size", "display_name": "Server size", "choices": [CHOICE]}]),
    ),
    "environment.profiles[].options[].choices": (
        choice(),
        profile(options=[{"name": "size", "choices": [CHOICE, {"name": "large"}]}]),
    ),
    "environment.profiles[].options[].choices[].name": (choice(), choice(name="tiny")),
    "environment.profiles[].options[].choices[].display_name": (choice(), choice(display_name="Small")),
    "environment.profiles[].options[].choices[].description": (choice(), choice(description="1 GB")),
    # The first choice is the default anyway (and is always rendered as one): mark the second.
    "environment.profiles[].options[].choices[].default": (second_choice(), second_choice(default=True)),
    "environment.profiles[].options[].choices[].image": (choice(), choice(image="i:2")),
    "environment.profiles[].options[].choices[].limits": (choice(), choice(limits={"cpu_limit": 1})),
    **limits_changes("environment.profiles[].options[].choices[]", choice),
    **placement_changes("environment.profiles[].options[].choices[]", choice),
    "limits": ({}, {"limits": {}}),
    **{
        f"limits.{key}": ({}, {"limits": {**BASE["limits"], key: value}})
        for key, value in {
            "mem_limit": "2G",
            "mem_guarantee": "256M",
            "cpu_limit": 3,
            "cpu_guarantee": 0.5,
            "start_timeout": 90,
            "concurrent_spawn_limit": 20,
        }.items()
    },
    "culling": ({}, {"culling": {"enabled": False}}),
    **{
        f"culling.{key}": ({}, {"culling": {**BASE["culling"], key: value}})
        for key, value in {"enabled": False, "timeout": 7200, "every": 600, "max_age": 86400}.items()
    },
    "kernels": ({}, {"kernels": {"idle_timeout": 1800}}),
    "kernels.idle_timeout": ({"kernels": {"idle_timeout": 1800}}, {"kernels": {"idle_timeout": 3600}}),
    "kernels.every": ({"kernels": {"idle_timeout": 1800}}, {"kernels": {"idle_timeout": 1800, "every": 60}}),
    "kernels.cull_connected": ({}, {"kernels": {"cull_connected": True}}),
    "kernels.memory_warning": ({}, {"kernels": {"memory_warning": 0.25}}),
    "shared_data": ({}, {"shared_data": [{"name": "data"}]}),
    "shared_data[].name": ({"shared_data": [{"name": "data"}]}, {"shared_data": [{"name": "other"}]}),
    "shared_data[].read_only": (
        {"shared_data": [{"name": "data"}]},
        {"shared_data": [{"name": "data", "read_only": False}]},
    ),
    "storage": ({}, {"storage": {"home_capacity": "20G"}}),
    "storage.home_capacity": ({}, {"storage": {"home_capacity": "20G"}}),
    "storage.home_class": ({}, {"storage": {"home_class": "premium-rwo"}}),
    "storage.database_class": ({}, {"storage": {"database_class": "premium-rwo"}}),
    "storage.shared_capacity": ({"shared_data": [{"name": "data"}]}, {"storage": {"shared_capacity": "100G"}}),
    "storage.shared_class": ({"shared_data": [{"name": "data"}]}, {"storage": {"shared_class": "nfs"}}),
    "https": ({}, {"https": {"certificate": "/etc/tls/hub.pem", "key": "/etc/tls/hub.key"}}),
    "https.certificate": (
        {"https": {"certificate": "/etc/tls/hub.pem", "key": "/etc/tls/hub.key"}},
        {"https": {"certificate": "/etc/tls/other.pem", "key": "/etc/tls/hub.key"}},
    ),
    "https.key": (
        {"https": {"certificate": "/etc/tls/hub.pem", "key": "/etc/tls/hub.key"}},
        {"https": {"certificate": "/etc/tls/hub.pem", "key": "/etc/tls/other.key"}},
    ),
    "https.letsencrypt": (
        {"public_address": PUBLIC},
        {"https": {"letsencrypt": {"contact_email": "a@b.org", "hosts": ["hub.b.org"]}}},
    ),
    "https.letsencrypt.contact_email": (
        {"https": {"letsencrypt": {"contact_email": "a@b.org", "hosts": ["hub.b.org"]}}, "public_address": PUBLIC},
        {"https": {"letsencrypt": {"contact_email": "c@b.org", "hosts": ["hub.b.org"]}}},
    ),
    "https.letsencrypt.hosts": (
        {"https": {"letsencrypt": {"contact_email": "a@b.org", "hosts": ["hub.b.org"]}}, "public_address": PUBLIC},
        {"https": {"letsencrypt": {"contact_email": "a@b.org", "hosts": ["lab.b.org"]}}},
    ),
    # Left out, the type is each platform's own (TLJH's is load-balancer): walk from one given.
    "public_address": ({}, {"public_address": {"type": "ingress", "host": "hub.b.org"}}),
    "public_address.type": ({"public_address": {"type": "loopback"}}, {"public_address": PUBLIC}),
    "public_address.host": (
        {"public_address": {"type": "ingress", "host": "hub.b.org"}},
        {"public_address": {"type": "ingress", "host": "lab.b.org"}},
    ),
    "public_address.ingress_class": (
        {"public_address": {"type": "ingress", "host": "hub.b.org"}},
        {"public_address": {"type": "ingress", "host": "hub.b.org", "ingress_class": "nginx"}},
    ),
    "public_address.annotations": (
        {"public_address": {"type": "ingress", "host": "hub.b.org"}},
        {
            "public_address": {
                "type": "ingress",
                "host": "hub.b.org",
                "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
            }
        },
    ),
    "public_address.address": (
        {"public_address": {"type": "load-balancer"}},
        {"public_address": {"type": "load-balancer", "address": "203.0.113.10"}},
    ),
    "target": ({}, {"target": "docker"}),
}


# TLJH's SystemdSpawner has no guarantees and the tljh target refuses them: its walk leaves them
# out of the base, so that every other key is walked from a spec it renders.
NOT_IN_BASE = {"tljh": ("mem_guarantee", "cpu_guarantee")}


def outcome(target_name: str, data: dict) -> str:
    """What the target makes of a spec: its rendered files, or its refusal."""
    try:
        spec = validate_spec(copy.deepcopy(data), source="walk.yaml")
        return repr(TARGETS[target_name].render(spec))
    except SpecError as err:
        return f"refused: {err}"


def test_the_walk_covers_every_schema_key() -> None:
    assert sorted(CHANGES) == sorted(doc.key for doc in key_docs())


@pytest.mark.parametrize("target", NAMES)
@pytest.mark.parametrize("key", sorted(CHANGES))
def test_every_key_changes_the_rendering_or_is_refused_in_one_line(key: str, target: str) -> None:
    base_patch, key_patch = CHANGES[key]
    before = {**BASE, **base_patch}
    after = {**before, **key_patch}
    if key == "target":
        # The target key picks where a hub runs when no --target is given: check the choice itself.
        assert Hub(validate_spec(after, "walk.yaml"), Path("/nonexistent")).target.name == "docker"
        return
    for limit in NOT_IN_BASE.get(target, ()):
        if key != f"limits.{limit}":
            for data in (before, after):
                data["limits"] = {k: v for k, v in data.get("limits", {}).items() if k != limit}
    first, second = outcome(target, before), outcome(target, after)
    if second.startswith("refused: "):
        assert "\n" not in second and "walk.yaml: " in second, second
        return
    assert not first.startswith("refused: "), first
    assert first != second, f"{key} changes nothing on {target}"


# --- faults found when it was tried as a hub admin would -----------------------------


def test_culling_every_defaults_to_the_schema_default_in_the_check_too() -> None:
    data = {"name": "h", "authenticator": {"type": "dummy"}, "culling": {"enabled": True, "timeout": 100}}
    with pytest.raises(SpecError, match=r"culling.every: 300 is longer than culling.timeout 100"):
        validate_spec(data, "h.yaml")


def test_github_organisations_ask_for_read_org() -> None:
    text = TARGETS["local"].render(load_spec(SNIPPETS / "examples" / "github-login.yaml"))["jupyterhub_config.py"]
    assert "c.GitHubOAuthenticator.scope = ['read:org']" in text
    assert "c.GitHubOAuthenticator.allowed_organizations = {'example-research-lab'}" in text


def test_oauth_classes_let_everyone_in_when_asked() -> None:
    text = TARGETS["local"].render(load_spec(SNIPPETS / "examples" / "generic-oauth-login.yaml"))[
        "jupyterhub_config.py"
    ]
    assert "c.JupyterHub.authenticator_class = 'generic-oauth'" in text
    assert "c.GenericOAuthenticator.allow_all = True" in text


def test_email_usernames_are_accepted() -> None:
    spec = validate_spec({"name": "h", "authenticator": {"type": "dummy"}, "admins": ["alice@uni.edu"]})
    assert spec.admins == ["alice@uni.edu"]


def test_local_target_hands_shared_folders_and_the_hubs_own_groups_to_its_spawner() -> None:
    text = TARGETS["local"].render(load_spec(SNIPPETS / "examples" / "docker-hub.yaml"))["jupyterhub_config.py"]
    assert "c.AccountSpawner.shared_folders = {'datasets': {'read_only': True}}" in text
    groups = "{'admins': 'chub-docker-demo-admins', 'users': 'chub-docker-demo-users'}"
    assert f"c.AccountSpawner.shared_folder_groups = {groups}" in text


@pytest.mark.parametrize(
    "url, token, message",
    [
        ("http://127.0.0.1:9", "x", r"^HUB_URL='http://127.0.0.1:9': no hub answers at this address"),
        ("127.0.0.1:8000", "x", r"^HUB_URL='127.0.0.1:8000' has no scheme"),
        ("http://127.0.0.1:9", "", r"^HUB_URL is set but HUB_TOKEN is not"),
    ],
)
def test_a_wrong_hub_url_or_token_is_one_line_naming_the_variable(url: str, token: str, message: str) -> None:
    with pytest.raises(GuideError, match=message) as err:
        connect(url, token)
    assert "\n" not in str(err.value)


def test_render_cli_writes_the_native_file(tmp_path: Path) -> None:
    for target in NAMES:
        done = subprocess.run(
            [sys.executable, "-m", "communityhubs", "render", "--target", target, "--out", str(tmp_path / target)],
            capture_output=True,
            text=True,
            env=dict(os.environ),
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / target / TARGETS[target].native_file).read_text() == TARGETS[target].render(load_spec())[
            TARGETS[target].native_file
        ]


def test_shared_data_on_a_named_cluster_needs_a_class_that_offers_read_write_many(tmp_path: Path) -> None:
    from communityhubs.spec import HubSpec

    from tests.support.goldens import PUSHED_IMAGE

    spec = load_spec(SNIPPETS / "examples" / "docker-hub.yaml")
    spec = HubSpec(
        spec.source, {**spec.data, "environment": {**spec.data.get("environment", {}), "image": PUSHED_IMAGE}}
    )
    kubernetes = TARGETS["kubernetes"]
    with pytest.raises(Exception, match=r"^\S*docker-hub.yaml: storage.shared_class: not set.*Filestore") as err:
        kubernetes.runner(spec, tmp_path, context="my-cluster").plan()
    assert "\n" not in str(err.value)
    named = HubSpec(spec.source, {**spec.data, "storage": {"shared_class": "nfs", "shared_capacity": "100G"}})
    plan = kubernetes.runner(named, tmp_path, context="my-cluster").plan().text()
    assert "- ReadWriteMany\n  storageClassName: nfs\n  resources:\n    requests:\n      storage: 100Gi" in plan
    # kind's one node shares a ReadWriteOnce volume and needs no class.
    assert "- ReadWriteOnce" in kubernetes.runner(spec, tmp_path).plan().text()
    # What a reader applies by hand: the claims, beside values.yaml, named in its header.
    files = kubernetes.render(named)
    assert "storageClassName: nfs" in files["shared-data-claims.yaml"]
    assert "apply -f shared-data-claims.yaml" in files["values.yaml"]


def test_a_shared_password_on_tljh_is_called_what_it_is_in_the_file_and_on_the_tab() -> None:
    """On TLJH a login is a Unix account and a home: whoever has the shared password can be anyone."""
    from site_tools.tabs import config_tabs

    warning = "Anyone who has it can log in as any non-admin user"
    spec = load_spec(SNIPPETS / "hub.yaml")
    assert warning in TARGETS["tljh"].render(spec)["jupyterhub_config.d/communityhubs.py"]
    tabs = "\n".join(config_tabs(SNIPPETS / "hub.yaml", ["authenticator"], []))
    assert warning in tabs[tabs.index(":sync: tljh") :]
    production = TARGETS["tljh"].render(load_spec(SNIPPETS / "examples" / "one-server.yaml"))
    assert warning not in "".join(production.values()) and "shared-password" not in "".join(production.values())
