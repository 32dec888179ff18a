"""`jupyterhub-singleuser`, minus about 1.3 CPU-seconds at every server start.

Two costs that a user server pays at start-up and never uses, measured on a
2-core machine with `nox -s bench` (see the "How fast is it" page):

- jsonschema builds about 35 Lark grammars for the IRI formats at import time
  when `rfc3987-syntax` is installed (jupyter-events pulls it in), and no
  Jupyter schema uses those formats (jupyter-server/jupyter_server#1559):
  about 1 CPU-second. Hiding the module from this process only makes jsonschema
  skip those two format checks; kernels are processes of their own and still
  see it.
- Where Node is installed (the local hub has it, for its proxy), JupyterLab runs
  `node yarn.js config --json` to learn the npm registry, used only to build
  extensions from source: about 0.3 CPU-seconds. The registry then stays the
  default one.

Run as `python -m communityhubs.singleuser` (the local target's `Spawner.cmd`).
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None makes `import rfc3987_syntax` raise ImportError

import jupyterlab.commands  # noqa: E402 (after the line above: it imports jsonschema)
from jupyterhub.singleuser import main  # noqa: E402

if hasattr(jupyterlab.commands, "_yarn_config"):  # a private function: leave newer JupyterLabs alone

    def _no_yarn_config(logger: object) -> dict[str, dict]:
        return {"yarn config": {}, "npm config": {}}  # what JupyterLab itself returns without Node

    jupyterlab.commands._yarn_config = _no_yarn_config

if __name__ == "__main__":
    sys.exit(main())
