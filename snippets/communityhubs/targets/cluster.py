"""The kubernetes target's lifecycle: a kind cluster (or a kube context you name),
the Zero to JupyterHub chart installed with helm, and the hub reached on
127.0.0.1 through `kubectl port-forward`.

`plan_up` lists every file and command; `hub up --dry-run` prints that plan and
`hub up` runs the same plan, so the golden files of the dry run check what runs.
`down` stops the hub and keeps every claim; `forget` (`hub delete`) deletes what `up`
recorded that it created (cluster.json), and only when asked by name.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .. import names, traits
from ..hubprocess import HOST, HubError, HubInfo, check_port_free, hub_answers
from ..images import USER_IMAGE, docker_answers, recipe_folder
from ..secretfiles import ensure_secret, write_private
from ..secretfiles import record as record_secret
from ..sections.front_door import address_type
from ..sections.login import login_secrets
from ..spec import HubSpec
from ..traits import ADMIN_SERVICE
from .chart import CHART_REPO, CHART_VERSION, secret_files, shared_claims
from .manifests import changes

KIND_CONFIG = Path(__file__).resolve().parent / names.KIND_CONFIG_FILE  # package data; shown as snippets/kubernetes/
RECORD = names.CLUSTER_RECORD_FILE
HELM_TIMEOUT = "10m"


class ClusterError(HubError):
    """A cluster step failed; str(error) is one line naming the step and what Kubernetes said."""


@dataclass(frozen=True)
class Step:
    why: str
    argv: list[str]
    pipe_to: list[str] = field(default_factory=list)
    """`argv | pipe_to`: kubectl's idempotent "create --dry-run=client -o yaml | apply -f -"."""
    compare_with: list[str] = field(default_factory=list)
    """A render to compare `argv`'s with, object by object (manifests.changes): shown, never applied."""

    def shell(self) -> str:
        text = shlex.join(self.argv)
        if self.compare_with:
            return f"{shlex.join(self.compare_with)} > release-now.yaml\n{text} > release-next.yaml"
        return f"{text} | {shlex.join(self.pipe_to)}" if self.pipe_to else text


@dataclass
class UpPlan:
    state_dir: Path
    files: dict[str, str]
    """Files written into the state directory before any command runs."""
    secrets: list[str]
    """0600 files in the state directory that the secrets step reads (never printed)."""
    steps: list[Step]
    context: str
    namespace: str
    release: str
    port: int
    kind_cluster: str = ""
    """The kind cluster `up` creates, or '' when a context was given."""
    public: str = ""
    """Where users reach the hub, and what DNS must say ('' for loopback: this machine only)."""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def text(self) -> str:
        """What `hub up --target kubernetes --dry-run` prints."""
        lines = ["# hub up --target kubernetes: the files it writes and the commands it runs, in order"]
        for name, content in self.files.items():
            lines += [f"\n# --- {self.state_dir / name}", content.rstrip()]
        lines.append(f"\n# --- secrets, generated into 0600 files and never printed: {', '.join(self.secrets)}")
        for step in self.steps:
            lines += [f"\n# {step.why}", step.shell()]
        lines.append(f"\n# then HUB_URL={self.url} and HUB_TOKEN from {self.state_dir / names.ADMIN_TOKEN_FILE}")
        if self.public:
            lines.append(f"# users: {self.public}")
        return "\n".join(lines) + "\n"


def kind_cluster_name(spec: HubSpec) -> str:
    return names.resource(spec.name)


def built_here(spec: HubSpec) -> list[str]:
    """The spec's images that this project builds (`communityhubs image build`): they are in no
    registry, so kind must load them from this machine's Docker."""
    return [i for i in traits.images(spec, default=USER_IMAGE) if recipe_folder(i)]


def forwarded(spec: HubSpec) -> tuple[str, int, str]:
    """The Service and port that `kubectl port-forward` reaches the hub on, over plain HTTP."""
    https = spec.section("https")
    if "letsencrypt" in https:  # proxy-public leads to the chart's autohttps, which redirects to HTTPS
        return "svc/proxy-http", names.CHART_PROXY_HTTP_PORT, "the proxy's own HTTP port, behind the chart's autohttps"
    if "certificate" in https and address_type(spec, "kubernetes") != "ingress":
        return "svc/hub", 8081, "the hub itself: the proxy serves HTTPS only, with a certificate for your domain"
    return "svc/proxy-public", 80, "the proxy"


