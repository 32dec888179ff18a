"""Re-applying a changed spec on The Littlest JupyterHub converges (issue 29): the script rendered
from any spec, run as written by TLJH 2.0.0's own `tljh-config` on a server an earlier script
configured, leaves exactly its own config.yaml. People, admins and limits that left the spec are
gone, no list holds an entry twice, keys the spec no longer sets go back to TLJH's defaults, and
every secret an earlier run made is kept (passwords and tokens go on working)."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pytest
import yaml
from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import CONFIG_FILE

from tests.support.tljh_hub import TLJH_SPECS, run_sequences

TLJH = TARGETS["tljh"]
CLIENT_SECRET = {"OAUTH_CLIENT_SECRET": "not-a-real-client-secret"}


def assert_converged(after: list[dict], sequence: list[dict[str, str]], names: str) -> None:
    last, files = after[-1], sequence[-1]
    assert last["config"] == files[CONFIG_FILE], f"{names}: config.yaml is not the last spec's"
    for earlier in after[:-1]:  # a secret both runs need keeps the value the first run made
        kept = {k: v for k, v in last["secrets"].items() if k in earlier["secrets"]}
        assert kept == {k: earlier["secrets"][k] for k in kept}, f"{names}: a secret was made again"
    assert last["kept"], f"{names}: the old config.yaml is not kept beside the new one"


def test_every_example_after_every_other_leaves_exactly_its_own_config(tmp_path: Path) -> None:
    pairs = list(itertools.permutations(TLJH_SPECS, 2))
    files = {path: TLJH.render(load_spec(path)) for path in TLJH_SPECS}
    results = run_sequences([[files[a], files[b]] for a, b in pairs], tmp_path, env=CLIENT_SECRET)
    assert len(results) == len(pairs) == len(TLJH_SPECS) * (len(TLJH_SPECS) - 1)
    for (a, b), after in zip(pairs, results, strict=True):
        assert_converged(after, [files[a], files[b]], f"{a.stem} then {b.stem}")


def changed(tmp_path: Path, name: str, change) -> dict[str, str]:
    from communityhubs import SNIPPETS

    data = copy.deepcopy(yaml.safe_load((SNIPPETS / "hub.yaml").read_text()))
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return TLJH.render(load_spec(path))


def leave(data: dict) -> None:
    data["allowed_users"] = [u for u in data.get("allowed_users", []) if u != "demo-grace"]
    for group in data.get("groups", []):
        group["users"] = [u for u in group.get("users", []) if u != "demo-grace"]


def step_down(data: dict) -> None:
    data["admins"] = [a for a in data["admins"] if a != "demo-admin"]


def unset_limits(data: dict) -> None:
    data.pop("limits", None)


CHANGES = {"a member leaves": leave, "an admin steps down": step_down, "limits are unset": unset_limits}


@pytest.fixture(scope="module")
def hub_files() -> dict[str, str]:
    from communityhubs import SNIPPETS

    return TLJH.render(load_spec(SNIPPETS / "hub.yaml"))


def test_changes_to_a_spec_take_effect_and_nothing_is_listed_twice(tmp_path: Path, hub_files) -> None:
    sequences = {what: [hub_files, changed(tmp_path, what.replace(" ", "-"), fn)] for what, fn in CHANGES.items()}
    sequences["the same spec again"] = [hub_files, hub_files]
    results = run_sequences(list(sequences.values()), tmp_path, env=CLIENT_SECRET)
    by_change = dict(zip(sequences, results, strict=True))
    for what, after in by_change.items():
        assert_converged(after, sequences[what], what)
    final = {what: yaml.safe_load(after[-1]["config"]) for what, after in by_change.items()}
    assert "demo-grace" not in final["a member leaves"]["users"]["allowed"]
    assert "demo-admin" not in final["an admin steps down"]["users"].get("admin", [])
    assert "limits" not in final["limits are unset"]  # TLJH's own defaults again (no limit)
    again = final["the same spec again"]
    assert again == yaml.safe_load(hub_files[CONFIG_FILE])
    assert all(len(v) == len(set(v)) for v in again["users"].values() if isinstance(v, list))
    secrets = [after["secrets"] for after in by_change["the same spec again"]]
    assert secrets[0] == secrets[1] and secrets[0]  # re-applying logs no one out, breaks no token
