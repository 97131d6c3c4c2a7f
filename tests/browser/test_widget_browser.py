"""The card in a real browser: headless Chromium loads a host page from another origin, under a
strict Content-Security-Policy, with three cards (one full of XSS strings), and checks what a
reader and the host would see. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from feed.site.cards import card_links
from feed.store.clock import utc_now
from tests.conftest import LiveServer, demo_documents, free_port, live_app
from tests.png import Image, luminance
from tests.schemas.test_ratings import contrast
from tests.site.test_hostile_input import HOSTILE, hostile_document
from widget.card import embed_code
from widget.size import CARD_HEIGHT, MIN_HEIGHT, card_height

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "browser"
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


# Runs in a card: its natural height measured as card.js does (every line shown), the empty
# space between its last row and its footer, and where the link, footer and card are.
LAYOUT = """(() => {
  const r = document.documentElement, c = document.querySelector('.c'), f = c.querySelector('.f');
  const a = f.querySelector('a');
  const box = (el) => { const b = el.getBoundingClientRect();
    return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
  const levels = [...r.classList].filter((name) => /^z[0-9]$/.test(name));
  levels.forEach((name) => r.classList.remove(name)); r.classList.add('m');
  const natural = c.offsetHeight;
  r.classList.remove('m'); levels.forEach((name) => r.classList.add(name));
  const rows = [...c.children].filter((el) => el !== f && getComputedStyle(el).display !== 'none');
  const style = getComputedStyle(a), heading = document.querySelector('main h1');
  return {
    natural, levels, viewport: {left: 0, top: 0, right: innerWidth, bottom: innerHeight},
    card: box(c), footer: box(f), link: box(a),
    link_whole: a.scrollWidth <= a.clientWidth && style.display !== 'none' && style.visibility === 'visible',
    fits: c.scrollHeight <= c.clientHeight,
    empty: f.getBoundingClientRect().top - Math.max(...rows.map((el) => el.getBoundingClientRect().bottom)),
    heading: heading && heading.textContent, heading_size: heading && getComputedStyle(heading).fontSize,
    background: getComputedStyle(c).backgroundColor,
  };
})()"""


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


def short_document() -> dict[str, Any]:
    """A one-line claim with neither claimant nor explanation: the smallest full card."""
    return demo_documents()[2] | {"slug": "short", "claims": [{"text": "Bats are blind", "verdict": "False"}]}


def card_app(tmp_path: Path) -> tuple[Any, int, Callable[[str], str]]:
    """The service on a live port with the demo, a hostile and a short fact-check; and their embed codes."""
    app, port = live_app(tmp_path, demo_documents())
    ctx = app.state.context
    for document in (hostile_document(), short_document()):
        ctx.publishing.create(document | {"status": "published"}, utc_now())

    def code(slug: str) -> str:
        fc = ctx.publishing.parse(ctx.store.get(slug).document)
        return embed_code(ctx.templates, fc, ctx.publishers[fc.publisher], card_links(ctx.urls, fc))

    return app, port, code


def host_app(html: str, origin: str) -> Starlette:
    # The strictest policy a host can have and still embed: our origin for scripts and frames only.
    policy = f"default-src 'none'; script-src {origin}; frame-src {origin}"

    def host_page(request: Request) -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})

    return Starlette(routes=[Route("/article", host_page)])


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-quic"],
    )  # fmt: skip


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port, code = card_app(tmp_path_factory.mktemp("card"))
    origin = f"http://127.0.0.1:{port}"
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
    host_port = free_port()
    host = host_app(host_html, origin)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    observed: dict[str, Any] = {"origin": origin, "console": [], "page_errors": []}

    with LiveServer(app, port), LiveServer(host, host_port), sync_playwright() as playwright:
        browser = launch(playwright)
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
            name = frame.url.split("/embed/")[1].split("?")[0].split("/")[0]  # the slug
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
                    return {text: css(card, 'color'), background: css(card, "background-color"),
                            link: css(document.querySelector('a'), 'color')};
                })()"""),
                "layout": frame.evaluate(LAYOUT),
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
    # widget.js asks for the card's path form, which a static build holds as a file.
    assert dark["url"].endswith("/embed/lightning-never-strikes-twice/1/dark")
    assert dark["colours"]["background"] == "rgb(23, 24, 28)"
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


