"""`communityhubs import-config`: a provider's values files -> a hub spec, and back."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from communityhubs import SNIPPETS
from communityhubs.import_config import canonical, import_config
from communityhubs.import_config.values_files import ImportConfigError, leaves
from communityhubs.mapping import merge
from communityhubs.spec import HubSpec, SpecError, load_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.kubernetes import reservations

from tests.support.paths import communityhubs

EXAMPLES = [SNIPPETS / "hub.yaml", *sorted((SNIPPETS / "examples").glob("*.yaml"))]
CAMPUS = SNIPPETS / "provider-values" / "example-campus"
CAMPUS_FILES = [CAMPUS / "common.values.yaml", CAMPUS / "campus.values.yaml"]


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


# --- round trip ---------------------------------------------------------------------------


def with_platform_culler(spec: HubSpec, culling: dict[str, Any]) -> HubSpec:
    """A spec without `culling` leaves it to the platform; an import from that platform states what
    its culler did, so the hub keeps it on any target (said in the report as the platform's default)."""
    if "culling" in spec.data:
        return spec
    return HubSpec(source=spec.source, data={**spec.data, "culling": culling})


def with_reservations(spec: HubSpec) -> HubSpec:
    """Where a spec sets limits and no guarantee, the kubernetes target reserves memory and CPU for
    every pod; an import from its values states them, so the hub reserves them on any target."""
    reserved = reservations(spec).get("singleuser", {})
    limits = dict(spec.data.get("limits", {}))
    limits |= {"mem_guarantee": reserved["memory"]["guarantee"]} if "memory" in reserved else {}
    limits |= {"cpu_guarantee": reserved["cpu"]["guarantee"]} if "cpu" in reserved else {}
    return HubSpec(source=spec.source, data={**spec.data, "limits": limits}) if limits else spec


CHART_CULLER = {"enabled": True, "timeout": 3600, "every": 600, "max_age": 0}  # Zero to JupyterHub 4.4.0's cull
TLJH_CULLER = {"enabled": True, "timeout": 600, "every": 60, "max_age": 0}  # TLJH 2.0.0's services.cull


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_rendering_to_values_and_importing_back_gives_the_same_spec(path: Path, tmp_path: Path) -> None:
    values = write(tmp_path, "values.yaml", TARGETS["kubernetes"].render(load_spec(path))["values.yaml"])
    spec = with_reservations(with_platform_culler(load_spec(path), CHART_CULLER))
    data, report = import_config([values], name=spec.name, target=spec.data.get("target"))
    assert canonical(data) == canonical(json.loads(json.dumps(spec.data)))
    imported = HubSpec(source=spec.source, data=data)
    for target in TARGETS.values():
        try:
            expected = target.render(spec)
        except Exception as err:  # a target that refuses the spec refuses the import in the same words
            with pytest.raises(type(err), match=re.escape(str(err)[:40])):
                target.render(imported)
            continue
        assert target.render(imported) == expected, target.name
    assert not any("no equivalent" in why for _, why in report.left_out), report.left_out


# --- the provider's shapes ----------------------------------------------------------------


def test_the_campus_example_carries_login_admins_profiles_and_culling() -> None:
    data, report = import_config(CAMPUS_FILES, image_map={"quay.io/example-campus/course-image:2026.09": "my/lab:1"})
    assert data["name"] == "campus"
    auth = data["authenticator"]
    assert auth["type"] == "cilogon"
    assert list(auth["allowed_idps"]) == [
        "https://login.example.edu/idp/shibboleth",
        "http://google.com/accounts/o8/id",
    ]
    assert auth["allowed_idps"]["https://login.example.edu/idp/shibboleth"]["allowed_domains"] == ["example.edu"]
    assert data["admins"] == ["lead@example.edu", "ta@example.edu"]
    assert data["environment"]["image"] == "my/lab:1"
    course, research = data["environment"]["profiles"]
    assert [c["limits"]["mem_limit"] for c in course["options"][0]["choices"]] == ["1G", "2G"]
    assert research["image"] == "quay.io/example-campus/research-image:2026.09"  # not mapped, no default image
    assert data["culling"] == {"enabled": True, "timeout": 1800, "every": 600, "max_age": 28800}
    assert data["limits"]["mem_limit"] == "1G"  # from common.values.yaml
    carried = dict(report.carried)
    assert "replaced by my/lab:1" in carried["jupyterhub.singleuser.image"]
    left = dict(report.left_out)
    assert left["jupyterhub-home-nfs"].startswith("another chart")
    # The provider's node pool comes across for a cluster (the file names no target here).
    assert course["node_selector"] == {"node.kubernetes.io/instance-type": "n2-highmem-4"}
    assert any(what == "the OAuth client secret" for what, _ in report.must_give)


def test_every_value_in_the_files_is_in_the_report() -> None:
    _, report = import_config(CAMPUS_FILES)
    named = {key.split(" (")[0].split(": ")[0].removesuffix(".*") for key, _ in report.carried + report.left_out}
    values = {leaf for path in CAMPUS_FILES for leaf in leaves(yaml.safe_load(path.read_text()))}
    assert len(values) > 20
    for leaf in values:
        assert any(leaf == key or leaf.startswith(key + ".") for key in named), f"{leaf} is not in the report"


def helm_values(auth_class: str, cls: str, traits: dict[str, Any], admins: list[str]) -> dict[str, Any]:
    config = {"JupyterHub": {"authenticator_class": auth_class}, cls: traits, "Authenticator": {"admin_users": admins}}
    return {"hub": {"config": config}}


@pytest.mark.parametrize(
    ("auth_class", "cls", "traits", "expected"),
    [
        (
            "github",
            "GitHubOAuthenticator",
            {"allowed_organizations": ["lab"], "scope": ["read:org"]},
            {"type": "github", "allowed_organizations": ["lab"], "scope": ["read:org"]},
        ),
        (
            "google",
            "GoogleOAuthenticator",
            {
                "allowed_hosted_domains": ["uni.edu"],
                "strip_domain": False,
                "username_claim": "email",
                "allow_all": True,
            },
            {"type": "google", "hosted_domains": ["uni.edu"], "strip_domain": False, "allow_all": True},
        ),
        (
            "cilogon",
            "CILogonOAuthenticator",
            {"allowed_idps": {"urn:mace:incommon:uni.edu": {"username_derivation": {"username_claim": "eppn"}}}},
            {
                "type": "cilogon",
                "allowed_idps": {"urn:mace:incommon:uni.edu": {"username_derivation": {"username_claim": "eppn"}}},
            },
        ),
        ("shared-password", "SharedPasswordAuthenticator", {}, {"type": "shared-password"}),
    ],
    ids=["github", "google", "cilogon", "shared-password"],
)
def test_each_login_method_is_carried(auth_class: str, cls: str, traits: dict, expected: dict, tmp_path: Path) -> None:
    values = write(tmp_path, "hub.values.yaml", {"jupyterhub": helm_values(auth_class, cls, traits, ["Ada@Uni.edu"])})
    data, report = import_config([values], callback_url="https://new.example.org/hub/oauth_callback")
    assert {k: v for k, v in data["authenticator"].items() if k in expected} == expected
    assert data["admins"] == ["ada@uni.edu"]  # JupyterHub lowercases usernames
    if auth_class != "shared-password":
        assert data["authenticator"]["callback_url"] == "https://new.example.org/hub/oauth_callback"
        assert data["authenticator"]["client_secret_env"] == "OAUTH_CLIENT_SECRET"


def test_daskhub_values_are_unwrapped_and_later_files_win(tmp_path: Path) -> None:
    login = {"hub": {"config": {"JupyterHub": {"authenticator_class": "github"}}}}
    common = {"basehub": {"jupyterhub": {"singleuser": {"defaultUrl": "/tree"}, **login}}}
    first = write(tmp_path, "common.values.yaml", common)
    second = write(
        tmp_path,
        "dask.values.yaml",
        {
            "basehub": {"jupyterhub": {"singleuser": {"defaultUrl": "/lab", "extraEnv": {"A": "1"}}}},
            "dask-gateway": {"enabled": True},
        },
    )
    data, report = import_config([first, second])
    assert data["name"] == "dask"
    assert data["environment"] == {"default_url": "/lab", "env": {"A": "1"}}
    assert ("dask-gateway", dict(report.left_out)["dask-gateway"]) in report.left_out
    assert "basehub.jupyterhub.singleuser.defaultUrl" in dict(report.carried)


def test_lists_are_replaced_not_appended(tmp_path: Path) -> None:
    one = write(tmp_path, "a.values.yaml", helm_values("dummy", "DummyAuthenticator", {}, ["ada", "grace"]))
    two = write(tmp_path, "b.values.yaml", helm_values("dummy", "DummyAuthenticator", {}, ["alan"]))
    data, _ = import_config([one, two])
    assert data["admins"] == ["alan"]


def test_a_secret_in_plain_text_is_never_carried_nor_shown(tmp_path: Path) -> None:
    traits = {"client_id": "abc", "client_secret": "s3cret-value-xyz", "allowed_organizations": ["lab"]}
    values = write(tmp_path, "h.values.yaml", helm_values("github", "GitHubOAuthenticator", traits, []))
    done = communityhubs("import-config", str(values), "--out", "hub.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "s3cret-value-xyz" not in done.stdout + done.stderr + (tmp_path / "hub.yaml").read_text()
    assert "client_secret" in done.stdout and "never imported" in done.stdout


# --- bad input: one line, and no spec written ----------------------------------------------

SOPS = """\
jupyterhub:
  hub:
    config:
      GitHubOAuthenticator:
        client_secret: ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]
sops:
  mac: ENC[AES256_GCM,data:xyz=,iv:a=,tag:b=,type:str]
  version: 3.10.2
"""


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("- a\n- b\n", [], "a values file must be a YAML mapping of keys, got list"),
        ("a: [b\n", [], "not valid YAML"),
        (SOPS, [], "encrypted with sops"),
        (
            yaml.safe_dump(helm_values("tmp", "TmpAuthenticator", {}, [])),
            [],
            "hub.config.JupyterHub.authenticator_class: 'tmp' has no equivalent in the hub spec",
        ),
        (
            yaml.safe_dump(
                {**helm_values("github", "GitHubOAuthenticator", {}, []), "singleuser": {"memory": {"limit": "lots"}}}
            ),
            [],
            "'lots' is not a memory size",
        ),
        ("a: 1\n", ["--image-map", "nothing-to-map"], "--image-map 'nothing-to-map': expected FROM=TO"),
    ],
    ids=["a list", "broken yaml", "sops", "unknown authenticator", "bad memory", "bad image map"],
)
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    content: str, args: list[str], message: str, tmp_path: Path
) -> None:
    values = write(tmp_path, "bad.values.yaml", content)
    (tmp_path / "hub.yaml").write_text("# the admin's own spec, kept\n")
    done = communityhubs("import-config", str(values), "--out", "hub.yaml", *args, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert (tmp_path / "hub.yaml").read_text() == "# the admin's own spec, kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.values.yaml", "hub.yaml"]


