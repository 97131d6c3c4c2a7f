"""The oEmbed spec's parameters on both oEmbed URLs: the discovery URL (/oembed/SLUG.json) that
a page names, and the query endpoint (/oembed?url=). Consumers add `maxwidth`, `maxheight` and
`format` to whichever URL discovery gave them (WordPress also `url` and `dnt`); a size limit is
honoured, `format=xml` is 501 as the spec says. pyembed, a real consumer, reads a live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.conftest import LiveServer, demo_documents, live_app
from tests.widget.test_widget import discover

SLUG = "three-everyday-health-myths"
PAGE = f"http://testserver/checks/{SLUG}"
DISCOVERY = f"/oembed/{SLUG}.json"


@pytest.fixture
def published(publishing: Any) -> None:
    from feed.store.clock import utc_now

    publishing.import_documents(demo_documents(), utc_now())


def test_the_discovery_url_honours_maxwidth_and_maxheight(client: TestClient, published: None) -> None:
    assert discover(client, f"/checks/{SLUG}") == f"http://testserver{DISCOVERY}"
    response = client.get(f"{DISCOVERY}?maxwidth=400&maxheight=300")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["width"] == 400 and 'data-width="400"' in body["html"]
    assert body["height"] <= 300 and f'data-height="{body["height"]}"' in body["html"]
    # The same answer as the query endpoint gives for the page with those limits.
    asked = client.get("/oembed", params={"url": PAGE, "maxwidth": "400", "maxheight": "300"})
    assert asked.content == response.content


def test_the_discovery_url_takes_format_json_and_answers_xml_with_501(client: TestClient, published: None) -> None:
    plain = client.get(DISCOVERY).content
    assert client.get(f"{DISCOVERY}?format=json").content == plain
    for url in (f"{DISCOVERY}?format=xml", f"/oembed?url={quote(PAGE)}&format=xml"):
        refused = client.get(url)
        assert refused.status_code == 501, url
        assert refused.headers["content-type"] == "application/problem+json"
        assert "format=json" in refused.json()["detail"]


def test_what_wordpress_sends_to_a_discovered_url_is_answered(client: TestClient, published: None) -> None:
    """WordPress adds maxwidth, maxheight, url and dnt, then tries format=json before xml."""
    wordpress = f"{DISCOVERY}?maxwidth=600&maxheight=1000&url={quote(PAGE, safe='')}&dnt=1"
    body = client.get(f"{wordpress}&format=json").json()
    assert body["width"] == 550 and body["height"] <= 1000  # the card is never wider than 550
    assert body == client.get(DISCOVERY).json()
    second_claim = client.get(f"{DISCOVERY}?url={quote(PAGE + '#claim-2', safe='')}").json()
    assert 'data-claim="2"' in second_claim["html"]
    other = client.get(f"{DISCOVERY}?url={quote('http://testserver/checks/lightning-never-strikes-twice', safe='')}")
    assert other.status_code == 400 and "lightning-never-strikes-twice" in other.json()["detail"]


def test_the_discovery_url_refuses_sizes_no_card_fits_and_bad_numbers(client: TestClient, published: None) -> None:
    assert client.get(f"{DISCOVERY}?maxwidth=100").status_code == 404
    assert client.get(f"{DISCOVERY}?maxheight=20").status_code == 404
    bad = client.get(f"{DISCOVERY}?maxwidth=wide")
    assert bad.status_code == 400 and "maxwidth" in bad.json()["detail"]
    unknown = client.get(f"{DISCOVERY}?width=400")
    assert unknown.status_code == 400 and "width" in unknown.json()["detail"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app, port = live_app(Path(tmp_path_factory.mktemp("oembed")), demo_documents())
    with LiveServer(app, port) as server:
        yield server.url


def test_pyembed_embeds_a_page_within_a_size_limit(live: str) -> None:
    """pyembed discovers the page's oEmbed URL and adds maxwidth and maxheight to it (its own
    discovery from the page; the default would first fetch oembed.com's list of providers)."""
    from pyembed.core import PyEmbed
    from pyembed.core.discovery import AutoDiscoverer

    html = PyEmbed(discoverer=AutoDiscoverer()).embed(f"{live}/checks/{SLUG}", max_width=400, max_height=300)
    assert html.startswith('<blockquote class="factcard-embed"') and 'data-width="400"' in html
