"""Right-to-left pages in a real browser: the Arabic demo fact-check's page, the home page, its
card and the 404 page must not be wider than the window at phone and desktop widths (nothing to
scroll sideways into). Screenshots go to test-artifacts/browser/rtl-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, demo_documents, live_app
from widget.i18n import Messages

SLUG = "desalination-plant-free-water-ar"
WIDTHS = (320, 390, 1280)
PAGES = {"check": f"/checks/{SLUG}", "home": "/", "card": f"/embed/{SLUG}", "404": "/checks/no-such-fact-check"}

SIZES = """(() => {
  const r = document.documentElement, b = document.body;
  return {dir: r.dir, root: [r.scrollWidth, r.clientWidth], body: [b.scrollWidth, b.clientWidth]};
})()"""


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("rtl"), demo_documents())
    with LiveServer(app, port) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser, server.url
        finally:
            browser.close()


def test_the_arabic_demo_is_right_to_left() -> None:
    arabic = [doc for doc in demo_documents() if doc["slug"] == SLUG]
    assert arabic and arabic[0]["language"] == "ar"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_sideways_overflow(browser_page: tuple[Any, str], kind: str, width: int) -> None:
    browser, origin = browser_page
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        response = page.goto(origin + PAGES[kind], wait_until="load")
        assert response is not None
        assert response.status == (404 if kind == "404" else 200)
        sizes = page.evaluate(SIZES)
        arabic_items = page.locator(f'li.fc-list__item[dir="rtl"][lang="ar"] a[href$="/{SLUG}"]').count()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(ARTIFACTS, f"rtl-{kind}-{width}.png")), full_page=True)
    finally:
        context.close()
    if kind in ("check", "card"):
        assert sizes["dir"] == "rtl"
    if kind == "home":
        assert arabic_items == 1  # the Arabic fact-check is listed, right to left, on the first page
    assert sizes["root"][0] <= sizes["root"][1], sizes
    assert sizes["body"][0] <= sizes["body"][1], sizes


@pytest.mark.parametrize("width", WIDTHS)
def test_skip_link_shows_on_focus_inside_the_window(browser_page: tuple[Any, str], width: int) -> None:
    browser, origin = browser_page
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(origin + PAGES["check"], wait_until="load")
        hidden = page.eval_on_selector(".fc-skip", "(a) => a.getBoundingClientRect().width")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """(() => { const a = document.activeElement, b = a.getBoundingClientRect();
            return {cls: a.className, left: b.left, right: b.right, width: b.width, text: a.textContent}; })()"""
        )
        sizes = page.evaluate(SIZES)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(ARTIFACTS, f"rtl-check-skip-{width}.png")))
    finally:
        context.close()
    assert hidden <= 1
    skip = Messages("ar").gettext("Skip to content")
    assert focused["cls"] == "fc-skip" and focused["text"] == skip != "Skip to content"
    assert focused["width"] > 1 and 0 <= focused["left"] and focused["right"] <= width, focused
    assert sizes["root"][0] <= sizes["root"][1], sizes
