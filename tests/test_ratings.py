from __future__ import annotations

from typing import Any

import pytest

from schemas.errors import ValidationError
from schemas.publisher import parse_publishers
from schemas.ratings import parse_scale


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_default_scale_badges_meet_wcag_aa_with_white_text(publishers: Any) -> None:
    scale = publishers["demo"].scale
    assert [label.category for label in scale.labels][:6] == [
        "true", "mostly-true", "mixed", "misleading", "mostly-false", "false",
    ]  # fmt: skip
    for label in scale.labels:
        assert contrast(label.colour, "#ffffff") >= 4.5, label


def test_contrast_helper_can_fail() -> None:
    assert contrast("#ffff00", "#ffffff") < 4.5


def test_scale_problems_are_all_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_scale(
            {
                "name": "house",
                "best": 5,
                "worst": 1,
                "labels": [
                    {"label": "Yes", "value": 9, "colour": "#000000", "category": "true"},
                    {"label": "yes", "value": 1, "colour": "red", "category": "sort-of"},
                ],
            }
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "scale.labels[0].value", "scale.labels[1].label", "scale.labels[1].colour", "scale.labels[1].category",
    }  # fmt: skip


def test_publishers_name_their_scale_and_get_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_publishers({"publishers": {"Bad Id": {"name": "X", "url": "javascript:x", "scale": "none"}}})
    fields = {e.field for e in caught.value.errors}
    assert fields == {"publishers.Bad Id", "publishers.Bad Id.url", "publishers.Bad Id.scale"}
