"""The kubernetes target: the Zero to JupyterHub Helm chart, configured by a
values.yaml rendered from the spec (table-driven, one function per spec key,
the way the chart's own jupyterhub_config.py maps values to traits).

Secrets are never in values.yaml: the hub reads them from a Kubernetes Secret
named `<hub>-secrets` through environment variables.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .. import names
from ..folder_archive import tar_folder
from ..formats.helm_values import Values, table_values
from ..hubprocess import DEFAULT_PORTS, HubInfo, Ports
from ..images import USER_IMAGE
from ..mapping import given, merge
from ..sections import culling, front_door, kernels, languages, login
from ..sections.storage import quantity, storage_class
from ..spec import HubSpec, every_limits, memory_bytes
from ..traits import (
    ADMIN_SERVICE,
    CHART_USER_TOLERATIONS,
    allowed_users,
    group_overrides,
    load_groups,
    load_roles,
    profile_list,
)
from . import cluster, day_two
from .base import Runner, Target, TargetUnavailable, UserEnvironment
from .chart import CHART, CHART_REPO, CHART_VERSION, secret_files, shared_claims

TOOLS = {
    "kind": "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
    "helm": "https://helm.sh/docs/intro/install/",
    "kubectl": "apt-get install kubectl (or https://kubernetes.io/docs/tasks/tools/)",
}


def admins(spec: HubSpec) -> Values:
    return {"hub": {"config": {"Authenticator": {"admin_users": sorted(spec.admins)}}}}


def allowed(spec: HubSpec) -> Values:
    return {"hub": {"config": {"Authenticator": {"allowed_users": allowed_users(spec)}}}}


def groups(spec: HubSpec) -> Values:
    values: Values = {"hub": {"config": {"JupyterHub": {"load_groups": load_groups(spec)}}}}
    overrides = group_overrides(spec)
    if overrides:
        values["hub"]["config"]["KubeSpawner"] = {"group_overrides": overrides}
    return values


def roles(spec: HubSpec) -> Values:
    loaded = {role.pop("name"): role for role in load_roles(spec)}
    return {"hub": {"loadRoles": loaded}} if loaded else {}


PULL_POLICY = "IfNotPresent"


def image_of(spec: HubSpec) -> str:
    """The user image: the spec's, else ours (with its languages), as on docker."""
    return languages.hub_image(spec, USER_IMAGE)


def split_image(image: str) -> Values:
    name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    return {"name": name, "tag": tag}


def environment(spec: HubSpec) -> Values:
    env = spec.section("environment")
    single: Values = {}
    if env.get("env"):
        single["extraEnv"] = dict(env["env"])
    # Ours, as on every target (the chart's own default is its sample image); kind loads it. The
    # pull policy is stated: left out, Kubernetes pulls a `:latest` image from a registry at every
    # start, and an image kind loaded from this machine is in none. KubeSpawner applies it to every
    # profile's image too, and the chart's image pullers use it.
    single["image"] = {**split_image(image_of(spec)), "pullPolicy": PULL_POLICY}
    if env.get("pull_secret"):
        single["image"]["pullSecrets"] = [env["pull_secret"]]
    if env.get("profiles"):
        single["profileList"] = keep_user_node_tolerations(profile_list(spec))
    return merge(table_values(spec, "environment"), {"singleuser": single, **pre_puller(spec)})


def keep_user_node_tolerations(profiles: list[Values]) -> list[Values]:
    """A profile's or choice's own tolerations replace the chart's user-pod ones in KubeSpawner:
    given again in front of them (traits.CHART_USER_TOLERATIONS)."""
    overrides = [p.get("kubespawner_override", {}) for p in profiles] + [
        c["kubespawner_override"]
        for p in profiles
        for o in p.get("profile_options", {}).values()
        for c in o["choices"].values()
    ]
    for override in overrides:
        if "tolerations" in override:
            override["tolerations"] = [*CHART_USER_TOLERATIONS, *override["tolerations"]]
    return profiles


def pre_puller(spec: HubSpec) -> Values:
    """Both of the chart's pre-pullers, stated either way (the schema's `pre_pull` says why)."""
    on = spec.settings["environment.pre_pull"]
    return {"prePuller": {"hook": {"enabled": on}, "continuous": {"enabled": on}}}


