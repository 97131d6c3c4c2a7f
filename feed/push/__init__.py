"""Push notifications on publish, update and retract: WebSub, IndexNow, Fact Check Tools.

Changes write outbox rows in their own transaction (feed.store.outbox); the worker here
delivers them with retries and backoff, so the publishing request never waits on a
remote service and nothing is lost while one is down.

May import: schemas, feed.store, feed.core.
"""
