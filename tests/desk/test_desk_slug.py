"""The desk proposes a slug for a headline in any script: over `/desk/slug` as the headline is
typed, on a save that left the slug empty, and for a pasted article; the form says what a slug is."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from starlette.testclient import TestClient

from feed.desk.accounts import create_user
from feed.store.clock import utc_now
from tests.desk.test_desk import PASSWORD, START, Clock, csrf_of, sign_in
from tests.desk.test_editor import draft_fields

ARABIC = "هل يسبب اللقاح العقم؟"
SLUG_URL = "/desk/slug.json"


@pytest.fixture
def writer(app: Any, client: TestClient) -> TestClient:
    app.state.desk.clock = Clock()
    create_user(app.state.context.store, "ben@example.org", "Ben Okafor", "writer", PASSWORD, START)
    assert sign_in(client, "ben@example.org").status_code == 303
    return client


def test_the_desk_proposes_a_slug_for_a_headline_in_any_script(writer: TestClient, app: Any) -> None:
    answer = writer.get(SLUG_URL, params={"headline": ARABIC})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {"slug": "hl-ysbb-llqh-l-qm"}
    assert writer.get(SLUG_URL, params={"headline": "क्या टीका"}).json() == {"slug": "kya-tika"}
    assert writer.get(SLUG_URL, params={"headline": ""}).json() == {"slug": ""}
    dated = writer.get(SLUG_URL, params={"headline": "🙂 🎉"}).json()["slug"]
    assert dated == f"fact-check-{utc_now().date().isoformat()}"
    # A slug a fact-check has is not proposed again.
    fields = draft_fields(slug="", headline=ARABIC)
    saved = writer.post("/desk/new", data={"csrf": csrf_of(writer.get("/desk/new")), **fields}, follow_redirects=False)
    assert saved.status_code == 303
    assert writer.get(SLUG_URL, params={"headline": ARABIC}).json() == {"slug": "hl-ysbb-llqh-l-qm-2"}


def test_bad_questions_get_a_400_naming_the_problem(writer: TestClient, client: TestClient) -> None:
    long = writer.get(SLUG_URL, params={"headline": "x" * 301})
    assert long.status_code == 400 and long.headers["content-type"] == "application/problem+json"
    assert long.json()["errors"][0]["field"] == "headline"
    other = writer.get(SLUG_URL, params={"headline": "a", "title": "b"})
    assert other.status_code == 400 and "title" in other.json()["detail"]
    client.cookies.clear()
    assert client.get(SLUG_URL, params={"headline": "a"}, follow_redirects=False).status_code == 303


def test_a_save_with_an_arabic_headline_and_no_slug_proposes_one(writer: TestClient, app: Any) -> None:
    token = csrf_of(writer.get("/desk/new"))
    fields = draft_fields(slug="", headline=ARABIC, language="ar")
    saved = writer.post("/desk/new", data={"csrf": token, **fields}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    assert "/desk/checks/hl-ysbb-llqh-l-qm/edit" in saved.headers["location"]
    assert app.state.context.store.get("hl-ysbb-llqh-l-qm").document["headline"] == ARABIC
    again = writer.post("/desk/new", data={"csrf": token, **fields}, follow_redirects=False)
    assert again.status_code == 303 and "/desk/checks/hl-ysbb-llqh-l-qm-2/edit" in again.headers["location"]


def test_a_pasted_arabic_article_gets_a_slug(writer: TestClient) -> None:
    article = f"{ARABIC}\n\nالخلاصة\n\nلا يوجد دليل على ذلك.\n"  # noqa: RUF001 (Arabic, as typed)
    response = writer.post("/desk/paste", data={"csrf": csrf_of(writer.get("/desk/new")), "article": article,
                                                "language": "ar"})  # fmt: skip
    assert response.status_code == 200
    (slug,) = html.fromstring(response.text).xpath('//form[@id="editor"]//input[@name="slug"]/@value')
    assert slug == "hl-ysbb-llqh-l-qm"


def test_the_form_says_what_a_slug_is(writer: TestClient) -> None:
    tree = html.fromstring(writer.get("/desk/new").text)
    (hint,) = tree.xpath('//p[@id="f-slug-hint"]')
    assert "web address" in hint.text_content() and "any script" in hint.text_content()
    (control,) = tree.xpath('//input[@name="slug"]')
    assert "f-slug-hint" in control.get("aria-describedby")
    arabic = html.fromstring(writer.get("/desk/new", headers={"Accept-Language": "ar"}).text)
    shown = arabic.xpath('//p[@id="f-slug-hint"]')[0].text_content()
    assert "رابط" in shown and "bats-are-not-blind" in shown  # in the desk's language, the example as is
