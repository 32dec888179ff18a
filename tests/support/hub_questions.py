"""The same questions for two hubs (who may log in, with what, what each start gets), and their
answers as flat facts to compare (tests/proofs: the chart's hub and TLJH's, each against ours)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from communityhubs.sections.culling import SERVICE as CULLER_SERVICE
from communityhubs.spec import HubSpec, load_spec

NOT_OFFERED = "not-offered"


SOMEONE = "demo-someone"


def password() -> str:
    return secrets.token_urlsafe(12)


def questions(spec: HubSpec, shared_password: str, admin_password: str) -> dict[str, Any]:
    """Every user of the spec, each start the pages show (every profile and every choice), and a
    login with the shared password for every user who is not an admin."""
    users: dict[str, dict[str, Any]] = {SOMEONE: {"admin": False, "groups": []}}  # a user the spec doesn't list
    users |= {u: {"admin": u in spec.admins, "groups": []} for u in spec.allowed_users}
    users |= {u: {"admin": True, "groups": []} for u in spec.admins}
    for group in spec.data.get("groups", []):
        for user in group.get("users", []):
            users.setdefault(user, {"admin": False, "groups": []})["groups"].append(group["name"])
    requests: list[dict[str, Any]] = [{}]
    for profile in spec.data.get("environment", {}).get("profiles", []):
        requests.append({"profile": profile["name"]})
        for option in profile.get("options", []):
            requests += [{"profile": profile["name"], option["name"]: c["name"]} for c in option["choices"]]
            requests.append({"profile": profile["name"], option["name"]: NOT_OFFERED})
    starts = [{"user": user, "options": options} for user in sorted(users) for options in requests]
    logins = []
    if spec.data["authenticator"]["type"] == "shared-password":
        logins = [
            {"user": u, "password": shared_password}
            for u in sorted(users)
            if u in spec.allowed_users and not users[u]["admin"]
        ]
        for admin in sorted(spec.admins):  # their own password makes them admins; the shared one lets them nowhere
            logins += [{"user": admin, "password": admin_password}, {"user": admin, "password": shared_password}]
    return {"users": users, "starts": starts, "logins": logins}


def facts(answers: dict[str, Any], kube: bool, culler_name: str = CULLER_SERVICE) -> dict[str, Any]:
    """The answers as flat facts both sides can be compared by (`culler_name`: the culler's service)."""
    out: dict[str, Any] = {f"app.{k}": v for k, v in answers["app"].items() if k != "services"}
    services = {s["name"]: s for s in answers["app"]["services"]}
    culler = services.pop(culler_name, None)
    out["app.services"] = {n: {k: v for k, v in s.items() if k != "name"} for n, s in services.items()}
    out["app.load_roles"] = sorted(answers["app"]["load_roles"], key=lambda role: role["name"])
    out |= {f"culling.{k}": v for k, v in culler_arguments(culler).items()}
    out |= {f"authenticator.{k}": v for k, v in answers["authenticator"].items()}
    out |= {f"login.{x['user']}": (x["accepted"], x["admin"]) for x in answers["logins"]}
    for start in answers["starts"]:
        key = f"start.{start['user']}{sorted(start['options'].items())}"
        if "refused" in start:
            out[f"{key}.refused"] = True
            continue
        spawner = dict(start["spawner"])
        # the server's own settings on its command line (--MappingKernelManager.cull_idle_timeout=...);
        # on the chart, read from the pod KubeSpawner builds, not from the trait
        command = start["pod"]["spec"]["containers"][0]["args"] if kube else spawner["args"] or []
        spawner["args"] = [a for a in command if a.startswith("--") and "." in a.partition("=")[0]]
        if kube:
            mounts = start["pod"]["spec"]["containers"][0].get("volumeMounts", [])
            spawner["mounts"] = {m["mountPath"]: bool(m.get("readOnly")) for m in mounts}
        else:
            host = start["host_config"]
            spawner["mem_guarantee"] = host.get("mem_reservation")
            spawner["cpu_guarantee"] = host["cpu_shares"] / 1024 if "cpu_shares" in host else None
            spawner["mounts"] = {b["bind"]: b["mode"] == "ro" for b in start["binds"].values()}
            # DockerSpawner writes "no limit" as 0
            spawner |= {k: None for k in ("mem_limit", "cpu_limit") if not spawner[k]}
        for name, value in spawner.items():
            if name == "mounts":
                out |= {f"{key}.mounts.{path}": ro for path, ro in value.items()}
            else:
                out[f"{key}.{name}"] = float(value) if name.startswith("cpu") and value is not None else value
    return out


def culler_arguments(service: dict[str, Any] | None) -> dict[str, Any]:
    """The idle culler's command-line settings (--timeout=3600 -> {"timeout": "3600"})."""
    if service is None:
        return {"enabled": False}
    args = [a for a in service["command"] if a.startswith("--")]
    return dict(a[2:].partition("=")[::2] for a in args)


def password_users(path: Path) -> bool:
    spec = load_spec(path)
    return spec.data["authenticator"]["type"] == "shared-password" and bool(set(spec.allowed_users) - set(spec.admins))