MEMORY_SHARE = 4
"""Where the spec sets memory limits but no guarantee, a quarter of the smallest limit is reserved:
2i2c's basehub reserves 256M of its 1G limit (import_config/provider_defaults.py)."""
CPU_GUARANTEE = 0.05
"""Where the spec sets CPU limits but no guarantee, basehub's 0.05 CPU is reserved: without it
Kubernetes reserves the whole limit for every pod."""


def reservations(spec: HubSpec) -> Values:
    """What every user pod reserves where the spec says no guarantee: a pod without a memory request
    is evicted first and never counted by a cluster autoscaler. Never above any limit a server can
    have (the smallest of the hub's, groups', profiles' and choices'); with no limit at all, the
    chart's own guarantee (1G) stands."""
    blocks = every_limits(spec.data)
    single: Values = {}
    memory_limits = [memory_bytes(b["mem_limit"]) for b in blocks if "mem_limit" in b]
    if memory_limits and not given(spec, "limits.mem_guarantee"):
        single["memory"] = {"guarantee": f"{max(1, min(memory_limits) // MEMORY_SHARE >> 20)}M"}
    cpu_limits = [b["cpu_limit"] for b in blocks if "cpu_limit" in b]
    if cpu_limits and not given(spec, "limits.cpu_guarantee"):
        single["cpu"] = {"guarantee": min(CPU_GUARANTEE, *cpu_limits)}
    return {"singleuser": single} if single else {}


def limits(spec: HubSpec) -> Values:
    return merge(table_values(spec, "limits"), reservations(spec))


def shared_data(spec: HubSpec) -> Values:
    shares = spec.data.get("shared_data", [])
    if not shares:
        return {}
    default_ro = spec.settings["shared_data[].read_only"]
    # Maps keyed by volume name, the chart's own form since 4.0 (a list where its defaults keep a map
    # makes Helm warn "cannot overwrite table with non table": tests/proofs/test_chart.py).
    volumes = {
        f"shared-{d['name']}": {
            "name": f"shared-{d['name']}",
            "persistentVolumeClaim": {"claimName": names.shared_claim(spec.name, d["name"])},
        }
        for d in shares
    }
    mounts = {
        f"shared-{d['name']}": {
            "name": f"shared-{d['name']}",
            "mountPath": f"{names.SHARED_ROOT}/{d['name']}",
            "readOnly": d.get("read_only", default_ro),
        }
        for d in shares
    }
    values: Values = {
        "singleuser": {
            "storage": {"extraVolumes": volumes, "extraVolumeMounts": mounts},
            "initContainers": [shared_data_owner(spec, mounts)],
        }
    }
    return merge(values, {"hub": {"extraConfig": {"shared-data": ADMINS_WRITE_SHARED_DATA}}})


def shared_data_owner(spec: HubSpec, mounts: Values) -> Values:
    """A first container, run as root, that gives each shared folder to the user servers' account.
    A new NFS, EFS or Filestore volume belongs to root, and Kubernetes' fsGroup does not reach
    such volumes, so the servers could not write there (2i2c's basehub does the same). Only the
    folder itself changes owner: what people have put in it keeps its own."""
    paths = [mount["mountPath"] for mount in mounts.values()]
    return {
        "name": "shared-data-owner",
        "image": image_of(spec),
        "imagePullPolicy": PULL_POLICY,
        "command": ["chown", names.CHART_OWNER, *paths],
        "securityContext": {"runAsUser": 0},
        "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"]} for m in mounts.values()],
    }


# As on docker: read-only shared data stays writable for admins, who put the data there.
# KubeSpawner calls modify_pod_hook with each pod just before it creates it.
ADMINS_WRITE_SHARED_DATA = """\
def admins_write_shared_data(spawner, pod):
    if spawner.user.admin:
        for mount in pod.spec.containers[0].volume_mounts:
            if mount.name.startswith("shared-"):
                mount.read_only = False
    return pod


c.KubeSpawner.modify_pod_hook = admins_write_shared_data
"""


def admin_service(spec: HubSpec) -> Values:
    # The chart generates the service's token and keeps it in the hub's Secret.
    return {"hub": {"services": {ADMIN_SERVICE: {"admin": True}}}}


def hub_database(spec: HubSpec) -> Values:
    # The database outlives `helm uninstall` (`hub down`): only `hub delete` removes its claim.
    pvc: Values = {"annotations": {"helm.sh/resource-policy": "keep"}, **storage_class(spec, "database_class")}
    return {"hub": {"db": {"pvc": pvc}}}


