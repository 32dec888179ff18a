"""The site's own tooling, beside conf.py and never shipped in the `communityhubs` wheel: the Sphinx
extension (`setup`), the generated reference and configuration tabs, stored outputs for guides that
cannot run here, and the downloadable notebooks with their scrubbing.

(Not named `site`: that is a module of Python's own, imported at every start.)
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import spec_reference, stored_outputs, tabs


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("hub-spec-reference", spec_reference.HubSpecReference)
    app.add_directive("hub-config", tabs.HubConfig)
    app.add_config_value("communityhubs_stored_outputs", {}, "env")  # {page pattern: why it cannot run here}
    app.add_config_value("communityhubs_proofs", "", "env")  # folder of docs/proofs/<target>.json
    app.connect("builder-inited", stored_outputs.install)
    app.connect("builder-inited", tabs.load_proofs)
    app.connect("source-read", stored_outputs.add_stored_note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
