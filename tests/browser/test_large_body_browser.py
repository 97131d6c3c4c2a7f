"""A desk form too large, sent by a real browser to `factcard serve`: headless Chromium shows
the 413 page in the editor's language, and going back finds the text still in the form.
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feed.desk.accounts import create_user
from feed.store import open_store
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import free_port
from tests.desk.test_desk import PASSWORD, START
from tests.serving import serve

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.txt"
EMAIL = "ben@example.org"
PASTE = "(area, text) => { area.value = text; area.dispatchEvent(new Event('input', {bubbles: true})); }"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The real server (granian, as in production) with one writer, and a browser."""
    chromium_available()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("large-browser")
    store = open_store(f"sqlite:///{folder / 'desk.db'}")
    create_user(store, EMAIL, "Ben Okafor", "writer", PASSWORD, START)
    store.close()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve(folder, folder / "desk.db", port=port, env={"FACTCARD_BASE_URL": origin}), sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield origin, browser
        finally:
            browser.close()


def test_an_oversized_paste_shows_the_413_page_and_the_text_is_kept(site: tuple[str, Any]) -> None:
    from playwright.sync_api import expect

    origin, browser = site
    page = browser.new_context(base_url=origin, locale="es-ES").new_page()
    page.goto("/desk/login")
    page.locator('[name="email"]').fill(EMAIL)
    page.locator('[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    article = SEED.read_text()
    too_long = article * (2_000_000 // len(article) + 1)  # the seed article pasted over and over: 2 MB
    for attempt in range(3):  # each time on the connection the last answer left open
        page.goto("/desk/paste")
        # As a paste puts it there: typing 2 MB, even by fill(), takes the browser minutes.
        page.locator("#paste-article").evaluate(PASTE, too_long)
        with page.expect_navigation() as navigation:
            page.locator('button[type="submit"]').click()
        assert navigation.value.status == 413
        expect(page.locator("h1")).to_have_text("Solicitud demasiado grande")
        expect(page.locator("main")).to_contain_text("tu texto sigue en el formulario")
        if attempt == 0:
            page.screenshot(path=str(ARTIFACTS / "desk-paste-too-large.png"), full_page=True)
        page.go_back()
        expect(page.locator("#paste-article")).to_have_value(too_long)
    # Shortened to the article itself, the same form fills the editor.
    page.locator("#paste-article").fill(article)
    with page.expect_navigation() as navigation:
        page.locator('button[type="submit"]').click()
    assert navigation.value.status == 200
    expect(page.locator('[name="headline"]')).not_to_have_value("")
