"""The docker target: rendering (always), and real containers where Docker runs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from communityhubs import SNIPPETS
from communityhubs.client import HubClient
from communityhubs.hub import Hub
from communityhubs.spec import SpecError, load_spec
from communityhubs.targets import TARGETS
from communityhubs.traits import profile_list

from tests.support.needs import need_docker

DOCKER_SPEC = SNIPPETS / "examples" / "docker-hub.yaml"


def rendered(spec_file: Path) -> str:
    return TARGETS["docker"].render(load_spec(spec_file))["jupyterhub_config.py"]


def test_render_docker_maps_spec_to_dockerspawner() -> None:
    text = rendered(DOCKER_SPEC)
    # Shared data needs our small subclass; a hub without it or profiles runs DockerSpawner itself.
    assert "c.JupyterHub.spawner_class = 'communityhubs.docker_spawner.SharedDataDockerSpawner'" in text
    plain = load_spec(DOCKER_SPEC)
    del plain.data["shared_data"]
    assert "c.JupyterHub.spawner_class = 'docker'" in TARGETS["docker"].render(plain)["jupyterhub_config.py"]
    assert "c.DockerSpawner.network_name = 'chub-docker-demo'" in text
    assert "c.DockerSpawner.host_ip = '127.0.0.1'" in text and "c.DockerSpawner.use_internal_ip = False" in text
    assert "c.Spawner.mem_limit = '256M'" in text and "c.Spawner.cpu_limit = 0.5" in text
    assert "c.DockerSpawner.volumes = {'chub-docker-demo-home-{username}': '/home/jovyan'}" in text
    assert "'chub-docker-demo-shared-datasets': {'path': '/srv/shared/datasets', 'read_only': True}" in text
    assert "c.DockerSpawner.remove = True" in text and "c.DockerSpawner.pull_policy = 'never'" in text
    assert "SimpleLocalProcessSpawner" not in text


def test_unknown_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"^target 'mars' is not one of: local, docker, kubernetes, tljh$"):
        Hub(load_spec(), tmp_path, target="mars")


def test_containers_volumes_and_cleanup(tmp_path: Path) -> None:
    need_docker()
    from communityhubs.kernel import run_in_kernel

    spec = load_spec(DOCKER_SPEC)
    hub = Hub(spec, tmp_path / "hub")
    info = hub.up()
    try:
        api = HubClient(info.url, info.admin_token())
        api.start_server("demo-grace")
        out = run_in_kernel(info.url, info.admin_token(), "demo-grace", "import os; print(os.getuid(), os.getcwd())")
        assert out == "1000 /home/jovyan\n"
        names = subprocess.run(
            ["docker", "ps", "--format", "{{.Names}} {{.Ports}}"], capture_output=True, text=True
        ).stdout
        assert "chub-docker-demo-demo-2dgrace" in names
    finally:
        hub.down()
    left = subprocess.run(
        ["docker", "ps", "-aq", "--filter", "name=^chub-docker-demo-"], capture_output=True, text=True
    )
    assert left.stdout.strip() == ""
    volumes = subprocess.run(["docker", "volume", "ls", "-q"], capture_output=True, text=True).stdout.split()
    assert "chub-docker-demo-home-demo-2dgrace" in volumes  # data outlives the hub...
    hub.forget()
    volumes = subprocess.run(["docker", "volume", "ls", "-q"], capture_output=True, text=True).stdout.split()
    assert not [v for v in volumes if v.startswith("chub-docker-demo-")]  # ...until removed on purpose


def test_missing_image_is_reported(tmp_path: Path) -> None:
    need_docker()
    spec = load_spec(DOCKER_SPEC)
    spec.data["environment"] = {"image": "communityhubs/not-built:never"}
    with pytest.raises(SpecError, match=r"environment.image: .*'communityhubs/not-built:never' is not built here"):
        Hub(spec, tmp_path / "hub").up()
    assert not (tmp_path / "hub").exists()  # refused before anything was written


def test_failed_image_build_says_why_in_one_line(tmp_path: Path) -> None:
    need_docker()
    from communityhubs.images import USER_IMAGE, ImageError, build_image, image_exists

    (tmp_path / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN pip install no-such-package-xyz==0.0.0\n"
    )
    with pytest.raises(ImageError) as err:
        build_image(tmp_path, "communityhubs/broken:test", base_image=USER_IMAGE, quiet=True)
    message = str(err.value)
    assert "\n" not in message and "communityhubs/broken:test" in message and "exit" in message
    assert "no-such-package-xyz" in message or "ERROR" in message
    assert not image_exists("communityhubs/broken:test")


def test_profiles_render_as_kubespawners_profile_list_for_our_spawner() -> None:
    spec = load_spec(SNIPPETS / "examples" / "docker-profiles.yaml")
    text = rendered(SNIPPETS / "examples" / "docker-profiles.yaml")
    assert "c.JupyterHub.spawner_class = 'communityhubs.docker_spawner.ProfilesDockerSpawner'" in text
    namespace: dict = {}
    line = next(ln for ln in text.split("\n\n") if "c.ProfilesDockerSpawner.profile_list" in ln)
    exec(line.split("\n", 1)[1].replace("c.ProfilesDockerSpawner.profile_list =", "profile_list ="), namespace)
    assert namespace["profile_list"] == profile_list(spec)  # the list Zero to JupyterHub gets as profileList
    assert [p["slug"] for p in namespace["profile_list"]] == ["standard", "tables"]
    large = namespace["profile_list"][0]["profile_options"]["size"]["choices"]["large"]
    assert large["kubespawner_override"] == {"mem_limit": "2G", "cpu_limit": 2}


def test_guarantees_become_docker_reservations() -> None:
    spec = load_spec(DOCKER_SPEC)
    spec.data["limits"] |= {"mem_guarantee": "128M", "cpu_guarantee": 0.25}
    text = TARGETS["docker"].render(spec)["jupyterhub_config.py"]
    assert "c.DockerSpawner.extra_host_config = {'mem_reservation': 134217728, 'cpu_shares': 256}" in text


def test_read_only_false_makes_a_share_writable_for_everyone() -> None:
    spec = load_spec(DOCKER_SPEC)
    spec.data["shared_data"] = [{"name": "scratch", "read_only": False}]
    assert "'read_only': False" in TARGETS["docker"].render(spec)["jupyterhub_config.py"]


def test_home_data_is_written_and_read_through_the_volume(tmp_path: Path) -> None:
    need_docker()
    import io
    import tarfile

    hub = Hub(load_spec(DOCKER_SPEC), tmp_path, target="docker")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("notes/hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    try:
        hub.write_home("demo-ada", buffer.getvalue())
        volumes = subprocess.run(["docker", "volume", "ls", "-q"], capture_output=True, text=True).stdout.split()
        assert "chub-docker-demo-home-demo-2dada" in volumes  # DockerSpawner's escaped name
        back = tarfile.open(fileobj=io.BytesIO(hub.read_home("demo-ada")))
        member = back.extractfile("./notes/hello.txt")
        assert member is not None and member.read() == b"hello"
    finally:
        hub.forget()


def test_the_spawn_page_offers_each_profile_and_option_and_reads_the_choice_as_the_api_does() -> None:
    from communityhubs.docker_spawner import ProfilesDockerSpawner
    from communityhubs.traits import profile_list

    spawner = ProfilesDockerSpawner(
        profile_list=profile_list(load_spec(SNIPPETS / "examples" / "docker-profiles.yaml"))
    )
    form = spawner.options_form
    assert form.count('type="radio" name="profile"') == 2
    assert '<select name="profile-option-standard--size">' in form
    assert '<option value="small" selected>Small (512 MB)</option>' in form
    fields = {"profile": ["standard"], "profile-option-standard--size": ["large"], "profile-option-tables--x": ["y"]}
    assert spawner.options_from_form(fields) == {"profile": "standard", "size": "large"}


@pytest.mark.parametrize(
    "request_body, refused",
    [
        ({"profile": "standard", "size": "large"}, ""),
        ({"profile": "standard", "profile-option-size": "large"}, "'profile-option-size' is not an option"),
        ({"profile": "standard", "size": "huge"}, "size: 'huge' is not offered"),
    ],
)
def test_a_start_request_names_the_option_bare_as_kubespawner_reads_it(request_body: dict, refused: str) -> None:
    """KubeSpawner 7 reads {"profile": NAME, OPTION: CHOICE}; the spawn form's `profile-option-` names are
    not a request format, and a request using them is refused here rather than given the default choice."""
    from communityhubs.docker_spawner import ProfilesDockerSpawner
    from communityhubs.traits import profile_list
    from tornado import web

    spec = load_spec(SNIPPETS / "examples" / "docker-profiles.yaml")
    spawner = ProfilesDockerSpawner(profile_list=profile_list(spec), user=SimpleNamespace(name="demo-ada", admin=False))
    if refused:
        with pytest.raises(web.HTTPError, match=refused):
            spawner.apply_profile(request_body)
    else:
        spawner.apply_profile(request_body)
        assert spawner.mem_limit == 2 * 1024**3
