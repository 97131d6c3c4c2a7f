"""A claimant's record as a bar chart: how many of their published claims got each verdict category.

Built as data (every bar's box and every label's anchor, in viewBox units) for the template to
draw as inline SVG (feed/templates/browse.html): no script, no markup made here. The SVG scales
to its container (a viewBox and width 100%), so it never scrolls sideways; on a right-to-left
page the bars grow from the right, as its readers read. The template also gives the same
numbers as a table, which is the chart's text alternative beside its <title>.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from widget.i18n import CATEGORY_NAMES, Messages

WIDTH = 400  # viewBox units; the SVG is drawn at the width of its column
ROW = 34  # the height of one bar's row
BAR = 22  # the height of a bar
LABELS = 150  # the width kept for the category names
NUMBER = 40  # room after the longest bar for its count
ORDER = tuple(CATEGORY_NAMES)  # true to false, then unproven and other: the scales' order


@dataclass(frozen=True)
class Bar:
    category: str
    name: str  # the category in the page's language
    count: int
    count_text: str  # in the language's digits
    x: float  # the bar's box
    y: float
    width: float
    label_x: float  # where the category name is anchored (text-anchor `anchor`)
    number_x: float  # where the count is anchored
    text_y: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int
    anchor: str  # text-anchor of names and counts: "start" left to right, "end" right to left
    summary: str  # the text alternative: "False: 2, Misleading: 1"
    total: int


def record_chart(categories: Mapping[str, int], t: Messages) -> Chart | None:
    """The chart of `categories` ({category: published claims}), in `t`'s language and direction;
    None when there is nothing to draw (a claimant whose only fact-checks were retracted)."""
    counts = [(category, categories[category]) for category in _ordered(categories) if categories[category] > 0]
    if not counts:
        return None
    most = max(count for _, count in counts)
    room = WIDTH - LABELS - NUMBER
    rtl = t.direction == "rtl"
    bars = []
    for row, (category, count) in enumerate(counts):
        length = max(2.0, room * count / most)  # a bar of one claim among hundreds still shows
        y = row * ROW + (ROW - BAR) / 2
        if rtl:
            x, label_x, number_x = WIDTH - LABELS - length, WIDTH, WIDTH - LABELS - length - 6
        else:
            x, label_x, number_x = LABELS, 0, LABELS + length + 6
        bars.append(Bar(category, t.category(category), count, t.number(count), x, y, length, label_x, number_x,
                        y + BAR / 2 + 5))  # fmt: skip
    summary = t.join([f"{bar.name}: {bar.count_text}" for bar in bars])
    return Chart(bars, ROW * len(bars), WIDTH, "end" if rtl else "start", summary, sum(c for _, c in counts))


def _ordered(categories: Mapping[str, int]) -> list[str]:
    known = [category for category in ORDER if category in categories]
    return known + sorted(category for category in categories if category not in ORDER)
