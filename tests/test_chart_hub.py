"""Zero to JupyterHub's own hub code reads our values.yaml (issue: Kubernetes proven without a
cluster), parts two and three.

For every example spec that renders for Kubernetes, Helm renders the chart (tests/test_chart.py),
and then the chart's `files/hub/jupyterhub_config.py` loads it under the hub image's versions
(JupyterHub 5.4.1, KubeSpawner 7.0.0, OAuthenticator 17.3.0) in a private mount namespace. The
same questions go to our docker target's jupyterhub_config.py under our versions:
tests/hub_probe.py asks both who may log in, with what, and what each user's server gets for
every profile and choice. KubeSpawner builds every pod and home claim as it would send them.

Every difference between the two answers is either a row of DIFFERENCES, with its reason, or a
failure.
"""

from __future__ import annotations

import fnmatch
import functools
import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from communityhubs import names
from communityhubs.images import USER_IMAGE
from communityhubs.mapping import given, rows
from communityhubs.spec import HubSpec, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.chart import shared_claims
from communityhubs.traits import CULLER_SERVICE, default_choice

from .chart_hub import ask_chart_hub, ask_our_hub
from .needs import need_chart, need_docker
from .test_chart import KUBERNETES, SPECS, helm_render, rendered_values

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
CHART_DEFAULTS: dict[str, str] = {
    "start.*.start_timeout": "limits.start_timeout unset: the chart's 300 s leave time for image pulls and new nodes",
}
# One setting under each side's name: OAuthenticator 17.4 renamed CILogon's allowed_idps to idps,
# and the chart's hub runs 17.3.
SAME_SETTING = {"authenticator.allowed_idps": "authenticator.idps"}
# Warnings upstream logs for every hub like ours; any other warning fails.
UPSTREAM_NOISE: dict[str, str] = {
    "Received unhandled user_options": (
        "JupyterHub 5 says it before every start on a spawner without apply_user_options; "
        "KubeSpawner 7 reads the options a moment later, in load_user_options"
    ),
}


NOT_OFFERED = "not-offered"
SOMEONE = "demo-someone"


def password() -> str:
    return secrets.token_urlsafe(12)


def questions(spec: HubSpec, shared_password: str, admin_password: str) -> dict[str, Any]:
    """Every user of the spec, each start the pages show (every profile and every choice), and a
    login with the shared password for every user who is not an admin."""
    users: dict[str, dict[str, Any]] = {SOMEONE: {"admin": False, "groups": []}}  # a user the spec doesn't list
    users |= {u: {"admin": u in spec.admins, "groups": []} for u in spec.allowed_users}
    users |= {u: {"admin": True, "groups": []} for u in spec.admins}
    for group in spec.data.get("groups", []):
        for user in group.get("users", []):
            users.setdefault(user, {"admin": False, "groups": []})["groups"].append(group["name"])
    requests: list[dict[str, Any]] = [{}]
    for profile in spec.data.get("environment", {}).get("profiles", []):
        requests.append({"profile": profile["name"]})
        for option in profile.get("options", []):
            requests += [{"profile": profile["name"], option["name"]: c["name"]} for c in option["choices"]]
            requests.append({"profile": profile["name"], option["name"]: NOT_OFFERED})
    starts = [{"user": user, "options": options} for user in sorted(users) for options in requests]
    logins = []
    if spec.data["authenticator"]["type"] == "shared-password":
        logins = [
            {"user": u, "password": shared_password}
            for u in sorted(users)
            if u in spec.allowed_users and not users[u]["admin"]
        ]
        for admin in sorted(spec.admins):  # their own password makes them admins; the shared one lets them nowhere
            logins += [{"user": admin, "password": admin_password}, {"user": admin, "password": shared_password}]
    return {"users": users, "starts": starts, "logins": logins}


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
    chart = ask_chart_hub(files, spec.name, secret_env, asked)
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


