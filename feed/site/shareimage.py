"""The share image: a 1200x630 PNG of a fact-check for link previews on social networks.

It shows the first claim (shortened with "…" to at most four lines), the verdict in words on
a pill in the verdict's colour, and the publisher's name; a retracted fact-check gets a grey
pill and a "Retracted" marker. The same input always gives the same bytes.

Text is shaped and laid out by libraqm (Pillow's Layout.RAQM), so Arabic joins and runs right to
left and Devanagari forms its conjuncts and matras. The fonts ship in feed/fonts (Noto, OFL).
Each character is drawn in the first of Noto Sans, Noto Sans Arabic and Noto Sans Devanagari
that has it; spaces, digits and punctuation stay in the font of the text they follow when it
has them. So an Arabic claim quoting a Latin name draws each in its own font, and the runs of
a line are put in visual order by the Unicode bidirectional rules for runs (levels, rule L2).
"""

from __future__ import annotations

import functools
import hashlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, features

from feed.render import faces, png
from feed.render.faces import FONTS, Face
from feed.render.faces import fonts as _fonts
from feed.render.png import rgb_png
from schemas.languages import text_direction
from schemas.model import FactCheck
from schemas.publisher import Publisher
from widget.card import verdict_words
from widget.i18n import Messages, choose_language

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
# The claim's lines lie between these; its font is the largest that fits it whole.
CLAIM_TOP, CLAIM_BOTTOM = 132, 420
CLAIM_SIZES = (58, 50, 44)
MAX_LINES = 4
CLAIM_CHARACTERS = 1200
LINE_SPACING = 1.4
PILL_TOP, PILL_HEIGHT, PILL_PADDING, PILL_SIZE = 446, 76, 34, 40
FOOTER_BASELINE, FOOTER_SIZE = 592, 30
STRIP = 14  # the band of verdict colour along the top edge

BACKGROUND = (255, 255, 255)
INK = (26, 32, 44)
MUTED = (74, 85, 104)
RULE = (226, 232, 240)
RETRACTED_GREY = "#5f6673"
RETRACTED_MARK = (155, 28, 28)
ELLIPSIS = "…"

# Layout and drawing use FreeType faces shared between calls; a face is not safe to use from
# two threads at once, and the renderer may call from a thread pool.
_lock = threading.RLock()


class ShareImageUnavailable(RuntimeError):
    """Pillow lacks libraqm, without which Arabic and Devanagari would be drawn wrong."""


@functools.cache
def _drawing() -> bytes:
    """What draws every picture: this code, Pillow's, and the fonts (their names and sizes)."""
    fonts = sorted(f"{path.name}:{path.stat().st_size}" for path in FONTS.glob("*.ttf"))
    code = b"".join(Path(module).read_bytes() for module in (__file__, faces.__file__, png.__file__))
    return code + PIL.__version__.encode() + "|".join(fonts).encode()


def share_image_key(fc: FactCheck, publisher: Publisher, language: str) -> str:
    """A digest of everything `share_image` draws from: the same key, the same picture (the
    static build keeps pictures by it, feed.build.images)."""
    t = Messages(choose_language(language, fc.language))
    claim = fc.claims[0]
    words, _, colour = verdict_words(fc, publisher, claim, t)
    shown = (t.language, fc.language, claim.text, fc.status == "retracted", words, colour, publisher.name,
             t.gettext("Claim"), t.gettext("Retracted"), t.gettext("Fact check"))  # fmt: skip
    digest = hashlib.sha256(_drawing())
    digest.update(repr(shown).encode())
    return digest.hexdigest()


def share_image(fc: FactCheck, publisher: Publisher, language: str) -> bytes:
    """The PNG share image of `fc`, its fixed words in `language` (or the nearest catalogue).

    Raises ShareImageUnavailable when Pillow cannot shape text (no libraqm or libfribidi).
    """
    if not features.check_feature("raqm"):
        raise ShareImageUnavailable(
            "the share image needs Pillow's raqm layout engine (libraqm with FriBiDi and HarfBuzz); "
            "Pillow's wheels load libfribidi from the system: install it (Debian and Ubuntu: libfribidi0)"
        )
    t = Messages(choose_language(language, fc.language))
    claim = fc.claims[0]
    retracted = fc.status == "retracted"
    words, _, colour = verdict_words(fc, publisher, claim, t)
    fill = _rgb(RETRACTED_GREY if retracted else colour)
    chrome = text_direction(t.language)
    with _lock:
        image = _frame(publisher.name, t.language).copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, WIDTH - 1, STRIP - 1), fill=fill)
        _draw_claim(draw, claim.text, fc.language)
        right = _draw_pill(draw, words, fill, chrome, t.language, MARGIN)
        if retracted:
            _draw_retracted(draw, t.gettext("Retracted"), chrome, t.language, right + 20)
    return rgb_png(image.size, image.tobytes())  # no time chunk: same input, same bytes


