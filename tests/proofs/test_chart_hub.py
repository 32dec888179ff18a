"""Zero to JupyterHub's own hub code reads our values.yaml (issue: Kubernetes proven without a
cluster), parts two and three.

For every example spec that renders for Kubernetes, Helm renders the chart (tests/proofs/test_chart.py),
and then the chart's `files/hub/jupyterhub_config.py` loads it under the hub image's versions
(JupyterHub 5.5.0, KubeSpawner 7.0.0, OAuthenticator 17.4.0) in a private mount namespace. The
same questions go to our docker target's jupyterhub_config.py under our versions:
tests/support/hub_probe.py asks both who may log in, with what, and what each user's server gets for
every profile and choice. KubeSpawner builds every pod and home claim as it would send them.

Every difference between the two answers is either a row of DIFFERENCES, with its reason, or a
failure.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import secrets
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from communityhubs import SNIPPETS, names
from communityhubs.images import USER_IMAGE
from communityhubs.mapping import given, rows
from communityhubs.sections.culling import CHART_DEFAULTS as CHART_CULLER
from communityhubs.sections.culling import SERVICE as CULLER_SERVICE
from communityhubs.sections.languages import LANGUAGES
from communityhubs.spec import HubSpec, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import secret_files, shared_claims
from communityhubs.traits import default_choice

from tests.support import chart_rules
from tests.support.chart_hub import ask_chart_hub, ask_our_hub
from tests.support.chart_render import KUBERNETES, SPECS, helm_render, rendered_values
from tests.support.hub_questions import NOT_OFFERED, facts, password, password_users, questions
from tests.support.needs import need_chart, need_docker
from tests.support.two_at_a_time import ask_ahead

KUBERNETES_SPECS = [p for p in SPECS if rendered_values(p) is not None]

# Differences between the chart's hub and our docker hub that are right, each with its reason.
# A fact matching no row must be equal on both sides.
DIFFERENCES: dict[str, str] = {
    "app.spawner_class": "where servers run: KubeSpawner makes pods, our DockerSpawner subclass containers",
    "culling.url": "how the culler reaches the hub's API: the hub's Service on Kubernetes, the hub's own URL here",
    "culling.concurrency": "the chart states the culler's own default (10); we leave it unsaid",
}
# Settings the chart keeps at its own default when the spec leaves them unset (mapping.Row.chart_default),
# each fact and the reason.
CHART_DEFAULTS: dict[str, tuple[str, str]] = {
    "limits.start_timeout": (
        "start.*.start_timeout",
        "limits.start_timeout unset: the chart's 300 s leave time for image pulls and new nodes",
    ),
    "limits.concurrent_spawn_limit": (
        "app.concurrent_spawn_limit",
        "limits.concurrent_spawn_limit unset: the chart's own 64, JupyterHub's own 100",
    ),
}
# Warnings upstream logs for every hub like ours; any other warning fails.
UPSTREAM_NOISE: dict[str, str] = {
    "Received unhandled user_options": (
        "JupyterHub 5 says it before every start on a spawner without apply_user_options; "
        "KubeSpawner 7 reads the options a moment later, in load_user_options"
    ),
}


@functools.cache
def both_answers(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the chart's hub, our docker hub): their answers to the same questions."""
    need_chart()
    need_docker()
    spec = load_spec(path)
    shared, admins = password(), secrets.token_urlsafe(32)
    asked = questions(spec, shared, admins)
    oauth_env = spec.data["authenticator"].get("client_secret_env")
    secret_env = {names.SHARED_PASSWORD_ENV: shared, names.ADMIN_PASSWORD_ENV: admins}
    secret_env |= {oauth_env: "not-a-real-secret"} if oauth_env else {}
    files = helm_render(need_chart(), rendered_values(path) or {}, spec.name)
    chart = ask_chart_hub(files, spec.name, planned_secrets(spec, shared, admins), asked)
    with tempfile.TemporaryDirectory() as tmp, docker_network(names.resource(spec.name)):
        folder = Path(tmp)
        # HTTPS and the public address are the proxy's, not the hub's, and docker has only a
        # loopback proxy with a certificate it is given: the hub is compared without them.
        hub_only = HubSpec(spec.source, {k: v for k, v in spec.data.items() if k not in ("https", "public_address")})
        (folder / "jupyterhub_config.py").write_text(TARGETS["docker"].render(hub_only)["jupyterhub_config.py"])
        files = [(names.SHARED_PASSWORD_FILE, shared), (names.ADMIN_PASSWORD_FILE, admins)]
        for name, value in [*files, (names.ADMIN_TOKEN_FILE, secrets.token_hex(32))]:
            (folder / name).write_text(value)
            (folder / name).chmod(0o600)
        ours = ask_our_hub(folder, asked, secret_env)
    return chart, ours


