"""A hub on a cluster someone named holds a community's only copy: `hub up`, `down` and `delete`
run against recording stand-ins for helm, kubectl and kind that answer like a cluster holding an
existing release, and the exact commands they were given are checked. Nothing is uninstalled
that was serving before, no claim or namespace goes without `hub delete --confirm NAME`, the hub's
own secrets are adopted, and every malformed answer is one `error:` line."""

from __future__ import annotations

import json

import pytest
from communityhubs import names

from tests.support.cluster_cli import (
    CONTEXT,
    DELETING,
    EXISTING_RELEASE,
    HUB,
    KEEP,
    THEIR_SECRETS,
    UPGRADE_FAILS,
    one_error_line,
)


def test_a_failed_upgrade_rolls_back_and_deletes_nothing(cluster) -> None:
    run, _ = cluster
    done, issued = run("hub", "up", rules=[*EXISTING_RELEASE, UPGRADE_FAILS])
    error = one_error_line(done)
    assert "UPGRADE FAILED" in error and "is back (helm rollback)" in error
    assert f"helm rollback {HUB} --kube-context {CONTEXT} --namespace {HUB} --wait --timeout 10m" in issued
    assert not [c for c in issued if any(word in c for word in DELETING)], issued


def test_an_interrupt_during_the_wait_rolls_back_and_deletes_nothing(cluster) -> None:
    run, _ = cluster
    done, issued = run("hub", "up", rules=[*EXISTING_RELEASE, {"match": "helm upgrade", "interrupt": True}])
    error = one_error_line(done)
    assert error.startswith("error: interrupted (KeyboardInterrupt)") and "helm rollback" in error
    assert issued[-1].startswith(f"helm rollback {HUB}")
    assert not [c for c in issued if any(word in c for word in DELETING)], issued


def test_a_failed_first_install_removes_only_what_it_made(cluster) -> None:
    run, _ = cluster
    first_time = [
        {"match": "helm status", "rc": 1, "stderr": "Error: release: not found\n"},
        {"match": f"get namespace {HUB}", "rc": 1, "stderr": f'namespaces "{HUB}" not found (NotFound)\n'},
        {"match": "get secret", "rc": 1, "stderr": "Error from server (NotFound): secrets not found\n"},
        UPGRADE_FAILS,
    ]
    done, issued = run("hub", "up", rules=first_time)
    error = one_error_line(done)
    assert "uninstalled" in error and f"namespace {HUB} this run created is deleted" in error
    assert f"helm uninstall {HUB} --kube-context {CONTEXT} --namespace {HUB} --wait" in issued
    assert f"kubectl --context {CONTEXT} delete namespace {HUB} --wait=true" in issued
    assert not [c for c in issued if "rollback" in c or "delete pvc" in c]


def test_up_adopts_the_hubs_secrets_and_applies_in_place_down_keeps_every_claim_delete_needs_the_name(cluster) -> None:
    run, folder = cluster
    state = folder / "hubs" / HUB
    done, issued = run("hub", "up", rules=EXISTING_RELEASE)
    assert done.returncode == 0, done.stderr
    for key, value in THEIR_SECRETS.items():  # a fresh state folder: the hub's own values, not new ones
        assert (state / key).read_text() == value
    assert "--from-file" in next(c for c in issued if "create secret generic" in c)

    password = (state / names.SHARED_PASSWORD_FILE).read_text()
    done, issued = run("hub", "up", rules=EXISTING_RELEASE)  # again, on the running hub: applied in place
    assert done.returncode == 0, done.stderr
    assert any(c.startswith(f"helm upgrade --install {HUB}") for c in issued)
    assert not [c for c in issued if any(word in c for word in DELETING)], issued
    assert (state / names.SHARED_PASSWORD_FILE).read_text() == password

    done, issued = run("hub", "down", rules=EXISTING_RELEASE)
    assert done.returncode == 0, done.stderr
    keep = f"kubectl --context {CONTEXT} --namespace {HUB} annotate --overwrite pvc hub-db-dir {KEEP}"
    uninstall = f"helm uninstall {HUB} --kube-context {CONTEXT} --namespace {HUB} --wait"
    assert issued.index(keep) < issued.index(uninstall)  # the database's claim outlives the release
    assert not [c for c in issued if " delete " in c], issued
    assert f"hub delete --confirm {HUB}" in done.stdout

    for confirm in ([], ["--confirm", "demo"]):
        done, issued = run("hub", "delete", *confirm, rules=EXISTING_RELEASE)
        assert "nothing was deleted" in one_error_line(done) and "claim claim-ada" in done.stdout
        assert not [c for c in issued if " delete " in c or "uninstall" in c], issued

    done, issued = run("hub", "delete", "--confirm", HUB, rules=EXISTING_RELEASE)
    assert done.returncode == 0, done.stderr
    deleted = [c.split(" delete ")[1] for c in issued if " delete " in c]
    assert deleted == [
        "pvc claim-ada --wait=false",
        "pvc hub-db-dir --wait=false",
        "pvc chub-shared-data --wait=false",
        f"secret {names.secrets_name(HUB)} --ignore-not-found",
    ]  # the namespace existed before: it stays


MALFORMED = [
    (
        "the hub's Secret is not JSON",
        {"match": "get secret demo", "stdout": "<html>proxy error</html>"},
        "not a Secret",
    ),
    (
        "a Secret value is not base64",
        {"match": "get secret demo", "stdout": json.dumps({"data": {"shared-password": "%%%"}})},
        "key shared-password: kubectl's answer is not base64 text",
    ),
    ("the chart's token is not base64", {"match": "get secret hub ", "stdout": "not base64!"}, "apiToken"),
    (
        "kubectl cannot reach the cluster",
        {"match": "get secret demo", "rc": 1, "stderr": "dial tcp: i/o timeout\n"},
        "i/o timeout",
    ),
]


@pytest.mark.parametrize("what, rule, says", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_answer_is_one_error_line(cluster, what: str, rule: dict, says: str) -> None:
    run, _ = cluster
    done, issued = run("hub", "up", rules=[rule, *EXISTING_RELEASE])
    assert says in one_error_line(done)
    assert not [c for c in issued if any(word in c for word in DELETING)], issued
