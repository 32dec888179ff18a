"""Shared folders on a real local hub run as root (the same Unix folders and modes as on TLJH):
each person finds them linked in their home; read-only ones are written by admins only, and an
admin flag given or taken away holds from that person's next start."""

from __future__ import annotations

import grp
import io
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
import yaml
from communityhubs import names
from communityhubs.client import HubClient
from communityhubs.hub import Hub
from communityhubs.kernel import run_in_kernel
from communityhubs.spec import SpecError, validate_spec

from tests.support.needs import need_root
from tests.support.open_python import OpenHub, free_port

SPEC = {
    "name": "shared-local",
    "authenticator": {"type": "shared-password"},
    "admins": ["demo-admin"],
    "allowed_users": ["demo-ada", "demo-grace"],
    "shared_data": [{"name": "datasets"}, {"name": "scratch", "read_only": False}],
}
ACCOUNTS = ("jupyter-demo-admin", "jupyter-demo-ada", "jupyter-demo-grace")
# What a person's kernel can do through the links in their home, a line per attempt.
TRY = """
import os
def attempt(what, do):
    try:
        do()
        print(what, "yes")
    except OSError:
        print(what, "no")
attempt("{who} writes datasets", lambda: open(f"datasets/{who}-{os.getpid()}.csv", "x").write("station\\n"))
attempt("{who} reads datasets", lambda: [open(f).read() for f in os.scandir("datasets")])
attempt("{who} writes scratch", lambda: open("scratch/{who}.txt", "w").write("draft"))
attempt("{who} deletes ada's scratch file", lambda: os.remove("scratch/ada.txt"))
"""


def tried(url: str, token: str, user: str, who: str) -> list[str]:
    return run_in_kernel(url, token, user, TRY.replace("{who}", who)).splitlines()


def test_shared_folders_on_a_local_hub_run_as_root() -> None:
    need_root("servers as accounts of their own")
    base = Path(tempfile.mkdtemp(prefix="chub-shared-", dir="/tmp"))  # pytest's own folders are 0700
    os.chmod(base, 0o711)
    (base / "shared.yaml").write_text(yaml.safe_dump(SPEC))
    hub = OpenHub(base / "shared.yaml", base, free_port())
    try:
        said = hub.up()
        assert "user servers run as: a Unix account of their own each" in said, said
        url, token = hub.url, hub.admin_token()
        api = HubClient(url, token)
        api.start_server("demo-admin")
        assert tried(url, token, "demo-admin", "admin")[:3] == [
            "admin writes datasets yes",
            "admin reads datasets yes",
            "admin writes scratch yes",
        ]
        api.start_server("demo-ada")
        assert tried(url, token, "demo-ada", "ada")[:3] == [
            "ada writes datasets no",
            "ada reads datasets yes",
            "ada writes scratch yes",
        ]
        api.start_server("demo-grace")
        assert tried(url, token, "demo-grace", "grace") == [
            "grace writes datasets no",
            "grace reads datasets yes",
            "grace writes scratch yes",
            "grace deletes ada's scratch file no",
        ]
        folder = hub.state_dir / "shared" / "datasets"
        link = hub.state_dir / "homes" / "demo-grace" / "datasets"
        assert link.readlink() == Path("../../shared/datasets") and link.resolve() == folder.resolve()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o2775
        assert grp.getgrgid(folder.stat().st_gid).gr_name == names.unix_group("shared-local", "admins")
        # What an export carries (communityhubs export): the folder's files, read through the target.
        archive = Hub(validate_spec(SPEC, "shared.yaml"), hub.state_dir).read_shared("datasets")
        assert any(n.startswith("admin-") for n in tarfile.open(fileobj=io.BytesIO(archive)).getnames())
        # Made an admin, ada writes from her next start; no longer one, she cannot from the start after.
        for admin, expected in ((True, "ada writes datasets yes"), (False, "ada writes datasets no")):
            api.set_admin("demo-ada", admin)
            api.stop_server("demo-ada")
            api.start_server("demo-ada")
            assert tried(url, token, "demo-ada", "ada")[0] == expected
    finally:
        hub.down()
        shutil.rmtree(base, ignore_errors=True)
        for account in ACCOUNTS:
            subprocess.run(["userdel", account], capture_output=True)
        for role in ("admins", "users"):
            subprocess.run(["groupdel", names.unix_group("shared-local", role)], capture_output=True)


def test_without_accounts_of_their_own_up_refuses_shared_folders_in_one_line(tmp_path: Path) -> None:
    # pytest's folders are closed to other accounts: the servers could not run as accounts of their own
    hub = Hub(validate_spec(SPEC, "shared.yaml"), tmp_path / "hub")
    with pytest.raises(SpecError, match=r"^shared.yaml: shared_data: needs user servers that run as accounts"):
        hub.up()
    assert hub.info() is None and not (tmp_path / "hub").exists()
