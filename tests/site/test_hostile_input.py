"""Every text field filled with markup-breaking strings: pages, JSON-LD and JSON stay intact and inert."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from starlette.testclient import TestClient

SCRIPT = "</script><script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SEPARATORS = "line\u2028para\u2029end"
HOSTILE = f"{SCRIPT} {ATTRIBUTE} {SEPARATORS} & <!-- ]]>"


def hostile_document() -> dict[str, Any]:
    h = HOSTILE
    return {
        "slug": "hostile",
        "headline": h,
        "language": "en",
        # URLs hold what RFC 3986 lets through that still matters to escaping: ' & ( ) ;
        "authors": [{"name": h, "url": "https://example.org/a?x='&y=(1);alert(1)"}],
        "summary": f"{h} [1]",
        "claims": [
            {
                "text": h,
                "claimant": {"name": h, "type": "Person", "jobTitle": h, "sameAs": ["https://example.org/p"]},
                "appearances": ["https://example.org/post?q=%3C/script%3E&x='"],
                "verdict": "False",
                "explanation": h,
            }
        ],
        "sections": [{"heading": h, "paragraphs": [h, f"**{h}** [1]"]}],
        "bottomLine": h,
        "sources": [{"title": h, "url": "https://example.org/s", "publisher": h}],
        "relatedQuestions": [h],
        "tags": [h],
        "image": {"url": "https://example.org/i.png", "alt": h},
        "corrections": [{"date": "2025-01-01", "note": h}],
    }


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def publish_hostile(client: TestClient, auth: dict[str, str]) -> None:
    created = client.post("/api/checks", json=hostile_document(), headers=auth)
    assert created.status_code == 201, created.text
    published = client.post("/api/checks/hostile/publish", headers=auth)
    assert published.status_code == 200, published.text


def test_page_stays_inert(client: TestClient, auth: dict[str, str]) -> None:
    publish_hostile(client, auth)
    html = client.get("/checks/hostile").text
    assert SCRIPT not in html and "<img src=x" not in html
    parsed = Elements()
    parsed.feed(html)
    scripts = [attrs for tag, attrs in parsed.elements if tag == "script"]
    assert scripts and all(attrs == {"type": "application/ld+json"} for attrs in scripts)
    images = [attrs for tag, attrs in parsed.elements if tag == "img"]
    assert [img["src"] for img in images] == ["https://example.org/i.png"]
    for tag, attrs in parsed.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    # The text is shown, escaped, where a reader expects it.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_ld_stays_intact(client: TestClient, auth: dict[str, str]) -> None:
    publish_hostile(client, auth)
    html = client.get("/checks/hostile").text
    parsed = Elements()
    parsed.feed(html)
    (raw,) = parsed.scripts
    for forbidden in ("<", ">", "\u2028", "\u2029"):
        assert forbidden not in raw
    review = json.loads(raw)
    assert review["claimReviewed"] == HOSTILE
    assert review["itemReviewed"]["author"]["name"] == HOSTILE
    assert review["reviewRating"]["ratingExplanation"].startswith(SCRIPT)
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://example.org/post?q=%3C/script%3E&x='"
    # An independent parser reads the same data back.
    import extruct

    (found,) = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert found["claimReviewed"] == HOSTILE


def test_json_twin_and_api_return_the_text_unchanged(client: TestClient, auth: dict[str, str]) -> None:
    publish_hostile(client, auth)
    for url in ("/checks/hostile.json", "/api/checks/hostile"):
        body = json.loads(client.get(url).content)
        assert body["document"]["headline"] == HOSTILE
        assert body["document"]["sections"][0]["paragraphs"][1] == f"**{HOSTILE}** [1]"


def test_retraction_reason_stays_inert(client: TestClient, auth: dict[str, str]) -> None:
    publish_hostile(client, auth)
    response = client.post("/api/checks/hostile/retract", json={"reason": HOSTILE}, headers=auth)
    assert response.status_code == 200
    html = client.get("/checks/hostile").text
    assert SCRIPT not in html
    assert re.search(r"<script(?![^>]*ld\+json)", html) is None
