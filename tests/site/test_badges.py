"""Verdict badges: the SVG that ClaimReview's reviewRating.image names, one per scale label."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from starlette.testclient import TestClient

from tests.schemas.test_ratings import contrast

SVG = "{http://www.w3.org/2000/svg}"


def test_every_label_of_every_scale_has_a_badge_in_its_colour_with_white_text(client: TestClient, app: Any) -> None:
    for publisher in app.state.context.publishers.values():
        for index, label in enumerate(publisher.scale.labels):
            response = client.get(f"/verdicts/{publisher.id}/{index}.svg")
            assert response.status_code == 200
            assert response.headers["content-type"] == "image/svg+xml"
            root = ET.fromstring(response.content)
            assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label") == label.label
            assert root.find(f"{SVG}rect").get("fill") == label.colour  # type: ignore[union-attr]
            text = root.find(f"{SVG}text")
            assert text is not None and text.text == label.label and text.get("fill") == "#fff"
            assert contrast(label.colour, "#ffffff") >= 4.5
            assert int(text.get("textLength", "0")) < int(root.get("width", "0"))


def test_every_translation_of_a_label_has_a_badge_saying_it(client: TestClient, app: Any) -> None:
    publisher = app.state.context.publishers["demo"]
    for index, label in enumerate(publisher.scale.labels):
        assert label.translations
        for tag, words in label.translations:
            root = ET.fromstring(client.get(f"/verdicts/demo/{index}-{tag}.svg").content)
            assert root.get("aria-label") == words and root.find(f"{SVG}text").text == words  # type: ignore[union-attr]
            assert root.find(f"{SVG}rect").get("fill") == label.colour  # type: ignore[union-attr]
    false = publisher.scale.find("False")
    assert publisher.verdict_image(false, "es-MX") == "http://testserver/verdicts/demo/5-es.svg"
    assert (
        publisher.verdict_image(false, "en")
        == publisher.verdict_image(false)
        == "http://testserver/verdicts/demo/5.svg"
    )


def test_badges_are_long_cached_with_strong_etags(client: TestClient) -> None:
    response = client.get("/verdicts/demo/0.svg")
    assert response.headers["cache-control"] == "public, max-age=86400, stale-while-revalidate=604800"
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/verdicts/demo/0.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    assert client.get("/verdicts/demo/1.svg").headers["etag"] != etag


def test_only_real_badges_have_urls(client: TestClient) -> None:
    for path in ("/verdicts/demo/7.svg", "/verdicts/demo/01.svg", "/verdicts/demo/x.svg",
                 "/verdicts/nobody/0.svg", "/verdicts/demo/" + "9" * 5000 + ".svg", "/verdicts/demo/5-ES.svg",
                 "/verdicts/demo/5-xx.svg", "/verdicts/demo/5-.svg", "/verdicts/demo/05-es.svg"):  # fmt: skip
        assert client.get(path).status_code == 404, path[:40]


def test_label_text_is_escaped(app: Any) -> None:
    from feed.site.badges import badge_view
    from schemas.ratings import RatingLabel

    label = RatingLabel('<b>"Fake" & </svg>', 1, "#8c1c13", "false")
    svg = app.state.context.templates.get_template("verdict.svg").render(**badge_view(label))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}text").text == label.label  # type: ignore[union-attr]


def test_the_ratings_of_published_pages_name_badges_that_are_served(client: TestClient, publishing: Any) -> None:
    from feed.store.clock import utc_now
    from tests.conftest import demo_documents

    publishing.import_documents(demo_documents(), utc_now())
    images = set()
    for document in demo_documents():
        if document["status"] == "published":
            for review in client.get(f"/checks/{document['slug']}.json").json()["claimReview"]:
                images.add(review["reviewRating"]["image"])
    assert len(images) >= 2
    assert "http://testserver/verdicts/demo/5-es.svg" in images  # the Spanish check's badge says "Falso"
    for url in images:
        assert url.startswith("http://testserver/verdicts/demo/")
        assert client.get(url).headers["content-type"] == "image/svg+xml"