@pytest.fixture(scope="module", autouse=True)
def _answers_asked_two_at_a_time() -> None:
    ask_ahead(both_answers, KUBERNETES_SPECS)


def planned_secrets(spec: HubSpec, shared: str, admins: str) -> dict[str, dict[str, str]]:
    """The Secret `hub up` creates before installing the chart, by its keys (secret_files)."""
    values = {names.SHARED_PASSWORD_FILE: shared, names.ADMIN_PASSWORD_FILE: admins}
    values[names.OAUTH_SECRET_FILE] = "not-a-real-secret"
    return {names.secrets_name(spec.name): {key: values[key] for key in secret_files(spec)}}


class docker_network:
    """The hub's Docker network, which our configuration asks Docker for at load; made if missing."""

    def __init__(self, name: str):
        self.name, self.made = name, False

    def __enter__(self) -> None:
        found = subprocess.run(["docker", "network", "inspect", self.name], capture_output=True)
        if found.returncode:
            subprocess.run(["docker", "network", "create", self.name], check=True, capture_output=True)
            self.made = True

    def __exit__(self, *exc: object) -> None:
        if self.made:
            subprocess.run(["docker", "network", "rm", self.name], check=True, capture_output=True)


def without_culler(side: dict[str, Any]) -> dict[str, Any]:
    """The facts but the culler's settings and role, for comparing hubs whose culler is each platform's own."""
    kept = {k: v for k, v in side.items() if not k.startswith("culling.")}
    kept["app.load_roles"] = [r for r in side["app.load_roles"] if r["name"] != CULLER_SERVICE]
    return kept


# Where the spec reserves nothing, every pod on Kubernetes still does (targets/kubernetes.py `reservations`).
RESERVED: dict[str, str] = {
    "start.*.mem_guarantee": "limits.mem_guarantee unset: a pod reserves a quarter of the smallest memory limit "
    "(the chart's 1G without one), so that none is BestEffort; a container needs no reservation",
    "start.*.cpu_guarantee": "limits.cpu_guarantee unset: a pod reserves 0.05 CPU, not its whole limit",
}


def reason_for(key: str, spec: HubSpec) -> str:
    reasons = dict(DIFFERENCES)
    reasons |= {pattern: why for key, (pattern, why) in CHART_DEFAULTS.items() if not given(spec, key)}
    for pattern, why in RESERVED.items():
        if not given(spec, f"limits.{pattern.rsplit('.', 1)[1]}"):
            reasons[pattern] = why
    return next((why for pattern, why in reasons.items() if fnmatch.fnmatchcase(key, pattern)), "")


@pytest.mark.parametrize("path", KUBERNETES_SPECS, ids=lambda p: p.stem)
def test_both_hubs_load_their_configuration_without_a_warning(path: Path) -> None:
    """Unrecognised or deprecated settings, on the chart's versions and on ours."""
    for side in both_answers(path):
        said = [w for w in side["warnings"] if not any(noise in w for noise in UPSTREAM_NOISE)]
        assert not said, said


