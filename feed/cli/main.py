"""The `factcard` command: serve, import, export, validate, update, publish, retract, build,
nginx-config, redirects, settings, token create/list/revoke, user create/reset/disable/list, backup,
restore, reindex, mcp. Those that move fact-checks in and out live in feed.cli.documents, the user commands in
feed.cli.users, the build in feed.cli.build, the redirects from original URLs in feed.cli.redirects,
the settings flags and `settings` in feed.cli.settings, the token commands' work in feed.cli.tokens,
`import-claimreview` in feed.cli.importing, `reindex` and `mcp` (the MCP server on stdio) in
feed.cli.search."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from feed.cli import build as clibuild
from feed.cli import documents as clidocuments
from feed.cli import importing as cliimporting
from feed.cli import redirects as cliredirects
from feed.cli import search as clisearch
from feed.cli import tokens as clitokens
from feed.cli.pipe import reader_gone
from feed.cli.settings import (
    CommandParser,
    add_settings_command,
    base_url_given,
    cmd_settings,
    settings_from,
    settings_parent,
)
from feed.cli.users import add_user_commands, run_user
from feed.core.settings import SETTINGS, Settings, served_origin
from feed.store import NoStore, StoreUnavailable
from feed.store.clock import utc_now
from schemas.errors import FieldError, ValidationError


class CommandList(argparse.HelpFormatter):
    """Help whose list of commands gives each one line: argparse measures a command's name without
    the indent it then prints it at, so the longest name (nginx-config) would push its help below."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            longest = max(len(name) for name in action.choices) + self._current_indent + 2 * self._indent_increment
            self._action_max_length = max(self._action_max_length, longest)