# What the chart's own pods reserve, which its defaults leave empty (BestEffort: evicted first, and
# uncounted when the autoscaler places them). 2i2c's basehub figures, proven on its many hubs.
SMALL = {"requests": {"cpu": 0.01, "memory": "64Mi"}}
CORE_PODS: Values = {
    "hub": {"resources": {"requests": {"cpu": 0.01, "memory": "128Mi"}}},
    "proxy": {"chp": {"resources": SMALL}, "traefik": {"resources": SMALL}, "secretSync": {"resources": SMALL}},
    "scheduling": {"userScheduler": {"resources": SMALL}},
}


def core_pods(spec: HubSpec) -> Values:
    return copy.deepcopy(CORE_PODS)


def spawner(spec: HubSpec) -> Values:
    # The chart's default, stated: each user's home is a persistent volume claim that outlives the pod.
    storage: Values = {"type": "dynamic", "capacity": home_capacity(spec), "homeMountPath": names.HOME}
    home_class = storage_class(spec, "home_class")
    if home_class:
        storage["dynamic"] = {"storageClass": home_class["storageClassName"]}
    return {"singleuser": {"storage": storage}}


def home_capacity(spec: HubSpec) -> str:
    return quantity(spec.settings["storage.home_capacity"])


def storage(spec: HubSpec) -> Values:
    """`storage`: said where each claim is made (spawner, hub_database, chart.shared_claims)."""
    return {}


# Spec key -> values. Keys the chart has no value for are refused in `render`.
BY_KEY: dict[str, Callable[[HubSpec], Values]] = {
    "authenticator": login.values_yaml,
    "admins": admins,
    "allowed_users": allowed,
    "groups": groups,
    "roles": roles,
    "environment": environment,
    "limits": limits,
    "culling": culling.values_yaml,
    "kernels": kernels.values_yaml,
    "shared_data": shared_data,
    "https": front_door.https_values_yaml,
    "public_address": front_door.address_values_yaml,
    "storage": storage,
}
ALWAYS = [admin_service, hub_database, spawner, core_pods]
EXCERPTS = {**BY_KEY, "spawner": spawner}  # what a guide can show: spec keys, and where servers run


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a block written out each time: readers copy it, and no anchor (&id001) to follow


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(values: Values) -> str:
    return yaml.dump(values, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)


HEADER = """\
# values.yaml for the hub "{name}", rendered from {source} by
# `communityhubs render --target kubernetes`.
# Chart: {chart} version {version} (Zero to JupyterHub), from {repo}
# To apply it (secrets are not in this file: create them first, for example as below):
#   kubectl create namespace {name}
#   kubectl -n {name} create secret generic {secrets}{secret_files}
{tls}{shared}#   helm upgrade --install {name} {chart} --version {version} \\
#     --namespace {name} --values values.yaml --wait
"""
SHARED_HEADER = """\
# The claims shared_data mounts, which the chart does not make: apply them before the chart.
# Every user's pod mounts each one at once, so its class must offer ReadWriteMany
# (storage.shared_class: an NFS provisioner, EFS on EKS, Filestore on GKE).
"""


class KubernetesTarget(Target):
    name = "kubernetes"
    native_file = "values.yaml"

    def values(self, spec: HubSpec) -> Values:
        front_door.refuse_on_the_chart(spec)
        values: Values = {}
        for fn in [*BY_KEY.values(), *ALWAYS]:  # the chart runs and scopes the culler itself
            values = merge(values, fn(spec))
        return values

    def render(self, spec: HubSpec, ports: Ports = DEFAULT_PORTS) -> dict[str, str]:
        header = HEADER.format(
            name=spec.name,
            source=spec.source_name,
            chart=CHART,
            version=CHART_VERSION,
            repo=CHART_REPO,
            secrets=names.secrets_name(spec.name),
            secret_files="".join(f" --from-file={key}" for key in secret_files(spec)),
            tls=self.tls_line(spec),
            shared=f"#   kubectl -n {spec.name} apply -f {names.SHARED_CLAIMS_FILE}\n"
            if spec.data.get("shared_data")
            else "",
        )
        files = {self.native_file: header + dump(self.values(spec))}
        if spec.data.get("shared_data"):
            files[names.SHARED_CLAIMS_FILE] = SHARED_HEADER + shared_claims(spec, single_node=False)
        return files

    def digest(self, spec: HubSpec) -> str:
        """Names the exact values.yaml a spec renders to: what docs/proofs/kubernetes.json says was proved."""
        return hashlib.sha256(self.render(spec)[self.native_file].encode()).hexdigest()[:16]

    def tls_line(self, spec: HubSpec) -> str:
        https = spec.section("https")
        if "certificate" not in https:
            return ""
        command = f"kubectl -n {spec.name} create secret tls {names.tls_secret_name(spec.name)}"
        return f"#   {command} --cert={https['certificate']} --key={https['key']}\n"

    def excerpt(self, spec: HubSpec, keys: list[str]) -> str:
        """One values.yaml for all the keys: blocks under a shared top-level key (hub:, singleuser:)
        merged, as pasting them into one file needs (a key twice is refused or drops the first)."""
        front_door.refuse_on_the_chart(spec)
        values: Values = {}
        for key in keys:
            if key in EXCERPTS:
                values = merge(values, EXCERPTS[key](spec))
        return dump(values).rstrip() if values else ""

    def unavailable(self) -> str:
        missing = [f"{tool} ({hint})" for tool, hint in TOOLS.items() if not shutil.which(tool)]
        if missing:
            return "not installed: " + "; ".join(missing)
        return ""

    def runner(self, spec: HubSpec, state_dir: Path, port: int | None = None, **options: Any) -> KubernetesRunner:
        return KubernetesRunner(self, spec, state_dir, port, context=options.get("context"))

    def image(self, spec: HubSpec) -> str:
        return image_of(spec)


