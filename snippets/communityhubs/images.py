"""Build the docker target's images.

- `build_debian_base`: a Debian base image from Debian packages (debootstrap,
  then `docker import`), for machines that cannot pull from a registry.
- `build_user_image`: the user environment from snippets/docker/singleuser,
  with the base image as a build argument and optional extra CA certificates.
Both print the build's progress and reuse Docker's layer cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from . import SNIPPETS, names
from .errors import CommunityHubsError

USER_IMAGE_DIR = SNIPPETS / "docker" / "singleuser"
DEBIAN_BASE = "communityhubs/debian-base:bookworm"
USER_REPOSITORY = "communityhubs/singleuser"


def recipe_tag(folder: Path) -> str:
    """An image's immutable tag: the digest of the recipe it is built from (every file in its
    folder). A changed recipe is a new tag, so a node that holds the old image never runs it in
    place of the new one, and `IfNotPresent` is always right."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "r-" + digest.hexdigest()[:12]


USER_IMAGE = f"{USER_REPOSITORY}:{recipe_tag(USER_IMAGE_DIR)}"


class ImageError(CommunityHubsError, RuntimeError):
    pass


def recipe_folder(image: str) -> Path | None:
    """The folder under snippets/docker/ an image of ours is built from
    (USER_IMAGE from singleuser/, communityhubs/singleuser:with-tabulate from with-tabulate/)."""
    if image == USER_IMAGE:
        return USER_IMAGE_DIR
    repository, _, tag = image.partition(":")
    folder = SNIPPETS / "docker" / tag
    return folder if repository == USER_REPOSITORY and tag and folder.is_dir() else None


def docker_answers() -> bool:
    """True when the docker command exists and an engine answers it."""
    return (
        shutil.which("docker") is not None and subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    )


def image_exists(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def image_size_mb(tag: str) -> float:
    out = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", tag], capture_output=True, text=True)
    return int(out.stdout.strip()) / 1e6


def build_debian_base(tag: str = DEBIAN_BASE, suite: str = "bookworm", mirror: str | None = None) -> float:
    """debootstrap a minimal Debian with python3-venv into a folder and import it. Returns seconds."""
    if not shutil.which("debootstrap"):
        raise ImageError("debootstrap is not installed: `apt-get install debootstrap`")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="debian-base-") as root:
        cmd = [
            "debootstrap",
            "--variant=minbase",
            "--include=python3,python3-venv,ca-certificates",
            suite,
            root,
            *([mirror] if mirror else []),
        ]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        # apt caches and lists are not needed in the image (about half its size).
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (Path(root) / cache).glob("*"):
                if item.is_file():
                    item.unlink()
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", tag], stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
        if tar.wait() != 0:
            raise ImageError(f"tar of {root} failed")
    return time.monotonic() - started


CA_ENV = names.CA_CERTS_ENV


def default_ca_certs() -> list[Path]:
    """The CA certificates an image build trusts besides its own.

    COMMUNITYHUBS_CA_CERTS (paths joined by ':'; empty for none) when set;
    otherwise whatever this machine trusts, so that builds work on networks
    that intercept TLS (corporate proxies, and these machines) without a setting.
    """
    if CA_ENV in os.environ:
        return [Path(p) for p in os.environ[CA_ENV].split(os.pathsep) if p]
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return [Path(candidate)]
    return []


CERTIFICATE_FAILURES = (
    "CERTIFICATE_VERIFY_FAILED",
    "certificate verify failed",
    "SSLError",
    "SSLCertVerificationError",
)