def build_parser() -> argparse.ArgumentParser:
    parent = settings_parent()
    # CommandParser: each subcommand's --help, at every level, ends with the line on the settings.
    parser = CommandParser(
        prog="factcard", description="Publish fact-checks as schema.org ClaimReview.",
        formatter_class=CommandList,
    )  # fmt: skip
    # One line per command in `factcard --help` (the short help); the whole story is each
    # command's description, shown by `factcard COMMAND --help`.
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    serve = commands.add_parser("serve", parents=[parent], help="serve the site, feeds and API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo fact-checks into an empty store")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1; try one per core)")

    clidocuments.add_parsers(commands, parent)
    cliimporting.add_parsers(commands, parent)

    validate = commands.add_parser(
        "validate", parents=[parent],
        help="check documents, or the store, against the rules",
        description="Check documents (or, with no PATH, the store) against the model, the schema.org "
        "vocabulary and the ClaimReview rules.",
    )  # fmt: skip
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or folders")

    token = commands.add_parser("token", parents=[parent], help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", parents=[parent], help="make a token and print it once")
    create.add_argument("name", help="who or what will use the token")
    create.add_argument(
        "--publisher", metavar="ID",
        help="limit the token to this configured publisher's fact-checks (default: every publisher)",
    )  # fmt: skip
    create.add_argument(
        "--expires-in", metavar="WHEN",
        help="expire after a duration (90d, 12h, 4w) or at an ISO date or date-time (default: never)",
    )  # fmt: skip
    token_commands.add_parser(
        "list", parents=[parent], help="list tokens with their scope and lifecycle (never a secret)"
    )
    revoke = token_commands.add_parser("revoke", parents=[parent], help="revoke a token at once, on every server")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key id shown by `token list` (or the whole token)")

    add_user_commands(commands, parent)

    clibuild.add_parsers(commands, parent)
    cliredirects.add_parsers(commands, parent)
    add_settings_command(commands, parent)
    clisearch.add_parsers(commands, parent)

    backup = commands.add_parser(
        "backup", parents=[parent],
        help="write the whole store to FILE as one snapshot",
        description="Write the whole store (every revision, token, outbox row) to FILE as one "
        "consistent snapshot.",
    )  # fmt: skip
    backup.add_argument("file", metavar="FILE", help="the backup file; gzipped if it ends in .gz; - for stdout")
    restore = commands.add_parser(
        "restore", parents=[parent],
        help="load a backup into an empty store, all or nothing",
        description="Load a backup into an empty store (SQLite or PostgreSQL): all of it, or nothing.",
    )  # fmt: skip
    restore.add_argument(
        "file", metavar="FILE", help="a file written by `factcard backup` (plain or gzipped); - for stdin"
    )
    return parser


def _settings(args: argparse.Namespace, served_at: str | None = None) -> Settings:
    return settings_from(args, served_at)


def _publishing(settings: Settings, create: bool = False) -> Any:
    """Publishing on the settings' store; only a command that writes new rows (`create`) may make
    the store's file, so one run in the wrong folder says so rather than leaving an empty store."""
    from feed.core.publishing import Publishing
    from feed.site.config import load_publishers
    from feed.store import open_store

    publishers = load_publishers(settings)  # a bad config file is named before any store is opened
    store = open_store(settings.database_url, create=create)
    return Publishing(store, publishers, settings.base_url, settings.push_targets)


def _on_store(
    command: Callable[[argparse.Namespace, Any], int], create: bool = False
) -> Callable[[argparse.Namespace], int]:
    """A command that works on the store, given the Publishing its settings open."""
    return lambda args: command(args, _publishing(_settings(args), create))


def _print_errors(prefix: str, errors: list[FieldError]) -> None:
    for error in errors:
        print(f"{prefix}{error.field}: {error.message}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    from feed.cli.demo import load_demo
    from feed.ops.metricsdir import use_multiprocess_dir
    from feed.server import files_needed, granian_options, raise_open_files_limit

    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    origin = served_origin(args.host, args.port)
    settings = _settings(args, served_at=origin)
    if base_url_given(args):  # asked before the environment is filled in for the workers, below
        where = f"links use the base URL {settings.base_url}"
    else:
        where = "links follow the address served; set --base-url or FACTCARD_BASE_URL for a public origin"
    options = granian_options(settings)  # refuses impossible limits before anything else
    publishing = _publishing(settings, create=True)  # also checks the settings and migrates the store, once
    if args.demo:
        loaded = load_demo(publishing, utc_now())
        print(f"demo: loaded {loaded} fact-checks" if loaded else "demo: store not empty, nothing loaded", flush=True)
    if publishing.store.search_index_lags():  # a store from before the index, or restored by hand
        print(f"search: indexed {clisearch.reindex(publishing)} fact-checks", flush=True)
    publishing.store.close()
    needed = files_needed(settings, args.workers)
    allowed = raise_open_files_limit(needed)
    if allowed < needed:
        print(
            f"warning: the open files limit is {allowed}, below the {needed} that "
            f"FACTCARD_MAX_CONNECTIONS={settings.max_connections} needs; raise it (ulimit -n, LimitNOFILE)",
            file=sys.stderr, flush=True,
        )  # fmt: skip
    # Workers are separate processes: hand them the resolved settings through the environment.
    for setting in SETTINGS:
        os.environ[setting.env] = str(getattr(settings, setting.name))
    use_multiprocess_dir()  # so a scrape of any worker counts every worker's requests
    print(f"serving on {origin} with {args.workers} worker(s) ({where})", flush=True)
    Granian(
        "feed.server:serving_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",  # type: ignore[arg-type]
        **options,
    ).serve()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from feed.core.documents import UnreadableFile, iter_files

    settings = _settings(args)
    if args.paths:  # files are checked on their own: a store in memory spares opening (or making) one
        settings = replace(settings, database_url="sqlite:///:memory:")
    publishing = _publishing(settings)
    now, checked, problems = utc_now(), 0, 0
    try:
        if args.paths:
            sources = [
                (f"{file.path}[{index}]", document)
                for file in iter_files(args.paths)
                for index, document in enumerate(file.documents)
            ]
        else:
            sources = [(f"store:{r.slug}", r.document) for r in publishing.store.all_records()]
    except UnreadableFile as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    warnings = 0
    for where, document in sources:
        found = publishing.check(document, now)
        checked += 1
        problems += len(found.problems)
        warnings += len(found.warnings)
        _print_errors(f"{where}: ", found.problems)
        _print_errors(f"{where}: warning: ", found.warnings)  # advice: the exit status stays 0
    advice = f", {warnings} warning(s)" if warnings else ""
    print(f"checked {checked} fact-check(s): {problems} problem(s){advice}")
    return 1 if problems else 0


def cmd_token(args: argparse.Namespace) -> int:
    creating = args.token_command in {"create"}
    publishing = _publishing(_settings(args), create=creating)
    commands = {"create": clitokens.create, "list": clitokens.listed, "revoke": clitokens.revoke}
    return commands[args.token_command](args, publishing)


def cmd_user(args: argparse.Namespace) -> int:
    return run_user(args, _settings(args).database_url)


def cmd_backup(args: argparse.Namespace) -> int:
    from feed.ops.backup import BackupError, backup_to
    from feed.store import open_store

    store = open_store(_settings(args).database_url, create=False)
    try:
        counts = backup_to(store, args.file, utc_now())
    except BackupError as exc:
        print(f"error: no backup written: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # `backup - | ...` whose reader stopped: main() ends quietly
    except OSError as exc:
        print(f"error: cannot write {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    # The summary goes to stderr, so `backup -` leaves stdout to the backup itself.
    print(f"backed up to {args.file}: {_counts(counts)}", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from feed.core.representation import verdict_categories
    from feed.ops.backup import BackupError, restore_from
    from feed.site.config import load_publishers
    from feed.store import open_store

    settings = _settings(args)
    publishers = load_publishers(settings)
    store = open_store(settings.database_url)
    try:
        counts = restore_from(store, args.file, lambda document: verdict_categories(publishers, document))
    except BackupError as exc:
        print(f"error: nothing restored: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"restored from {args.file}: {_counts(counts)}")
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {count}" for table, count in counts.items())


def _import_claimreview(args: argparse.Namespace) -> int:
    settings = _settings(args)
    return cliimporting.import_claimreview(args, _publishing(settings, create=True), settings.language)


COMMANDS = {
    "serve": cmd_serve,
    "import": _on_store(clidocuments.import_files, create=True),
    "import-claimreview": _import_claimreview,
    "export": _on_store(clidocuments.export),
    "validate": cmd_validate,
    "update": _on_store(clidocuments.update),
    "publish": _on_store(clidocuments.publish),
    "retract": _on_store(clidocuments.retract),
    "token": cmd_token,
    "user": cmd_user,
    "build": clibuild.cmd_build,
    "nginx-config": clibuild.cmd_nginx_config,
    "redirects": _on_store(cliredirects.cmd_redirects),
    "settings": cmd_settings,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "reindex": _on_store(clisearch.cmd_reindex),
    "mcp": clisearch.cmd_mcp,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            status = _run(argv)
        finally:  # --help too: flushed here, so a reader gone away is caught, not reported at exit
            sys.stdout.flush()
    except BrokenPipeError:
        return reader_gone()
    return status


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except NoStore as exc:
        print(f"error: {exc}; nothing was read or written: run this where the store is, "
              "or name it with DATABASE_URL (--database-url)", file=sys.stderr)  # fmt: skip
        return 1
    except ValidationError as exc:  # e.g. a bad settings file
        print("error: the configuration is invalid:", file=sys.stderr)
        _print_errors("  ", exc.errors)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"error: the database cannot be reached ({exc}); nothing was written", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
