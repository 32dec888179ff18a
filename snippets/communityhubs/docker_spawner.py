"""DockerSpawner subclasses our docker configurations name.

- `SharedDataDockerSpawner`: shared-data volumes whose read-only mounts stay
  writable for admins (through DockerSpawner's `volume_binds`).
- `ProfilesDockerSpawner`: the choices of KubeSpawner's `profile_list`
  (profiles, and options inside them) on Docker, so a hub offers the same menu,
  and takes the same start request, on docker as on Zero to JupyterHub.

Hubs without profiles or shared data run DockerSpawner itself.
"""

from __future__ import annotations

import html
from typing import Any

from dockerspawner import DockerSpawner
from tornado import web
from traitlets import Dict, List, default

from .mapping import DOCKER_RESERVATIONS, docker_reservations

FORM_PREFIX = "profile-option-"
"""Only the spawn form names fields `profile-option-PROFILE--OPTION`; a start request names the option bare."""


class SharedDataDockerSpawner(DockerSpawner):
    shared_volumes = Dict(
        help="{volume name: {'path': mount path, 'read_only': bool}} mounted in every server; "
        "read-only volumes stay writable for admins.",
        config=True,
    )

    @property
    def volume_binds(self) -> dict:
        binds = dict(super().volume_binds)
        for volume, share in self.shared_volumes.items():
            read_only = share.get("read_only", True) and not self.user.admin
            binds[volume] = {"bind": share["path"], "mode": "ro" if read_only else "rw"}
        return binds


def default_of(items: dict[str, Any]) -> str:
    """The slug marked default, else the first (KubeSpawner's rule)."""
    return next((slug for slug, item in items.items() if item.get("default")), next(iter(items)))


class ProfilesDockerSpawner(SharedDataDockerSpawner):
    profile_list = List(
        help="KubeSpawner's profile_list: display_name, slug, description, default, kubespawner_override "
        "and profile_options; overrides may set image, mem_limit, mem_guarantee, cpu_limit and cpu_guarantee.",
        config=True,
    )

    def _profiles(self) -> dict[str, dict[str, Any]]:
        return {p["slug"]: p for p in self.profile_list}

    @default("options_form")
    def _options_form_default(self) -> str:
        rows = []
        chosen = default_of(self._profiles())
        for slug, p in self._profiles().items():
            checked = " checked" if slug == chosen else ""
            text = html.escape(p["display_name"]) + (f": {html.escape(p['description'])}" if "description" in p else "")
            rows.append(f'<label><input type="radio" name="profile" value="{slug}"{checked}> {text}</label>')
            for option_slug, option in p.get("profile_options", {}).items():
                name = f"{FORM_PREFIX}{slug}--{option_slug}"
                first = default_of(option["choices"])
                choices = "".join(
                    f'<option value="{c}"{" selected" if c == first else ""}>{html.escape(choice["display_name"])}'
                    f"{': ' + html.escape(choice['description']) if 'description' in choice else ''}</option>"
                    for c, choice in option["choices"].items()
                )
                label = html.escape(option["display_name"])
                rows.append(f'<label style="margin-left:2em">{label} <select name="{name}">{choices}</select></label>')
        return "<br>\n".join(rows)

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, str]:
        """The form as user_options, as KubeSpawner 7 reads them: {"profile": ..., OPTION: CHOICE}."""
        profile = formdata.get("profile", [default_of(self._profiles())])[0]
        prefix = f"{FORM_PREFIX}{profile}--"
        return {
            "profile": profile,
            **{k.removeprefix(prefix): v[0] for k, v in formdata.items() if k.startswith(prefix)},
        }

    @default("apply_user_options")
    def _apply_default(self):
        return lambda spawner, user_options: spawner.apply_profile(user_options)

    def apply_profile(self, user_options: dict[str, Any]) -> None:
        """Set the image and resources of the chosen profile and choices; refuse anything else (HTTP 400)."""
        profiles = self._profiles()
        slug = user_options.get("profile") or default_of(profiles)
        if slug not in profiles:
            raise web.HTTPError(400, f"profile {slug!r} is not offered; choose one of: {', '.join(profiles)}")
        profile = profiles[slug]
        override = dict(profile.get("kubespawner_override", {}))
        options = profile.get("profile_options", {})
        for key in user_options:
            if key != "profile" and key not in options:
                # KubeSpawner would ignore it and start the default choice; say so instead.
                raise web.HTTPError(400, f"{key!r} is not an option of profile {slug!r}; send {{OPTION: CHOICE}}")
        for option_slug, option in options.items():
            choice = user_options.get(option_slug) or default_of(option["choices"])
            if choice not in option["choices"]:
                offered = ", ".join(option["choices"])
                raise web.HTTPError(400, f"{option_slug}: {choice!r} is not offered; choose one of: {offered}")
            override |= option["choices"][choice].get("kubespawner_override", {})
        self.log.info("%s starts profile %s with %s", self._log_name, slug, override)
        self.extra_host_config = dict(self.extra_host_config) | docker_reservations(override)
        for key, value in override.items():
            if key not in DOCKER_RESERVATIONS:
                setattr(self, key, value)  # image, mem_limit, cpu_limit