@pytest.mark.parametrize("path", KUBERNETES_SPECS, ids=lambda p: p.stem)
def test_the_chart_gives_the_same_hub_as_docker_but_for_the_reasoned_differences(path: Path) -> None:
    chart, ours = both_answers(path)
    on_chart, on_docker = facts(chart, kube=True), facts(ours, kube=False)
    spec = load_spec(path)
    if "culling" not in spec.data:  # left to each platform: the chart's own culler runs, JupyterHub runs none
        assert {k: on_chart.get(f"culling.{k}") for k in ("timeout", "cull-every")} == {
            "timeout": str(CHART_CULLER["timeout"]),
            "cull-every": str(CHART_CULLER["every"]),
        }
        assert on_docker["culling.enabled"] is False
        on_chart, on_docker = (without_culler(side) for side in (on_chart, on_docker))
    unexplained = {
        key: (on_chart.get(key, "<absent>"), on_docker.get(key, "<absent>"))
        for key in sorted(set(on_chart) | set(on_docker))
        if on_chart.get(key, "<absent>") != on_docker.get(key, "<absent>") and not reason_for(key, spec)
    }
    assert not unexplained, "\n".join(f"{k}: chart {c!r}, docker {d!r}" for k, (c, d) in unexplained.items())


@pytest.mark.parametrize("path", [p for p in KUBERNETES_SPECS if password_users(p)], ids=lambda p: p.stem)
def test_the_shared_password_logs_in_on_both_sides(path: Path) -> None:
    """The passwords `hub up` gives, as a person types them, against each side's own authenticator:
    users with the shared one; admins, as admins, with theirs and never with the shared one."""
    spec = load_spec(path)
    for side in both_answers(path):
        users = [x for x in side["logins"] if x["user"] not in spec.admins]
        assert users and all(x["accepted"] and not x["admin"] for x in users), users
        admins = [x for x in side["logins"] if x["user"] in spec.admins]
        assert len(admins) == 2 * len(spec.admins)
        assert [(x["accepted"], x["admin"]) for x in admins] == [(True, True), (False, None)] * len(spec.admins), admins


@pytest.mark.parametrize("path", [p for p in KUBERNETES_SPECS if "options:" in p.read_text()], ids=lambda p: p.stem)
def test_a_choice_that_is_not_offered_is_refused_on_both_sides(path: Path) -> None:
    for side in both_answers(path):
        asked = [s for s in side["starts"] if NOT_OFFERED in s["options"].values()]
        assert asked and all("refused" in s for s in asked), asked


@pytest.mark.parametrize("version", KUBERNETES)
@pytest.mark.parametrize("path", KUBERNETES_SPECS, ids=lambda p: p.stem)
def test_every_pod_is_valid_and_mounts_only_claims_that_are_made(path: Path, version: str) -> None:
    """For every user, profile and choice: the pod and home claim KubeSpawner would create validate;
    every claim mounted is made by KubeSpawner (homes) or by `hub up`'s plan (shared data); the image
    is the choice's. (Requests within limits: the deployment rules below.)"""
    import kubernetes_validate

    spec = load_spec(path)
    planned = {c["metadata"]["name"] for c in yaml.safe_load_all(shared_claims(spec, single_node=True)) if c}
    chart, _ = both_answers(path)
    started = [s for s in chart["starts"] if "refused" not in s]
    assert started
    for start in started:
        pod, claim = start["pod"], start["claim"]
        kubernetes_validate.validate(pod, version, strict=True)
        kubernetes_validate.validate(claim, version, strict=True)
        mounted = {
            v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v
        }
        assert mounted <= {claim["metadata"]["name"], *planned}, (mounted, planned)
        assert (
            pod["spec"]["containers"][0]["image"] == start["spawner"]["image"] == expected_image(spec, start["options"])
        )