def shared_storage_refusal(spec: HubSpec, context: str) -> str:
    """Why shared data cannot bind on a named cluster, or '': its claims are ReadWriteMany, which
    the default classes of GKE and EKS do not offer (every user pod would stay Pending)."""
    if not spec.data.get("shared_data") or "shared_class" in spec.data.get("storage", {}):
        return ""
    return (
        f"{spec.source}: storage.shared_class: not set, and shared_data needs ReadWriteMany storage on the "
        f"cluster of context {context}, which its default class rarely offers (GKE's and EKS's do not): name "
        'one that does (an NFS provisioner, EFS on EKS, Filestore on GKE), or "" to bind a volume made '
        "beforehand, as 2i2c binds its NFS server"
    )


def plan_up(spec: HubSpec, state_dir: Path, port: int, values: str, context: str | None = None) -> UpPlan:

    state_dir = Path(state_dir)
    namespace = release = spec.name
    kind = "" if context else kind_cluster_name(spec)
    context = context or f"kind-{kind}"
    kubectl = ["kubectl", "--context", context, "--namespace", namespace]
    address = address_type(spec, "kubernetes")
    if kind and address != "loopback":
        raise ClusterError(
            f"{spec.source}: public_address.type: {address}: a kind cluster here has no {address} "
            "that the internet reaches; give --context for a cluster that has one"
        )
    local_only = built_here(spec)
    if not kind and local_only:
        raise ClusterError(
            f"{spec.source}: environment: the image {local_only[0]} is built on this machine and is in no "
            f"registry, so the cluster of context {context} cannot pull it: push it to a registry that "
            "cluster pulls from (`communityhubs image push REGISTRY`) and name it there (environment.image, "
            "or the profile's image; environment.pull_secret if the registry is private)"
        )
    refusal = "" if kind else shared_storage_refusal(spec, context)
    if refusal:
        raise ClusterError(refusal)
    files = {"values.yaml": values}
    claims = shared_claims(spec, single_node=bool(kind))
    if claims:
        files[names.SHARED_CLAIMS_FILE] = claims
    steps = []
    if kind:
        files[names.KIND_CONFIG_FILE] = KIND_CONFIG.read_text()
        steps.append(
            Step(
                "a kind cluster for this hub (kept if it already exists)",
                [
                    "kind",
                    "create",
                    "cluster",
                    "--name",
                    kind,
                    "--config",
                    str(state_dir / names.KIND_CONFIG_FILE),
                    "--wait",
                    "120s",
                ],
            )
        )
        for image in built_here(spec):
            steps.append(
                Step(
                    f"the user image {image}, copied in from this machine's Docker (it is in no registry)",
                    ["kind", "load", "docker-image", image, "--name", kind],
                )
            )
    steps.append(
        Step(
            "the hub's namespace (kept if it already exists)",
            ["kubectl", "--context", context, "create", "namespace", namespace, "--dry-run=client", "-o", "yaml"],
            ["kubectl", "--context", context, "apply", "-f", "-"],
        )
    )
    secrets = secret_files(spec)
    steps.append(
        Step(
            f"the Secret {names.secrets_name(spec.name)}, read from files so no secret is on a command line",
            [
                *kubectl,
                "create",
                "secret",
                "generic",
                names.secrets_name(spec.name),
                *(f"--from-file={key}={state_dir / name}" for key, name in secrets.items()),
                "--dry-run=client",
                "-o",
                "yaml",
            ],
            [*kubectl, "apply", "-f", "-"],
        )
    )
    https = spec.section("https")
    if "certificate" in https:
        steps.append(
            Step(
                f"the TLS Secret {names.tls_secret_name(spec.name)} the proxy serves, "
                "from the certificate and key files",
                [
                    *kubectl,
                    "create",
                    "secret",
                    "tls",
                    names.tls_secret_name(spec.name),
                    f"--cert={https['certificate']}",
                    f"--key={https['key']}",
                    "--dry-run=client",
                    "-o",
                    "yaml",
                ],
                [*kubectl, "apply", "-f", "-"],
            )
        )
    if claims:
        access = "ReadWriteOnce, which the one node of kind shares" if kind else "ReadWriteMany storage"
        steps.append(
            Step(
                f"the claims that shared data mounts, which the chart does not make ({access})",
                [*kubectl, "apply", "-f", str(state_dir / names.SHARED_CLAIMS_FILE)],
            )
        )
    chart = ["jupyterhub", "--repo", CHART_REPO, "--version", CHART_VERSION, "--namespace", namespace]
    steps.append(
        Step(
            "what the upgrade changes, object by object: Helm's manifest of the release now against Helm's "
            "render of this one, printed before anything is applied (a first install: everything is new)",
            ["helm", "template", release, *chart, "--values", str(state_dir / "values.yaml")],
            compare_with=["helm", "get", "manifest", release, "--kube-context", context, "--namespace", namespace],
        )
    )
    steps.append(
        Step(
            f"the Zero to JupyterHub chart {CHART_VERSION}, waiting until every pod is ready",
            [
                "helm",
                "upgrade",
                "--install",
                release,
                "jupyterhub",
                "--repo",
                CHART_REPO,
                "--version",
                CHART_VERSION,
                "--kube-context",
                context,
                "--namespace",
                namespace,
                "--create-namespace",
                "--values",
                str(state_dir / "values.yaml"),
                "--wait",
                "--timeout",
                HELM_TIMEOUT,
            ],
        )
    )
    steps.append(
        Step(
            "the admin service's token, which the chart generated, "
            f"into {names.ADMIN_TOKEN_FILE} (0600, never printed)",
            [*kubectl, "get", "secret", "hub", "-o", f"jsonpath={{.data.hub\\.services\\.{ADMIN_SERVICE}\\.apiToken}}"],
        )
    )
    service, forward_port, why = forwarded(spec)
    steps.append(
        Step(
            f"the hub on {HOST}:{port} for you and the tools ({why}), in the background until `hub down`",
            [*kubectl, "port-forward", "--address", HOST, service, f"{port}:{forward_port}"],
        )
    )
    return UpPlan(
        state_dir,
        files,
        sorted(secrets.values()) + [names.ADMIN_TOKEN_FILE],
        steps,
        context,
        namespace,
        release,
        port,
        kind,
        public_note(spec, context, namespace),
    )


