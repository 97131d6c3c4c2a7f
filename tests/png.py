"""Read pixels from the PNG screenshots Chromium takes (8-bit RGB or RGBA, not interlaced)."""

from __future__ import annotations

import struct
import zlib


class Image:
    def __init__(self, data: bytes):
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        position, idat = 8, b""
        while position < len(data):
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
            if kind == b"IHDR":
                self.width, self.height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
                assert depth == 8 and colour in (2, 6) and not interlace, "unsupported PNG"
                self.channels = 3 if colour == 2 else 4
            elif kind == b"IDAT":
                idat += body
            position += 12 + length
        self.rows = self._unfilter(zlib.decompress(idat))

    def _unfilter(self, raw: bytes) -> list[bytearray]:
        stride, bpp = self.width * self.channels, self.channels
        rows: list[bytearray] = []
        previous = bytearray(stride)
        for y in range(self.height):
            start = y * (stride + 1)
            kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
                if kind == 1:
                    row[i] = (row[i] + left) & 255
                elif kind == 2:
                    row[i] = (row[i] + up) & 255
                elif kind == 3:
                    row[i] = (row[i] + (left + up) // 2) & 255
                elif kind == 4:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
            rows.append(row)
            previous = row
        return rows

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        offset = x * self.channels
        r, g, b = self.rows[y][offset : offset + 3]
        return r, g, b


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative brightness, 0 (black) to 255 (white)."""
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