class KubernetesRunner(Runner):
    """A hub on a kind cluster this runner creates, or in a kube context you name."""

    target: KubernetesTarget

    def __init__(
        self,
        target: KubernetesTarget,
        spec: HubSpec,
        state_dir: Path,
        port: int | None = None,
        context: str | None = None,
    ):
        super().__init__(target, spec, state_dir, port)
        self.context = context

    def plan(self) -> cluster.UpPlan:
        """Every file and command of `up`, in order: what `hub up --dry-run` prints."""
        values = self.target.render(self.spec)[self.target.native_file]
        return cluster.plan_up(self.spec, self.state_dir, self.port or DEFAULT_PORTS.public, values, self.context)

    def start(self) -> HubInfo:
        return cluster.up(self.spec, self.plan())

    def info(self) -> HubInfo | None:
        return cluster.info(self.state_dir)

    def down(self) -> bool:
        return cluster.down(self.state_dir)

    def doomed(self) -> list[str]:
        return cluster.doomed(self.state_dir)

    def forget(self) -> None:
        cluster.forget(self.state_dir)

    def day_two(self, action: str, folder: Path, dry_run: bool = False, replace_database: bool = False) -> list[str]:
        if dry_run:  # the hub `up` would start, where none has yet
            where = {"context": self.context or f"kind-{cluster.kind_cluster_name(self.spec)}"}
            record = cluster.read_record(self.state_dir) or {**where, "namespace": self.spec.name}
        else:
            record = self._record()
        if dry_run:
            plan = day_two.backup_plan if action == "backup" else day_two.restore_plan
            return [plan(record, folder).text()]
        if action == "backup":
            return day_two.backup(record, self.target.image(self.spec), folder)
        return day_two.restore(record, self.target.image(self.spec), folder, replace_database)

    def _record(self) -> dict:
        record = cluster.read_record(self.state_dir)
        if record is None:
            raise TargetUnavailable(
                f"hub {self.spec.name} is not running on kubernetes: `hub up --target kubernetes` first"
            )
        return record

    def read_home(self, user: str) -> bytes:
        record = self._record()
        claim = cluster.claim_of(record, user)
        if not claim:
            return tar_folder(None)  # never started: no volume yet
        return cluster.in_pod(record, self.target.image(self.spec), ["tar", "-C", "/data", "-cf", "-", "."], claim)

    def write_home(self, user: str, archive: bytes) -> None:
        record = self._record()
        claim = cluster.claim_of(record, user) or cluster.new_claim(
            record, user, home_capacity(self.spec), storage_class(self.spec, "home_class")
        )
        unpack = f"tar -C /data -xf - && chown -R {names.CHART_OWNER} /data"
        cluster.in_pod(record, self.target.image(self.spec), ["sh", "-c", unpack], claim, stdin=archive)

    def environments(self) -> list[UserEnvironment]:
        image = self.target.image(self.spec)
        freeze = cluster.in_pod(self._record(), image, ["python3", "-m", "pip", "freeze"])
        return [UserEnvironment(image, freeze.decode())]
