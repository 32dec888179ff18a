"""A hub served over HTTPS with a certificate it is given (the spec's `https` section)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from communityhubs.hub import Hub
from communityhubs.hubprocess import hub_answers
from communityhubs.spec import SpecError, load_spec, validate_spec


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made by openssl, as an admin would for a test machine."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def spec_with(tmp_path: Path, https: dict) -> Path:
    data = load_spec().data | {"https": https}
    path = tmp_path / "hub.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_hub_serves_its_own_certificate_and_no_plain_http(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "hub")
    other, _ = self_signed(tmp_path, "other")
    hub = Hub(load_spec(spec_with(tmp_path, {"certificate": str(cert), "key": str(key)})), tmp_path / "state")
    info = hub.up()
    try:
        assert info.url.startswith("https://127.0.0.1:")
        assert requests.get(f"{info.url}/hub/api/", verify=str(cert), timeout=10).json()["version"].startswith("6.")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{info.url}/hub/api/", verify=str(other), timeout=10)  # trusts another certificate only
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(info.url.replace("https://", "http://") + "/hub/api/", timeout=10)
        assert hub_answers(info.url, certificate=str(cert))
        assert not hub_answers(info.url, certificate=str(other))  # readiness means *our* certificate
    finally:
        hub.down()


def test_a_certificate_that_cannot_be_read_is_named_and_nothing_is_started(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    spec = load_spec(spec_with(tmp_path, {"certificate": str(missing), "key": str(missing)}))
    with pytest.raises(SpecError, match=rf"https.certificate: '{missing}' does not exist or cannot be read$"):
        Hub(spec, tmp_path / "state").up()
    assert not (tmp_path / "state").exists()


@pytest.mark.parametrize(
    ("https", "message"),
    [
        ({"certificate": "/etc/tls/hub.pem"}, "https.key: missing, needed with https.certificate"),
        ({"key": "/etc/tls/hub.key"}, "https.certificate: missing, needed with https.key"),
        (
            {"certificate": "/a.pem", "key": "/a.key", "letsencrypt": {"contact_email": "a@b.org", "hosts": ["b.org"]}},
            "https.letsencrypt: choose either certificate and key, or letsencrypt, not both",
        ),
        ({}, "https: give certificate and key, or letsencrypt"),
        (
            {"certificate": "hub.pem", "key": "/a.key"},
            "https.certificate: 'hub.pem' is not valid, expected an absolute",
        ),
    ],
)
def test_half_an_https_section_is_refused_in_one_line(https: dict, message: str) -> None:
    data = {"name": "h", "authenticator": {"type": "dummy"}, "https": https}
    with pytest.raises(SpecError, match=message):
        validate_spec(data, "h.yaml")