def expected_image(spec: HubSpec, options: dict[str, str]) -> str:
    """The image the spec gives this request: the choice's, else the profile's, else the hub's, else ours."""
    env = spec.data.get("environment", {})
    languages = env.get("languages", [])  # our image that carries them (one language so far)
    image = env.get("image") or (LANGUAGES[languages[0]].image if languages else USER_IMAGE)
    profiles = env.get("profiles", [])
    if not profiles:
        return image
    profile = next((p for p in profiles if p["name"] == options.get("profile")), profiles[0])
    image = profile.get("image", image)
    for option in profile.get("options", []):
        chosen = options.get(option["name"]) or default_choice(option)
        image = next((c for c in option["choices"] if c["name"] == chosen), {}).get("image", image)
    return image


@pytest.mark.parametrize(
    "path", [p for p in KUBERNETES_SPECS if not given(load_spec(p), "limits.start_timeout")], ids=lambda p: p.stem
)
def test_without_a_start_timeout_a_pod_gets_the_charts_time_for_image_pulls(path: Path) -> None:
    """JupyterHub's 60 s suit a process or a container; a pod may wait for a new node and an image pull."""
    chart, ours = both_answers(path)
    row = next(r for r in rows("limits") if r.attr == "start_timeout")
    assert row.chart_default == 300  # Zero to JupyterHub 4.3.1's singleuser.startTimeout
    assert {s["spawner"]["start_timeout"] for s in chart["starts"] if "spawner" in s} == {row.chart_default}
    ours_timeout = load_spec(path).settings["limits.start_timeout"]  # the schema's, JupyterHub's own 60
    assert {s["spawner"]["start_timeout"] for s in ours["starts"] if "spawner" in s} == {ours_timeout}


# --- what would break a deployment (issue 30, part 7) ----------------------------------------------
# tests/support/chart_rules.py, over what Helm renders and the pods KubeSpawner builds, for every
# example; then each rule is shown to catch its fault by breaking the rendered values on purpose.


def chart_defaults() -> dict[str, Any]:
    return yaml.safe_load((need_chart() / "values.yaml").read_text())


def check(path: Path, values: dict[str, Any], build_pods: bool) -> list[str]:
    """The rules' faults for these values; the hub and its pods are asked only when `build_pods`."""
    spec = load_spec(path)
    files = helm_render(need_chart(), values, spec.name)
    starts: list[dict] = []
    if build_pods:
        shared, admins = password(), secrets.token_urlsafe(32)
        answers = ask_chart_hub(
            files, spec.name, planned_secrets(spec, shared, admins), questions(spec, shared, admins)
        )
        starts = answers["starts"]
    return chart_rules.faults(spec, values, chart_defaults(), files, starts)


@pytest.mark.parametrize("path", KUBERNETES_SPECS, ids=lambda p: p.stem)
def test_no_rule_finds_a_fault_in_what_we_render(path: Path) -> None:
    spec = load_spec(path)
    values = rendered_values(path) or {}
    chart, _ = both_answers(path)
    files = helm_render(need_chart(), values, spec.name)
    assert chart_rules.faults(spec, values, chart_defaults(), files, chart["starts"]) == []


HUB = SNIPPETS / "hub.yaml"
SHARED = SNIPPETS / "examples" / "docker-hub.yaml"


def misspell_a_secret_key(values: dict) -> None:
    values["hub"]["extraEnv"][names.SHARED_PASSWORD_ENV]["valueFrom"]["secretKeyRef"]["key"] = "shared-pasword"


def drop_the_hubs_environment(values: dict) -> None:
    del values["hub"]["extraEnv"]


def keep_the_database_in_memory(values: dict) -> None:
    values["hub"]["db"] = {"type": "sqlite-memory"}


def pull_always(values: dict) -> None:
    values["singleuser"]["image"]["pullPolicy"] = "Always"


def leave_the_pull_policy_out(values: dict) -> None:
    del values["singleuser"]["image"]["pullPolicy"]


