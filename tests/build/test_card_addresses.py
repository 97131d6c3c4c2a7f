"""Every embed code ever handed out keeps working: each card URL the previous release's static
build wrote (a file per claim, theme and language) still answers, from nginx in front of the
new build and factcard, the same card a reader saw then, with the one constant policy, in
about as many bytes. The previous release's cards are recorded in
cards_of_the_previous_release.json (tests/build/previous_cards.py made it)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.browser.test_widget_browser import chromium_available, launch
from tests.build.previous_cards import RECORD, SCHEMES, VIEWPORT, look
from tests.build.test_static_site import Site, http, nginx_etag, site  # noqa: F401 (fixtures)

PREVIOUS: dict[str, dict[str, Any]] = orjson.loads(RECORD.read_bytes())
GROWTH = 1.10  # a card may grow by a tenth at most


def test_the_record_holds_every_card_the_previous_release_wrote() -> None:
    """Three themes and eight languages (its own and the seven catalogues) of each claim."""
    slugs = {path.split("/")[2] for path in PREVIOUS}
    assert len(slugs) == 10 and len(PREVIOUS) == 346
    assert {path.split("/")[4] for path in PREVIOUS if path.count("/") >= 4} == {"light", "dark", "auto"}


def test_each_answers_with_the_card_policy_and_grows_a_tenth_at_most(site: Site, http: httpx.Client) -> None:  # noqa: F811
    policies, from_files, grown = set(), 0, []
    for path, before in PREVIOUS.items():
        answer = http.get(site.nginx + path)
        assert answer.status_code == 200, path
        policies.add(answer.headers["content-security-policy"])
        if len(answer.content) > before["bytes"] * GROWTH:
            grown.append((path, before["bytes"], len(answer.content)))
        from_files += "etag" in answer.headers  # nginx's own answer, from a built file
    assert len(policies) == 1 and "script-src 'sha256-" in policies.pop()
    assert grown == [], grown[:5]
    # Every theme of a built card comes from its file; languages it was not translated into from factcard.
    assert from_files >= len(PREVIOUS) // 3, from_files


@pytest.mark.consumer
def test_every_card_url_of_the_previous_release_shows_the_same_card(site: Site) -> None:  # noqa: F811
    chromium_available()
    from playwright.sync_api import sync_playwright

    differ, errors = [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for scheme in SCHEMES:
                page = browser.new_page(viewport=VIEWPORT, color_scheme=scheme)
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                for path, before in PREVIOUS.items():
                    seen = look(page, site.nginx + path, site.nginx)
                    if seen != before[scheme]:
                        differ.append((path, scheme, {k: (before[scheme][k], v) for k, v in seen.items()
                                                      if before[scheme].get(k) != v}))  # fmt: skip
                page.close()
        finally:
            browser.close()
    assert errors == [], errors[:3]  # a policy that blocked the card's style or script would say so
    assert differ == [], differ[:3]


def test_the_record_tells_a_changed_card() -> None:
    """The comparison can fail: a card's theme or words, changed, differ from the record."""
    light, dark = (PREVIOUS["/embed/lightning-never-strikes-twice/1/" + theme]["dark"] for theme in ("light", "dark"))
    assert light["background"] != dark["background"] and light["text"] == dark["text"]
    french = PREVIOUS["/embed/lightning-never-strikes-twice/1/light/fr"]["light"]
    assert french["text"] != light["text"] and french["lang"] == "fr"
