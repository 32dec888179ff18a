"""Kubernetes day two: back a hub up, restore it, and see what an upgrade changes before it runs.

- `backup`: the hub database, copied with SQLite's online backup while the hub serves, and every
  claim in the hub's namespace (homes, shared data) read by a throwaway pod that mounts it
  read-only, into a folder on this machine. Nothing on the cluster changes but that pod.
- `restore`: claims the backup holds and the namespace lacks are made again and filled; a claim
  that exists is left alone and named, so a restore never writes over anyone's files. The
  database is put back only where the hub has none, with the hub stopped while it is written.
(What an upgrade changes, printed before `hub up` upgrades a running hub: manifests.py.)

`hub backup --dry-run` and `hub restore --dry-run` print every command without running any.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import names
from ..secretfiles import write_private
from . import cluster
from .cluster import ClusterError, Step

DATABASE = names.CHART_HUB_DATABASE
DATABASE_CLAIM = cluster.HUB_DB_CLAIM
DATABASE_FILE = names.DATABASE_FILE
CLAIMS_FILE = "claims.json"
COPY_DATABASE = (  # SQLite's online backup: a consistent copy while the hub writes
    "import sqlite3, sys, tempfile\n"
    "with tempfile.NamedTemporaryFile() as copy:\n"
    f'    source = sqlite3.connect("file:{DATABASE}?mode=ro", uri=True)\n'
    "    target = sqlite3.connect(copy.name)\n"
    "    source.backup(target)\n"
    "    target.close()\n"
    '    sys.stdout.buffer.write(open(copy.name, "rb").read())\n'
)


def put_database_back(replace: bool) -> str:
    """The shell that puts the database into its claim: only where the claim holds none, unless
    asked to replace it (`--replace-database`, for a hub just made to restore into), and then
    the one there is kept beside it, dated. The chart's hub runs as 1000:1000."""
    db = f"/data/{DATABASE_FILE}"
    there = f'cp -p {db} "{db}.before-restore-$(date +%Y%m%d-%H%M%S)"' if replace else "echo kept; exit 0"
    return f"if test -s {db}; then {there}; fi; cat > {db} && chown 1000:1000 {db} && echo put"


PUT_DATABASE_BACK = put_database_back(replace=False)


@dataclass
class DayTwoPlan:
    title: str
    steps: list[Step]

    def text(self) -> str:
        lines = [f"# {self.title}: the commands it runs, in order"]
        for step in self.steps:
            lines += [f"\n# {step.why}", step.shell()]
        return "\n".join(lines) + "\n"


def kubectl(record: dict, *args: str) -> list[str]:
    return ["kubectl", "--context", record["context"], "--namespace", record["namespace"], *args]


def backup_plan(record: dict, folder: Path) -> DayTwoPlan:
    return DayTwoPlan(
        f"hub backup into {folder}",
        [
            Step(
                f"the hub database, by SQLite's online backup while the hub serves, into {folder / DATABASE_FILE}",
                kubectl(record, "exec", "deploy/hub", "--", "python3", "-c", COPY_DATABASE),
            ),
            Step(
                f"every claim in the namespace, into {folder / CLAIMS_FILE}",
                kubectl(record, "get", "pvc", "-o", "json"),
            ),
            Step(
                f"each claim but {DATABASE_CLAIM}, read by a throwaway pod that mounts it read-only, "
                f"into {folder}/claims/CLAIM.tar (then the pod is deleted)",
                kubectl(record, "exec", "-i", "POD", "--", "tar", "-C", "/data", "-cf", "-", "."),
            ),
        ],
    )


