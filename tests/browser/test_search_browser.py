"""The search page in a real browser, in English and in Arabic (right to left), with results and
empty: valid HTML by the Nu Html Checker, no WCAG 2.2 A/AA violation that axe-core finds, nothing to scroll
sideways into at 390 px, and a search that works with JavaScript off, from the header's box to the
embed code. Screenshots go to test-artifacts/browser/search-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.browser.test_desk_browser import AXE, WCAG
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, demo_documents, live_app
from tests.htmlcheck import validation_errors

LEMON = "agua-caliente-con-limon-cancer"
ARABIC = "desalination-plant-free-water-ar"
PAGES = {
    "en-results": "/search?lang=en&q=limon",
    "en-filtered": "/search?lang=en&category=false&category=misleading&from=2025-01-01",
    "en-empty": "/search?lang=en",
    "en-none": "/search?lang=en&q=zzzzqqq",
    "ar-results": "/search?lang=ar&q=%D9%85%D9%8A%D8%A7%D9%87",  # مياه, a word of the Arabic claim
    "ar-filtered": "/search?lang=ar&category=false",
    "ar-empty": "/search?lang=ar",
    "ar-home": "/?lang=ar",  # the header's box and the home page's, right to left
}
WIDTH = 390
SIZES = """(() => {
  const r = document.documentElement, b = document.body;
  return {lang: r.lang, dir: r.dir, root: [r.scrollWidth, r.clientWidth], body: [b.scrollWidth, b.clientWidth]};
})()"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("search"), demo_documents())
    with LiveServer(app, port) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser, server.url
        finally:
            browser.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"search-{name}.png")), full_page=True)


def test_the_validator_sees_what_it_should() -> None:
    page = '<!doctype html><html lang="en"><title>x</title><p id="a"><label for="b">x</label><p id="a"></div>'
    assert len(validation_errors({"bad": page})["bad"]) == 3  # a stray end tag, an id twice, a label for nothing


@pytest.fixture(scope="module")
def validated(site: tuple[Any, str]) -> dict[str, list[str]]:
    """Every page's errors by the Nu Html Checker, in one run of it."""
    _, origin = site
    answers = {name: httpx.get(origin + path) for name, path in PAGES.items()}
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(PAGES, 200)
    return validation_errors({name: answer.text for name, answer in answers.items()})


@pytest.mark.parametrize("name", list(PAGES))
def test_the_search_page_is_valid_html(validated: dict[str, list[str]], name: str) -> None:
    assert validated[name] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_the_search_page_passes_axe_and_fits_a_phone(site: tuple[Any, str], name: str) -> None:
    browser, origin = site
    # The pages' CSP (script-src 'self') would block the injected axe-core script.
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, bypass_csp=True)
    try:
        page = context.new_page()
        response = page.goto(origin + PAGES[name], wait_until="load")
        assert response is not None and response.status == 200
        for summary in page.locator("details > summary").all():
            summary.click()  # the filters and the embed code, opened: checked as a reader sees them
        sizes = page.evaluate(SIZES)
        shot(page, f"{name}-{WIDTH}")
        page.add_script_tag(path=str(AXE))
        tags = [*WCAG, "wcag22a", "wcag22aa"]
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
        marks = page.locator("main mark").count()
    finally:
        context.close()
    assert len(result["passes"]) > 10  # axe ran its rules on the page
    violations = [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5]) for v in result["violations"]]
    assert violations == []
    assert sizes["lang"] == name[:2] and sizes["dir"] == ("rtl" if name.startswith("ar") else "ltr")
    assert sizes["root"][0] <= sizes["root"][1], sizes
    assert sizes["body"][0] <= sizes["body"][1], sizes
    if name.endswith("-results"):
        assert marks >= 2  # the word searched for, marked in the headline and the claim


def test_a_reader_searches_from_the_header_with_javascript_off(site: tuple[Any, str]) -> None:
    browser, origin = site
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{origin}/checks/{ARABIC}", wait_until="load")
        box = page.get_by_role("search").get_by_role("searchbox")  # found by its label's name
        box.fill("limon")
        with page.expect_navigation():
            page.locator(".fc-site-search button").click()
        asked = dict(parse_qsl(urlsplit(page.url).query))
        heading = page.locator("li.fc-result h3 a").first.get_attribute("href")
        page.locator("li.fc-result summary").first.click()
        code = page.locator("li.fc-result textarea").first
        visible, snippet = code.is_visible(), code.input_value()
        sizes = page.evaluate(SIZES)
        shot(page, "header-no-js")
        # The filters work without JavaScript too: a verdict ticked, the words cleared, the form sent.
        page.locator("summary", has_text=page.locator(".fc-filters summary").inner_text()).click()
        page.locator('input[name="category"][value="false"]').check()
        page.locator("#search-q").fill("")
        with page.expect_navigation():
            page.locator(".fc-filters button[type=submit]").click()
        filtered = parse_qsl(urlsplit(page.url).query)
        listed = page.locator("li.fc-result").count()
    finally:
        context.close()
    assert asked == {"lang": "ar", "q": "limon"}  # the search speaks the language of the page it came from
    assert sizes["dir"] == "rtl" and sizes["root"][0] <= sizes["root"][1], sizes
    assert heading == f"{origin}/checks/{LEMON}"
    assert visible and "factcard-embed" in snippet and f"/checks/{LEMON}" in snippet
    assert listed >= 5
    assert ("category", "false") in filtered and ("lang", "ar") in filtered
