"""The docker target: rendering (always), and real containers where Docker runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from communityhubs import SNIPPETS
from communityhubs.client import HubClient
from communityhubs.local_hub import HubError, LocalHub, LocalPorts
from communityhubs.spec import load_spec

DOCKER_SPEC = SNIPPETS / "examples" / "docker-hub.yaml"


def docker_problem() -> str:
    try:
        from communityhubs.docker_target import docker_ready
    except ImportError as err:
        return str(err)
    return docker_ready()


def need_docker() -> None:
    """In CI Docker is part of the job: its absence is a failure, not a skip."""
    problem = docker_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide Docker: {problem}")
        pytest.skip(f"needs Docker: {problem}")


def test_render_docker_maps_spec_to_dockerspawner() -> None:
    from communityhubs.docker_target import render_docker

    traits = render_docker(load_spec(DOCKER_SPEC), LocalPorts(8000, 8081, 8001), Path("/state"), ["chp"])
    docker = traits["HostNetworkDockerSpawner"]
    assert traits["JupyterHub"]["spawner_class"] == "communityhubs.docker_spawner.HostNetworkDockerSpawner"
    assert docker["mem_limit"] == "256M" and docker["cpu_limit"] == 0.5
    assert docker["volumes"] == {"chub-docker-demo-home-{username}": "/home/jovyan"}
    assert docker["shared_volumes"] == {"chub-docker-demo-shared-datasets": "/srv/shared/datasets"}
    assert docker["remove"] is True and docker["pull_policy"] == "never"
    assert "SimpleLocalProcessSpawner" not in traits


def test_unknown_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HubError, match=r"target: 'kubernetes' cannot run on this machine"):
        LocalHub(load_spec(), tmp_path, target="kubernetes")


def test_containers_volumes_and_cleanup(tmp_path: Path) -> None:
    need_docker()
    from communityhubs.docker_target import remove_volumes
    from communityhubs.kernel import run_in_kernel

    spec = load_spec(DOCKER_SPEC)
    hub = LocalHub(spec, tmp_path / "hub")
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
    remove_volumes(spec)
    volumes = subprocess.run(["docker", "volume", "ls", "-q"], capture_output=True, text=True).stdout.split()
    assert not [v for v in volumes if v.startswith("chub-docker-demo-")]  # ...until removed on purpose


def test_missing_image_is_reported(tmp_path: Path) -> None:
    need_docker()
    spec = load_spec(DOCKER_SPEC)
    spec.data["environment"] = {"image": "communityhubs/not-built:never"}
    with pytest.raises(HubError, match=r"environment.image: 'communityhubs/not-built:never' is not built here"):
        LocalHub(spec, tmp_path / "hub").up()


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


def test_profiles_render_to_allowed_images() -> None:
    from communityhubs.docker_target import render_docker

    spec = load_spec(SNIPPETS / "examples" / "docker-profiles.yaml")
    traits = render_docker(spec, LocalPorts(8000, 8081, 8001), Path("/state"), ["chp"])
    assert traits["HostNetworkDockerSpawner"]["allowed_images"] == {
        "standard": "communityhubs/singleuser:latest",
        "tables": "communityhubs/singleuser:with-tabulate",
    }
