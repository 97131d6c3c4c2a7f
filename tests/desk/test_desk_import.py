"""The desk's Import page: an admin pastes a sitemap and watches the import; private addresses
are never fetched from the desk; only admins may; the form's CSRF token is needed. The network
is a stub: names resolve through the test and the transport serves the fixture site."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html
from starlette.testclient import TestClient

from feed.core.settings import Settings
from feed.desk.accounts import create_user
from feed.desk.imports import ImportJob
from feed.importer.fetching import Fetcher, FetchPolicy
from tests.desk.test_desk import PASSWORD, START, csrf_of, sign_in
from tests.importer.site import FixtureSite, settings_file
from tests.importer.test_markup import EXPECTED

NEWSROOM = "http://newsroom.test"
FACT_CHECKS = [page for page in EXPECTED["pages"] if page["skip"] is None]


@pytest.fixture
def newsroom() -> Iterator[FixtureSite]:
    """The fixture site's pages as the newsroom's public site would serve them (not started)."""
    site = FixtureSite()
    site.origin = NEWSROOM
    yield site
    site.stop_unstarted()


def stub_network(site: FixtureSite, asked: list[str]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host != "newsroom.test":
            pytest.fail(f"asked to connect for {request.url}")
        found = site.body(request.url.path)
        if found is None:
            return httpx.Response(404)
        return httpx.Response(200, stream=httpx.ByteStream(found[0]), headers={"Content-Type": found[1]})

    def make(policy: FetchPolicy) -> Fetcher:
        assert not policy.allow_private_addresses  # the desk never allows them
        return Fetcher(policy, transport=httpx.MockTransport(handler), resolve=lambda host, port: {
            "newsroom.test": ["93.184.216.34"], "intranet.test": ["10.0.0.7"]}[host])  # fmt: skip

    return make


@pytest.fixture
def settings(tmp_path: Path, newsroom: FixtureSite) -> Settings:
    config = settings_file(tmp_path / "settings.toml", newsroom)
    return Settings.load({}, {"database_url": f"sqlite:///{tmp_path / 'app.db'}", "base_url": "http://testserver",
                              "config_file": str(config)})  # fmt: skip


@pytest.fixture
def admin(app: Any, client: TestClient, newsroom: FixtureSite) -> TestClient:
    create_user(app.state.context.store, "root@example.org", "Ro Admin", "admin", PASSWORD, START)
    create_user(app.state.context.store, "ed@example.org", "Ed Itor", "editor", PASSWORD, START)
    assert sign_in(client, "root@example.org").status_code == 303
    app.state.desk_imports.delay = 0  # the stub network needs no politeness
    return client


def finished(app: Any, location: str, client: TestClient) -> tuple[ImportJob, Any]:
    job_id = location.rsplit("/", 1)[1]
    job: ImportJob = app.state.desk_imports.jobs[job_id]
    deadline = time.monotonic() + 60
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
    page = client.get(location)
    assert page.status_code == 200 and job.finished
    return job, html.fromstring(page.text)


def start(client: TestClient, **fields: str) -> httpx.Response:
    token = csrf_of(client.get("/desk/import"))
    return client.post("/desk/import", data={"csrf": token, **fields}, follow_redirects=False)


def test_an_admin_imports_a_sitemap_and_watches_it_finish(app: Any, admin: TestClient, newsroom: FixtureSite) -> None:
    asked: list[str] = []
    app.state.desk_imports.make_fetcher = stub_network(newsroom, asked)
    home = admin.get("/desk")
    assert html.fromstring(home.text).xpath('//a[@href="http://testserver/desk/import"]')
    started = start(admin, sources=f"{NEWSROOM}/sitemap_index.xml\n", keep="on")
    assert started.status_code == 303
    running = admin.get(started.headers["location"])
    assert running.status_code == 200 and running.headers["cache-control"] == "no-store"
    job, page = finished(app, started.headers["location"], admin)
    assert job.counts["imported"] == len(FACT_CHECKS), job.lines
    assert page.xpath('//meta[@http-equiv="refresh"]') == []  # it stops refreshing once finished
    assert "The import is finished." in page.xpath('string(//p[@id="import-finished"])')
    counts = page.xpath('//dl[@id="import-counts"]/dd/text()')
    assert counts[0] == str(len(FACT_CHECKS))
    assert any("no ClaimReview on the page" in line for line in page.xpath('//ul[@id="import-lines"]//text()'))
    assert app.state.context.store.count(["published"]) == len(FACT_CHECKS)
    assert all(url.startswith(NEWSROOM) for url in asked)


def test_the_desk_never_fetches_a_private_address(app: Any, admin: TestClient, newsroom: FixtureSite) -> None:
    app.state.desk_imports.make_fetcher = stub_network(newsroom, [])
    sources = "http://intranet.test/wp-sitemap.xml\nhttp://127.0.0.1:9/sitemap.xml\nhttp://[::1]/x\n"
    started = start(admin, sources=sources)
    job, page = finished(app, started.headers["location"], admin)
    assert job.counts["failed"] == 3
    lines = " ".join(page.xpath('//ul[@id="import-lines"]//text()'))
    assert "private" in lines and "loopback" in lines


def test_the_form_names_what_is_wrong_and_only_admins_may(app: Any, admin: TestClient) -> None:
    refused = start(admin, sources="not a url\n")
    assert refused.status_code == 422
    assert "Give at most 20 addresses" in html.fromstring(refused.text).xpath('string(//p[@id="import-sources-error"])')
    assert "not a url" in refused.text  # what was typed is kept
    assert start(admin, sources=f"{NEWSROOM}/x", publisher="nobody").status_code == 422
    without_token = admin.post("/desk/import", data={"sources": f"{NEWSROOM}/x"}, follow_redirects=False)
    assert without_token.status_code == 403
    assert app.state.desk_imports.jobs == {}
    admin.post("/desk/logout", data={"csrf": csrf_of(admin.get("/desk"))})
    assert sign_in(admin, "ed@example.org").status_code == 303
    assert admin.get("/desk/import", follow_redirects=False).status_code == 403
