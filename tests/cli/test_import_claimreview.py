"""`factcard import-claimreview` as a newsroom runs it: a sitemap index of the fixture site, served
on a loopback port, imported into a SQLite store; every ClaimReview read back from our own
/claimreview.json as the original published it; a second run changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from feed.app import create_app
from feed.core.settings import Settings
from tests.importer.site import FixtureSite, fixture_site, settings_file
from tests.importer.test_markup import EXPECTED

BASE = "http://127.0.0.1:9"  # our own site's address (only its host matters to the ClaimReview rules)
FACT_CHECKS = [page for page in EXPECTED["pages"] if page["skip"] is None]


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with fixture_site() as served:
        yield served


def factcard(tmp_path: Path, site: FixtureSite, *args: str) -> subprocess.CompletedProcess[str]:
    config = settings_file(tmp_path / "settings.toml", site)
    environment = {**os.environ, "FACTCARD_CONFIG": str(config), "FACTCARD_BASE_URL": BASE,
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'newsroom.db'}"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "feed.cli", *args], capture_output=True, text=True, timeout=300, env=environment,
        check=False,
    )  # fmt: skip


def datafeed(tmp_path: Path, site: FixtureSite) -> dict[str, Any]:
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'newsroom.db'}", "base_url": BASE,
                                  "config_file": str(tmp_path / "settings.toml")})  # fmt: skip
    with TestClient(create_app(settings)) as client:
        response = client.get("/claimreview.json")
        assert response.status_code == 200
        return dict(response.json())


def names(review: dict[str, Any]) -> set[str]:
    found = {str(review["author"]["name"])}
    return found | {str(person["name"]) for person in review.get("creator", [])}


def test_a_sitemap_index_import_publishes_every_claimreview_as_the_original_did(
    tmp_path: Path, site: FixtureSite
) -> None:
    report = tmp_path / "report.json"
    index = f"{site.origin}/sitemap_index.xml"
    args = ("import-claimreview", index, "--allow-private-addresses", "--delay", "0", "--report", str(report))
    result = factcard(tmp_path, site, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(FACT_CHECKS)} imported" in result.stdout
    reviews: dict[str, list[dict[str, Any]]] = {}
    for element in datafeed(tmp_path, site)["dataFeedElement"]:
        review = element["item"][0]
        reviews.setdefault(review["sameAs"], []).append(review)
    for page in FACT_CHECKS:
        published = reviews[site.url({"url": page["source_url"]})]
        assert [r["claimReviewed"] for r in published] == [c["claimReviewed"] for c in page["claims"]], page["path"]
        assert [r["reviewRating"]["alternateName"] for r in published] == [c["verdict_label"] for c in page["claims"]]
        assert {r["datePublished"][:10] for r in published} == {page["date"]}, page["path"]
        assert {r["inLanguage"] for r in published} == {page["language"]}, page["path"]
        assert all(page["author_or_creator"] in names(r) for r in published), page["path"]
    written = json.loads(report.read_text())
    assert written["counts"]["imported"] == len(FACT_CHECKS)
    skipped = {record["source"]: record["reason"] for record in written["sources"] if record["outcome"] == "skipped"}
    for page in EXPECTED["pages"]:
        if page["skip"] is not None:
            assert page["skip"] in skipped[site.url(page)], page["path"]
    assert all(record["warnings"] for record in written["sources"] if record["outcome"] == "imported")

    exported = factcard(tmp_path, site, "export")
    again = factcard(tmp_path, site, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"0 imported, 0 updated, {len(FACT_CHECKS)} unchanged" in again.stdout
    assert factcard(tmp_path, site, "export").stdout == exported.stdout != ""
    assert factcard(tmp_path, site, "redirects", "--format", "csv").stdout.count("\n") == len(FACT_CHECKS) + 1


def test_a_source_that_is_no_source_is_a_line_and_the_status_says_so(tmp_path: Path, site: FixtureSite) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}')
    result = factcard(tmp_path, site, "import-claimreview", str(junk), str(tmp_path / "missing.html"))
    assert result.returncode == 1
    assert f"{junk}: failed: is JSON but neither a DataFeed" in result.stdout
    assert f"{tmp_path / 'missing.html'}: failed: cannot be read" in result.stdout
    assert "0 imported" in result.stdout and "2 failed" in result.stdout