def build_image(
    folder: Path,
    tag: str,
    base_image: str | None = None,
    ca_certs: list[Path] | None = None,
    quiet: bool = False,
) -> float:
    """Build the Dockerfile in `folder` (under snippets/docker/); returns seconds.

    The build runs on the host network so that pip reaches the package index
    the way the host does. Extra CA certificates go into the context's
    ca-certificates/ folder, which Dockerfiles that need them COPY.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="image-") as tmp:
        context = Path(tmp)
        for item in Path(folder).iterdir():
            shutil.copy(item, context / item.name)
        certs = context / "ca-certificates"
        certs.mkdir()
        for i, cert in enumerate(ca_certs or []):
            cert = Path(cert)
            if not cert.is_file():
                raise ImageError(f"--ca-cert {cert}: no such file")
            shutil.copy(cert, certs / f"extra-{i}.crt")  # update-ca-certificates wants .crt
        cmd = ["docker", "build", "--force-rm", "--network", "host", "-t", tag]  # a failed step leaves no container
        if base_image:
            cmd += ["--build-arg", f"BASE_IMAGE={base_image}"]
        cmd.append(str(context))
        output = subprocess.PIPE if quiet else None
        result = subprocess.run(cmd, stdout=output, stderr=subprocess.STDOUT if quiet else None, text=True)
        if result.returncode != 0:
            lines = [ln for ln in (result.stdout or "").splitlines() if ln.strip()]
            why = next((ln for ln in reversed(lines) if "ERROR" in ln or "error" in ln), lines[-1] if lines else "")
            failed = f"docker build of {tag} from {folder} failed (exit {result.returncode})"
            if any(marker in (result.stdout or "") for marker in CERTIFICATE_FAILURES):
                raise ImageError(
                    f"{failed}: a TLS certificate check failed inside the build (is TLS intercepted on this "
                    f"network?): set {CA_ENV}=/path/to/ca-bundle.crt to trust your network's CA"
                )
            raise ImageError(f"{failed}: {why.strip()[:300]}")
    return time.monotonic() - started


def build_user_image(
    tag: str = USER_IMAGE, base_image: str | None = None, ca_certs: list[Path] | None = None, quiet: bool = False
) -> float:
    """The community's user image (snippets/docker/singleuser)."""
    return build_image(USER_IMAGE_DIR, tag, base_image, ca_certs, quiet)


def ensure_images(base_image: str | None = None, ca_certs: list[Path] | None = None) -> str:
    """Build what the docker target needs; '' when done, else why nothing was built.

    With no base image given, one is built from Debian packages once (this
    needs no registry); the user image is rebuilt every time, which Docker's
    layer cache makes cheap when nothing changed.
    """
    if not docker_answers():
        return "no Docker engine answers"
    base_image = base_image or os.environ.get(names.BASE_IMAGE_ENV)
    if not base_image:
        base_image = DEBIAN_BASE
        if not image_exists(base_image):
            build_debian_base(base_image)
    build_user_image(USER_IMAGE, base_image=base_image, ca_certs=ca_certs or default_ca_certs(), quiet=True)
    return ""


def push_image(image: str, registry: str) -> tuple[str, str]:
    """Tag `image` under `registry` (host[:port][/path]) with the same immutable tag and push it.
    Returns (the name a cluster pulls, its content digest): the name to give environment.image."""
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        raise ImageError(f"image {image!r}: no tag; push an image by its immutable tag")
    if tag == "latest":
        raise ImageError(f"image {image!r}: ':latest' names whatever was pushed last; push an immutable tag")
    if not image_exists(image):
        raise ImageError(f"image {image!r} is not on this machine: build it first (communityhubs image build)")
    pushed = f"{registry.rstrip('/')}/{name.rsplit('/', 1)[-1]}:{tag}"
    tagged_here = not image_exists(pushed)
    subprocess.run(["docker", "tag", image, pushed], check=True)
    done = subprocess.run(["docker", "push", "--quiet", pushed], capture_output=True, text=True)
    if done.returncode != 0:
        if tagged_here:  # a failed push leaves no new name behind (the image itself stays)
            subprocess.run(["docker", "image", "rm", pushed], capture_output=True)
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise ImageError(f"docker push {pushed} failed: {why}")
    digests = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", pushed],
        capture_output=True,
        text=True,
    ).stdout.split()
    repository = pushed.rpartition(":")[0]
    digest = next((d.partition("@")[2] for d in digests if d.startswith(repository + "@")), "")
    return pushed, digest
