"""Benchmarks: run by `nox -s bench`, kept working by a smoke test; never timed in the suite."""
