"""Assistants: the read-only MCP server that lets an assistant search the archive and cite it.

`tools` is what the tools and resources answer (plain functions over a store, the publishers
and the URL scheme, testable without MCP); `server` registers them on the SDK's server, which
`http` serves at /mcp on the running site and `factcard mcp` over stdio. Only what readers can
see is ever given: published fact-checks, and retracted ones as retracted; never a draft.

May import: schemas, feed.store, feed.core, feed.ops (the rate limits /mcp shares).
"""
