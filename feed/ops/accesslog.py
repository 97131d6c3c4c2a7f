"""The access log: one JSON line per request, written by a background thread.

A request puts its fields, as a tuple, on an in-memory queue; a writer thread turns them
into JSON lines and writes what has queued up in one go, so no request ever waits on a disk,
a pipe or a terminal, and the event loop spends well under a microsecond per line. While
requests come in, the writer wakes at most every WAIT seconds, not once per line. (The
logging module's QueueHandler was tried first: building a LogRecord alone takes longer than
the fast path's whole answer to a cached request.) If the writer falls behind by MAX_QUEUED
lines, further lines are dropped, and counted in a line of their own, rather than letting
memory grow.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

OFF = ("", "off", "none")
MAX_QUEUED = 100_000
WAIT = 0.1  # seconds a line may wait for others to be written with it
# Lines made between pauses. The writer holds the interpreter lock while it makes lines, and a
# thread that wants the lock waits up to sys.getswitchinterval() (5 ms) before it is handed
# over: a batch made in one go (2,000 lines at 20,000 requests/s, 3 ms) would hold up every
# request in flight. A pause after each CHUNK lines (about 0.3 ms of work) lets the event
# loop in sooner.
CHUNK = 200
PAUSE = 0.0001
# A request as queued: (time.time() at its end, method, path, query string as sent, route,
# status, bytes, seconds taken, client, cache state).
Request = tuple[float, str, str, bytes, str | None, int, int, float, str, str | None]


class Sink(Protocol):
    def write(self, data: bytes) -> Any: ...
    def close(self) -> None: ...


class StandardStream:
    """sys.stderr or sys.stdout as it is when the log starts (whatever replaced it then)."""

    def __init__(self, name: str):
        self.stream = getattr(sys, name)

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode())
        self.stream.flush()

    def close(self) -> None:
        pass


class AppendedFile:
    def __init__(self, path: str):
        self.file = open(path, "ab")  # kept open for the writer thread's life

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def open_destination(destination: str) -> Sink:
    """stderr, stdout or a file (appended to)."""
    return StandardStream(destination) if destination in ("stderr", "stdout") else AppendedFile(destination)


class Clock:
    """RFC 3339 UTC times to the millisecond; the date and time part made once a second."""

    def __init__(self) -> None:
        self.second, self.prefix = -1, ""

    def format(self, moment: float) -> str:
        second = int(moment)
        if second != self.second:
            self.second = second
            self.prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self.prefix}.{int((moment - second) * 1000):03d}Z"


class AccessLog:
    """Started by the app's lifespan; stopped, with every queued line written out, when the
    app shuts down. Requests served outside that span (an app run without lifespan events)
    are not logged."""

    def __init__(self, destination: str):
        self.destination = destination.strip()
        self.enabled = self.destination.lower() not in OFF
        self.open_sink: Callable[[], Sink] = lambda: open_destination(self.destination)
        self.queue: queue.SimpleQueue[bytes | Request | None] = queue.SimpleQueue()
        self.clock = Clock()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.dropped = 0

    def start(self) -> None:
        with self.lock:
            if self.enabled and self.thread is None:
                self.thread = threading.Thread(target=self._run, name="factcard-access-log", daemon=True)
                self.thread.start()

    def stop(self) -> None:
        """Write out what is queued and end the thread."""
        with self.lock:
            thread, self.thread = self.thread, None
        if thread is not None:
            self.queue.put(None)
            thread.join(30)

    def write(self, fields: dict[str, Any]) -> None:
        """Queue one line (its time is now); never blocks. Called on the event loop's thread."""
        if self.thread is None:  # off, or not running
            return
        if self.queue.qsize() >= MAX_QUEUED:
            self.dropped += 1
            return
        # Made into bytes here, a microsecond, so the writer thread holds the GIL only to write.
        self.queue.put(orjson.dumps({"time": self.clock.format(time.time()), **fields}))

    def request(
        self, method: str, path: str, query: bytes, route: str | None, status: int, size: int, seconds: float,
        client: str, cache: str | None,
    ) -> None:  # fmt: skip
        """Queue the line of one request that ended now; the writer thread makes it JSON (see
        `request_line`). Never blocks. Called on the event loop's thread."""
        if self.thread is None:  # off, or not running
            return
        if self.queue.qsize() >= MAX_QUEUED:
            self.dropped += 1
            return
        self.queue.put((time.time(), method, path, query, route, status, size, seconds, client, cache))

    def _run(self) -> None:
        try:
            sink = self.open_sink()
        except OSError as exc:
            print(f"factcard: cannot write the access log to {self.destination}: {exc}", file=sys.stderr)
            return
        failing = False
        writer = LineWriter()  # the writer thread's own (self.clock is the event loop's)
        while True:
            item = self.queue.get()  # idle until a line comes
            if item is not None:
                time.sleep(WAIT)  # let the lines of the next moment queue up behind it
            lines: list[bytes] = []
            while item is not None:
                lines.append(writer.line(item) if isinstance(item, tuple) else item)
                if len(lines) % CHUNK == 0:
                    time.sleep(PAUSE)  # the event loop takes the interpreter lock meanwhile
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
            if self.dropped:
                dropped, self.dropped = self.dropped, 0
                lines.append(orjson.dumps({"time": Clock().format(time.time()), "dropped": dropped}))
            try:
                if lines:
                    sink.write(b"\n".join(lines) + b"\n")
                failing = False
            except (OSError, ValueError) as exc:  # a full disk, a closed stream: go on, say so once
                if not failing:
                    print(f"factcard: access log lines lost: {exc}", file=sys.stderr)
                failing = True
            if item is None:
                sink.close()
                return


