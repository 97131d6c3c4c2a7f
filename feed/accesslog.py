"""The access log: one JSON line per request, written by a background thread.

A request only puts a record on an in-memory queue (logging's QueueHandler); a
QueueListener thread turns it into JSON and writes it, so no request ever waits on a
disk, a pipe or a terminal. The records go through the `factcard.access` logger, so an
operator's own logging configuration may add handlers of its own to it.
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import orjson

LOGGER = "factcard.access"
OFF = ("", "off", "none")


class JSONLines(logging.Formatter):
    """A record whose message is a dict of fields, as one JSON object (with its time first)."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        return orjson.dumps({"time": moment.replace("+00:00", "Z"), **fields}).decode()


class StandardStream(logging.Handler):
    """Writes to sys.stderr or sys.stdout as they are when each line is written (not when
    the handler was made), so a replaced stream is followed rather than written after close."""

    def __init__(self, name: str):
        super().__init__()
        self.stream_name = name

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = getattr(sys, self.stream_name)
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


class _Enqueue(logging.handlers.QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # The listener formats it: the request thread does no formatting work at all.
        return record


def destination_handler(destination: str) -> logging.Handler:
    if destination in ("stderr", "stdout"):
        handler: logging.Handler = StandardStream(destination)
    else:
        handler = logging.FileHandler(destination, encoding="utf-8", delay=True)
    handler.setFormatter(JSONLines())
    return handler


class AccessLog:
    """Started by the app's lifespan (or by its first line), stopped, with every line
    written out, when the app shuts down."""

    def __init__(self, destination: str, handler: logging.Handler | None = None):
        self.enabled = destination.strip().lower() not in OFF
        self.queue: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        self.enqueue = _Enqueue(self.queue)
        self.handler = handler or (destination_handler(destination) if self.enabled else None)
        self.listener: logging.handlers.QueueListener | None = None
        self.lock = threading.Lock()
        self.logger = logging.getLogger(LOGGER)
        if self.logger.level == logging.NOTSET:
            # Not the root logger's WARNING: these lines are INFO, and wanted unless turned off.
            self.logger.setLevel(logging.INFO)

    def start(self) -> None:
        with self.lock:
            if self.listener is None and self.handler is not None:
                # respect_handler_level: an operator may raise this logger's level to silence it.
                self.listener = logging.handlers.QueueListener(self.queue, self.handler, respect_handler_level=True)
                self.listener.start()

    def stop(self) -> None:
        """Write out what is queued and end the thread."""
        with self.lock:
            listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop()
        if self.handler is not None:
            self.handler.close()

    def write(self, fields: dict[str, Any]) -> None:
        """Queue one line; never blocks on I/O."""
        if not self.enabled or not self.logger.isEnabledFor(logging.INFO):
            return
        if self.listener is None:
            self.start()
        record = logging.LogRecord(LOGGER, logging.INFO, __file__, 0, fields, None, None)
        self.enqueue.handle(record)
        if self.logger.handlers:  # an operator's own handlers on the logger
            self.logger.handle(record)
