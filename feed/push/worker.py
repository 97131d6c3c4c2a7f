"""Delivers outbox notifications: one attempt per due row, then retry with backoff or give up.

Outcomes: 2xx delivered; 408, 429, 5xx, timeouts and connection errors retried after
30 s, 60 s, 120 s ... (capped at an hour) until `push_max_attempts`; any other 4xx is
permanent (the request itself is wrong) and marked failed at once, with the error kept.

Rows are claimed one at a time with a one-minute lease, renewed before each request,
so a worker killed mid-delivery holds back no other row, and its own for a minute at most.
A Fact Check Tools create is recorded before it is sent; if its answer is lost, the next
delivery for that fact-check looks the page up by URL and updates (or deletes) it, so a
timeout never leaves a second, orphaned page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from feed.core.settings import Settings
from feed.core.urls import Urls
from feed.push.targets import (
    Outbound,
    factcheck_tools_lookup,
    factcheck_tools_request,
    found_page_name,
    indexnow_ping,
    markup_page,
    websub_ping,
)
from feed.store import Notification, Store
from feed.store.clock import stamp, utc_now
from schemas.claimreview import canonical_url
from schemas.model import FactCheck, load_factcheck
from schemas.publisher import Publisher

log = logging.getLogger("factcard.push")

LEASE = timedelta(minutes=1)  # renewed before each request, so it need only outlast one (10 s timeouts)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
TIMEOUT = httpx.Timeout(10.0)


class Permanent(Exception):
    """A failure that retrying cannot fix."""


class Retryable(Exception):
    pass


class LeaseLost(Exception):
    """The lease ran out and another worker claimed the row: this one stops and records nothing."""


Clock = Callable[[], datetime]


def running_from(start: datetime) -> Clock:
    """A clock that reads `start`, then moves on with real elapsed time (tests pass a `start`)."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try, after `attempts` failed ones."""
    doublings = min(max(0, attempts - 1), 16)  # past the cap anyway; keeps the factor small
    delay: timedelta = BASE_DELAY * (2**doublings)
    return min(MAX_DELAY, delay)


