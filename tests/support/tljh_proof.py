"""`nox -s tljh-proof`: run the TLJH checks (tests/proofs/test_tljh.py, test_tljh_user_environment.py)
and, only when all pass, store what they proved in docs/proofs/tljh.json. Each guide's tljh-config
tab says so, with the day, for the exact files it shows; tests/proofs/test_tljh_proof.py fails once
the rendered files drift from the ones proved, until this is run again.
"""

from __future__ import annotations

import platform
import sys

from communityhubs.spec import load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import TLJH_VERSION

from .proof_record import record_path, run_and_store
from .tljh_hub import REQUIREMENTS, TLJH_SPECS

RECORD = record_path("tljh")
CHECKS = ["tests/proofs/test_tljh.py", "tests/proofs/test_tljh_user_environment.py"]
SHOWN = {
    "jupyterhub": "JupyterHub",
    "jupyterhub-systemdspawner": "SystemdSpawner",
    "oauthenticator": "OAuthenticator",
    "jupyterhub-idle-culler": "jupyterhub-idle-culler",
}


def hub_versions() -> dict[str, str]:
    """What TLJH's hub ran in the checks, from the pins they installed."""
    pins = dict(line.split("==") for line in REQUIREMENTS.read_text().splitlines() if "==" in line)
    return {shown: pins[package] for package, shown in SHOWN.items()}


def proved_files() -> dict[str, str]:
    """{spec file name: digest of the commands and Python file it renders to}, for every spec TLJH takes."""
    return {path.name: TARGETS["tljh"].digest(load_spec(path)) for path in TLJH_SPECS}


def record(summary: str) -> dict:
    # The system the user-environment.sh checks installed packages on (its own archive's).
    system = platform.freedesktop_os_release().get("PRETTY_NAME", platform.platform())
    return {"tljh": TLJH_VERSION, "hub": hub_versions(), "system": system, "result": summary, "files": proved_files()}


if __name__ == "__main__":
    sys.exit(run_and_store("tljh", CHECKS, record))
