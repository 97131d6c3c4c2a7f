"""A PNG file of an 8-bit RGB picture, its rows unfiltered (PNG filter type 0).

Pillow's encoder tries every row filter on every row, which on a picture of flat colours and
text (the share images) costs more than the compression itself and compresses worse. The rows
are deflated by ISA-L (isal), a tenth of zlib's time at its fastest level. For a share image,
measured on this project's machine (CPU time): Pillow with optimize 60 ms and 36 KB; Pillow at
zlib level 3, 11 ms and 46 KB; unfiltered rows with zlib level 3, 4.3 ms (and 1.5 ms to lay the
rows out) and 40 KB; with ISA-L level 1, 0.44 ms and 45 KB, which a build of a hundred thousand
fact-checks needs. The format is the PNG specification's three chunks (IHDR, one IDAT, IEND);
Pillow and an independent decoder read it back in the tests.
"""

from __future__ import annotations

import struct
import zlib

from isal import isal_zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 1  # ISA-L's: 3 is seven times slower and no smaller on these pictures


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgb_png(size: tuple[int, int], pixels: bytes) -> bytes:
    """The PNG of a `size` (width, height) picture whose `pixels` are RGB bytes, row by row."""
    width, height = size
    stride = width * 3
    if len(pixels) != stride * height:
        raise ValueError(f"{len(pixels)} bytes are not {width}x{height} RGB pixels")
    rows = b"".join(b"\0" + pixels[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, no filter, not interlaced
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", isal_zlib.compress(rows, LEVEL)) + _chunk(b"IEND", b"")
