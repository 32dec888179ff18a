"""Benchmarks: run by `nox -s bench`, kept working by a smoke test; never timed in the suite."""

from __future__ import annotations

import os
import statistics


def summarise(values: list[float]) -> dict[str, float]:
    """Median and range over the runs; runs that measured nothing (NaN) are left out."""
    values = [v for v in values if v == v] or [float("nan")]
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def cpus() -> int:
    """The CPUs this process may use."""
    return len(os.sched_getaffinity(0))
