"""The site's own language (FACTCARD_LANGUAGE) and the error pages' (?lang=, Accept-Language)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.site.errorpage import accepted_languages
from feed.store.clock import utc_now
from tests.conftest import demo_documents
from widget.i18n import CATEGORY_NAMES, Messages


def test_a_german_site_speaks_german_on_its_home_page_and_feeds(tmp_path: Path) -> None:
    settings = Settings.load(
        {"FACTCARD_LANGUAGE": "de"},
        {"database_url": f"sqlite:///{tmp_path / 'de.db'}", "base_url": "http://testserver"},
    )
    german = Messages("de")
    with TestClient(create_app(settings)) as client:
        home = client.get("/").text
        assert '<html lang="de" dir="ltr">' in home
        assert german.gettext("No fact-checks have been published yet.") in home
        assert "Skip to content" not in home and german.gettext("Skip to content") in home
        assert client.get("/feed.json").json()["title"] == "Factcard Demo Desk: Faktenchecks"
        assert 'xml:lang="de"' in client.get("/feed.atom").text


def test_a_site_language_without_a_catalogue_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"FACTCARD_LANGUAGE must be a language with a catalogue \(ar, de, en, "):
        Settings.load({"FACTCARD_LANGUAGE": "tlh"})


def test_an_error_page_speaks_the_readers_language(client: TestClient) -> None:
    spanish = client.get("/checks/no-such-check", headers={"Accept-Language": "fr;q=0.5, es-MX, en;q=0.8"})
    assert spanish.status_code == 404
    assert '<html lang="es" dir="ltr">' in spanish.text
    assert f"<h1>{Messages('es').gettext('Not found')}</h1>" in spanish.text
    assert '<p lang="en" dir="ltr">' in spanish.text  # the developer's detail, in English, marked so
    arabic = client.get("/page/99?lang=ar", headers={"Accept-Language": "es"})  # ?lang= first
    assert arabic.status_code == 404 and '<html lang="ar" dir="rtl">' in arabic.text
    english = client.get("/checks/no-such-check", headers={"Accept-Language": "tlh, *"})
    assert "<h1>Not found</h1>" in english.text and 'lang="en" dir="ltr">' in english.text


def test_accept_language_is_read_by_preference() -> None:
    assert accepted_languages("fr;q=0.5, es-MX, en;q=0.8, de;q=0, *") == ["es-MX", "en", "fr"]
    assert accepted_languages("") == []
    assert accepted_languages("x;q=abc, pt") == ["pt"]


def closest_language(element: Any) -> str | None:
    while element is not None:
        if element.get("lang"):
            return str(element.get("lang"))
        element = element.getparent()
    return None


def test_words_in_another_language_than_the_page_say_so(client: TestClient, publishing: Any) -> None:
    """A Swahili fact-check (no catalogue) has English words around it: each sits in an element
    marked lang="en"; its own text stays Swahili."""
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
    swahili = document | {
        "slug": "radi-hupiga-mara-moja", "language": "sw", "headline": "Je, radi haipigi mahali pamoja mara mbili?"
    }  # fmt: skip
    publishing.import_documents([swahili], utc_now())
    english = {str(m) for m in CATEGORY_NAMES.values()} | {"Claim reviewed", "Executive summary", "Sources",
                                                           "Bottom line", "Corrections", "Skip to content"}  # fmt: skip
    for path in ("/checks/radi-hupiga-mara-moja", "/"):
        tree = html.fromstring(client.get(path).text)
        assert tree.get("lang") == ("sw" if path != "/" else "en")
        seen = set()
        for element in tree.iter():
            text = (element.text or "").strip()
            if text in english:
                seen.add(text)
                assert closest_language(element) == "en", (path, text)
            if element.tag == "time":
                assert closest_language(element) == "en", (path, etree.tostring(element))
        (headline,) = tree.xpath('//*[normalize-space(text())="Je, radi haipigi mahali pamoja mara mbili?"]')
        assert closest_language(headline) == "sw"
        if path != "/":
            assert {"Claim reviewed", "Executive summary", "Sources", "Skip to content"} <= seen
