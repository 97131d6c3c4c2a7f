"""Importing an archive: N saved fact-check pages, read from a folder into a fresh store.

    python -m bench.import_archive                 # 10,000 pages, one reader per core
    python -m bench.import_archive --pages 500 --workers 1

Writes N pages to a temporary folder, one at a time (the archive is never held in memory),
each a copy of one of the fixture site's fact-check pages (tests/fixtures/claimreview-site)
made unique: its URL's last segment (so its canonical URL, ClaimReview url and slug) carries
the copy's number, and so does its claim text where the page spells it plainly. The fixture's
placeholder origin becomes a fixed one, which is also the site factcard serves (the archive of
the newsroom moving to it), and its publishers are configured on that origin.
Then the folder is imported into a fresh SQLite store by `ImportRun`, as `factcard import
FOLDER` does, and the run's figures are printed as a Markdown table: pages, seconds, pages/s,
the outcome counts and the peak resident memory of this process and of the reader processes.
Exits 1 when fewer pages were imported than written. A benchmark, not a test: the figures
belong to this machine and this run.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from feed.core.publishing import Publishing
from feed.core.settings import Settings
from feed.importer.reading import ReadOptions, read_html
from feed.importer.run import ImportOptions, ImportRun
from feed.site.config import load_publishers
from feed.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "fixtures" / "claimreview-site"
ORIGIN = "https://archive.example"
TARGET = 50.0  # pages per second


def templates(options: ReadOptions) -> list[tuple[str, str, list[str]]]:
    """Each fact-check page of the fixture site that, saved, says where it was published (one names
    only a relative address: it imports when fetched): its text on ORIGIN, its URL's last segment,
    its claims."""
    expected = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
    found = []
    for page in expected["pages"]:
        if page["skip"] is not None:
            continue
        text = (SITE / page["path"]).read_text(encoding="utf-8")
        text = text.replace("http://SITE", ORIGIN).replace("//SITE", ORIGIN.removeprefix("https:"))
        if read_html(text.encode(), "file:///saved.html", None, options).reading is None:
            continue
        segment = str(page["url"]).rstrip("/").rsplit("/", 1)[1].removesuffix(".html")
        found.append((text, segment, [str(claim["claimReviewed"]) for claim in page["claims"]]))
    return found


def spellings(claim: str) -> list[str]:
    """How a claim's text may be written in a page: as is, HTML-escaped, JSON-escaped."""
    return list(dict.fromkeys([claim, html.escape(claim), json.dumps(claim)[1:-1]]))


def copy_of(template: tuple[str, str, list[str]], number: int) -> str:
    text, segment, claims = template
    for claim in claims:
        for spelling in spellings(claim):
            text = text.replace(spelling, f"{spelling} (copy {number})")
    return text.replace(segment, f"{segment}-{number}")


def write_archive(folder: Path, pages: int, options: ReadOptions) -> int:
    """Write `pages` saved pages under `folder`, one file at a time; their bytes in all."""
    sources, size = templates(options), 0
    for number in range(pages):
        path = folder / f"{number // 1000:03d}" / f"{number:06d}.html"
        if number % 1000 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        data = copy_of(sources[number % len(sources)], number).encode("utf-8")
        path.write_bytes(data)
        size += len(data)
    return size


def settings_file(path: Path) -> Path:
    """The fixture site's publishers on ORIGIN (as tests/importer/site.py writes them for its server)."""
    expected = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
    default = (ROOT / "feed" / "default_config.toml").read_text(encoding="utf-8")
    tables = []
    for publisher in expected["publishers"]:
        values = {"name": publisher["name"], "url": f"{ORIGIN}/{publisher['folder']}/", "scale": "default",
                  "language": publisher["default_language"]}  # fmt: skip
        lines = [f"[publishers.{publisher['folder']}]", *(f"{k} = {json.dumps(v)}" for k, v in values.items())]
        tables.append("\n".join(lines))
    path.write_text("\n\n".join(tables) + "\n\n" + default[default.index("[scales.default]") :], encoding="utf-8")
    return path


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="reader processes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="factcard-bench-import-") as temporary:
        root = Path(temporary)
        folder = root / "archive"
        overrides: dict[str, Any] = {"database_url": f"sqlite:///{root / 'import.db'}", "base_url": ORIGIN,
                                     "config_file": str(settings_file(root / "settings.toml"))}  # fmt: skip
        settings = Settings.load({}, overrides)
        publishers = load_publishers(settings)
        started = time.perf_counter()
        size = write_archive(folder, args.pages, ReadOptions(publishers))
        written = time.perf_counter() - started
        print(f"archive: {args.pages} pages, {size / 2**20:.1f} MiB, written in {written:.1f} s", file=sys.stderr)

        store = open_store(settings.database_url)
        try:
            publishing = Publishing(store, publishers, settings.base_url, ("websub",))
            run = ImportRun(publishing, ImportOptions(workers=args.workers), fetcher=None, site_language="en")
            started = time.perf_counter()
            report = run.run([str(folder)])
            seconds = time.perf_counter() - started
        finally:
            store.close()

    counts = report.counts()
    imported, skipped, failed = counts["imported"], counts["skipped"], counts["failed"]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    readers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rate = args.pages / seconds
    print(f"\nImporting a folder of {args.pages} saved pages, {args.workers} reader process(es), SQLite\n")
    print("| figure | value |")
    print("| --- | ---: |")
    print(f"| pages | {args.pages:,} |")
    print(f"| seconds | {seconds:.1f} |")
    print(f"| pages/s | {rate:.1f} |")
    print(f"| imported / skipped / failed | {imported:,} / {skipped:,} / {failed:,} |")
    print(f"| peak RSS, this process | {mib(own)} |")
    print(f"| peak RSS, largest reader process | {mib(readers) if readers else 'none (read here)'} |")
    print(f"\nTarget: at least {TARGET:.0f} pages/s ({'met' if rate >= TARGET else 'not met'}).")
    if imported < args.pages:
        lines = [r.line() for r in report.records if r.outcome != "imported"][:5]
        print(f"only {imported} of {args.pages} pages were imported; first others:", *lines, sep="\n", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
