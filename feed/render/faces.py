"""The share image's fonts: FreeType faces with the code points each covers.

A character is drawn in the first of FAMILIES that has it, so one line can mix Latin, Arabic
and Devanagari (feed.site.shareimage lays the runs out).
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ImageFont

FONTS = Path(__file__).parents[1] / "fonts"
# In order of preference: a character goes to the first font that has it.
FAMILIES = ("NotoSans", "NotoSansArabic", "NotoSansDevanagari")


@dataclass(frozen=True, eq=False)
class Face:
    font: ImageFont.FreeTypeFont
    covers: frozenset[int] = field(repr=False)


@functools.cache
def fonts(bold: bool, size: int) -> tuple[Face, ...]:
    weight = "Bold" if bold else "Regular"
    faces = []
    for family in FAMILIES:
        path = FONTS / f"{family}-{weight}.ttf"
        font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
        faces.append(Face(font, coverage(path)))
    return tuple(faces)


@functools.cache
def coverage(path: Path) -> frozenset[int]:
    """The code points `path`'s Unicode cmap maps to a glyph (formats 4 and 12)."""
    data = path.read_bytes()
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for index in range(count):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        tables[tag] = offset
    cmap = tables[b"cmap"]
    (subtables,) = struct.unpack_from(">H", data, cmap + 2)
    found: dict[tuple[int, int], int] = {}
    for index in range(subtables):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
        found[(platform, encoding)] = cmap + offset
    codes: set[int] = set()
    if (3, 10) in found:
        at = found[(3, 10)]
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for group in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * group)
            codes.update(range(start + (glyph == 0), end + 1))
        return frozenset(codes)
    unicode = found.get((3, 1), found.get((0, 3)))
    if unicode is None:
        raise ValueError(f"{path.name} has no Unicode cmap")
    at = unicode
    (segments2,) = struct.unpack_from(">H", data, at + 6)
    n = segments2 // 2
    ends = struct.unpack_from(f">{n}H", data, at + 14)
    starts = struct.unpack_from(f">{n}H", data, at + 16 + segments2)
    deltas = struct.unpack_from(f">{n}h", data, at + 16 + 2 * segments2)
    range_at = at + 16 + 3 * segments2
    range_offsets = struct.unpack_from(f">{n}H", data, range_at)
    for i in range(n):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(">H", data, range_at + 2 * i + range_offsets[i] + 2 * (code - starts[i]))
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                codes.add(code)
    return frozenset(codes)
