"""Workshop bursts: N servers asked for at once, side by side in one run, on three hubs:

- "stock": JupyterHub's own defaults (`start_timeout` 60, `http_timeout` 30) and its stock
  `jupyterhub-singleuser` server, as a hub the reader runs elsewhere would have (local target only);
- "default": this project's defaults (the schema's `start_timeout` 60, which also sets
  `http_timeout`) with the trimmed `communityhubs.singleuser` server;
- "project": the workshop hub (`snippets/examples/workshop.yaml`).

    python -m tests.benchmarks.burst [--sizes 10 30 100] [--docker-sizes 10 30] [--runs 3] [--out FILE]

All use the same spawner and proxy; "stock" and "default" are the workshop spec
without its `limits` section, so every difference in the figures comes from the
settings and the server command. For each burst the start requests go out together (one thread each),
the hub's user list is read every half second, and each server's "ready" time is
when the hub first lists it ready. A server the hub gave up on counts as failed.

The CPU limit is what the CPUs allow at best: N x the CPU seconds one server
needs to start (measured alone, in the same run) / the CPUs. Memory per idle
server is the unique memory (USS) of each server's processes a few seconds after
the last one was ready.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml
from communityhubs import SNIPPETS
from communityhubs.client import HubAPIError, HubClient
from communityhubs.hub import Hub, Runner
from communityhubs.hubprocess import DEFAULT_PORTS, HubProcess
from communityhubs.proxy import find_proxy
from communityhubs.spec import load_spec
from communityhubs.targets.local import LocalTarget

from ..support.browser import log_in_in_browser
from ..support.paths import CHROMIUM
from . import cpus, summarise

WORKSHOP = SNIPPETS / "examples" / "workshop.yaml"
RESULTS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks" / "burst.json"  # what the page draws
HUBS = ("stock", "default", "project")
# What makes a local hub stock: JupyterHub's own timeouts and its own server command.
STOCK = (
    "\n# The benchmark's stock hub: JupyterHub's default timeouts and its stock server\n"
    "c.Spawner.start_timeout = 60\n"
    "c.Spawner.http_timeout = 30\n"
    "c.Spawner.cmd = [str(Path(sys.executable).with_name('jupyterhub-singleuser'))]\n"
)
USER = "bench-"
POLL = 0.5


class StockLocalTarget(LocalTarget):
    """The local target with JupyterHub's own timeouts and server appended to its configuration."""

    def render(self, spec, ports=DEFAULT_PORTS):
        files = super().render(spec, ports)
        return {**files, self.native_file: files[self.native_file] + STOCK}


def bench_spec(work: Path, settings: str, name: str) -> Path:
    """The workshop spec as it is ("project"), or without its limits ("default", "stock")."""
    data = yaml.safe_load(WORKSHOP.read_text())
    data["name"] = name
    if settings in ("default", "stock"):
        data.pop("limits", None)
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def server_processes(prefix: str) -> dict[str, list[psutil.Process]]:
    """The processes of each user server on this machine (containers' too), by user name."""
    found: dict[str, list[psutil.Process]] = {}
    for proc in psutil.process_iter():
        try:
            user = proc.environ().get("JUPYTERHUB_USER", "")
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess, OSError):
            continue
        if user.startswith(prefix):
            found.setdefault(user, []).append(proc)
    return found


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def busy_seconds() -> float:
    """CPU seconds this machine has spent on anything but idling, since boot."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def server_command(procs: list[psutil.Process]) -> str:
    """Which single-user server ran: the module after `-m`, or the script's name."""
    for proc in sorted(procs, key=lambda p: p.create_time()):
        try:
            argv = proc.cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if "-m" in argv[:-1]:
            return argv[argv.index("-m") + 1]
        scripts = [Path(a).name for a in argv if Path(a).name.endswith("singleuser")]
        if scripts:
            return scripts[0]
    return "unknown"


def unique_mb(procs: list[psutil.Process]) -> float:
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().uss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


@dataclass
class RunningHub:
    hub: Runner
    client: HubClient
    url: str
    token: str

    @classmethod
    def up(cls, spec_path: Path, state_dir: Path, target: str, settings: str = "project") -> RunningHub:
        spec = load_spec(spec_path)
        hub = StockLocalTarget().runner(spec, state_dir) if settings == "stock" else Hub(spec, state_dir, target=target)
        info = hub.up()
        token = info.admin_token()
        return cls(hub, HubClient(info.url, token, timeout=600), info.url, token)

    def processes(self) -> dict[str, psutil.Process]:
        """The hub's own process and its proxy's."""
        hub = psutil.Process(HubProcess(self.hub.state_dir).running_pid())
        proxy = [p for p in hub.children() if "configurable-http-proxy" in " ".join(p.cmdline())]
        return {"hub": hub, **({"proxy": proxy[0]} if proxy else {})}

    def down(self) -> None:
        self.hub.down()
        self.hub.forget()


