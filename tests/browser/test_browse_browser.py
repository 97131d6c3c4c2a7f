"""Browse pages in a real browser, in English and in Arabic (a site whose language is Arabic):
the tag, claimant and author pages pass the Nu HTML Checker and axe-core (WCAG 2.2 A and AA),
do not scroll sideways at 390 px, and draw the claimant's record inside the window with its
name for assistive technology. Screenshots go to test-artifacts/browser/browse-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from feed.app import create_app
from feed.core.settings import Settings
from feed.store.clock import utc_now
from tests.browser.test_desk_browser import AXE
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, demo_documents, free_port
from tests.htmlcheck import validation_errors
from widget.i18n import Messages

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGES = {
    "en": {"tag": "/tags/health", "claimant": "/claimants/wellness-influencer-post",
           "author": "/authors/demo-desk-health-team", "retracted": "/tags/local"},
    # The Arabic demo fact-check's tag (مياه), claimant and author (فريق التحقق في Demo Desk), and a
    # record of three claims, on a site whose own words are Arabic.
    "ar": {"tag": "/tags/myh", "claimant": "/claimants/ahmed-salem", "author": "/authors/fryq-lthqq-fy-demo-desk",
           "record": "/claimants/wellness-influencer-post"},
}  # fmt: skip
SIZES = """(() => {
  const r = document.documentElement, svg = document.querySelector('svg.fc-chart');
  const box = svg && svg.getBoundingClientRect();
  return {dir: r.dir, lang: r.lang, root: [r.scrollWidth, r.clientWidth],
          chart: box && [box.left, box.right, box.height]};
})()"""


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A live server per site language, each with the demo fact-checks."""
    servers, found = [], {}
    try:
        for language in PAGES:
            port = free_port()
            folder = tmp_path_factory.mktemp(f"browse-{language}")
            settings = Settings.load({}, {"database_url": f"sqlite:///{folder / 'live.db'}",
                                          "base_url": f"http://127.0.0.1:{port}", "language": language})  # fmt: skip
            app = create_app(settings)
            app.state.context.publishing.import_documents(demo_documents(), utc_now())
            server = LiveServer(app, port).__enter__()
            servers.append(server)
            found[language] = server.url
        yield found
    finally:
        for server in servers:
            server.__exit__(None, None, None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.parametrize("language", list(PAGES))
def test_browse_pages_pass_axe_and_fit_a_phone(browser: Any, origins: dict[str, str], language: str) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    found, sizes = {}, {}
    try:
        page = context.new_page()
        for name, path in PAGES[language].items():
            response = page.goto(origins[language] + path, wait_until="load")
            assert response is not None and response.status == 200, path
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
            assert len(result["passes"]) > 10, name
            found[name] = [(v["id"], [node["target"] for node in v["nodes"]][:5]) for v in result["violations"]]
            sizes[name] = page.evaluate(SIZES)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"browse-390-{language}-{name}.png"), full_page=True)
    finally:
        context.close()
    assert found == {name: [] for name in PAGES[language]}
    for name, size in sizes.items():
        assert size["lang"] == language and size["dir"] == ("rtl" if language == "ar" else "ltr"), name
        assert size["root"][0] <= size["root"][1], (name, size)
        if size["chart"]:
            left, right, height = size["chart"]
            assert 0 <= left and right <= 390 and height > 20, (name, size)
    assert sizes["claimant" if language == "en" else "record"]["chart"], "the record is drawn"


@pytest.mark.parametrize("language", list(PAGES))
def test_the_record_is_an_image_named_by_its_numbers(browser: Any, origins: dict[str, str], language: str) -> None:
    path = PAGES[language]["claimant" if language == "en" else "record"]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(origins[language] + path, wait_until="load")
        chart = page.get_by_role("img")
        name = chart.evaluate("(svg) => svg.querySelector('title').textContent")
        names = page.locator("svg.fc-chart text.fc-chart__name").all_text_contents()
        rows = page.locator(".fc-record__table tbody th").all_text_contents()
    finally:
        context.close()
    t = Messages(language)
    expected = [t.category("misleading"), t.category("false")]
    assert names == rows == expected
    assert all(word in name for word in expected)
    assert t.number(3) in name


def test_browse_pages_pass_the_nu_html_checker(origins: dict[str, str]) -> None:
    pages = {}
    for language, paths in PAGES.items():
        for name, path in paths.items():
            response = httpx.get(origins[language] + path, timeout=10)
            assert response.status_code == 200, path
            pages[f"{language} {name}"] = response.text
    assert validation_errors(pages) == {name: [] for name in pages}
