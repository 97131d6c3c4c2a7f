"""Static files: fingerprinted and plain URLs, caching, compression, the favicon, packaging."""

from __future__ import annotations

import gzip
import re
import struct
import tomllib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = ROOT / "feed" / "static"
YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, stale-while-revalidate=86400"


def linked(html: str, rel: str) -> str:
    found = re.search(rf'<link rel="{rel}" href="([^"]+)"', html)
    assert found, rel
    return found.group(1)


def test_pages_link_fingerprinted_files_cached_for_a_year(client: TestClient) -> None:
    html = client.get("/").text
    for rel, name in (("stylesheet", "factcard.css"), ("icon", "favicon.ico")):
        url = linked(html, rel)
        stem, suffix = name.split(".")
        assert re.fullmatch(rf"http://testserver/static/{stem}\.[0-9a-f]{{16}}\.{suffix}", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == (STATIC / name).read_bytes()
        assert response.headers["cache-control"] == YEAR
        assert re.fullmatch(r'"[0-9a-f]{32}(-br|-gzip)?"', response.headers["etag"])
    for html_page in (client.get("/").text, client.get("/nothing-here").text):
        assert "/static/factcard.css" not in html_page


def test_plain_names_keep_working_with_a_short_max_age(client: TestClient) -> None:
    for name in sorted(p.name for p in STATIC.iterdir()):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["cache-control"] == SHORT
        assert response.content == (STATIC / name).read_bytes()
    assert client.get("/static/logo.svg").headers["content-type"] == "image/svg+xml"
    assert client.get("/static/factcard.css").headers["content-type"] == "text/css; charset=utf-8"


def test_static_files_are_compressed_with_a_strong_etag_per_coding(client: TestClient) -> None:
    url = linked(client.get("/").text, "stylesheet")
    body = (STATIC / "factcard.css").read_bytes()
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as raw:
        assert gzip.decompress(b"".join(raw.iter_raw())) == body
    brotli = pytest.importorskip("brotli")
    with client.stream("GET", url, headers={"Accept-Encoding": "br, gzip"}) as raw:
        assert raw.headers["content-encoding"] == "br"
        assert brotli.decompress(b"".join(raw.iter_raw())) == body
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == YEAR


def test_only_shipped_files_and_their_own_fingerprints_are_served(client: TestClient) -> None:
    for path in ("/static/nothing.css", "/static/factcard.0000000000000000.css", "/static/../app.py",
                 "/static/%2e%2e/app.py", "/static/", "/static/.hidden"):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_favicon_is_a_real_ico_file(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.headers["cache-control"] == SHORT
    data = response.content
    assert data == (STATIC / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count >= 2
    sizes = set()
    for index in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * index)
        image = data[offset : offset + size]
        assert len(image) == size and planes == 1 and bits == 32
        # Each image is a 32-bit BMP (header, pixels bottom-up, then the 1-bit AND mask) or a PNG.
        if image.startswith(b"\x89PNG\r\n\x1a\n"):
            continue
        header, bmp_width, bmp_height, _, bmp_bits = struct.unpack_from("<IiiHH", image, 0)
        assert (header, bmp_width, bmp_height, bmp_bits) == (40, width, 2 * height, 32)
        mask_row = (width + 31) // 32 * 4
        assert size == 40 + width * height * 4 + mask_row * height
        sizes.add(width)
    assert {16, 32} <= sizes


def test_package_data_ships_every_static_file_and_template() -> None:
    """What `pip install factcard` gets: the wheel holds only files its package-data globs match."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["feed"]
    shipped = {path for pattern in globs for path in (ROOT / "feed").glob(pattern)}
    for folder in ("static", "templates"):
        for path in (ROOT / "feed" / folder).iterdir():
            assert path in shipped, f"{path.relative_to(ROOT)} is not in the wheel"
