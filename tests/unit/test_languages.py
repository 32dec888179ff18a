"""`environment.languages`: one table says what a language is made of; the image's recipe and the
TLJH script both follow it, and a spec that asks for a language where it cannot run is refused."""

from __future__ import annotations

import re

import pytest
from communityhubs import SNIPPETS
from communityhubs.sections.languages import LANGUAGES
from communityhubs.spec import SpecError, validate_spec
from communityhubs.targets import TARGETS
from communityhubs.targets.tljh import USER_ENVIRONMENT_FILE, USER_PREFIX

R_HUB = {"name": "h", "authenticator": {"type": "dummy"}, "environment": {"languages": ["r"]}}


@pytest.mark.parametrize("key", sorted(LANGUAGES))
def test_the_images_recipe_installs_the_tables_packages_and_registers_its_kernel(key: str) -> None:
    language = LANGUAGES[key]
    dockerfile = (SNIPPETS / "docker" / language.recipe / "Dockerfile").read_text()
    installed = re.search(r"apt-get install -y --no-install-recommends ([^\\&\n]+)", dockerfile)
    assert installed and installed.group(1).split() == list(language.packages)
    register = language.register.split(", prefix")[0]  # the image registers in its own Jupyter
    assert register.removeprefix("R --quiet -e '") in dockerfile


def test_on_tljh_the_script_installs_the_packages_then_registers_the_kernel_in_the_user_environment() -> None:
    script = TARGETS["tljh"].render(validate_spec(R_HUB, "h.yaml"))[USER_ENVIRONMENT_FILE]
    commands = [line for line in script.splitlines() if line and not line.startswith(("#", "set -e"))]
    assert commands[1].endswith("apt-get install --yes --no-install-recommends r-base-core r-cran-irkernel")
    assert commands[2] == (
        f"sudo env PATH={USER_PREFIX}/bin:$PATH "
        f"""R --quiet -e 'IRkernel::installspec(user = FALSE, prefix = "{USER_PREFIX}")'"""
    )


def test_without_languages_tljh_renders_no_script() -> None:
    plain = {k: v for k, v in R_HUB.items() if k != "environment"}
    assert USER_ENVIRONMENT_FILE not in TARGETS["tljh"].render(validate_spec(plain, "h.yaml"))


def test_an_image_of_your_own_with_languages_is_refused_in_one_line() -> None:
    """On every target: the spec's own checks refuse it when it is read."""
    data = {**R_HUB, "environment": {"languages": ["r"], "image": "example/lab:1"}}
    with pytest.raises(SpecError, match=r"^h.yaml: environment.languages: an image of your own") as refused:
        validate_spec(data, "h.yaml")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("target", ["docker", "kubernetes"])
def test_containers_start_from_the_image_that_carries_the_language(target: str) -> None:
    rendered = "".join(TARGETS[target].render(validate_spec(R_HUB, "h.yaml")).values())
    assert LANGUAGES["r"].image.split(":")[1] in rendered