def underscore_a_volume(values: dict) -> None:
    storage = values["singleuser"]["storage"]
    for key in ("extraVolumes", "extraVolumeMounts"):
        storage[key] = {k: {**v, "name": v["name"].replace("-", "_")} for k, v in storage[key].items()}


def reserve_no_memory(values: dict) -> None:
    values["singleuser"]["memory"]["guarantee"] = None


def guarantee_above_the_limit(values: dict) -> None:
    values["singleuser"]["memory"]["guarantee"] = "2G"  # over the 1G limit


def turn_the_culler_off(values: dict) -> None:
    values["cull"] = {"enabled": False}


def tag_the_image_latest(values: dict) -> None:
    values["singleuser"]["image"]["tag"] = "latest"


def give_the_chart_pods_no_requests(values: dict) -> None:
    values["hub"]["resources"] = {}


# (what is broken, the spec, how, whether pods must be built to see it, what the rules say)
BREAKAGES: list[tuple[str, Path, Callable[[dict], None], bool, str]] = [
    ("a misspelled Secret key", HUB, misspell_a_secret_key, False, "demo-community-secrets/shared-pasword resolves"),
    ("no hub.extraEnv", HUB, drop_the_hubs_environment, False, f"reads ${names.SHARED_PASSWORD_ENV}, which the hub"),
    ("an in-memory hub database", HUB, keep_the_database_in_memory, False, "'sqlite-memory': the hub database"),
    ("pullPolicy: Always on an image built here", HUB, pull_always, True, "is built here and in no registry"),
    ("no pull policy", HUB, leave_the_pull_policy_out, True, "leaves imagePullPolicy to Kubernetes"),
    ("a volume named with '_'", SHARED, underscore_a_volume, True, "volume 'shared_datasets' is not a valid"),
    ("the culler off", HUB, turn_the_culler_off, False, "cull.enabled is False, and the spec asks for True"),
    ("a BestEffort pod", HUB, reserve_no_memory, True, "reserves no memory (a BestEffort pod)"),
    ("a BestEffort hub", HUB, give_the_chart_pods_no_requests, False, "Deployment hub: container hub reserves no"),
    ("an image tagged latest", HUB, tag_the_image_latest, True, "names whatever was pushed last"),
    (
        "a guarantee over the limit",
        HUB,
        guarantee_above_the_limit,
        True,
        "memory request 2147483648 is above its limit",
    ),
]


@pytest.mark.parametrize(("path", "breaks", "pods", "says"), [b[1:] for b in BREAKAGES], ids=[b[0] for b in BREAKAGES])
def test_each_rule_catches_the_fault_it_guards(path: Path, breaks: Callable, pods: bool, says: str) -> None:
    values = copy.deepcopy(rendered_values(path) or {})
    assert check(path, values, build_pods=False) == []  # whole, first
    breaks(values)
    found = check(path, values, build_pods=pods)
    assert any(says in fault for fault in found), found


def test_shared_data_without_a_class_is_caught_where_the_plan_would_not_refuse_it(monkeypatch) -> None:
    spec = load_spec(SHARED)
    assert chart_rules.shared_storage(spec) == []  # `hub up --context` refuses it
    monkeypatch.setattr(chart_rules.cluster, "shared_storage_refusal", lambda spec, context: "")
    assert chart_rules.shared_storage(spec) == [
        "claim docker-demo-shared-datasets: ReadWriteMany with no storage class, on a named cluster"
    ]


