"""Desk accounts and sessions in the store, on SQLite and PostgreSQL; the password rules; the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from feed.desk.accounts import (
    ABSOLUTE,
    IDLE,
    MAX_PASSWORD,
    AccountError,
    authenticate,
    create_user,
    current_session,
    disable_user,
    reset_password,
    start_session,
)
from feed.store import DuplicateEmail, Store, open_store

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


def test_an_account_is_stored_with_a_lower_case_email_and_an_argon2_hash(store: Store) -> None:
    user = create_user(store, "  Ana.Silva@Example.ORG ", "Ana Silva", "editor", PASSWORD, NOW)
    assert (user.email, user.name, user.role) == ("ana.silva@example.org", "Ana Silva", "editor")
    assert user.disabled_at is None
    found = store.find_user("ana.silva@example.org")
    assert found is not None
    assert found[1].startswith("$argon2id$") and PASSWORD not in found[1]
    with pytest.raises(DuplicateEmail):
        create_user(store, "ANA.SILVA@example.org", "Another Ana", "writer", PASSWORD, NOW)
    assert authenticate(store, "Ana.Silva@example.org", PASSWORD) == user
    assert authenticate(store, "ana.silva@example.org", PASSWORD + "x") is None
    assert authenticate(store, "nobody@example.org", PASSWORD) is None


@pytest.mark.parametrize(
    ("email", "name", "role", "password", "problem"),
    [
        ("a@example.org", "A", "writer", "short", "too short"),
        ("a@example.org", "A", "writer", "x" * (MAX_PASSWORD + 1), "too long"),
        ("a@example.org", "A", "writer", " " * 20, "only spaces"),
        ("a@example.org", "A", "boss", PASSWORD, "not one of writer, editor, admin"),
        ("not an address", "A", "writer", PASSWORD, "not an email address"),
        ("a@example.org", " ", "writer", PASSWORD, "needs a name"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    tmp_path: Path, email: str, name: str, role: str, password: str, problem: str
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(AccountError, match=problem):
        create_user(store, email, name, role, password, NOW)
    assert store.users() == []


def test_a_huge_password_is_refused_before_hashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    create_user(store, "a@example.org", "A", "writer", PASSWORD, NOW)
    seen: list[int] = []
    verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hashed: str, password: str | bytes) -> bool:
        seen.append(len(password))
        return verify(self, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    assert authenticate(store, "a@example.org", "x" * 10_000_000) is None
    assert authenticate(store, "b@example.org", "x" * 10_000_000) is None
    assert seen and max(seen) <= MAX_PASSWORD


def test_an_old_hash_is_replaced_at_sign_in(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    user = create_user(store, "a@example.org", "A", "writer", PASSWORD, NOW)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    store.rehash_password(user.id, weak)
    assert authenticate(store, "a@example.org", PASSWORD) == user
    found = store.find_user("a@example.org")
    assert found is not None and found[1] != weak and not PasswordHasher().check_needs_rehash(found[1])
    assert authenticate(store, "a@example.org", PASSWORD) == user


def test_sessions_expire_when_idle_and_at_their_absolute_end(store: Store) -> None:
    user = create_user(store, "a@example.org", "A", "writer", PASSWORD, NOW)
    secret = start_session(store, user, NOW)
    assert current_session(store, secret, NOW) is not None
    assert current_session(store, secret, NOW + IDLE) is None  # idle too long
    # Used every few hours, it lives until its absolute end and not a moment past.
    moment = NOW
    while moment + timedelta(hours=6) < NOW + ABSOLUTE:
        moment += timedelta(hours=6)
        assert current_session(store, secret, moment) is not None, moment
    assert current_session(store, secret, NOW + ABSOLUTE) is None
    assert current_session(store, "not-a-session", NOW) is None
    stored = store._query("SELECT id FROM sessions")
    assert stored and secret not in {row[0] for row in stored}  # only its hash is kept


def test_reset_and_disable_end_every_session_at_once(store: Store) -> None:
    ana = create_user(store, "ana@example.org", "Ana", "editor", PASSWORD, NOW)
    ben = create_user(store, "ben@example.org", "Ben", "writer", PASSWORD, NOW)
    first, second, bens = start_session(store, ana, NOW), start_session(store, ana, NOW), start_session(store, ben, NOW)
    assert reset_password(store, "ANA@example.org", "a brand new passphrase", NOW) == 2
    assert current_session(store, first, NOW) is None and current_session(store, second, NOW) is None
    assert current_session(store, bens, NOW) is not None
    assert authenticate(store, "ana@example.org", PASSWORD) is None
    assert authenticate(store, "ana@example.org", "a brand new passphrase") is not None
    assert disable_user(store, "ben@example.org", NOW) == 1
    assert current_session(store, bens, NOW) is None
    assert authenticate(store, "ben@example.org", PASSWORD) is None  # the right password, but disabled
    with pytest.raises(AccountError, match="no account"):
        disable_user(store, "carla@example.org", NOW)


# -- the command line ------------------------------------------------------------


def user_cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feed.cli", "user", *args, "--database-url", database_url],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_user_create_reset_disable_and_list_from_the_cli(database_url: str, tmp_path: Path) -> None:
    created = user_cli(database_url, "create", "Ana@Example.org", "--name", "Ana Silva", "--role", "admin",
                       stdin=PASSWORD + "\n")  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "ana@example.org" in created.stdout
    store = open_store(database_url)
    try:
        user = authenticate(store, "ana@example.org", PASSWORD)
        assert user is not None and user.role == "admin"
        secret = start_session(store, user, datetime.now(UTC))

        duplicate = user_cli(database_url, "create", "ana@example.org", "--name", "Ana", "--role", "writer",
                             stdin=PASSWORD + "\n")  # fmt: skip
        assert duplicate.returncode == 1 and "error: an account with the email" in duplicate.stderr
        weak = user_cli(database_url, "create", "ben@example.org", "--name", "Ben", "--role", "writer",
                        stdin="short\n")  # fmt: skip
        assert weak.returncode == 1 and "error: the password is too short" in weak.stderr
        bad_role = user_cli(database_url, "create", "ben@example.org", "--name", "Ben", "--role", "boss")
        assert bad_role.returncode != 0 and "invalid choice" in bad_role.stderr

        password_file = tmp_path / "password"
        password_file.write_text("another long passphrase\n")
        reset = user_cli(database_url, "reset", "ana@example.org", "--password-file", str(password_file))
        assert reset.returncode == 0 and "1 session(s) signed out" in reset.stdout
        assert current_session(store, secret, datetime.now(UTC)) is None
        assert authenticate(store, "ana@example.org", "another long passphrase") is not None
        unknown = user_cli(database_url, "reset", "nobody@example.org", stdin=PASSWORD + "\n")
        assert unknown.returncode == 1 and "error: no account has the email 'nobody@example.org'" in unknown.stderr

        user_cli(database_url, "create", "ben@example.org", "--name", "Ben Okafor", "--role", "writer",
                 stdin=PASSWORD + "\n")  # fmt: skip
        bens = start_session(store, authenticate(store, "ben@example.org", PASSWORD) or user, datetime.now(UTC))
        disabled = user_cli(database_url, "disable", "ben@example.org")
        assert disabled.returncode == 0 and "1 session(s) signed out" in disabled.stdout
        assert current_session(store, bens, datetime.now(UTC)) is None
        assert user_cli(database_url, "disable", "nobody@example.org").returncode == 1

        listing = user_cli(database_url, "list").stdout.splitlines()
        assert listing[0].split() == ["EMAIL", "NAME", "ROLE", "CREATED", "PASSWORD", "SET", "STATE"]
        assert listing[1].startswith("ana@example.org") and "admin" in listing[1] and listing[1].endswith("active")
        assert listing[2].startswith("ben@example.org") and "Ben Okafor" in listing[2] and "disabled" in listing[2]
        assert PASSWORD not in "\n".join(listing)
    finally:
        store.close()
