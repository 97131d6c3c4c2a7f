"""The factcard service, in rooms by concern; imports run one way, from the bottom up:

    store      fact-checks, revisions, accounts, tokens, the outbox, the clock (SQLite or PostgreSQL)
    core       settings, the URL scheme, problems, query rules, security policy, the publishing workflow
    render     what every answer goes through: Context, templates, Rendered, HTTP caching, render cache
    ops, push  health, metrics, access log, limits, backup; push notifications from the outbox
    api, assistants   the publishing API and its OpenAPI description; the MCP server for assistants
    site       the public site: one renderer for pages, cards, feeds, badges, share images, DataFeed
    build, desk, importer   the static build; the newsroom's desk; bringing an archive in
    app        the app factory, then server (how `factcard serve` runs it), then cli (`factcard`)

A room imports its own modules and rooms below it, never one above or beside it;
tests/test_rooms.py holds the plan against the code.
"""
