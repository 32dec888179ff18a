"""What breaks a deployment of the chart, as rules over what Helm renders from our values and
the pods KubeSpawner builds from them: each rule returns one line per fault it finds.

The rules read the chart's own output, not our values' intentions: a Secret key misspelled in
hub.extraEnv, an environment variable the hub's configuration reads but nothing sets, a hub
database that does not persist, a user pod that leaves the pull policy to Kubernetes (which
pulls a `:latest` image from a registry every time, and an image kind loaded is in none), a
name the API server refuses, and the chart's culler turned off where the spec did not ask.
"""

from __future__ import annotations

import re
from typing import Any

from communityhubs import names
from communityhubs.images import recipe_folder
from communityhubs.mapping import merge
from communityhubs.spec import HubSpec
from communityhubs.targets import cluster
from communityhubs.targets.chart import secret_files, shared_claims

from .chart_render import manifests

LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")  # DNS-1123 label: volumes, containers, ports
SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
ENV_READ = re.compile(r"""os\.(?:environ\[|environ\.get\(|getenv\()\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
PULLED_HERE = ("IfNotPresent", "Never")


def hub_container(files: dict[str, str]) -> dict[str, Any]:
    hub = next(d for d in manifests(files) if d["kind"] == "Deployment" and d["metadata"]["name"] == "hub")
    return hub["spec"]["template"]["spec"]["containers"][0]


def secret_refs(files: dict[str, str], spec: HubSpec) -> list[str]:
    """Every secretKeyRef of the hub resolves to a key of a Secret the chart renders or `hub up` makes."""
    rendered = {
        d["metadata"]["name"]: set(d.get("data") or {}) | set(d.get("stringData") or {})
        for d in manifests(files)
        if d["kind"] == "Secret"
    }
    planned = {names.secrets_name(spec.name): set(secret_files(spec))}
    faults = []
    for item in hub_container(files).get("env", []):
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["key"] not in rendered.get(ref["name"], set()) | planned.get(ref["name"], set()):
            faults.append(f"hub env {item['name']}: secretKeyRef {ref['name']}/{ref['key']} resolves to no Secret key")
    return faults


def environment_read(files: dict[str, str], values: dict[str, Any]) -> list[str]:
    """Every environment variable the hub's extra configuration reads is set on the hub container."""
    set_here = {item["name"] for item in hub_container(files).get("env", [])}
    code = "\n".join((values.get("hub", {}).get("extraConfig") or {}).values())
    return [
        f"hub.extraConfig reads ${name}, which the hub container does not set"
        for name in sorted(set(ENV_READ.findall(code)) - set_here)
    ]


def database_persists(files: dict[str, str], values: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    """The hub database lives on a claim that outlives `helm uninstall` (`hub down`)."""
    db = merge(defaults, values)["hub"]["db"]
    if db.get("type") != "sqlite-pvc":
        return [f"hub.db.type {db.get('type')!r}: the hub database does not persist on a claim"]
    claim = next(
        (d for d in manifests(files) if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == "hub-db-dir"),
        None,
    )
    if claim is None:
        return ["the chart renders no hub-db-dir claim"]
    if (claim["metadata"].get("annotations") or {}).get("helm.sh/resource-policy") != "keep":
        return ["the hub-db-dir claim is not kept by Helm on uninstall (helm.sh/resource-policy: keep)"]
    return []


def user_pods(spec: HubSpec, starts: list[dict[str, Any]]) -> list[str]:
    """Every pod KubeSpawner builds states how its image is pulled (an image built on this machine,
    which kind loads and no registry has, is never pulled again), reserves memory, and asks for
    no more than its limits (the API server's rule, in no schema)."""
    faults = []
    for start in starts:
        if "pod" not in start:
            continue
        where = f"{start['user']}'s pod {start['options'] or ''}".rstrip()
        for container in start["pod"]["spec"].get("initContainers") or []:
            if container["name"] in OURS_FIRST and not immutable(container["image"]):
                faults.append(f"{where}: init container {container['name']} runs {container['image']}, no fixed tag")
        for container in start["pod"]["spec"]["containers"]:
            policy, image = container.get("imagePullPolicy"), container["image"]
            if not immutable(image):
                faults.append(f"{where}: {image} names whatever was pushed last (latest, or no tag)")
            if not policy:
                faults.append(f"{where}: container {container['name']} leaves imagePullPolicy to Kubernetes")
            elif recipe_folder(image) and policy not in PULLED_HERE:
                faults.append(f"{where}: {image} is built here and in no registry, but imagePullPolicy is {policy}")
            resources = container.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            if "memory" not in requests:
                faults.append(f"{where}: container {container['name']} reserves no memory (a BestEffort pod)")
            for kind in ("memory", "cpu"):
                if kind in requests and kind in limits and quantity(requests[kind]) > quantity(limits[kind]):
                    faults.append(f"{where}: {kind} request {requests[kind]} is above its limit {limits[kind]}")
    return faults


OURS_FIRST = ("shared-data-owner",)  # the first containers our values add (the chart's own pin their tags)


def immutable(image: str) -> bool:
    """An image named by a digest or a tag other than `latest`: what a node holds is what was meant."""
    if "@sha256:" in image:
        return True
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    return bool(tag) and tag != "latest"


def quantity(value: Any) -> float:
    """A Kubernetes quantity as a number: 536870912, "512Mi", "0.05", "50m"."""
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    for unit, factor in units.items():
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def valid_names(files: dict[str, str], spec: HubSpec, starts: list[dict[str, Any]]) -> list[str]:
    """Every object the chart renders or `hub up` makes, and every volume of a user pod, has a name
    the API server takes."""
    faults = []
    planned = [d for d in manifests({"claims.yaml": shared_claims(spec, single_node=True)})]
    for doc in [*manifests(files), *planned]:
        if not SUBDOMAIN.match(doc["metadata"]["name"]):
            faults.append(f"{doc['kind']} {doc['metadata']['name']!r} is not a valid Kubernetes name")
    volumes = [
        v
        for d in manifests(files)
        if d["kind"] == "Deployment"
        for v in d["spec"]["template"]["spec"].get("volumes", [])
    ]
    volumes += [v for s in starts if "pod" in s for v in s["pod"]["spec"].get("volumes", [])]
    faults += [f"volume {v['name']!r} is not a valid Kubernetes name" for v in volumes if not LABEL.match(v["name"])]
    return sorted(set(faults))


def core_pods(files: dict[str, str]) -> list[str]:
    """The chart's own long-running pods (hub, proxy, user scheduler, HTTPS) reserve memory: the
    chart's defaults reserve none, and a BestEffort hub is the first pod a full node evicts."""
    return [
        f"{d['kind']} {d['metadata']['name']}: container {c['name']} reserves no memory (a BestEffort pod)"
        for d in manifests(files)
        if d["kind"] in ("Deployment", "StatefulSet")
        for c in d["spec"]["template"]["spec"]["containers"]
        if "memory" not in ((c.get("resources") or {}).get("requests") or {})
    ]


def shared_storage(spec: HubSpec) -> list[str]:
    """On a cluster named with --context, shared data's ReadWriteMany claims name a class (the
    default classes of GKE and EKS offer no ReadWriteMany, and every user pod would stay Pending),
    or `hub up` refuses in one line before it does anything."""
    if cluster.shared_storage_refusal(spec, "a-named-cluster"):
        return []
    return [
        f"claim {d['metadata']['name']}: ReadWriteMany with no storage class, on a named cluster"
        for d in manifests({"claims.yaml": shared_claims(spec, single_node=False)})
        if "ReadWriteMany" in d["spec"]["accessModes"] and "storageClassName" not in d["spec"]
    ]


def culler(spec: HubSpec, values: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    """The chart's culler runs unless the spec turns culling off."""
    on = merge(defaults, values)["cull"]["enabled"]
    wanted = spec.settings["culling.enabled"] if "culling" in spec.data else True
    return [] if bool(on) == bool(wanted) else [f"cull.enabled is {on}, and the spec asks for {wanted}"]


def faults(
    spec: HubSpec,
    values: dict[str, Any],
    defaults: dict[str, Any],
    files: dict[str, str],
    starts: list[dict],
) -> list[str]:
    """Every rule's faults: [] for a deployment that would come up and keep its data."""
    return [
        *secret_refs(files, spec),
        *environment_read(files, values),
        *database_persists(files, values, defaults),
        *user_pods(spec, starts),
        *core_pods(files),
        *valid_names(files, spec, starts),
        *shared_storage(spec),
        *culler(spec, values, defaults),
    ]
