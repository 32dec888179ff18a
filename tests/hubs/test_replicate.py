"""The Right to Replicate, end to end: export a real hub, import it on another target,
compare by checksums; and every bad bundle refused with nothing written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from communityhubs import SNIPPETS
from communityhubs.client import HubClient
from communityhubs.folder_archive import listing
from communityhubs.hub import Hub, Runner
from communityhubs.kernel import run_in_kernel
from communityhubs.replicate.bundle import FORMAT, BundleError, BundleWriter, open_bundle
from communityhubs.replicate.compare import compare
from communityhubs.replicate.export import export_hub
from communityhubs.replicate.restore import ImportRefused, import_bundle
from communityhubs.spec import load_spec, validate_spec

from tests.support import homes
from tests.support.bundles import MANIFEST, write_bundle
from tests.support.needs import need_docker

ODD_USER = "Demo-Zoë"  # JupyterHub keeps it as "demo-zoë"; Docker volume names escape it


def spec_named(tmp_path: Path, name: str) -> Path:
    """snippets/hub.yaml under another hub name, so hubs of parallel tests never share volumes."""
    data = yaml.safe_load((SNIPPETS / "hub.yaml").read_text())
    data["name"] = name
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def populate(hub: Runner, client: HubClient, big: bool) -> None:
    """Users of every kind, a group with properties, and homes written through the target."""
    client.create_users([ODD_USER, "demo-big", "demo-many"])
    client.create_group("demo-field-team", ["demo-ada", "demo-zoë"])
    client.set_group_properties("demo-field-team", {"room": "B 12", "season": 2026})
    hub.write_home("demo-ada", homes.varied_home())
    hub.write_home("demo-zoë", homes.varied_home())
    hub.write_home("demo-many", homes.many_files_home(2000))
    if big:
        hub.write_home("demo-big", homes.big_home(50))
    # demo-grace never starts a server and has no home: she must still come across.


def running(hub: Runner) -> HubClient:
    info = hub.info()
    assert info is not None
    return HubClient(info.url, info.admin_token())


@pytest.mark.parametrize("source,destination", [("local", "docker"), ("docker", "local")])
def test_round_trip_loses_nothing(tmp_path: Path, source: str, destination: str) -> None:
    need_docker()
    name = f"rt-{source}-{destination}"
    spec = load_spec(spec_named(tmp_path, name))
    old = Hub(spec, tmp_path / "old" / name, target=source)
    new = Hub(spec, tmp_path / "new" / name, target=destination)
    try:
        old.up()
        populate(old, running(old), big=True)
        exported = export_hub(old, tmp_path / "hub.bundle")
        assert (exported.users, exported.homes) == (6, 4)
        assert exported.files == 2 * 3 + 2000 + 1
        old.down()

        report = import_bundle(tmp_path / "hub.bundle", destination, tmp_path / "new")
        bundle = open_bundle(tmp_path / "hub.bundle")
        result = compare(bundle, new)
        assert result.same, result.table()
        # Another target runs another environment: said package by package, beside the verdict.
        assert len(result.environments) == 1 and " -> " in result.environments[0], result.environments
        assert re.search(r": \d+ of \d+ packages differ: ", result.environments[0]), result.environments
        assert result.files == exported.files
        client = running(new)
        everyone = {u["name"]: u for u in client.users()}
        assert everyone["demo-admin"]["admin"] and not everyone["demo-ada"]["admin"]
        assert "demo-grace" in everyone and "demo-zoë" in everyone
        assert client.group("demo-field-team")["properties"] == {"room": "B 12", "season": 2026}
        assert client.group("demo-teaching-team")["properties"] == {"course": "Data Science 101"}
        assert report.bytes == exported.bytes > 50_000_000

        # The escaped-name user's data is where their server looks for it.
        client.start_server("demo-zoë", timeout=180)
        code = 'import os; print(open("Données de terrain/relevé n° 1.csv").read(), os.readlink("shared"))'
        assert (
            run_in_kernel(client.url, new.info().admin_token(), "demo-zoë", code) == "site,temp\nA,14.2\n /srv/shared\n"
        )
        client.stop_server("demo-zoë")

        again = import_bundle(tmp_path / "hub.bundle", destination, tmp_path / "new")
        assert again.plan.empty and str(again).startswith("nothing to change")
    finally:
        for hub in (old, new):
            hub.down()
            hub.forget()


def small_export(tmp_path: Path, name: str = "rt-small") -> Path:
    """A bundle of a local hub with two users' homes."""
    spec = load_spec(spec_named(tmp_path, name))
    hub = Hub(spec, tmp_path / "source" / name)
    hub.up()
    try:
        populate(hub, running(hub), big=False)
        export_hub(hub, tmp_path / "small.bundle")
    finally:
        hub.down()
    return tmp_path / "small.bundle"


