"""Versioned schema migrations, applied in order and recorded in schema_migrations.

Never edit a migration that has shipped: add a new one. `{id}` stands for the
backend's auto-increment primary key type.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "fact-checks, their revisions, API tokens",
        (
            """CREATE TABLE factchecks (
                slug TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                document TEXT NOT NULL,
                published_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX factchecks_by_status_published ON factchecks (status, published_at, slug)",
            """CREATE TABLE revisions (
                id {id},
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                document TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                UNIQUE (slug, version)
            )""",
            """CREATE TABLE tokens (
                key_id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ),
    ),
)
