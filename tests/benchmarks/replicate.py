"""Export and import throughput of the replication bundle, both directions.

    python -m tests.benchmarks.replicate [--runs N] [--megabytes MB] [--files N] [--out FILE]

For each case (one big file; many small files) and each direction (local to
docker, docker to local), a source hub gets one user with that home, is
exported, and the bundle is imported into a fresh hub on the other target.
Prints a table of medians with the spread (min to max) over the runs, and
writes the figures as JSON. Sizes are in MB of file content (10^6 bytes).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import yaml
from communityhubs import SNIPPETS
from communityhubs.client import HubClient
from communityhubs.hub import Hub
from communityhubs.replicate.bundle import open_bundle
from communityhubs.replicate.export import export_hub
from communityhubs.replicate.restore import import_bundle
from communityhubs.spec import load_spec

from ..support.homes import big_home, many_files_home
from . import cpus, summarise

DIRECTIONS = [("local", "docker"), ("docker", "local")]


def one_run(work: Path, name: str, home: bytes, source: str, destination: str) -> dict[str, float]:
    data = yaml.safe_load((SNIPPETS / "hub.yaml").read_text())
    data["name"] = name
    (work / "hub.yaml").write_text(yaml.safe_dump(data))
    spec = load_spec(work / "hub.yaml")
    old = Hub(spec, work / "old" / name, target=source)
    new = Hub(spec, work / "new" / name, target=destination)
    try:
        info = old.up()
        HubClient(info.url, info.admin_token()).create_users(["demo-bench"])
        old.write_home("demo-bench", home)
        exported = export_hub(old, work / "bench.bundle")
        old.down()
        started = time.monotonic()
        open_bundle(work / "bench.bundle")
        verify = time.monotonic() - started
        imported = import_bundle(work / "bench.bundle", destination, work / "new")
        return {
            "mb": exported.bytes / 1e6,
            "files": exported.files,
            "export_s": exported.seconds,
            "export_mb_s": exported.rate,
            "export_files_s": exported.files / exported.seconds,
            "verify_mb_s": (work / "bench.bundle").stat().st_size / 1e6 / verify,
            "import_write_s": imported.write_seconds,
            "import_mb_s": imported.rate,
            "import_files_s": imported.files / imported.write_seconds,
            "import_total_s": imported.seconds,
        }
    finally:
        for hub in (old, new):
            hub.down()
            hub.forget()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("_build/bench/replicate.json"))
    args = parser.parse_args(argv)
    cases = {
        f"one {args.megabytes} MB file": big_home(args.megabytes),
        f"{args.files:,} small files": many_files_home(args.files),
    }
    results = []
    for case, home in cases.items():
        for source, destination in DIRECTIONS:
            runs = []
            for i in range(args.runs):
                with tempfile.TemporaryDirectory(prefix="bench-replicate-") as tmp:
                    runs.append(one_run(Path(tmp), f"bench-{source}-{i}", home, source, destination))
            figures = {key: summarise([r[key] for r in runs]) for key in runs[0]}
            results.append({"case": case, "from": source, "to": destination, "runs": len(runs), **figures})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": cpus()}
    args.out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {args.out}")
    return 0


def table(results: list[dict]) -> str:
    columns = {
        "export s": "export_s",
        "export MB/s": "export_mb_s",
        "export files/s": "export_files_s",
        "verify MB/s": "verify_mb_s",
        "import MB/s": "import_mb_s",
        "import files/s": "import_files_s",
        "import total s": "import_total_s",
    }

    def cell(figure: dict[str, float]) -> str:
        return f"{figure['median']:.1f} ({figure['min']:.1f}-{figure['max']:.1f})"

    head = f"{'case':22} {'direction':16} " + " ".join(f"{c:20}" for c in columns)
    lines = [head, "-" * len(head)]
    for r in results:
        cells = " ".join(f"{cell(r[key]):20}" for key in columns.values())
        lines.append(f"{r['case']:22} {r['from'] + ' -> ' + r['to']:16} {cells}")
    lines.append(
        "medians over the runs (min-max). MB = 10^6 bytes of file content. export: the whole command, "
        "REST reads and package lists included; import: writing homes through the target; "
        "import total: verifying the bundle, starting the hub, planning and writing"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
