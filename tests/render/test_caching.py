from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest
from starlette.testclient import TestClient

from feed.render.caching import negotiate_encoding
from feed.store.clock import utc_now
from tests.conftest import demo_documents

CACHED = ["/feed.json", "/feed.atom", "/claimreview.json", "/checks/lightning-never-strikes-twice",
          "/checks/lightning-never-strikes-twice.json", "/", "/sitemap.xml"]  # fmt: skip


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


@pytest.mark.parametrize("url", CACHED)
def test_repeat_request_gets_304_with_the_same_validators(client: TestClient, demo: None, url: str) -> None:
    first = client.get(url, headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert "max-age=" in first.headers["cache-control"] and "stale-while-revalidate=" in first.headers["cache-control"]
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304 and again.content == b""
    for header in ("etag", "cache-control", "vary", "last-modified"):
        assert again.headers[header] == first.headers[header], header
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_date.status_code == 304


@pytest.mark.parametrize("url", CACHED)
def test_an_edit_turns_304_into_200(client: TestClient, auth: dict[str, str], demo: None, url: str) -> None:
    etag = client.get(url, headers={"Accept-Encoding": "identity"}).headers["etag"]
    document = next(d for d in demo_documents() if d["slug"] == "lightning-never-strikes-twice")
    current = client.get("/api/checks/lightning-never-strikes-twice").headers["etag"]
    response = client.put("/api/checks/lightning-never-strikes-twice", json=document | {"headline": "Changed"},
                          headers=auth | {"If-Match": current})  # fmt: skip
    assert response.status_code == 200
    after = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


def test_gzip_and_brotli_are_negotiated_with_their_own_etags(client: TestClient, demo: None) -> None:
    plain = client.get("/feed.json", headers={"Accept-Encoding": "identity"})
    gzipped = client.get("/feed.json", headers={"Accept-Encoding": "gzip"})
    brotlied = client.get("/feed.json", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip" and brotlied.headers["content-encoding"] == "br"
    assert gzipped.content == plain.content  # the client decodes both codings
    assert brotlied.content == plain.content
    tags = {plain.headers["etag"], gzipped.headers["etag"], brotlied.headers["etag"]}
    assert len(tags) == 3
    assert plain.headers["vary"] == "Accept-Encoding"
    # A validator from any coding revalidates the same content.
    assert client.get("/feed.json", headers={"If-None-Match": gzipped.headers["etag"]}).status_code == 304


def test_compressed_bytes_really_are_compressed(client: TestClient, demo: None) -> None:
    with client.stream("GET", "/feed.json", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw) == client.get("/feed.json", headers={"Accept-Encoding": "identity"}).content
    with client.stream("GET", "/claimreview.json", headers={"Accept-Encoding": "br"}) as response:
        raw = b"".join(response.iter_raw())
    streamed = brotli.decompress(raw)
    assert streamed == client.get("/claimreview.json", headers={"Accept-Encoding": "identity"}).content


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("", "identity"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("gzip;q=0", "identity"), ("*", "br"),
     ("br, gzip;q=0.5", "br"), ("identity", "identity")],
)  # fmt: skip
def test_negotiation_honours_q_values(accept: str, expected: str) -> None:
    assert negotiate_encoding(accept) == expected


def test_feeds_and_public_json_allow_any_origin_without_credentials(client: TestClient, demo: None) -> None:
    for url in ("/feed.json", "/claimreview.json", "/checks/lightning-never-strikes-twice.json"):
        response = client.get(url, headers={"Origin": "https://aggregator.example"})
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers
