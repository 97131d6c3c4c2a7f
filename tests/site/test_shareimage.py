"""The share image: size and format, verdict colours, and text shaped and laid out per script
(Latin, Arabic right to left, Devanagari conjuncts), read back with Pillow, with our own PNG
reader and in Chromium. Chromium's screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from feed.core.settings import Settings
from feed.site import shareimage
from feed.site.config import load_publishers
from feed.site.shareimage import (
    CLAIM_BOTTOM,
    CLAIM_TOP,
    ELLIPSIS,
    FONTS,
    HEIGHT,
    MARGIN,
    MAX_LINES,
    RETRACTED_GREY,
    WIDTH,
    ShareImageUnavailable,
    claim_layout,
    runs,
    share_image,
    visual,
)
from schemas.model import FactCheck
from schemas.publisher import Publisher
from schemas.validation import parse_factcheck
from tests.browser.test_widget_browser import ARTIFACTS, chromium_available, launch
from tests.conftest import demo_documents
from tests.png import Image as RawImage
from widget.i18n import Messages

BUDGET = 150_000  # bytes, for a typical claim
ARABIC = "الماء الساخن مع الليمون يعالج السرطان"
ARABIC_LONG = (
    "قال Joe Biden إن لقاحات «COVID-19» تحتوي على شرائح إلكترونية لتعقب الناس في عام 2021، وهذا الادعاء "
    "انتشر على نطاق واسع في وسائل التواصل الاجتماعي (فيسبوك وتويتر) دون أي دليل علمي."
)
HINDI = "हिन्दी में लिखा गया यह दावा कि बिजली कभी एक ही जगह दो बार नहीं गिरती"


@pytest.fixture(scope="module")
def publishers() -> dict[str, Publisher]:
    return load_publishers(Settings.load({}, {"base_url": "http://testserver"}))


def demo(slug_part: str, publishers: dict[str, Publisher]) -> FactCheck:
    document = next(d for d in demo_documents() if slug_part in d["slug"])
    return parse_factcheck(document, publishers)


def lightning(publishers: dict[str, Publisher]) -> FactCheck:
    """The demo's one-claim English fact-check rated False."""
    return demo("lightning", publishers)


def variant(fc: FactCheck, text: str, language: str) -> FactCheck:
    return replace(fc, language=language, claims=(replace(fc.claims[0], text=text), *fc.claims[1:]))


def cases(publishers: dict[str, Publisher]) -> dict[str, tuple[FactCheck, str]]:
    """The Latin, Arabic and Devanagari claims, each with the language to draw its image in."""
    fc = lightning(publishers)
    return {
        "latin": (fc, "en"),
        "arabic": (variant(fc, ARABIC_LONG, "ar"), "ar"),
        "devanagari": (variant(fc, HINDI, "hi"), "hi"),
    }


def render(fc: FactCheck, publishers: dict[str, Publisher], language: str | None = None) -> bytes:
    return share_image(fc, publishers[fc.publisher], language or fc.language)


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def count(image: Image.Image, colour: str) -> int:
    """How many pixels are exactly `colour`."""
    wanted = rgb(colour)
    return sum(n for n, pixel in image.getcolors(WIDTH * HEIGHT) or [] if pixel == wanted)


def ink_columns(image: Image.Image, top: int = CLAIM_TOP, bottom: int = CLAIM_BOTTOM) -> tuple[int, int]:
    """The leftmost and rightmost columns with dark ink (text) between rows `top` and `bottom`."""
    box = image.crop((0, top, WIDTH, bottom)).convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None, "no ink in the claim area"
    return box[0], box[2] - 1


# -- the file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", demo_documents(), ids=lambda d: d["slug"])
def test_every_demo_is_a_1200x630_rgb_png_within_budget(document: dict[str, Any], publishers: Any) -> None:
    fc = parse_factcheck(document, publishers)
    png = render(fc, publishers)
    image = opened(png)
    assert (image.format, image.size, image.mode) == ("PNG", (WIDTH, HEIGHT), "RGB")
    assert len(png) < BUDGET, f"{len(png)} bytes"


@pytest.mark.parametrize("name", ["latin", "arabic", "devanagari"])
def test_each_script_renders_within_budget(name: str, publishers: Any) -> None:
    fc, language = cases(publishers)[name]
    png = render(fc, publishers, language)
    image = opened(png)
    assert (image.size, image.mode) == ((WIDTH, HEIGHT), "RGB")
    assert len(png) < BUDGET, f"{len(png)} bytes"
    left, right = ink_columns(image)
    assert right - left > 400, "the claim is drawn"


def test_an_independent_reader_decodes_it(publishers: Any) -> None:
    fc = lightning(publishers)
    raw = RawImage(render(fc, publishers))  # 8-bit RGB, not interlaced, every filter type undone
    assert (raw.width, raw.height, raw.channels) == (WIDTH, HEIGHT, 3)
    assert raw.pixel(WIDTH // 2, 2) == rgb("#8c1c13")  # the verdict band along the top edge
    assert raw.pixel(WIDTH // 2, HEIGHT // 2 + 100) == (255, 255, 255)


def test_same_input_same_bytes_and_no_timestamp(publishers: Any) -> None:
    fc = lightning(publishers)
    first = render(fc, publishers)
    shareimage._fonts.cache_clear()  # fonts loaded afresh draw the same
    shareimage._frame.cache_clear()
    assert render(fc, publishers) == first
    assert b"tIME" not in first and b"tEXt" not in first


def test_threads_drawing_at_once_draw_the_same(publishers: Any) -> None:
    fc, language = cases(publishers)["arabic"]
    expected = render(fc, publishers, language)
    with ThreadPoolExecutor(4) as pool:
        drawn = list(pool.map(lambda _: render(fc, publishers, language), range(8)))
    assert all(png == expected for png in drawn)


# -- the verdict ------------------------------------------------------------------------------------


def test_the_verdict_colour_fills_the_pill(publishers: Any) -> None:
    fc = lightning(publishers)
    label = publishers[fc.publisher].scale.find(fc.claims[0].verdict)
    image = opened(render(fc, publishers))
    assert count(image, label.colour) > 10_000  # the pill (about 190x76) and the band
    assert count(image, RETRACTED_GREY) == 0


def test_a_retracted_check_has_a_grey_pill_and_says_so(publishers: Any) -> None:
    fc = demo("street-musicians", publishers)
    assert fc.status == "retracted"
    colour = publishers[fc.publisher].scale.find(fc.claims[0].verdict).colour
    image = opened(render(fc, publishers))
    assert count(image, RETRACTED_GREY) > 10_000
    assert count(image, colour) == 0
    marker = shareimage.RETRACTED_MARK
    assert count(image, "#{:02x}{:02x}{:02x}".format(*marker)) > 1_000  # the marker's frame and its word
    published = opened(render(replace(fc, status="published"), publishers))
    assert count(published, "#{:02x}{:02x}{:02x}".format(*marker)) == 0


def test_the_pill_says_the_verdict_in_the_images_language(
    publishers: dict[str, Publisher], monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    draw_pill = shareimage._draw_pill
    monkeypatch.setattr(
        shareimage, "_draw_pill", lambda draw, words, *rest: said.append(words) or draw_pill(draw, words, *rest)
    )
    spanish = demo("limon", publishers)
    assert spanish.claims[0].verdict == "False"
    for language in ("es", "ar", "fr"):
        render(spanish, publishers, language)
    render(lightning(publishers), publishers)
    assert said == ["Falso", "زائف", "Faux", "False"]


def test_a_verdict_off_the_scale_is_slate(publishers: Any) -> None:
    fc = lightning(publishers)
    off = replace(fc, claims=(replace(fc.claims[0], verdict="Satire"),))
    assert publishers[fc.publisher].scale.find("Satire") is None
    assert count(opened(render(off, publishers)), "#4a5568") > 10_000


def test_the_retracted_word_comes_from_the_catalogue(publishers: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    original = shareimage._draw_line

    def spy(draw: Any, text: str, *args: Any, **kwargs: Any) -> float:
        drawn.append(text)
        return original(draw, text, *args, **kwargs)

    monkeypatch.setattr(shareimage, "_draw_line", spy)
    shareimage._frame.cache_clear()  # the words every picture shares are drawn once per language
    fc = demo("street-musicians", publishers)
    render(variant(fc, ARABIC, "ar"), publishers, "ar")
    arabic = Messages("ar")
    words = {arabic.gettext("Retracted"), arabic.gettext("Claim"), arabic.gettext("Fact check")}
    assert words <= set(drawn) and "Factcard Demo Desk" in drawn
    assert not words & {"Retracted", "Claim", "Fact check"}  # Arabic words, not the English fallback
    drawn.clear()
    render(fc, publishers, "es")
    spanish = Messages("es")
    assert {spanish.gettext("Retracted"), spanish.gettext("Claim"), spanish.gettext("Fact check")} <= set(drawn)


# -- layout and shaping -----------------------------------------------------------------------------


def test_latin_is_left_aligned_and_arabic_right_aligned(publishers: Any) -> None:
    fc = variant(lightning(publishers), "Bats are blind", "en")
    left, right = ink_columns(opened(render(fc, publishers)))
    assert MARGIN <= left <= MARGIN + 8
    assert right < WIDTH - MARGIN - 50  # one line, shorter than the width
    left, right = ink_columns(opened(render(variant(fc, ARABIC, "ar"), publishers)))
    assert WIDTH - MARGIN - 8 <= right < WIDTH - MARGIN
    assert left > MARGIN + 50
    # The frame's own words follow the frame's language: "Claim" at the left, الادعاء at the right.
    label = (CLAIM_TOP - 70, CLAIM_TOP)
    assert ink_columns(opened(render(fc, publishers)), *label)[0] <= MARGIN + 8
    assert ink_columns(opened(render(variant(fc, ARABIC, "ar"), publishers)), *label)[1] >= WIDTH - MARGIN - 8


def test_arabic_is_shaped_right_to_left() -> None:
    path = str(FONTS / "NotoSansArabic-Regular.ttf")

    def drawn(engine: ImageFont.Layout) -> Image.Image:
        font = ImageFont.truetype(path, 48, layout_engine=engine)
        image = Image.new("L", (1100, 100), 255)
        options = {"direction": "rtl"} if engine == ImageFont.Layout.RAQM else {}
        ImageDraw.Draw(image).text((1080, 70), ARABIC, font=font, fill=0, anchor="rs", **options)
        return image

    basic, raqm = drawn(ImageFont.Layout.BASIC), drawn(ImageFont.Layout.RAQM)
    assert basic.tobytes() != raqm.tobytes()
    # Joined letters take their contextual forms: fewer, wider glyphs than isolated ones laid side by side.
    basic_width = ImageFont.truetype(path, 48, layout_engine=ImageFont.Layout.BASIC).getlength(ARABIC)
    raqm_width = ImageFont.truetype(path, 48, layout_engine=ImageFont.Layout.RAQM).getlength(ARABIC, direction="rtl")
    assert basic_width != raqm_width


def test_devanagari_conjuncts_and_matras_are_shaped() -> None:
    path = str(FONTS / "NotoSansDevanagari-Regular.ttf")
    basic = ImageFont.truetype(path, 48, layout_engine=ImageFont.Layout.BASIC).getlength("हिन्दी")
    raqm = ImageFont.truetype(path, 48, layout_engine=ImageFont.Layout.RAQM).getlength("हिन्दी")
    assert basic != raqm  # न् + द form a conjunct, and ि moves before its consonant


def test_runs_give_each_script_its_font_in_visual_order() -> None:
    faces = shareimage._fonts(False, 40)
    latin, arabic, _ = faces
    line = runs("قال Joe Biden إن", faces)
    assert [(run.text, run.face) for run in line if not run.text.isspace()] == [
        ("قال", arabic), ("Joe", latin), ("Biden", latin), ("إن", arabic),
    ]  # fmt: skip
    # Right to left: إن leftmost, then the Latin name in its own order, then قال at the right.
    order = [run.text for run, _ in visual(line, "rtl") if not run.text.isspace()]
    assert order == ["إن", "Joe", "Biden", "قال"]
    assert [run.text for run, _ in visual(runs("He said قال كذا today", faces), "ltr")] == [
        "He", " ", "said", " ", "كذا", " ", "قال", " ", "today",
    ]  # fmt: skip
    # Punctuation the Arabic font lacks comes from Noto Sans; the digits stay Arabic-font.
    quoted = {run.text: run.face for run in runs("«لقاح» عام 2021", faces)}
    assert quoted["«"] is latin and quoted["لقاح"] is arabic and quoted["2021"] is arabic


def test_a_long_claim_is_shortened_to_four_lines() -> None:
    long = "Lightning never strikes the same place twice, " * 12
    layout = claim_layout(long, "en")
    assert len(layout.lines) == MAX_LINES and layout.lines[-1].endswith(ELLIPSIS)
    assert " ".join(layout.lines).startswith("Lightning never strikes the same place twice, Lightning")
    short = claim_layout("Bats are blind", "en")
    assert short.lines == ("Bats are blind",) and short.size == max(shareimage.CLAIM_SIZES)
    arabic = claim_layout(ARABIC_LONG * 3, "ar")
    assert arabic.direction == "rtl" and len(arabic.lines) == MAX_LINES and arabic.lines[-1].endswith(ELLIPSIS)
    unbroken = claim_layout("x" * 400, "en")  # no space to break at: broken inside the word
    assert len(unbroken.lines) == MAX_LINES


def test_without_raqm_it_refuses_rather_than_draw_broken_text(publishers: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shareimage.features, "check_feature", lambda feature: False)
    with pytest.raises(ShareImageUnavailable, match="raqm"):
        render(lightning(publishers), publishers)


# -- in a browser -----------------------------------------------------------------------------------


def test_chromium_shows_each_image_at_1200x630(publishers: Any) -> None:
    chromium_available()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            for name, (fc, language) in cases(publishers).items():
                png = render(fc, publishers, language)
                (ARTIFACTS / f"share-{name}-source.png").write_bytes(png)
                source = "data:image/png;base64," + base64.b64encode(png).decode()
                page.set_content(
                    "<!doctype html><html><head><style>body{margin:0}img{display:block}</style></head>"
                    f"<body><img id='share' alt='' src='{source}'></body></html>"
                )
                page.wait_for_function("document.getElementById('share').complete")
                size = page.evaluate("(() => { const i = document.getElementById('share');"
                                     " return [i.naturalWidth, i.naturalHeight]; })()")  # fmt: skip
                assert size == [WIDTH, HEIGHT], name
                page.locator("#share").screenshot(path=str(ARTIFACTS / f"share-{name}.png"))
        finally:
            browser.close()
