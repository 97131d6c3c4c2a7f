"""Soak: mixed reads and writes for ten minutes on PostgreSQL, through a database restart, a
kill -9 of one app server and a slowloris of 2,000 connections.

    python3 -m bench.soak                     # 10 minutes, 256 connections
    python3 -m bench.soak --minutes 2         # a quicker look

Starts its own PostgreSQL cluster (initdb in a temporary folder, as the `postgres` user when
run as root) and two app servers (`factcard serve --workers 2`) on one database, the way two
machines behind a load balancer share it. Readers keep `--connections` keep-alive connections
busy on pages, cards, feeds and oEmbed, half on each server; writers create, publish and edit
fact-checks through the API on both servers and remember every write that was acknowledged.
At a quarter of the run a slowloris opens `--slowloris` connections to server A and trickles
header bytes into them for a third of the run; at 35 % PostgreSQL is restarted
(`pg_ctl restart -m fast`); at 65 % server B is killed with SIGKILL and started again.

It reports requests served, errors by cause (while the database restarted, while server B was
down, and any other: there should be none), acknowledged writes lost (read back from the
revisions table: there should be none), the memory of server A's workers at the start and the
end, and how long each outage took to heal. A benchmark, run by hand, never a test: it loads
only 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from bench.feeds import free_port, memory_kib
from bench.generate import document, generate

HOST = "127.0.0.1"
TIMEOUT = 15.0  # seconds one request may take before it counts as an error
IN_FLIGHT = 2.0  # seconds around an outage whose failed requests are put down to it


# -- PostgreSQL and the app servers ---------------------------------------------------------------


def pg_binary(name: str) -> str:
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = shutil.which(name) or (str(installed[0]) if installed else None)
    if not found:
        sys.exit(f"soak needs PostgreSQL's {name} (Debian package postgresql)")
    return str(found)


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.data = root / "data"
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(as_postgres([pg_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]),
                       check=True, capture_output=True)  # fmt: skip
        self.options = f"-p {self.port} -k {root} -c listen_addresses={HOST} -c max_connections=200"
        self.ctl("start")
        self.url = f"postgresql://postgres@{HOST}:{self.port}/postgres"

    def ctl(self, action: str, *extra: str) -> None:
        command = [pg_binary("pg_ctl"), "-D", str(self.data), "-o", self.options, "-l", str(self.root / "log"), "-w",
                   *extra, action]  # fmt: skip
        subprocess.run(as_postgres(command), check=True, capture_output=True)


class AppServer:
    def __init__(self, name: str, port: int, database_url: str, base_url: str, log: Path):
        self.name, self.port, self.log = name, port, log
        self.command = [sys.executable, "-m", "feed.cli", "serve", "--port", str(port), "--workers", "2",
                        "--database-url", database_url, "--base-url", base_url]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Rate limits would refuse the soak's own writers, and an access log line per request
        # would only fill the log: both are off here.
        env = os.environ | {
            "FACTCARD_WRITES_PER_MINUTE_PER_TOKEN": "0", "FACTCARD_WRITES_PER_MINUTE_PER_ADDRESS": "0",
            "FACTCARD_AUTH_FAILURES_PER_MINUTE": "0", "FACTCARD_ACCESS_LOG": "off",
        }  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


# -- a small HTTP/1.1 client on asyncio streams ----------------------------------------------------


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            return await asyncio.wait_for(self._response(self.reader), TIMEOUT)
        except BaseException:
            self.close()
            raise

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
        status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                body += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# -- the load --------------------------------------------------------------------------------------


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    served: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # (time, server, what)
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)  # (slug, version, headline)
    windows: dict[str, list[float]] = field(default_factory=dict)  # cause -> [start, end]

    def error(self, server: str, what: str, sent: float) -> None:
        """An error of a request sent at `sent`: it is put down to what was happening then."""
        self.errors.append((sent, server, what))


def read_paths(slugs: list[str], base_url: str) -> list[str]:
    paths = ["/", "/feed.json", "/feed.atom", "/sitemap.xml", "/robots.txt", "/widget.js"]
    for slug in slugs:
        paths += [f"/checks/{slug}", f"/checks/{slug}.json", f"/embed/{slug}",
                  "/oembed?url=" + quote(f"{base_url}/checks/{slug}", safe="")]  # fmt: skip
    return paths


async def reader(server: str, port: int, paths: list[str], tally: Tally, stop: asyncio.Event) -> None:
    connection = Connection(port)
    for path in itertools.cycle(random.sample(paths, len(paths))):
        if stop.is_set():
            break
        sent = time.monotonic()
        try:
            status, _, _ = await connection.request("GET", path, {"Accept-Encoding": "gzip"})
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            tally.error(server, type(exc).__name__, sent)
            await asyncio.sleep(0.2)
            continue
        if status >= 500:
            tally.error(server, f"HTTP {status}", sent)
        else:
            tally.served[server] += 1
    connection.close()


async def writer(server: str, port: int, token: str, prefix: str, tally: Tally, stop: asyncio.Event) -> None:
    connection, rng = Connection(port), random.Random(prefix)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for n in itertools.count():
        if stop.is_set():
            break
        doc = document(n, rng) | {"slug": f"{prefix}-{n}", "status": "draft"}
        edited = doc["headline"] + " (edited)"
        steps = [
            ("POST", "/api/checks", doc["headline"], doc),
            ("POST", f"/api/checks/{prefix}-{n}/publish", None, None),
            ("PUT", f"/api/checks/{prefix}-{n}", edited, doc | {"headline": edited, "status": "published"}),
        ]
        etag, headline = "", doc["headline"]
        for method, path, new_headline, body in steps:
            headers = auth | ({"If-Match": etag} if etag else {})
            sent = time.monotonic()
            try:
                status, answer, _ = await connection.request(method, path, headers, orjson.dumps(body) if body else b"")
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                tally.error(server, "write " + type(exc).__name__, sent)
                await asyncio.sleep(0.5)
                break
            if status >= 300:  # every step is valid, so any refusal is a failure
                tally.error(server, f"write HTTP {status}", sent)
                await asyncio.sleep(0.5)
                break
            headline = new_headline or headline
            etag = answer.get("etag", "")
            version = int(etag.strip('"').rsplit(".v", 1)[1])
            tally.acknowledged.append((f"{prefix}-{n}", version, headline))
            tally.served[server] += 1
        await asyncio.sleep(0.05)
    connection.close()


async def slowloris(port: int, count: int, seconds: float, tally: Tally) -> int:
    """Hold `count` connections that never finish their headers; the number actually opened."""
    sockets = []
    for _ in range(count):
        try:
            _, w = await asyncio.open_connection(HOST, port)
        except OSError:
            break
        w.write(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        sockets.append(w)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(5)
        for w in sockets:
            if not w.is_closing():
                w.write(b"X-a: b\r\n")
    for w in sockets:
        w.close()
    return len(sockets)


async def wait_ready(port: int, seconds: float = 120) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        connection = Connection(port)
        try:
            status, _, _ = await connection.request("GET", "/readyz")
            if status == 200:
                return time.monotonic() - start
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            pass
        finally:
            connection.close()
        await asyncio.sleep(0.2)
    raise RuntimeError(f"port {port} not ready after {seconds} s")


# -- the run ---------------------------------------------------------------------------------------


async def soak(
    args: argparse.Namespace, pg: Postgres, a: AppServer, b: AppServer, token: str, slugs: list[str]
) -> dict[str, Any]:
    duration = args.minutes * 60
    tally, stop = Tally(), asyncio.Event()
    paths = read_paths(slugs, f"http://{HOST}:{a.port}")
    tasks = [asyncio.create_task(reader(s.name, s.port, paths, tally, stop))
             for i in range(args.connections) for s in [(a, b)[i % 2]]]  # fmt: skip
    tasks += [asyncio.create_task(writer(s.name, s.port, token, f"soak-{s.name.lower()}-{i}", tally, stop))
              for i in range(args.writers) for s in [(a, b)[i % 2]]]  # fmt: skip
    rss_start = memory_kib(a.pid, "VmRSS")
    result: dict[str, Any] = {"rss_start": rss_start}

    await asyncio.sleep(0.25 * duration)
    loris = asyncio.create_task(slowloris(a.port, args.slowloris, duration / 3, tally))

    await asyncio.sleep(0.10 * duration)
    restart = time.monotonic()
    await asyncio.to_thread(pg.ctl, "restart", "-m", "fast")
    restarted = time.monotonic()
    # Ready again: both servers answer /readyz, which reads the database through their pools.
    await wait_ready(a.port)
    await wait_ready(b.port)
    healed = time.monotonic() - restarted
    # From just before (requests in flight when it began) to just after both servers are ready.
    tally.windows["database restart"] = [restart - IN_FLIGHT, time.monotonic() + IN_FLIGHT]
    result["db_restart_s"], result["db_heal_s"] = restarted - restart, healed

    await asyncio.sleep(0.30 * duration)
    killed = time.monotonic()
    b.kill()
    b.start()
    result["app_heal_s"] = await wait_ready(b.port)
    tally.windows["server B killed"] = [killed - IN_FLIGHT, time.monotonic() + IN_FLIGHT]

    await asyncio.sleep(max(0.0, tally.started + duration - time.monotonic()))
    stop.set()
    result["slowloris_opened"] = await loris
    await asyncio.gather(*tasks)
    result["rss_end"] = memory_kib(a.pid, "VmRSS")
    result["tally"] = tally
    return result


def lost_writes(database_url: str, acknowledged: list[tuple[str, int, str]]) -> int:
    import psycopg

    lost = 0
    with psycopg.connect(database_url) as conn:
        for slug, version, headline in acknowledged:
            row = conn.execute(
                "SELECT document FROM revisions WHERE slug = %s AND version = %s", (slug, version)
            ).fetchone()
            if row is None or orjson.loads(row[0])["headline"] != headline:
                lost += 1
    return lost


def report(args: argparse.Namespace, result: dict[str, Any], lost: int) -> None:
    tally: Tally = result["tally"]
    by_cause: Counter[str] = Counter()
    for moment, server, _ in tally.errors:
        cause = "other"
        for name, (start, end) in tally.windows.items():
            if start <= moment <= end and (name != "server B killed" or server == "B"):
                cause = name
        by_cause[cause] += 1
    rows = [
        ("duration", f"{args.minutes} min, {args.connections} reader connections, {args.writers} writers"),
        ("requests served (A / B)", f"{tally.served['A']:,} / {tally.served['B']:,}"),
        ("acknowledged writes", f"{len(tally.acknowledged):,}"),
        ("acknowledged writes lost", str(lost)),
        ("errors while PostgreSQL restarted", str(by_cause["database restart"])),
        ("errors while server B was down", str(by_cause["server B killed"])),
        ("errors at any other time", str(by_cause["other"])),
        ("slowloris connections held on A", f"{result['slowloris_opened']:,}"),
        ("PostgreSQL restart took", f"{result['db_restart_s']:.1f} s"),
        ("both servers ready again after it", f"{result['db_heal_s']:.1f} s"),
        ("server B ready again after kill -9", f"{result['app_heal_s']:.1f} s"),
        ("server A worker RSS, start / end", f"{result['rss_start'] / 1024:.1f} / {result['rss_end'] / 1024:.1f} MiB"),
    ]
    print("\n| soak | value |\n| --- | ---: |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    kinds = Counter(what for _, _, what in tally.errors)
    if kinds:
        print("\nerror kinds:", dict(kinds))
    others = Counter(
        (int(moment - tally.started) // 10 * 10, server, what)
        for moment, server, what in tally.errors
        if not any(start <= moment <= end for start, end in tally.windows.values())
    )
    for (second, server, what), count in sorted(others.items()):
        print(f"  other: {count} x {what} on {server}, sent {second}-{second + 10} s into the run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--slowloris", type=int, default=2000)
    parser.add_argument("--count", type=int, default=2000, help="fact-checks in the store before the run")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 16384)), hard))

    root = Path(tempfile.mkdtemp(prefix="factcard-soak-"))
    pg = Postgres(root)
    servers: list[AppServer] = []
    try:
        print(f"generating {args.count} fact-checks on PostgreSQL", flush=True)
        generate(pg.url, args.count)
        token = subprocess.run([sys.executable, "-m", "feed.cli", "token", "create", "soak", "--database-url", pg.url],
                               check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
        port_a, port_b = free_port(), free_port()
        base = f"http://{HOST}:{port_a}"
        servers = [
            AppServer("A", port_a, pg.url, base, root / "a.log"),
            AppServer("B", port_b, pg.url, base, root / "b.log"),
        ]
        for server in servers:
            server.start()
        asyncio.run(wait_ready(port_a))
        asyncio.run(wait_ready(port_b))
        slugs = [f"generated-check-{n:06d}" for n in random.Random(1).sample(range(args.count), 50)]
        print(f"soaking for {args.minutes} min", flush=True)
        result = asyncio.run(soak(args, pg, *servers, token, slugs))
        report(args, result, lost_writes(pg.url, result["tally"].acknowledged))
    finally:
        for server in servers:
            server.stop()
        subprocess.run(as_postgres([pg_binary("pg_ctl"), "-D", str(pg.data), "-m", "immediate", "stop"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
