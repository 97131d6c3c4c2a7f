"""Every language in a real browser: the Spanish, Portuguese, Arabic and Hindi demo fact-checks'
pages, cards, feed items and share images speak their own language.

For each, Chromium finds in what a reader sees (text, titles, labels, alt text) no English
message of the catalogue that the language translates; the verdict in the scale's word for
that language; dates as that locale writes them; and nothing wider than the window.
Screenshots go to test-artifacts/browser/language-*.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po

from feed.core.settings import Settings
from feed.site.config import load_publishers
from schemas.languages import text_direction
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import LiveServer, demo_documents, live_app
from widget.i18n import LOCALE_DIR, Messages, choose_language

CHECKS = {
    "es": "agua-caliente-con-limon-cancer",
    "pt": "agua-quente-com-limao-cancer",
    "ar": "desalination-plant-free-water-ar",
    "hi": "2000-rupee-note-gps-chip",
}
WIDTHS = (320, 390, 1280)
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# What a reader sees: the text laid out, and the words in titles, labels and alt text.
SEEN = """(() => {
  const words = [document.body.innerText, document.title];
  for (const el of document.querySelectorAll('[title],[aria-label],[alt],[placeholder]'))
    for (const name of ['title', 'aria-label', 'alt', 'placeholder'])
      if (el.hasAttribute(name)) words.push(el.getAttribute(name));
  const r = document.documentElement;
  return {text: words.join('\\n'), lang: r.lang, dir: r.dir, width: [r.scrollWidth, r.clientWidth],
          body: [document.body.scrollWidth, document.body.clientWidth]};
})()"""


def english_fragments(language: str) -> set[str]:
    """The English text of every message `language` translates differently, in the pieces
    between its placeholders (a piece of a few letters, such as "By", is too common to tell)."""
    with (LOCALE_DIR.parent / "locale" / "factcard.pot").open("rb") as file:
        template = read_po(file)
    t = Messages(language)
    fragments = set()
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in ids:
            if len(ids) == 1:
                translated = t.translate(english)
            else:
                translated = t.translate_plural(ids[0], ids[1], 1 if english == ids[0] else 5)
            if translated == english:
                continue  # the same word in both ("API")
            for piece in PLACEHOLDER.split(english):
                piece = piece.strip(" ,.:;()")
                if len(re.sub(r"\W", "", piece)) >= 4:
                    fragments.add(piece)
    return fragments


def document(slug: str) -> dict[str, Any]:
    return next(doc for doc in demo_documents() if doc["slug"] == slug)


def verdict_word(slug: str, language: str) -> str:
    publisher = next(iter(load_publishers(Settings.load({})).values()))
    label = publisher.scale.find(document(slug)["claims"][0]["verdict"])
    assert label is not None
    words = label.translation(language)
    assert words is not None
    return words


def check_language(seen: dict[str, Any], language: str, slug: str, *, dated: bool = True) -> None:
    # Words of the fact-check itself and of the newsroom's name are content, whatever language
    # they are in ("Equipo de verificación de Demo Desk"): only the words we add are checked.
    publisher = next(iter(load_publishers(Settings.load({})).values())).name
    content = json.dumps(document(slug), ensure_ascii=False) + publisher

    def found(fragment: str, text: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text) is not None

    fragments = [f for f in english_fragments(language) if not found(f, content)]
    leaked = sorted(f for f in fragments if found(f, seen["text"]))
    assert not leaked, f"English catalogue text in a {language} page: {leaked}"
    assert verdict_word(slug, language) in seen["text"]
    if dated:
        date = Messages(language).date(document(slug)["datePublished"])
        assert date and date in seen["text"], date
    assert seen["width"][0] <= seen["width"][1], seen["width"]
    assert seen["body"][0] <= seen["body"][1], seen["body"]


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("languages"), demo_documents())
    with LiveServer(app, port) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser, server.url
        finally:
            browser.close()


def opened(browser: Any, width: int, url: str | None = None, html: str | None = None) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    if url is not None:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
    else:
        page.set_content(html or "", wait_until="load")
    return context, page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"language-{name}.png")), full_page=True)


def test_the_demo_has_a_fact_check_in_each_language() -> None:
    for language, slug in CHECKS.items():
        assert document(slug)["language"].split("-")[0] == language
        assert choose_language(None, document(slug)["language"]) == language


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", list(CHECKS))
def test_the_page_is_in_its_language(browser_page: tuple[Any, str], language: str, width: int) -> None:
    browser, origin = browser_page
    slug = CHECKS[language]
    context, page = opened(browser, width, f"{origin}/checks/{slug}")
    try:
        seen = page.evaluate(SEEN)
        shot(page, f"{language}-page-{width}")
    finally:
        context.close()
    assert seen["lang"] == document(slug)["language"] and seen["dir"] == text_direction(language)
    check_language(seen, language, slug)


@pytest.mark.parametrize("width", (320, 550))
@pytest.mark.parametrize("language", list(CHECKS))
def test_the_card_is_in_its_language(browser_page: tuple[Any, str], language: str, width: int) -> None:
    browser, origin = browser_page
    slug = CHECKS[language]
    context, page = opened(browser, width, f"{origin}/embed/{slug}")
    try:
        seen = page.evaluate(SEEN)
        shot(page, f"{language}-card-{width}")
    finally:
        context.close()
    assert seen["lang"] == language and seen["dir"] == text_direction(language)
    check_language(seen, language, slug)


@pytest.mark.parametrize("language", list(CHECKS))
def test_the_feed_item_is_in_its_language(browser_page: tuple[Any, str], language: str) -> None:
    browser, origin = browser_page
    slug = CHECKS[language]
    feed = httpx.get(f"{origin}/feed.json").json()
    (item,) = [item for item in feed["items"] if item["url"].endswith(f"/checks/{slug}")]
    assert item["language"] == document(slug)["language"]
    html = (
        f'<!doctype html><html lang="{item["language"]}" dir="{text_direction(language)}">'
        f'<meta charset="utf-8"><title>{item["title"]}</title><body><h1>{item["title"]}</h1>'
        f"{item['content_html']}</body></html>"
    )
    context, page = opened(browser, 390, html=html)
    try:
        seen = page.evaluate(SEEN)
        shot(page, f"{language}-feed-item")
    finally:
        context.close()
    check_language(seen, language, slug, dated=False)  # a feed item states its dates as data


@pytest.mark.parametrize("language", list(CHECKS))
def test_the_share_image_is_drawn_in_its_language(browser_page: tuple[Any, str], language: str) -> None:
    """The image's words are checked as they are drawn (tests/site/test_shareimage.py); here, that the
    page names it, that it is a 1200x630 PNG a browser shows, and how it looks."""
    browser, origin = browser_page
    slug = CHECKS[language]
    response = httpx.get(f"{origin}/checks/{slug}.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    context, page = opened(browser, 1200, f"{origin}/checks/{slug}.png")
    try:
        size = page.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
        shot(page, f"{language}-share-image")
    finally:
        context.close()
    assert size == [1200, 630]
