"""Kubernetes day two: a backup reads and never writes, a restore never writes over a claim or a
database that is there, and `hub up` on a running hub says what the upgrade changes before it
applies it. The commands run against the recording stand-ins of tests/support/recording_cluster.py;
the SQLite copy and the database guard run for real."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from communityhubs.targets import cluster, day_two, manifests

from tests.support import recording_cluster
from tests.support.cluster_cli import CONTEXT, EXISTING_RELEASE, HUB, one_error_line

SQLITE = "SQLite format 3\x00 the rest of the database"
CLAIM_LIST = {
    "items": [
        {
            "metadata": {"name": name, "labels": {"component": "singleuser-storage"}, "uid": "u-1"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Gi"}},
                "volumeName": "pv-1",
            },
            "status": {"phase": "Bound"},
        }
        for name in ("claim-ada", "hub-db-dir", "claim-grace")
    ]
}
BACKUP = [
    {"match": "exec deploy/hub", "stdout": SQLITE},
    {"match": "get pvc", "stdout": json.dumps(CLAIM_LIST)},
    {"match": "-- tar -C /data -cf", "stdout": "a tar archive"},
]


def test_the_database_copy_is_a_consistent_sqlite_database(tmp_path: Path) -> None:
    live = tmp_path / "jupyterhub.sqlite"
    with sqlite3.connect(live) as db:
        db.execute("create table users (name text)")
        db.execute("insert into users values ('ada')")
    code = day_two.COPY_DATABASE.replace(day_two.DATABASE, str(live))
    copy = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert copy.startswith(b"SQLite format 3\x00")
    (tmp_path / "copy.sqlite").write_bytes(copy)
    with sqlite3.connect(tmp_path / "copy.sqlite") as db:
        assert db.execute("select name from users").fetchall() == [("ada",)]


def test_the_database_goes_back_only_where_there_is_none(tmp_path: Path) -> None:
    script = day_two.PUT_DATABASE_BACK.replace("/data", str(tmp_path))
    put = subprocess.run(["sh", "-c", script], input=b"restored", capture_output=True)
    assert put.stdout.strip() == b"put" and (tmp_path / day_two.DATABASE_FILE).read_bytes() == b"restored"
    kept = subprocess.run(["sh", "-c", script], input=b"older", capture_output=True)
    assert kept.stdout.strip() == b"kept" and (tmp_path / day_two.DATABASE_FILE).read_bytes() == b"restored"
    replacing = day_two.put_database_back(replace=True).replace("/data", str(tmp_path))
    put = subprocess.run(["sh", "-c", replacing], input=b"from the backup", capture_output=True)
    assert put.stdout.strip() == b"put" and (tmp_path / day_two.DATABASE_FILE).read_bytes() == b"from the backup"
    (before,) = tmp_path.glob(f"{day_two.DATABASE_FILE}.before-restore-*")
    assert before.read_bytes() == b"restored"  # the replaced one, kept beside


def manifest(*docs: dict) -> str:
    return yaml.safe_dump_all(docs)


DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "hub"},
    "spec": {"template": {"metadata": {"annotations": {"checksum/secret": "a"}}, "spec": {"image": "hub:4.3.1"}}},
}


def test_changes_name_what_an_upgrade_adds_removes_and_changes_and_no_secret_value() -> None:
    old = manifest(DEPLOYMENT, {"kind": "Secret", "metadata": {"name": "hub"}, "data": {"token": "b2xk"}})
    same = json.loads(json.dumps(DEPLOYMENT))
    same["spec"]["template"]["metadata"]["annotations"]["checksum/secret"] = "b"  # a fresh offline render's
    assert (
        manifests.changes(
            old, manifest(same, {"kind": "Secret", "metadata": {"name": "hub"}, "data": {"token": "bmV3"}})
        )
        == []
    )
    upgraded = json.loads(json.dumps(DEPLOYMENT))
    upgraded["spec"]["template"]["spec"]["image"] = "hub:4.4.0"
    new = manifest(
        upgraded,
        {"kind": "Secret", "metadata": {"name": "hub"}, "data": {"token": "x", "more": "y"}},
        {"kind": "Service", "metadata": {"name": "proxy-public"}},
    )
    assert manifests.changes(old, new) == ["+ Service proxy-public", "~ Deployment hub", "~ Secret hub"]
    assert manifests.changes(old, "") == ["- Deployment hub", "- Secret hub"]
    assert "bmV3" not in " ".join(manifests.changes(old, new))


def test_up_on_a_running_hub_says_what_the_upgrade_changes_before_applying_it(cluster) -> None:
    run, _ = cluster
    now = manifest(DEPLOYMENT)
    upgraded = json.loads(json.dumps(DEPLOYMENT))
    upgraded["spec"]["template"]["spec"]["image"] = "hub:4.4.0"
    rules = [
        {"match": "helm get manifest", "stdout": now},
        {
            "match": "helm template",
            "stdout": manifest(upgraded, {"kind": "ConfigMap", "metadata": {"name": "user-etc"}}),
        },
        *EXISTING_RELEASE,
    ]
    done, issued = run("hub", "up", rules=rules)
    assert done.returncode == 0, done.stderr
    assert "what the upgrade changes:\n  + ConfigMap user-etc\n  ~ Deployment hub\n" in done.stdout
    template = next(i for i, c in enumerate(issued) if c.startswith("helm template"))
    upgrade = next(i for i, c in enumerate(issued) if c.startswith("helm upgrade"))
    assert template < upgrade


def test_a_backup_reads_every_claim_read_only_and_writes_only_its_new_folder(cluster, tmp_path: Path) -> None:
    run, folder = cluster
    done, _ = run("hub", "up", rules=EXISTING_RELEASE)
    assert done.returncode == 0, done.stderr
    backup = tmp_path / "backup"
    done, issued = run("hub", "backup", "--folder", str(backup), rules=BACKUP)
    assert done.returncode == 0, done.stderr
    assert (backup / day_two.DATABASE_FILE).read_text() == SQLITE
    assert sorted(p.name for p in (backup / "claims").iterdir()) == ["claim-ada.tar", "claim-grace.tar"]
    assert oct(backup.stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in backup.rglob("*") if p.is_file()} == {"0o600"}
    pods = [m for m in recording_cluster.applied(folder) if m.get("kind") == "Pod"]
    mounted = {m["volumes"][0]["persistentVolumeClaim"]["claimName"]: m for m in (p["spec"] for p in pods)}
    assert sorted(mounted) == ["claim-ada", "claim-grace"]  # never the database's claim: SQLite copies it
    assert all(m["containers"][0]["volumeMounts"][0]["readOnly"] is True for m in mounted.values())
    writes = [c for c in issued if any(w in c for w in (" delete ", " scale ", " annotate ", "helm "))]
    assert all(" delete pod " in c for c in writes), writes  # only the throwaway pods it made
    assert "pvc" not in " ".join(c for c in issued if " delete " in c)
    # A second backup into the same folder is refused: no backup is written over.
    done, issued = run("hub", "backup", "--folder", str(backup), rules=BACKUP)
    assert "is not empty" in one_error_line(done) and issued == []


def test_a_restore_makes_only_missing_claims_and_keeps_a_hubs_own_database(cluster, tmp_path: Path) -> None:
    run, folder = cluster
    assert run("hub", "up", rules=EXISTING_RELEASE)[0].returncode == 0
    backup = tmp_path / "backup"
    assert run("hub", "backup", "--folder", str(backup), rules=BACKUP)[0].returncode == 0
    still_there = {"items": [c for c in CLAIM_LIST["items"] if c["metadata"]["name"] != "claim-grace"]}
    rules = [{"match": "get pvc", "stdout": json.dumps(still_there)}, {"match": "-- sh -c", "stdout": "kept\n"}]
    done, issued = run("hub", "restore", "--folder", str(backup), rules=rules)
    assert done.returncode == 0, done.stderr
    assert "restore: claim claim-ada: already there, left alone" in done.stdout
    assert "restore: claim claim-grace: made again and filled" in done.stdout
    assert "restore: the hub database: the hub has its own, left alone" in done.stdout
    assert "exit 0" in next(c for c in issued if "-- sh -c" in c)  # never replaced unless asked
    unpacked = [c for c in issued if "tar -C /data -xf" in c]
    assert len(unpacked) == 1  # into claim-grace only
    made = [m for m in recording_cluster.applied(folder) if m.get("kind") == "PersistentVolumeClaim"]
    assert made == [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "claim-grace", "labels": {"component": "singleuser-storage"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
        }
    ]  # without the old cluster's volume, uid or status
    scale = [c.rsplit(" ", 1)[1] for c in issued if " scale " in c]
    assert scale == ["--replicas=0", "--replicas=1"]  # the hub is started again whatever happened
    assert not [c for c in issued if " delete pvc" in c or "uninstall" in c]


def test_backup_and_restore_dry_runs_print_every_command_and_run_none(tmp_path: Path) -> None:
    bin_dir = recording_cluster.install(tmp_path, [])
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    for action in ("backup", "restore"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "communityhubs",
                "hub",
                action,
                "--target",
                "kubernetes",
                "--context",
                CONTEXT,
                "--folder",
                str(tmp_path / "b"),
                "--dry-run",
                "--state",
                str(tmp_path / "hubs"),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert f"kubectl --context {CONTEXT} --namespace {HUB}" in done.stdout
    assert recording_cluster.commands(tmp_path) == []
    assert not (tmp_path / "b").exists()


def test_one_machine_targets_say_where_their_data_is(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "communityhubs",
            "hub",
            "backup",
            "--target",
            "docker",
            "--folder",
            str(tmp_path),
            "--state",
            str(tmp_path / "hubs"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "communityhubs export" in done.stderr


@pytest.mark.parametrize("answer", ["not json", json.dumps({"items": "nope"})])
def test_a_malformed_claim_list_is_one_line(answer: str) -> None:
    with pytest.raises(cluster.ClusterError, match="not a list of claims"):
        [c["metadata"] for c in cluster.claims_of(answer.encode())]
