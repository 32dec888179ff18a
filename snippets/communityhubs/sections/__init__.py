"""One module per spec section that needs more than a row of the mapping table: the section's
meaning on every target, forward (`jupyterhub_config` for local and docker, `values_yaml` for
Zero to JupyterHub, `tljh` for The Littlest JupyterHub) and backward for import-config
(`from_values_yaml`, `from_tljh`), with what each target refuses, on one screen.

A plain key is one schema entry and one row of `mapping.py`; a complex key is the schema plus one
module here; a new target is one target module plus one function in each of these. The targets
keep file assembly and their runners; the forms the functions write are in `communityhubs.formats`.
Nothing here imports a target or import-config: they import these.
"""

from __future__ import annotations

from ..spec import HubSpec, SpecError


def refuse(spec: HubSpec, key: str, target: str, why: str) -> SpecError:
    """The one-line error for a spec key a target cannot express."""
    return SpecError(f"{spec.source}: {key}: the {target} target cannot use this key: {why}")
