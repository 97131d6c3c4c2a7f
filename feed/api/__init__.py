"""The publishing API (JSON over HTTP: public reads, token-held writes) and its OpenAPI description;
Google Fact Check Tools' claims:search, answered for this archive (claimsearch, pagetokens, googleerrors).

May import: schemas, feed.store, feed.core, feed.render, feed.ops.
"""