@functools.lru_cache(maxsize=32)
def _frame(publisher: str, language: str) -> Image.Image:
    """What every picture of one publisher in one language shares: the background, the "Claim"
    label, the rule and the footer. Drawn once (a build draws thousands of pictures) and copied
    for each; nothing drawn on it later overlaps these, so each picture is as if drawn whole.
    Call with _lock held."""
    t, chrome = Messages(language), text_direction(language)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_line(draw, t.gettext("Claim"), _fonts(False, 30), CLAIM_TOP - 34, chrome, chrome, MUTED, t.language)
    draw.line((MARGIN, FOOTER_BASELINE - 56, WIDTH - MARGIN, FOOTER_BASELINE - 56), fill=RULE, width=2)
    _draw_line(draw, publisher, _fonts(True, FOOTER_SIZE), FOOTER_BASELINE, chrome, chrome, INK, None)
    # The other end of the footer names what the image is: a fact check.
    other = "ltr" if chrome == "rtl" else "rtl"
    _draw_line(draw, t.gettext("Fact check"), _fonts(False, 28), FOOTER_BASELINE, other, chrome, MUTED, t.language)
    return image


# -- runs: pieces of a line in one font and one direction ------------------------------------------


@dataclass(frozen=True)
class Run:
    text: str
    face: Face
    strong: str | None  # "ltr" or "rtl" from its first strong character; None for spaces, digits, marks


def _strong(ch: str) -> str | None:
    kind = unicodedata.bidirectional(ch)
    return "ltr" if kind == "L" else "rtl" if kind in ("R", "AL") else None


def _face_index(ch: str, previous: int | None, faces: tuple[Face, ...]) -> int:
    # Marks and joiners belong to the letter before them, whatever font that is; other
    # characters without a direction stay in the previous font if it has them.
    if previous is not None:
        if unicodedata.combining(ch) or ch in "\u200c\u200d":
            return previous
        if _strong(ch) is None and ord(ch) in faces[previous].covers:
            return previous
    for index, face in enumerate(faces):
        if ord(ch) in face.covers:
            return index
    return previous if previous is not None else 0


def runs(text: str, faces: tuple[Face, ...]) -> list[Run]:
    """`text` cut where the font changes and around spaces (a space takes the direction of its
    surroundings, not of the word it follows)."""
    previous: int | None = None
    for ch in text:  # leading punctuation takes the font of the first letter
        if _strong(ch):
            previous = _face_index(ch, None, faces)
            break
    pieces: list[tuple[str, int, bool]] = []
    for ch in text:
        previous = _face_index(ch, previous, faces)
        space = ch.isspace()
        if pieces and pieces[-1][1] == previous and pieces[-1][2] == space:
            pieces[-1] = (pieces[-1][0] + ch, previous, space)
        else:
            pieces.append((ch, previous, space))
    return [Run(piece, faces[index], next(filter(None, map(_strong, piece)), None)) for piece, index, _ in pieces]


def visual(line: list[Run], paragraph: str) -> list[tuple[Run, str]]:
    """The runs of a line from left to right, each with the direction to shape it in.

    A run without a strong character takes the direction of its neighbours when they agree,
    else the paragraph's; levels then reverse as in rule L2 of the bidirectional algorithm.
    """
    base = 1 if paragraph == "rtl" else 0
    levels = []
    for index, run in enumerate(line):
        direction = run.strong
        if direction is None:
            before = next((r.strong for r in reversed(line[:index]) if r.strong), paragraph)
            after = next((r.strong for r in line[index + 1 :] if r.strong), paragraph)
            direction = before if before == after else paragraph
        levels.append(base if direction == paragraph else base + 1)
    items = list(zip(line, levels, strict=True))
    for level in range(max(levels, default=0), 0, -1):
        i = 0
        while i < len(items):
            if items[i][1] < level:
                i += 1
                continue
            j = i
            while j < len(items) and items[j][1] >= level:
                j += 1
            items[i:j] = items[i:j][::-1]
            i = j
    return [(run, "rtl" if level % 2 else "ltr") for run, level in items]


def _width(text: str, faces: tuple[Face, ...], paragraph: str, language: str | None) -> float:
    return sum(
        run.face.font.getlength(run.text, direction=direction, language=language)
        for run, direction in visual(runs(text, faces), paragraph)
    )


def _draw_line(
    draw: ImageDraw.ImageDraw, text: str, faces: tuple[Face, ...], baseline: int, align: str,
    paragraph: str, fill: tuple[int, int, int], language: str | None, start: float = MARGIN,
) -> float:  # fmt: skip
    """Draw `text` on `baseline`, from `start` px off the left edge (align "ltr") or the right
    edge ("rtl"); return the width drawn."""
    placed = visual(runs(text, faces), paragraph)
    widths = [run.face.font.getlength(run.text, direction=d, language=language) for run, d in placed]
    x = start if align == "ltr" else WIDTH - start - sum(widths)
    for (run, direction), width in zip(placed, widths, strict=True):
        if not run.text.isspace():
            draw.text(
                (x, baseline), run.text, font=run.face.font, fill=fill, anchor="ls",
                direction=direction, language=language,
            )  # fmt: skip
        x += width
    return sum(widths)


# -- the parts of the image -----------------------------------------------------------------------