def restore_plan(record: dict, folder: Path) -> DayTwoPlan:
    return DayTwoPlan(
        f"hub restore from {folder}",
        [
            Step(
                "the claims already there (each is left alone, and named)", kubectl(record, "get", "pvc", "-o", "json")
            ),
            Step(
                f"each claim of {folder / CLAIMS_FILE} the namespace lacks, made again with its size, class and labels",
                kubectl(record, "apply", "-f", "-"),
            ),
            Step(
                f"its files from {folder}/claims/CLAIM.tar, unpacked by a throwaway pod that mounts it",
                kubectl(record, "exec", "-i", "POD", "--", "tar", "-C", "/data", "-xf", "-"),
            ),
            Step(
                f"the hub database from {folder / DATABASE_FILE}, only where {DATABASE_CLAIM} holds none: "
                "the hub stopped, the file put in, the hub started",
                kubectl(record, "scale", "deploy/hub", "--replicas=0"),
            ),
            Step("", kubectl(record, "exec", "-i", "POD", "--", "sh", "-c", PUT_DATABASE_BACK)),
            Step("", kubectl(record, "scale", "deploy/hub", "--replicas=1")),
        ],
    )


def backup(record: dict, image: str, folder: Path) -> list[str]:
    """Carry out the backup plan into a new folder; returns one line per thing saved."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ClusterError(f"hub backup: {folder} is not empty: name a new folder, so no backup is written over")
    (folder / "claims").mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # the database holds every token's hash and every user's state
    saved = []
    database = cluster.kubectl(record, "exec", "deploy/hub", "--", "python3", "-c", COPY_DATABASE)
    if not database.startswith(b"SQLite format 3\x00"):
        raise ClusterError("hub backup: the hub's answer is not an SQLite database: nothing more was read")
    write_private(folder / DATABASE_FILE, database)
    saved.append(f"the hub database ({len(database)} bytes)")
    claims = [c for c in cluster.claims(record) if c["metadata"]["name"] != DATABASE_CLAIM]
    write_private(folder / CLAIMS_FILE, json.dumps({"items": claims}, indent=2))
    for claim in claims:
        name = claim["metadata"]["name"]
        archive = cluster.in_pod(record, image, ["tar", "-C", "/data", "-cf", "-", "."], name, read_only=True)
        write_private(folder / "claims" / f"{name}.tar", archive)
        saved.append(f"claim {name} ({len(archive)} bytes)")
    return saved


def restorable(claim: dict) -> dict:
    """A saved claim as a new one: its name, labels, annotations, size, modes and class; not the
    volume it was bound to, which belongs to the cluster it came from."""
    meta, spec = claim["metadata"], claim["spec"]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {k: meta[k] for k in ("name", "labels", "annotations") if k in meta},
        "spec": {k: spec[k] for k in ("accessModes", "resources", "storageClassName") if k in spec},
    }


def restore(record: dict, image: str, folder: Path, replace_database: bool = False) -> list[str]:
    """Carry out the restore plan; returns one line per claim and for the database."""
    folder = Path(folder)
    if not (folder / CLAIMS_FILE).is_file():
        raise ClusterError(f"hub restore: {folder} holds no {CLAIMS_FILE}: not a backup made by `hub backup`")
    try:
        saved = json.loads((folder / CLAIMS_FILE).read_text())["items"]
    except (ValueError, KeyError, TypeError):
        raise ClusterError(f"hub restore: {folder / CLAIMS_FILE} is not a list of claims in JSON") from None
    there = set(cluster.claim_names(record))
    said = []
    for claim in saved:
        name = claim["metadata"]["name"]
        if name in there:
            said.append(f"claim {name}: already there, left alone")
            continue
        archive = (folder / "claims" / f"{name}.tar").read_bytes()
        cluster.kubectl(record, "apply", "-f", "-", stdin=json.dumps(restorable(claim)).encode())
        cluster.in_pod(record, image, ["tar", "-C", "/data", "-xf", "-"], name, stdin=archive)
        said.append(f"claim {name}: made again and filled")
    database = folder / DATABASE_FILE
    if database.is_file():
        cluster.kubectl(record, "scale", "deploy/hub", "--replicas=0")
        try:
            answer = cluster.in_pod(
                record,
                image,
                ["sh", "-c", put_database_back(replace_database)],
                DATABASE_CLAIM,
                stdin=database.read_bytes(),
            )
        finally:
            cluster.kubectl(record, "scale", "deploy/hub", "--replicas=1")
        put = answer.strip() == b"put"
        kept = "the hub has its own, left alone (--replace-database replaces it, keeping it beside)"
        said.append("the hub database: put back" if put else f"the hub database: {kept}")
    return said
