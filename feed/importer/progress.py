"""The progress line of a long import on a terminal: pages done, pages per second, pages left."""

from __future__ import annotations

import time
from typing import Protocol, TextIO


class Steps(Protocol):
    """What a run tells about its progress: a page done, and the end."""

    def step(self) -> None: ...

    def close(self) -> None: ...


class Progress:
    """Redraws one line on `stream` when it is a terminal; silent otherwise (logs, pipes, tests)."""

    def __init__(self, total: int, stream: TextIO, every: float = 0.2):
        self.total, self.done = total, 0
        self._stream = stream
        self._on = stream.isatty()
        self._clock = time.monotonic
        self._start = self._clock()
        self._every, self._drawn = every, 0.0

    def step(self) -> None:
        self.done += 1
        now = self._clock()
        if self._on and (now - self._drawn >= self._every or self.done == self.total):
            self._drawn = now
            self._stream.write("\r" + self.line(now - self._start) + "\x1b[K")
            self._stream.flush()

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        width = 24
        filled = width * self.done // self.total if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        return f"[{bar}] {self.done}/{self.total} pages, {rate:.1f}/s, {self.total - self.done} left"

    def close(self) -> None:
        if self._on:
            self._stream.write("\n")
            self._stream.flush()