def facts(answers: dict[str, Any], kube: bool, culler_name: str = CULLER_SERVICE) -> dict[str, Any]:
    """The answers as flat facts both sides can be compared by (`culler_name`: the culler's service)."""
    out: dict[str, Any] = {f"app.{k}": v for k, v in answers["app"].items() if k != "services"}
    services = {s["name"]: s for s in answers["app"]["services"]}
    culler = services.pop(culler_name, None)
    out["app.services"] = {n: {k: v for k, v in s.items() if k != "name"} for n, s in services.items()}
    out["app.load_roles"] = sorted(answers["app"]["load_roles"], key=lambda role: role["name"])
    out |= {f"culling.{k}": v for k, v in culler_arguments(culler).items()}
    out |= {
        SAME_SETTING.get(f"authenticator.{k}", f"authenticator.{k}"): v for k, v in answers["authenticator"].items()
    }
    out |= {f"login.{x['user']}": (x["accepted"], x["admin"]) for x in answers["logins"]}
    for start in answers["starts"]:
        key = f"start.{start['user']}{sorted(start['options'].items())}"
        if "refused" in start:
            out[f"{key}.refused"] = True
            continue
        spawner = dict(start["spawner"])
        if kube:
            mounts = start["pod"]["spec"]["containers"][0].get("volumeMounts", [])
            spawner["mounts"] = {m["mountPath"]: bool(m.get("readOnly")) for m in mounts}
        else:
            host = start["host_config"]
            spawner["mem_guarantee"] = host.get("mem_reservation")
            spawner["cpu_guarantee"] = host["cpu_shares"] / 1024 if "cpu_shares" in host else None
            spawner["mounts"] = {b["bind"]: b["mode"] == "ro" for b in start["binds"].values()}
            # DockerSpawner writes "no limit" as 0
            spawner |= {k: None for k in ("mem_limit", "cpu_limit") if not spawner[k]}
        for name, value in spawner.items():
            if name == "mounts":
                out |= {f"{key}.mounts.{path}": ro for path, ro in value.items()}
            else:
                out[f"{key}.{name}"] = float(value) if name.startswith("cpu") and value is not None else value
    return out


def culler_arguments(service: dict[str, Any] | None) -> dict[str, Any]:
    """The idle culler's command-line settings (--timeout=3600 -> {"timeout": "3600"})."""
    if service is None:
        return {"enabled": False}
    args = [a for a in service["command"] if a.startswith("--")]
    return dict(a[2:].partition("=")[::2] for a in args)


def reason_for(key: str, spec: HubSpec) -> str:
    reasons = dict(DIFFERENCES)
    if not given(spec, "limits.start_timeout"):
        reasons |= CHART_DEFAULTS
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
    unexplained = {
        key: (on_chart.get(key, "<absent>"), on_docker.get(key, "<absent>"))
        for key in sorted(set(on_chart) | set(on_docker))
        if on_chart.get(key, "<absent>") != on_docker.get(key, "<absent>") and not reason_for(key, spec)
    }
    assert not unexplained, "\n".join(f"{k}: chart {c!r}, docker {d!r}" for k, (c, d) in unexplained.items())


def password_users(path: Path) -> bool:
    spec = load_spec(path)
    return spec.data["authenticator"]["type"] == "shared-password" and bool(set(spec.allowed_users) - set(spec.admins))


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
def test_every_pod_is_valid_within_its_limits_and_mounts_only_claims_that_are_made(path: Path, version: str) -> None:
    """For every user, profile and choice: the pod and home claim KubeSpawner would create validate;
    requests do not exceed limits (the API server's rule, in no schema); every claim mounted is made
    by KubeSpawner (homes) or by `hub up`'s plan (shared data); the image is the choice's."""
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
        for container in pod["spec"]["containers"]:
            resources = container.get("resources", {})
            for kind in ("memory", "cpu"):
                request, limit = (resources.get(part, {}).get(kind) for part in ("requests", "limits"))
                if request is not None and limit is not None:
                    assert quantity(request) <= quantity(limit), (start["user"], start["options"], kind, resources)
        mounted = {
            v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v
        }
        assert mounted <= {claim["metadata"]["name"], *planned}, (mounted, planned)
        assert (
            pod["spec"]["containers"][0]["image"] == start["spawner"]["image"] == expected_image(spec, start["options"])
        )


def quantity(value: Any) -> float:
    """A Kubernetes quantity as a number: 536870912, "512Mi", "0.05", "50m"."""
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def expected_image(spec: HubSpec, options: dict[str, str]) -> str:
    """The image the spec gives this request: the choice's, else the profile's, else the hub's, else ours."""
    env = spec.data.get("environment", {})
    image = env.get("image", USER_IMAGE)
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
