"""A real `factcard serve` process, for tests of the server itself: limits, timeouts, shutdown.

Each runs in its own session, so a test can signal the whole process tree (granian's main
process and its workers) and nothing outlives the test.
"""

from __future__ import annotations

import http.client
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, timeout: float) -> tuple[int, bytes]:
        """One GET on a fresh connection; raises on a timeout."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def pids(self) -> list[int]:
        """The server's main process and its workers."""
        found = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
        return found

    def rss_kib(self) -> int:
        """Resident memory of the whole server (main process and workers), in KiB."""
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:  # a worker that just exited
                continue
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return total


@contextmanager
def serve(
    tmp_path: Path,
    database: Path,
    *flags: str,
    env: dict[str, str] | None = None,
    ready_timeout: float = 30,
    port: int | None = None,
) -> Iterator[Served]:
    """`factcard serve` on `port` (else a free one) over `database`, ready to answer; killed on exit.

    It runs this checkout's code, whatever else is installed.
    """
    port = port or free_port()
    log = tmp_path / f"serve-{port}.log"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **(env or {}), "PYTHONPATH": path}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "feed.cli", "serve", "--port", str(port),
             "--database-url", f"sqlite:///{database}", *flags],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    served = Served(process, port, log)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"factcard serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if served.get("/robots.txt", timeout=5)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield served
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(30)


def allow_open_files(count: int) -> None:
    """Raise this test process's soft limit on open files to `count`, or skip the test."""
    import pytest

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        if hard != resource.RLIM_INFINITY and hard < count:
            pytest.skip(f"needs {count} open files, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))
