"""URLs the API stores are URIs by RFC 3986, as its OpenAPI description (`format: uri`) says:
what a validating consumer would refuse is refused on the way in (422 naming the field), and
what is stored validates when read back. Also: a malformed If-Match is 400, not 412.

The consumer's side is jsonschema's own `uri` format check (rfc3986-validator), not ours.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from tests.api.test_api import create, draft

# Accepted by urllib's split and by an http(s)-only check; refused by RFC 3986.
INVALID = [
    'https://example.com/"><script>alert(1)</script>',
    "https://user:pass@evil.example@good.example/",
    "https://example.com/a|b",
    "https://example.com/{x}",
    "https://example.com/%zz",
    "https://example.com/?q=<b>",
    "https://example.com/#one#two",
    "https://example.com:99999/",
]
# Valid URIs, some unusual: each is stored as sent.
VALID = [
    "https://example.com/a%20b?q=1&r=%C3%A9#part",
    "http://[2001:db8::1]:8080/path",
    "https://user:pass@good.example/",
    "https://example.com/~name/(1);x=y,z!$'*+@:",
    "https://xn--caf-dma.example/",
]
FIELDS = {
    "authors[0].url": lambda d, u: d | {"authors": [{"name": "A writer", "url": u}]},
    "authors[0].sameAs[0]": lambda d, u: d | {"authors": [{"name": "A writer", "sameAs": [u]}]},
    "sources[0].url": lambda d, u: d | {"sources": [{"title": "A source", "url": u}]},
    "claims[0].appearances[0]": lambda d, u: d | {"claims": [d["claims"][0] | {"appearances": [u]}]},
}


def _validator(client: TestClient) -> jsonschema.Draft202012Validator:
    components = client.get("/openapi.json").json()["components"]
    schema = {"$ref": "#/components/schemas/Record", "components": components}
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    assert not checker.conforms("https://example.com/a|b", "uri"), "jsonschema checks `uri` only with rfc3986-validator"
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


@pytest.mark.parametrize("url", INVALID)
@pytest.mark.parametrize("field", FIELDS)
def test_a_url_that_is_not_a_uri_is_refused_naming_the_field(
    client: TestClient, auth: dict[str, str], field: str, url: str
) -> None:
    response = client.post("/api/checks", json=FIELDS[field](draft(), url), headers=auth)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert "RFC 3986" in errors[0]["message"]


def test_what_is_stored_validates_against_the_published_schema(client: TestClient, auth: dict[str, str]) -> None:
    """Every candidate is either refused or stored as a document its own schema accepts."""
    validator = _validator(client)
    stored = 0
    for index, url in enumerate(INVALID + VALID):
        for number, (field, place) in enumerate(FIELDS.items()):
            slug = f"url-{index}-{number}"
            response = client.post("/api/checks", json=place(draft(slug), url), headers=auth)
            if response.status_code == 422:
                continue
            assert response.status_code == 201, response.text
            record = client.get(f"/api/checks/{slug}", headers=auth).json()
            problems = [e.message for e in validator.iter_errors(record)]
            assert not problems, f"{field} = {url!r} was stored, but a consumer refuses it: {problems}"
            stored += 1
    assert stored == len(VALID) * len(FIELDS)


def test_a_valid_uri_is_stored_as_sent(client: TestClient, auth: dict[str, str]) -> None:
    document = draft() | {"sources": [{"title": f"Source {i}", "url": url} for i, url in enumerate(VALID)]}
    body = create(client, auth, document).json()
    assert [s["url"] for s in body["document"]["sources"]] == VALID


def test_an_address_as_a_browser_shows_it_is_kept_as_its_uri(client: TestClient, auth: dict[str, str]) -> None:
    """Editors paste addresses with Arabic or Devanagari in them: each is kept as the URI a
    browser would send (RFC 3987 3.1), which validates against the schema."""
    shown = [
        "https://ar.wikipedia.org/wiki/\u0645\u0635\u0631",
        "https://example.com/caf\u00e9?q=\u00e9#\u00fc",
        "https://\u092d\u093e\u0930\u0924.example/\u0938\u092e\u093e\u091a\u093e\u0930",
    ]
    sent = [
        "https://ar.wikipedia.org/wiki/%D9%85%D8%B5%D8%B1",
        "https://example.com/caf%C3%A9?q=%C3%A9#%C3%BC",
        "https://xn--h2brj9c.example/%E0%A4%B8%E0%A4%AE%E0%A4%BE%E0%A4%9A%E0%A4%BE%E0%A4%B0",
    ]
    document = draft() | {"sources": [{"title": f"Source {i}", "url": url} for i, url in enumerate(shown)]}
    record = create(client, auth, document).json()
    assert [s["url"] for s in record["document"]["sources"]] == sent
    assert not [e.message for e in _validator(client).iter_errors(record)]
    # Still refused: what RFC 3986 forbids in ASCII, beside the non-ASCII.
    refused = client.post(
        "/api/checks", json=FIELDS["sources[0].url"](draft("x"), "https://example.com/\u00e9|x"), headers=auth
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sources[0].url"


def test_a_link_in_the_text_keeps_its_old_rules(client: TestClient, auth: dict[str, str]) -> None:
    """Markdown links become escaped hrefs and never a `uri` field: one with a non-ASCII path
    (as people paste from an Arabic Wikipedia page) still links."""
    link = "https://ar.wikipedia.org/wiki/\u0645\u0635\u0631"
    create(client, auth, draft() | {"summary": f"It is not [1]; see [the article]({link})."})
    assert client.post("/api/checks/a-claim/publish", headers=auth).status_code == 200
    assert f'href="{link}"' in client.get("/checks/a-claim").text


def _put(client: TestClient, auth: dict[str, str], if_match: str) -> Any:
    edited = draft() | {"headline": "Edited"}
    return client.put("/api/checks/a-claim", json=edited, headers=auth | {"If-Match": if_match})


@pytest.mark.parametrize("if_match", ["", "   ", ",", "a-claim.v1", "W/a-claim.v1", '"a-claim.v1', '"a-claim.v1" x'])
def test_a_malformed_if_match_is_400_naming_the_header(client: TestClient, auth: dict[str, str], if_match: str) -> None:
    create(client, auth, draft())
    response = _put(client, auth, if_match)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["title"] == "Malformed If-Match" and "If-Match" in problem["detail"]
    assert response.headers["content-type"] == "application/problem+json"


def test_a_well_formed_if_match_of_another_version_is_still_412(client: TestClient, auth: dict[str, str]) -> None:
    create(client, auth, draft())
    assert _put(client, auth, '"a-claim.v7"').status_code == 412
    assert _put(client, auth, '"someone-else"').status_code == 412
    assert _put(client, auth, '"a-claim.v1", , "a-claim.v2"').status_code == 412  # a list, well formed
    assert _put(client, auth, 'W/"a-claim.v1"').status_code == 200