def test_server_estimate_is_the_cards_own_height_at_full_width(scenario: dict[str, Any]) -> None:
    # The estimate (widget/size.py) and the stylesheet (card.css) count the same rows.
    estimates = {"lightning-never-strikes-twice": card_height(1, claimant=True, note=True),
                 "hostile": card_height(2, claimant=True, note=True),
                 "immigration-child-trafficking": card_height(1, claimant=True, note=True)}  # fmt: skip
    for frame in scenario["frames"]:
        assert frame["layout"]["natural"] == estimates[frame["name"]], frame["name"]
    # Swapped in below the fold, the last card got the estimated height: no empty space.
    bottom = scenario["frames"][-1]
    assert bottom["height_attribute"] == bottom["layout"]["natural"] and bottom["layout"]["empty"] <= 1


# -- phone widths, light, dark and auto themes ---------------------------------------------

PHONES = (320, 360, 390, 414)


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return all(
        outer["left"] - 0.5 <= inner[side] <= outer["right"] + 0.5 if side in ("left", "right")
        else outer["top"] - 0.5 <= inner[side] <= outer["bottom"] + 0.5
        for side in ("left", "right", "top", "bottom")
    )  # fmt: skip


@pytest.fixture(scope="module")
def phones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, dict[str, Any]]]:
    """Each phone width: a light host page (the reader prefers dark, so auto cards are dark) with
    cards on screen when widget.js runs, cards further down, and a bare frame at MIN_HEIGHT."""
    chromium_available()
    from playwright.sync_api import sync_playwright

    app, port, code = card_app(tmp_path_factory.mktemp("phones"))
    origin = f"http://127.0.0.1:{port}"
    filler = "<p>Body text of the article, long enough to wrap on a phone.</p>" * 12
    cards = {  # in page order
        "top-light": with_attributes(code("short"), theme="light"),
        "top-dark": with_attributes(code("short"), theme="dark"),
        "top-auto": with_attributes(code("immigration-child-trafficking"), theme="auto"),
        "short-dark": filler + with_attributes(code("short"), theme="dark"),
        "short-auto": filler + with_attributes(code("short"), theme="auto"),
        "short-light": filler + with_attributes(code("short"), theme="light"),
        "long-light-de": filler + with_attributes(code("immigration-child-trafficking"), theme="light", lang="de"),
        "long-dark-fr": filler + with_attributes(code("three-everyday-health-myths"), theme="dark", lang="fr"),
        "smallest-dark": filler + f'<iframe src="{origin}/embed/immigration-child-trafficking?theme=dark&amp;lang=de"'
                         f' title="Fact check" width="100%" height="{MIN_HEIGHT}" frameborder="0"></iframe>',
    }  # fmt: skip
    host_html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
        "<title>A publisher's article</title></head><body><h1>A publisher's article</h1><p>Opening paragraph.</p>"
        + "<p>Between cards.</p>".join(cards.values())
        + "<p>Closing paragraph.</p></body></html>"
    )  # fmt: skip
    host_port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    observed: dict[int, dict[str, Any]] = {}
    with LiveServer(app, port), LiveServer(host_app(host_html, origin), host_port), sync_playwright() as playwright:
        browser = launch(playwright)
        for width in PHONES:
            context = browser.new_context(
                viewport={"width": width, "height": 640}, color_scheme="dark", device_scale_factor=1
            )
            page = context.new_page()
            page.add_init_script(WATCH)
            page.goto(f"http://127.0.0.1:{host_port}/article")
            page.wait_for_function(f"document.querySelectorAll('iframe').length === {len(cards)}")
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / f"phone-{width}-top.png"))
            # Read down the page as a reader would, so cards load before they come into view.
            for y in range(0, page.evaluate("document.body.scrollHeight"), 320):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(60)
            for frame in page.frames[1:]:
                frame.wait_for_load_state("load")
            page.wait_for_timeout(300)
            result: dict[str, Any] = {"cls": page.evaluate("window.__cls"), "frames": {}}
            for name, element in zip(cards, page.query_selector_all("iframe"), strict=True):
                frame = element.content_frame()
                assert frame is not None
                element.scroll_into_view_if_needed()
                shot = ARTIFACTS / f"phone-{width}-{name}.png"
                element.screenshot(path=str(shot))
                result["frames"][name] = {
                    "height": int(element.get_attribute("height") or 0),
                    "layout": frame.evaluate(LAYOUT),
                    "image": Image(shot.read_bytes()),
                }
            observed[width] = result
            context.close()
        browser.close()
    yield observed


