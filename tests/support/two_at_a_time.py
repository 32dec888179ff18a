"""Ask both hubs about every example spec up front, two specs at a time: each question runs hub
code in subprocesses of its own, so two keep this suite's two cores busy. The answers land in the
tests' own cache (functools.cache), and a spec whose asking fails is asked again by its test, which
then fails (or skips) with its own message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


def ask_ahead(both_answers: Callable[[Path], Any], paths: Iterable[Path], workers: int = 2) -> None:
    first, *rest = list(paths)
    try:  # alone: the first asking makes the hubs' environments (.nox/chart-hub-*, tljh-hub-*), once
        both_answers(first)
    except BaseException:  # noqa: B036 (pytest's skip too): its test asks again and says why
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(both_answers, path) for path in rest]:
            future.exception()  # not raised here: functools.cache keeps no failure, so the test asks again
