"""The publishing API (JSON over HTTP: public reads, token-held writes) and its OpenAPI description.

May import: schemas, feed.store, feed.core, feed.render, feed.ops.
"""
