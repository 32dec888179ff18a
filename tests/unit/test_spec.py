"""The hub spec: examples are valid; every kind of bad input gives one clear line."""

from __future__ import annotations

import re
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


# --- what each target does with a key the spec leaves out -----------------------------------


def unset_by_target(key: str) -> dict[str, str]:
    from communityhubs.spec import load_schema, resolve_ref

    schema, node = load_schema(), None
    node = schema
    for part in key.replace("[]", ".[]").split("."):
        node = resolve_ref(node, schema)
        node = resolve_ref(node["items"], schema) if part == "[]" else node["properties"][part]
    return resolve_ref(node, schema)["x-unset"]


def test_the_reference_says_what_every_key_left_out_becomes_on_every_target() -> None:
    from communityhubs.spec import load_schema
    from communityhubs.targets import NAMES

    from site_tools.spec_reference import key_docs

    silent = [doc.key for doc in key_docs() if not doc.unset and "Required." not in doc.description]
    assert silent == [], "say what each target does without these keys (x-unset, or a default)"

    def per_target(node: object) -> list[dict]:
        if isinstance(node, list):
            return [found for item in node for found in per_target(item)]
        if not isinstance(node, dict):
            return []
        said = [node["x-unset"]] if isinstance(node.get("x-unset"), dict) else []
        return said + [found for value in node.values() for found in per_target(value)]

    said = per_target(load_schema())
    assert len(said) > 10
    for each in said:
        assert list(each) == list(NAMES), each  # every target, in the registry's order


def test_the_references_platform_defaults_are_the_ones_the_code_keeps() -> None:
    """Figures stated per target are the ones the renderers and importers use (and the proofs read
    back from the platforms' own code): a change to one without the other fails here."""
    from communityhubs import mapping
    from communityhubs.import_config.tljh_config import DEFAULTS as TLJH_DEFAULTS
    from communityhubs.sections.culling import CHART_DEFAULTS
    from communityhubs.targets.kubernetes import CPU_GUARANTEE, MEMORY_SHARE

    for row in mapping.ROWS:
        if row.chart_default is not None:
            said = unset_by_target(row.key)["kubernetes"]
            assert re.match(rf"{row.chart_default}( s)?, Zero to JupyterHub's own", said), (row.key, said)
    culling = unset_by_target("culling")
    assert f"idle for {CHART_DEFAULTS['timeout']} s" in culling["kubernetes"]
    assert f"every {CHART_DEFAULTS['every']} s" in culling["kubernetes"]
    tljh_cull = TLJH_DEFAULTS["services"]["cull"]
    assert (
        f"idle for {tljh_cull['timeout']} s" in culling["tljh"] and f"every {tljh_cull['every']} s" in culling["tljh"]
    )
    assert "No culler" in culling["local"] and "No culler" in culling["docker"]
    assert MEMORY_SHARE == 4 and "A quarter of the smallest" in unset_by_target("limits.mem_guarantee")["kubernetes"]
    assert f"{CPU_GUARANTEE} CPU" in unset_by_target("limits.cpu_guarantee")["kubernetes"]


def test_each_platforms_own_public_address_is_the_one_the_renderers_take() -> None:
    """Left out, public_address.type is each platform's own: TLJH serves every address (a spec that
    does not ask for loopback is reachable), the others 127.0.0.1 or port-forward."""
    from communityhubs.sections.front_door import address_type
    from communityhubs.spec import validate_spec
    from communityhubs.targets import NAMES

    said = unset_by_target("public_address.type")
    spec = validate_spec({"name": "walk", "authenticator": {"type": "shared-password"}}, "walk.yaml")
    for target in NAMES:
        assert said[target].startswith(f"{address_type(spec, target)}: "), (target, said[target])
    assert address_type(spec, "tljh") == "load-balancer" and address_type(spec, "kubernetes") == "loopback"


def test_the_workshop_guide_names_each_platforms_own_culling_times() -> None:
    """Pre-started servers sit idle until people come: the guide's figures are the platforms' own."""
    from communityhubs.import_config.tljh_config import DEFAULTS as TLJH_DEFAULTS
    from communityhubs.sections.culling import CHART_DEFAULTS

    from tests.support.paths import ROOT

    text = " ".join((ROOT / "guides" / "prepare-a-workshop.md").read_text().split())
    assert f"servers idle for {TLJH_DEFAULTS['services']['cull']['timeout']} s" in text
    assert f"on Zero to JupyterHub after {CHART_DEFAULTS['timeout']} s" in text
