"""Query strings: each route takes its own parameters; the response cache keys canonical URLs only."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from feed.store.clock import utc_now
from tests.conftest import demo_documents

SLUG = "three-everyday-health-myths"  # three claims, in English
PAGE = f"http://testserver/checks/{SLUG}"
OEMBED = f"/oembed?url={quote(PAGE, safe='')}"
VALID = ["/", "/feed.json", "/feed.atom", f"/checks/{SLUG}", f"/embed/{SLUG}", f"/embed/{SLUG}?theme=dark", OEMBED]


@pytest.fixture
def demo(publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())


def bad_urls(n: int) -> list[tuple[str, str]]:
    """(URL, the parameter its problem must name) for the n-th made-up request."""
    return [
        (f"/feed.json?lang=x{n}", "lang"),
        (f"/feed.json?p{n}=1", f"p{n}"),
        (f"/feed.atom?theme=t{n}", "theme"),
        (f"/?q{n}=1", f"q{n}"),
        (f"/?page=0{n}", "page"),
        (f"/checks/{SLUG}?ref{n}=x", f"ref{n}"),
        (f"/checks/{SLUG}.json?lang=l{n}", "lang"),
        (f"/embed/{SLUG}?theme=t{n}", "theme"),
        (f"/embed/{SLUG}?claim=c{n}", "claim"),
        (f"/embed/{SLUG}?lang=1-{n}", "lang"),
        (f"/embed/{SLUG}?s{n}=1", f"s{n}"),
        (f"{OEMBED}&maxwidth=w{n}", "maxwidth"),
        (f"{OEMBED}&o{n}=1", f"o{n}"),
    ]


def test_unknown_parameters_and_values_are_400s_naming_them_and_keep_nothing(
    client: TestClient, app: Any, demo: None
) -> None:
    cache = app.state.response_cache
    for url in VALID:
        assert client.get(url).status_code == 200, url
    kept = set(cache.entries)
    for n in range(40):
        for url, name in bad_urls(n):
            response = client.get(url)
            assert response.status_code == 400, url
            assert name in response.text, url
    assert set(cache.entries) == kept
    for url in VALID:  # still served, from the same entries
        assert client.get(url).status_code == 200, url
    assert set(cache.entries) == kept


@pytest.mark.parametrize(
    "url",
    [f"/embed/{SLUG}?theme=dark&theme=light", "/?page=1&page=2", "/feed.json?since=2025-01-01T00:00:00Z&since=x"],
)
def test_a_parameter_given_twice_is_a_400(client: TestClient, demo: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "once" in response.text


def test_problems_for_apis_are_problem_json(client: TestClient, demo: None) -> None:
    for url in ("/feed.json?x=1", "/api/checks?x=1", f"{OEMBED}&x=1", "/claimreview.json?x=1", "/sitemap.xml?x=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["content-type"] == "application/problem+json", url
        assert response.json()["errors"] == [{"field": "x", "message": "is not a parameter of this URL"}]


def test_spellings_of_one_card_render_once_under_its_canonical_key(
    client: TestClient, app: Any, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from widget import card

    renders: list[Any] = []
    original = card.card_page
    monkeypatch.setattr(card, "card_page", lambda *args: renders.append(args) or original(*args))
    cache = app.state.response_cache
    canonical = client.get(f"/embed/{SLUG}?lang=pt")
    assert canonical.status_code == 200 and len(renders) == 1
    before = set(cache.entries)
    # Well-formed tags of one catalogue, languages with none (the fact-check's own), claims past the last.
    for n in range(60):
        assert client.get(f"/embed/{SLUG}?lang=pt-X{n}").content == canonical.content
        assert client.get(f"/embed/{SLUG}?lang=qq-{n}").status_code == 200
        assert client.get(f"/embed/{SLUG}?claim={4 + n}&theme=dark").status_code == 200
        assert client.get(f"/embed/{SLUG}?utm_source=n{n}").status_code == 200
    assert len(renders) == 3  # pt; the plain card (its own language, tracking tags); claim 3, dark
    # Every theme of a card is one rendering, kept under the light path form's key and the
    # spellings asked for.
    assert set(cache.entries) - before == {
        f"/embed/{SLUG}", f"/embed/{SLUG}/3/light", f"/embed/{SLUG}/3/dark", f"/embed/{SLUG}?claim=3&theme=dark",
    }  # fmt: skip


def test_spellings_of_one_oembed_answer_share_its_canonical_key(
    client: TestClient, app: Any, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from widget import card

    calls: list[Any] = []
    original = card.oembed
    monkeypatch.setattr(card, "oembed", lambda *args: calls.append(args) or original(*args))
    cache = app.state.response_cache
    first = client.get(OEMBED).json()
    before = set(cache.entries)
    for n in range(60):
        assert client.get(f"{OEMBED}&maxwidth={600 + n}&format=json").json() == first
        assert client.get(f"{OEMBED}%23section-{n}&maxheight={1000 + n}").json() == first
    assert len(calls) == 1 and set(cache.entries) == before


def test_tracking_tags_get_the_page_without_a_new_key(client: TestClient, app: Any, demo: None) -> None:
    cache = app.state.response_cache
    page = client.get(f"/checks/{SLUG}")
    before = set(cache.entries)
    for n in range(50):
        tagged = client.get(f"/checks/{SLUG}?utm_source=s{n}&fbclid=f{n}")
        assert tagged.status_code == 200 and tagged.content == page.content
    assert set(cache.entries) == before


def test_valid_parameters_work_and_are_kept_once(client: TestClient, app: Any, demo: None) -> None:
    cache = app.state.response_cache
    feed = client.get("/feed.json").json()
    since_url = feed["_claimreview"]["since_url"].removeprefix("http://testserver")
    for _ in range(3):
        assert client.get(since_url).status_code == 200
        assert client.get(f"/embed/{SLUG}?theme=dark&claim=2").status_code == 200
        assert client.get(f"/embed/{SLUG}?claim=2&theme=dark").status_code == 200  # same key, either order
        assert client.get(f"{OEMBED}%23claim-2&maxwidth=300").status_code == 200
    keys = [key for key in cache.entries if "?" in key]
    assert sorted(keys) == sorted([
        f"/embed/{SLUG}?claim=2&theme=dark",
        f"/oembed?maxwidth=300&url={quote(PAGE + '#claim-2', safe='')}",
        "/feed.json?" + since_url.split("?", 1)[1].replace(":", "%3A"),
    ])  # fmt: skip
    # Any other since is answered, not kept: each would be a key of its own.
    assert client.get("/feed.json?since=2020-01-01T00:00:00Z").status_code == 200
    assert len([key for key in cache.entries if "since=" in key]) == 1


def test_feed_cursors_keep_only_the_current_walk(client: TestClient, app: Any, demo: None) -> None:
    import dataclasses

    ctx = app.state.context
    app.state.context = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, feed_page_size=2))
    app.state.response_cache.clear()
    next_url = client.get("/feed.json").json()["next_url"].removeprefix("http://testserver")
    snapshot, before, _ = next_url.split("cursor=")[1].split(".")
    assert client.get(next_url).status_code == 200
    assert f"/feed.json?cursor={snapshot}.{before}.0" in app.state.response_cache.entries
    for n in range(30):  # made-up positions past the snapshot: not values this feed hands out
        assert client.get(f"/feed.json?cursor={snapshot}.{int(snapshot) + 2 + n}.0").status_code == 400
    for n in range(1, int(before)):  # since positions no next_url of this walk names: answered, not kept
        assert client.get(f"/feed.json?cursor={snapshot}.{n}.{n}").status_code == 200
    assert len([key for key in app.state.response_cache.entries if "cursor=" in key]) == 1
