"""Versioned schema migrations, applied in order and recorded in schema_migrations.

Never edit a migration that has shipped: add a new one. Each backend fills in the
placeholders (feed.store.sql.SQLBase.migration_sql): `{id}`, its auto-increment primary key
type; `{tag}`, a text type that compares byte by byte (so a range of tags is one index range
whatever the database's collation); `{document_language}`, the `language` of the JSON
document in a row's `document` column; `{document_canonical_url}`, its `originalUrl` when its
`originalIsCanonical` is true (else NULL). A statement that is only `{search_text_schema}` stands
for the backend's statements that make its word index.

A migration only adds (tables, columns, indexes: tests/store/test_backup.py holds it to that). What
a new column holds for rows written before it is filled by the migration's BACKFILLS, which
restore runs too for a backup older than the migration, so the two cannot disagree.
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
    (
        2,
        "feed change log indexes, push outbox, remote page names",
        (
            "CREATE INDEX revisions_by_slug_id ON revisions (slug, id)",
            "CREATE INDEX revisions_by_recorded_at ON revisions (recorded_at)",
            """CREATE TABLE outbox (
                id {id},
                target TEXT NOT NULL,
                action TEXT NOT NULL,
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                created_at TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                claimed_until TEXT,
                delivered_at TEXT,
                failed_at TEXT,
                last_error TEXT
            )""",
            "CREATE INDEX outbox_pending ON outbox (delivered_at, failed_at, next_attempt_at)",
            """CREATE TABLE remote_pages (
                target TEXT NOT NULL,
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                remote_name TEXT NOT NULL,
                PRIMARY KEY (target, slug)
            )""",
        ),
    ),
    (
        3,
        "token scope, expiry and revocation; the actor on each revision; push creates in flight",
        (
            "ALTER TABLE tokens ADD COLUMN publisher TEXT",
            "ALTER TABLE tokens ADD COLUMN expires_at TEXT",
            "ALTER TABLE tokens ADD COLUMN revoked_at TEXT",
            "ALTER TABLE tokens ADD COLUMN last_used_at TEXT",
            # The token's name is copied, so history reads the same whatever becomes of it.
            "ALTER TABLE revisions ADD COLUMN actor_key_id TEXT",
            "ALTER TABLE revisions ADD COLUMN actor_name TEXT",
            # A create sent whose answer never came: the remote page may exist, name unknown.
            """CREATE TABLE remote_creates (
                target TEXT NOT NULL,
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                attempted_at TEXT NOT NULL,
                PRIMARY KEY (target, slug)
            )""",
        ),
    ),
    (
        4,
        "the language of each fact-check and revision, for listings and feeds in one language",
        (
            # The document's BCP 47 tag in lower case: filters compare it as it is.
            "ALTER TABLE factchecks ADD COLUMN language {tag}",
            "ALTER TABLE revisions ADD COLUMN language {tag}",
            # Listings and counts: the status, then one range of tags (see feed.store.sql.language_filter).
            "CREATE INDEX factchecks_by_status_language ON factchecks (status, language, published_at, slug)",
            # Walks: a language's revisions in change order (PostgreSQL takes it for a rare language;
            # SQLite, without statistics, keeps to its walk down the ids, as for the whole feed).
            "CREATE INDEX revisions_by_language_id ON revisions (language, id)",
        ),
    ),
    (
        5,
        "translation links: which fact-checks translate which",
        (
            # `translation` has no foreign key: a fact-check may name a translation not yet written.
            """CREATE TABLE translation_links (
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                translation TEXT NOT NULL,
                PRIMARY KEY (slug, translation)
            )""",
            "CREATE INDEX translation_links_by_translation ON translation_links (translation)",
        ),
    ),
    (
        6,
        "desk accounts and their sign-in sessions",
        (
            # `email` is stored trimmed and in lower case, so UNIQUE holds whatever the spelling.
            """CREATE TABLE users (
                id {id},
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at TEXT NOT NULL,
                disabled_at TEXT,
                password_changed_at TEXT NOT NULL
            )""",
            # `id` is the SHA-256 of the cookie's secret: a copy of the table signs no one in.
            """CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                ended_at TEXT
            )""",
            "CREATE INDEX sessions_by_user ON sessions (user_id, ended_at)",
        ),
    ),
    (
        7,
        "the review of drafts on the desk: submitted, changes asked for",
        (
            """CREATE TABLE review_events (
                id {id},
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                action TEXT NOT NULL,
                note TEXT,
                recorded_at TEXT NOT NULL,
                actor_name TEXT
            )""",
            "CREATE INDEX review_events_by_slug ON review_events (slug, id)",
        ),
    ),
    (
        8,
        "preview links: a draft shown outside the desk until the link expires",
        (
            # `id` is the SHA-256 of the link's secret: a copy of the table opens no preview.
            """CREATE TABLE preview_links (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                created_by TEXT,
                ended_at TEXT
            )""",
            "CREATE INDEX preview_links_by_slug ON preview_links (slug)",
        ),
    ),
    (
        9,
        "API tokens belong to people: the desk account that made one",
        ("ALTER TABLE tokens ADD COLUMN user_id BIGINT",),
    ),
    (
        10,
        "people managed on the desk: one-time set-password links, the accounts' audit trail",
        (
            # `id` is the SHA-256 of the link's secret: a copy of the table sets no password.
            """CREATE TABLE password_links (
                id TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                purpose TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                created_by TEXT,
                used_at TEXT,
                ended_at TEXT
            )""",
            "CREATE INDEX password_links_by_user ON password_links (user_id)",
            """CREATE TABLE account_events (
                id {id},
                user_id BIGINT NOT NULL REFERENCES users (id),
                action TEXT NOT NULL,
                detail TEXT,
                recorded_at TEXT NOT NULL,
                actor_name TEXT
            )""",
            "CREATE INDEX account_events_by_user ON account_events (user_id, id)",
        ),
    ),
    (
        11,
        "imported archives: each original page's fact-check, and the progress of an import run",
        (
            # One row per original article: what the import last wrote for it (the digest of the
            # document it read, and the fact-check's version then: a later version is an edit made
            # here, which a re-import must not overwrite), the URL it was fetched by (a sitemap may
            # list it by another) and the validators for a conditional GET.
            """CREATE TABLE imported_pages (
                source_url TEXT PRIMARY KEY,
                slug TEXT NOT NULL REFERENCES factchecks (slug),
                digest TEXT NOT NULL,
                version INTEGER NOT NULL,
                fetched_url TEXT,
                etag TEXT,
                last_modified TEXT,
                imported_at TEXT NOT NULL
            )""",
            "CREATE INDEX imported_pages_by_slug ON imported_pages (slug)",
            "CREATE INDEX imported_pages_by_fetched_url ON imported_pages (fetched_url)",
            # A run is known by its sources and options (`key`); an unfinished one is resumed.
            """CREATE TABLE import_runs (
                id {id},
                run_key TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT
            )""",
            "CREATE INDEX import_runs_by_key ON import_runs (run_key, id)",
            """CREATE TABLE import_run_pages (
                run_id BIGINT NOT NULL REFERENCES import_runs (id),
                url TEXT NOT NULL,
                outcome TEXT NOT NULL,
                PRIMARY KEY (run_id, url)
            )""",
        ),
    ),
    (
        12,
        "where a fact-check's canonical page is, when it is not here: its original article",
        (
            # NULL: the page here is canonical.
            "ALTER TABLE factchecks ADD COLUMN canonical_url TEXT",
        ),
    ),
    (
        13,
        "the search index: public fact-checks by their words, tags, claimants, authors and verdicts",
        (
            # Derived from factchecks alone (feed.store.search): restore and `factcard reindex`
            # rebuild it, so a backup does not carry it.
            """CREATE TABLE search_documents (
                id {id},
                slug TEXT NOT NULL UNIQUE REFERENCES factchecks (slug),
                status TEXT NOT NULL,
                language {tag},
                publisher TEXT,
                published_at TEXT
            )""",
            "CREATE INDEX search_documents_by_published ON search_documents (published_at, slug)",
            "CREATE INDEX search_documents_by_language ON search_documents (language)",
            """CREATE TABLE search_facets (
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                document_id BIGINT NOT NULL REFERENCES search_documents (id),
                position INTEGER NOT NULL,
                label TEXT NOT NULL,
                category TEXT,
                PRIMARY KEY (kind, key, document_id, position)
            )""",
            "CREATE INDEX search_facets_by_document ON search_facets (document_id)",
            """CREATE TABLE search_vocabulary (
                term {tag} PRIMARY KEY,
                word TEXT NOT NULL,
                documents INTEGER NOT NULL
            )""",
            # get_fact_check by the URL of an original article kept canonical (feed.assistants)
            "CREATE INDEX factchecks_by_canonical_url ON factchecks (canonical_url)",
            # The backend's own word index (SQLBase.search_text_schema): an FTS5 table, or a
            # tsvector column with its GIN index.
            "{search_text_schema}",
        ),
    ),
    (
        14,
        "the home pages' order as an index: a deep page is a walk along it, not a sort of every row",
        (
            # Store.newest's ORDER BY, exactly: without it every page sorted the whole table with
            # its documents (4 s a page at 100,000 fact-checks, and a build writes 5,000 pages).
            "CREATE INDEX factchecks_by_status_listed ON factchecks "
            "(status, (COALESCE(published_at, updated_at)) DESC, slug)",
        ),
    ),
)

# Fills a migration's new columns (or new table) from the rows written before it. Each runs once,
# right after its migration, and again by restore over a backup older than that migration; so
# each touches only rows the column is empty in (`WHERE column IS NULL`), or adds only what is
# not there yet (`WHERE NOT EXISTS`), and reads nothing but the rows themselves.
BACKFILLS: dict[int, tuple[str, ...]] = {
    4: (
        "UPDATE factchecks SET language = lower({document_language}) WHERE language IS NULL",
        "UPDATE revisions SET language = lower({document_language}) WHERE language IS NULL",
    ),
    5: (
        "INSERT INTO translation_links (slug, translation) SELECT f.slug, t.value "
        "FROM factchecks f, {document_translations} "
        "WHERE NOT EXISTS (SELECT 1 FROM translation_links l WHERE l.slug = f.slug)",
    ),
    12: ("UPDATE factchecks SET canonical_url = {document_canonical_url} WHERE canonical_url IS NULL",),
}
