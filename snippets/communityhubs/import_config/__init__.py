"""`communityhubs import-config`: a hub spec from a provider's Helm values files.

`values_files` reads and merges the files, `to_spec` maps values to the spec
(through the one mapping table, read backwards), `profiles` carries
KubeSpawner's profile_list, and `report` records where every value went.
No target is imported: this package reads values, it renders nothing.
"""

from .to_spec import canonical, import_config, spec_text, write_spec

__all__ = ["canonical", "import_config", "spec_text", "write_spec"]
