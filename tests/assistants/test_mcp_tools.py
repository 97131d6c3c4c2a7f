"""The assistants' tools as plain functions over a real store (feed.assistants.tools): what they
find, what every finding carries, what they refuse, and that a draft is never given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typing_extensions import get_type_hints

from feed.assistants.tools import (
    Archive,
    Claim,
    Finding,
    NotPublic,
    Refused,
    get_fact_check,
    recent_fact_checks,
    search_fact_checks,
)
from feed.core.findings import finding
from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.core.urls import Urls
from feed.site.config import load_publishers
from feed.store import SearchHit, Store, open_store
from feed.store.clock import utc_now
from schemas.model import load_factcheck
from tests.api.test_api import draft
from tests.conftest import demo_documents

BASE = "https://factcheck.example"
LEMON_ES, RETRACTED = "agua-caliente-con-limon-cancer", "council-ban-street-musicians"
DRAFT = "lemon-water-cures-everything"
ORIGINAL_PATH = "/2025/05/bridge-closed"
ORIGINAL = BASE + ORIGINAL_PATH  # an original must be on its publisher's own host, here the site's


def kept_canonical(base_url: str) -> dict[str, Any]:
    """A fact-check imported from a newsroom that keeps its own article as the canonical page."""
    return {
        "slug": "bridge-closed-for-good",
        "status": "published",
        "headline": "Is the old bridge closed for good?",
        "language": "en",
        "datePublished": "2025-05-01T10:00:00Z",
        "summary": "It reopens in June [1].",
        "claims": [{"text": "The old bridge is closed for good", "verdict": "False"}],
        "sources": [{"title": "Roadworks notice", "url": "https://example.org/roadworks"}],
        "originalUrl": base_url + ORIGINAL_PATH,
        "originalIsCanonical": True,
    }


def fill(database_url: str, base_url: str = BASE) -> Archive:
    """A store holding the demo fact-checks, one whose original stays canonical, and a draft about
    lemon water (which every search for lemons would find, were drafts searchable)."""
    settings = Settings.load({}, {"database_url": database_url, "base_url": base_url})
    store = open_store(database_url)
    publishers = load_publishers(settings)
    publishing = Publishing(store, publishers, settings.base_url, ())
    publishing.import_documents([*demo_documents(), kept_canonical(settings.base_url)], utc_now())
    unpublished = draft(DRAFT) | {"headline": "Does lemon water cure everything?"}
    publishing.create(unpublished | {"claims": [{"text": "Hot lemon water cures everything", "verdict": "False"}]},
                      utc_now())  # fmt: skip
    return Archive(store, publishers, Urls(settings.base_url))


@pytest.fixture
def archive(tmp_path: Path) -> Any:
    filled = fill(f"sqlite:///{tmp_path / 'archive.db'}")
    yield filled
    filled.store.close()


def assert_citable(item: dict[str, Any]) -> None:
    """What an assistant needs to cite a finding: its URL, each claim's verdict, date, publisher."""
    assert item["url"].startswith(("https://", "http://"))
    assert item["datePublished"]
    assert item["publisher"]["name"] and item["publisher"]["id"]
    assert item["claims"]
    for claim in item["claims"]:
        assert claim["text"] and claim["url"]
        if item["status"] == "retracted":
            assert "verdict" not in claim
        else:
            assert claim["verdict"]["label"] and claim["verdict"]["category"]


# -- search --------------------------------------------------------------------


def test_a_search_finds_the_spanish_lemon_fact_check_without_its_accent(archive: Archive) -> None:
    found = search_fact_checks(archive, "limon")
    assert [item["slug"] for item in found["results"]] == [LEMON_ES]
    (item,) = found["results"]
    assert_citable(dict(item))
    assert item["url"] == f"{BASE}/checks/{LEMON_ES}"
    assert item["claims"][0]["verdict"] == {"label": "Falso", "category": "false", "language": "es"}
    assert found["query"] == "limon" and found["more"] is False


def test_filters_narrow_a_search(archive: Archive) -> None:
    lemons = {item["slug"] for item in search_fact_checks(archive, "lemon", limit=20)["results"]}
    assert DRAFT not in lemons
    portuguese = search_fact_checks(archive, "", language="pt", limit=20)["results"]
    assert [item["slug"] for item in portuguese] == ["agua-quente-com-limao-cancer"]
    assert {item["language"] for item in search_fact_checks(archive, "", language="ES")["results"]} == {"es"}
    recent = search_fact_checks(archive, "", since="2025-09-01", limit=20)["results"]
    assert [item["slug"] for item in recent] == ["immigration-child-trafficking", "three-everyday-health-myths"]
    assert search_fact_checks(archive, "", since="2030-01-01")["results"] == []
    false = search_fact_checks(archive, "", category="false", limit=20)["results"]
    assert false and all(any(claim["verdict"]["category"] == "false" for claim in item["claims"]) for item in false)
    assert len(search_fact_checks(archive, "", limit=2)["results"]) == 2
    assert search_fact_checks(archive, "", limit=2)["more"] is True


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"query": "x" * 301}, "at most 300 characters"),
        ({"query": "<>"}, "no letters or digits"),
        ({"query": "lemon", "since": "2025-13-01"}, "YYYY-MM-DD"),
        ({"query": "lemon", "since": "1 June 2025"}, "YYYY-MM-DD"),
        ({"query": "lemon", "category": "fake"}, "category must be one of true, mostly-true"),
        ({"query": "lemon", "language": "not a language"}, "language must be a language tag"),
        ({"query": "lemon", "limit": 0}, "limit must be from 1 to 20"),
        ({"query": "lemon", "limit": 21}, "limit must be from 1 to 20"),
    ],
)
def test_bad_arguments_are_refused_saying_what_is_wrong(archive: Archive, arguments: dict[str, Any], said: str) -> None:
    with pytest.raises(Refused, match=said):
        search_fact_checks(archive, **arguments)


