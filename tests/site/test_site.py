"""The built site: zero warnings, every internal link and anchor resolves, the
reference is generated from the schema, and every guide page is complete."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from site_tools.spec_reference import key_docs
from tests.support.needs import need_guide_target
from tests.support.paths import BUILD, GUIDES, ROOT


def test_build_log_has_no_warnings(site: Path) -> None:
    log = BUILD / "logs" / "sphinx.log"
    assert log.exists(), "the build writes its warnings to _build/logs/sphinx.log"
    assert log.read_text().strip() == ""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if a.get("name") and tag == "a":
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(a[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(errors="replace"))
    return parser


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    # _static/ holds the theme's template fragments, not pages
    pages = {p: _parse(p) for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts}
    broken = []
    checked = 0
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlparse(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target_path, anchor = urldefrag(unquote(parts.path) + (f"#{parts.fragment}" if parts.fragment else ""))
            target = (page.parent / target_path).resolve() if target_path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link} (missing file)")
            elif anchor and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if anchor not in ids:
                    broken.append(f"{page.relative_to(site)} -> {link} (missing anchor)")
    assert checked > 100, "expected the site to have many internal links"
    assert broken == []


def test_hub_spec_reference_lists_every_schema_key(site: Path) -> None:
    html = (site / "docs" / "reference" / "hub-spec.html").read_text()
    missing = [
        doc.key
        for doc in key_docs()
        if f'<code class="docutils literal notranslate"><span class="pre">{doc.key}</span>' not in html
    ]
    assert missing == []


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_page_is_verified_and_links_its_notebook(site: Path, guide: str) -> None:
    need_guide_target(guide)
    html = (site / "guides" / f"{guide}.html").read_text()
    assert re.search(r"Verified against a (local|docker) hub, JupyterHub 6\.\d+\.\d+, on \d{4}-\d{2}-\d{2}\.", html)
    downloads = re.findall(r'href="((?:\.\./)+_downloads/[^"]+\.ipynb)"', html)
    assert downloads, f"{guide}: no notebook download link"
    assert (site / "guides" / guide).parent.joinpath(downloads[0]).resolve().exists()
    assert (ROOT / "notebooks" / f"{guide}.ipynb").exists()
    assert "Traceback" not in html


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_page_shows_the_native_configuration_for_every_target(site: Path, guide: str) -> None:
    html = (site / "guides" / f"{guide}.html").read_text()
    assert 'class="hub-config' in html, f"{guide}: no {{hub-config}} tabs"
    configs = html[html.index('class="hub-config') :]
    for place, form in (("local", "jupyterhub_config.py"), ("kubernetes", "values.yaml"), ("tljh", "tljh-config")):
        assert re.search(rf'<label[^>]*data-sync-id="{place}"', configs), f"{guide}: no {place!r} tab"
        assert form in configs or f"The {place} target refuses this" in configs, f"{guide}: no {form} in its tabs"


def test_guides_index_lists_every_guide(site: Path) -> None:
    html = (site / "guides" / "index.html").read_text()
    for guide in GUIDES:
        assert f'href="{guide}.html"' in html


def test_benchmarks_page_draws_its_plot_and_tables_from_the_stored_results(site: Path) -> None:
    """The page is made from docs/benchmarks/burst.json at build time: its figures appear, and a plot."""
    import json

    data = json.loads((ROOT / "docs" / "benchmarks" / "burst.json").read_text())
    html = (site / "docs" / "benchmarks.html").read_text()
    assert re.search(r'<img[^>]+alt="For each target, the seconds until the last of N servers', html)
    assert "Traceback" not in html
    for r in (r for r in data["results"] if "n" in r):
        last = r["last_s"]
        row = f"{last['median']:.1f} ({last['min']:.1f}–{last['max']:.1f})"
        assert row in html, f"{r['target']} {r['hub']} N={r['n']}: {row} is not on the page"
    assert f"{data['machine']['cpus']} CPUs" in html


def test_at_least_five_guides_show_a_picture_of_their_hub(site: Path) -> None:
    """Pictures the browser took of the guides' hubs (login, spawn page, admin panel, JupyterLab),
    each with words for those who cannot see it; the build made each one (the baselines compare that
    a picture is there, the pixels differ on every run)."""
    pictured = {}
    for guide in GUIDES:
        html = (site / "guides" / f"{guide}.html").read_text()
        alts = re.findall(r'<img alt="([^"]{40,})" src="(?:\.\./)+_images/[0-9a-f]{64}\.png"', html)
        if alts:
            pictured[guide] = alts
    assert len(pictured) >= 5, pictured
    shown = " ".join(alt for alts in pictured.values() for alt in alts)
    for page in ("login page", "spawn page", "admin panel", "JupyterLab"):
        assert page in shown, f"no picture of the {page}"


def test_the_cost_page_sizes_a_hub_from_the_stored_measurements(site: Path) -> None:
    """Its figures are the benchmark's, read when the page is built: none typed in by hand."""
    import json

    data = json.loads((ROOT / "docs" / "benchmarks" / "burst.json").read_text())
    runs = [r for r in data["results"] if "n" in r and r["hub"] == "project" and r["target"] == "docker"]
    idle = max(r["idle_mb"]["median"] for r in runs)
    html = (site / "docs" / "what-does-a-hub-cost.html").read_text()
    assert f"{idle:.0f} MB" in html
    assert f"{30 * idle / 1024:.1f} GB" in html  # 30 people's idle servers
    for source in ("z2jh.jupyter.org", "tljh.jupyter.org"):
        assert source in html, f"the cost page does not link {source}"


def test_the_get_a_hub_page_credits_the_right_to_replicate_and_links_each_way_in(site: Path) -> None:
    html = (site / "docs" / "get-a-hub.html").read_text()
    assert 'href="https://2i2c.org/right-to-replicate/"' in html
    for page in ("put-your-hub-on-the-internet.html", "outgrow-one-machine.html", "what-does-a-hub-cost.html"):
        assert page in html, page


def test_the_glossary_explains_the_terms_the_pages_use(site: Path) -> None:
    html = (site / "docs" / "glossary.html").read_text()
    for term in (
        "Helm",
        "values.yaml",
        "REST API",
        "Bundle",
        "State folder",
        "OAuth callback URL",
        "DNS",
        "kind",
        "PVC",
        "TLJH",
        "Z2JH",
        "systemd",
        "Traefik",
    ):
        assert re.search(rf'<dt id="term-[^"]*">{re.escape(term)}<', html), term


@pytest.mark.parametrize("page", ["docs/right-to-replicate.html", "docs/security.html"])
def test_pages_for_leaders_say_it_plainly_and_keep_the_tests_in_a_collapsed_section(site: Path, page: str) -> None:
    """Test names are evidence for those who want it: inside a section the reader opens, never in
    the open text."""
    html = (site / page).read_text()
    body = html[html.index('<article class="bd-article"') : html.index("</article>")]
    assert "sd-dropdown" in body
    shown = re.sub(r'<details class="sd-sphinx-override sd-dropdown.*?</details>', "", body, flags=re.S)
    assert not re.findall(r"test_[a-z_]{8,}", shown), re.findall(r"test_[a-z_]{8,}", shown)
