"""Translations of one fact-check, linked: hreflang on pages, xhtml:link in the sitemap,
translationOfWork / workTranslation in the JSON-LD, "also in" on the page and the card.

The demo's Spanish lemon-water fact-check names its Portuguese translation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree, html
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from schemas.rules import check_publishable
from schemas.vocabulary import check_vocabulary
from tests.conftest import demo_documents

SPANISH, PORTUGUESE = "agua-caliente-con-limon-cancer", "agua-quente-com-limao-cancer"
ORIGIN = "http://testserver"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def page(client: TestClient, slug: str) -> Any:
    response = client.get(f"/checks/{slug}")
    assert response.status_code == 200
    return html.fromstring(response.text)


def hreflang(tree: Any) -> dict[str, str]:
    return {link.get("hreflang"): link.get("href") for link in tree.xpath('//head/link[@rel="alternate"][@hreflang]')}


def claimreviews(tree: Any) -> list[dict[str, Any]]:
    return [json.loads(script.text) for script in tree.xpath('//script[@type="application/ld+json"]')]


def test_the_demo_links_two_languages() -> None:
    spanish = next(doc for doc in demo_documents() if doc["slug"] == SPANISH)
    assert spanish["translations"] == [PORTUGUESE]


def test_both_pages_name_both_languages_and_the_original_as_default(client: TestClient, demo: None) -> None:
    expected = {"es": f"{ORIGIN}/checks/{SPANISH}", "pt-BR": f"{ORIGIN}/checks/{PORTUGUESE}",
                "x-default": f"{ORIGIN}/checks/{SPANISH}"}  # fmt: skip
    assert hreflang(page(client, SPANISH)) == expected
    assert hreflang(page(client, PORTUGUESE)) == expected
    assert hreflang(page(client, "lightning-never-strikes-twice")) == {}  # no translations, no alternates


def test_each_page_offers_the_other_language_in_its_own_words(client: TestClient, demo: None) -> None:
    (also,) = page(client, SPANISH).xpath('//p[@class="fc-also"]')
    assert also.text_content().strip() == "También en Português (Brasil)"
    (link,) = also.xpath(".//a")
    assert (link.get("href"), link.get("hreflang"), link.get("lang")) == (
        f"{ORIGIN}/checks/{PORTUGUESE}",
        "pt-BR",
        "pt-BR",
    )
    (also,) = page(client, PORTUGUESE).xpath('//p[@class="fc-also"]')
    assert also.text_content().strip() == "Também em Español"
    assert also.xpath(".//a/@lang") == ["es"]


def test_the_json_ld_links_translation_and_original(client: TestClient, demo: None) -> None:
    (original,) = claimreviews(page(client, SPANISH))
    assert original["workTranslation"] == [
        {"@type": "CreativeWork", "url": f"{ORIGIN}/checks/{PORTUGUESE}", "inLanguage": "pt-BR"}
    ]
    assert "translationOfWork" not in original
    (translation,) = claimreviews(page(client, PORTUGUESE))
    assert translation["translationOfWork"] == {
        "@type": "CreativeWork", "url": f"{ORIGIN}/checks/{SPANISH}", "inLanguage": "es"
    }  # fmt: skip
    assert "workTranslation" not in translation
    assert check_vocabulary(original) == [] and check_vocabulary(translation) == []
    assert check_publishable([original, translation], f"{ORIGIN}/") == []  # vocabulary and publishing rules
    twin = client.get(f"/checks/{PORTUGUESE}.json").json()
    assert twin["claimReview"][0]["translationOfWork"]["url"] == f"{ORIGIN}/checks/{SPANISH}"


def test_the_sitemap_lists_the_alternates_of_each(client: TestClient, demo: None) -> None:
    tree = etree.fromstring(client.get("/sitemap.xml").content)
    alternates = {
        url.findtext("s:loc", namespaces=SITEMAP): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces=SITEMAP)
        }
        for url in tree.findall("s:url", namespaces=SITEMAP)
    }
    expected = {"es": f"{ORIGIN}/checks/{SPANISH}", "pt-BR": f"{ORIGIN}/checks/{PORTUGUESE}",
                "x-default": f"{ORIGIN}/checks/{SPANISH}"}  # fmt: skip
    assert alternates[f"{ORIGIN}/checks/{SPANISH}"] == expected
    assert alternates[f"{ORIGIN}/checks/{PORTUGUESE}"] == expected
    assert alternates[f"{ORIGIN}/checks/lightning-never-strikes-twice"] == {}


def test_the_card_offers_the_other_language(client: TestClient, demo: None) -> None:
    card = html.fromstring(client.get(f"/embed/{SPANISH}").text)
    (also,) = card.xpath('//span[@class="o"]')
    assert also.text_content() == "También en Português (Brasil)"
    assert also.xpath(".//a/@href") == [f"{ORIGIN}/checks/{PORTUGUESE}"]
    assert also.xpath(".//a/@target") == ["_blank"]
    assert not html.fromstring(client.get("/embed/lightning-never-strikes-twice").text).xpath('//span[@class="o"]')


def english(slug: str, **changes: Any) -> dict[str, Any]:
    document = next(doc for doc in demo_documents() if doc["slug"] == "lightning-never-strikes-twice")
    return document | {"slug": slug, "corrections": []} | changes


def test_a_translation_shows_on_the_other_pages_when_published_and_leaves_when_unlinked(
    client: TestClient, auth: dict[str, str]
) -> None:
    assert client.post("/api/checks", json=english("bolt", translations=["rayo"]), headers=auth).status_code == 201
    assert hreflang(page(client, "bolt")) == {}  # named, but not written yet
    draft = english("rayo", language="es", headline="¿Un rayo nunca cae dos veces?", status="draft")
    assert client.post("/api/checks", json=draft, headers=auth).status_code == 201
    assert hreflang(page(client, "bolt")) == {}  # a draft is not offered
    assert client.post("/api/checks/rayo/publish", headers=auth).status_code == 200
    # The English page was rendered and kept before; the Spanish one's publication changes it.
    assert set(hreflang(page(client, "bolt"))) == {"en", "es", "x-default"}
    assert "rayo" in client.get("/embed/bolt").text
    record = client.get("/api/checks/bolt", headers=auth)
    unlinked = record.json()["document"] | {"translations": []}
    response = client.put("/api/checks/bolt", json=unlinked, headers=auth | {"If-Match": record.headers["etag"]})
    assert response.status_code == 200
    assert hreflang(page(client, "bolt")) == {} and hreflang(page(client, "rayo")) == {}


def test_a_fact_check_names_its_translations_by_slug(client: TestClient, auth: dict[str, str]) -> None:
    cases = {
        "itself": (["same"], "translations[0]: names this fact-check itself"),
        "twice": (["a-b", "a-b"], "translations[1]: names 'a-b' twice"),
        "not a slug": (["Not A Slug"], "translations[0]: must be the slug of a fact-check"),
        "not a list": ("a-b", "translations: must be a list"),
    }
    for case, (value, message) in cases.items():
        response = client.post("/api/checks", json=english("same", translations=value), headers=auth)
        assert response.status_code == 422, case
        field, _, words = message.partition(": ")
        errors = response.json()["errors"]
        assert any(e["field"] == field and e["message"].startswith(words) for e in errors), (case, errors)
    assert client.get("/api/checks/same", headers=auth).status_code == 404  # nothing half-written