def test_aliases_are_read_but_cannot_explode(tmp_path: Path) -> None:
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)
    )
    with pytest.raises(ImportConfigError, match="more than 200000 values once aliases are expanded"):
        import_config([write(tmp_path, "bomb.values.yaml", bomb)])


def test_the_cli_writes_a_spec_that_passes_check(tmp_path: Path) -> None:
    args = [str(p) for p in CAMPUS_FILES]
    done = communityhubs("import-config", *args, "--out", "out/hub.yaml", "--default-image", "my/lab:1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Carried over (")
    assert "Left out (" in done.stdout and "The new hub must be given (" in done.stdout
    check = communityhubs("check", "out/hub.yaml", cwd=tmp_path)
    assert check.returncode == 0 and "ok (campus)" in check.stdout
    text = (tmp_path / "out" / "hub.yaml").read_text()
    assert text.startswith("# Imported by `communityhubs import-config`")
    assert "quay.io" not in yaml.safe_load(text)["environment"]["image"]


def test_shared_folders_come_across_from_the_charts_list_form_and_map_form(tmp_path: Path) -> None:
    """Chart 4 keeps extraVolumes as a map (our form); older files write a list. Both mean the same."""
    spec = load_spec(SNIPPETS / "examples" / "docker-hub.yaml")
    values = yaml.safe_load(TARGETS["kubernetes"].render(spec)["values.yaml"])
    storage = values["singleuser"]["storage"]
    assert isinstance(storage["extraVolumes"], dict)
    as_map, _ = import_config([write(tmp_path, "map.yaml", values)], name=spec.name)
    storage["extraVolumes"] = list(storage["extraVolumes"].values())
    storage["extraVolumeMounts"] = list(storage["extraVolumeMounts"].values())
    as_list, _ = import_config([write(tmp_path, "list.yaml", values)], name=spec.name)
    assert as_list["shared_data"] == as_map["shared_data"] == [{"name": "datasets"}]  # read-only: the default


