"""How tall a card is: the rows its stylesheet lays out, and an estimate of its natural height.

The card measures itself in the browser (card.js) and reports its height, but a frame needs a
height before the card has loaded: the embed code's data-height, the iframe code and oEmbed.
The estimate here follows card.css row by row (keep the two in step; the browser tests compare
them), showing the claimant and explanation rows only when the card has them.
"""

from __future__ import annotations

import unicodedata

CARD_WIDTH = 550  # px; the widest a card is laid out, like other social embeds
MIN_WIDTH = 260
MIN_HEIGHT = 86  # px; the most compact card: claim on one line, verdict, link (card.css .z7, .z8)

BORDER, PAD_Y, PAD_X = 1, 13, 15
HEADER = 24  # logo, publisher, "Fact check"
CLAIM_GAP = 10
LINE = 20
MAX_CLAIM_LINES = 3
CLAIMANT = 20
VERDICT = 8 + 28  # gap, badge
NOTE = 8 + LINE  # gap, the one-line explanation (or the retraction notice)
FOOTER_ABOVE, FOOTER_ROW = 4, 24  # at least this gap, then date and link, on one row of 24 px
FOOTER_FONT, FOOTER_GAP = 13, 8  # or two lines, when the date does not fit beside the link

CLAIM_FONT, LABEL_FONT = 16, 13  # px; the claim is 16px semibold after a 13px "Claim:" label
# Average advance of a character in em: measured on system sans-serif faces in semibold, a
# little on the wide side so an estimate errs towards a line too many rather than too few.
NARROW_EM, WIDE_EM = 0.58, 1.0


def _text_width(text: str, font_px: int) -> float:
    return sum(WIDE_EM if unicodedata.east_asian_width(ch) in "WF" else NARROW_EM for ch in text) * font_px


def claim_lines(label: str, claim: str, width: int) -> int:
    """Lines the claim (after its label) takes in a card `width` px wide, at most three."""
    room = width - 2 * (BORDER + PAD_X)
    space = _text_width(" ", CLAIM_FONT)
    lines, used = 1, _text_width(label, LABEL_FONT)
    for word in claim.split():
        advance = _text_width(word, CLAIM_FONT)
        if used + space + advance <= room:
            used += space + advance
            continue
        # A new line; a word wider than a line (or unspaced text) breaks where it must.
        whole, used = divmod(advance, room)
        lines += 1 + int(whole) if used else int(whole)
        used = used or room
    return min(lines, MAX_CLAIM_LINES)


def footer_rows(date: str, link: str, width: int) -> int:
    """2 when the date does not fit beside the link in a card `width` px wide, else 1."""
    room = width - 2 * (BORDER + PAD_X)
    together = _text_width(date, FOOTER_FONT) + FOOTER_GAP + _text_width(link, FOOTER_FONT)
    return 2 if date and together > room else 1


def card_height(lines: int, claimant: bool, note: bool, footer: int = 1) -> int:
    """The natural height of a card whose claim takes `lines` lines and footer `footer` rows."""
    return (
        2 * (BORDER + PAD_Y) + HEADER + CLAIM_GAP + lines * LINE
        + (CLAIMANT if claimant else 0) + VERDICT + (NOTE if note else 0)
        + FOOTER_ABOVE + max(FOOTER_ROW, footer * LINE)
    )  # fmt: skip


CARD_HEIGHT = card_height(MAX_CLAIM_LINES, claimant=True, note=True)  # the tallest card