def wrap(
    text: str, faces: tuple[Face, ...], width: float, paragraph: str, language: str | None, limit: int
) -> list[str]:
    """`text` in lines at most `width` px wide, broken between words (inside a word only when
    it is wider than a line on its own); only the first `limit` + 1 lines, enough to tell
    whether it fits in `limit`."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if len(lines) > limit:
            break
        candidate = f"{current} {word}" if current else word
        if _width(candidate, faces, paragraph, language) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(word) > 1 and len(lines) <= limit and _width(word, faces, paragraph, language) > width:
            cut = _longest_fit(word, faces, width, paragraph, language)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines[: limit + 1]


def _longest_fit(word: str, faces: tuple[Face, ...], width: float, paragraph: str, language: str | None) -> int:
    """How many characters of `word` fit `width` (at least one), not parting a mark from its letter."""
    low, high = 1, len(word) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _width(word[:middle], faces, paragraph, language) <= width:
            low = middle
        else:
            high = middle - 1
    while low > 1 and unicodedata.combining(word[low]):
        low -= 1
    return low


def shorten(line: str, faces: tuple[Face, ...], width: float, paragraph: str, language: str | None) -> str:
    """`line` ending in "…", cut (between words when it can) to fit `width`."""
    while line and _width(line + ELLIPSIS, faces, paragraph, language) > width:
        head, space, _ = line.rpartition(" ")
        line = head if space and head else line[:-1]
    return line.rstrip() + ELLIPSIS


def _paragraph_direction(text: str, language: str) -> str:
    # As the card's dir="auto": the first strong character decides; the language when none.
    return next(filter(None, map(_strong, text)), None) or text_direction(language)


@dataclass(frozen=True)
class ClaimLayout:
    size: int  # px
    lines: tuple[str, ...]
    direction: str  # of the paragraph: "ltr" or "rtl"


def claim_layout(text: str, language: str) -> ClaimLayout:
    """The claim's lines: in the largest size at which it fits whole, or else in the smallest,
    its last line ending in "…"."""
    with _lock:
        return _claim_layout(text, language)


def _claim_layout(text: str, language: str) -> ClaimLayout:
    # Four lines hold a few hundred characters at most: the rest need not be measured.
    cut = len(text) > CLAIM_CHARACTERS
    text = " ".join(text[:CLAIM_CHARACTERS].split())
    paragraph = _paragraph_direction(text, language)
    width = WIDTH - 2 * MARGIN
    for size in CLAIM_SIZES:
        faces = _fonts(False, size)
        most = min(MAX_LINES, (CLAIM_BOTTOM - CLAIM_TOP) // round(size * LINE_SPACING))
        lines = wrap(text, faces, width, paragraph, language, most)
        if len(lines) <= most and not cut:
            return ClaimLayout(size, tuple(lines), paragraph)
    lines = lines[:most]
    return ClaimLayout(size, (*lines[:-1], shorten(lines[-1], faces, width, paragraph, language)), paragraph)


def _draw_claim(draw: ImageDraw.ImageDraw, text: str, language: str) -> None:
    layout = claim_layout(text, language)
    faces = _fonts(False, layout.size)
    for number, line in enumerate(layout.lines):
        baseline = CLAIM_TOP + round(layout.size * 1.05) + number * round(layout.size * LINE_SPACING)
        _draw_line(draw, line, faces, baseline, layout.direction, layout.direction, INK, language)


def _draw_pill(
    draw: ImageDraw.ImageDraw, words: str, fill: tuple[int, int, int], direction: str, language: str, start: int
) -> int:
    """The verdict on a pill at the start of its row; returns where the pill ends (px from the start edge)."""
    faces = _fonts(True, PILL_SIZE)
    most = WIDTH - 2 * MARGIN - 2 * PILL_PADDING - 300  # leaves room for the retraction marker
    if _width(words, faces, direction, language) > most:
        words = shorten(words, faces, most, direction, language)
    width = round(_width(words, faces, direction, language)) + 2 * PILL_PADDING
    left = start if direction == "ltr" else WIDTH - start - width
    draw.rounded_rectangle(
        (left, PILL_TOP, left + width - 1, PILL_TOP + PILL_HEIGHT - 1), radius=PILL_HEIGHT // 2, fill=fill
    )
    baseline = PILL_TOP + PILL_HEIGHT // 2 + round(PILL_SIZE * 0.36)  # centres a cap-height line
    _draw_line(draw, words, faces, baseline, direction, direction, BACKGROUND, language, start + PILL_PADDING)
    return start + width


def _draw_retracted(draw: ImageDraw.ImageDraw, words: str, direction: str, language: str, start: int) -> None:
    faces = _fonts(True, 34)
    width = round(_width(words, faces, direction, language)) + 2 * 26
    left = start if direction == "ltr" else WIDTH - start - width
    top, height = PILL_TOP + 6, PILL_HEIGHT - 12
    draw.rounded_rectangle(
        (left, top, left + width - 1, top + height - 1), radius=10, outline=RETRACTED_MARK, width=4, fill=BACKGROUND
    )
    baseline = top + height // 2 + round(34 * 0.36)
    _draw_line(draw, words, faces, baseline, direction, direction, RETRACTED_MARK, language, start + 26)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
