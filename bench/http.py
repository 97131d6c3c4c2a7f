"""The read-path benchmark: factcard against nginx serving the very same bytes.

    python3 -m bench.http                      # 1,000 and 100,000 fact-checks, 64 connections, 15 s
    python3 -m bench.http --sizes 1000 --duration 10 --cases card feed

For each store size: generate the store (reused when present), start `factcard serve` with
--workers (default: one per core), fetch every benchmarked response once and write its bytes
to a folder that nginx serves with the same worker count, then load each server in turn with
wrk (same connections, threads and duration), --rounds times back to back, and print the best
requests/s of each side with that run's p50 and p99 latency, the factcard/nginx ratios, and the
peak resident memory of the factcard workers. Needs `wrk` and `nginx` (Debian packages). A
benchmark, never a test: the figures belong to this machine and this run, so read the ratios.

factcard runs as in production, its production layer on: the access log written to a file
(one JSON line per request, truncated between runs), metrics counted (and /metrics served,
with a token), the rate limits at their defaults (reads are never limited, by design; they
guard token checks, writes and MCP requests), the connection limits and security headers as
always. The output shows each is on: the access log's lines, the requests /metrics counted,
and a burst of failed token checks refused with 429.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import orjson

from bench.feeds import free_port, memory_kib
from bench.generate import generate

NGINX_CONF = """
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  types {{ }}
  server {{
    listen 127.0.0.1:{port};
    root {root}/www;
{locations}
  }}
}}
"""


@dataclass(frozen=True)
class Case:
    key: str  # its name for --cases
    name: str
    path: str
    revalidate: bool = False  # send If-None-Match with the response's ETag: a 304 every time


CASES = ("card", "page", "feed", "deep", "oembed", "304")
# The rate limits as they ship (feed.core.settings), set here so that the run says what it ran with.
RATE_LIMITS = {
    "FACTCARD_AUTH_FAILURES_PER_MINUTE": "10",
    "FACTCARD_WRITES_PER_MINUTE_PER_TOKEN": "60",
    "FACTCARD_WRITES_PER_MINUTE_PER_ADDRESS": "120",
    "FACTCARD_MCP_REQUESTS_PER_MINUTE_PER_ADDRESS": "120",
}


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def wait_until_up(port: int, path: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            get(port, path)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wrk(url: str, connections: int, duration: int, threads: int, header: str | None) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    if re.search(r"Non-2xx or 3xx responses", output):
        raise RuntimeError(f"errors under load for {url}:\n{output}")

    def percentile(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, percentile("50"), percentile("99")


def best_of(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The run with the most requests/s (with its own latencies)."""
    return max(runs, key=lambda run: run[0])