# -- one fact-check ------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        LEMON_ES,
        f"{BASE}/checks/{LEMON_ES}",
        f" {BASE}/checks/{LEMON_ES}.json ",
        f"{BASE}/embed/{LEMON_ES}",
        f"{BASE}/embed/{LEMON_ES}/1/dark/en",
        f"{BASE}/oembed/{LEMON_ES}.json",
        f"HTTPS://FACTCHECK.EXAMPLE/checks/{LEMON_ES}",
    ],
)
def test_a_fact_check_is_found_by_its_slug_or_any_url_of_ours(archive: Archive, reference: str) -> None:
    item = get_fact_check(archive, reference)
    assert item["slug"] == LEMON_ES
    assert_citable(dict(item))


def test_an_original_kept_canonical_is_found_by_its_url_and_cited_by_it(archive: Archive) -> None:
    item = get_fact_check(archive, ORIGINAL)
    assert item["slug"] == "bridge-closed-for-good"
    assert item["url"] == ORIGINAL  # what to cite: the newsroom's own article
    assert item["pageUrl"] == f"{BASE}/checks/bridge-closed-for-good"


def test_a_retracted_fact_check_comes_with_its_notice_and_no_verdict(archive: Archive) -> None:
    item = get_fact_check(archive, RETRACTED)
    assert item["status"] == "retracted"
    assert "retraction" in item
    assert item["retraction"]["notice"] == "This fact-check has been retracted."
    assert "minutes we relied on were a draft" in item["retraction"]["reason"]
    assert all("verdict" not in claim for claim in item["claims"])
    assert_citable(dict(item))


@pytest.mark.parametrize(
    "reference",
    [DRAFT, f"{BASE}/checks/{DRAFT}", f"{BASE}/embed/{DRAFT}", "no-such-check", "https://elsewhere.example/checks/x"],
)
def test_a_draft_or_an_unknown_fact_check_is_not_found(archive: Archive, reference: str) -> None:
    with pytest.raises(NotPublic, match="No published fact-check"):
        get_fact_check(archive, reference)


def test_an_empty_or_overlong_reference_is_refused(archive: Archive) -> None:
    with pytest.raises(Refused, match="slug or URL"):
        get_fact_check(archive, "  ")
    with pytest.raises(Refused, match="at most 2048 characters"):
        get_fact_check(archive, f"{BASE}/checks/" + "a" * 2100)


def test_the_recent_fact_checks_are_the_newest_public_ones(archive: Archive) -> None:
    recent = recent_fact_checks(archive)
    slugs = [item["slug"] for item in recent]
    assert slugs[0] == "immigration-child-trafficking"
    assert DRAFT not in slugs and RETRACTED in slugs
    assert len(slugs) == len(demo_documents()) + 1
    dates = [item["datePublished"] or "" for item in recent]
    assert dates == sorted(dates, reverse=True)


# -- the output schema stays the finding ----------------------------------------


def test_the_output_schema_names_every_field_of_a_finding(archive: Archive) -> None:
    """The typed shape the tools publish is what feed.core.findings builds: a field added there
    and not here would be dropped from every answer."""
    for slug in (LEMON_ES, RETRACTED):
        record = archive.store.get(slug)
        assert record is not None
        hit = SearchHit(slug, record.status, record.document, None, record.updated_at)
        built = finding(hit, load_factcheck(record.document), archive.publishers, archive.urls)
        assert set(built) <= set(get_type_hints(Finding))
        assert set(get_type_hints(Finding)) - set(built) <= {"retraction"}
        for claim in built["claims"]:
            assert set(claim) <= set(get_type_hints(Claim))


# -- the store's look-up by canonical URL, on both stores -------------------------


def test_the_store_finds_a_public_fact_check_by_its_canonical_original(store: Store) -> None:
    settings = Settings.load({}, {"base_url": BASE})
    publishing = Publishing(store, load_publishers(settings), BASE, ())
    publishing.import_documents([kept_canonical(BASE)], utc_now())
    elsewhere = kept_canonical(BASE) | {"slug": "draft-kept", "status": "draft", "originalUrl": ORIGINAL + "-2"}
    publishing.create(elsewhere, utc_now())
    assert store.indexed_slug_at(ORIGINAL) == "bridge-closed-for-good"
    assert store.indexed_slug_at(ORIGINAL + "-2") is None  # a draft's original: not public
    assert store.indexed_slug_at(f"{BASE}/checks/bridge-closed-for-good") is None  # ours: not an original
    assert store.indexed_slug_at(ORIGINAL + "\x00") is None
