"""Independent consumers read the served pages: extruct and structured-data-testing-tool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import extruct
import pytest

from feed.app import create_app
from feed.core.settings import Settings
from feed.site.config import DEFAULT_CONFIG
from feed.store.clock import utc_now
from tests.conftest import LiveServer, demo_documents, free_port, live_app
from tests.schemas.test_claimreview import with_people

TESTS = Path(__file__).resolve().parent.parent
SDTT_SCRIPT = TESTS / "sdtt_check.js"
REQUIRED = ("url", "claimReviewed", "reviewRating", "author", "datePublished", "itemReviewed")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app, port = live_app(tmp_path_factory.mktemp("live"), demo_documents())
    with LiveServer(app, port) as server:
        yield server


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback server)
        body: bytes = response.read()
    return body.decode("utf-8")


def published_slugs_and_claims() -> list[tuple[str, int]]:
    return [(d["slug"], len(d["claims"])) for d in demo_documents() if d["status"] == "published"]


@pytest.mark.consumer
def test_extruct_finds_every_claimreview_with_required_fields(live: LiveServer) -> None:
    for slug, claims in published_slugs_and_claims():
        url = f"{live.url}/checks/{slug}"
        data = extruct.extract(fetch(url), base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
        reviews = [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]
        assert len(reviews) == claims, slug
        for review in reviews:
            for field in REQUIRED:
                assert review.get(field), (slug, field)
            assert review["url"].startswith(url)
            assert review["reviewRating"]["alternateName"]
        og = {k: v for k, v in data["opengraph"][0].items() if k.startswith("og:")}
        assert og["og:url"] == url


@pytest.mark.consumer
def test_extruct_sees_no_claimreview_on_a_retracted_check(live: LiveServer) -> None:
    data = extruct.extract(fetch(f"{live.url}/checks/council-ban-street-musicians"), syntaxes=["json-ld"])
    assert data["json-ld"] == []


def sdtt(target: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (TESTS / "node_modules" / "structured-data-testing-tool").is_dir():
        if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
            pytest.fail("structured-data-testing-tool is not installed: run `npm ci` in tests/")
        pytest.skip("structured-data-testing-tool not installed (npm ci in tests/)")
    result = subprocess.run(
        [node, str(SDTT_SCRIPT), target], capture_output=True, text=True, timeout=120, cwd=TESTS, check=False
    )
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A newsroom that keeps its CMS: fact-checks whose original articles stay canonical."""
    from tests.site.test_canonical_elsewhere import kept_live_app

    application, port = kept_live_app(tmp_path_factory.mktemp("kept"))
    with LiveServer(application, port) as server:
        yield server