def test_a_values_file_without_a_login_is_refused_not_given_the_charts_test_login(tmp_path: Path) -> None:
    """The chart's default lets any password in as anyone, admins included: never carried over."""
    values = write(tmp_path, "values.yaml", {"hub": {"config": {"Authenticator": {"admin_users": ["ada"]}}}})
    with pytest.raises(ImportConfigError, match=r"^hub\.config\.JupyterHub\.authenticator_class: not set") as err:
        import_config([values])
    assert "\n" not in str(err.value)


def test_a_profile_for_some_groups_only_is_not_offered_to_everyone(tmp_path: Path) -> None:
    """basehub filters profiles by group; the spec cannot yet, so such a profile is left out, and a
    start request for it is refused on the new hub, for a user outside the group as for anyone."""
    from communityhubs.docker_spawner import ProfilesDockerSpawner
    from communityhubs.traits import profile_list
    from tornado import web

    gpu = {
        "display_name": "GPU",
        "slug": "gpu",
        "allowed_groups": ["ml-team"],
        "kubespawner_override": {"mem_limit": "32G", "extra_resource_limits": {"nvidia.com/gpu": "1"}},
    }
    standard = {"display_name": "Standard", "slug": "standard", "default": True}
    values = helm_values("dummy", "DummyAuthenticator", {}, ["ada"])
    values["singleuser"] = {"profileList": [standard, gpu]}
    data, report = import_config([write(tmp_path, "values.yaml", values)])
    assert [p["name"] for p in data["environment"]["profiles"]] == ["standard"]
    assert "offered only to the groups ml-team: not carried" in dict(report.left_out)["singleuser.profileList[1]"]
    spec = HubSpec("imported.yaml", data)
    someone = SimpleNamespace(name="demo-outsider", admin=False, groups=[])
    spawner = ProfilesDockerSpawner(profile_list=profile_list(spec), user=someone)
    with pytest.raises(web.HTTPError, match="'gpu' is not offered"):
        spawner.apply_profile({"profile": "gpu"})


