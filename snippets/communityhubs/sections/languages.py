"""`environment.languages`: languages besides Python, each with its Jupyter kernel, for everyone.

One table says what a language is made of (the system's packages, the command that registers its
kernel), and every target reads it:

- docker and kubernetes run an image that already carries it: the one built from
  snippets/docker/<recipe> (its Dockerfile installs the same packages and runs the same
  registration), unless the spec names an image of its own;
- tljh renders `user-environment.sh`: the packages installed the way TLJH's installer installs
  apt packages (`apt-get update`, then `apt-get install`), and the kernel registered in TLJH's user
  environment (/opt/tljh/user), the Jupyter every user's server runs from;
- local refuses it: servers run from the hub's own Python environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..images import USER_REPOSITORY
from ..spec import HubSpec


@dataclass(frozen=True)
class Language:
    name: str
    """As people say it."""
    kernel: str
    """The kernelspec's name, as the launcher and `jupyter kernelspec list` show it."""
    packages: tuple[str, ...]
    """The system's packages (Debian's names) that hold the language and its kernel."""
    register: str
    """The command that registers the kernel into the Jupyter at {prefix}."""
    recipe: str
    """The folder under snippets/docker/ whose image carries the language."""

    @property
    def image(self) -> str:
        return f"{USER_REPOSITORY}:{self.recipe}"


LANGUAGES = {
    "r": Language(
        name="R",
        kernel="ir",
        packages=("r-base-core", "r-cran-irkernel"),
        register="""R --quiet -e 'IRkernel::installspec(user = FALSE, prefix = "{prefix}")'""",
        recipe="with-r",
    ),
}


def asked(spec: HubSpec) -> list[Language]:
    return [LANGUAGES[key] for key in spec.section("environment").get("languages", [])]


def hub_image(spec: HubSpec, default: str) -> str:
    """The image every server starts from (docker, kubernetes): the spec's own, else the one that
    carries its languages (the spec's checks refuse both at once), else `default`."""
    languages = asked(spec)
    return spec.section("environment").get("image") or (languages[0].image if languages else default)


def image_languages(image: str) -> list[str]:
    """The spec keys of the languages an image of ours carries ([] for any other image)."""
    return [key for key, language in LANGUAGES.items() if language.image == image]


def tljh_lines(spec: HubSpec, prefix: str) -> list[str]:
    """TLJH's commands for the spec's languages: the system's packages, then each kernel registered
    in the Jupyter at `prefix` (TLJH's user environment)."""
    languages = asked(spec)
    if not languages:
        return []
    packages = " ".join(p for language in languages for p in language.packages)
    # As TLJH's installer installs a plugin's apt packages (tljh/apt.py), but always after an update:
    # a server's package lists may be months old.
    lines = [
        "",
        "# Languages besides Python (environment.languages): the system's own packages, without questions",
        "sudo apt-get update --yes",
        f"sudo env DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends {packages}",
    ]
    for language in languages:
        lines.append(
            f"# {language.name}'s kernel ({language.kernel}), registered in TLJH's user environment, where every "
            "user's server looks for kernels"
        )
        lines.append(f"sudo env PATH={prefix}/bin:$PATH {language.register.format(prefix=prefix)}")
    return lines