def test_import_refuses_a_hub_whose_user_has_other_files(tmp_path: Path) -> None:
    bundle = small_export(tmp_path)
    spec = load_spec(spec_named(tmp_path, "rt-small"))
    taken = Hub(spec, tmp_path / "taken" / "rt-small")
    taken.up()
    try:
        taken.write_home("demo-ada", homes.unsafe_home("thesis.tex"))
        client = running(taken)
        before = (client.users(), client.groups())
        with pytest.raises(ImportRefused, match=r"user 'demo-ada' already has other files in their home"):
            import_bundle(bundle, "local", tmp_path / "taken")
        assert (client.users(), client.groups()) == before
        assert not (taken.state_dir / "homes" / "demo-zoë").exists()
        assert sorted(p.name for p in (taken.state_dir / "homes" / "demo-ada").iterdir()) == ["ok.txt", "thesis.tex"]
    finally:
        taken.down()


# --- bad bundles: refused before anything is written -----------------------------------------------


def flipped(path: Path, member: str) -> Path:
    """The bundle with one byte changed inside one member's data."""
    with tarfile.open(path) as tar:
        at = tar.getmember(member).offset_data + 700
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x20
    path.write_bytes(bytes(raw))
    return path


BAD_BUNDLES = {
    "a flipped byte in a home": (
        lambda p: flipped(write_bundle(p, homes.varied_home()), "homes/0001.tar"),
        r"damaged: homes/0001\.tar does not match its SHA-256",
    ),
    "a truncated copy": (
        lambda p: p.write_bytes(write_bundle(p, homes.varied_home()).read_bytes()[:-20000]) and p,
        r"truncated",
    ),
    "a path with ../": (
        lambda p: write_bundle(p, homes.unsafe_home("../../etc/cron.d/evil")),
        r"'\.\./\.\./etc/cron\.d/evil' escapes its folder",
    ),
    "an absolute path": (lambda p: write_bundle(p, homes.unsafe_home("/root/.ssh/authorized_keys")), r"absolute path"),
    "a write through a link": (
        lambda p: write_bundle(
            p,
            homes.archive(
                lambda tar: (
                    homes._add(tar, "out", kind=tarfile.SYMTYPE, link="/etc"),
                    homes._add(tar, "out/passwd", b"x"),
                )
            ),
        ),
        r"written through the link 'out'",
    ),
    "a future format": (
        lambda p: write_bundle(p, homes.varied_home(), made_with_format=FORMAT + 1),
        rf"bundle format {FORMAT + 1} is newer than this communityhubs reads \({FORMAT}\)",
    ),
    "a file that is not a bundle": (
        lambda p: p.write_bytes(b"PK\x03\x04 certainly a zip file" * 100) and p,
        r"not a Community Hubs bundle",
    ),
    "a sealed manifest without counts": (
        lambda p: write_bundle(p, homes.varied_home(), manifest={k: v for k, v in MANIFEST.items() if k != "counts"}),
        r"not a complete bundle: manifest\.json has no 'counts\.users'",
    ),
    "a plain tar": (
        lambda p: p.write_bytes(homes.varied_home()) and p,
        r"not a Community Hubs bundle: it does not begin with bundle\.json",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_bad_bundles_are_refused_and_nothing_is_written(tmp_path: Path, case: str) -> None:
    make, message = BAD_BUNDLES[case]
    bundle = make(tmp_path / "bad.bundle")
    with pytest.raises(BundleError, match=message) as caught:
        import_bundle(bundle, "local", tmp_path / "hubs")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "hubs").exists()  # no state directory, no hub, no homes

    cli = subprocess.run(
        [sys.executable, "-m", "communityhubs", "import", str(bundle), "--target", "local", "--state", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 1 and cli.stdout == ""
    assert cli.stderr.count("\n") == 1 and cli.stderr.startswith("error: ")


def test_every_byte_of_a_bundle_is_checked(tmp_path: Path) -> None:
    """Flip each byte in turn, and cut the file at every block: each copy is refused."""
    good = write_bundle(tmp_path / "good.bundle", homes.varied_home()).read_bytes()
    assert open_bundle(tmp_path / "good.bundle").archives["homes/0001.tar"].files == 3
    copy = tmp_path / "copy.bundle"
    accepted = []
    for at in range(len(good)):
        changed = bytearray(good)
        changed[at] ^= 0x01
        copy.write_bytes(bytes(changed))
        try:
            open_bundle(copy)
            accepted.append(at)
        except BundleError:
            pass
    for end in range(0, len(good), 512):
        copy.write_bytes(good[:end])
        try:
            open_bundle(copy)
            accepted.append(-end)
        except BundleError:
            pass
    assert accepted == []


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="disk full"):
        with BundleWriter(tmp_path / "out.bundle") as bundle:
            bundle.add("spec/hub.yaml", b"name: x\n")
            raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_export_needs_a_running_hub_and_names_what_the_new_hub_needs(tmp_path: Path, own_local_hub) -> None:
    hub, _ = own_local_hub
    bundle = open_bundle(export_hub(hub, tmp_path / "b.bundle").path)
    needs = " ".join(bundle.manifest["new_hub_needs"])
    assert "shared password" in needs and "DNS" in needs
    secrets = [(hub.state_dir / f).read_text().strip() for f in ("admin-token", "shared-password")]
    raw = (tmp_path / "b.bundle").read_bytes()
    assert all(s.encode() not in raw for s in secrets)
    assert bundle.manifest["source"]["target"] == "local" and bundle.manifest["counts"]["users"] == 3
    assert "c.JupyterHub.authenticator_class" in bundle.read("config/jupyterhub_config.py").decode()
    assert "jupyterhub==" in bundle.read("environments/0001/packages.txt").decode()
    validate_spec(yaml.safe_load(bundle.read("spec/hub.yaml")))
    hub.down()
    with pytest.raises(Exception, match="is not running: start it"):
        export_hub(hub, tmp_path / "c.bundle")
    assert not (tmp_path / "c.bundle").exists()


def test_listing_treats_tar_dialects_alike() -> None:
    """GNU tar in a container writes "./a"; Python writes "a": the same home either way."""
    one = homes.archive(lambda tar: homes._add(tar, "./notes/a.txt", b"x"))
    two = homes.archive(lambda tar: homes._add(tar, "notes/a.txt", b"x"))
    assert listing(one).entries == listing(two).entries
    assert json.dumps(listing(one).entries)  # listings are plain data


def test_shared_folders_move_with_the_hub_and_a_local_hub_without_accounts_refuses_them(tmp_path: Path) -> None:
    """docker to docker, as onto a new machine: the old hub and its volumes are gone before the import."""
    need_docker()
    data = yaml.safe_load((SNIPPETS / "examples" / "docker-hub.yaml").read_text())
    data["name"] = "rt-shared"
    (tmp_path / "hub.yaml").write_text(yaml.safe_dump(data))
    spec = load_spec(tmp_path / "hub.yaml")
    old = Hub(spec, tmp_path / "old" / "rt-shared")
    new = Hub(spec, tmp_path / "new" / "rt-shared")
    try:
        old.up()
        old.write_shared("datasets", homes.many_files_home(100))
        export_hub(old, tmp_path / "shared.bundle")
        old.down()
        old.forget()  # the old machine is gone
        assert listing(old.read_shared("datasets")).empty

        # pytest's folders are closed to other accounts: a local hub there cannot hold users to read-only
        with pytest.raises(Exception, match=r"shared_data: needs user servers that run as accounts of their own"):
            import_bundle(tmp_path / "shared.bundle", "local", tmp_path / "elsewhere")
        assert not (tmp_path / "elsewhere").exists()

        report = import_bundle(tmp_path / "shared.bundle", None, tmp_path / "new")  # same kind of target
        assert report.hub.target.name == "docker" and len(report.plan.shared) == 1
        moved = listing(new.read_shared("datasets"))
        assert moved.entries == open_bundle(tmp_path / "shared.bundle").archives["shared/0001.tar"].entries
        assert moved.files == 100
        # docker to docker: the same image, so every package of the environment is the same
        lines = compare(open_bundle(tmp_path / "shared.bundle"), new).environments
        assert len(lines) == 1 and re.fullmatch(r"environment \S+: the same \d+ packages", lines[0]), lines
    finally:
        for hub in (old, new):
            hub.down()
            hub.forget()


def test_progress_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from communityhubs.replicate.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    shown, quiet = Terminal(), io.StringIO()
    for stream in (shown, quiet):
        progress = Progress("import", 2_000_000, stream=stream, every=0)
        progress.add(3, 1_000_000)
        progress.done()
    assert "import: 3 files, 1.0 of 2.0 MB" in shown.getvalue() and "MB/s" in shown.getvalue()
    assert quiet.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    Progress("import", 1, stream=ci, every=0).add(1, 1)
    assert ci.getvalue() == ""


def test_an_import_whose_hub_cannot_start_leaves_nothing(tmp_path: Path) -> None:
    import socket

    from communityhubs.hub import HubError

    bundle = write_bundle(tmp_path / "ok.bundle", homes.varied_home())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(HubError, match=f"{port}"):
            import_bundle(bundle, "local", tmp_path / "hubs", port=port)
    assert list((tmp_path / "hubs").glob("*")) == []


@pytest.mark.parametrize("filters", [True, False], ids=["tarfile filters", "Python 3.11.2, without filters"])
def test_homes_unpack_the_same_with_and_without_tarfile_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filters: bool
) -> None:
    """Debian 12's Python 3.11.2 has no `extractall(filter=...)`: homes still unpack, owned by this account."""
    import os

    from communityhubs.folder_archive import tar_folder, untar_into

    if not filters:
        monkeypatch.delattr(tarfile, "tar_filter", raising=False)
    untar_into(homes.varied_home(), tmp_path / "home")
    assert listing(tar_folder(tmp_path / "home")).entries == listing(homes.varied_home()).entries
    assert all(p.lstat().st_uid == os.getuid() for p in (tmp_path / "home").rglob("*"))


def remote_home() -> bytes:
    """Names a URL must quote (accents, spaces, # and ?), an empty folder, and a hidden file."""

    def build(tar) -> None:  # type: ignore[no-untyped-def]
        homes._add(tar, "Données de terrain", kind=tarfile.DIRTYPE)
        homes._add(tar, "Données de terrain/relevé n° 1.csv", b"site,temp\nA,14.2\n")
        homes._add(tar, "#drafts", kind=tarfile.DIRTYPE)
        homes._add(tar, "#drafts/why? 100%.md", b"quoted\n")
        homes._add(tar, "empty folder", kind=tarfile.DIRTYPE)
        homes._add(tar, ".secret-settings", b"hidden\n")

    return homes.archive(build)


def test_export_by_url_reads_a_hub_it_did_not_start_and_names_what_it_could_not(tmp_path: Path) -> None:
    """`export --url --token-env`: people over REST, homes through each running server, the rest named."""
    spec_file = spec_named(tmp_path, "by-url")
    hub = Hub(load_spec(spec_file), tmp_path / "theirs" / "by-url")
    try:
        hub.up()
        client = running(hub)
        client.create_users(["demo-ada", "demo-lin"])
        for name in ("demo-ada", "demo-lin"):
            hub.write_home(name, remote_home())
        client.start_server("demo-ada")  # demo-lin's server stays stopped
        env = {**os.environ, "THEIR_TOKEN": hub.info().admin_token()}
        args = ["export", "--spec", str(spec_file), "--url", hub.info().url, "--token-env", "THEIR_TOKEN"]

        done = subprocess.run(
            [sys.executable, "-m", "communityhubs", *args, "--out", str(tmp_path / "a.bundle")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert "not read: home of demo-lin: their server is not running" in done.stdout
        assert hub.info().admin_token() not in done.stdout + done.stderr
        bundle = open_bundle(tmp_path / "a.bundle")
        users = {u["name"]: u for u in bundle.json("hub/users.json")}
        assert {"demo-ada", "demo-lin", "demo-admin"} <= set(users) and users["demo-admin"]["admin"]
        seen = {k: v for k, v in listing(remote_home()).entries.items() if not k.startswith(".")}
        assert bundle.archives[users["demo-ada"]["home"]].entries == seen  # every name, quoted right
        assert users["demo-lin"]["home"] is None
        assert any("hidden files" in line for line in bundle.manifest["not_read"])

        done = subprocess.run(
            [sys.executable, "-m", "communityhubs", *args, "--start-servers", "--out", str(tmp_path / "b.bundle")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        users = {u["name"]: u for u in open_bundle(tmp_path / "b.bundle").json("hub/users.json")}
        assert open_bundle(tmp_path / "b.bundle").archives[users["demo-lin"]["home"]].entries == seen
        assert not client.user("demo-lin")["server"]  # started to be read, and stopped again
    finally:
        hub.down()
        hub.forget()


def test_export_by_url_takes_the_token_from_the_environment_only(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_SUCH_TOKEN"}
    out = tmp_path / "x.bundle"
    args = ["export", "--out", str(out), "--url", "http://127.0.0.1:9", "--token-env", "NO_SUCH_TOKEN"]
    done = subprocess.run([sys.executable, "-m", "communityhubs", *args], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "$NO_SUCH_TOKEN is empty or not set" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()


def test_import_by_url_rebuilds_people_and_homes_on_a_hub_it_did_not_start(tmp_path: Path) -> None:
    """`import --url --token-env --start-servers`, as a TLJH admin runs it against their new server:
    users, admins and groups over REST, homes through each user's own server; what the contents
    API cannot write (hidden files) is named, and a second import changes nothing."""
    old_spec, new_spec = spec_named(tmp_path, "url-old"), spec_named(tmp_path, "url-new")
    old = Hub(load_spec(old_spec), tmp_path / "old" / "url-old")
    new = Hub(load_spec(new_spec), tmp_path / "new" / "url-new")
    try:
        old.up()
        client = running(old)
        client.create_users(["demo-ada", "demo-lin"])
        client.create_group("demo-field-team", ["demo-ada"])
        old.write_home("demo-ada", remote_home())
        export_hub(old, tmp_path / "old.bundle")
        new.up()
        env = {**os.environ, "NEW_TOKEN": new.info().admin_token()}
        args = ["import", str(tmp_path / "old.bundle"), "--url", new.info().url, "--token-env", "NEW_TOKEN"]

        def run(*extra: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "communityhubs", *args, *extra],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr
            assert new.info().admin_token() not in done.stdout + done.stderr
            return done.stdout

        said = run("--start-servers")
        assert "not written: home of demo-ada: 1 hidden files and folders" in said, said
        here = running(new)
        assert {"demo-ada", "demo-lin"} <= {u["name"] for u in here.users("demo-")}
        assert here.group("demo-field-team")["users"] == ["demo-ada"]
        seen = {k: v for k, v in listing(remote_home()).entries.items() if not k.startswith(".")}
        got = {k: v for k, v in listing(new.read_home("demo-ada")).entries.items() if not k.startswith(".")}
        assert got == seen  # every name, quoted right; written by the user's own server
        assert not here.user("demo-ada")["server"]  # started to be written, and stopped again
        assert run("--start-servers").startswith("nothing to change")
    finally:
        for hub in (old, new):
            hub.down()
            hub.forget()
