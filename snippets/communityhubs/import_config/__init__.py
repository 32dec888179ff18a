"""`communityhubs import-config`: a hub spec from a provider's Helm values files, or from The
Littlest JupyterHub's config.yaml.

`command` tells the two apart; `values_files` reads and merges the files, `to_spec` maps
values to the spec (through the one mapping table, read backwards), `profiles` carries
KubeSpawner's profile_list, `tljh_config` reads a TLJH config.yaml (the table's `tljh`
column), and `report` records where every value went. No target is imported: this package
reads configuration, it renders nothing.
"""

from .command import import_config
from .to_spec import canonical, spec_text, write_spec

__all__ = ["canonical", "import_config", "spec_text", "write_spec"]
