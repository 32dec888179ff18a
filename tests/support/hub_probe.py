"""Ask a JupyterHub, configured by a jupyterhub_config.py, what it would do: run by the Python of
the hub being asked (the chart's hub-image versions, or ours), so it imports only JupyterHub and
its spawner, never communityhubs.

    python hub_probe.py CONFIG ANSWERS < questions.json   (a file: the configuration may print)

questions: {"users": {NAME: {"admin": bool, "groups": [..]}}, "starts": [{"user": NAME, "options": {..}}],
            "logins": [{"user": NAME, "password": ..}]}
answers:   {"warnings": [..], "app": {..}, "authenticator": {..}, "logins": [..], "starts": [..]}

Each start follows JupyterHub's own order (user.spawn): group overrides, then the user options,
then, for KubeSpawner, what its `_start` does before it calls the API: load_user_options, the
home claim, the pod, modify_pod_hook.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from types import SimpleNamespace
from typing import Any

SECRET_TRAITS = {"client_secret", "user_password", "admin_password", "api_token"}
SPAWNER_TRAITS = [
    "image",
    "mem_limit",
    "mem_guarantee",
    "cpu_limit",
    "cpu_guarantee",
    "start_timeout",
    "http_timeout",
    "default_url",
    "environment",
    "args",
    "extra_paths",
]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


def plain(value: Any) -> Any:
    """Traits as JSON: sets sorted, containers walked, anything else as its repr."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def configured(instance: Any, config: Any) -> dict[str, Any]:
    """Every trait that the configuration sets for this object's class or a parent class, as it
    reads now; secrets only as whether they are set."""
    names = {n for cls in type(instance).mro() if cls.__name__ in config for n in config[cls.__name__]}
    out = {}
    for name in sorted(names & set(instance.trait_names())):
        value = getattr(instance, name)
        out[name] = ("<set>" if value else "<unset>") if name in SECRET_TRAITS else plain(value)
    return out


async def probe(config_file: str, questions: dict[str, Any]) -> dict[str, Any]:
    from jupyterhub.app import JupyterHub

    collect = Collect()
    logging.getLogger().addHandler(collect)
    app = JupyterHub()
    app.log.addHandler(collect)
    app.load_config_file(config_file)
    app = JupyterHub(config=app.config)  # built from the loaded config, so traitlets checks every JupyterHub key
    app.log.addHandler(collect)
    auth = app.authenticator_class(parent=app)
    answers: dict[str, Any] = {
        "app": {
            "authenticator_class": type(auth).__name__,
            "spawner_class": app.spawner_class.__name__,
            **{
                k: plain(getattr(app, k))
                for k in ("load_groups", "load_roles", "concurrent_spawn_limit", "active_server_limit")
            },
            "services": [{**s, "api_token": "<set>"} if s.get("api_token") else s for s in plain(app.services)],
        },
        "authenticator": configured(auth, app.config),
        "logins": [],
        "starts": [],
    }
    for login in questions.get("logins", []):
        data = {"username": login["user"], "password": login["password"]}
        got = await auth.get_authenticated_user(None, data)
        answers["logins"].append(
            {**login, "password": "<given>", "accepted": bool(got), "admin": (got or {}).get("admin")}
        )
    answers["warnings"] = list(collect.records)  # loading and logging in; refused starts log errors on purpose
    for start in questions.get("starts", []):
        user_facts = questions["users"].get(start["user"], {})
        answers["starts"].append(await spawn(app, start, user_facts))
    return answers


async def spawn(app: Any, start: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    user = SimpleNamespace(
        name=start["user"],
        id=1,
        url=f"/user/{start['user']}/",
        admin=facts.get("admin", False),
        groups=[SimpleNamespace(name=g) for g in facts.get("groups", [])],
    )
    cls = app.spawner_class
    kube = cls.__name__ == "KubeSpawner"
    spawner = cls(config=app.config, user=user, _mock=True) if kube else cls(config=app.config, user=user)
    spawner.user_options = dict(start["options"])
    out: dict[str, Any] = {"user": start["user"], "options": start["options"]}
    try:
        await spawner.apply_group_overrides()
        await spawner._run_apply_user_options(spawner.user_options)
        if kube:
            await spawner.load_user_options()
    except Exception as err:  # refused: the hub answers the start request with an error
        out["refused"] = f"{type(err).__name__}: {err}"
        return out
    out["spawner"] = {k: plain(getattr(spawner, k, None)) for k in SPAWNER_TRAITS}  # None: a trait this spawner lacks
    if kube:
        from jupyterhub.utils import maybe_future
        from kubernetes_asyncio.client import ApiClient

        pod = await spawner.get_pod_manifest()
        if spawner.modify_pod_hook:  # as KubeSpawner's _start calls it
            pod = await maybe_future(spawner.modify_pod_hook(spawner, pod))
        async with ApiClient() as api:
            out["pod"] = api.sanitize_for_serialization(pod)
            claim = spawner.get_pvc_manifest() if spawner.storage_pvc_ensure else None
            out["claim"] = api.sanitize_for_serialization(claim) if claim else None
    else:
        out["binds"] = plain(getattr(spawner, "volume_binds", {}))
        out["host_config"] = plain(getattr(spawner, "extra_host_config", {}))
    return out


if __name__ == "__main__":
    result = asyncio.run(probe(sys.argv[1], json.load(sys.stdin)))
    with open(sys.argv[2], "w") as out:
        json.dump(result, out)
