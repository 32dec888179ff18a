"""The Littlest JupyterHub's own code reads what the tljh target renders (issue: TLJH, a fourth target).

For every example spec: the rendered `tljh-config` commands, run as written by TLJH 2.0.0's own
CLI, make exactly the rendered config.yaml; TLJH's hub configuration (its configurer's
`apply_config`, then our jupyterhub_config.d file) loads it under the hub versions TLJH's installer
gives today (tests/support/tljh-hub-requirements.txt), and tests/support/hub_probe.py asks it the same questions
as our local target's jupyterhub_config.py. Every difference is a row of DIFFERENCES, with its
reason, or a failure. Specs the target refuses are refused in one line naming the key.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from communityhubs import names
from communityhubs.import_config.tljh_config import DEFAULTS as TLJH_DEFAULTS
from communityhubs.sections.culling import SERVICE as CULLER_SERVICE
from communityhubs.sections.login import login_secrets
from communityhubs.spec import HubSpec, SpecError, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import COMMANDS_FILE, CONFIG_FILE, EXTRA_FILE

from tests.support.chart_hub import ask_our_hub
from tests.support.hub_questions import facts, password, password_users, questions
from tests.support.tljh_hub import TLJH_SPECS, ask_tljh_hub, run_commands, traefik_config
from tests.support.two_at_a_time import ask_ahead

TLJH = TARGETS["tljh"]
TLJH_CULLER = "cull-idle"  # tljh/configurer.py names its culler service so


# Differences between TLJH's hub and our local hub that are right, each with its reason.
DIFFERENCES: dict[str, str] = {
    "app.spawner_class": "where servers run: TLJH's UserCreatingSpawner (SystemdSpawner, a Unix account and a "
    "systemd unit per user), ours a process per user",
    "start.*.extra_paths": "TLJH's servers find their programs in its user environment first (/opt/tljh/user/bin, "
    "where user-environment.sh registers kernels); ours run from the hub's own Python",
    "culling.concurrency": "TLJH passes its own services.cull.concurrency (5); we leave the culler's default (10)",
    "culling.rights": "TLJH's culler is an admin service; ours has a role with only the scopes it needs",
    "authenticator.create_users": "first use: TLJH's configurer turns FirstUseAuthenticator.create_users off (its "
    "own default), FirstUse's is on; either way the listed people, whom the hub makes at start, get in",
}
# Settings TLJH's configurer always states, whose empty value means what leaving them out means.
SAID_WHEN_EMPTY: dict[str, Any] = {"authenticator.blocked_users": [], "culling.max-age": "0"}


def secret_files(spec: HubSpec) -> dict[str, str]:
    values = {names.SHARED_PASSWORD_FILE: password(), names.ADMIN_PASSWORD_FILE: secrets.token_urlsafe(32)}
    values |= {names.ADMIN_TOKEN_FILE: secrets.token_hex(32), names.OAUTH_SECRET_FILE: "not-a-real-secret"}
    return values


@functools.cache
def both_answers(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(TLJH's hub, our local hub): their answers to the same questions."""
    spec = load_spec(path)
    values = secret_files(spec)
    asked = questions(spec, values[names.SHARED_PASSWORD_FILE], values[names.ADMIN_PASSWORD_FILE])
    tljh = ask_tljh_hub(TLJH.render(spec), values, asked)
    oauth_env = spec.data["authenticator"].get("client_secret_env")
    env = {oauth_env: values[names.OAUTH_SECRET_FILE]} if oauth_env else {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # HTTPS and the public address are the proxy's (Traefik on TLJH), and the local target
        # serves only 127.0.0.1 with a certificate it is given: the hubs are compared without them.
        # Languages are installed on TLJH's server by a script of their own (test_tljh_languages.py).
        hub_only = HubSpec(spec.source, {k: v for k, v in spec.data.items() if k not in ("https", "public_address")})
        if "languages" in spec.section("environment"):
            hub_only.data["environment"] = {k: v for k, v in spec.data["environment"].items() if k != "languages"}
        (folder / "jupyterhub_config.py").write_text(TARGETS["local"].render(hub_only)["jupyterhub_config.py"])
        for name, value in values.items():
            (folder / name).write_text(value)
            (folder / name).chmod(0o600)
        ours = ask_our_hub(folder, asked, env)
    return tljh, ours


@pytest.fixture(scope="module", autouse=True)
def _answers_asked_two_at_a_time() -> None:
    ask_ahead(both_answers, TLJH_SPECS)


def compared(answers: dict[str, Any], culler: str) -> dict[str, Any]:
    out = facts(answers, kube=False, culler_name=culler)
    roles = out.pop("app.load_roles")
    out["app.load_roles"] = [role for role in roles if role["name"] != CULLER_SERVICE]
    service = next((s for s in answers["app"]["services"] if s["name"] == culler), None)
    culler_role = next((role for role in roles if role["name"] == CULLER_SERVICE), None)
    if service:
        out["culling.rights"] = "admin" if service.get("admin") else (culler_role or {}).get("scopes")
    return out


@pytest.mark.parametrize("path", TLJH_SPECS, ids=lambda p: p.stem)
def test_the_commands_make_exactly_the_rendered_config_yaml(path: Path, tmp_path: Path) -> None:
    files = TLJH.render(load_spec(path))
    made = run_commands(files[COMMANDS_FILE], tmp_path / "opt-tljh")
    assert made.read_text() == files[CONFIG_FILE]


@pytest.mark.parametrize("path", TLJH_SPECS, ids=lambda p: p.stem)
def test_tljh_loads_the_files_without_a_warning(path: Path) -> None:
    tljh, _ = both_answers(path)
    assert tljh["warnings"] == []


@pytest.mark.parametrize("path", TLJH_SPECS, ids=lambda p: p.stem)
def test_tljh_gives_the_same_hub_as_local_but_for_the_reasoned_differences(path: Path) -> None:
    tljh, ours = both_answers(path)
    on_tljh, on_local = compared(tljh, TLJH_CULLER), compared(ours, CULLER_SERVICE)
    if "culling" not in load_spec(path).data:  # left to each platform: TLJH's own culler runs, JupyterHub runs none
        theirs = TLJH_DEFAULTS["services"]["cull"]
        culler = {k: on_tljh.get(f"culling.{k}") for k in ("timeout", "cull-every")}
        assert culler == {"timeout": str(theirs["timeout"]), "cull-every": str(theirs["every"])}
        assert on_local["culling.enabled"] is False
        on_tljh, on_local = (
            {k: v for k, v in side.items() if not k.startswith("culling.")} for side in (on_tljh, on_local)
        )
    for key, empty in SAID_WHEN_EMPTY.items():
        if on_tljh.get(key) == empty and key not in on_local:
            del on_tljh[key]
    unexplained = {
        key: (on_tljh.get(key, "<absent>"), on_local.get(key, "<absent>"))
        for key in sorted(set(on_tljh) | set(on_local))
        if on_tljh.get(key, "<absent>") != on_local.get(key, "<absent>")
        and not any(fnmatch.fnmatchcase(key, pattern) for pattern in DIFFERENCES)
    }
    assert not unexplained, "\n".join(f"{k}: tljh {t!r}, local {o!r}" for k, (t, o) in unexplained.items())


@pytest.mark.parametrize("path", [p for p in TLJH_SPECS if password_users(p)], ids=lambda p: p.stem)
def test_on_tljh_the_shared_password_logs_users_in_and_only_the_admins_password_makes_admins(path: Path) -> None:
    spec = load_spec(path)
    tljh, _ = both_answers(path)
    users = [x for x in tljh["logins"] if x["user"] not in spec.admins]
    assert users and all(x["accepted"] and not x["admin"] for x in users), users
    admins = [(x["accepted"], x["admin"]) for x in tljh["logins"] if x["user"] in spec.admins]
    assert admins == [(True, True), (False, None)] * len(spec.admins), admins


def changed(**sections: Any) -> HubSpec:
    spec = load_spec()
    return HubSpec(spec.source, {**spec.data, **sections})


def test_values_tljh_config_would_read_otherwise_go_in_the_python_file(tmp_path: Path) -> None:
    """tljh-config reads 0.5 as a float its schema refuses for limits.cpu, and digits as a number:
    such values are set in jupyterhub_config.d instead, and TLJH's hub still gets them."""
    spec = changed(limits={"cpu_limit": 0.5, "mem_limit": "1G"}, environment={"env": {"COURSE": "101"}})
    files = TLJH.render(spec)
    assert "limits.cpu" not in files[COMMANDS_FILE] and "c.Spawner.cpu_limit = 0.5" in files[EXTRA_FILE]
    run_commands(files[COMMANDS_FILE], tmp_path / "opt-tljh")  # every command is one tljh-config takes
    asked = {"users": {"demo-ada": {"admin": False}}, "starts": [{"user": "demo-ada", "options": {}}], "logins": []}
    started = ask_tljh_hub(files, secret_files(spec), asked)["starts"][0]["spawner"]
    assert (started["cpu_limit"], started["mem_limit"]) == (0.5, 1 << 30)


@pytest.mark.parametrize(
    ("section", "value", "key"),
    [
        ("limits", {"mem_guarantee": "512M"}, "limits.mem_guarantee"),
        ("environment", {"image": "quay.io/jupyter/scipy-notebook:2026-11-30"}, "environment.image"),
        ("public_address", {"type": "ingress", "host": "hub.example.org"}, "public_address.type ingress"),
    ],
)
def test_what_tljh_cannot_say_is_refused_in_one_line_naming_the_key(section: str, value: Any, key: str) -> None:
    with pytest.raises(SpecError) as refused:
        TLJH.render(changed(**{section: value}))
    message = str(refused.value)
    assert "\n" not in message and f": {key}: the tljh target cannot use this key: " in message, message


@pytest.mark.parametrize("name", ["hub.yaml", "examples/github-login.yaml"])
def test_the_scripts_secret_lines_make_files_only_their_owner_reads(name: str, tmp_path: Path) -> None:
    """The lines before the first tljh-config command, run by bash (sudo as a pass-through, the
    state folder moved into tmp_path): each secret in a 0600 file, the OAuth one from its variable."""
    from communityhubs import SNIPPETS
    from communityhubs.targets.tljh import SECRETS_DIR

    spec = load_spec(SNIPPETS / name)
    script = TLJH.render(spec)[COMMANDS_FILE]
    head = script.split("\n# The new config.yaml", 1)[0].replace(SECRETS_DIR, str(tmp_path / "secrets"))
    env_name = spec.data["authenticator"].get("client_secret_env", "UNUSED")
    client_secret = "s3cret with spaces & $igns"
    subprocess.run(
        ["bash", "-euc", 'sudo() { "$@"; }\n' + head],
        check=True,
        env={"PATH": os.environ["PATH"], env_name: client_secret},
    )
    made = {p.name: p for p in (tmp_path / "secrets").iterdir()}
    expected = {names.ADMIN_TOKEN_FILE, *(s.file for s in login_secrets(spec))}
    expected |= {names.OAUTH_SECRET_FILE} if "client_secret_env" in spec.data["authenticator"] else set()
    assert set(made) == expected
    assert {oct(p.stat().st_mode & 0o777) for p in made.values()} == {"0o600"}
    assert oct((tmp_path / "secrets").stat().st_mode & 0o777) == "0o700"
    assert len(made[names.ADMIN_TOKEN_FILE].read_text().strip()) == 64
    if names.OAUTH_SECRET_FILE in made:
        assert made[names.OAUTH_SECRET_FILE].read_text() == client_secret


def test_hub_up_on_tljh_is_refused_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """TLJH runs on a server of its own: `hub up --target tljh` says what to do instead."""
    state = tmp_path / "state"
    done = subprocess.run(
        [sys.executable, "-m", "communityhubs", "hub", "up", "--target", "tljh", "--state", str(state)],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    said = done.stderr.strip()
    assert "\n" not in said and "the tljh target cannot run here" in said and "render --target tljh" in said, said
    assert not state.exists()


CERTIFICATE = {"certificate": "/etc/ssl/hub/fullchain.pem", "key": "/etc/ssl/hub/privkey.pem"}


@pytest.mark.parametrize(
    "spec",
    [
        *(load_spec(p) for p in TLJH_SPECS),
        changed(https=CERTIFICATE),
        changed(https=CERTIFICATE, public_address={"type": "load-balancer"}),
    ],
    ids=lambda s: f"{s.source_name}-{s.settings['public_address.type']}-{'+'.join(s.section('https')) or 'http'}",
)
def test_traefik_serves_the_hub_where_and_how_the_spec_says(spec: HubSpec) -> None:
    """What TLJH's own code writes for Traefik from the config.yaml our commands make: the addresses
    it listens on, the redirect to HTTPS, and the certificate (Let's Encrypt's, or the given files)."""
    written = traefik_config(TLJH.render(spec))
    static, dynamic = written["static"], written["dynamic"]
    host = "127.0.0.1" if spec.settings["public_address.type"] == "loopback" else ""
    https = spec.section("https")
    assert static["entryPoints"]["http"]["address"] == f"{host}:80"
    assert ("https" in static["entryPoints"]) == bool(https)
    if not https:
        return
    assert static["entryPoints"]["https"]["address"] == f"{host}:443"
    assert static["entryPoints"]["http"]["http"]["redirections"]["entryPoint"]["to"] == "https"
    stores = dynamic["tls"]["stores"]["default"]
    if "letsencrypt" in https:
        acme = static["certificatesResolvers"]["letsencrypt"]["acme"]
        assert acme["email"] == https["letsencrypt"]["contact_email"] and "tlsChallenge" in acme
        domain = stores["defaultGeneratedCert"]["domain"]
        assert [domain["main"], *domain["sans"]] == https["letsencrypt"]["hosts"]
    else:
        assert "certificatesResolvers" not in static
        certificate = stores["defaultCertificate"]
        assert (certificate["certFile"], certificate["keyFile"]) == (https["certificate"], https["key"])


def test_the_defaults_import_config_assumes_are_tljhs_own() -> None:
    """import-config fills what a config.yaml leaves out with TLJH's defaults: they must be the ones
    in tljh/configurer.py, read from TLJH's code, not from our copy."""
    from communityhubs.import_config.tljh_config import DEFAULTS
    from communityhubs.import_config.values_files import leaves
    from communityhubs.mapping import dig

    from tests.support.tljh_hub import tljh_python

    read = "import json; from tljh.configurer import default; print(json.dumps(default))"
    done = subprocess.run([str(tljh_python()), "-c", read], capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout)
    ours = {leaf: dig(DEFAULTS, leaf) for leaf in leaves(DEFAULTS)}
    assert ours == {leaf: dig(theirs, leaf) for leaf in ours}
