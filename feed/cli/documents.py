"""The commands that move fact-checks in and out of the store: `import`, `export`, and for
scripts, `update`, `publish`, `retract` and `import --update`.

The editing commands run the API's workflow (feed.core.publishing) and keep its guard against lost
edits: a write names the version it was based on, as If-Match does, and a stale one is refused
with nothing written. A refusal is a line `error: ...` on stderr and exit status 1; unreadable
input is exit status 2, as it always was for `import`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from feed.core.documents import DocumentFile, UnreadableFile, iter_files, read_documents
from feed.core.publishing import InvalidTransition, Publishing, RecordsRefused
from feed.store import Conflict, NotFound, Record, StaleVersion, StoreUnavailable
from feed.store.clock import utc_now
from schemas.errors import FieldError, ValidationError

MERGE = "fetch it (factcard export --versions), merge, and retry"
IF_CURRENT = "refused, writing nothing, unless N is the current version (default: whatever is current)"
REFUSALS = (NotFound, StaleVersion, InvalidTransition, ValidationError, Conflict, StoreUnavailable)


def _version_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a version number (1, 2, ...), not {text!r}")
    return int(text)


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    """The `import`, `export`, `update`, `publish` and `retract` subcommands."""
    imp = commands.add_parser(
        "import", parents=[parent],
        help="import fact-check documents (.json, .jsonl)",
        description="Import fact-check documents (.json, .jsonl); a file with any bad record is refused whole.",
    )  # fmt: skip
    imp.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    imp.add_argument(
        "--update", action="store_true",
        help="also replace existing fact-checks: each record must carry the stored version as _version "
        "(export --versions writes it); any refused record refuses the whole import",
    )  # fmt: skip

    export = commands.add_parser("export", parents=[parent], help="write every fact-check to stdout as JSON Lines")
    export.add_argument(
        "--versions", action="store_true",
        help='add each fact-check\'s current version to its line as "_version", for import --update',
    )  # fmt: skip

    update = commands.add_parser(
        "update", parents=[parent],
        help="replace a fact-check with FILE's document",
        description="Replace a fact-check (the one FILE's slug names) with FILE's document.",
    )  # fmt: skip
    update.add_argument("file", metavar="FILE", help="one fact-check document (.json)")
    based = update.add_mutually_exclusive_group(required=True)
    based.add_argument(
        "--if-version", type=_version_number, metavar="N",
        help="the version the edit is based on; refused, writing nothing, if someone saved a later one",
    )  # fmt: skip
    based.add_argument(
        "--force", action="store_true",
        help="replace whatever version is current, even one saved after you read it (an edit may be lost)",
    )  # fmt: skip

    publish = commands.add_parser("publish", parents=[parent], help="publish a draft: datePublished set, push sent")
    publish.add_argument("slug", metavar="SLUG", help="the fact-check to publish")
    publish.add_argument("--if-version", type=_version_number, metavar="N", help=IF_CURRENT)

    retract = commands.add_parser(
        "retract",
        parents=[parent],
        help="retract a fact-check; it stays up with a notice",
        description="Retract a published fact-check: it stays public with its notice.",
    )
    retract.add_argument("slug", metavar="SLUG", help="the fact-check to retract")
    retract.add_argument("--reason", required=True, metavar="TEXT", help="why, shown to readers with the notice")
    retract.add_argument("--if-version", type=_version_number, metavar="N", help=IF_CURRENT)


def import_files(args: argparse.Namespace, publishing: Publishing) -> int:
    """`import`: each file all or nothing; with --update, every file at once (import_updating)."""
    if args.update:
        return import_updating(args.paths, publishing)
    failed = imported = 0
    try:
        for file in iter_files(args.paths):
            try:
                count = publishing.import_documents(file.documents, utc_now())
            except RecordsRefused as exc:
                failed += 1
                print(f"{file.path}: refused, nothing imported from it:", file=sys.stderr)
                _print_refused(exc.problems, _places([file]))
                if _names_version(exc):
                    print("  (_version comes from export --versions: import --update replaces at it)", file=sys.stderr)
                continue
            imported += count
            print(f"{file.path}: imported {count}")
    except UnreadableFile as exc:
        return _error(str(exc), status=2)
    print(f"imported {imported} fact-check(s); {failed} file(s) refused")
    return 1 if failed else 0


def export(args: argparse.Namespace, publishing: Publishing) -> int:
    out = sys.stdout.buffer
    for record in publishing.store.all_records():
        line = {"_version": record.version, **record.document} if args.versions else record.document
        out.write(orjson.dumps(line) + b"\n")
    out.flush()
    return 0


def update(args: argparse.Namespace, publishing: Publishing) -> int:
    try:
        file = read_documents(Path(args.file))
    except UnreadableFile as exc:
        return _error(str(exc), status=2)
    if len(file.documents) != 1 or not isinstance(file.documents[0], dict):
        return _error(f"{file.path}: must hold one fact-check document (a JSON object)")
    document = dict(file.documents[0])
    in_file = document.pop("_version", None)  # an `export --versions` line names its version
    slug = document.get("slug")
    if not isinstance(slug, str) or not slug:
        return _error(f"{file.path}: has no slug, which says which fact-check to update")
    if args.if_version is not None and in_file is not None and in_file != args.if_version:
        return _error(f"{file.path}: its _version is {in_file!r}, but --if-version says {args.if_version}")

    def write() -> Record:
        based_on = args.if_version
        if args.force:
            current = publishing.store.get(slug)
            based_on = current.version if current else 1  # a missing slug is NotFound below
        return publishing.update(slug, document, based_on, utc_now())

    return _report(write, slug, args.if_version, lambda record: f"updated to version {record.version}")


def publish(args: argparse.Namespace, publishing: Publishing) -> int:
    before = publishing.store.get(args.slug)

    def done(record: Record) -> str:
        if before is not None and record.version == before.version:  # publishing twice changes nothing
            return f"already published (version {record.version}); nothing changed"
        return f"published as version {record.version}, datePublished {record.document.get('datePublished')}"

    return _report(lambda: publishing.publish(args.slug, args.if_version, utc_now()), args.slug, args.if_version, done)


def retract(args: argparse.Namespace, publishing: Publishing) -> int:
    return _report(
        lambda: publishing.retract(args.slug, args.reason, args.if_version, utc_now()),
        args.slug, args.if_version, lambda record: f"retracted as version {record.version}",
    )  # fmt: skip


def _report(write: Callable[[], Record], slug: str, based_on: int | None, done: Callable[[Record], str]) -> int:
    """Run one write; say what it did, or why it was refused."""
    try:
        record = write()
    except REFUSALS as exc:
        for line in _refusal(exc, slug, based_on):
            print(line, file=sys.stderr)
        return 1
    print(f"{slug}: {done(record)}")
    return 0


def _refusal(exc: Exception, slug: str, based_on: int | None) -> list[str]:
    """What to tell the person at the shell; the store is unchanged in every case."""
    if isinstance(exc, NotFound):
        return [f"error: no fact-check is called {slug!r}; `factcard import` creates one"]
    if isinstance(exc, StaleVersion):
        if based_on is not None and based_on > exc.current:
            return [f"error: {slug!r} has no version {based_on}: it is at version {exc.current}"]
        return [f"error: someone saved version {exc.current} of {slug!r} after version {based_on}: {MERGE}"]
    if isinstance(exc, InvalidTransition):
        return [f"error: {exc}"]
    if isinstance(exc, ValidationError):
        return [f"error: {slug!r} refused, nothing written:", *(f"  {e.field}: {e.message}" for e in exc.errors)]
    if isinstance(exc, StoreUnavailable):
        return [f"error: the database cannot be reached ({exc}); nothing was written"]
    return [f"error: {exc}; nothing was written"]


def import_updating(paths: list[str], publishing: Publishing) -> int:
    """`import --update`: every file read and checked first, then all written at once, or none."""
    try:
        files = list(iter_files(paths))
    except UnreadableFile as exc:
        return _error(str(exc), status=2)
    documents = [document for file in files for document in file.documents]
    try:
        imported = publishing.import_updating(documents, utc_now())
    except RecordsRefused as exc:
        print(f"error: nothing imported: {len(exc.problems)} record(s) refused:", file=sys.stderr)
        _print_refused(exc.problems, _places(files))
        if _names_version(exc):
            print(f"  for each fact-check saved since your copy: {MERGE}", file=sys.stderr)
        return 1
    except (StaleVersion, Conflict) as exc:
        return _error(f"another write reached the store during the import ({exc}); nothing imported: retry")
    except StoreUnavailable as exc:
        return _error(f"the database cannot be reached ({exc}); nothing imported")
    print(
        f"imported {imported.created + imported.replaced} fact-check(s): {imported.created} new, "
        f"{imported.replaced} updated, {imported.unchanged} unchanged"
    )
    return 0


def _names_version(refused: RecordsRefused) -> bool:
    return any(e.field == "_version" for errors in refused.problems.values() for e in errors)


def _places(files: list[DocumentFile]) -> list[tuple[DocumentFile, int]]:
    """The file of each document read from `files`, and its index there, in reading order."""
    return [(file, index) for file in files for index in range(len(file.documents))]


def _print_refused(problems: dict[int, list[FieldError]], places: list[tuple[DocumentFile, int]]) -> None:
    """Each refused record's problems, named by file (and line, in JSON Lines) and index in the file."""
    for position, errors in problems.items():
        file, index = places[position]
        for error in errors:
            print(f"  {file.place(index)}: records[{index}].{error.field}: {error.message}", file=sys.stderr)


def _error(message: str, status: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
