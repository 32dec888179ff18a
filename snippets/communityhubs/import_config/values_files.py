"""Read a provider's Helm values files: plain Zero to JupyterHub, or 2i2c's `basehub`
(under `jupyterhub:`) and `daskhub` (under `basehub: jupyterhub:`).

Refuses, in one line naming the file, what is not a values file: text that is
not YAML, YAML that is not a map, files encrypted with sops (2i2c keeps each
hub's secrets in `enc-*.secret.values.yaml`), and aliases that expand to an
absurd size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import ImportConfigError

MAX_VALUES_BYTES = 4 << 20
MAX_VALUES = 200_000  # values after aliases are expanded: real hubs have a few hundred


def looks_encrypted(data: Any) -> bool:
    """sops writes a top-level `sops:` map and ENC[...] values."""
    return isinstance(data, dict) and isinstance(data.get("sops"), dict) and "mac" in data["sops"]


def read_values(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_VALUES_BYTES:
            raise ImportConfigError(f"{path}: {path.stat().st_size} bytes is too big for a values file (4 MB at most)")
        text = path.read_text()
    except OSError as err:
        raise ImportConfigError(f"{path}: cannot read the values file: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ImportConfigError(f"{path}: not a text file, so not a values file") from None
    try:
        data = yaml.safe_load(text)  # aliases are common in values files; their expansion is bounded below
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f" (line {mark.line + 1})" if mark else ""
        raise ImportConfigError(f"{path}{where}: not valid YAML: {err.problem}") from None
    except yaml.YAMLError as err:
        raise ImportConfigError(f"{path}: not valid YAML: {str(err).splitlines()[0]}") from None
    if looks_encrypted(data) or "ENC[AES256_GCM," in text:
        raise ImportConfigError(
            f"{path}: encrypted with sops (an enc-*.secret.values.yaml file?); secrets are never imported: "
            "leave it out and give the new hub its own"
        )
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportConfigError(f"{path}: a values file must be a YAML mapping of keys, got {type(data).__name__}")
    count_values(data, str(path))
    return data


def count_values(data: Any, source: str) -> None:
    """Refuse files whose aliases expand to an absurd number of values (a 'billion laughs')."""
    stack, seen = [data], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise ImportConfigError(f"{source}: more than {MAX_VALUES} values once aliases are expanded")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def unwrap(values: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(chart, key prefix, Zero to JupyterHub values) of merged values files."""
    basehub = values.get("basehub")
    if isinstance(basehub, dict) and isinstance(basehub.get("jupyterhub"), dict):
        return "daskhub", "basehub.jupyterhub.", basehub["jupyterhub"]
    if isinstance(values.get("jupyterhub"), dict):
        return "basehub", "jupyterhub.", values["jupyterhub"]
    return "zero-to-jupyterhub", "", values


def outside(values: dict[str, Any], chart: str) -> list[str]:
    """Top-level keys beside the wrapped Zero to JupyterHub values (NFS servers, dask-gateway, ...)."""
    if chart == "daskhub":
        return [k for k in values if k != "basehub"] + [f"basehub.{k}" for k in values["basehub"] if k != "jupyterhub"]
    if chart == "basehub":
        return [k for k in values if k != "jupyterhub"]
    return []


def leaves(node: Any, prefix: str = "") -> Iterator[str]:
    """Dotted keys of every value; lists are values."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix
