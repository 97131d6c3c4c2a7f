"""`factcard user create|reset|disable|list`: desk accounts, from the command line.

A password is read from --password-file (its first line), else asked for twice on a terminal,
else read from the first line of standard input (for scripts), and never taken as an argument,
where it would show in the process list and the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from feed.desk.accounts import CLI_ACTOR, AccountError, create_user, disable_user, reset_password
from feed.store import ROLES, DuplicateEmail, Store, open_store
from feed.store.clock import rfc3339, store_time, utc_now


def add_user_commands(commands: Any, parent: argparse.ArgumentParser) -> None:
    user = commands.add_parser("user", parents=[parent], help="manage the accounts that sign in to the desk")
    user_commands = user.add_subparsers(dest="user_command", required=True)

    create = user_commands.add_parser("create", parents=[parent], help="make an account")
    create.add_argument("email", metavar="EMAIL", help="the address the person signs in with")
    create.add_argument("--name", required=True, help="the person's name, as colleagues know them")
    create.add_argument("--role", required=True, choices=ROLES, help="writer, editor or admin")
    _password_option(create)

    reset = user_commands.add_parser(
        "reset", parents=[parent], help="give an account a new password and sign it out everywhere"
    )
    reset.add_argument("email", metavar="EMAIL")
    _password_option(reset)

    disable = user_commands.add_parser(
        "disable", parents=[parent], help="stop an account from signing in and sign it out everywhere, at once"
    )
    disable.add_argument("email", metavar="EMAIL")
    user_commands.add_parser("list", parents=[parent], help="list accounts with their role and state")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-file", metavar="FILE",
        help="read the password from the first line of FILE (default: ask on a terminal, else read stdin)",
    )  # fmt: skip


def read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as file:
                return file.readline().rstrip("\r\n")
        except OSError as exc:
            raise AccountError(f"cannot read {args.password_file}: {exc.strerror or exc}") from None
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_user(args: argparse.Namespace, database_url: str) -> int:
    commands = {"create": _create, "reset": _reset, "disable": _disable, "list": _list}
    store = open_store(database_url, create=args.user_command == "create")  # the first admin makes the store
    try:
        return commands[args.user_command](args, store)
    except DuplicateEmail as exc:
        print(f"error: an account with the email {str(exc)!r} exists already", file=sys.stderr)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
    finally:
        store.close()
    return 1


def _create(args: argparse.Namespace, store: Store) -> int:
    user = create_user(store, args.email, args.name, args.role, read_password(args), utc_now(), CLI_ACTOR)
    print(f"account {user.email} ({user.name}, {user.role}) created; it can sign in at the desk now")
    return 0


def _reset(args: argparse.Namespace, store: Store) -> int:
    ended = reset_password(store, args.email, read_password(args), utc_now(), CLI_ACTOR)
    print(f"password of {args.email.strip().lower()} changed; {ended} session(s) signed out")
    return 0


def _disable(args: argparse.Namespace, store: Store) -> int:
    ended = disable_user(store, args.email, utc_now(), CLI_ACTOR)
    print(f"account {args.email.strip().lower()} disabled; {ended} session(s) signed out")
    return 0


def _list(args: argparse.Namespace, store: Store) -> int:
    rows = [("EMAIL", "NAME", "ROLE", "CREATED", "PASSWORD SET", "STATE")]
    for user in store.users():
        state = f"disabled {_when(user.disabled_at)}" if user.disabled_at else "active"
        rows.append((user.email, user.name, user.role, _when(user.created_at), _when(user.password_changed_at), state))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _when(value: str | None) -> str:
    return rfc3339(store_time(value)) if value else "-"
