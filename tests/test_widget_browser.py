"""The card in a real browser: headless Chromium loads a host page from another origin, under a
strict Content-Security-Policy, with three cards (one full of XSS strings), and checks what a
reader and the host would see. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from feed.clock import utc_now
from tests.conftest import LiveServer, demo_documents, free_port, live_app
from tests.test_hostile_input import HOSTILE, hostile_document
from tests.test_ratings import contrast
from widget.card import embed_code

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"

# Runs in every frame before its own scripts: records what must never happen.
WATCH = """
window.__alerts = []; window.__violations = []; window.__cls = 0;
window.alert = window.confirm = window.prompt = function (m) { window.__alerts.push(String(m)); };
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__cls += e.value; });
}).observe({type: 'layout-shift', buffered: true});
"""


def chromium_available() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing("the playwright package")
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM + " (Debian package chromium)")


def _missing(what: str) -> None:
    if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
        pytest.fail(f"browser tests need {what}")
    pytest.skip(f"browser tests need {what}")


def with_attributes(code: str, **attributes: str) -> str:
    extra = "".join(f' data-{name}="{value}"' for name, value in attributes.items())
    return code.replace(' data-theme="light"', "", 1).replace(
        'class="factcard-embed"',
        f'class="factcard-embed"{extra}' + ("" if "theme" in attributes else ' data-theme="light"'),
        1,
    )


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port = live_app(tmp_path_factory.mktemp("card"), demo_documents())
    origin = f"http://127.0.0.1:{port}"
    ctx = app.state.context
    ctx.publishing.create(hostile_document() | {"status": "published"}, utc_now())

    def code(slug: str) -> str:
        fc = ctx.publishing.parse(ctx.store.get(slug).document)
        return embed_code(ctx.templates, fc, ctx.publishers[fc.publisher], f"{origin}/checks/{slug}", origin)

    host_html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>A publisher's article</title></head><body>"
        "<h1>A publisher's article</h1><p>Opening paragraph of the article.</p>"
        + with_attributes(code("lightning-never-strikes-twice"), theme="dark")
        + "<p>A paragraph between two cards.</p>"
        + code("hostile")
        + "<p>Body text of the article.</p>" * 50
        + with_attributes(code("immigration-child-trafficking"), lang="ar")
        + "<p>Closing paragraph.</p><div id='later'></div></body></html>"
    )
    # The strictest policy a host can have and still embed: our origin for scripts and frames only.
    host_policy = f"default-src 'none'; script-src {origin}; frame-src {origin}"

    def host_page(request: Request) -> HTMLResponse:
        return HTMLResponse(host_html, headers={"Content-Security-Policy": host_policy})

    host_port = free_port()
    host = Starlette(routes=[Route("/article", host_page)])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    observed: dict[str, Any] = {"origin": origin, "console": [], "page_errors": []}

    with LiveServer(app, port), LiveServer(host, host_port), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 900, "height": 800})
        page.on("console", lambda m: observed["console"].append((m.type, m.text)) if m.type == "error" else None)
        page.on("pageerror", lambda e: observed["page_errors"].append(str(e)))
        page.add_init_script(WATCH)
        page.goto(f"http://127.0.0.1:{host_port}/article")
        page.wait_for_function("document.querySelectorAll('iframe').length === 3")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "host-top.png"))
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(
            "[...document.querySelectorAll('iframe')].every(f => f.contentWindow && f.contentWindow.length === 0)"
        )
        frames = [f for f in page.frames if f != page.main_frame]
        for frame in frames:
            frame.wait_for_load_state("load")
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "host-bottom.png"))
        observed["frames"] = []
        for element in page.query_selector_all("iframe"):
            frame = element.content_frame()
            assert frame is not None
            name = frame.url.split("/embed/")[1].split("?")[0]
            element.scroll_into_view_if_needed()
            element.screenshot(path=str(ARTIFACTS / f"card-{name}.png"))
            observed["frames"].append({
                "name": name,
                "url": frame.url,
                "title": element.get_attribute("title"),
                "loading": element.get_attribute("loading"),
                "height_attribute": int(element.get_attribute("height") or 0),
                "box_height": element.bounding_box()["height"],  # type: ignore[index]
                "content_height": frame.evaluate("document.documentElement.scrollHeight"),
                "text": frame.inner_text("body"),
                "dir": frame.evaluate("document.documentElement.dir"),
                "lang": frame.evaluate("document.documentElement.lang"),
                "injected_images": frame.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length"),
                "alerts": frame.evaluate("window.__alerts"),
                "violations": frame.evaluate("window.__violations"),
                "colours": frame.evaluate("""(() => {
                    const css = (el, p) => getComputedStyle(el).getPropertyValue(p);
                    const card = document.querySelector('article');
                    return {text: css(card, 'color'), background: css(document.documentElement, 'background-color'),
                            link: css(document.querySelector('a'), 'color')};
                })()"""),
                "focusable_link": frame.evaluate("(() => { const a = document.querySelector('a'); a.focus(); "
                                                 "return document.activeElement === a; })()"),
            })  # fmt: skip
        observed["host"] = {
            "cls": page.evaluate("window.__cls"),
            "alerts": page.evaluate("window.__alerts"),
            "violations": page.evaluate("window.__violations"),
            "injected_images": page.evaluate("document.querySelectorAll('img').length"),
            "blockquotes_left": page.evaluate("document.querySelectorAll('blockquote').length"),
        }
        heights_before = page.evaluate("[...document.querySelectorAll('iframe')].map(f => f.height)")
        # A message from any other origin must not resize a card.
        page.evaluate("window.postMessage({type: 'factcard:height', height: 999}, '*')")
        page.wait_for_timeout(200)
        observed["heights_after_forged_message"] = (
            heights_before,
            page.evaluate("[...document.querySelectorAll('iframe')].map(f => f.height)"),
        )
        # Single-page apps: scan() again is idempotent, and picks up cards added later.
        page.evaluate("window.factcard.scan(document)")
        observed["frames_after_rescan"] = page.evaluate("document.querySelectorAll('iframe').length")
        later = code("three-everyday-health-myths")
        page.evaluate(
            "(html) => { const t = document.createElement('template'); t.innerHTML = html;"
            " const later = document.getElementById('later'); later.appendChild(t.content.querySelector('blockquote'));"
            " window.factcard.scan(later); }",
            later,
        )
        observed["frames_after_spa_insert"] = page.evaluate("document.querySelectorAll('iframe').length")
        browser.close()
    yield observed


def test_every_card_renders_with_its_text(scenario: dict[str, Any]) -> None:
    by_name = {f["name"]: f for f in scenario["frames"]}
    assert set(by_name) == {"lightning-never-strikes-twice", "hostile", "immigration-child-trafficking"}
    assert "Lightning never strikes the same place twice" in by_name["lightning-never-strikes-twice"]["text"]
    assert "False" in by_name["lightning-never-strikes-twice"]["text"]
    assert "Immigration leads to child trafficking" in by_name["immigration-child-trafficking"]["text"]
    for frame in scenario["frames"]:
        assert frame["title"], "every frame has a title"
    assert scenario["host"]["blockquotes_left"] == 0


def test_xss_strings_show_as_text_and_never_execute(scenario: dict[str, Any]) -> None:
    hostile = next(f for f in scenario["frames"] if f["name"] == "hostile")
    assert "</script><script>alert(1)</script>" in hostile["text"]
    assert "onerror=alert(1)" in hostile["text"]
    for frame in scenario["frames"]:
        assert frame["alerts"] == [] and frame["injected_images"] == 0, frame["name"]
    assert scenario["host"]["alerts"] == [] and scenario["host"]["injected_images"] == 0
    assert HOSTILE.split(" ")[0] not in scenario["frames"][0]["text"]  # nothing leaked into other cards


def test_frames_fit_their_content_and_nothing_shifts(scenario: dict[str, Any]) -> None:
    for frame in scenario["frames"]:
        assert frame["height_attribute"] == frame["content_height"] == round(frame["box_height"]), frame
    assert scenario["host"]["cls"] == 0
    before, after = scenario["heights_after_forged_message"]
    assert before == after


def test_no_console_errors_and_no_csp_violations(scenario: dict[str, Any]) -> None:
    assert scenario["console"] == [] and scenario["page_errors"] == []
    assert scenario["host"]["violations"] == []
    for frame in scenario["frames"]:
        assert frame["violations"] == [], frame["name"]


def test_dark_theme_and_arabic_right_to_left(scenario: dict[str, Any]) -> None:
    by_name = {f["name"]: f for f in scenario["frames"]}
    dark = by_name["lightning-never-strikes-twice"]
    assert "theme=dark" in dark["url"] and dark["colours"]["background"] == "rgb(23, 24, 28)"
    arabic = by_name["immigration-child-trafficking"]
    assert arabic["dir"] == "rtl" and arabic["lang"] == "ar"
    assert "اقرأ التدقيق كاملًا" in arabic["text"]


def _rgb(value: str) -> str:
    r, g, b = (int(part) for part in value.removeprefix("rgb(").removesuffix(")").split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_contrast_and_keyboard_in_both_themes(scenario: dict[str, Any]) -> None:
    for frame in scenario["frames"]:
        colours = {key: _rgb(value) for key, value in frame["colours"].items()}
        assert contrast(colours["text"], colours["background"]) >= 4.5, frame["name"]
        assert contrast(colours["link"], colours["background"]) >= 4.5, frame["name"]
        assert frame["focusable_link"], frame["name"]


def test_lazy_idempotent_and_ready_for_single_page_apps(scenario: dict[str, Any]) -> None:
    assert all(frame["loading"] == "lazy" for frame in scenario["frames"])
    assert scenario["frames_after_rescan"] == 3
    assert scenario["frames_after_spa_insert"] == 4


def test_screenshots_were_saved(scenario: dict[str, Any]) -> None:
    for name in ("host-top", "host-bottom", "card-hostile", "card-immigration-child-trafficking"):
        path = ARTIFACTS / f"{name}.png"
        assert path.exists() and path.stat().st_size > 1000, path
