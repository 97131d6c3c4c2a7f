from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.clock import utc_now
from tests.conftest import demo_documents


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
    assert metas["twitter:card"] == "summary"
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
    assert 'rel="next" href="http://testserver/?page=2"' in first
    assert "¿El agua caliente" in second and "¿El agua caliente" not in first
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=x").status_code == 400


def test_spanish_check_page_is_in_spanish(client: TestClient, demo: None) -> None:
    page = outline(client.get("/checks/agua-caliente-con-limon-cancer").text)
    assert page.find("html")[0]["lang"] == "es"


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

    from tests.test_ratings import contrast

    css = (Path(__file__).resolve().parent.parent / "feed" / "static" / "factcard.css").read_text()
    colours = dict(re.findall(r"--fc-([a-z]+): (#[0-9a-f]{6})", css))
    for text in ("text", "muted", "link"):
        for background in ("bg", "panel"):
            assert contrast(colours[text], colours[background]) >= 4.5, (text, background)


def test_retracted_verdict_is_labelled_withdrawn(client: TestClient, demo: None) -> None:
    html = client.get("/checks/council-ban-street-musicians").text
    assert "Withdrawn verdict:" in html and "Our verdict:" not in html
    assert html.index("<h1") < html.index("This fact-check has been retracted")