# --- the provider chart's own defaults (issue 23, fault 3) -----------------------------------

GITHUB_LOGIN = {"hub": {"config": {"JupyterHub": {"authenticator_class": "github"}}}}


@pytest.mark.parametrize(
    ("wrap", "default_url", "whose"),
    [
        (lambda jh: {"jupyterhub": jh}, "/tree", "basehub's default"),
        (lambda jh: {"basehub": {"jupyterhub": jh}}, "/lab", "daskhub's default"),
    ],
    ids=["basehub", "daskhub"],
)
def test_keys_a_provider_file_leaves_out_get_the_provider_charts_defaults(wrap, default_url, whose, tmp_path) -> None:
    """basehub sets its own values under a hub's files: 600 s to start, 256M/1G, 0.05 CPU,
    servers culled after 7 days. A file that leaves them out ran with those, not the chart's."""
    data, report = import_config(
        [write(tmp_path, "hub.values.yaml", wrap({**GITHUB_LOGIN, "cull": {"timeout": 1800}}))]
    )
    assert data["limits"] == {"start_timeout": 600, "mem_limit": "1G", "mem_guarantee": "256M", "cpu_guarantee": 0.05}
    assert data["environment"]["default_url"] == default_url
    assert data["culling"]["max_age"] == 604800 and data["culling"]["timeout"] == 1800  # the file's own value wins
    carried = dict(report.carried)
    assert all(whose in carried[k] for k in carried if k.endswith(("startTimeout", "maxAge", "memory.limit")))
    assert carried[next(k for k in carried if k.endswith("cull.timeout"))] == "culling.timeout"  # from the file
    # basehub's http_timeout (120) has no place in a spec with one timeout: said, not dropped silently
    assert any(k.endswith("KubeSpawner.http_timeout: 120") and whose in why for k, why in report.left_out)


