"""Zero to JupyterHub's own code reads the values.yaml we render (issue: Kubernetes proven
without a cluster), part one: Helm renders the chart with it.

For every example spec, Helm's own Go code (helm-python-sdk) renders the chart at the
version our values name, with no warning; the values pass the chart's values.schema.json;
every manifest validates against the Kubernetes API schemas (kubernetes-validate) of the
oldest Kubernetes the chart supports and of the newest known.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from communityhubs.mapping import merge
from communityhubs.spec import load_spec

from tests.support.chart_render import KUBERNETES, SPECS, helm_render, manifests, rendered_values
from tests.support.needs import need_chart


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_helm_renders_the_chart_with_our_values_without_a_warning(path: Path, capfd: pytest.CaptureFixture) -> None:
    chart = need_chart()
    values = rendered_values(path)
    if values is None:
        return
    # Helm checks the chart's defaults merged with ours, as it will install them.
    defaults = yaml.safe_load((chart / "values.yaml").read_text())
    jsonschema.validate(merge(defaults, values), json.loads((chart / "values.schema.json").read_text()))
    capfd.readouterr()
    files = helm_render(chart, values, load_spec(path).name)
    said = capfd.readouterr()
    assert "warning" not in (said.out + said.err).lower(), said.err  # Helm's Go code logs to the process's stderr
    docs = manifests(files)
    assert {"Deployment", "Service", "Secret", "ConfigMap"} <= {d["kind"] for d in docs}


@pytest.mark.parametrize("version", KUBERNETES)
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_manifest_is_valid_kubernetes(path: Path, version: str) -> None:
    import kubernetes_validate

    chart = need_chart()
    values = rendered_values(path)
    if values is None:
        return
    for doc in manifests(helm_render(chart, values, load_spec(path).name)):
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_check_sees_a_warning_and_an_invalid_manifest(capfd: pytest.CaptureFixture) -> None:
    """The two checks above can fail: a list where the chart's defaults keep a map (hub.extraEnv, which the
    schema lets be either), and a pod with a bad field."""
    import kubernetes_validate

    chart = need_chart()
    capfd.readouterr()
    helm_render(chart, {"hub": {"extraEnv": [{"name": "PROBE", "value": "1"}]}}, "probe")
    assert "cannot overwrite table with non table" in capfd.readouterr().err
    bad = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [], "nope": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES[0], strict=True)


def hub_values(chart: Path, values: dict[str, Any], name: str) -> dict[str, Any]:
    """The values as the chart's hub reads them: Helm writes them into the `hub` Secret with toYaml."""
    secret = next(
        d
        for d in manifests(helm_render(chart, values, name))
        if d["kind"] == "Secret" and d["metadata"]["name"] == "hub"
    )
    return yaml.safe_load(base64.b64decode(secret["data"]["values.yaml"]))


@pytest.mark.parametrize("path", [p for p in SPECS if "options:" in p.read_text()], ids=lambda p: p.stem)
def test_a_user_who_picks_nothing_gets_the_specs_default_choice_on_kubernetes(path: Path) -> None:
    """KubeSpawner takes the choice marked default, else the first it reads; Helm's toYaml sorts the
    choices by name on the way into the hub, so order alone must never decide."""
    from communityhubs.docker_spawner import default_of  # KubeSpawner's rule, as our docker spawner applies it
    from communityhubs.traits import default_choice

    chart = need_chart()
    spec = load_spec(path)
    read = hub_values(chart, rendered_values(path) or {}, spec.name)["singleuser"]["profileList"]
    for profile, as_read in zip(spec.data["environment"]["profiles"], read, strict=True):
        for option in profile.get("options", []):
            choices = as_read["profile_options"][option["name"]]["choices"]
            assert default_of(choices) == default_choice(option), (profile["name"], option["name"], list(choices))


def test_the_front_door_keys_reach_the_ingress_and_service_helm_renders() -> None:
    """An ingress class and cert-manager's issuer on the Ingress (with the Secret it fills named in
    its tls), and a reserved address on the proxy's public Service: in the chart's own output."""
    import kubernetes_validate
    from communityhubs.spec import HubSpec
    from communityhubs.targets import TARGETS

    chart = need_chart()
    spec = load_spec(Path(__file__).parents[2] / "snippets" / "hub.yaml")
    front_doors = {
        "ingress": {
            "type": "ingress",
            "host": "hub.example.org",
            "ingress_class": "nginx",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
        },
        "load-balancer": {"type": "load-balancer", "address": "203.0.113.10"},
    }
    found = {}
    for kind, address in front_doors.items():
        door = HubSpec(spec.source, {**spec.data, "public_address": address})
        values = yaml.safe_load(TARGETS["kubernetes"].render(door)["values.yaml"])
        docs = manifests(helm_render(chart, values, spec.name))
        for doc in docs:
            kubernetes_validate.validate(doc, KUBERNETES[-1], strict=True)
        found[kind] = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    ingress = found["ingress"][("Ingress", "jupyterhub")]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt-prod"}
    assert ingress["spec"]["tls"] == [{"hosts": ["hub.example.org"], "secretName": f"{spec.name}-tls"}]
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["hub.example.org"]
    public = found["load-balancer"][("Service", "proxy-public")]
    assert public["spec"]["type"] == "LoadBalancer" and public["spec"]["loadBalancerIP"] == "203.0.113.10"
