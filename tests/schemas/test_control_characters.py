"""Characters XML cannot carry: refused in new text, dropped from the XML of text stored before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from feed.store import Change
from feed.store.clock import stamp, utc_now
from schemas.errors import ValidationError
from schemas.text import character_problem, xml_safe
from schemas.validation import parse_factcheck

# Each cannot appear in an XML 1.0 document, not even as a character reference.
NOT_XML = ["\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"]
SURROGATE = "\ud800"


def document(slug: str = "controls", headline: str = "Is the claim right?") -> dict[str, Any]:
    return {
        "slug": slug,
        "headline": headline,
        "language": "en",
        "summary": "It is not [1].",
        "claims": [{"text": "The claim", "verdict": "False"}],
        "sources": [{"title": "A source", "url": "https://example.org/source"}],
    }


@pytest.mark.parametrize("character", [*NOT_XML, "\x7f", "\x85", SURROGATE])
def test_new_text_with_a_control_character_is_refused_naming_field_and_character(
    character: str, publishers: Any
) -> None:
    bad = document(headline=f"Is the claim{character} right?")
    bad["sections"] = [{"heading": "One", "paragraphs": ["Fine.", f"Not{character} fine."]}]
    bad["tags"] = [f"tag{character}"]
    with pytest.raises(ValidationError) as caught:
        parse_factcheck(bad, publishers, incoming=True)
    errors = {e.field: e.message for e in caught.value.errors}
    code = f"U+{ord(character):04X}"
    assert errors["headline"].endswith(f"({code}) at position 12")
    assert errors["sections[0].paragraphs[1]"].endswith(f"({code}) at position 3")
    assert errors["tags[0]"].endswith(f"({code}) at position 3")
    assert set(errors) == {"headline", "sections[0].paragraphs[1]", "tags[0]"}


def test_tab_newline_and_carriage_return_are_text(publishers: Any) -> None:
    fine = document(headline="Is the\tclaim right?")
    fine["summary"] = "It is not [1].\r\nNot at all.\n"
    assert parse_factcheck(fine, publishers, incoming=True).summary.endswith("\n")


def test_a_stored_document_is_read_as_it_was_accepted(publishers: Any) -> None:
    # The rule is for new text: what a store already holds stays readable.
    assert parse_factcheck(document(headline="Old\x0bheadline"), publishers).headline == "Old\x0bheadline"


def test_messages_name_the_kind_of_character() -> None:
    assert character_problem("ab\x0b") == "contains a control character (U+000B) at position 2"
    assert character_problem("\uffff") == "contains a noncharacter (U+FFFF) at position 0"
    assert character_problem("a\udc00") == "contains an unpaired surrogate (U+DC00) at position 1"
    assert character_problem("tab\there\r\n") is None
    assert xml_safe("a\x00b\x0bc\ufffed\td\ud800") == "abcd\td"


@pytest.mark.parametrize("character", NOT_XML)
def test_api_refuses_the_character_with_422_naming_the_field(
    character: str, client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/checks", json=document(headline=f"Is the claim{character} right?"), headers=auth)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "headline"
    assert error["message"].endswith(f"(U+{ord(character):04X}) at position 12")
    # An edit and a retraction reason are held to the same rule.
    assert client.post("/api/checks", json=document(), headers=auth).status_code == 201
    published = client.post("/api/checks/controls/publish", headers=auth)
    assert published.status_code == 200
    edited = document(headline=f"Edited{character}")
    response = client.put("/api/checks/controls", json=edited, headers=auth | {"If-Match": published.headers["ETag"]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "headline"
    response = client.post("/api/checks/controls/retract", json={"reason": f"Wr{character}ong"}, headers=auth)
    assert response.status_code == 422 and "U+" in response.text


def test_api_refuses_an_unpaired_surrogate(client: TestClient, auth: dict[str, str]) -> None:
    body = document(headline="HEADLINE")
    raw = json.dumps(body).replace("HEADLINE", "Is \\ud800 right?")
    response = client.post("/api/checks", content=raw, headers=auth | {"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text


def stored_with(app: Any, character: str) -> dict[str, Any]:
    """A published document holding `character` everywhere, written straight to the store as older versions could."""
    c = character
    fc = document(slug="stored", headline=f"Head{c}line")
    fc |= {
        "status": "published",
        "datePublished": "2025-01-01",
        "summary": f"Sum{c}mary [1].",
        "authors": [{"name": f"Au{c}thor", "url": "https://example.org/a"}],
        "tags": [f"ta{c}g"],
        "corrections": [{"date": "2025-01-02", "note": f"No{c}te"}],
        "claims": [{"text": f"Cl{c}aim", "verdict": "False", "explanation": f"Ex{c}plained"}],
        "sections": [{"heading": f"He{c}ad", "paragraphs": [f"Para{c}graph **strong{c}** [1]"]}],
    }
    store = app.state.context.store
    store.create(Change(document=fc, published_at="2025-01-01T00:00:00.000000Z", action="publish"), stamp(utc_now()))
    app.state.context.publishing._written(None)  # what a write through the service does next: refresh renderings
    return fc


@pytest.mark.parametrize("character", NOT_XML)
def test_xml_outputs_stay_well_formed_whatever_the_store_holds(character: str, app: Any, client: TestClient) -> None:
    stored_with(app, character)
    # Before the fix a single character made every one of these unreadable.
    atom = etree.fromstring(client.get("/feed.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:entry/a:title", namespaces=ns) == "Headline"
    # plain_text reads the whitespace among them (VT, FF) as a space.
    assert (atom.findtext("a:entry/a:summary", namespaces=ns) or "").replace(" ", "") == "Summary."
    assert "Claim" in (atom.findtext("a:entry/a:content", namespaces=ns) or "")
    assert atom.findtext("a:entry/{https://factcard.invalid/ns/1.0}correction", namespaces=ns) == "Note"
    sitemap = etree.fromstring(client.get("/sitemap.xml").content)
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://testserver/checks/stored" in locs
    # The other outputs still answer with the text as stored.
    assert client.get("/feed.json").status_code == 200
    assert client.get("/checks/stored").status_code == 200
