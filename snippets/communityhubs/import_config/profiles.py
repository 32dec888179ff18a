"""KubeSpawner's `profile_list` (Zero to JupyterHub's `singleuser.profileList`) as the
spec's `environment.profiles`, with their options and choices; and the sizes and images
they name, in the spec's own forms."""

from __future__ import annotations

import re
from typing import Any

from .. import mapping
from ..spec import load_schema
from ..traits import CHART_USER_TOLERATIONS, PLACEMENT
from .report import Options, Values


def image_of(value: Any) -> str | None:
    if isinstance(value, dict):
        name, tag = value.get("name"), value.get("tag")
        return f"{name}:{tag}" if name and tag else name
    return value


def mapped(image: str, options: Options) -> tuple[str, str]:
    """An image, or what --image-map (else --default-image) says to run here instead; and a note saying so."""
    new = options.image_map.get(image) or options.default_image
    if new and new != image:
        return new, f" ({image} replaced by {new})"
    return image, ""


def slug_of(item: dict[str, Any], fallback: str) -> str:
    raw = str(item.get("slug") or item.get("display_name") or fallback)
    return re.sub(r"[^a-z0-9_-]+", "-", raw.lower()).strip("-_")[:64] or fallback


def only_for(groups: list[Any], what: str) -> str:
    """Why a profile or choice offered to some groups is left out: carried without its
    restriction, it would be offered to every user. Access is never widened."""
    names = ", ".join(map(str, groups))
    return f"offered only to the groups {names}: not carried, as the spec cannot restrict a {what} yet"


def profiles(values: Values, options: Options) -> list[dict[str, Any]]:
    raw = values.take("singleuser.profileList", [], to="environment.profiles") or []
    report = values.report
    out = []
    for i, p in enumerate(raw):
        where = f"{values.prefix}singleuser.profileList[{i}]"
        if p.get("allowed_groups"):
            report.left_out.append((where, only_for(p["allowed_groups"], "profile")))
            continue
        profile: dict[str, Any] = {"name": slug_of(p, f"profile-{i}")}
        if p.get("display_name") and p["display_name"] != profile["name"]:
            profile["display_name"] = str(p["display_name"])
        if p.get("description"):
            profile["description"] = str(p["description"])
        profile |= override_of(p.get("kubespawner_override") or {}, where + ".kubespawner_override", values, options)
        for extra in sorted(
            set(p) - {"display_name", "slug", "description", "default", "kubespawner_override", "profile_options"}
        ):
            report.left_out.append(
                (f"{where}.{extra}", REASONS_IN_PROFILES.get(extra, "no equivalent in the hub spec yet"))
            )
        opts = []
        for opt_slug, option in (p.get("profile_options") or {}).items():
            owhere = f"{where}.profile_options.{opt_slug}"
            for extra in sorted(set(option) - {"display_name", "choices"}):
                report.left_out.append(
                    (f"{owhere}.{extra}", REASONS_IN_PROFILES.get(extra, "no equivalent in the hub spec yet"))
                )
            item: dict[str, Any] = {"name": slug_of({"slug": opt_slug}, "option")}
            if option.get("display_name") and option["display_name"] != item["name"]:
                item["display_name"] = str(option["display_name"])
            choices = []
            for choice_slug, choice in (option.get("choices") or {}).items():
                cwhere = f"{owhere}.choices.{choice_slug}"
                if choice.get("allowed_groups"):  # KubeSpawner offers it only to these groups (basehub does)
                    report.left_out.append((cwhere, only_for(choice["allowed_groups"], "choice")))
                    continue
                entry: dict[str, Any] = {"name": slug_of({"slug": choice.get("slug", choice_slug)}, "choice")}
                if choice.get("display_name") and choice["display_name"] != entry["name"]:
                    entry["display_name"] = str(choice["display_name"])
                if choice.get("description"):
                    entry["description"] = str(choice["description"])
                if choice.get("default") and not any(c.get("default") for c in choices):
                    entry["default"] = True  # KubeSpawner takes the first default; so does the spec
                elif choice.get("default"):
                    report.left_out.append((f"{cwhere}.default", "another choice is already the default"))
                entry |= override_of(
                    choice.get("kubespawner_override") or {}, cwhere + ".kubespawner_override", values, options
                )
                for extra in sorted(
                    set(choice) - {"display_name", "slug", "description", "default", "kubespawner_override"}
                ):
                    report.left_out.append(
                        (f"{cwhere}.{extra}", REASONS_IN_PROFILES.get(extra, "no equivalent in the hub spec yet"))
                    )
                choices.append(entry)
            if choices:
                item["choices"] = choices
                opts.append(item)
        if opts:
            profile["options"] = opts
        if p.get("default") and i:
            report.carried.append((f"{where}.default", "this profile is listed first: the first is the default"))
            out.insert(0, profile)
        else:
            out.append(profile)
    return out