def start_all(client: HubClient, names: list[str]) -> set[str]:
    """Send every start request at once; return the names whose request got an error status
    (the hub may still start those servers: a proxy can time a slow request out)."""
    refused: set[str] = set()

    def start(name: str) -> None:
        try:
            client.request("POST", f"/users/{name}/server", json={})
        except HubAPIError:
            refused.add(name)

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        list(pool.map(start, names))
    return refused


def watch(client: HubClient, names: list[str], started: float, deadline: float) -> tuple[dict[str, float], set[str]]:
    """Poll the user list until every server is ready or given up on: (ready times, failed names)."""
    ready: dict[str, float] = {}
    failed: set[str] = set()
    while len(ready) + len(failed) < len(names) and time.monotonic() < deadline:
        now = time.monotonic() - started
        for user in client.users(USER):
            server = user["servers"].get("")
            if user["name"] in ready or user["name"] in failed:
                continue
            if server and server["ready"]:
                ready[user["name"]] = now
            elif not server and not user.get("pending"):
                failed.add(user["name"])  # the spawn failed and the hub cleaned it up
        time.sleep(POLL)
    failed |= set(names) - set(ready)
    return ready, failed


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_burst(running: RunningHub, n: int, timeout: float = 600) -> dict[str, float]:
    names = [f"{USER}{i:03d}" for i in range(n)]
    running.client.create_users(names)
    overhead = running.processes()
    cpu_before = {k: cpu_seconds([p]) for k, p in overhead.items()}
    busy_before = busy_seconds()
    started = time.monotonic()
    refused = start_all(running.client, names)
    ready, failed = watch(running.client, names, started, started + timeout)
    elapsed = time.monotonic() - started
    busy = busy_seconds() - busy_before
    cpu_used = {f"{k}_cpu_s": cpu_seconds([p]) - cpu_before[k] for k, p in overhead.items()}
    time.sleep(3)  # let the servers settle before measuring them idle
    procs = server_processes(USER)
    times = list(ready.values())
    figures = {
        "ready": len(ready),
        "failed": len(failed),
        "refused": len(refused),  # start requests answered with an error, whether or not the server came up
        "p50_s": percentile(times, 0.5),
        "p95_s": percentile(times, 0.95),
        "last_s": max(times, default=float("nan")),
        "server_cpu_s": statistics.mean(cpu_seconds(p) for p in procs.values()) if procs else float("nan"),
        "idle_mb": statistics.mean(unique_mb(p) for p in procs.values()) if procs else float("nan"),
        "cpus_busy": busy / elapsed / cpus(),  # 1.0: every CPU worked all the time
        **cpu_used,
    }
    stop_all(running.client, names)
    return figures


def stop_all(client: HubClient, names: list[str]) -> None:
    def stop(name: str) -> None:
        try:
            client.stop_server(name, timeout=120)
        except (HubAPIError, TimeoutError):
            pass

    with ThreadPoolExecutor(max_workers=min(len(names), 20)) as pool:
        list(pool.map(stop, names))
    for name in names:
        client.delete_user(name)


def solo_start(running: RunningHub) -> dict[str, float]:
    """One server on an otherwise idle hub: seconds until ready and the CPU seconds it used."""
    name = f"{USER}solo"
    running.client.create_users([name])
    started = time.monotonic()
    running.client.start_server(name, timeout=300)
    seconds = time.monotonic() - started
    procs = server_processes(name).get(name, [])
    cpu, server = cpu_seconds(procs), server_command(procs)
    stop_all(running.client, [name])
    return {"solo_s": seconds, "solo_cpu_s": cpu, "server": server}


def first_server(spec_path: Path, state_dir: Path, target: str, settings: str) -> dict[str, float]:
    """From `hub up` to the first server ready: cold (a new hub) and warm (the same hub again)."""
    figures = {}
    for kind in ("cold", "warm"):
        started = time.monotonic()
        running = RunningHub.up(spec_path, state_dir, target, settings)
        name = f"{USER}first"
        if kind == "cold":
            running.client.create_users([name])
        running.client.start_server(name, timeout=300)
        figures[f"{kind}_first_s"] = time.monotonic() - started
        running.client.stop_server(name)
        running.hub.down()
    running.hub.forget()
    return figures


