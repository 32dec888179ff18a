"""What every example spec renders to on every target (the golden files), and `nox -s goldens`."""

from __future__ import annotations

from pathlib import Path

from communityhubs import SNIPPETS
from communityhubs.hubprocess import HubError
from communityhubs.spec import HubSpec, SpecError, load_spec
from communityhubs.targets import TARGETS

from .paths import GOLDEN

EXAMPLES = sorted([SNIPPETS / "hub.yaml", *(SNIPPETS / "examples").glob("*.yaml")])


PUSHED_IMAGE = "registry.example.org/demo-community/singleuser:2026-12"


def golden_outputs() -> dict[str, str]:
    """{golden file name: text} for every example spec on every target (refusals included)."""
    out = {}
    for spec_file in EXAMPLES:
        spec = load_spec(spec_file)
        for target in TARGETS.values():
            stem = f"{spec_file.stem}.{target.name}"
            try:
                for name, text in target.render(spec).items():
                    out[f"{stem}.{name.replace('/', '.')}"] = text  # tljh's jupyterhub_config.d/ file
            except SpecError as err:
                out[f"{stem}.refused"] = str(err).replace(str(SNIPPETS), "snippets") + "\n"
        kubernetes = TARGETS["kubernetes"]
        if f"{spec_file.stem}.kubernetes.values.yaml" in out:  # `hub up --dry-run`: every file and command
            state = Path(".hub") / spec.name
            try:
                out[f"{spec_file.stem}.kubernetes.up-dry-run.txt"] = kubernetes.runner(spec, state).plan().text()
            except HubError as err:  # what kind cannot be: a public address
                out[f"{spec_file.stem}.kubernetes.up-dry-run.refused"] = (
                    str(err).replace(str(SNIPPETS), "snippets") + "\n"
                )
            if spec_file.name == "hub.yaml":
                # A cluster you name pulls images from a registry: ours, built here, is refused.
                try:
                    kubernetes.runner(spec, state, context="my-cluster").plan()
                except HubError as err:
                    refused = str(err).replace(str(SNIPPETS), "snippets") + "\n"
                    out[f"{spec_file.stem}.kubernetes.up-dry-run-context.refused"] = refused
                pushed = {**spec.data["environment"], "image": PUSHED_IMAGE}
                spec = HubSpec(spec.source, {**spec.data, "environment": pushed})
                plan = kubernetes.runner(spec, state, context="my-cluster").plan()
                out[f"{spec_file.stem}.kubernetes.up-dry-run-context.txt"] = plan.text()
    return out


def write_goldens() -> None:
    """`nox -s goldens`: store what every example renders to on every target."""
    for old in GOLDEN.glob("*"):
        old.unlink()
    for name, text in golden_outputs().items():
        (GOLDEN / name).write_text(text)
        print(f"wrote tests/golden/{name}")


if __name__ == "__main__":
    write_goldens()