REASONS_IN_PROFILES = {
    "unlisted_choice": "a free-text choice: not in the spec yet",
    "dynamic_image_building": "the provider's image building service",
    "image_pull_policy": "how the provider's cluster pulls images",
    "environment": "environment variables for one profile: not in the spec yet",
    "default_url": "a start page for one profile: not in the spec yet",
}


def override_of(override: dict[str, Any], where: str, values: Values, options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if override.get("image"):
        out["image"], note = mapped(image_of(override["image"]), options)
        if note:
            values.report.carried.append((where + ".image", "image" + note))
    limits = mapping.per_server_from_override(override, where)
    if limits:
        out["limits"] = limits
    placed = placement_of(override, where, values)
    defs = load_schema()["$defs"] if placed else {}
    for key in list(placed):
        only_on = defs[key]["x-only-on"]
        if options.target and options.target not in only_on:
            why = f"only {' and '.join(only_on)} places servers on nodes; the {options.target} target runs them here"
            values.report.left_out.append((f"{where}.{key}", why))
            del placed[key]
    out |= placed
    for extra in sorted(set(override) - {"image", *PLACEMENT} - mapping.override_traits()):
        values.report.left_out.append(
            (f"{where}.{extra}", REASONS_IN_PROFILES.get(extra, "no equivalent in the hub spec yet"))
        )
    return out


TOLERATION_KEYS = ("key", "operator", "value", "effect")


def placement_of(override: dict[str, Any], where: str, values: Values) -> dict[str, Any]:
    """A node pool, tolerations and devices, in the spec's form. Zero to JupyterHub's own user-node
    tolerations are left out (every rendering gives them again), as is what the spec cannot say."""
    out: dict[str, Any] = {}
    report = values.report
    selector = override.get("node_selector") or {}
    if selector:
        out["node_selector"] = {str(k): str(v) for k, v in selector.items()}
    tolerations = override.get("tolerations") or []
    if isinstance(tolerations, dict):  # KubeSpawner's named form, applied in the order of the names
        tolerations = [tolerations[name] for name in sorted(tolerations)]
    kept = []
    for i, toleration in enumerate(tolerations):
        extra = set(toleration) - set(TOLERATION_KEYS)
        if extra:
            report.left_out.append((f"{where}.tolerations[{i}]", f"{', '.join(sorted(extra))}: not in the spec yet"))
        elif toleration not in CHART_USER_TOLERATIONS:
            kept.append({k: toleration[k] for k in TOLERATION_KEYS if k in toleration})
    if kept:
        out["tolerations"] = kept
    devices = {}
    for name, count in (override.get("extra_resource_limits") or {}).items():
        if str(count).isdigit() and int(count) > 0:
            devices[str(name)] = int(count)
        else:
            report.left_out.append((f"{where}.extra_resource_limits.{name}", f"{count!r} is not a whole count"))
    if devices:
        out["extra_resource_limits"] = devices
    return out