@pytest.mark.consumer
def test_extruct_reads_the_original_article_as_the_reviews_and_the_pages_url(kept: LiveServer) -> None:
    from tests.site.test_canonical_elsewhere import ORIGINALS

    for slug, original in ORIGINALS.items():
        url = f"{kept.url}/checks/{slug}"
        data = extruct.extract(fetch(url), base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
        reviews = [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]
        assert reviews and [review["url"] for review in reviews] == [original] * len(reviews), slug
        assert not [review for review in reviews if "sameAs" in review]
        og = {k: v for k, v in data["opengraph"][0].items() if k.startswith("og:")}
        assert og["og:url"] == original


@pytest.mark.consumer
def test_structured_data_testing_tool_google_preset_reports_no_errors(live: LiveServer) -> None:
    for slug, claims in published_slugs_and_claims():
        report = sdtt(f"{live.url}/checks/{slug}")
        assert report["failed"] == [], (slug, report["failed"])
        assert report["warnings"] == [], (slug, report["warnings"])
        assert report["schemas"] == ["ClaimReview"]
        google_claimreview_tests = [t for t in report["passed"] if t["test"].startswith("ClaimReview[")]
        # Per ClaimReview: the schema check, @type, url, reviewRating, claimReviewed, author,
        # datePublished, itemReviewed.
        assert len(google_claimreview_tests) == claims * 8, slug


@pytest.mark.consumer
def test_structured_data_testing_tool_does_fail_broken_markup(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://example.org/x"}'
        "</script></head><body></body></html>"
    )
    report = sdtt(str(page))
    assert {t["description"] for t in report["failed"]} == {"reviewRating", "claimReviewed"}


PROFILES = 'sameAs = ["https://social.example/@factcard-demo", "https://www.wikidata.org/wiki/Q42"]'


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A newsroom that names its profiles elsewhere, with fact-checks naming writers' and claimants'."""
    root = tmp_path_factory.mktemp("linked")
    config = root / "factcard.toml"
    config.write_text(DEFAULT_CONFIG.read_text().replace('scale = "default"\n', f'scale = "default"\n{PROFILES}\n', 1))
    port = free_port()
    settings = Settings.load(
        {},
        {"database_url": f"sqlite:///{root / 'live.db'}", "base_url": f"http://127.0.0.1:{port}",
         "config_file": str(config)},
    )  # fmt: skip
    application = create_app(settings)
    application.state.context.publishing.import_documents([with_people(d) for d in demo_documents()], utc_now())
    with LiveServer(application, port) as server:
        yield server


@pytest.mark.consumer
def test_extruct_reads_one_identified_newsroom_badges_and_profiles(linked: LiveServer) -> None:
    newsroom = f"{linked.url}/#organization"
    for slug, claims in published_slugs_and_claims():
        url = f"{linked.url}/checks/{slug}"
        data = extruct.extract(fetch(url), base_url=url, syntaxes=["json-ld"], uniform=True)
        reviews = [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]
        assert len(reviews) == claims, slug
        for review in reviews:
            assert review["author"]["@id"] == review["publisher"]["@id"] == newsroom
            assert review["author"]["sameAs"] == ["https://social.example/@factcard-demo",
                                                  "https://www.wikidata.org/wiki/Q42"]  # fmt: skip
            assert review["creator"][0]["sameAs"] == ["https://social.example/@aw"]
            image = review["reviewRating"]["image"]
            with urllib.request.urlopen(image, timeout=10) as response:  # noqa: S310 (our own loopback server)
                assert response.headers["Content-Type"] == "image/svg+xml"
                assert review["reviewRating"]["alternateName"].encode() in response.read()
            for appearance in review["itemReviewed"].get("appearance", []):
                assert appearance["@type"] == "CreativeWork" and appearance["url"].startswith("https://")
        assert reviews[0]["itemReviewed"]["author"]["sameAs"] == ["https://www.wikidata.org/wiki/Q2"]
        if claims == 1:
            assert reviews[0]["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


@pytest.mark.consumer
def test_structured_data_testing_tool_accepts_the_linked_markup(linked: LiveServer) -> None:
    for slug, claims in published_slugs_and_claims():
        report = sdtt(f"{linked.url}/checks/{slug}")
        assert report["failed"] == [], (slug, report["failed"])
        assert report["warnings"] == [], (slug, report["warnings"])
        assert len([t for t in report["passed"] if t["test"].startswith("ClaimReview[")]) == claims * 8, slug


REDOCLY = TESTS / "node_modules" / "@redocly" / "cli" / "bin" / "cli.js"


def redocly_lint(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not REDOCLY.is_file():
        if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
            pytest.fail("@redocly/cli is not installed: run `npm ci` in tests/")
        pytest.skip("@redocly/cli not installed (npm ci in tests/)")
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    # No telemetry or update check: the lint runs offline once installed.
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    result = subprocess.run(
        [node, str(REDOCLY), "lint", str(path), "--config", str(TESTS / "redocly.yaml"), "--format=json"],
        capture_output=True, text=True, timeout=120, cwd=TESTS, env=env, check=False,
    )  # fmt: skip
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.returncode == (1 if report["problems"] else 0), result.stderr
    return report


@pytest.mark.consumer
def test_redocly_lint_finds_nothing_in_the_served_openapi_document(client: Any, tmp_path: Path) -> None:
    report = redocly_lint(client.get("/openapi.json").json(), tmp_path)
    problems = [(p["ruleId"], p["message"], p["location"][0].get("pointer")) for p in report["problems"]]
    assert problems == []
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}


@pytest.mark.consumer
def test_redocly_lint_does_fail_a_document_without_operation_ids_or_security(client: Any, tmp_path: Path) -> None:
    document = client.get("/openapi.json").json()
    listing = document["paths"]["/api/checks"]["get"]
    del listing["operationId"], listing["security"]
    rules = {p["ruleId"] for p in redocly_lint(document, tmp_path)["problems"]}
    assert rules == {"operation-operationId", "security-defined"}
