"""Every shell block a page shows is run here as written, or says on the page why not.

Blocks are read from the pages themselves. A block that the tests cannot run
is a `{code-block} bash` whose caption starts "Not run by the tests:" and
gives the reason; every other block must have an entry in RUNS below, so a new
block fails this test until it is run or marked.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.needs import need_docker
from tests.support.paths import ROOT

PAGES = sorted([*(ROOT / "docs").rglob("*.md"), *(ROOT / "guides").rglob("*.md"), ROOT / "index.md"])
FENCE = re.compile(r"^```(bash|\{code-block\} bash)\n(.*?)^```", re.M | re.S)
NOT_RUN = re.compile(r'^:caption: "?Not run by the tests: \w')


@dataclass(frozen=True)
class Block:
    page: str
    text: str
    not_run: bool

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0]


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        for match in FENCE.finditer(page.read_text()):
            lines = match.group(2).splitlines()
            options = [ln for ln in lines if ln.startswith(":")]
            body = "\n".join(ln for ln in lines if not ln.startswith(":"))
            not_run = any(NOT_RUN.match(ln) for ln in options)
            found.append(Block(str(page.relative_to(ROOT)), body.strip() + "\n", not_run))
    return found


def run_bash(script: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


# The first line of each block the tests run -> (check appended after the block, clean-up, needs Docker)
RUNS: dict[str, tuple[str, str, bool]] = {
    "communityhubs check snippets/hub.yaml": ("", "", False),
    "communityhubs image ensure": ("", "", True),
    "python3 noxfile.py -s hub -- up        # start the hub described by snippets/hub.yaml": (
        "",
        "python3 noxfile.py -s hub -- down",
        False,
    ),
    "communityhubs hub up --state rehearsal --port 8010        # a hub to practise on": (
        # a third import restarts the rebuilt hub and still finds nothing to change
        "communityhubs import rehearsal.bundle --target docker --state rebuilt --port 8011 "
        "| grep -q '^nothing to change'",
        "communityhubs hub delete --state rebuilt --target docker --confirm demo-community; "
        "communityhubs hub down --state rehearsal; rm -rf rehearsal rebuilt rehearsal.bundle",
        True,
    ),
    "communityhubs image ensure                 # build the user image once": (
        # the hub answers the exported address and token, as the guide will use them
        'curl -fsS -H "Authorization: token $HUB_TOKEN" "$HUB_URL/hub/api/user" | grep -q community-admin',
        "communityhubs hub down --target docker",
        True,
    ),
}


def test_every_block_is_run_or_marked_as_not_run() -> None:
    unaccounted = [f"{b.page}: {b.first_line}" for b in blocks() if not b.not_run and b.first_line not in RUNS]
    assert unaccounted == [], "add these to RUNS, or caption them 'Not run by the tests: <why>'"
    assert len(blocks()) >= 7


def test_the_marker_is_recognised_and_needs_a_reason() -> None:
    assert NOT_RUN.match(':caption: "Not run by the tests: it needs your own hub"')
    assert not NOT_RUN.match(':caption: "Not run by the tests:"')
    assert not NOT_RUN.match(":caption: Example")


@pytest.mark.parametrize("first_line", sorted(RUNS))
def test_shell_block_runs_as_written(first_line: str) -> None:
    block = next((b for b in blocks() if b.first_line == first_line and not b.not_run), None)
    assert block is not None, f"no page shows a block starting {first_line!r} any more: drop it from RUNS"
    check, cleanup, docker = RUNS[first_line]
    if docker:
        need_docker()
    try:
        done = run_bash(block.text + check)
        assert done.returncode == 0, f"{block.page}: block failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    finally:
        if cleanup:
            run_bash(cleanup)


def test_the_readme_commands_are_the_ones_ci_and_the_clean_machine_check_run() -> None:
    readme = [m.group(2).strip() for m in FENCE.finditer((ROOT / "README.md").read_text())]
    assert readme[:2] == ["python3 noxfile.py -s docs", "python3 noxfile.py -s tests"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\npython3 noxfile.py -s tests\n" in ci
    noxfile = (ROOT / "noxfile.py").read_text()
    assert "python3 noxfile.py -s docs; python3 noxfile.py -s tests" in noxfile


def test_a_failing_block_is_reported(tmp_path: Path) -> None:
    """The runner itself can fail: a block whose command fails is not a pass."""
    assert run_bash("true\nfalse\necho never").returncode != 0
