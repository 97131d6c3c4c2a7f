"""The desk's slug and paste in a real browser: an Arabic headline typed in headless Chromium
gets a slug from the server as it is typed and saves; a slug the writer typed is kept; without
the server's answer the first automatic save proposes one; the pasted seed article fills the
bottom line and its headings come without their numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feed.desk.accounts import create_user
from tests.browser.test_desk_browser import PEOPLE, shot, sign_in, submit
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, live_app
from tests.desk.test_desk import PASSWORD, START, Clock

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.txt"
ARABIC = "هل يسبب اللقاح العقم؟"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """(the app, a browser context signed in as a writer)."""
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("desk-slug"), [])
    app.state.desk.clock = Clock()
    email, name, role = PEOPLE["writer"]
    create_user(app.state.context.store, email, name, role, PASSWORD, START)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(app, port) as live, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(base_url=live.url)
            assert sign_in(context.new_page(), "writer").status == 303
            yield app, context
        finally:
            browser.close()


def test_an_arabic_headline_typed_in_the_desk_gets_a_slug_and_saves(desk: tuple[Any, Any]) -> None:
    from playwright.sync_api import expect

    app, context = desk
    page = context.new_page()
    page.goto("/desk/new")
    form = page.locator("#editor")
    expect(page.locator("#f-slug-hint")).to_contain_text("web address")  # the form says what a slug is
    form.locator('[name="headline"]').press_sequentially(ARABIC)
    expect(form.locator('[name="slug"]')).to_have_value("hl-ysbb-llqh-l-qm")
    form.locator('[name="summary"]').press_sequentially("لا يوجد دليل على أن اللقاح يسبب العقم.")
    form.locator('[name="claims.0.text"]').press_sequentially("اللقاح يسبب العقم")
    form.locator('[name="claims.0.claimant.name"]').press_sequentially("منشورات على وسائل التواصل")
    form.locator('[name="claims.0.verdict"]').select_option(label="False")
    shot(page, "slug-arabic")
    response = submit(page, "Save draft")
    assert response.status == 200, page.locator("main").inner_text()
    assert "/desk/checks/hl-ysbb-llqh-l-qm/edit" in page.url
    record = app.state.context.store.get("hl-ysbb-llqh-l-qm")
    assert record is not None and record.status == "draft" and record.document["headline"] == ARABIC
    expect(form.locator('[name="slug"]')).to_have_attribute("readonly", "")  # fixed once saved

    # A second fact-check with the same headline is offered the next free slug.
    page.goto("/desk/new")
    page.locator('#editor [name="headline"]').press_sequentially(ARABIC)
    expect(page.locator('#editor [name="slug"]')).to_have_value("hl-ysbb-llqh-l-qm-2")


def test_a_slug_the_writer_typed_is_not_replaced(desk: tuple[Any, Any]) -> None:
    from playwright.sync_api import expect

    _, context = desk
    page = context.new_page()
    page.goto("/desk/new")
    form = page.locator("#editor")
    slug = form.locator('[name="slug"]')
    form.locator('[name="headline"]').press_sequentially("क्या टीका")
    expect(slug).to_have_value("kya-tika")
    slug.fill("")
    slug.press_sequentially("vaccine-claim")
    form.locator('[name="headline"]').press_sequentially(" बांझपन का कारण बनता है")
    page.wait_for_timeout(800)  # longer than the pause before the server is asked
    expect(slug).to_have_value("vaccine-claim")


def test_the_pasted_seed_article_fills_the_bottom_line_and_unnumbered_headings(desk: tuple[Any, Any]) -> None:
    from playwright.sync_api import expect

    _, context = desk
    page = context.new_page()
    page.goto("/desk")
    page.get_by_role("link", name="Start from an article").click()
    page.get_by_label("The article").fill(SEED.read_text())
    submit(page, "Fill the form")
    form = page.locator("#editor")
    expect(form.locator('[name="sections.0.heading"]')).to_have_value(
        "A dramatic headline, a nuanced reality: what the U.S. government found"
    )
    expect(form.locator('[name="sections.4.heading"]')).to_have_value(
        "Conflicting messages: agendas and implications in the evidence"
    )
    expect(form.locator('[name="sections.5.heading"]')).to_have_count(0)  # no blank row: "Add another" adds one
    expect(form.locator('[name="bottomLine"]')).to_have_value(re.compile(r"^Empirical evidence across U\.S\."))
    expect(page.locator(".desk-warnings")).to_contain_text("Bottom line for policy and public debate")
    shot(page, "paste-bottom-line")


def test_without_an_answer_the_first_automatic_save_proposes_the_slug(
    desk: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    from feed.desk import editor

    monkeypatch.setattr(editor, "AUTOSAVE_MS", 400)  # a minute in use; less here
    app, context = desk
    page = context.new_page()
    page.route("**/desk/slug.json*", lambda route: route.abort())  # the proposal never arrives
    page.goto("/desk/new")
    form = page.locator("#editor")
    form.locator('[name="claims.0.verdict"]').select_option(label="False")
    form.locator('[name="summary"]').press_sequentially("لا يوجد دليل.")
    form.locator('[name="claims.0.text"]').press_sequentially("الهجرة تؤدي إلى الاتجار بالأطفال")
    form.locator('[name="headline"]').press_sequentially("الهجرة تؤدي إلى الاتجار بالأطفال")
    expect(page.locator("#desk-autosave")).to_contain_text("Saved automatically", timeout=15_000)
    slug = form.locator('[name="slug"]')
    expect(slug).to_have_value("lhjrh-tu-dy-la-ltjr-bl-tfl")  # the one the save proposed, shown
    expect(slug).to_have_attribute("readonly", "")
    assert app.state.context.store.get("lhjrh-tu-dy-la-ltjr-bl-tfl") is not None