def test_shared_folders_are_given_to_the_account_the_servers_run_as() -> None:
    """A new NFS, EFS or Filestore volume belongs to root, and fsGroup does not reach it: a first
    container, run as root, gives each shared folder to the uid and gid KubeSpawner runs servers as."""
    chart, _ = both_answers(SHARED)
    started = [s for s in chart["starts"] if "pod" in s]
    assert started
    for start in started:
        pod = start["pod"]["spec"]
        server = pod["containers"][0]
        owner = next(c for c in pod.get("initContainers", []) if c["name"] == "shared-data-owner")
        shared = sorted(m["mountPath"] for m in server["volumeMounts"] if m["name"].startswith("shared-"))
        assert shared and sorted(m["mountPath"] for m in owner["volumeMounts"]) == shared
        uid = server.get("securityContext", {}).get("runAsUser") or pod["securityContext"]["runAsUser"]
        gid = pod["securityContext"]["fsGroup"]
        assert owner["command"] == ["chown", f"{uid}:{gid}", *shared]
        assert owner["securityContext"]["runAsUser"] == 0 and owner["imagePullPolicy"] == "IfNotPresent"


GPU_TAINT = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}


def test_a_profile_places_its_pods_on_a_node_pool_with_its_gpu_and_keeps_the_charts_tolerations() -> None:
    """Node pools and GPUs, as KubeSpawner builds the pods from the chart's own hub configuration:
    the profile's and the choice's node labels, tolerations and devices, and every toleration the
    chart gives user pods (scheduling.userPods.tolerations), which a profile's own list replaces."""
    base = load_spec(HUB)
    gpu = {
        "name": "gpu",
        "node_selector": {"cloud.google.com/gke-nodepool": "nb-gpu"},
        "tolerations": [GPU_TAINT],
        "extra_resource_limits": {"nvidia.com/gpu": 1},
        "options": [
            {
                "name": "cards",
                "choices": [{"name": "one"}, {"name": "two", "extra_resource_limits": {"nvidia.com/gpu": 2}}],
            }
        ],
    }
    spec = HubSpec(base.source, {**base.data, "environment": {"profiles": [{"name": "standard"}, gpu]}})
    values = yaml.safe_load(TARGETS["kubernetes"].render(spec)["values.yaml"])
    files = helm_render(need_chart(), values, spec.name)
    shared, admins = password(), secrets.token_urlsafe(32)
    answers = ask_chart_hub(files, spec.name, planned_secrets(spec, shared, admins), questions(spec, shared, admins))
    chart_tolerations = chart_defaults()["scheduling"]["userPods"]["tolerations"]
    pods = {(s["user"], tuple(sorted(s["options"].items()))): s["pod"]["spec"] for s in answers["starts"] if "pod" in s}
    assert pods
    for (_, options), pod in pods.items():
        gpus = {(): 0, (("profile", "standard"),): 0, (("profile", "gpu"),): 1}.get(options)
        if gpus is None:
            gpus = 2 if ("cards", "two") in options else 1
        limits = pod["containers"][0]["resources"]["limits"]
        assert int(limits.get("nvidia.com/gpu", 0)) == gpus, (options, limits)
        for toleration in chart_tolerations:
            assert toleration in pod["tolerations"], (options, pod["tolerations"])
        if gpus:
            assert pod["nodeSelector"]["cloud.google.com/gke-nodepool"] == "nb-gpu"
            assert GPU_TAINT in pod["tolerations"]
        else:
            assert "cloud.google.com/gke-nodepool" not in (pod.get("nodeSelector") or {})
            assert GPU_TAINT not in pod["tolerations"]
    # And the rules find nothing wrong with them.
    assert chart_rules.faults(spec, values, chart_defaults(), files, answers["starts"]) == []


@pytest.mark.parametrize(
    "path",
    [p for p in KUBERNETES_SPECS if not given(load_spec(p), "limits.concurrent_spawn_limit")],
    ids=lambda p: p.stem,
)
def test_without_a_spawn_limit_each_platform_keeps_its_own(path: Path) -> None:
    """Zero to JupyterHub lets 64 servers start at once, JupyterHub 100: the spec's silence keeps each."""
    chart, ours = both_answers(path)
    row = next(r for r in rows("limits") if r.attr == "concurrent_spawn_limit")
    assert facts(chart, kube=True)["app.concurrent_spawn_limit"] == row.chart_default == 64
    assert facts(ours, kube=False)["app.concurrent_spawn_limit"] == 100
