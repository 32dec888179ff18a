"""Input that once got past the checks: each is refused in one line naming the file, key and
value, and nothing is changed. Plus a property-based test: no spec crashes the loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from communityhubs import SNIPPETS
from communityhubs.spec import SpecError, load_spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.paths import communityhubs

GOOD = yaml.safe_load((SNIPPETS / "hub.yaml").read_text())

ALIAS_BOMB = """\
name: bomb
authenticator: {type: dummy}
groups:
  - name: g
    properties:
      a: &a [x, x, x, x, x, x, x, x, x]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
"""

# (what, spec text, the error's text after "FILE: ")
SPEC_TEXTS = [
    ("a YAML alias bomb", ALIAS_BOMB, "line 7: YAML aliases (*name) are not allowed"),
    (
        "a key twice",
        "name: a\nname: b\nauthenticator: {type: dummy}\n",
        "line 2: name: the key appears twice",
    ),
    ("a list, not a mapping", "- name: x\n", "the spec must be a mapping of keys, got list"),
    ("an empty file", "", "the spec must be a mapping of keys, got NoneType"),
    ("tabs", "name: x\n\tauthenticator: {}\n", "not valid YAML"),
]

# (what, change to snippets/hub.yaml, the error's text after "FILE: ")
CHANGES = [
    ("two groups of one name", {"groups": [{"name": "g"}, {"name": "g"}]}, "groups[1].name: 'g' is already the name"),
    (
        "two roles of one name",
        {"roles": [{"name": "r", "scopes": ["list:users"]}, {"name": "r", "scopes": ["list:groups"]}]},
        "roles[1].name: 'r' is already the name of roles[0]",
    ),
    (
        "two profiles of one name",
        {"environment": {"profiles": [{"name": "p", "image": "a:1"}, {"name": "p", "image": "b:1"}]}},
        "environment.profiles[1].name: 'p' is already",
    ),
    ("two shared folders of one name", {"shared_data": [{"name": "d"}, {"name": "d"}]}, "shared_data[1].name: 'd'"),
    ("cpu_limit NaN", {"limits": {"cpu_limit": float("nan")}}, "limits.cpu_limit: nan is not a number a hub can use"),
    ("cpu_guarantee NaN", {"limits": {"cpu_guarantee": float("nan")}}, "limits.cpu_guarantee: nan is not a number"),
    ("culling timeout infinite", {"culling": {"timeout": float("inf")}}, "culling.timeout: inf"),
    (
        "provider groups without the claim that names them",
        {
            "authenticator": {
                "type": "generic-oauth",
                "client_id": "hub",
                "client_secret_env": "OAUTH_CLIENT_SECRET",
                "callback_url": "https://hub.example.org/hub/oauth_callback",
                "authorize_url": "https://sso.example.org/auth",
                "token_url": "https://sso.example.org/token",
                "userdata_url": "https://sso.example.org/userinfo",
                "username_claim": "preferred_username",
                "allowed_groups": ["hub-users"],
            }
        },
        "authenticator.allowed_groups: needs authenticator.groups_claim",
    ),
    (
        "an ldap login without a bind template",
        {"authenticator": {"type": "ldap", "server_address": "ldap.example.org"}},
        "authenticator.bind_dn_template: missing, required for type 'ldap'",
    ),
    (
        "a plain-http provider that is not on this machine",
        {
            "authenticator": {
                "type": "generic-oauth",
                "client_id": "hub",
                "client_secret_env": "OAUTH_CLIENT_SECRET",
                "callback_url": "https://hub.example.org/hub/oauth_callback",
                "authorize_url": "http://sso.example.org/auth",
                "token_url": "https://sso.example.org/token",
                "userdata_url": "https://sso.example.org/userinfo",
                "username_claim": "preferred_username",
            }
        },
        "authenticator.authorize_url: 'http://sso.example.org/auth'",
    ),
    ("an absurd memory limit", {"limits": {"mem_limit": "99999999999999999999999T"}}, "limits.mem_limit: '9999"),
    ("more memory than a machine", {"limits": {"mem_limit": "999999T"}}, "limits.mem_limit: '999999T' is more memory"),
    (
        "a group's absurd memory",
        {"groups": [{"name": "g", "limits": {"mem_limit": "100000T"}}]},
        "groups[0].limits.mem_limit: '100000T' is more memory",
    ),
    ("an image named like an option", {"environment": {"image": "--help"}}, "environment.image: '--help' is not valid"),
    (
        "a profile image named like an option",
        {"environment": {"profiles": [{"name": "p", "image": "-it"}]}},
        "environment.profiles[0].image: '-it' is not valid",
    ),
    ("an image with a space", {"environment": {"image": "a b"}}, "environment.image: 'a b' is not valid"),
    (
        "an ingress class on a load balancer",
        {"public_address": {"type": "load-balancer", "ingress_class": "nginx"}},
        "public_address.ingress_class: only for public_address.type ingress, not load-balancer",
    ),
    (
        "a reserved address with the type left out (each platform's own)",
        {"public_address": {"address": "203.0.113.10"}},
        "public_address.address: only for public_address.type load-balancer: set the type, each platform's own "
        "is not the same",
    ),
    (
        "an address that is no IP address",
        {"public_address": {"type": "load-balancer", "address": "1.2.3.999"}},
        "public_address.address: '1.2.3.999' is not an IP address",
    ),
    ("a storage class with capitals", {"storage": {"home_class": "Premium"}}, "storage.home_class: 'Premium'"),
    ("a pull secret with '_'", {"environment": {"pull_secret": "my_login"}}, "environment.pull_secret: 'my_login'"),
    ("a negative start timeout", {"limits": {"start_timeout": -5}}, "limits.start_timeout: -5"),
    ("cpu_limit zero", {"limits": {"cpu_limit": 0}}, "limits.cpu_limit: 0"),
    (
        "a shared folder's name no Kubernetes volume can have",
        {"shared_data": [{"name": "raw_data"}]},
        "shared_data[0].name: 'raw_data' is not valid, expected lowercase letters, digits and '-'",
    ),
    (
        "a group's memory limit below the hub's guarantee",
        {"limits": {"mem_guarantee": "2G"}, "groups": [{"name": "g", "limits": {"mem_limit": "1G"}}]},
        "groups[0].limits.mem_limit: '1G' is less than limits.mem_guarantee '2G', which the same servers get",
    ),
    (
        "a choice's CPU limit below its profile's guarantee",
        {
            "environment": {
                "profiles": [
                    {
                        "name": "p",
                        "limits": {"cpu_guarantee": 0.5},
                        "options": [{"name": "o", "choices": [{"name": "small", "limits": {"cpu_limit": 0.25}}]}],
                    }
                ]
            }
        },
        "environment.profiles[0].options[0].choices[0].limits.cpu_limit: 0.25 is less than "
        "environment.profiles[0].limits.cpu_guarantee 0.5",
    ),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,expected", [(t, e) for _, t, e in SPEC_TEXTS], ids=[c[0] for c in SPEC_TEXTS])
def test_bad_spec_text_is_one_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value).startswith(f"{path}") and expected in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in CHANGES], ids=[c[0] for c in CHANGES])
def test_bad_values_are_one_line(tmp_path: Path, change: dict, expected: str) -> None:
    path = write(tmp_path, yaml.safe_dump({**GOOD, **change}))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value).startswith(f"{path}: ") and expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_huge_spec_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\n" + "# padding\n" * 120_000)
    with pytest.raises(SpecError, match="bytes is too big for a hub spec"):
        load_spec(path)


# (what, command line after `communityhubs`, the start of its one error line)
COMMANDS = [
    ("port too high", ["hub", "up", "--port", "70000"], "error: --port: 70000 is not a port number"),
    ("port zero", ["hub", "status", "--port", "0"], "error: --port: 0 is not a port number"),
    ("port negative", ["hub", "down", "--port", "-5"], "error: --port: -5 is not a port number"),
    ("state is a file", ["hub", "up", "--state", "afile"], "error: --state afile: is a file"),
    ("export state is a file", ["export", "--out", "b", "--state", "afile"], "error: --state afile: is a file"),
    ("import port too high", ["import", "b", "--port", "99999"], "error: --port: 99999 is not a port number"),
    ("no such spec", ["hub", "up", "--spec", "nope.yaml"], "error: nope.yaml: cannot read the spec"),
    ("no such bundle", ["import", "nope.bundle"], "error: nope.bundle: no such bundle file"),
    ("verify no bundle", ["verify", "nope.bundle"], "error: nope.bundle: no such bundle file"),
    ("check a bomb", ["check", "bomb.yaml"], "error: bomb.yaml: line 7: YAML aliases"),
    ("dry run elsewhere", ["hub", "up", "--dry-run"], "error: --dry-run: only `hub up --target kubernetes`"),
    ("context on local", ["hub", "up", "--context", "x", "--port", "1"], "error: --context: the local target"),
]


@pytest.mark.parametrize("args,expected", [(a, e) for _, a, e in COMMANDS], ids=[c[0] for c in COMMANDS])
def test_bad_command_lines_are_one_line_and_change_nothing(tmp_path: Path, args: list[str], expected: str) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    before = sorted(p.name for p in tmp_path.iterdir())
    done = communityhubs(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith(expected) and done.stderr.count("\n") == 1, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no state folder, no bundle, nothing


def test_a_failed_first_up_leaves_no_folder_of_secrets(tmp_path: Path) -> None:
    import socket

    from communityhubs.hub import Hub, HubError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(HubError, match="already in use"):
            Hub(load_spec(), tmp_path / "hub", port=port).up()
    assert not (tmp_path / "hub").exists()


# --- property-based: whatever the YAML, the loader answers with a spec or one line ------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(sorted(GOOD) + ["limits", "culling", "environment", "shared_data", "target", "x"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(keys, values, max_size=4))
def test_no_spec_crashes_the_loader(tmp_path: Path, changes: dict) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump({**GOOD, **changes}, allow_unicode=True))
    try:
        load_spec(path)
    except SpecError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))


def test_a_key_with_a_newline_is_named_on_one_line(tmp_path: Path) -> None:
    """Found by the property test above: an unknown key "\\n" made a two-line error."""
    path = write(tmp_path, yaml.safe_dump({**GOOD, "authenticator": {"type": "dummy", "\n": None}}))
    with pytest.raises(SpecError, match=r"authenticator\.'\\n': unknown key") as caught:
        load_spec(path)
    assert "\n" not in str(caught.value)