def test_a_plain_zero_to_jupyterhub_file_gets_no_provider_defaults(tmp_path: Path) -> None:
    data, report = import_config([write(tmp_path, "hub.values.yaml", GITHUB_LOGIN)])
    assert "limits" not in data or "mem_limit" not in data["limits"]
    assert not any("basehub's default" in why for _, why in report.carried + report.left_out)


def test_pre_pulling_and_the_pull_secret_are_carried_with_each_charts_default(tmp_path: Path) -> None:
    """Zero to JupyterHub pre-pulls unless told not to; basehub turns both pre-pullers off."""
    plain, _ = import_config([write(tmp_path, "plain.yaml", GITHUB_LOGIN)])
    assert plain["environment"]["pre_pull"] is True
    basehub, _ = import_config([write(tmp_path, "basehub.yaml", {"jupyterhub": GITHUB_LOGIN})])
    assert "pre_pull" not in basehub.get("environment", {})
    values = merge(
        GITHUB_LOGIN,
        {"prePuller": {"hook": {"enabled": False}}, "singleuser": {"image": {"pullSecrets": ["quay", "ghcr"]}}},
    )
    data, report = import_config([write(tmp_path, "some.yaml", values)])
    assert data["environment"] == {"pull_secret": "quay", "pre_pull": True}
    assert ("prePuller", "environment.pre_pull: only the continuous one ran") in report.carried
    assert any(key == "singleuser.image.pullSecrets" and "first" in why for key, why in report.left_out)


# --- The Littlest JupyterHub's config.yaml -------------------------------------------------


def tljh_renders(path: Path) -> bool:
    try:
        TARGETS["tljh"].render(load_spec(path))
    except SpecError:
        return False
    return True


@pytest.mark.parametrize("path", [p for p in EXAMPLES if tljh_renders(p)], ids=lambda p: p.name)
def test_a_tljh_config_yaml_imports_into_a_spec_that_renders_back_to_the_same_file(path: Path, tmp_path: Path) -> None:
    tljh = TARGETS["tljh"]
    rendered = tljh.render(load_spec(path))["config.yaml"]
    if load_spec(path).data["authenticator"]["type"] == "cilogon":  # its identity providers are in the Python file
        with pytest.raises(ImportConfigError, match=r"^auth.CILogonOAuthenticator.idps: not in config.yaml"):
            import_config([write(tmp_path, "config.yaml", rendered)])
        return
    data, report = import_config([write(tmp_path, "config.yaml", rendered)], name="from-tljh")
    assert data["target"] == "tljh"
    if "culling" not in load_spec(path).data:  # TLJH's own culler ran: the import says so, explicitly
        assert data["culling"] == TLJH_CULLER
        rendered = tljh.render(with_platform_culler(load_spec(path), TLJH_CULLER))["config.yaml"]
    assert tljh.render(HubSpec(source=tmp_path / "hub.yaml", data=data))["config.yaml"] == rendered
    assert "jupyterhub_config.d/*.py" in dict(report.left_out)  # what it could not read, said


