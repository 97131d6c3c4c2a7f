"""The desk's Import page in a real browser: headless Chromium against a live server. An admin
pastes the newsroom's sitemap index, chooses the publisher, starts the import and watches the
page follow it (it refreshes itself, no JavaScript needed) until every fact-check is in; the
page passes axe-core (WCAG A and AA). The newsroom's site is a stub network in the server
(names resolved by the test, pages served from the fixture site): nothing leaves the machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feed.desk.accounts import create_user
from tests.browser.test_desk_browser import AXE, WCAG, shot
from tests.browser.test_desk_people_browser import ADMIN, Desk, click, sign_in
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, live_app
from tests.desk.test_desk import PASSWORD, START
from tests.desk.test_desk_import import FACT_CHECKS, NEWSROOM, stub_network
from tests.importer.site import FixtureSite


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("import"), [])
    create_user(app.state.context.store, *ADMIN, "admin", PASSWORD, START)
    newsroom = FixtureSite()
    newsroom.origin = NEWSROOM
    app.state.desk_imports.make_fetcher = stub_network(newsroom, [])
    app.state.desk_imports.delay = 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with LiveServer(app, port) as live, sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                yield Desk(app, live.url, browser)
            finally:
                browser.close()
    finally:
        newsroom.stop_unstarted()


def test_an_admin_imports_the_newsrooms_sitemap_and_watches_it_finish(desk: Desk) -> None:
    from playwright.sync_api import expect

    admin = desk.page(bypass_csp=True)  # axe-core is added as a script of the test's own
    sign_in(admin, ADMIN[0], PASSWORD)
    admin.get_by_role("link", name="Import an archive").click()
    admin.wait_for_url("**/desk/import")
    admin.get_by_label("Sitemap or page addresses, one a line").fill(f"{NEWSROOM}/sitemap_index.xml")
    admin.get_by_label("Publisher").select_option(label="Factcard Demo Desk")
    admin.add_script_tag(path=str(AXE))
    result = admin.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    assert [violation["id"] for violation in result["violations"]] == [], result["violations"]
    assert click(admin, admin.get_by_role("button", name="Start the import")).status == 200
    admin.wait_for_url("**/desk/import/*")
    # The page refreshes itself while the import runs, and stops once it is finished.
    expect(admin.locator("#import-finished")).to_have_text("The import is finished.", timeout=60_000)
    expect(admin.locator("#import-counts dd").first).to_have_text(str(len(FACT_CHECKS)))
    expect(admin.locator("#import-lines")).to_contain_text("no ClaimReview on the page")
    shot(admin, "import-finished")
    assert desk.store.count(["published"]) == len(FACT_CHECKS)
    page = admin.goto(f"{desk.url}/checks/{next(iter(desk.store.all_records())).slug}")
    assert page is not None and page.status == 200
