"""`culling`: stop servers that have been idle (jupyterhub-idle-culler), on every target and back.

A spec without a `culling` section leaves it to each platform, as its schema says: JupyterHub
itself (local, docker) runs no culler, Zero to JupyterHub's chart and TLJH run theirs.

Local and docker run the culler as a hub service with a role that can only see and stop servers;
the Zero to JupyterHub chart (`cull`) and The Littlest JupyterHub (`services.cull`) run and scope
it themselves. Importing, keys a file leaves out get that platform's own default, said so.
"""

from __future__ import annotations

from typing import Any

from ..formats.file_values import FileValues
from ..formats.helm_values import Values
from ..formats.python_lines import Section, py
from ..formats.tljh_commands import Part
from ..spec import HubSpec

SERVICE = "jupyterhub-idle-culler"
"""The culler's service and role name, as Zero to JupyterHub names it."""
SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
CHART_DEFAULTS = {"enabled": True, "timeout": 3600, "every": 600, "maxAge": 0}
"""Zero to JupyterHub's own `cull` values, where a values file leaves them out."""


def jupyterhub_config(spec: HubSpec) -> Section:
    s = Section("culling", "stop idle servers (jupyterhub-idle-culler)")
    if not spec.settings["culling.enabled"]:
        return s.code("# culling is off")
    arguments = [
        "-m",
        "jupyterhub_idle_culler",
        f"--timeout={spec.settings['culling.timeout']}",
        f"--cull-every={spec.settings['culling.every']}",
    ]
    if spec.settings["culling.max_age"]:
        arguments.append(f"--max-age={spec.settings['culling.max_age']}")
    # The hub's own Python, which has the culler installed beside it (a `python3` on PATH may not).
    command = "[sys.executable, " + ", ".join(repr(a) for a in arguments) + "]"
    s.code(f"c.JupyterHub.services.append({{'name': {SERVICE!r}, 'command': {command}}})")
    role = {"name": SERVICE, "scopes": SCOPES, "services": [SERVICE]}
    return s.code(f"c.JupyterHub.load_roles.append({py(role)})", "the culler may only see and stop servers")


def values_yaml(spec: HubSpec) -> Values:
    if "culling" not in spec.data:  # the spec says nothing: the chart's own culler stands (CHART_DEFAULTS)
        return {}
    cull: Values = {"enabled": bool(spec.settings["culling.enabled"])}
    if cull["enabled"]:
        cull |= {"timeout": spec.settings["culling.timeout"], "every": spec.settings["culling.every"]}
        cull["maxAge"] = spec.settings["culling.max_age"]
    return {"cull": cull}


def tljh(spec: HubSpec) -> Part:
    """TLJH runs the culler itself (services.cull); it is on unless turned off."""
    if "culling" not in spec.data:  # the spec says nothing: TLJH's own culler stands
        return Part("culling")
    part = Part("culling").say("services.cull.enabled", "", bool(spec.settings["culling.enabled"]))
    if spec.settings["culling.enabled"]:
        part.say("services.cull.timeout", "", spec.settings["culling.timeout"])
        part.say("services.cull.every", "", spec.settings["culling.every"])
        if spec.settings["culling.max_age"]:
            part.say("services.cull.max_age", "", spec.settings["culling.max_age"])
    return part


def from_values_yaml(values: FileValues) -> dict[str, Any]:
    cull = {
        key: values.take(f"cull.{key}", to=f"culling.{spec_key}")
        for key, spec_key in [("enabled", "enabled"), ("timeout", "timeout"), ("every", "every"), ("maxAge", "max_age")]
    }
    unset = [k for k, v in cull.items() if v is None]
    if unset:
        values.report.carried.append(
            (values.prefix + "cull", f"culling: the chart's defaults for {', '.join(unset)} (not set)")
        )
    cull = {k: (CHART_DEFAULTS[k] if v is None else v) for k, v in cull.items()}
    if not cull["enabled"]:
        return {"enabled": False}
    return {
        "enabled": True,
        "timeout": int(cull["timeout"]),
        "every": int(cull["every"]),
        "max_age": int(cull["maxAge"]),
    }


def from_tljh(values: FileValues) -> dict[str, Any]:
    """TLJH's services.cull (its own defaults where config.yaml says nothing: import_config.tljh_config.DEFAULTS)."""
    cull = {key: values.take(f"services.cull.{key}", to=f"culling.{key}") for key in ("enabled", "timeout", "every")}
    cull["max_age"] = values.take("services.cull.max_age", to="culling.max_age")
    return cull if cull["enabled"] else {"enabled": False}