def public_note(spec: HubSpec, context: str, namespace: str) -> str:
    address = address_type(spec, "kubernetes")
    if address == "loopback":
        return ""
    scheme = "https" if spec.section("https") else "http"
    host = spec.settings["public_address.host"] or next(
        iter(spec.section("https").get("letsencrypt", {}).get("hosts", [])), ""
    )
    found = "svc/proxy-public" if address == "load-balancer" else "ingress"
    where = f"kubectl --context {context} --namespace {namespace} get {found}"
    if not host:
        return f"http://EXTERNAL-IP, the address `{where}` shows"
    return f"{scheme}://{host}/ once its DNS points at the address `{where}` shows"


def _run(step: Step, timeout: float = 900) -> str:
    """Run one step; its output is returned, never printed (the token step's is a secret)."""
    try:
        if step.pipe_to:
            first = subprocess.run(step.argv, capture_output=True, text=True, timeout=timeout, check=True)
            done = subprocess.run(step.pipe_to, input=first.stdout, capture_output=True, text=True, timeout=timeout)
        else:
            done = subprocess.run(step.argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.CalledProcessError as err:
        done = err  # type: ignore[assignment]
    except subprocess.TimeoutExpired:
        raise ClusterError(f"{step.argv[0]} did not finish in {timeout:.0f} s: {step.why}") from None
    if done.returncode != 0:
        said = (done.stderr or "").strip().splitlines()
        raise ClusterError(f"{step.argv[0]} failed ({step.why}): {said[-1] if said else 'no output'}")
    return done.stdout or ""


def _kind_clusters() -> list[str]:
    done = subprocess.run(["kind", "get", "clusters"], capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def describe_pods(pods: dict) -> str:
    """'name (reason), ...' for each pod of a `kubectl get pods -o json` answer that is not ready."""
    waiting = []
    for pod in pods.get("items", []):
        statuses = pod.get("status", {}).get("containerStatuses") or [{"ready": False, "state": {}}]
        for status in statuses:
            if not status.get("ready"):
                state = next(iter(status.get("state", {}).values()), {})
                waiting.append(f"{pod['metadata']['name']} ({state.get('reason', pod['status'].get('phase'))})")
                break
    return ", ".join(waiting)


def not_ready(context: str, namespace: str) -> str:
    """The pods that are not ready and the namespace's last events, on one line."""
    kubectl = ["kubectl", "--context", context, "--namespace", namespace]
    pods = subprocess.run([*kubectl, "get", "pods", "-o", "json"], capture_output=True, text=True)
    events = subprocess.run(
        [*kubectl, "get", "events", "--sort-by=.lastTimestamp", "-o", "jsonpath={range .items[-3:]}{.message}; {end}"],
        capture_output=True,
        text=True,
    )
    waiting = describe_pods(json.loads(pods.stdout or "{}")) or "none listed"
    return f"pods not ready: {waiting}; last events: {events.stdout.strip() or 'none'}"


def up(spec: HubSpec, plan: UpPlan) -> HubInfo:
    """Carry out the plan. Everything that can be checked is checked before anything is made.
    On a hub that runs, this applies a changed spec in place (`helm upgrade`). Secrets the hub's
    Secret already holds are adopted, never replaced. If a step fails or the
    run is interrupted, only what this run made is undone: a release that was serving before is
    rolled back by Helm, never uninstalled; the error says which, on one line."""
    state = plan.state_dir
    if info(state) is not None:  # a changed spec, applied in place: the same release, the same secrets
        stop_forwarding(read_record(state) or {}, plan.port)
    if plan.kind_cluster and not docker_answers():
        raise ClusterError("kind needs a Docker engine that answers (install docker.io and start dockerd)")
    check_port_free(plan.port)
    auth = spec.data["authenticator"]
    client_secret = os.environ.get(auth.get("client_secret_env", ""), "")
    if "client_secret_env" in auth and not client_secret:
        raise ClusterError(f"authenticator.client_secret_env: ${auth['client_secret_env']} is not set")
    cluster_exists = not plan.kind_cluster or plan.kind_cluster in _kind_clusters()
    existing = existing_secrets(plan) if cluster_exists else {}
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, content in plan.files.items():
        write_private(state / name, content)
    for secret in login_secrets(spec):
        if secret.file in existing and not os.environ.get(secret.env or ""):
            write_private(state / secret.file, existing[secret.file])  # the hub's own: adopted
        ensure_secret(state / secret.file, env=secret.env, nbytes=secret.nbytes)
    if client_secret:
        write_private(state / names.OAUTH_SECRET_FILE, client_secret)
    before = read_record(state) or {}
    record = {"context": plan.context, "namespace": plan.namespace, "release": plan.release, "url": plan.url}
    # What an earlier `up` made stays this tool's to delete (`hub delete`), and nothing else.
    record["kind_cluster"] = before.get("kind_cluster", "")
    record["namespace_created"] = before.get("namespace_created", False)
    made: dict = {}
    try:
        _carry_out(plan, record, made)
    except (Exception, KeyboardInterrupt) as err:
        what = str(err) if isinstance(err, ClusterError) else f"interrupted ({type(err).__name__})"
        raise ClusterError(f"{what}; {undo(plan, made)}") from None
    return info(state)  # type: ignore[return-value]


def existing_secrets(plan: UpPlan) -> dict[str, str]:
    """{key: value} of the hub's Secret where it already exists on the cluster, else {}."""
    name = names.secrets_name(plan.release)
    argv = ["kubectl", "--context", plan.context, "--namespace", plan.namespace, "get", "secret", name, "-o", "json"]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        if "NotFound" in done.stderr or "not found" in done.stderr:
            return {}
        raise ClusterError(f"kubectl get secret {name} failed: {said[-1] if said else 'no output'}")
    try:
        data = json.loads(done.stdout).get("data") or {}
        return {key: decode(value, f"Secret {name}, key {key}") for key, value in data.items()}
    except (ValueError, AttributeError):
        raise ClusterError(f"kubectl get secret {name}: the answer is not a Secret in JSON") from None


def decode(value: str, where: str) -> str:
    """A Secret's base64 value as text; anything else is one line naming where it came from."""
    try:
        return base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise ClusterError(f"{where}: kubectl's answer is not base64 text") from None


def _helm(plan: UpPlan, *args: str) -> list[str]:
    return ["helm", *args, plan.release, "--kube-context", plan.context, "--namespace", plan.namespace]


def _carry_out(plan: UpPlan, record: dict, made: dict) -> None:
    """The plan's steps; `made` says what this run created or changed, for `undo`."""
    state = plan.state_dir
    steps = list(plan.steps)
    if plan.kind_cluster:
        create = steps.pop(0)
        if plan.kind_cluster not in _kind_clusters():
            made["kind_cluster"] = plan.kind_cluster
            _run(create)
            record["kind_cluster"] = plan.kind_cluster
    namespace = ["kubectl", "--context", plan.context, "get", "namespace", plan.namespace]
    if subprocess.run(namespace, capture_output=True).returncode != 0:
        made["namespace"] = plan.namespace
        record["namespace_created"] = True
    release_existed = subprocess.run(_helm(plan, "status"), capture_output=True).returncode == 0
    write_private(state / RECORD, json.dumps(record, indent=2))
    *install, token_step, forward = steps
    for step in install:
        if step.compare_with:
            show_changes(step)
            continue
        if step.argv[0] == "helm":
            made["release"] = "upgraded" if release_existed else "installed"
        try:
            _run(step)
        except ClusterError as err:
            if step.argv[0] == "helm":  # never a bare timeout: which pods, and why
                raise ClusterError(f"{err}; {not_ready(plan.context, plan.namespace)}") from None
            raise
    made.pop("release", None)  # installed and ready: an error after this leaves the hub serving
    token = decode(_run(token_step), f"the chart's Secret hub, key hub.services.{ADMIN_SERVICE}.apiToken")
    record_secret(token)
    write_private(state / names.ADMIN_TOKEN_FILE, token + "\n")
    log = (state / names.PORT_FORWARD_LOG).open("ab")
    process = subprocess.Popen(forward.argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    made["port_forward_pid"] = record["port_forward_pid"] = process.pid
    record["installed"] = True
    write_private(state / RECORD, json.dumps(record, indent=2))
    deadline = time.monotonic() + 60
    while not hub_answers(plan.url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise ClusterError(
                f"kubectl port-forward to {plan.url} did not answer: see {state / names.PORT_FORWARD_LOG}"
            )
        time.sleep(0.5)


def show_changes(step: Step) -> None:
    """Print what applying the new render changes in the release (manifests.changes)."""
    now = subprocess.run(step.compare_with, capture_output=True, text=True)  # no release yet: nothing
    found = changes(now.stdout if now.returncode == 0 else "", _run(step))
    print("what the upgrade changes:" if found else "the upgrade changes no object", flush=True)
    for line in found:
        print(f"  {line}", flush=True)


def undo(plan: UpPlan, made: dict) -> str:
    """Undo only what a failed `up` made, and say what was done, in a few words."""
    said = []
    if _alive(made.get("port_forward_pid")):
        os.killpg(made["port_forward_pid"], signal.SIGTERM)
    if made.get("kind_cluster"):
        subprocess.run(["kind", "delete", "cluster", "--name", made["kind_cluster"]], capture_output=True)
        return f"the kind cluster {made['kind_cluster']} this run created is deleted again"
    if made.get("release") == "upgraded":
        done = subprocess.run([*_helm(plan, "rollback"), "--wait", "--timeout", HELM_TIMEOUT], capture_output=True)
        said.append(
            f"the release {plan.release} that served before is back (helm rollback)"
            if done.returncode == 0
            else f"helm rollback {plan.release} failed too: see `helm history {plan.release}`; nothing was deleted"
        )
    elif made.get("release") == "installed":
        subprocess.run([*_helm(plan, "uninstall"), "--wait"], capture_output=True)
        said.append(f"the release {plan.release} this run installed is uninstalled")
    if made.get("namespace"):
        subprocess.run(
            ["kubectl", "--context", plan.context, "delete", "namespace", plan.namespace, "--wait=true"],
            capture_output=True,
        )
        said.append(f"the namespace {plan.namespace} this run created is deleted")
    return "; ".join(said) or "nothing on the cluster was changed"


def stop_forwarding(record: dict, port: int, wait: float = 10) -> None:
    """End the port-forward of a running hub and wait until its port is free again."""
    if _alive(record.get("port_forward_pid")):
        os.killpg(record["port_forward_pid"], signal.SIGTERM)
    deadline = time.monotonic() + wait
    while hub_answers(f"http://{HOST}:{port}", timeout=1) and time.monotonic() < deadline:
        time.sleep(0.2)


def read_record(state_dir: Path) -> dict | None:
    path = Path(state_dir) / RECORD
    return json.loads(path.read_text()) if path.is_file() else None


def _alive(pid: int | None) -> bool:
    return bool(pid) and psutil.pid_exists(pid)


def info(state_dir: Path) -> HubInfo | None:
    record = read_record(state_dir)
    if not record or not _alive(record.get("port_forward_pid")) or not hub_answers(record["url"], timeout=5):
        return None
    return HubInfo(record["url"], record["port_forward_pid"], Path(state_dir), "kubectl port-forward", "kubernetes")


HUB_DB_CLAIM = "hub-db-dir"
"""The chart's claim for the hub's database (hub.db.type: sqlite-pvc, its default)."""
KEEP = "helm.sh/resource-policy=keep"


def down(state_dir: Path) -> bool:
    """Stop the hub and keep its data: the port-forward ends and the release is uninstalled, but
    the hub database's claim is marked for Helm to keep first (older releases lacked the mark),
    and every home claim, shared claim, Secret, the namespace and the kind cluster stay.
    `hub delete` (`forget`) is the only step that removes data."""
    record = read_record(state_dir)
    if not record or not record.get("installed", True):
        return False
    stop_forwarding(record, int(record["url"].rsplit(":", 1)[1]))
    context, namespace = record["context"], record["namespace"]
    kubectl = ["kubectl", "--context", context, "--namespace", namespace]
    subprocess.run([*kubectl, "annotate", "--overwrite", "pvc", HUB_DB_CLAIM, KEEP], capture_output=True)
    _run(
        Step(
            "uninstall the release; its claims stay",
            ["helm", "uninstall", record["release"], "--kube-context", context, "--namespace", namespace, "--wait"],
        )
    )
    record.update(port_forward_pid=None, installed=False)
    write_private(Path(state_dir) / RECORD, json.dumps(record, indent=2))
    return True


def claims_of(answer: bytes) -> list[dict]:
    """kubectl's `get pvc -o json` answer as its claims, or one ClusterError line."""
    try:
        items = json.loads(answer or b"{}").get("items", [])
        if all(isinstance(c["metadata"]["name"], str) for c in items):
            return list(items)
    except (ValueError, AttributeError, KeyError, TypeError):
        pass
    raise ClusterError("kubectl get pvc: the answer is not a list of claims in JSON")


def claims(record: dict) -> list[dict]:
    """Every claim in the hub's namespace (homes, shared data, the hub database)."""
    return claims_of(kubectl(record, "get", "pvc", "-o", "json"))


def claim_names(record: dict) -> list[str]:
    return [claim["metadata"]["name"] for claim in claims(record)]


def doomed(state_dir: Path) -> list[str]:
    """What `forget` deletes, one line each: the data `hub delete` asks to have typed back."""
    record = read_record(state_dir)
    if not record:
        return []
    if record.get("kind_cluster"):
        return [f"the kind cluster {record['kind_cluster']}, with every claim in it (homes, shared data, hub database)"]
    where = f"in namespace {record['namespace']} of context {record['context']}"
    found = [f"claim {name} {where}" for name in claim_names(record)]
    found.append(f"Secret {names.secrets_name(record['release'])} {where}")
    if record.get("namespace_created"):
        found.append(f"namespace {record['namespace']} of context {record['context']}, with all it holds")
    return found


def forget(state_dir: Path) -> None:
    """Delete the hub's data: the kind cluster `up` made, or on a cluster you named the claims
    and the Secret in its namespace, and the namespace if `up` made it. Called after `down`."""
    record = read_record(state_dir)
    if not record:
        return
    if record.get("kind_cluster"):
        _run(Step("delete the kind cluster", ["kind", "delete", "cluster", "--name", record["kind_cluster"]]))
    else:
        for name in claim_names(record):
            kubectl(record, "delete", "pvc", name, "--wait=false")
        kubectl(record, "delete", "secret", names.secrets_name(record["release"]), "--ignore-not-found")
        if record.get("namespace_created"):
            kubectl(record, "delete", "namespace", record["namespace"], "--wait=true")
    (Path(state_dir) / RECORD).unlink()


# --- homes: a user's persistent volume claim, read and written through a helper pod ---------------

SAFE_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$")


def kubectl(record: dict, *args: str, stdin: bytes | None = None) -> bytes:
    """kubectl in the hub's context and namespace; its output, or one ClusterError line."""
    argv = ["kubectl", "--context", record["context"], "--namespace", record["namespace"], *args]
    done = subprocess.run(argv, input=stdin, capture_output=True, timeout=600)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise ClusterError(f"kubectl {args[0]} failed: {said[-1] if said else 'no output'}")
    return done.stdout


def claim_of(record: dict, user: str) -> str:
    """The user's PersistentVolumeClaim, found by the username KubeSpawner writes on it ('' if none)."""
    for claim in claims(record):
        if claim["metadata"].get("annotations", {}).get("hub.jupyter.org/username") == user:
            return claim["metadata"]["name"]
    return ""


def new_claim(record: dict, user: str, capacity: str, storage_class: dict[str, str] | None = None) -> str:
    """Create the claim KubeSpawner would create at the user's first start (it reuses an existing one)."""
    if not SAFE_NAME.match(user):
        raise ClusterError(
            f"user {user!r} has no volume yet and KubeSpawner escapes this name: start and stop their server once, "
            "then import again"
        )
    name = f"claim-{user}"
    manifest = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "labels": {"app": "jupyterhub", "component": "singleuser-storage", "hub.jupyter.org/username": user},
            "annotations": {"hub.jupyter.org/username": user},
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            **(storage_class or {}),
            "resources": {"requests": {"storage": capacity}},
        },
    }
    kubectl(record, "apply", "-f", "-", stdin=json.dumps(manifest).encode())
    return name


def in_pod(
    record: dict, image: str, command: list[str], claim: str = "", stdin: bytes | None = None, read_only: bool = False
) -> bytes:
    """Run `command` in a throwaway pod, as root, with the claim (if any) mounted at /data."""
    pod = names.helper_pod()
    spec = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": pod, "labels": {"app": "communityhubs-home-copy"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "copy",
                    "image": image,
                    "command": ["sleep", "3600"],
                    "securityContext": {"runAsUser": 0},
                    "volumeMounts": [{"name": "home", "mountPath": "/data", "readOnly": read_only}] if claim else [],
                }
            ],
            "volumes": [{"name": "home", "persistentVolumeClaim": {"claimName": claim}}] if claim else [],
        },
    }
    kubectl(record, "apply", "-f", "-", stdin=json.dumps(spec).encode())
    try:
        kubectl(record, "wait", "--for=condition=Ready", f"pod/{pod}", "--timeout=300s")
        return kubectl(record, "exec", "-i", pod, "--", *command, stdin=stdin)
    finally:
        kubectl(record, "delete", "pod", pod, "--wait=false")