def milliseconds(seconds: float) -> float:
    """Milliseconds to the microsecond (round(x, 3) takes three times as long)."""
    return round(seconds * 1_000_000) / 1000


def request_line(clock: Clock, queued: Request) -> bytes:
    """The JSON line of a request queued by AccessLog.request."""
    moment, method, path, query, route, status, size, seconds, client, cache = queued
    return orjson.dumps({
        "time": clock.format(moment), "method": method, "path": path, "query": query.decode("latin-1"),
        "route": route, "status": status, "bytes": size, "duration_ms": milliseconds(seconds),
        "client": client, "cache": cache,
    })  # fmt: skip


class LineWriter:
    """request_line, byte for byte, at a fraction of the cost: a busy server's lines repeat
    their method, path, query, route, status, size, client and cache state, so the JSON of those
    parts is made once (for at most MAX_PARTS different ones), and that of the time once a second;
    each line then adds the milliseconds and the duration. The writer thread spends far less
    time holding the interpreter lock the event loop needs."""

    MAX_PARTS = 4096

    def __init__(self) -> None:
        self.second, self.opening = -1, b""
        # Everything from the time's end to the duration's start, and from the duration's end on.
        self.middles: dict[tuple[str, str, bytes, str | None, int, int], bytes] = {}
        self.ends: dict[tuple[str, str | None], bytes] = {}

    def line(self, queued: Request) -> bytes:
        moment, method, path, query, route, status, size, seconds, client, cache = queued
        middle = self.middles.get((method, path, query, route, status, size))
        if middle is None:
            if len(self.middles) >= self.MAX_PARTS:
                self.middles.clear()
            head = orjson.dumps({"method": method, "path": path, "query": query.decode("latin-1"), "route": route})
            middle = self.middles[(method, path, query, route, status, size)] = (
                b'Z",%s,"status":%d,"bytes":%d,"duration_ms":' % (head[1:-1], status, size)
            )
        end = self.ends.get((client, cache))
        if end is None:
            if len(self.ends) >= self.MAX_PARTS:
                self.ends.clear()
            end = self.ends[(client, cache)] = b",%s}" % orjson.dumps({"client": client, "cache": cache})[1:-1]
        second = int(moment)
        if second != self.second:
            self.second = second
            self.opening = b'{"time":"%s.' % datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S").encode()
        duration = orjson.dumps(milliseconds(seconds))
        return b"%s%03d%s%s%s" % (self.opening, int((moment - second) * 1000), middle, duration, end)
