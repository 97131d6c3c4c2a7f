"""The manual's pictures, taken in headless Chromium against a live server with the demo: the
desk's list and its editor beside a preview, and a card on a publisher's page, at desktop and
phone widths. They are written to docs/images/, where the editors' and publishers' pages show
them, so the manual shows the desk and the card as they are today; each is checked first for
what the picture is meant to show."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from feed.desk.accounts import create_user
from feed.site.cards import card_links
from tests.browser.test_desk_browser import preview, sign_in
from tests.browser.test_widget_browser import chromium_available, host_app, launch
from tests.conftest import LiveServer, demo_documents, free_port, live_app
from tests.desk.test_desk import PASSWORD, START
from widget.card import embed_code

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SLUG = "lightning-never-strikes-twice"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("manual"), demo_documents())
    ctx = app.state.context
    create_user(ctx.store, "ana@example.org", "Ana Silva", "editor", PASSWORD, START)
    fc = ctx.publishing.parse(ctx.store.get(SLUG).document)
    code = embed_code(ctx.templates, fc, ctx.publishers[fc.publisher], card_links(ctx.urls, fc))
    origin = f"http://127.0.0.1:{port}"
    article = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'><title>A publisher's article</title>"
        "</head><body style='font-family:serif;max-width:640px;margin:0 auto;padding:16px'>"
        "<h1>Storm season: what to know</h1><p>The article's opening paragraph.</p>"
        f"{code}<p>The article goes on.</p></body></html>"
    )
    host_port = free_port()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with (
        LiveServer(app, port) as live,
        LiveServer(host_app(article, origin), host_port),
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        try:
            yield {"url": live.url, "host": f"http://127.0.0.1:{host_port}/article", "browser": browser}
        finally:
            browser.close()


def desk_page(site: dict[str, Any], viewport: dict[str, int]) -> Any:
    page = site["browser"].new_context(base_url=site["url"], viewport=viewport).new_page()
    page.set_default_timeout(20_000)
    assert sign_in(page, "editor").status == 303
    return page


def test_the_desk_list_at_desktop_width(site: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page = desk_page(site, DESKTOP)
    page.goto("/desk")
    expect(page.locator(".fc-desk-table tbody tr")).to_have_count(len(demo_documents()))
    assert not scrolls_sideways(page)
    page.screenshot(path=str(IMAGES / "desk-list-desktop.png"))
    assert png_size(IMAGES / "desk-list-desktop.png") == (DESKTOP["width"], DESKTOP["height"])


def test_the_editor_beside_its_preview_at_desktop_width(site: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page = desk_page(site, DESKTOP)
    page.goto(f"/desk/checks/{SLUG}/edit")
    page.locator("#editor").get_by_role("button", name="Preview the card").click()
    expect(preview(page).locator(".c")).to_contain_text("Lightning")
    form = page.locator("#editor").bounding_box()
    frame = page.locator('iframe[name="desk-preview"]').bounding_box()
    assert form is not None and frame is not None
    assert frame["x"] >= form["x"] + form["width"] - 1  # beside the form, not under it
    page.screenshot(path=str(IMAGES / "desk-editor-desktop.png"))
    assert png_size(IMAGES / "desk-editor-desktop.png") == (DESKTOP["width"], DESKTOP["height"])


def test_the_editor_at_phone_width(site: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page = desk_page(site, PHONE)
    page.goto(f"/desk/checks/{SLUG}/edit")
    expect(page.locator('#editor [name="headline"]')).to_be_visible()
    assert not scrolls_sideways(page)
    page.screenshot(path=str(IMAGES / "desk-editor-phone.png"))
    assert png_size(IMAGES / "desk-editor-phone.png") == (PHONE["width"], PHONE["height"])


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_card_on_a_publishers_page(site: dict[str, Any], name: str, viewport: dict[str, int]) -> None:
    page = site["browser"].new_page(viewport=viewport)
    page.goto(site["host"])
    page.wait_for_function("document.querySelectorAll('iframe').length === 1")
    card = page.frame_locator("iframe").locator(".c")
    card.wait_for()
    frame = page.locator("iframe").bounding_box()
    assert frame is not None and frame["height"] >= 86 and frame["x"] + frame["width"] <= viewport["width"]
    assert not scrolls_sideways(page)
    shot = IMAGES / f"card-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    width, _ = png_size(shot)
    assert width == viewport["width"]
