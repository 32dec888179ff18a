"""The one mapping table (snippets/communityhubs/mapping.py): every direction reads it.

A new plain spec key is one schema entry and one row. The test below adds a key
that exists nowhere else, in a test-only copy of the schema and the table, and
checks that jupyterhub_config.py, values.yaml and import-config all pick it up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from communityhubs import mapping, spec
from communityhubs.errors import ImportConfigError
from communityhubs.import_config import import_config
from communityhubs.spec import SpecError, load_spec
from communityhubs.targets import TARGETS

NEW_ROW = mapping.Row(
    "limits.active_server_limit", "JupyterHub.active_server_limit", "hub.activeServerLimit", mapping.integer
)


@pytest.fixture
def schema_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of hub.schema.json the test may change; the real one is read again afterwards."""
    copy = tmp_path / "hub.schema.json"
    copy.write_text(spec.SCHEMA_PATH.read_text())
    monkeypatch.setattr(spec, "SCHEMA_PATH", copy)
    clear_caches()
    yield copy
    monkeypatch.undo()
    clear_caches()


def clear_caches() -> None:
    for cached in (spec._schema, spec._validator, spec._defaults):
        cached.cache_clear()


def a_spec(tmp_path: Path, limits: dict) -> Path:
    path = tmp_path / "hub.yaml"
    data = {"name": "table-test", "authenticator": {"type": "dummy"}, "limits": limits}
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_new_plain_key_is_one_schema_entry_and_one_row(
    schema_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_file = a_spec(tmp_path, {"active_server_limit": 7})
    with pytest.raises(SpecError, match="active_server_limit"):  # not in the schema yet: refused
        load_spec(spec_file)
    schema = json.loads(schema_copy.read_text())
    schema["properties"]["limits"]["properties"]["active_server_limit"] = {"type": "integer", "minimum": 0}
    schema_copy.write_text(json.dumps(schema))
    clear_caches()
    loaded = load_spec(spec_file)
    config = TARGETS["local"].render(loaded)["jupyterhub_config.py"]
    assert "c.JupyterHub.active_server_limit" not in config  # in the schema, but no row: nothing reads it

    monkeypatch.setattr(mapping, "ROWS", [*mapping.ROWS, NEW_ROW])
    assert "c.JupyterHub.active_server_limit = 7" in TARGETS["local"].render(loaded)["jupyterhub_config.py"]
    assert "c.JupyterHub.active_server_limit = 7" in TARGETS["docker"].render(loaded)["jupyterhub_config.py"]
    assert "c.JupyterHub.active_server_limit = 7" in TARGETS["local"].excerpt(loaded, ["limits"])
    values_text = TARGETS["kubernetes"].render(loaded)["values.yaml"]
    assert yaml.safe_load(values_text)["hub"]["activeServerLimit"] == 7
    values_file = tmp_path / "values.yaml"
    values_file.write_text(values_text)
    data, report = import_config([values_file], name="table-test")
    assert data["limits"]["active_server_limit"] == 7
    assert ("hub.activeServerLimit", "limits.active_server_limit") in report.carried


def test_every_row_names_a_schema_key_and_a_class_trait() -> None:
    for row in mapping.rows():
        spec.schema_default(row.key)  # raises KeyError for a key the schema does not have
        cls, _, trait = row.trait.partition(".")
        assert cls and trait and "." not in trait, row


def test_per_server_resources_go_both_ways() -> None:
    limits = {"mem_limit": "2G", "mem_guarantee": "512M", "cpu_limit": 2, "cpu_guarantee": 0.5}
    override = mapping.per_server(limits)
    assert override == {"mem_limit": "2G", "mem_guarantee": "512M", "cpu_limit": 2, "cpu_guarantee": 0.5}
    as_values = {"mem_limit": "2Gi", "mem_guarantee": "536870912", "cpu_limit": 2.0, "cpu_guarantee": "0.5"}
    assert mapping.per_server_from_override(as_values, "p") == limits


def test_a_value_the_spec_cannot_hold_is_refused_naming_where() -> None:
    with pytest.raises(ImportConfigError, match=r"^singleuser.memory.limit: 'lots' is not a memory size"):
        mapping.memory("lots", "singleuser.memory.limit")
    with pytest.raises(ImportConfigError, match=r"^hub.concurrentSpawnLimit: 'many' is not a whole number"):
        mapping.integer("many", "hub.concurrentSpawnLimit")


def test_docker_reservations_come_from_the_guarantees_only() -> None:
    assert mapping.docker_reservations({"mem_limit": "1G", "mem_guarantee": "1G", "cpu_guarantee": 0.5}) == {
        "mem_reservation": 1 << 30,
        "cpu_shares": 512,
    }
    assert mapping.docker_reservations({"mem_limit": "1G"}) == {}