class Deliverer:
    def __init__(self, store: Store, settings: Settings, publishers: dict[str, Publisher], client: httpx.Client):
        self.store, self.settings, self.publishers, self.client = store, settings, publishers, client
        self._clock: Clock = utc_now
        self._lease: tuple[int, str] | None = None  # (row id, claimed until) while delivering it

    def deliver_due(self, now: datetime | None = None, limit: int = 20) -> int:
        """Attempt up to `limit` due notifications once each; returns how many were attempted.

        Each row is claimed just before its attempt, so rows not yet attempted stay free
        for other workers whatever happens to this one.
        """
        self._clock = running_from(now) if now is not None else utc_now
        attempted = 0
        while attempted < limit:
            at = self._clock()
            until = stamp(at + LEASE)
            due = self.store.claim_due(stamp(at), until, 1)
            if not due:
                break
            self._lease = (due[0].id, until)
            try:
                self._attempt(due[0], at)
            finally:
                self._lease = None
            attempted += 1
        return attempted

    def _keep_lease(self) -> None:
        """Renew the lease before a request, so a slow delivery keeps it and a dead worker's lapses soon."""
        if self._lease is None:
            return
        notification_id, held_until = self._lease
        until = stamp(self._clock() + LEASE)
        if not self.store.renew_lease(notification_id, held_until, until):
            raise LeaseLost(f"the lease on outbox row {notification_id} ran out")
        self._lease = (notification_id, until)

    def _attempt(self, notification: Notification, now: datetime) -> None:
        attempts = notification.attempts + 1
        try:
            self._deliver(notification, now)
        except LeaseLost as exc:
            log.warning("push %s %s %s: %s; left to the worker that holds it", notification.target,
                        notification.action, notification.slug, exc)  # fmt: skip
        except Permanent as exc:
            log.warning("push %s %s %s failed for good: %s", notification.target, notification.action,
                        notification.slug, exc)  # fmt: skip
            self.store.mark_failed(notification.id, str(exc), stamp(now))
        except Exception as exc:  # Retryable, or anything unforeseen: it must not block the queue
            reason = str(exc) if isinstance(exc, Retryable) else f"unexpected {exc!r}"
            if attempts >= self.settings.push_max_attempts:
                self.store.mark_failed(notification.id, f"gave up after {attempts} attempts: {reason}", stamp(now))
            else:
                self.store.mark_retry(notification.id, reason, stamp(now + backoff(attempts)))
        else:
            self.store.mark_delivered(notification.id, stamp(now))

    def _deliver(self, notification: Notification, now: datetime) -> None:
        record = self.store.get(notification.slug)
        if record is None:
            raise Permanent(f"no fact-check {notification.slug!r}")
        fc = load_factcheck(record.document)  # validated when it was written
        page_url = Urls(self.settings.base_url).check(fc.slug)
        if notification.target == "websub":
            self._send(websub_ping(self.settings))
        elif notification.target == "indexnow":
            # Our page, even when the original article stays canonical: it changed, and our key
            # vouches for our host only. Crawlers that fetch it find the canonical link.
            self._send(indexnow_ping(self.settings, page_url))
        elif notification.target == "factcheck-tools":
            self._sync_markup_page(fc, page_url, now)
        else:
            raise Permanent(f"unknown push target {notification.target!r}")

    def _sync_markup_page(self, fc: FactCheck, page_url: str, now: datetime) -> None:
        """Create, update or delete the fact-check's one Fact Check Tools markup page: the page of
        its canonical URL (the original article, when that stays canonical; `page_url` is ours)."""
        target = "factcheck-tools"
        remote = self.store.remote_name(target, fc.slug)
        if remote is None and self.store.create_attempted(target, fc.slug):
            # An earlier create got no answer, but may have made the page: find it by URL.
            lookup = factcheck_tools_lookup(self.settings, canonical_url(fc, page_url))
            remote = found_page_name(_json(self._send(lookup)))
            if remote is None:
                self.store.forget_create_attempt(target, fc.slug)
            else:
                self.store.set_remote_name(target, fc.slug, remote)
        page = markup_page(fc, self.publishers[fc.publisher], page_url) if fc.status == "published" else None
        outbound = factcheck_tools_request(self.settings, remote, page)
        if outbound is None:
            return
        if outbound.method == "POST":
            self.store.note_create_attempt(target, fc.slug, stamp(now))
        response = self._send(outbound)
        if outbound.method == "POST":
            name = _json(response).get("name")
            if not isinstance(name, str) or not name.startswith("pages/"):
                raise Permanent("create answered without a page name")
            self.store.set_remote_name(target, fc.slug, name)
        elif outbound.method == "DELETE":
            self.store.set_remote_name(target, fc.slug, None)

    def _send(self, outbound: Outbound) -> httpx.Response:
        self._keep_lease()
        try:
            headers, content = dict(outbound.headers), None
            if outbound.form is not None:  # repeated keys (hub.url) need an encoded body
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                content = urlencode(outbound.form).encode()
            response = self.client.request(
                outbound.method, outbound.url, json=outbound.json, content=content, headers=headers, timeout=TIMEOUT
            )
        except httpx.TimeoutException as exc:
            raise Retryable(f"timed out: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise Retryable(f"could not connect: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise Retryable(f"failed: {exc!r}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        detail = f"{outbound.method} {outbound.url} answered {status}: {response.text[:200]}"
        if status in (408, 425, 429) or status >= 500:
            raise Retryable(detail)
        raise Permanent(detail)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class PushWorker:
    """A background thread that delivers due notifications every `interval` seconds."""

    def __init__(self, make_deliverer: Callable[[], Deliverer], interval: float = 1.0):
        self.make_deliverer, self.interval = make_deliverer, interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="factcard-push", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=15)

    def _run(self) -> None:
        deliverer = self.make_deliverer()
        try:
            while not self.stopping.is_set():
                try:
                    attempted = deliverer.deliver_due()
                except Exception:  # keep the worker alive through a database hiccup
                    log.exception("push worker pass failed")
                    attempted = 0
                if not attempted:
                    self.stopping.wait(self.interval)
        finally:
            deliverer.client.close()