def hubs_on(target: str) -> tuple[str, ...]:
    """The stock hub runs on the local target only: the docker image is built without rfc3987-syntax."""
    return HUBS if target == "local" else tuple(h for h in HUBS if h != "stock")


def measure(targets: dict[str, list[int]], runs: int, work: Path, only: tuple[str, ...] = HUBS) -> list[dict]:
    """Every burst size on each hub (of `only`), interleaved run by run so all see the same machine."""
    results = []
    for target, sizes in targets.items():
        if not sizes:
            continue
        kinds = tuple(h for h in hubs_on(target) if h in only)
        hubs = {
            s: RunningHub.up(bench_spec(work, s, f"bench-{target}-{s}"), work / target / s, target, s) for s in kinds
        }
        try:
            solo = {s: [solo_start(hubs[s]) for _ in range(max(runs, 1))] for s in kinds}
            bursts: dict[tuple[str, int], list[dict]] = {(s, n): [] for s in kinds for n in sizes}
            for _ in range(runs):
                for n in sizes:
                    for settings in kinds:
                        bursts[settings, n].append(one_burst(hubs[settings], n))
        finally:
            for running in hubs.values():
                running.down()
        for settings in kinds:
            alone = {k: summarise([r[k] for r in solo[settings]]) for k in ("solo_s", "solo_cpu_s")}
            server = solo[settings][0]["server"]
            results.append({"target": target, "hub": settings, "case": "one server alone", "server": server, **alone})
            solo_cpu = alone["solo_cpu_s"]
            for n in sizes:
                figures = {k: summarise([b[k] for b in bursts[settings, n]]) for k in bursts[settings, n][0]}
                figures["cpu_limit_s"] = {k: v * n / cpus() for k, v in solo_cpu.items()}
                results.append({"target": target, "hub": settings, "n": n, "runs": runs, **figures})
        for settings in kinds:
            spec_path = bench_spec(work, settings, f"bench-{target}-first-{settings}")
            folders = [work / target / f"first-{settings}-{i}" for i in range(runs)]
            first = [first_server(spec_path, folder, target, settings) for folder in folders]
            for kind in ("cold", "warm"):
                key = f"{kind}_first_s"
                results.append(
                    {
                        "target": target,
                        "hub": settings,
                        "case": f"first server, {kind}",
                        key: summarise([f[key] for f in first]),
                    }
                )
    return results


def user_load(work: Path, users: int) -> dict[str, dict[str, float]]:
    """Real users, one after another, in Debian's chromium: log in through the login page until
    JupyterLab shows its launcher, run code over the kernel websocket, and stop the server."""
    from communityhubs.kernel import run_in_kernel
    from playwright.sync_api import sync_playwright

    running = RunningHub.up(bench_spec(work, "project", "bench-users"), work / "users", "local")
    steps: dict[str, list[float]] = {"login_to_lab_s": [], "run_code_s": [], "stop_s": []}
    password = (running.hub.state_dir / "shared-password").read_text().strip()
    url = running.url.replace("127.0.0.1", "localhost")  # cookies set by an IP-address host are ignored by some jars
    try:
        names = [f"{USER}user-{i}" for i in range(users)]
        running.client.create_users(names)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name in names:
                page = browser.new_context().new_page()
                started = time.monotonic()
                log_in_in_browser(page, url, name, password)  # the browser tests' login, to the launcher
                steps["login_to_lab_s"].append(time.monotonic() - started)
                started = time.monotonic()
                if run_in_kernel(running.url, running.token, name, "print(6 * 7)").strip() != "42":
                    raise RuntimeError(f"{name}'s kernel did not answer 42")
                steps["run_code_s"].append(time.monotonic() - started)
                page.context.close()
                started = time.monotonic()
                running.client.stop_server(name, timeout=120)
                steps["stop_s"].append(time.monotonic() - started)
            browser.close()
    finally:
        running.down()
    return {step: summarise(values) for step, values in steps.items()}