def test_a_tljh_config_yaml_with_tljhs_defaults_says_whose_they_are(tmp_path: Path) -> None:
    """A config.yaml as an admin keeps it: what it leaves out is TLJH's default, said as such;
    its Unix groups, ports and secrets are left out with the reason."""
    config = {
        "auth": {"type": "github", "GitHubOAuthenticator": {"client_id": "Ov23liTljhId", "client_secret": "s3cret"}},
        "users": {"admin": ["ada"], "extra_user_groups": {"docker": ["ada"]}},
        "limits": {"memory": "4G", "cpu": 2},
        "http": {"port": 8080},
    }
    data, report = import_config([write(tmp_path, "config.yaml", yaml.safe_dump(config))], name="lab")
    assert data["culling"] == {"enabled": True, "timeout": 600, "every": 60, "max_age": 0}
    assert data["limits"]["mem_limit"] == "4G" and data["limits"]["cpu_limit"] == 2
    assert data["public_address"] == {"type": "load-balancer"}
    carried = dict(report.carried)
    assert carried["services.cull.timeout"] == (
        "culling.timeout: TLJH 2.0.0's default (tljh/configurer.py), not set in the file"
    )
    left = dict(report.left_out)
    assert left["auth.GitHubOAuthenticator.client_secret"] == "a secret: never imported, nor shown"
    assert "Unix groups" in left["users.extra_user_groups.docker"] and "port" in left["http.port"]
    assert "s3cret" not in repr(data) + report.table()


def test_a_tljh_config_yaml_without_a_login_gets_tljhs_own_first_use_login(tmp_path: Path) -> None:
    """TLJH's default login is FirstUseAuthenticator, letting everyone in when no one is listed
    (tljh/configurer.py); the passwords people chose stay behind, and the report says so."""
    path = write(tmp_path, "config.yaml", yaml.safe_dump({"users": {"admin": ["ada"]}}))
    data, report = import_config([path])
    assert data["authenticator"] == {"type": "firstuse", "allow_all": True}
    assert "passwords" in dict(report.must_give)
    path = write(tmp_path, "config.yaml", yaml.safe_dump({"users": {"admin": ["ada"], "allowed": ["bo"]}}))
    data, _ = import_config([path])
    assert data["authenticator"] == {"type": "firstuse"}  # listed people: only they get in


def test_a_choice_for_some_groups_only_is_not_offered_to_everyone(tmp_path: Path) -> None:
    """basehub also filters a profile's choices by group: a 256 GB GPU choice for one team must
    not become everyone's. The choice is left out with its reason; the others come across."""
    machine = {
        "display_name": "Machine",
        "choices": {
            "small": {"display_name": "Small", "default": True, "kubespawner_override": {"mem_limit": "4G"}},
            "huge": {
                "display_name": "256 GB GPU",
                "allowed_groups": ["ml-team"],
                "kubespawner_override": {"mem_limit": "256G"},
            },
        },
    }
    profile = {"display_name": "Python", "slug": "python", "profile_options": {"machine": machine}}
    values = helm_values("dummy", "DummyAuthenticator", {}, ["ada"])
    values["singleuser"] = {"profileList": [profile]}
    data, report = import_config([write(tmp_path, "values.yaml", values)])
    (option,) = data["environment"]["profiles"][0]["options"]
    assert [c["name"] for c in option["choices"]] == ["small"]
    left = dict(report.left_out)
    huge = left["singleuser.profileList[0].profile_options.machine.choices.huge"]
    assert "offered only to the groups ml-team: not carried" in huge


def test_oauth_group_settings_are_named_one_by_one(tmp_path: Path) -> None:
    traits = {"allowed_groups": ["staff"], "admin_groups": ["ops"], "manage_groups": True, "claim_groups_key": "groups"}
    urls = {f"{kind}_url": f"https://login.example.org/{kind}" for kind in ("authorize", "token", "userdata")}
    urls["username_claim"] = "email"
    values = helm_values("generic-oauth", "GenericOAuthenticator", {**traits, **urls}, ["ada"])
    _, report = import_config(
        [write(tmp_path, "values.yaml", values)], callback_url="https://new.example.org/hub/oauth_callback"
    )
    table = report.table()
    for trait in traits:
        assert f"hub.config.GenericOAuthenticator.{trait}" in table, table
    assert "keys)" not in table.split("GenericOAuthenticator.allowed_groups")[1].splitlines()[0]


