"""`?lang=`: the home page, the feeds and the API list in one language and its regional forms,
on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import dataclasses
import html as html_text
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import feedparser
import jinja2
import orjson
import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from feed.store.clock import utc_now
from tests.conftest import demo_documents
from widget.i18n import Messages

ATOM = "{http://www.w3.org/2005/Atom}"
SPANISH = {"es": "es", "mx": "es-MX", "latam": "es-419"}
OTHERS = {"en": "en", "ar": "ar", "et": "et", "est": "est"}  # est: starts with the letters es, is not Spanish


def check(slug: str, language: str, status: str = "published") -> dict[str, Any]:
    return {
        "slug": slug,
        "status": status,
        "headline": f"Is {slug} right?",
        "language": language,
        "summary": "It is not.",
        "claims": [{"text": f"Claim {slug}", "verdict": "False"}],
    }


def slug_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


@pytest.fixture
def lang_app(database_url: str) -> Iterator[Any]:
    settings = Settings.load({}, {"database_url": database_url, "base_url": "http://testserver"})
    application = create_app(settings)
    yield application
    application.state.context.store.close()


@pytest.fixture
def lang_client(lang_app: Any) -> Iterator[TestClient]:
    with TestClient(lang_app) as test_client:
        yield test_client


def set_setting(app: Any, **values: Any) -> None:
    ctx = app.state.context
    app.state.context = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, **values))
    app.state.response_cache.clear()


def load(app: Any, checks: dict[str, str], prefix: str = "", status: str = "published") -> None:
    documents = [check(f"{prefix}{slug}", language, status) for slug, language in checks.items()]
    app.state.context.publishing.import_documents(documents, utc_now())


def listed(html: str) -> list[str]:
    return [slug_of(a) for a in _hrefs(html) if "/checks/" in a]


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<h2><a href="([^"]+)"', html)


def link(html: str, rel: str, media_type: str | None = None) -> str | None:
    kind = f' type="{media_type}"' if media_type else ""
    found = re.search(rf'<link rel="{rel}"{kind} href="([^"]+)"', html)
    return html_text.unescape(found[1]) if found else None


# -- the home page -------------------------------------------------------------------


def test_the_home_page_lists_only_the_language_and_its_forms(
    lang_client: TestClient, lang_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(lang_app, SPANISH | OTHERS)
    load(lang_app, {"draft": "es"}, status="draft")
    rendered: list[dict[str, Any]] = []
    original = jinja2.Template.render

    def spy(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        if self.name == "index.html":
            rendered.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    expected = {
        "es": {"es", "mx", "latam"}, "ES": {"es", "mx", "latam"}, "es-mx": {"mx"}, "es-MX": {"mx"},
        "es-419": {"latam"}, "est": {"est"}, "et": {"et"}, "ar": {"ar"},
    }  # fmt: skip
    for lang, slugs in expected.items():
        response = lang_client.get(f"/?lang={lang}")
        assert response.status_code == 200, response.text
        assert set(listed(response.text)) == slugs, lang
        assert rendered[-1]["filter_language"] == lang.lower()
        assert link(response.text, "canonical") == f"http://testserver/?lang={lang.lower()}"
        assert (
            link(response.text, "alternate", "application/json") == f"http://testserver/api/checks?lang={lang.lower()}"
        )
    assert set(listed(lang_client.get("/").text)) == set(SPANISH | OTHERS)
    assert rendered[-1]["filter_language"] is None


def test_pages_of_a_language_keep_it_in_every_link(lang_client: TestClient, lang_app: Any) -> None:
    load(lang_app, {f"s{n}": ["es", "es-MX"][n % 2] for n in range(5)} | {f"e{n}": "en" for n in range(5)})
    set_setting(lang_app, page_size=2)
    first = lang_client.get("/?lang=es")
    assert link(first.text, "next") == "http://testserver/page/2?lang=es" and link(first.text, "prev") is None
    second = lang_client.get("/page/2?lang=es")
    assert second.text == lang_client.get("/?page=2&lang=es").text
    assert link(second.text, "canonical") == "http://testserver/page/2?lang=es"
    assert link(second.text, "prev") == "http://testserver/?lang=es"
    assert link(second.text, "next") == "http://testserver/page/3?lang=es"
    assert link(second.text, "alternate", "application/json") == "http://testserver/api/checks?lang=es&page=2"
    assert (
        second.headers["link"]
        == '<http://testserver/api/checks?lang=es&page=2>; rel="alternate"; type="application/json"'
    )
    third = lang_client.get("/page/3?lang=es")
    assert link(third.text, "next") is None
    walked = [slug for page in (first, second, third) for slug in listed(page.text)]
    assert sorted(walked) == [f"s{n}" for n in range(5)]
    assert lang_client.get("/page/4?lang=es").status_code == 404  # past the language's last page


def test_a_language_with_no_fact_checks_is_an_empty_list(client: TestClient, app: Any, publishing: Any) -> None:
    publishing.import_documents(demo_documents(), utc_now())
    response = client.get("/?lang=fr")
    assert response.status_code == 200
    # The page speaks the language asked for, when it has a catalogue: here, French.
    assert (
        Messages("fr").gettext("No fact-checks have been published yet.") in response.text
        and listed(response.text) == []
    )
    assert '<html lang="fr"' in response.text
    assert client.get("/feed.json?lang=fr").json()["items"] == []
    assert feedparser.parse(client.get("/feed.atom?lang=fr").content).entries == []
    assert client.get("/api/checks?lang=fr").json() == {"items": [], "page": 1, "total": 0, "next": None}


BAD = ["<script>", "e" * 200, "es-" + "a" * 40, "e", "x1", "es_MX", "es-", "español", "es\n", ""]


@pytest.mark.parametrize("url", ["/", "/page/2", "/feed.json", "/feed.atom", "/api/checks"])
@pytest.mark.parametrize("bad", BAD)
def test_a_malformed_lang_is_a_400_naming_the_parameter(client: TestClient, app: Any, url: str, bad: str) -> None:
    kept = set(app.state.response_cache.entries)
    response = client.get(url, params={"lang": bad})
    assert response.status_code == 400, response.text
    assert "lang" in response.text
    if url != "/" and not url.startswith("/page"):
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Bad lang"
        assert [error["field"] for error in response.json()["errors"]] == ["lang"]
    assert set(app.state.response_cache.entries) == kept


# -- the feeds ---------------------------------------------------------------------------


def test_a_json_feed_walk_in_one_language_sees_each_item_once_while_checks_are_published(
    lang_client: TestClient, lang_app: Any
) -> None:
    publishing = lang_app.state.context.publishing
    languages = ["es", "es-MX", "es-419", "en", "ar"]
    load(lang_app, {f"seed-{n}": languages[n % 5] for n in range(40)})
    spanish_seeds = {f"seed-{n}" for n in range(40) if n % 5 < 3}
    set_setting(lang_app, feed_page_size=3)
    stop, published = threading.Event(), []

    def keep_publishing() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            language = languages[n % 5]
            publishing.create(check(f"live-{n}", language), utc_now())
            # Edit an old one too: it must not jump out of the walk nor repeat in it.
            current = publishing.store.get(f"seed-{n % 40}")
            publishing.update(current.slug, current.document | {"headline": f"edit {n}"}, current.version, utc_now())
            if language.startswith("es"):
                published.append(f"live-{n}")
            n += 1

    writer = threading.Thread(target=keep_publishing)
    items: list[dict[str, Any]] = []
    url, pages = "/feed.json?lang=es", 0
    try:
        while True:
            page = lang_client.get(url).json()
            assert page["language"] == "es" and page["title"] == "Factcard Demo Desk: verificaciones (Español)"
            assert page["feed_url"] == "http://testserver/feed.json?lang=es"
            assert page["home_page_url"] == "http://testserver/?lang=es"
            items.extend(page["items"])
            pages += 1
            if pages == 1:  # changes land mid-walk: after the first page pinned the snapshot
                writer.start()
                deadline = time.monotonic() + 30
                while len(published) < 5 and time.monotonic() < deadline:
                    time.sleep(0.01)
            if "next_url" not in page:
                break
            assert "lang=es" in page["next_url"] and "lang=es" in page["_claimreview"]["since_url"]
            url = page["next_url"]
    finally:
        stop.set()
        writer.join()
    walked = [slug_of(item["url"]) for item in items]
    assert pages > 5
    assert len(walked) == len(set(walked)), "an item came twice"
    assert {item["language"] for item in items} <= {"es", "es-MX", "es-419"}
    assert set(walked) >= spanish_seeds, "a Spanish item present at the start was missed"
    assert published, "the writer published nothing during the walk"
    # Whatever the walk did not include is exactly what the follow-up poll brings, in Spanish only.
    polled, url = [], page["_claimreview"]["since_url"]
    while url:
        page = lang_client.get(url).json()
        polled.extend(slug_of(item["url"]) for item in page["items"])
        assert {item["language"] for item in page["items"]} <= {"es", "es-MX", "es-419"}
        url = page.get("next_url")
    assert len(polled) == len(set(polled))
    assert set(published) <= set(walked) | set(polled)


def test_an_atom_feed_in_one_language(lang_client: TestClient, lang_app: Any) -> None:
    load(lang_app, {f"s{n}": ["es", "es-MX"][n % 2] for n in range(5)} | {f"e{n}": "en" for n in range(5)})
    load(lang_app, {"gone": "es"})
    retract = lang_app.state.context.publishing.retract
    retract("gone", "Wrong.", 1, utc_now())
    set_setting(lang_app, feed_page_size=2, websub_hub="https://hub.example/")
    url, seen, tombstones = "/feed.atom?lang=es", [], []
    for _ in range(10):
        response = lang_client.get(url)
        parsed = feedparser.parse(response.content)
        assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
        assert (
            parsed.feed.title == "Factcard Demo Desk: verificaciones (Español)"
            and parsed.feed.id == "http://testserver/feed.atom?lang=es"
        )
        seen.extend(slug_of(entry.link) for entry in parsed.entries)
        root = ET.fromstring(response.content)
        entries = root.findall(f"{ATOM}entry")
        assert {e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in entries} <= {"es", "es-MX"}
        tombstones += [t.get("ref") for t in root.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")]
        links = {element.get("rel"): element.get("href") for element in root.findall(f"{ATOM}link")}
        assert links["first"] == "http://testserver/feed.atom?lang=es"
        assert links["alternate"] == "http://testserver/?lang=es"
        assert "lang=es" in links["self"] and "lang=es" in links["https://factcard.invalid/rel/since"]
        # The hub hears of changes to the whole feeds only: a subscription here would never be told.
        assert "hub" not in links and 'rel="hub"' not in response.headers["link"]
        assert response.headers["link"] == '<http://testserver/feed.atom?lang=es>; rel="self"'
        if "next" not in links:
            break
        assert "lang=es" in links["next"]
        url = links["next"].removeprefix("http://testserver")
    # The retraction comes as a tombstone and as an entry ("Retracted: ..."), in its language.
    assert sorted(seen) == ["gone", *(f"s{n}" for n in range(5))] and len(tombstones) == 1
    whole = ET.fromstring(lang_client.get("/feed.atom").content)
    assert any(element.get("rel") == "hub" for element in whole.findall(f"{ATOM}link"))


# -- the render cache -------------------------------------------------------------------


def test_pages_in_a_language_are_kept_under_their_own_keys_and_dropped_on_a_change(
    client: TestClient, app: Any, publishing: Any, auth: dict[str, str]
) -> None:
    publishing.import_documents(demo_documents(), utc_now())
    cache = app.state.response_cache
    whole = {url: client.get(url).content for url in ("/", "/feed.json", "/feed.atom")}
    spanish = {url: client.get(f"{url}?lang=es").content for url in whole}
    assert all(spanish[url] != whole[url] for url in whole)
    assert {"/", "/feed.json", "/feed.atom", "/?lang=es", "/feed.json?lang=es", "/feed.atom?lang=es"} <= set(
        cache.entries
    )
    for url in whole:  # answered from the cache: the same bytes
        assert client.get(f"{url}?lang=es").content == spanish[url]
    # Another spelling is answered, kept under the page's one key (home) or not at all (feeds).
    before = set(cache.entries)
    assert client.get("/?lang=ES").content == spanish["/"]
    assert client.get("/feed.json?lang=ES").json()["items"] == orjson_items(spanish["/feed.json"])
    # Languages no fact-check is in are answered, and not kept: they cannot crowd the cache.
    for n in range(30):
        assert client.get(f"/?lang=qq-{n:03d}").status_code == 200
        assert client.get(f"/feed.json?lang=qq-{n:03d}").status_code == 200
    assert set(cache.entries) == before

    response = client.post("/api/checks", json=check("nuevo", "es-MX"), headers=auth)
    assert response.status_code == 201, response.text
    time.sleep(0.3)  # past the cache's check interval
    assert "nuevo" in listed(client.get("/?lang=es").text)
    assert slug_of(client.get("/feed.json?lang=es").json()["items"][0]["url"]) == "nuevo"
    assert "nuevo" not in [slug_of(i["url"]) for i in client.get("/feed.json?lang=en").json()["items"]]


def orjson_items(body: bytes) -> Any:
    return orjson.loads(body)["items"]


# -- the API and its description --------------------------------------------------------------


def test_the_api_lists_a_language_and_documents_the_parameter(client: TestClient, app: Any, publishing: Any) -> None:
    publishing.import_documents([check(f"s{n}", "es-MX") for n in range(3)] + [check("e", "en")], utc_now())
    set_setting(app, page_size=2)
    first = client.get("/api/checks?lang=es").json()
    assert first["total"] == 3 and first["next"] == "http://testserver/api/checks?lang=es&page=2"
    second = client.get(first["next"]).json()
    assert sorted(item["slug"] for item in first["items"] + second["items"]) == ["s0", "s1", "s2"]
    listing = client.get("/openapi.json").json()["paths"]["/api/checks"]["get"]
    (lang,) = [p for p in listing["parameters"] if p["name"] == "lang"]
    assert lang["in"] == "query" and lang["schema"]["maxLength"] == 35