def lines_in(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


def requests_counted(port: int, token: str) -> float:
    """factcard_http_requests summed over every series, as a scrape of /metrics reports it."""
    status, _, body = get(port, "/metrics", {"Authorization": f"Bearer {token}"})
    assert status == 200, status
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith("factcard_http_requests_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def failed_checks_until_refused(port: int, most: int = 200) -> int | None:
    """Failed token checks on /metrics until one is refused with 429 (the auth failure limit)."""
    for attempt in range(1, most + 1):
        if get(port, "/metrics", {"Authorization": "Bearer wrong"})[0] == 429:
            return attempt
    return None


def peak_rss_mib(pid: int) -> float:
    """Largest peak resident set among the server's processes (one worker, not their sum)."""
    return memory_kib(pid, "VmHWM") / 1024


def run_size(count: int, args: argparse.Namespace) -> list[str]:
    database = Path(tempfile.gettempdir()) / f"factcard-bench-{count}.db"
    print(f"\n== {count} fact-checks: store {database}", file=sys.stderr)
    generate(f"sqlite:///{database}", count)
    port, nginx_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    root = Path(tempfile.mkdtemp(prefix="factcard-nginx-"))
    access_log, token = root / "access.log", secrets.token_urlsafe(16)
    production = {"FACTCARD_ACCESS_LOG": str(access_log), "FACTCARD_METRICS_TOKEN": token, **RATE_LIMITS}
    server = subprocess.Popen(
        [sys.executable, "-m", "feed.cli", "serve", "--port", str(port), "--workers", str(args.workers),
         "--database-url", f"sqlite:///{database}", "--base-url", base],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **production},
    )  # fmt: skip
    nginx = None
    logged = 0
    try:
        wait_until_up(port, "/robots.txt")
        slug = f"generated-check-{count // 2:06d}"
        first = orjson.loads(get(port, "/feed.json")[2])
        snapshot = int(first["next_url"].split("cursor=")[1].split(".")[0])
        deep = f"/feed.json?cursor={snapshot}.{max(1, snapshot - count * 9 // 10)}.0"
        cases = [
            Case("card", "card page", f"/embed/{slug}"),
            Case("page", "canonical page", f"/checks/{slug}"),
            Case("feed", "first feed page", "/feed.json"),
            Case("deep", "deep feed page (90%)", deep),
            Case("oembed", "oEmbed", f"/oembed?url={quote(base + '/checks/' + slug, safe='')}"),
            Case("304", "304 revalidation", f"/checks/{slug}", revalidate=True),
        ]
        cases = [case for case in cases if case.key in args.cases]
        # The same bytes, on disk, for nginx.
        (root / "www").mkdir()
        locations = []
        for number, case in enumerate(cases):
            status, headers, body = get(port, case.path)
            assert status == 200, (case, status)
            name = f"/case{number}"
            (root / "www" / name.lstrip("/")).write_bytes(body)
            locations.append(f'    location = {name} {{ default_type "{headers["content-type"]}"; }}')
        os.chmod(root, 0o755)  # noqa: S103 (nginx workers run as another user and must read these)
        for path in root.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        (root / "nginx.conf").write_text(
            NGINX_CONF.format(workers=args.workers, root=root, port=nginx_port, locations="\n".join(locations))
        )
        nginx = subprocess.Popen(["nginx", "-c", str(root / "nginx.conf"), "-p", str(root)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        wait_until_up(nginx_port, "/case0")
        rows = []
        sent = 0
        for number, case in enumerate(cases):
            ours_header = theirs_header = None
            if case.revalidate:
                ours_header = f"If-None-Match: {get(port, case.path)[1]['etag']}"
                theirs_header = f"If-None-Match: {get(nginx_port, f'/case{number}')[1]['etag']}"
                assert get(port, case.path, {"If-None-Match": ours_header.split(": ", 1)[1]})[0] == 304
            ours_runs, theirs_runs = [], []
            for _ in range(args.rounds):
                ours_runs.append(wrk(base + case.path, args.connections, args.duration, args.threads, ours_header))
                theirs_runs.append(wrk(f"http://127.0.0.1:{nginx_port}/case{number}", args.connections,
                                       args.duration, args.threads, theirs_header))  # fmt: skip
                sent += round(ours_runs[-1][0] * args.duration)
                time.sleep(0.5)  # the access log's writer catches up (it writes every 0.1 s)
                logged += lines_in(access_log)
                access_log.write_bytes(b"")  # the server appends: the file starts again, the disk stays free
            ours, theirs = best_of(ours_runs), best_of(theirs_runs)
            rows.append((case.name, ours, theirs))
            print(f"  {case.name}: factcard {ours[0]:.0f}/s, nginx {theirs[0]:.0f}/s", file=sys.stderr)
        rss = peak_rss_mib(server.pid)
        time.sleep(1.5)  # each worker adds its counts to the shared metrics within a second
        counted = requests_counted(port, token)
        refused_after = failed_checks_until_refused(port)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        shutil.rmtree(root, ignore_errors=True)

    names = [name for name, _, _ in rows]
    lines = [
        f"\n{count:,} fact-checks ({args.workers} workers each, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, best of {args.rounds} back-to-back runs per side)\n",
        "| request | factcard req/s | nginx req/s | ratio | factcard p50 / p99 ms | nginx p50 / p99 ms | p99 ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, ours, theirs in rows:
        lines.append(
            f"| {name} | {ours[0]:,.0f} | {theirs[0]:,.0f} | {ours[0] / theirs[0]:.2f} | "
            f"{ours[1]:.2f} / {ours[2]:.2f} | {theirs[1]:.2f} / {theirs[2]:.2f} | {ours[2] / theirs[2]:.2f} |"
        )
    if "first feed page" in names and "deep feed page (90%)" in names:
        first_p50 = next(ours[1] for name, ours, _ in rows if name == "first feed page")
        deep_p50 = next(ours[1] for name, ours, _ in rows if name.startswith("deep"))
        lines.append(f"\nDeep feed page p50 / first feed page p50: {deep_p50 / first_p50:.2f}")
    lines.append(f"Peak RSS of one factcard worker: {rss:.1f} MiB")
    refused = f"429 after {refused_after} failed token checks" if refused_after else "no 429 (limits off?)"
    lines.append(
        f"Production layer on: access log {logged:,} lines (for about {sent:,} requests under load), "
        f"/metrics counted {counted:,.0f} requests, rate limits {refused}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2, help="runs per side and request; the best is kept")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install wrk nginx-light")
    output = []
    for count in args.sizes:
        output += run_size(count, args)
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite store")
    print("\n".join(output))


if __name__ == "__main__":
    main()
