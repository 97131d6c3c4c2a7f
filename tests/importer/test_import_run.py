"""An import run against the fixture site served on a loopback port: idempotent re-runs, changes
at the source, edits made here kept, hostile answers each a line of the report, aggregator files
and their tombstones, resuming, dry runs and --since."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.importer import run as runmodule
from feed.importer.fetching import Fetcher, FetchPolicy
from feed.importer.reading import NO_ADDRESS
from feed.importer.report import Outcome, Report
from feed.importer.run import ImportOptions, ImportRun
from feed.site.config import load_publishers
from feed.store import open_store
from feed.store.clock import utc_now
from tests.importer.site import FixtureSite, busy, endless, fixture_site, huge, redirect_to, settings_file
from tests.importer.test_markup import EXPECTED

AGENT = "factcard/test (+http://127.0.0.1:9/)"
IMPORTED = [page for page in EXPECTED["pages"] if page["skip"] is None]


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with fixture_site() as served:
        yield served


@pytest.fixture
def publishing(tmp_path: Path, site: FixtureSite) -> Iterator[Publishing]:
    config = settings_file(tmp_path / "settings.toml", site)
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'import.db'}",
                                  "base_url": "http://127.0.0.1:9", "config_file": str(config)})  # fmt: skip
    store = open_store(settings.database_url)
    yield Publishing(store, load_publishers(settings), settings.base_url, ("websub",))
    store.close()


def run(publishing: Publishing, sources: list[str], fetcher: Fetcher | None = None, **options: Any) -> Report:
    policy = FetchPolicy(AGENT, delay=0, allow_private_addresses=True, timeout=3, max_retry_after=5)
    with fetcher or Fetcher(policy) as using:
        return ImportRun(publishing, ImportOptions(**options), fetcher=using, site_language="en").run(sources)


def by_source(report: Report) -> dict[str, Outcome]:
    return {record.source: record for record in report.records}


def snapshot(publishing: Publishing) -> tuple[list[Any], int, int]:
    """Every stored document, how many revisions, how many notifications queued."""
    store = publishing.store
    documents = [(r.slug, r.version, r.document, r.updated_at) for r in store.all_records()]
    revisions = sum(len(store.revisions(r.slug)) for r in store.all_records())
    outbox = store._query("SELECT COUNT(*) FROM outbox")[0][0]
    return documents, revisions, int(outbox)


def test_a_second_run_of_the_same_import_changes_nothing(site: FixtureSite, publishing: Publishing) -> None:
    first = run(publishing, [f"{site.origin}/sitemap_index.xml"])
    assert first.counts()["imported"] == len(IMPORTED), [r.line() for r in first.records if r.outcome != "imported"]
    before = snapshot(publishing)
    assert before[2] == len(IMPORTED)  # each new fact-check told to the push targets, once
    site.hits.clear()
    second = run(publishing, [f"{site.origin}/sitemap_index.xml"])
    assert second.counts()["imported"] == second.counts()["updated"] == 0
    assert second.counts()["unchanged"] == len(IMPORTED)
    assert snapshot(publishing) == before  # no revision, no dateModified, no push
    # The pages were asked for conditionally, and the server's 304 spared reading them.
    paths = {f"GET {site.url(page).removeprefix(site.origin)}" for page in IMPORTED}
    conditional = {hit: tag for hit, tag in site.hits if hit in paths}
    assert len(conditional) == len(IMPORTED) and all(tag.startswith('"') for tag in conditional.values()), conditional


def test_a_page_changed_at_the_source_is_a_new_revision_by_an_import(site: FixtureSite, publishing: Publishing) -> None:
    page = IMPORTED[0]
    path = page["url"].removeprefix("http://SITE")
    run(publishing, [site.url(page)])
    claim = page["claims"][0]["claimReviewed"]
    site.changed[path] = site.body(path)[0].decode().replace(claim, "Beber agua con limón cura la diabetes.")  # type: ignore[index]
    report = run(publishing, [site.url(page)])
    (record,) = report.records
    assert record.outcome == "updated", record.line()
    revisions = publishing.store.revisions(record.slug or "")
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[-1].actor is not None and revisions[-1].actor.name == "an import"
    current = publishing.store.get(record.slug or "")
    assert current is not None and current.document["claims"][0]["text"] == "Beber agua con limón cura la diabetes."


def test_an_edit_made_here_is_a_conflict_and_is_kept(site: FixtureSite, publishing: Publishing) -> None:
    page = IMPORTED[0]
    path = page["url"].removeprefix("http://SITE")
    (imported,) = run(publishing, [site.url(page)]).records
    slug = imported.slug or ""
    current = publishing.store.get(slug)
    assert current is not None
    edited = {**current.document, "headline": "Un titular corregido en la mesa"}
    publishing.update(slug, edited, current.version, utc_now())
    assert run(publishing, [site.url(page)]).records[0].outcome == "unchanged"  # the source did not change
    claim = page["claims"][0]["claimReviewed"]
    site.changed[path] = site.body(path)[0].decode().replace(claim, "Otra afirmación.")  # type: ignore[index]
    (record,) = run(publishing, [site.url(page)]).records
    assert record.outcome == "conflict", record.line()
    fields = {d["field"]: d for d in record.differences}
    assert fields["headline"]["here"] == "Un titular corregido en la mesa"
    assert fields["claims"]["original"][0]["text"] == "Otra afirmación."
    after = publishing.store.get(slug)
    assert after is not None and after.document["headline"] == "Un titular corregido en la mesa"
    assert after.document["claims"][0]["text"] == claim


def test_hostile_answers_are_each_a_line_and_the_rest_imports(
    site: FixtureSite, publishing: Publishing, tmp_path: Path
) -> None:
    good = site.url(IMPORTED[1])
    private = next(p for p in EXPECTED["pages"] if p["skip"] == "disallowed by robots.txt")
    site.routes.update({
        "/hostile/loop-a": redirect_to("/hostile/loop-b"),
        "/hostile/loop-b": redirect_to("/hostile/loop-a"),
        "/hostile/huge": huge(20 * 1024 * 1024),
        "/hostile/endless": endless(20),
        "/hostile/busy": busy("1", times=1, then=lambda h: site.routes["/page"](h)),
        "/hostile/down": busy("1", times=99),
    })  # fmt: skip
    body = site.body(IMPORTED[2]["url"].removeprefix("http://SITE"))
    assert body is not None

    def page(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body[0])))
        handler.end_headers()
        handler.wfile.write(body[0])

    site.routes["/page"] = page
    urls = [f"{site.origin}/hostile/{name}" for name in ("loop-a", "huge", "endless", "busy", "down")]
    listed = tmp_path / "urls.txt"
    listed.write_text("\n".join([site.url(private), *urls, "file:///etc/passwd", good]) + "\n")
    outcomes = by_source(run(publishing, [str(listed)]))
    assert outcomes[site.url(private)].outcome == "skipped"
    assert outcomes[site.url(private)].reason == "disallowed by robots.txt"
    said = {url.rsplit("/", 1)[1]: (outcomes[url].outcome, outcomes[url].line()) for url in urls}
    assert said["loop-a"][0] == "failed" and "redirect loop" in said["loop-a"][1]
    assert said["huge"][0] == "failed" and "larger than 10 MiB" in said["huge"][1]
    assert said["endless"][0] == "failed" and "timed out after 3 s" in said["endless"][1]
    assert said["busy"][0] == "imported", said["busy"]  # after waiting as Retry-After asked
    assert said["down"][0] == "failed" and "503" in said["down"][1]
    assert outcomes["file:///etc/passwd"].outcome == "failed"
    assert "http or https" in (outcomes["file:///etc/passwd"].reason or "")
    assert outcomes[good].outcome == "imported"  # after all of them


def test_crawl_delay_spaces_the_requests_the_import_makes(site: FixtureSite, publishing: Publishing) -> None:
    site.robots = "User-agent: *\nCrawl-delay: 7\n"
    waits: list[float] = []
    policy = FetchPolicy(AGENT, delay=0, allow_private_addresses=True, timeout=3)
    fetcher = Fetcher(policy, sleep=waits.append)
    report = run(publishing, [site.url(page) for page in IMPORTED[:3]], fetcher=fetcher)
    assert report.counts()["imported"] == 3
    assert len(waits) >= 2 and all(wait > 6 for wait in waits), waits


def test_private_addresses_are_refused_without_a_packet_sent(publishing: Publishing, site: FixtureSite) -> None:
    page = IMPORTED[0]
    public_origin = "http://newsroom.test"
    html = site.body(page["url"].removeprefix("http://SITE"))
    assert html is not None
    served = html[0].replace(site.origin.encode(), public_origin.encode())
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host != "newsroom.test" or request.extensions.get("factcard.address") != "93.184.216.34":
            pytest.fail(f"asked to connect for {request.url}")
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, stream=httpx.ByteStream(served), headers={"Content-Type": "text/html"})

    names = {"newsroom.test": ["93.184.216.34"], "intranet.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]}
    fetcher = Fetcher(
        FetchPolicy(AGENT, delay=0), transport=httpx.MockTransport(handler), resolve=lambda host, port: names[host]
    )
    good = page["url"].replace("http://SITE", public_origin)
    refused = ["http://intranet.test/a/", "http://metadata.test/latest/", "http://127.0.0.1:9/x", "http://[::1]/x"]
    outcomes = by_source(run(publishing, [*refused, good], fetcher=fetcher, publisher=folder_of(page)))
    for url in refused:
        assert outcomes[url].outcome == "failed", outcomes[url].line()
        assert any(word in (outcomes[url].reason or "") for word in ("private", "loopback", "link-local")), url
    assert outcomes[good].outcome == "imported", outcomes[good].line()
    assert all(url.startswith(public_origin) for url in asked)


def folder_of(page: dict[str, Any]) -> str:
    return next(p["folder"] for p in EXPECTED["publishers"] if p["name"] == page["publisher"])


def test_a_datafeed_and_fact_check_tools_answers_import_and_a_tombstone_retracts(
    site: FixtureSite, publishing: Publishing, tmp_path: Path
) -> None:
    tombstoned = next(item for item in EXPECTED["datafeed"] if item["date_deleted"])
    run(publishing, [site.url(tombstoned)])  # the page was imported before the publisher withdrew it
    files = []
    for name in ("datafeed.json", "factchecktools-page1.json", "factchecktools-page2.json"):
        files.append(tmp_path / name)
        files[-1].write_text(site.text(name), encoding="utf-8")
    report = run(publishing, [str(file) for file in files])
    outcomes = by_source(report)
    for item in [*EXPECTED["datafeed"], *EXPECTED["factchecktools"]]:
        record = outcomes[site.url(item)]
        if item.get("date_deleted"):
            assert record.outcome == "retracted" and tombstoned["date_deleted"] in (record.reason or "")
            stored = publishing.store.get(record.slug or "")
            assert stored is not None and stored.status == "retracted"
            continue
        assert record.outcome == "imported", record.line()
        stored = publishing.store.get(record.slug or "")
        assert stored is not None
        texts = [claim["text"] for claim in stored.document["claims"]]
        assert texts == [claim["claimReviewed"] for claim in item["claims"]]
        labels = [claim.get("verdictLabel") or claim["verdict"] for claim in stored.document["claims"]]
        assert labels == [claim["verdict_label"] for claim in item["claims"]]


def test_an_interrupted_run_picks_up_where_it_stopped(site: FixtureSite, publishing: Publishing) -> None:
    sources = [site.url(page) for page in IMPORTED[:6]]
    seen: list[str] = []

    def stop_after_three(outcome: Outcome) -> None:
        seen.append(outcome.source)
        if len(seen) == 3:
            raise KeyboardInterrupt

    policy = FetchPolicy(AGENT, delay=0, allow_private_addresses=True, timeout=3)
    with Fetcher(policy) as fetcher, pytest.raises(KeyboardInterrupt):
        ImportRun(publishing, ImportOptions(), fetcher=fetcher, site_language="en").run(sources, stop_after_three)
    assert publishing.store.count(["published"]) == 3
    site.hits.clear()
    report = run(publishing, sources)
    assert report.resumed
    outcomes = by_source(report)
    assert [outcomes[url].reason for url in sources[:3]] == ["done before the import stopped"] * 3
    assert [outcomes[url].outcome for url in sources[3:]] == ["imported"] * 3
    fetched = {hit.split(" ", 1)[1] for hit, _ in site.hits}
    assert not any(url.removeprefix(site.origin) in fetched for url in sources[:3])  # not read again
    assert not run(publishing, sources).resumed  # that run finished: the next starts afresh


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(site: FixtureSite, publishing: Publishing) -> None:
    report = run(publishing, [f"{site.origin}/sitemap_index.xml"], dry_run=True)
    assert report.counts()["imported"] == len(IMPORTED)
    assert "would import (dry run)" in report.summary()
    assert publishing.store.count(["published", "draft", "retracted"]) == 0
    assert list(publishing.store.imported_pages()) == []


def test_since_takes_only_what_changed_by_the_sitemaps_lastmod(site: FixtureSite, publishing: Publishing) -> None:
    report = run(publishing, [f"{site.origin}/sitemap_index.xml"], since="2024-01-01")
    dated = [p for p in EXPECTED["pages"] if p.get("lastmod")]
    newer = [p for p in dated if str(p["lastmod"])[:10] >= "2024-01-01"]
    assert report.left_out == len(dated) - len(newer) > 0
    urls = {record.source for record in report.records}
    assert all(site.url(p) in urls for p in newer)
    assert not any(site.url(p) in urls for p in dated if p not in newer)


def test_a_publisher_that_is_not_configured_is_reported(site: FixtureSite, tmp_path: Path) -> None:
    config = tmp_path / "one.toml"
    full = settings_file(tmp_path / "all.toml", site).read_text()
    config.write_text(full[full.index("[publishers.factline]") :])  # Factline and the ones after it
    settings = Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'one.db'}",
                                  "base_url": "http://127.0.0.1:9", "config_file": str(config)})  # fmt: skip
    store = open_store(settings.database_url)
    publishing = Publishing(store, load_publishers(settings), settings.base_url)
    page = IMPORTED[0]  # Verifica Ya's
    (record,) = run(publishing, [site.url(page)]).records
    assert record.outcome == "skipped"
    assert record.reason == (
        f"the publisher 'Verifica Ya' ({site.origin}/verificaya/) is not configured: "
        "add it to the settings' [publishers], or pass --publisher ID"
    )
    (chosen,) = run(publishing, [site.url(page)], publisher="factline").records
    assert chosen.outcome == "imported"
    store.close()


def test_saved_pages_are_read_by_several_processes_in_order(
    site: FixtureSite, publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runmodule, "PARALLEL_AT", 2)
    folder = tmp_path / "saved"
    for index, page in enumerate(IMPORTED):
        file = folder / f"{index:02d}.html"
        file.parent.mkdir(exist_ok=True)
        file.write_text(site.text(page["path"]), encoding="utf-8")
    report = ImportRun(publishing, ImportOptions(workers=2), fetcher=None, site_language="en").run([str(folder)])
    assert [record.source for record in report.records] == [str(p) for p in sorted(folder.iterdir())]
    # A saved page that names neither a canonical link nor an absolute ClaimReview url cannot say
    # where it was published (its fetched URL said it); the rest import.
    unplaced = [r for r in report.records if r.outcome != "imported"]
    assert all(r.outcome == "skipped" and r.reason == NO_ADDRESS for r in unplaced) and len(unplaced) <= 2
    assert report.counts()["imported"] == len(IMPORTED) - len(unplaced)


def test_keeping_original_urls_a_page_gone_at_the_source_retracts_its_fact_check(
    site: FixtureSite, publishing: Publishing
) -> None:
    pages = IMPORTED[:2]
    sources = [site.url(page) for page in pages]
    first = run(publishing, sources, keep_original_urls=True)
    assert first.counts()["imported"] == 2, [r.line() for r in first.records]
    slug = first.records[0].slug or ""
    stored = publishing.store.get(slug)
    assert stored is not None and stored.document["originalIsCanonical"] is True
    site.gone[sources[0].removeprefix(site.origin)] = 410
    site.gone[sources[1].removeprefix(site.origin)] = 404
    without = by_source(run(publishing, sources))  # not keeping the CMS: a missing page is only a failure
    assert [without[url].outcome for url in sources] == ["failed", "failed"]
    assert without[sources[0]].status == 410
    kept = by_source(run(publishing, sources, keep_original_urls=True))
    assert [kept[url].outcome for url in sources] == ["retracted", "retracted"], [r.line() for r in kept.values()]
    retracted = publishing.store.get(slug)
    assert retracted is not None and retracted.status == "retracted"
    assert retracted.document["retraction"]["reason"] == "removed from the original site"
    again = by_source(run(publishing, sources, keep_original_urls=True))
    assert [again[url].outcome for url in sources] == ["unchanged", "unchanged"]  # retracted once
