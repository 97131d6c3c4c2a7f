"""Sitemaps as WordPress, Yoast and Rank Math write them: indexes, nested indexes, gzip, lastmod."""

from __future__ import annotations

import gzip

import pytest

from feed.importer.sitemaps import NotASitemap, read_sitemap
from tests.importer.test_markup import EXPECTED, ORIGIN, SITE


def body(name: str) -> bytes:
    return (SITE / name).read_text(encoding="utf-8").replace("http://SITE", ORIGIN).encode()


def every_page() -> dict[str, str | None]:
    """Walk the site's sitemaps from its index, as the importer does, reading the files."""
    found: dict[str, str | None] = {}
    queue, seen = [f"{ORIGIN}/sitemap_index.xml"], set()
    while queue:
        url = queue.pop(0)
        assert url not in seen, f"{url} twice"
        seen.add(url)
        name = url.removeprefix(ORIGIN + "/").removesuffix(".gz")
        data = body(name)
        document = read_sitemap(gzip.compress(data) if url.endswith(".gz") else data)
        queue.extend(document.sitemaps)
        found.update(document.pages)
    return found


def test_the_index_leads_to_every_page_with_its_lastmod() -> None:
    pages = every_page()
    for page in EXPECTED["pages"]:
        url = page["url"].replace("http://SITE", ORIGIN)
        assert url in pages, url
        if page.get("lastmod"):
            assert pages[url] is not None and pages[url][:10] == page["lastmod"][:10]


def test_a_yoast_index_with_its_stylesheet_line_lists_its_sitemaps() -> None:
    document = read_sitemap(body("sitemap_index.xml"))
    assert document.pages == [] and len(document.sitemaps) >= 5
    assert all(url.startswith(ORIGIN) for url in document.sitemaps)


def test_what_is_no_sitemap_is_refused_with_a_reason() -> None:
    with pytest.raises(NotASitemap, match="no <urlset>"):
        read_sitemap(b"<html><body>Not found</body></html>")
    with pytest.raises(NotASitemap, match="broken gzip"):
        read_sitemap(b"\x1f\x8b\x08\x00garbage")
