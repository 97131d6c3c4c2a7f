"""What each card of a release's static build shows a reader: the record behind the test that
every card URL an earlier release wrote still answers the same card (test_card_addresses.py).

    PYTHONPATH=<checkout of a release> python tests/build/previous_cards.py OUT.json

builds that release's site from the store tests/build/test_static_site.py serves (the demo and
two fact-checks whose original article stays canonical) and writes, for every card file the
build holds, its URL path, its size in bytes and what headless Chromium shows of it (`SEEN`),
with the site's origin written ORIGIN. tests/build/cards_of_the_previous_release.json is this output for the
release before one card file came to answer every theme.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

ORIGIN = "http://127.0.0.1:9"  # the recorded site's origin; records hold ORIGIN instead
RECORD = Path(__file__).with_name("cards_of_the_previous_release.json")
SCHEMES = ("light", "dark")  # a card is looked at with the reader's system in each scheme
VIEWPORT = {"width": 550, "height": 320}

# What a reader sees of a card: its language and direction, the colours of its box (the theme
# as painted, whichever way it was chosen) and every word and link in it.
SEEN = """() => {
  const root = document.documentElement, box = getComputedStyle(document.querySelector('.c'));
  return {lang: root.lang, dir: root.dir, title: document.title, background: box.backgroundColor,
          color: box.color, text: document.body.innerText,
          links: [...document.querySelectorAll('a')].map(a => a.href)};
}"""


def normalised(record: dict[str, Any], origin: str) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(record).decode().replace(origin, "ORIGIN"))


def look(page: Any, url: str, origin: str) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    return normalised(page.evaluate(SEEN), origin)


def build_site(folder: Path, origin: str) -> Path:
    """The release's build of the test site's store, in `folder`."""
    from tests.conftest import DEMO
    from tests.site.test_canonical_elsewhere import kept_config, kept_documents

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'factcard.db'}", "FACTCARD_BASE_URL": origin,
           "FACTCARD_PAGE_SIZE": "2", "FACTCARD_FEED_PAGE_SIZE": "2",
           "FACTCARD_CONFIG": kept_config(folder)}  # fmt: skip
    kept = folder / "kept.json"
    kept.write_bytes(orjson.dumps(kept_documents()))
    cli = [sys.executable, "-m", "feed.cli"]
    subprocess.run([*cli, "import", str(DEMO), str(kept)], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "build", str(folder / "build")], env=env, check=True, capture_output=True)
    return (folder / "build").resolve()


def card_paths(root: Path) -> list[str]:
    """The URL path of every card file in the build `root`."""
    return sorted(
        "/" + path.relative_to(root).as_posix().removesuffix(".html") for path in (root / "embed").rglob("*.html")
    )


def record(root: Path) -> dict[str, dict[str, Any]]:
    """Each card file's URL path, its size, and what a reader sees of it in each colour scheme."""
    from playwright.sync_api import sync_playwright

    from tests.browser.test_widget_browser import launch

    def from_file(route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        file = root / (path.lstrip("/") + ".html")
        if file.is_file():
            route.fulfill(status=200, body=file.read_bytes(), content_type="text/html; charset=utf-8")
        else:
            route.fulfill(status=404, body=b"")

    seen: dict[str, dict[str, Any]] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for scheme in SCHEMES:
                page = browser.new_page(viewport=VIEWPORT, color_scheme=scheme)
                page.route(f"{ORIGIN}/**", from_file)
                for path in card_paths(root):
                    seen.setdefault(path, {})[scheme] = look(page, ORIGIN + path, ORIGIN)
                    seen[path]["bytes"] = len((root / (path.lstrip("/") + ".html")).read_bytes())
                page.close()
        finally:
            browser.close()
    return seen


def written(seen: dict[str, Any]) -> bytes:
    """One card URL a line: a later release's record differs from this one line by line."""
    lines = [orjson.dumps(path) + b": " + orjson.dumps(seen[path], option=orjson.OPT_SORT_KEYS)
             for path in sorted(seen)]  # fmt: skip
    return b"{\n" + b",\n".join(lines) + b"\n}\n"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else RECORD
    with tempfile.TemporaryDirectory() as folder:
        seen = record(build_site(Path(folder), ORIGIN))
    out.write_bytes(written(seen))
    print(f"{len(seen)} card URLs recorded in {out}")


if __name__ == "__main__":
    main()