@pytest.mark.parametrize("width", PHONES)
def test_phone_link_is_whole_and_inside_the_card(phones: dict[int, dict[str, Any]], width: int) -> None:
    for name, frame in phones[width]["frames"].items():
        layout = frame["layout"]
        assert layout["link_whole"], (width, name)
        assert inside(layout["link"], layout["footer"]), (width, name, layout)
        assert inside(layout["link"], layout["card"]) and inside(layout["card"], layout["viewport"]), (width, name)
        assert layout["fits"], (width, name)  # nothing overflows the card


@pytest.mark.parametrize("width", PHONES)
def test_phone_card_corners_show_the_host_page(phones: dict[int, dict[str, Any]], width: int) -> None:
    for name, frame in phones[width]["frames"].items():
        image: Image = frame["image"]
        right, bottom = image.width - 2, image.height - 2
        for x, y in ((1, 1), (right, 1), (1, bottom), (right, bottom)):
            assert luminance(image.pixel(x, y)) > 230, (width, name, (x, y), image.pixel(x, y))
        inside_card = luminance(image.pixel(image.width // 2, 4))
        assert inside_card < 60 if "light" not in name else inside_card > 230, (width, name, inside_card)


@pytest.mark.parametrize("width", PHONES)
def test_phone_cards_fit_their_content_without_moving_the_page(phones: dict[int, dict[str, Any]], width: int) -> None:
    assert phones[width]["cls"] == 0
    for name, frame in phones[width]["frames"].items():
        if name.startswith(("short", "long")):  # swapped in below the fold: sized to the card itself
            assert frame["height"] == frame["layout"]["natural"], (width, name, frame["height"])
            assert frame["layout"]["empty"] <= 1 and not frame["layout"]["levels"], (width, name)
        if name.startswith("short"):
            # Header, one line of claim, verdict, and the date above the link: nothing more.
            assert frame["height"] <= card_height(1, claimant=False, note=False, footer=2) < CARD_HEIGHT - 60

    smallest = phones[width]["frames"]["smallest-dark"]
    assert smallest["height"] == MIN_HEIGHT and "z7" in smallest["layout"]["levels"]


@pytest.mark.parametrize("width", PHONES)
def test_phone_card_has_a_main_landmark_and_heading_that_look_unchanged(
    phones: dict[int, dict[str, Any]], width: int
) -> None:
    for name, frame in phones[width]["frames"].items():
        layout = frame["layout"]
        assert layout["heading"] and layout["heading"].split(":")[0].strip() in ("Claim", "Behauptung", "Affirmation")
        assert layout["heading_size"] == "16px", (width, name)
        expected = "rgb(255, 255, 255)" if "light" in name else "rgb(23, 24, 28)"
        assert layout["background"] == expected, (width, name)
