"""The card without a browser: size budgets, headers, languages, themes, oEmbed."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from schemas.validation import parse_factcheck
from tests.conftest import demo_documents
from widget.card import csp_hash, verdict_words
from widget.i18n import Messages
from widget.size import CARD_HEIGHT, MIN_HEIGHT, card_height

WIDGET_JS = Path(__file__).resolve().parent.parent.parent / "widget" / "static" / "widget.js"
WIDGET_BUDGET = 1536  # bytes gzip
CARD_BUDGET = 10 * 1024  # bytes transferred


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, 9))


# -- budgets -------------------------------------------------------------------


def test_widget_js_fits_its_gzip_budget() -> None:
    from feed.site.cards import served_script

    size = gzip_size(served_script().body)  # as served: with the URL patterns filled in
    assert size <= WIDGET_BUDGET, f"widget.js is {size} bytes gzipped; the budget is {WIDGET_BUDGET}"


def test_card_page_fits_its_transfer_budget(client: TestClient, demo: None) -> None:
    """Everything the card loads: its page (inline style and script) and the logo, as sent gzipped."""
    for slug in ("immigration-child-trafficking", "three-everyday-health-myths"):
        with client.stream("GET", f"/embed/{slug}", headers={"Accept-Encoding": "gzip"}) as response:
            page = b"".join(response.iter_raw())
            html = client.get(f"/embed/{slug}").text
        assert response.headers["content-encoding"] == "gzip"
        subresources = re.findall(r'(?:src|href)="(http://testserver/static/[^"]+)"', html)
        total = len(page)
        for url in subresources:
            with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as sub:
                total += len(b"".join(sub.iter_raw()))
        assert total <= CARD_BUDGET, f"/embed/{slug} transfers {total} bytes; the budget is {CARD_BUDGET}"
        assert len(html.encode()) <= CARD_BUDGET  # even uncompressed


def test_budget_checks_can_fail() -> None:
    import random

    assert gzip_size(random.Random(1).randbytes(2000)) > WIDGET_BUDGET


# -- widget.js -----------------------------------------------------------------


def test_widget_js_uses_no_eval_markup_strings_or_style_strings() -> None:
    source = WIDGET_JS.read_text()
    for forbidden in ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                      "cssText", "setAttribute('style'", 'setAttribute("style"', "setTimeout('"):  # fmt: skip
        assert forbidden not in source, forbidden
    assert "event.origin !== origin" in source and "contentWindow === event.source" in source


def test_widget_served_evergreen_and_pinned_with_sri(client: TestClient) -> None:
    from feed.site.cards import served_script

    body = served_script().body
    evergreen = client.get("/widget.js")
    assert evergreen.content == body
    assert evergreen.headers["content-type"].startswith("text/javascript")
    assert "max-age=300" in evergreen.headers["cache-control"]
    manifest = client.get("/widget.json").json()
    assert manifest["integrity"] == "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    pinned = client.get(manifest["src"].removeprefix("http://testserver"))
    assert pinned.content == body
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/widget/0000000000000000.js").status_code == 404
    assert evergreen.headers["access-control-allow-origin"] == "*"  # crossorigin=anonymous with SRI


def test_widget_js_builds_card_addresses_from_the_url_scheme(client: TestClient) -> None:
    from feed.core.urls import PATTERNS

    served = client.get("/widget.js").text
    assert "/*PATHS*/" not in served and "'/embed/" not in served and "'/checks/" not in served
    paths = orjson.loads(re.search(r"var paths = (\{.*?\});", served)[1])  # type: ignore[index]
    assert paths == {name: PATTERNS[name].replace(":int}", "}") for name in paths}
    assert set(paths) == {"check", "card", "card_variant", "card_in_language"}


# -- the card page -------------------------------------------------------------


def test_card_is_framable_only_on_its_own_route(client: TestClient, demo: None) -> None:
    card = client.get("/embed/immigration-child-trafficking")
    policy = card.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "x-frame-options" not in card.headers
    assert card.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "set-cookie" not in card.headers
    for other in ("/", "/checks/immigration-child-trafficking", "/feed.json", "/widget.js", "/oembed?url=x"):
        assert "frame-ancestors 'none'" in client.get(other).headers["content-security-policy"], other


def test_card_policy_hashes_its_one_style_and_one_script(client: TestClient, demo: None) -> None:
    response = client.get("/embed/three-everyday-health-myths")
    html, policy = response.text, response.headers["content-security-policy"]
    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert f"style-src {csp_hash(style)};" in policy
    assert f"script-src {csp_hash(script)};" in policy
    assert "unsafe-inline" not in policy


def test_card_makes_no_third_party_requests(client: TestClient, demo: None) -> None:
    html = client.get("/embed/immigration-child-trafficking").text
    loads = re.findall(r'<(?:img|script|link|iframe)[^>]*(?:src|href)="([^"]+)"', html)
    assert loads and all(url.startswith("http://testserver/") for url in loads)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.root: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.root = dict(attrs)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def card(client: TestClient, url: str) -> Text:
    parsed = Text()
    parsed.feed(client.get(url).text)
    return parsed


def test_card_shows_claim_claimant_verdict_explanation_publisher_date_link(client: TestClient, demo: None) -> None:
    html = client.get("/embed/immigration-child-trafficking").text
    for text in ("Immigration leads to child trafficking", "Claimed by <bdi>Viral social media posts</bdi>",
                 "Verdict: Misleading", "protection gaps", "Factcard Demo Desk", "Checked on October 30, 2025",
                 'href="http://testserver/checks/immigration-child-trafficking" target="_blank"',
                 'src="http://testserver/static/logo.svg"'):  # fmt: skip
        assert text in html, text
    assert '<span aria-hidden="true">!</span>' in html  # icon, words and colour together


def test_card_language_defaults_to_the_fact_check_and_follows_data_lang(client: TestClient, demo: None) -> None:
    spanish = card(client, "/embed/agua-caliente-con-limon-cancer")
    assert spanish.root["lang"] == "es" and "Verificación" in spanish.parts
    english_check_in_spanish = client.get("/embed/immigration-child-trafficking?lang=es").text
    assert "Veredicto: Engañoso" in english_check_in_spanish  # the verdict in the scale's Spanish words
    assert 'lang="en"' in english_check_in_spanish  # the claim itself keeps its language
    arabic = card(client, "/embed/immigration-child-trafficking?lang=ar")
    assert arabic.root["dir"] == "rtl" and arabic.root["lang"] == "ar"
    assert "اقرأ التدقيق كاملًا" in arabic.parts
    for lang, word in (("fr", "Trompeur"), ("de", "Irreführend"), ("pt", "Enganoso")):
        assert word in client.get(f"/embed/immigration-child-trafficking?lang={lang}").text, lang
    unknown = card(client, "/embed/immigration-child-trafficking?lang=xx")
    assert unknown.root["lang"] == "en"


def test_a_spanish_check_card_gives_the_verdict_in_the_cards_language(client: TestClient, demo: None) -> None:
    spanish = client.get("/embed/agua-caliente-con-limon-cancer").text
    assert "Veredicto: Falso" in spanish and "Veredicto: False" not in spanish
    arabic = client.get("/embed/agua-caliente-con-limon-cancer?lang=ar").text
    assert "الحكم: زائف" in arabic and "خاطئ" not in arabic  # the scale's word, not the catalogue's
    code = client.get("/oembed?url=http://testserver/checks/agua-caliente-con-limon-cancer").json()["html"]
    assert "Veredicto: Falso" in code.split("</blockquote>")[0]  # the no-script fallback too


def test_a_card_falls_back_to_the_category_only_without_a_translation(publishers: Any) -> None:
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
    fc = parse_factcheck(document, publishers)  # English, rated False
    publisher = publishers[fc.publisher]
    bare = replace(publisher, scale=replace(publisher.scale, labels=tuple(
        replace(label, translations=()) for label in publisher.scale.labels)))  # fmt: skip
    claim = fc.claims[0]
    words = {lang: verdict_words(fc, bare, claim, Messages(lang))[0] for lang in ("en", "es", "ar")}
    assert words == {"en": "False", "es": "Falso", "ar": "خاطئ"}  # the catalogue's category names
    assert verdict_words(fc, publisher, claim, Messages("ar"))[0] == "زائف"  # the scale's own word
    spanish = replace(fc, language="es-MX")  # the card speaks the check's language: its label as given
    assert verdict_words(spanish, bare, claim, Messages("es"))[0] == "False"
    assert verdict_words(spanish, publisher, claim, Messages("es"))[0] == "Falso"


@pytest.mark.parametrize("spelling", ["?theme=dark", "?theme=auto", "/1/light", "/1/dark", "/1/auto"])
def test_every_theme_of_a_card_is_the_same_bytes(client: TestClient, demo: None, spelling: str) -> None:
    """card.js reads the theme from the address (tests/build/test_card_addresses.py sees it painted),
    so a static build holds one file for the three."""
    plain = client.get("/embed/lightning-never-strikes-twice")
    themed = client.get(f"/embed/lightning-never-strikes-twice{spelling}")
    assert themed.status_code == 200 and themed.content == plain.content
    assert themed.headers["content-security-policy"] == plain.headers["content-security-policy"]
    assert "class" not in card(client, f"/embed/lightning-never-strikes-twice{spelling}").root


def test_an_unknown_theme_is_a_400_naming_the_themes(client: TestClient, demo: None) -> None:
    response = client.get("/embed/lightning-never-strikes-twice?theme=<x>")
    assert response.status_code == 400
    assert "light, dark, auto" in response.text and "<x>" not in response.text


def test_retracted_card_says_so(client: TestClient, demo: None) -> None:
    html = client.get("/embed/council-ban-street-musicians").text
    assert "This fact-check has been retracted." in html and "Retracted" in html
    assert "Verdict: True" not in html


def test_card_for_drafts_and_unknown_slugs_is_404(client: TestClient, auth: dict[str, str]) -> None:
    document = demo_documents()[1] | {"status": "draft"}
    client.post("/api/checks", json=document, headers=auth)
    assert client.get(f"/embed/{document['slug']}").status_code == 404
    assert client.get("/embed/nothing").status_code == 404


def test_fact_check_page_offers_both_embed_codes(client: TestClient, demo: None) -> None:
    html = client.get("/checks/lightning-never-strikes-twice").text
    assert "Embed this fact-check" in html
    assert "&lt;blockquote class=&#34;factcard-embed&#34;" in html  # shown as text in the copy box
    assert "&lt;script async src=&#34;http://testserver/widget.js&#34;&gt;" in html
    assert "&lt;iframe src=&#34;http://testserver/embed/lightning-never-strikes-twice&#34;" in html


def test_embed_code_is_readable_without_javascript_and_has_no_inline_style(client: TestClient, demo: None) -> None:
    code = client.get("/oembed?url=http://testserver/checks/immigration-child-trafficking").json()["html"]
    assert "style=" not in code
    blockquote = code.split("</blockquote>")[0]
    for text in ("Claim: Immigration leads to child trafficking", "Verdict: Misleading", "Factcard Demo Desk",
                 'datetime="2025-10-30T09:00:00Z"', 'href="http://testserver/checks/immigration-child-trafficking"',
                 f'data-height="{card_height(1, claimant=True, note=True)}"'):  # fmt: skip
        assert text in blockquote, text
    assert code.endswith('<script async src="http://testserver/widget.js"></script>')


# -- oEmbed --------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links.append(dict(attrs))


def discover(client: TestClient, page: str) -> str:
    """What an oEmbed consumer does: find the discovery link on the page."""
    parser = Links()
    parser.feed(client.get(page).text)
    (link,) = [lk for lk in parser.links if lk.get("type") == "application/json+oembed"]
    return str(link["href"])


def test_oembed_consumer_discovers_and_reads_the_card(client: TestClient, demo: None) -> None:
    endpoint = discover(client, "/checks/three-everyday-health-myths")
    # A fixed URL, which a static build holds as a file: the same bytes as the query endpoint.
    assert endpoint == "http://testserver/oembed/three-everyday-health-myths.json"
    response = client.get(endpoint.removeprefix("http://testserver"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    asked = client.get("/oembed", params={"url": "http://testserver/checks/three-everyday-health-myths"})
    assert asked.content == response.content
    body = response.json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert isinstance(body["width"], int) and isinstance(body["height"], int)
    # Claim 1 takes two lines at 550 px, and has a claimant and an explanation.
    assert body["height"] == card_height(2, claimant=True, note=True) < CARD_HEIGHT and body["width"] == 550
    assert body["cache_age"] == 3600
    assert body["provider_name"] == "Factcard Demo Desk" and body["provider_url"] == "http://testserver/"
    assert body["html"].startswith('<blockquote class="factcard-embed"')


def test_oembed_respects_maxwidth_and_maxheight(client: TestClient, demo: None) -> None:
    url = "http://testserver/checks/three-everyday-health-myths"
    narrow = client.get("/oembed", params={"url": url, "maxwidth": "400", "maxheight": "500"}).json()
    assert narrow["width"] == 400 and 'data-width="400"' in narrow["html"]
    assert narrow["height"] <= 500
    assert client.get("/oembed", params={"url": url, "maxheight": str(MIN_HEIGHT - 1)}).status_code == 404
    assert client.get("/oembed", params={"url": url, "maxwidth": "100"}).status_code == 404
    assert client.get("/oembed", params={"url": url, "maxwidth": "wide"}).status_code == 400


def test_oembed_errors(client: TestClient, demo: None) -> None:
    good = "http://testserver/checks/three-everyday-health-myths"
    assert client.get("/oembed", params={"url": good, "format": "xml"}).status_code == 501
    for bad in ("http://testserver/checks/nothing-here", "https://elsewhere.example/checks/three-everyday-health-myths",
                "http://testserver/feed.json"):  # fmt: skip
        response = client.get("/oembed", params={"url": bad})
        assert response.status_code == 404, bad
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/oembed").status_code == 400


def test_oembed_url_naming_a_claim_embeds_that_claim(client: TestClient, demo: None) -> None:
    page = "http://testserver/checks/three-everyday-health-myths"
    body = client.get("/oembed", params={"url": page + "#claim-2"}).json()  # sent as ...%23claim-2
    blockquote = body["html"].split("</blockquote>")[0]
    assert 'data-claim="2"' in blockquote
    assert "Claim: Cracking your knuckles causes arthritis" in blockquote
    assert "eight glasses" not in body["html"]
    assert f'href="{page}#claim-2"' in blockquote  # the reader lands on that claim
    assert 'data-title="Fact check: Cracking your knuckles causes arthritis"' in blockquote
    first = client.get("/oembed", params={"url": page}).json()["html"]
    assert "data-claim" not in first and "eight glasses" in first
    assert client.get("/oembed", params={"url": page + "#claim-4"}).status_code == 404  # it has three
    assert "eight glasses" in client.get("/oembed", params={"url": page + "#sources"}).json()["html"]
    card = client.get("/embed/three-everyday-health-myths?claim=2").text
    assert "Cracking your knuckles" in card and f'href="{page}#claim-2"' in card


def test_oembed_maxheight_down_to_the_smallest_card_gets_a_card_that_tall(client: TestClient, demo: None) -> None:
    url = "http://testserver/checks/three-everyday-health-myths"
    natural = client.get("/oembed", params={"url": url}).json()["height"]
    assert natural > 200
    for maxheight in (MIN_HEIGHT, 100, 150, 200, natural - 1):
        body = client.get("/oembed", params={"url": url, "maxheight": str(maxheight)}).json()
        assert body["height"] == maxheight, maxheight
        assert f'data-height="{maxheight}"' in body["html"], maxheight
    roomy = client.get("/oembed", params={"url": url, "maxheight": "1000"}).json()
    assert roomy["height"] == natural and f'data-height="{natural}"' in roomy["html"]
    too_small = client.get("/oembed", params={"url": url, "maxheight": str(MIN_HEIGHT - 1)})
    assert too_small.status_code == 404 and str(MIN_HEIGHT) in too_small.json()["detail"]


def test_retracted_fact_check_keeps_its_oembed_but_titled_retracted(client: TestClient, demo: None) -> None:
    body = client.get("/oembed", params={"url": "http://testserver/checks/council-ban-street-musicians"}).json()
    assert body["title"] == "Retracted: Did the city council vote to ban street musicians?"
    assert "(Retracted)" in body["html"]
    spanish = demo_documents()[4] | {"slug": "retirada", "status": "retracted", "retraction": {"reason": "Error."}}
    client.app.state.context.publishing.import_documents([spanish], utc_now())  # type: ignore[attr-defined]
    retirada = client.get("/oembed", params={"url": "http://testserver/checks/retirada"}).json()
    assert retirada["title"] == "Retirada: " + spanish["headline"]


def test_embed_height_counts_only_the_rows_the_card_shows(client: TestClient, auth: dict[str, str]) -> None:
    bare = demo_documents()[2] | {"slug": "bare", "claims": [{"text": "Short claim", "verdict": "False"}]}
    assert client.post("/api/checks", json=bare | {"status": "published"}, headers=auth).status_code < 300
    html = client.get("/oembed", params={"url": "http://testserver/checks/bare"}).json()["html"]
    assert f'data-height="{card_height(1, claimant=False, note=False)}"' in html
    card = client.get("/embed/bare").text
    assert 'class="s"' not in card and 'class="x"' not in card  # no empty rows
    text = "A claim long enough to need three lines on a card " * 2 + "at its widest"
    long = bare | {"slug": "long", "claims": [demo_documents()[0]["claims"][0] | {"text": text}]}
    assert client.post("/api/checks", json=long | {"status": "published"}, headers=auth).status_code < 300
    html = client.get("/oembed", params={"url": "http://testserver/checks/long"}).json()["html"]
    assert f'data-height="{CARD_HEIGHT}"' in html


def test_card_page_has_a_main_landmark_and_the_claim_as_its_heading(client: TestClient, demo: None) -> None:
    html = client.get("/embed/immigration-child-trafficking").text
    assert re.search(r"<main>\s*<article", html)
    (heading,) = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert "Claim:" in heading and "Immigration leads to child trafficking" in heading


def test_widget_js_and_the_card_agree_on_the_smallest_card() -> None:
    source = WIDGET_JS.read_text()
    assert f"Math.max({MIN_HEIGHT}," in source and f"box.height < {MIN_HEIGHT}" in source