def site_build(work: Path, results: Path) -> dict[str, float]:
    """The site built from a copy of this checkout: cold, again with nothing changed, after one prose edit."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[2]
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    copy = work / "site"
    for name in files:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, copy / name)
    proxy = root / "snippets" / "proxy" / "node_modules"
    if proxy.is_dir():  # the Node proxy `npm ci` installed
        (copy / "snippets" / "proxy" / "node_modules").symlink_to(proxy)
    shutil.copy2(results, copy / RESULTS.relative_to(root))  # the page draws what this run measured
    figures = {}
    for kind in ("cold", "warm", "prose_edit"):
        if kind == "prose_edit":
            page = copy / "docs" / "glossary.md"
            page.write_text(page.read_text() + "\nOne more sentence.\n")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", ".", "_build/html"],
            cwd=copy,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "NB_EXECUTION_MODE": "cache"},
        )
        figures[f"site_{kind}_s"] = time.monotonic() - started
    return figures


def machine() -> dict[str, object]:
    import platform

    import jupyterhub

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return {
        "cpus": cpus(),
        "cpu": model,
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "python": platform.python_version(),
        "jupyterhub": jupyterhub.__version__,
        "proxy": find_proxy()[1],  # configurable-http-proxy: node, or the python port
        "date": time.strftime("%Y-%m-%d"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 30, 100], help="local burst sizes")
    parser.add_argument("--docker-sizes", type=int, nargs="*", default=[10, 30], help="docker burst sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=5, help="browser users in the load run (0: skip)")
    parser.add_argument("--site-runs", type=int, default=1, help="site builds of each kind, cold ~10 min (0: skip)")
    parser.add_argument("--hubs", nargs="*", choices=HUBS, default=list(HUBS), help="which hub settings to measure")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    out = {"machine": machine(), "runs": args.runs, "results": []}
    with tempfile.TemporaryDirectory(prefix="bench-burst-") as tmp:
        work = Path(tmp)
        # Saved after each part, so that a part that fails keeps what the others measured.
        out["results"] += measure({"local": args.sizes, "docker": args.docker_sizes}, args.runs, work, tuple(args.hubs))
        save(out, args.out)
        if args.users:
            load = user_load(work, args.users)
            out["results"].append(
                {"target": "local", "hub": "project", "case": "browser users", "users": args.users, **load}
            )
            save(out, args.out)
        if args.site_runs:  # after the bursts are saved: the copy builds the page from them
            builds = [site_build(work / f"site-{i}", args.out) for i in range(args.site_runs)]
            out["results"].append({"case": "site build", **{k: summarise([b[k] for b in builds]) for k in builds[0]}})
            save(out, args.out)
    print(table(out))
    print(f"\nwritten to {args.out}")
    return 0


def save(out: dict, path: Path) -> None:
    """Write the results whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(out, indent=2) + "\n")
    partial.replace(path)


def table(out: dict) -> str:
    def cell(figure: dict[str, float] | None, digits: int = 1) -> str:
        if not figure:
            return "-"
        return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"

    m = out["machine"]
    lines = [
        f"{m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB, JupyterHub {m['jupyterhub']}, {m['proxy']} proxy, "
        f"medians over {out['runs']} runs (min-max)",
        "",
    ]
    head = (
        f"{'target':7} {'hub':8} {'N':>4} {'ready':>6} {'failed':>6} {'refused':>7} {'p50 s':>16} {'p95 s':>16} "
        f"{'last s':>16} {'CPU limit s':>16} {'last/limit':>10} {'MB/server':>10}"
    )
    lines += [head, "-" * len(head)]
    for r in out["results"]:
        if "n" not in r:
            continue
        ratio = r["last_s"]["median"] / r["cpu_limit_s"]["median"]
        lines.append(
            f"{r['target']:7} {r['hub']:8} {r['n']:>4} {r['ready']['median']:>6.0f} {r['failed']['median']:>6.0f} "
            f"{r['refused']['median']:>7.0f} "
            f"{cell(r['p50_s']):>16} {cell(r['p95_s']):>16} {cell(r['last_s']):>16} {cell(r['cpu_limit_s']):>16} "
            f"{ratio:>10.2f} {r['idle_mb']['median']:>10.0f}"
        )
    lines.append("")
    for r in out["results"]:
        if "n" in r:
            continue
        where = " ".join(str(r[k]) for k in ("target", "hub") if k in r)
        figures = ", ".join(
            f"{k.removesuffix('_s').replace('_', ' ')} {cell(v)} s" for k, v in r.items() if isinstance(v, dict)
        )
        lines.append(f"{r['case']} ({where}): {figures}" if where else f"{r['case']}: {figures}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
