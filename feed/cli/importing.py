"""`factcard import-claimreview`: bring in an archive already published elsewhere, from its
pages' ClaimReview markup, its sitemaps, a DataFeed file or Fact Check Tools answers.

On stdout, one line for each page that was retracted, skipped, in conflict or failed, then the
counts; with --report FILE, the JSON report of every source. The exit status is 1 when a source
failed or a fact-check is in conflict (someone should look), else 0: a page without ClaimReview
is skipped, as it should be.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from feed.importer.report import Outcome, Report

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(text: str) -> str:
    if not _DAY.match(text):
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, not {text!r}")
    return text


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be a number of seconds from 0 to 3600, not {text!r}")
    return value


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    imp = commands.add_parser(
        "import-claimreview", parents=[parent],
        help="import fact-checks from another site's ClaimReview",
        description="Import fact-checks already published elsewhere: SOURCE is a page URL, a file of "
        "page URLs (one a line), a saved HTML page or a folder of them, a sitemap or sitemap index "
        "(a URL or a file, plain or .xml.gz), a schema.org DataFeed file, or a Fact Check Tools "
        "answer. Each page's ClaimReviews become one published fact-check with its original dates. "
        "Running it again changes only what changed at the source.",
    )  # fmt: skip
    imp.add_argument("sources", nargs="+", metavar="SOURCE", help="URLs, files or folders")
    imp.add_argument(
        "--keep-original-urls", action="store_true",
        help="the original articles stay canonical (keep the CMS): ClaimReview, feeds and cards link "
        "to them; a page that answers 404 or 410 on a later run retracts its fact-check",
    )  # fmt: skip
    imp.add_argument(
        "--allow-private-addresses", action="store_true",
        help="also fetch private, loopback and link-local addresses (a newsroom's own network)",
    )  # fmt: skip
    imp.add_argument("--publisher", metavar="ID", help="every page is this configured publisher's (default: "
                     "matched by the markup's organisation, by site or name)")  # fmt: skip
    imp.add_argument("--since", type=_day, metavar="DATE",
                     help="from sitemaps, only pages whose lastmod is on or after DATE (YYYY-MM-DD)")  # fmt: skip
    imp.add_argument("--delay", type=_seconds, default=1.0, metavar="SECONDS",
                     help="wait between two requests to one host (default 1; a larger Crawl-delay wins)")  # fmt: skip
    imp.add_argument("--report", metavar="FILE", help="write the JSON report of every source to FILE")
    imp.add_argument("--dry-run", action="store_true", help="read and check everything; write nothing")
    imp.add_argument("--watch", type=_seconds, metavar="INTERVAL",
                     help="run again every INTERVAL seconds, until stopped (keeps step with a CMS)")  # fmt: skip


def import_claimreview(args: argparse.Namespace, publishing: Any, site_language: str) -> int:
    # The readers (extruct, trafilatura, lxml) load only for this command, not for every one.
    from feed.importer.fetching import Fetcher, FetchPolicy, user_agent_for
    from feed.importer.progress import Progress
    from feed.importer.run import ImportOptions, ImportRun

    if args.publisher is not None and args.publisher not in publishing.publishers:
        configured = ", ".join(publishing.publishers)
        print(f"error: no publisher {args.publisher!r} is configured (configured: {configured})", file=sys.stderr)
        return 2
    options = ImportOptions(
        keep_original_urls=args.keep_original_urls, publisher=args.publisher, since=args.since, dry_run=args.dry_run
    )
    policy = FetchPolicy(
        user_agent=user_agent_for(publishing.urls.base),
        delay=args.delay,
        allow_private_addresses=args.allow_private_addresses,
    )
    while True:
        with Fetcher(policy) as fetcher:
            run = ImportRun(publishing, options, fetcher=fetcher, site_language=site_language,
                            progress=lambda total: Progress(total, sys.stderr))  # fmt: skip
            report = run.run(args.sources, on_outcome=_tell)
        print(report.summary())
        if args.report:
            Path(args.report).write_bytes(orjson.dumps(report.as_json(), option=orjson.OPT_INDENT_2) + b"\n")
        if args.watch is None:
            return _status(report)
        sys.stdout.flush()
        time.sleep(args.watch)


def _tell(outcome: Outcome) -> None:
    from feed.importer.report import TOLD

    if outcome.outcome in TOLD:
        print(outcome.line(), flush=True)


def _status(report: Report) -> int:
    counts = report.counts()
    return 1 if counts["failed"] or counts["conflict"] else 0
