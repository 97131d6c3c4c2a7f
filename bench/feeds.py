"""Feed benchmark: first vs deep feed page, and DataFeed streaming memory, on a large store.

    python -m bench.feeds --count 100000

Generates the store (once; reused if present), starts `factcard serve` on it, then on
one keep-alive connection times the first request (which renders) and then sequential
requests (served from the render cache) for the first page, a page deep in the walk, and a
`since` poll, and streams /claimreview.json while reading the server's resident memory.
Prints a Markdown table. A benchmark, not a test: figures depend on the machine, so
compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

from bench.generate import generate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kib(pid: int, field: str) -> int:
    """`field` of /proc status for the server: the largest among it and its worker processes."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    values = []
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                values.append(int(line.split()[1]))
    return max(values)


def timed_gets(port: int, path: str, repeat: int) -> tuple[list[float], int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        body = response.read()
        times.append(time.perf_counter() - start)
        assert response.status == 200, (path, response.status, body[:200])
        size = len(body)
    connection.close()
    return times, size


def stream_datafeed(port: int, pid: int) -> tuple[int, int, int, float]:
    """Bytes streamed, server RSS before and peak RSS during the stream (KiB), seconds."""
    rss_before = memory_kib(pid, "VmRSS")
    peak = rss_before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory_kib(pid, "VmRSS"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    connection.request("GET", "/claimreview.json", headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    total = 0
    while chunk := response.read(1 << 16):
        total += len(chunk)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    connection.close()
    return total, rss_before, peak, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database", default=str(Path(tempfile.gettempdir()) / "factcard-bench-{count}.db"))
    args = parser.parse_args()
    database = args.database.format(count=args.count)
    database_url = f"sqlite:///{database}"
    print(f"store: {database} ({args.count} fact-checks)", file=sys.stderr)
    generate(database_url, args.count)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--port", str(port), "--database-url", database_url,
         "--base-url", base, "--feed-page-size", "50"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                timed_gets(port, "/robots.txt", 1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        first_page = orjson.loads(_get(port, "/feed.json"))
        snapshot = int(first_page["next_url"].split("cursor=")[1].split(".")[0])
        deep_cursor = f"{snapshot}.{max(1, snapshot - args.count * 9 // 10)}.0"
        since = first_page["items"][10]["_claimreview"]["changed"]
        cases = {
            "first page (/feed.json)": "/feed.json",
            f"deep page (90% into {args.count})": f"/feed.json?cursor={deep_cursor}",
            "since poll (10 newest changes)": f"/feed.json?since={since}",
            "first Atom page (/feed.atom)": "/feed.atom",
        }
        rows = []
        for name, path in cases.items():
            cold, _ = timed_gets(port, path, 1)  # rendered: the first request since the last change
            timed_gets(port, path, 10)  # warm up
            times, size = timed_gets(port, path, args.repeat)
            ms = sorted(t * 1000 for t in times)
            rows.append((name, cold[0] * 1000, statistics.median(ms), ms[int(len(ms) * 0.99) - 1], size))
        first_median = rows[0][2]
        total, rss_before, rss_peak, seconds = stream_datafeed(port, server.pid)
    finally:
        server.terminate()
        server.wait(10)

    print(f"\n{args.count} fact-checks, SQLite, one worker process, sequential keep-alive requests\n")
    print("| request | first (rendered) ms | then median ms | p99 ms | median vs first page | body bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, cold, median, p99, size in rows:
        print(f"| {name} | {cold:.2f} | {median:.2f} | {p99:.2f} | {median / first_median:.2f} | {size:,} |")
    print("\n| DataFeed /claimreview.json | value |")
    print("| --- | ---: |")
    print(f"| bytes streamed | {total:,} |")
    print(f"| time | {seconds:.1f} s |")
    print(f"| server RSS before | {rss_before / 1024:.1f} MiB |")
    print(f"| server RSS peak while streaming | {rss_peak / 1024:.1f} MiB |")
    print(f"| growth vs body size | {(rss_peak - rss_before) * 1024 / total:.3f} |")


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    body = connection.getresponse().read()
    connection.close()
    return body


if __name__ == "__main__":
    main()
