"""The hub spec: examples are valid; every kind of bad input gives one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from communityhubs import SNIPPETS
from communityhubs.spec import SpecError, load_spec, validate_spec

EXAMPLES = sorted([SNIPPETS / "hub.yaml", *(SNIPPETS / "examples").glob("*.yaml")])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_specs_are_valid(path: Path) -> None:
    spec = load_spec(path)
    assert spec.name == yaml.safe_load(path.read_text())["name"]


def base() -> dict:
    return {"name": "hub", "authenticator": {"type": "dummy"}, "allowed_users": ["ada"]}


BAD = [
    ("unknown top-level key", {"colour": "blue"}, "colour: unknown key"),
    ("unknown nested key", {"culling": {"enabled": True, "timout": 5}}, "culling.timout: unknown key"),
    ("wrong type", {"limits": {"cpu_limit": "two"}}, "limits.cpu_limit: 'two' should be of type number"),
    ("invalid username", {"admins": ["Ada Lovelace"]}, "admins[0]: 'Ada Lovelace' is not valid"),
    ("bad memory size", {"limits": {"mem_limit": "lots"}}, "limits.mem_limit: 'lots' is not valid, expected a size"),
    (
        "guarantee above limit",
        {"limits": {"mem_limit": "1G", "mem_guarantee": "2G"}},
        "limits.mem_guarantee: '2G' is more than",
    ),
    (
        "cpu guarantee above limit",
        {"limits": {"cpu_limit": 1, "cpu_guarantee": 4}},
        "limits.cpu_guarantee: 4 is more than",
    ),
    ("negative timeout", {"culling": {"timeout": -1}}, "culling.timeout: -1"),
    (
        "check slower than timeout",
        {"culling": {"enabled": True, "timeout": 10, "every": 60}},
        "culling.every: 60 is longer",
    ),
    ("unknown authenticator", {"authenticator": {"type": "ldapp"}}, "authenticator.type: 'ldapp' is not one of"),
    (
        "oauth without client id",
        {"authenticator": {"type": "github", "client_secret_env": "X", "callback_url": "https://h/hub/oauth_callback"}},
        "authenticator.client_id: missing",
    ),
    (
        "group member unknown",
        {"groups": [{"name": "g", "users": ["bob"]}]},
        "groups[0].users[0]: 'bob' is not in allowed_users",
    ),
]


@pytest.mark.parametrize("change,expected", [(c, e) for _, c, e in BAD], ids=[b[0] for b in BAD])
def test_bad_spec_gives_one_line_naming_file_key_value(change: dict, expected: str) -> None:
    data = base() | change
    with pytest.raises(SpecError) as err:
        validate_spec(data, source="hub.yaml")
    message = str(err.value)
    assert message.startswith("hub.yaml: ")
    assert expected in message
    assert "\n" not in message


def test_missing_name_is_reported() -> None:
    with pytest.raises(SpecError, match=r"^hub.yaml: name: missing required key$"):
        validate_spec({"authenticator": {"type": "dummy"}}, source="hub.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "hub.yaml"
    bad.write_text("name: x\nauthenticator: [unclosed\n")
    with pytest.raises(SpecError, match=rf"^{bad} \(line \d+\): not valid YAML"):
        load_spec(bad)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "nope.yaml")
