"""`https` and `public_address`: the hub's front door, on every target and back. Who serves TLS
(JupyterHub's proxy with a certificate it is given, Zero to JupyterHub's autohttps or an ingress,
TLJH's Traefik) and where people reach it (this machine only, a public address, an ingress host);
what each target refuses, such as Let's Encrypt where its challenge cannot reach the proxy.
"""

from __future__ import annotations

from typing import Any

from .. import names
from ..errors import ImportConfigError
from ..formats.file_values import FileValues
from ..formats.helm_values import Values
from ..formats.python_lines import Section
from ..formats.tljh_commands import Part
from ..hubprocess import HOST
from ..spec import HubSpec
from . import refuse

# --- local and docker: jupyterhub_config.py ------------------------------------------------------


def https_jupyterhub_config(spec: HubSpec) -> Section:
    s = Section("https", "HTTPS: the proxy serves the hub with this certificate")
    https = spec.section("https")
    if "certificate" in https:
        s.set("JupyterHub.ssl_cert", https["certificate"])
        s.set("JupyterHub.ssl_key", https["key"], "readable by the hub's account only")
    return s


# Where a spec leaves public_address.type out, each platform's own default stands (the schema's
# x-unset says the same in words, and tests/unit/test_spec.py holds the two together).
PLATFORM_ADDRESS = {"tljh": "load-balancer"}  # TLJH's Traefik serves every address; the rest: loopback


def address_type(spec: HubSpec, target: str) -> str:
    """public_address.type as `target` takes it: the spec's, else the platform's own default."""
    return spec.settings["public_address.type"] or PLATFORM_ADDRESS.get(target, "loopback")


def refuse_on_this_machine(spec: HubSpec, target: str) -> None:
    """Local and docker: JupyterHub serves a certificate it is given, on 127.0.0.1 only."""
    if "letsencrypt" in spec.section("https"):
        why = (
            "JupyterHub here serves a certificate it is given: get one for your domain (certbot, or "
            "The Littlest JupyterHub's tljh-config) and set https.certificate and https.key"
        )
        raise refuse(spec, "https.letsencrypt", target, why)
    kind = address_type(spec, target)
    if kind != "loopback":
        why = (
            "the hub listens on 127.0.0.1 only: put a reverse proxy with HTTPS in front of it "
            "(or run it with The Littlest JupyterHub, or on kubernetes)"
        )
        raise refuse(spec, f"public_address.type: {kind}", target, why)


# --- Zero to JupyterHub: values.yaml -------------------------------------------------------------


def https_values_yaml(spec: HubSpec) -> Values:
    """The chart's proxy.https: Let's Encrypt for public domains, or your certificate from a Secret.
    Behind an ingress, the ingress controller serves the certificate instead (public_address)."""
    settings = spec.section("https")
    if "letsencrypt" in settings:
        encrypt = settings["letsencrypt"]
        tls = {
            "enabled": True,
            "hosts": list(encrypt["hosts"]),
            "letsencrypt": {"contactEmail": encrypt["contact_email"]},
        }
        return {"proxy": {"https": tls}}
    if "certificate" in settings and address_type(spec, "kubernetes") != "ingress":
        # kubectl -n NAME create secret tls NAME-tls --cert=CERTIFICATE --key=KEY (the plan does this)
        return {
            "proxy": {
                "https": {"enabled": True, "type": "secret", "secret": {"name": names.tls_secret_name(spec.name)}}
            }
        }
    return {}


def address_values_yaml(spec: HubSpec) -> Values:
    """How users reach the proxy: only through port-forward (loopback), the Service's own address
    from the cluster (load-balancer), or an Ingress for the host, which serves the certificate."""
    kind = address_type(spec, "kubernetes")
    address = spec.section("public_address")
    if kind == "loopback":
        return {"proxy": {"service": {"type": "ClusterIP"}}}
    if kind == "load-balancer":
        reserved = {"loadBalancerIP": address["address"]} if "address" in address else {}
        return {"proxy": {"service": {"type": "LoadBalancer", **reserved}}}
    host = spec.settings["public_address.host"]
    ingress: Values = {"enabled": True, "hosts": [host]}
    if "ingress_class" in address:
        ingress["ingressClassName"] = address["ingress_class"]
    if address.get("annotations"):
        ingress["annotations"] = dict(address["annotations"])
    if "certificate" in spec.section("https") or CERT_MANAGER_ISSUERS & set(address.get("annotations", {})):
        # A certificate you have is put in this Secret by `hub up`; cert-manager fills it itself.
        ingress["tls"] = [{"hosts": [host], "secretName": names.tls_secret_name(spec.name)}]
    return {"proxy": {"service": {"type": "ClusterIP"}}, "ingress": ingress}


CERT_MANAGER_ISSUERS = {"cert-manager.io/cluster-issuer", "cert-manager.io/issuer"}


def refuse_on_the_chart(spec: HubSpec) -> None:
    """Let's Encrypt's challenge comes to port 80 of the host from the internet: only a public
    Service can answer it (the chart's autohttps); an ingress serves its own certificates."""
    kind = address_type(spec, "kubernetes")
    if "letsencrypt" in spec.section("https") and kind != "load-balancer":
        why = (
            "Let's Encrypt must reach the proxy on port 80 of your domain: set public_address.type: load-balancer"
            if kind == "loopback"
            else "behind an ingress, TLS is the ingress controller's: give https.certificate and https.key"
        )
        raise refuse(spec, f"https.letsencrypt with public_address.type {kind}", "kubernetes", why)


