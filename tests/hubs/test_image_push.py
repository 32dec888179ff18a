"""`communityhubs image push`: the user image, under its immutable tag, into a real registry
(Debian's docker-registry, the CNCF distribution server, on 127.0.0.1), ready for a cluster named
with --context to pull."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from communityhubs import SNIPPETS
from communityhubs.images import USER_IMAGE, ensure_images
from communityhubs.spec import HubSpec, load_spec
from communityhubs.targets import TARGETS

from tests.support.needs import need_docker, require

REGISTRY_CONFIG = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    need_docker()
    require("docker-registry (Debian's registry server)", "" if shutil.which("docker-registry") else "not installed")
    port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(REGISTRY_CONFIG.format(root=tmp_path / "blobs", port=port))
    server = subprocess.Popen(
        ["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"  # Docker trusts a registry on 127.0.0.0/8 without TLS
    finally:
        server.terminate()
        server.wait(timeout=10)
        names = subprocess.run(
            ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True
        ).stdout.split()
        ours = [n for n in names if n.startswith(f"127.0.0.1:{port}/")]
        if ours:  # the registry's names for our image, not the image
            subprocess.run(["docker", "image", "rm", *ours], capture_output=True)


def push(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "communityhubs", "image", "push", *args], capture_output=True, text=True
    )


def test_the_user_image_is_pushed_under_its_immutable_tag_and_a_named_cluster_takes_it(registry: str) -> None:
    assert ensure_images() == ""
    tag = USER_IMAGE.rpartition(":")[2]
    assert tag.startswith("r-") and tag != "latest"
    done = push(f"{registry}/community")
    assert done.returncode == 0, done.stderr
    pushed = f"{registry}/community/singleuser:{tag}"
    assert f"environment.image: {pushed}" in done.stdout
    # The registry itself holds the tag, under the digest the command printed.
    with urllib.request.urlopen(f"http://{registry}/v2/community/singleuser/tags/list", timeout=10) as answer:
        assert json.load(answer)["tags"] == [tag]
    request = urllib.request.Request(
        f"http://{registry}/v2/community/singleuser/manifests/{tag}",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Docker-Content-Digest"] in done.stdout
    # The image a cluster can pull: `hub up --context` plans with it where it refused ours.
    spec = load_spec(SNIPPETS / "hub.yaml")
    spec = HubSpec(spec.source, {**spec.data, "environment": {**spec.data.get("environment", {}), "image": pushed}})
    plan = TARGETS["kubernetes"].runner(spec, Path("/nonexistent"), context="my-cluster").plan().text()
    assert f"name: {registry}/community/singleuser" in plan and f"tag: {tag}" in plan


def test_a_push_that_cannot_happen_says_why_in_one_line(registry: str) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    for args, says in [
        ((nowhere,), f"docker push {nowhere}/singleuser:"),
        ((registry, "--tag", "communityhubs/singleuser:latest"), "':latest' names whatever was pushed last"),
        ((registry, "--tag", "communityhubs/not-built:r-0"), "is not on this machine"),
        ((), "name the registry"),
    ]:
        done = push(*args)
        assert done.returncode != 0 and says in done.stderr, (args, done.stderr)
        assert done.stderr.strip().count("\n") == 0, done.stderr
    names = subprocess.run(["docker", "images", "--format", "{{.Repository}}"], capture_output=True, text=True)
    assert f"{nowhere}/singleuser" not in names.stdout.split()  # the failed push left no name behind
