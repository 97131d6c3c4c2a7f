from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from tests.conftest import demo_documents

SUMMARY_ONE = demo_documents()[0]["summary"].replace("**", "")


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


class Outline(HTMLParser):
    """Collects tags, landmark roles and heading levels from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_fact_check_page_renders_the_whole_article(client: TestClient, demo: None) -> None:
    response = client.get("/checks/immigration-child-trafficking")
    assert response.status_code == 200
    html = response.text
    for text in (
        "Immigration leads to child trafficking",  # the claim
        "Misleading",  # the verdict in words
        "Executive summary",
        "1. What the U.S. government documents show",
        "Bottom line",
        "Blue Campaign: human trafficking and unaccompanied children",  # source 8
        "How do traffickers exploit migrant children during border crossings?",  # related question
    ):
        assert text in html, text
    page = outline(html)
    assert [a["href"] for a in page.find("a") if a.get("href", "").startswith("#source-")][:3] == [  # type: ignore[union-attr]
        "#source-1", "#source-2", "#source-3",
    ]  # fmt: skip
    assert {li.get("id") for li in page.find("li")} >= {f"source-{n}" for n in range(1, 9)}
    assert len(page.find("h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark), landmark
    assert page.find("html")[0]["lang"] == "en"


def test_page_meta_links_and_headers(client: TestClient, demo: None) -> None:
    response = client.get("/checks/three-everyday-health-myths")
    page = outline(response.text)
    links = {(link["rel"], link.get("type")): link["href"] for link in page.find("link")}
    url = "http://testserver/checks/three-everyday-health-myths"
    assert links[("canonical", None)] == url
    assert links[("alternate", "application/json")] == url + ".json"
    metas = {m.get("property") or m.get("name"): m["content"] for m in page.find("meta") if m.get("content")}
    assert metas["og:title"] == "Three everyday health claims, checked"
    assert metas["og:url"] == url
    # No image of its own: link previews show the share image drawn for it.
    assert metas["twitter:card"] == "summary_large_image"
    assert metas["og:image"] == metas["twitter:image"] == url + ".png"
    assert (metas["og:image:width"], metas["og:image:height"]) == ("1200", "630")
    (document,) = [d for d in demo_documents() if d["slug"] == "three-everyday-health-myths"]
    claim = document["claims"][0]
    assert metas["og:image:alt"] == f"{claim['text']} (Verdict: {claim['verdict']})"
    image = client.get(metas["og:image"].removeprefix("http://testserver"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG") and image.headers["etag"]
    assert f'<{url}.json>; rel="alternate"' in response.headers["link"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none' forbids script
    assert [div["id"] for div in page.find("div") if div.get("class") == "fc-claim"] == [
        "claim-1",
        "claim-2",
        "claim-3",
    ]


def test_json_twin_matches_the_page(client: TestClient, demo: None) -> None:
    body = client.get("/checks/three-everyday-health-myths.json").json()
    assert body["slug"] == "three-everyday-health-myths"
    assert [r["claimReviewed"] for r in body["claimReview"]][1] == "Cracking your knuckles causes arthritis"
    assert "text/html" in client.get("/checks/three-everyday-health-myths.json").headers["link"]


def test_verdict_badge_says_the_verdict_in_words_and_gets_colour_from_css(client: TestClient, demo: None) -> None:
    html = client.get("/checks/lightning-never-strikes-twice").text
    assert 'class="fc-verdict fc-verdict--demo-5" data-category="false"' in html
    assert '<span class="fc-verdict__label">False</span>' in html
    assert "style=" not in html
    css = client.get("/scales.css").text
    assert ".fc-verdict--demo-5 { background: #8c1c13; }" in css


def test_correction_and_retraction_are_shown(client: TestClient, demo: None) -> None:
    corrected = client.get("/checks/lightning-never-strikes-twice").text
    assert "Corrections" in corrected and "about 100 times a year" in corrected
    retracted = client.get("/checks/council-ban-street-musicians")
    assert retracted.status_code == 200
    assert "This fact-check has been retracted" in retracted.text
    assert "application/ld+json" not in retracted.text  # no ClaimReview for a retracted check


def test_home_lists_published_newest_first_and_paginates(client: TestClient, demo: None, app: Any) -> None:
    html = client.get("/").text
    order = [html.index(h) for h in (
        "Does immigration lead to child trafficking?",
        "Three everyday health claims, checked",
        "Does lightning never strike the same place twice?",
        "¿El agua caliente con limón cura el cáncer?",
    )]  # fmt: skip
    assert order == sorted(order)
    assert "street musicians" not in html  # retracted checks leave the list
    import dataclasses

    app.state.context = dataclasses.replace(
        app.state.context, settings=dataclasses.replace(app.state.context.settings, page_size=3)
    )
    app.state.response_cache.clear()  # pages rendered with the old setting
    first, second = client.get("/").text, client.get("/?page=2").text
    assert 'rel="next" href="http://testserver/page/2"' in first
    assert "¿El agua caliente" in second and "¿El agua caliente" not in first
    assert "2000 रुपये" in client.get("/?page=3").text  # seven published: 3 + 3 + 1
    assert client.get("/?page=4").status_code == 404
    assert client.get("/?page=x").status_code == 400


def test_spanish_check_page_is_in_spanish(client: TestClient, demo: None) -> None:
    page = outline(client.get("/checks/agua-caliente-con-limon-cancer").text)
    assert page.find("html")[0]["lang"] == "es"


def test_a_spanish_check_shows_its_verdict_in_spanish(client: TestClient, demo: None) -> None:
    html = client.get("/checks/agua-caliente-con-limon-cancer").text
    assert 'data-category="false"' in html and '<span class="fc-verdict__label">Falso</span>' in html
    assert '<span class="fc-verdict__label">False</span>' not in html
    body = client.get("/checks/agua-caliente-con-limon-cancer.json").json()
    assert body["document"]["claims"][0]["verdict"] == "False"  # stored as the scale's label
    assert [v["label"] for v in body["verdicts"]] == ["Falso"]
    assert [r["reviewRating"]["alternateName"] for r in body["claimReview"]] == ["Falso"]
    home = client.get("/").text
    assert '<span class="fc-verdict__label">Falso</span>' in home


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/checks/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No published fact-check" in response.text
    assert client.get("/checks/nothing-here.json").headers["content-type"] == "application/problem+json"


def test_static_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/factcard.css").status_code == 200
    assert client.get("/static/logo.svg").headers["content-type"].startswith("image/svg")


def test_page_text_colours_meet_wcag_aa() -> None:
    import re
    from pathlib import Path

    from tests.schemas.test_ratings import contrast

    css = (Path(__file__).resolve().parent.parent.parent / "feed" / "static" / "factcard.css").read_text()
    colours = dict(re.findall(r"--fc-([a-z]+): (#[0-9a-f]{6})", css))
    for text in ("text", "muted", "link"):
        for background in ("bg", "panel"):
            assert contrast(colours[text], colours[background]) >= 4.5, (text, background)


def test_retracted_verdict_is_labelled_withdrawn(client: TestClient, demo: None) -> None:
    html = client.get("/checks/council-ban-street-musicians").text
    assert "Withdrawn verdict:" in html and "Our verdict:" not in html
    body = html[html.index("<body") :]
    assert body.index("<h1") < body.index("This fact-check has been retracted")


def publish(client: TestClient, auth: dict[str, str], document: dict[str, Any]) -> str:
    response = client.post("/api/checks", json=document | {"status": "published"}, headers=auth)
    assert response.status_code < 300, response.text
    return client.get(f"/checks/{document['slug']}").text


def metas(html: str) -> dict[str | None, str | None]:
    return {m.get("property") or m.get("name"): m["content"] for m in outline(html).find("meta") if m.get("content")}


def test_og_locale_is_language_and_territory(client: TestClient, demo: None, auth: dict[str, str]) -> None:
    assert metas(client.get("/checks/immigration-child-trafficking").text)["og:locale"] == "en_US"
    assert metas(client.get("/checks/agua-caliente-con-limon-cancer").text)["og:locale"] == "es_ES"
    document = demo_documents()[2]
    for language, locale in (("pt", "pt_BR"), ("pt-PT", "pt_PT"), ("ar", "ar_AR"), ("en-gb", "en_GB")):
        slug = "locale-" + language.lower()
        assert metas(publish(client, auth, document | {"slug": slug, "language": language}))["og:locale"] == locale
    from feed.site.pages import og_locale

    for language, locale in (("fr", "fr_FR"), ("de-AT", "de_AT"), ("zh-Hant", "zh_TW"), ("zh-Hant-HK", "zh_HK"),
                             ("ja", "ja_JP"), ("es-419", "es_ES"), ("xx", "xx_XX")):  # fmt: skip
        assert og_locale(language) == locale, language


def test_home_summaries_end_between_words_with_an_ellipsis(client: TestClient, demo: None) -> None:
    html = client.get("/").text
    summary = "Saying that immigration leads to child trafficking flattens a complicated picture."
    (cut,) = [p for p in re.findall(r"<p>([^<]*)</p>", html) if p.startswith(summary)]
    assert cut.endswith("…") and len(cut) <= 240
    kept = html_unescape(cut.removesuffix("…"))
    assert SUMMARY_ONE.startswith(kept) and not SUMMARY_ONE[len(kept)].isalnum()  # a whole word ends there
    short = [p for p in re.findall(r"<p>([^<]*)</p>", html) if p.startswith("Lightning")]
    assert short and not short[0].endswith("…")  # not cut, no ellipsis
    from feed.site.pages import shorten

    assert shorten("one two three", 13) == "one two three"
    assert shorten("one two three", 12) == "one two…"
    assert shorten("one two, three", 12) == "one two…"
    assert shorten("x" * 20, 10) == "x" * 9 + "…"


def test_numbered_section_headings_are_not_numbered_twice(client: TestClient, auth: dict[str, str]) -> None:
    headings = ["1. Foo", "2) Bar", "3 - Baz", "Plain", "3.5 million people", "10: Ten"]
    sections = [{"heading": heading, "paragraphs": ["Text."]} for heading in headings]
    html = publish(client, auth, demo_documents()[2] | {"slug": "numbered", "sections": sections})
    shown = re.findall(r'<h2 id="section-\d+">([^<]*)</h2>', html)
    assert shown == ["1. Foo", "2) Bar", "3 - Baz", "4. Plain", "5. 3.5 million people", "10: Ten"]


def test_citations_and_sources_link_both_ways(client: TestClient, demo: None) -> None:
    html = client.get("/checks/immigration-child-trafficking").text
    page = outline(html)
    citations = [a for a in page.find("a") if (a.get("href") or "").startswith("#source-")]
    ids = [a.get("id") for a in citations]
    assert all(ids) and len(set(ids)) == len(ids)  # every marker can be linked to
    back = {a["href"]: a for a in page.find("a") if a.get("class") == "fc-back"}
    for n in range(1, 9):
        first = next(a for a in citations if a["href"] == f"#source-{n}")
        assert f"#{first['id']}" in back, n  # the source's back link goes to its first citation
    assert all(a.get("aria-label") for a in back.values())
    assert re.search(r'<li id="source-1">.*?<a class="fc-back" href="#cite-1"[^>]*>↩', html)
    css = client.get("/static/factcard.css").text
    assert ".fc-sources li:target" in css


def test_page_dates_are_long_dates_in_the_page_language(client: TestClient, demo: None) -> None:
    english = client.get("/checks/immigration-child-trafficking").text
    assert '<time datetime="2025-10-30T09:00:00Z">October 30, 2025</time>' in english
    assert not re.search(r"<time [^>]*>\d{4}-\d\d-\d\d", english)
    card = client.get("/embed/immigration-child-trafficking").text
    assert "October 30, 2025" in card  # page and card agree
    spanish = client.get("/checks/agua-caliente-con-limon-cancer").text
    spanish_card = client.get("/embed/agua-caliente-con-limon-cancer").text
    (long_date,) = re.findall(r"Verificado el ([^<]+)<", spanish_card)
    assert f">{long_date}</time>" in spanish and " de " in long_date
    corrected = client.get("/checks/lightning-never-strikes-twice").text
    assert not re.search(r"<time [^>]*>\d{4}-\d\d-\d\d", corrected)
    home = client.get("/").text
    assert ">October 30, 2025</time>" in home and not re.search(r"<time [^>]*>\d{4}-\d\d-\d\d", home)


def test_retracted_page_offers_no_embed_and_says_retracted(client: TestClient, demo: None) -> None:
    html = client.get("/checks/council-ban-street-musicians").text
    page = outline(html)
    assert not [link for link in page.find("link") if link.get("type") == "application/json+oembed"]
    assert "Embed this fact-check" not in html and "factcard-embed" not in html and "embed-code" not in html
    title = "Retracted: Did the city council vote to ban street musicians?"
    assert re.search(r"<title>([^<]*)</title>", html)[1].startswith(title)  # type: ignore[index]
    meta = metas(html)
    assert meta["og:title"] == meta["twitter:title"] == title
    assert meta["og:description"].startswith("This fact-check has been retracted.")  # type: ignore[union-attr]
    assert "draft" in meta["og:description"]  # type: ignore[operator]  # the reason
    published = client.get("/checks/immigration-child-trafficking").text
    assert "application/json+oembed" in published and "Embed this fact-check" in published
    assert "Retracted" not in metas(published)["og:title"]  # type: ignore[operator]