def test_home_and_database_storage_come_back_from_the_values(tmp_path: Path) -> None:
    """Sizes and classes the chart makes claims with are read back; shared data's class lives in
    the claims file beside values.yaml, which import-config is not given."""
    spec = load_spec(SNIPPETS / "hub.yaml")
    storage = {"home_capacity": "20G", "home_class": "premium-rwo", "database_class": ""}
    spec = HubSpec(source=spec.source, data={**spec.data, "storage": storage})
    values = write(tmp_path, "values.yaml", TARGETS["kubernetes"].render(spec)["values.yaml"])
    data, report = import_config([values], name=spec.name)
    assert data["storage"] == storage
    read = ("singleuser.storage.capacity", "singleuser.storage.dynamic.storageClass", "hub.db.pvc.storageClassName")
    assert not [key for key, _ in report.left_out if key in read], report.left_out


@pytest.mark.parametrize(
    "address",
    [
        {"type": "ingress", "host": "hub.example.org", "ingress_class": "nginx"},
        {
            "type": "ingress",
            "host": "hub.example.org",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt-prod", "nginx.ingress.kubernetes.io/x": "1"},
        },
    ],
    ids=["class", "cert-manager"],
)
def test_the_ingress_class_and_annotations_come_back_from_the_values(address: dict, tmp_path: Path) -> None:
    spec = load_spec(SNIPPETS / "hub.yaml")
    spec = HubSpec(source=spec.source, data={**spec.data, "public_address": address})
    values = write(tmp_path, "values.yaml", TARGETS["kubernetes"].render(spec)["values.yaml"])
    data, report = import_config([values], name=spec.name)
    assert data["public_address"] == address
    assert not [key for key, _ in report.left_out if key.startswith("ingress")], report.left_out


def test_a_reserved_address_comes_back_with_the_load_balancer_lets_encrypt_needs(tmp_path: Path) -> None:
    spec = load_spec(SNIPPETS / "examples" / "https-letsencrypt.yaml")
    address = {"type": "load-balancer", "address": "203.0.113.10"}
    spec = HubSpec(source=spec.source, data={**spec.data, "public_address": address})
    values = write(tmp_path, "values.yaml", TARGETS["kubernetes"].render(spec)["values.yaml"])
    data, _ = import_config([values], name=spec.name)
    assert data["public_address"] == address


def test_node_pools_tolerations_and_gpus_come_back_and_stay_off_one_machine_targets(tmp_path: Path) -> None:
    """basehub's GPU profiles: a node pool, a taint tolerated, a GPU (a string in its files). The
    chart's own user-node tolerations, which the rendering adds again, are not the spec's."""
    gpu = {
        "display_name": "GPU",
        "slug": "gpu",
        "kubespawner_override": {
            "node_selector": {"cloud.google.com/gke-nodepool": "nb-gpu"},
            "tolerations": {"gpu": {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present"}},
            "extra_resource_limits": {"nvidia.com/gpu": "1"},
        },
    }
    values = merge(GITHUB_LOGIN, {"singleuser": {"profileList": [gpu]}})
    data, report = import_config([write(tmp_path, "gpu.yaml", values)])
    (profile,) = data["environment"]["profiles"]
    assert profile["node_selector"] == {"cloud.google.com/gke-nodepool": "nb-gpu"}
    assert profile["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present"}]
    assert profile["extra_resource_limits"] == {"nvidia.com/gpu": 1}
    # Rendered again, the chart's user-node tolerations come first, then the profile's.
    spec = HubSpec(source="gpu.yaml", data=data)
    again = yaml.safe_load(TARGETS["kubernetes"].render(spec)["values.yaml"])
    tolerations = again["singleuser"]["profileList"][0]["kubespawner_override"]["tolerations"]
    assert [t["key"] for t in tolerations] == [
        "hub.jupyter.org/dedicated",
        "hub.jupyter.org_dedicated",
        "nvidia.com/gpu",
    ]
    reimported, _ = import_config([write(tmp_path, "again.yaml", again)])
    assert reimported["environment"]["profiles"][0]["tolerations"] == profile["tolerations"]
    # For one machine, they are left out, each with the reason.
    docker, report = import_config([write(tmp_path, "gpu.yaml", values)], target="docker")
    assert not set(docker["environment"]["profiles"][0]) & {"node_selector", "tolerations", "extra_resource_limits"}
    left = dict(report.left_out)
    assert "the docker target runs them here" in left["singleuser.profileList[0].kubespawner_override.node_selector"]
