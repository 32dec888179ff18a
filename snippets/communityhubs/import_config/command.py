"""`communityhubs import-config FILE [FILE ...]`: which kind of file it was given (Helm values, or
The Littlest JupyterHub's config.yaml), the spec made from it, and one report of where every
value went."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..mapping import merge
from ..spec import SpecError, validate_spec
from . import tljh_config
from .provider_defaults import DEFAULTS
from .report import REASONS, Options, Report, Values, grouped, reason_for
from .to_spec import spec_from_values
from .values_files import ImportConfigError, outside, read_values, unwrap

BESIDE_THE_HUB = "another chart beside the hub (storage, dask, binder): not part of the hub spec"


def import_config(
    paths: list[Path],
    name: str | None = None,
    image_map: dict[str, str] | None = None,
    default_image: str | None = None,
    callback_url: str | None = None,
    client_id: str | None = None,
    target: str | None = None,
) -> tuple[dict[str, Any], Report]:
    """The spec and the report for values files merged in order. Raises ImportConfigError."""
    if not paths:
        raise ImportConfigError("import-config: give at least one values file")
    merged: dict[str, Any] = {}
    for path in paths:
        merged = merge(merged, read_values(path))
    report = Report()
    hub_name = name or hub_name_of(paths[-1])
    options = Options(hub_name, image_map or {}, default_image, callback_url, client_id, target)
    if tljh_config.looks_like_tljh(merged):  # The Littlest JupyterHub's config.yaml
        values = Values(merged, "", report, tljh_config.DEFAULTS, tljh_config.WHOSE)
        data, reasons, whose = tljh_config.spec_from_tljh(values, options), tljh_config.REASONS, tljh_config.WHOSE
    else:
        chart, prefix, jh = unwrap(merged)
        defaults, whose = DEFAULTS.get(chart, ({}, ""))
        values = Values(jh, prefix, report, defaults, whose)
        data, reasons = spec_from_values(values, options), REASONS
        for key in outside(merged, chart):
            report.left_out.append(
                (key, "another chart beside the hub (storage, dask, binder): not part of the hub spec")
            )
    for leaf in values.left():
        report.left_out.append((values.prefix + leaf, reason_for(leaf, reasons)))
    for leaf in values.defaults_left():
        report.left_out.append((f"{values.prefix}{leaf}: {values.get(leaf)}", f"{whose}; {reason_for(leaf, reasons)}"))
    report.left_out = grouped(report.left_out)
    try:
        validate_spec(data, source=f"the spec imported from {paths[-1].name}")
    except SpecError as err:
        raise ImportConfigError(str(err)) from None
    return data, report


def hub_name_of(path: Path) -> str:
    """`config/clusters/2i2c/mtu.values.yaml` -> `mtu`."""
    stem = path.name.split(".")[0]
    return re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:40] or "imported-hub"
