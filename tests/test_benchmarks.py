"""A smoke run of each benchmark, so `nox -s bench` keeps working. Figures are not checked:
speed targets live in the benchmarks' output, never in the suite."""

from __future__ import annotations

import json
from pathlib import Path

from .benchmarks import replicate
from .needs import need_docker


def test_replicate_benchmark_runs_and_writes_its_figures(tmp_path: Path, capsys) -> None:
    need_docker()
    out = tmp_path / "replicate.json"
    assert replicate.main(["--runs", "1", "--megabytes", "1", "--files", "20", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [(r["from"], r["to"]) for r in results] == replicate.DIRECTIONS * 2
    assert all(r["mb"]["median"] >= 1.0 for r in results if r["case"] == "one 1 MB file")
    assert all(r["files"]["median"] == 20 for r in results if r["case"] == "20 small files")
    assert "export MB/s" in capsys.readouterr().out
