"""At most twelve files per fact-check (before the compressed copies), however many claims and
translations it has: its page, JSON twin, oEmbed answer and share image, and at most eight
cards, one per claim and language, whatever the theme. What the build leaves out, factcard
answers with the card the old build would have held."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feed.build.keeper import full_build
from feed.build.static import CARD_FILES, COPIES
from feed.core.settings import Settings
from feed.render.context import Context
from feed.site.assembly import open_site
from feed.site.renderer import Renderer
from feed.store import open_store
from feed.store.clock import utc_now
from tests.conftest import demo_documents

LIMIT = 12
# The files of one fact-check: named by its slug in one of these folders.
OWN = re.compile(r"^(?:checks|oembed)/(?P<slug>[^/]+)\.(?:html|json|png)$|^embed/(?P<card>[^/.]+)(?:\.html|/)")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Context]:
    url = f"sqlite:///{tmp_path / 'factcard.db'}"
    ctx = open_site(Settings.load({}, {"database_url": url, "base_url": "https://checks.example"}), open_store(url))
    yield ctx
    ctx.store.close()


def claims(count: int) -> list[dict[str, Any]]:
    return [{"text": f"Claim number {n}", "verdict": "False"} for n in range(1, count + 1)]


def documents() -> list[dict[str, Any]]:
    """The demo, and fact-checks with many claims and translations."""
    base = {"status": "published", "summary": "It is not.", "headline": "Is it so?"}
    many = [
        {**base, "slug": "three-claims-two-translations", "language": "en", "claims": claims(3),
         "translations": ["three-claims-es", "three-claims-fr"]},
        {**base, "slug": "three-claims-es", "language": "es", "claims": claims(3)},
        {**base, "slug": "three-claims-fr", "language": "fr", "claims": claims(3)},
        {**base, "slug": "ten-claims", "language": "en", "claims": claims(10)},
        {**base, "slug": "in-a-language-without-a-catalogue", "language": "it", "claims": claims(2),
         "translations": ["three-claims-fr"]},
    ]  # fmt: skip
    return demo_documents() + many


def files_by_check(root: Path) -> Counter[str]:
    counted: Counter[str] = Counter()
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.endswith(COPIES) and (found := OWN.match(relative)):
            counted[found["slug"] or found["card"]] += 1
    return counted


def test_no_fact_check_has_more_than_twelve_files(site: Context, tmp_path: Path) -> None:
    site.publishing.import_documents(documents(), utc_now())
    full_build(site, tmp_path / "out")
    root = (tmp_path / "out").resolve()
    counted = files_by_check(root)
    assert len(counted) == site.store.public_count()
    assert max(counted.values()) <= LIMIT, counted.most_common(3)
    assert counted["lightning-never-strikes-twice"] == 5  # one claim, no translation: one card
    assert counted["ten-claims"] == 4 + CARD_FILES  # its claims up to the budget
    cards = {p.relative_to(root).as_posix() for p in (root / "embed").rglob("*.html")}
    # Each claim in its own language, then in the languages it is translated into, up to the
    # budget: the ninth (its third claim in French) is left to factcard.
    three = {c for c in cards if c.startswith("embed/three-claims-two-translations")}
    assert three == {"embed/three-claims-two-translations.html", "embed/three-claims-two-translations/2/light.html",
                     "embed/three-claims-two-translations/3/light.html",
                     *(f"embed/three-claims-two-translations/{n}/light/{lang}.html" for lang in ("es", "fr")
                       for n in (1, 2, 3))} - {"embed/three-claims-two-translations/3/light/fr.html"}  # fmt: skip
    # Italian has no card catalogue (it speaks English): its French translation is all it adds.
    assert {c for c in cards if "without-a-catalogue" in c} == {
        "embed/in-a-language-without-a-catalogue.html", "embed/in-a-language-without-a-catalogue/2/light.html",
        *(f"embed/in-a-language-without-a-catalogue/{n}/light/fr.html" for n in (1, 2))}  # fmt: skip


def test_what_the_build_leaves_out_factcard_renders(site: Context, tmp_path: Path) -> None:
    site.publishing.import_documents(documents(), utc_now())
    full_build(site, tmp_path / "out")
    root = (tmp_path / "out").resolve()
    renderer = Renderer(site)
    assert not (root / "embed/ten-claims/10/light.html").exists()
    tenth = renderer.render("/embed/ten-claims/10/dark").body.decode()
    assert "Claim number 10" in tenth
    german = renderer.render("/embed/three-claims-two-translations/1/light/de").body.decode()
    assert '<html lang="de"' in german and not (root / "embed/three-claims-two-translations/1/light/de.html").exists()
    # A built card's file is what factcard answers for each of its themes.
    built = (root / "embed/three-claims-two-translations/2/light/es.html").read_bytes()
    for theme in ("light", "dark", "auto"):
        assert renderer.render(f"/embed/three-claims-two-translations/2/{theme}/es").body == built
