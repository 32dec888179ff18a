"""A smoke run of each benchmark, so `nox -s bench` keeps working. Figures are not checked:
speed targets live in the benchmarks' output, never in the suite."""

from __future__ import annotations

import json
from pathlib import Path

from tests.benchmarks import replicate
from tests.support.needs import need_docker


def test_replicate_benchmark_runs_and_writes_its_figures(tmp_path: Path, capsys) -> None:
    need_docker()
    out = tmp_path / "replicate.json"
    assert replicate.main(["--runs", "1", "--megabytes", "1", "--files", "20", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [(r["from"], r["to"]) for r in results] == replicate.DIRECTIONS * 2
    assert all(r["mb"]["median"] >= 1.0 for r in results if r["case"] == "one 1 MB file")
    assert all(r["files"]["median"] == 20 for r in results if r["case"] == "20 small files")
    assert "export MB/s" in capsys.readouterr().out


def test_burst_benchmark_runs_and_writes_its_figures(tmp_path: Path, capsys) -> None:
    """N = 2 on the project's hub, local only: every server ready, none failed, and the page can read
    the file. `nox -s bench` also measures the stock and default hubs, which the same code starts with
    other settings (CI's time goes to behaviour)."""
    from tests.benchmarks import burst

    out = tmp_path / "burst.json"
    assert (
        burst.main(
            ["--sizes", "2", "--docker-sizes", "--runs", "1", "--users", "1", "--site-runs", "0"]
            + ["--hubs", "project", "--out", str(out)]
        )
        == 0
    )
    data = json.loads(out.read_text())
    bursts = [r for r in data["results"] if "n" in r]
    hubs = ("project",)
    assert [(r["target"], r["hub"], r["n"]) for r in bursts] == [("local", hub, 2) for hub in hubs]
    for r in bursts:
        assert r["ready"]["median"] == 2 and r["failed"]["median"] == 0
        assert 0 < r["p50_s"]["median"] <= r["last_s"]["median"]
        assert r["cpu_limit_s"]["median"] > 0 and r["idle_mb"]["median"] > 10
    cases = {r["case"] for r in data["results"] if "n" not in r}
    assert cases == {"one server alone", "first server, cold", "first server, warm", "browser users"}
    alone = {r["hub"]: r for r in data["results"] if r.get("case") == "one server alone"}
    assert all(r["solo_cpu_s"]["median"] > 0 for r in alone.values())
    # The project's hub runs the trimmed server (the stock one, JupyterHub's own); the JSON says which.
    assert {h: r["server"] for h, r in alone.items()} == {"project": "communityhubs.singleuser"}
    assert data["machine"]["cpus"] >= 1
    assert not list(tmp_path.glob("*.partial"))
    assert "last/limit" in capsys.readouterr().out