# --- The Littlest JupyterHub: tljh-config --------------------------------------------------------


def https_tljh(spec: HubSpec) -> Part:
    """Traefik, TLJH's proxy, serves HTTPS: with Let's Encrypt, or a certificate you have."""
    settings = spec.section("https")
    part = Part("https")
    if "letsencrypt" in settings:
        encrypt = settings["letsencrypt"]
        part.say("https.enabled", "", True)
        part.say("https.letsencrypt.email", "", encrypt["contact_email"])
        part.say("https.letsencrypt.domains", "", list(encrypt["hosts"]))
    elif "certificate" in settings:
        part.say("https.enabled", "", True)
        part.say("https.tls.cert", "", settings["certificate"])
        part.say("https.tls.key", "", settings["key"])
    return part


def address_tljh(spec: HubSpec) -> Part:
    """TLJH listens on every address of the server (ports 80 and 443); loopback keeps it to this machine."""
    kind = address_type(spec, "tljh")
    if kind == "ingress":
        raise refuse(spec, "public_address.type ingress", "tljh", "TLJH's own Traefik is the server's front door")
    if "letsencrypt" in spec.section("https") and kind != "load-balancer":
        why = (
            "Let's Encrypt's TLS challenge must reach Traefik on port 443 of your domain: "
            "leave public_address.type out, or set load-balancer"
        )
        raise refuse(spec, f"https.letsencrypt with public_address.type {kind}", "tljh", why)
    part = Part("public_address")
    if kind == "loopback":
        part.say("http.address", "", HOST)
        if spec.section("https"):
            part.say("https.address", "", HOST)
    reserved = spec.section("public_address").get("address")
    if reserved:
        part.code(
            f"# public_address.address {reserved}: the server's own public address (reserve it with your "
            "cloud and point DNS at it); Traefik listens on every address, so nothing here changes"
        )
    return part


# --- back to the spec, for import-config ---------------------------------------------------------


def https_from_values_yaml(values: FileValues) -> dict[str, Any]:
    """proxy.https: Let's Encrypt comes across; a certificate in a Secret is the provider's to hand over."""
    tls = values.get("proxy.https") or {}
    if not tls.get("enabled"):
        return {}
    encrypt = tls.get("letsencrypt") or {}
    if tls.get("type", "letsencrypt") == "letsencrypt" and encrypt.get("contactEmail") and tls.get("hosts"):
        values.take("proxy.https.enabled")
        values.take("proxy.https.hosts", to="https.letsencrypt.hosts")
        values.take("proxy.https.letsencrypt.contactEmail", to="https.letsencrypt.contact_email")
        values.take("proxy.https.type")
        return {"letsencrypt": {"contact_email": encrypt["contactEmail"], "hosts": list(tls["hosts"])}}
    values.report.must_give.append(
        ("a TLS certificate and key", "the provider's are in a Kubernetes Secret; set https.certificate and https.key")
    )
    return {}


def address_from_values_yaml(values: FileValues, secure: dict[str, Any]) -> dict[str, Any]:
    """How users reached the old hub, where the spec needs it: an ingress for a host, or the
    public Service that Let's Encrypt must reach. Otherwise the new hub gets its own."""
    ingress = values.get("ingress") or {}
    if ingress.get("enabled") and ingress.get("hosts"):
        values.take("ingress.enabled")
        values.take("ingress.hosts", to="public_address.host")
        found: dict[str, Any] = {"type": "ingress", "host": ingress["hosts"][0]}
        if ingress.get("ingressClassName"):
            found["ingress_class"] = values.take("ingress.ingressClassName", to="public_address.ingress_class")
        if ingress.get("annotations"):
            annotations = values.take("ingress.annotations", to="public_address.annotations")
            found["annotations"] = {str(k): str(v) for k, v in annotations.items()}
            if CERT_MANAGER_ISSUERS & set(found["annotations"]):
                values.take("ingress.tls")  # cert-manager's Secret: made again from the annotations
        return found
    if "letsencrypt" in secure and values.get("proxy.service.type", "LoadBalancer") == "LoadBalancer":
        values.take("proxy.service.type", to="public_address.type")  # unset: the chart's LoadBalancer
        found = {"type": "load-balancer"}
        if values.get("proxy.service.loadBalancerIP"):
            found["address"] = values.take("proxy.service.loadBalancerIP", to="public_address.address")
        return found
    return {}


def https_from_tljh(values: FileValues) -> dict[str, Any]:
    if not values.take("https.enabled", False, to="https"):
        return {}
    email = values.take("https.letsencrypt.email", to="https.letsencrypt.contact_email")
    domains = values.take("https.letsencrypt.domains", to="https.letsencrypt.hosts")
    if email and domains:
        return {"letsencrypt": {"contact_email": email, "hosts": list(domains)}}
    cert = values.take("https.tls.cert", to="https.certificate")
    key = values.take("https.tls.key", to="https.key")
    if cert and key:
        return {"certificate": cert, "key": key}
    raise ImportConfigError("https.enabled: true, but neither https.letsencrypt (email and domains) nor https.tls")


def address_from_tljh(values: FileValues) -> dict[str, Any]:
    """TLJH's Traefik listens on http.address: every address unless the file says 127.0.0.1."""
    address = values.take("http.address", to="public_address.type")
    if address in ("", "0.0.0.0"):
        return {"type": "load-balancer"}
    if address == "127.0.0.1":
        return {}
    raise ImportConfigError(f"http.address: {address!r}: the spec knows every address or 127.0.0.1 only")
