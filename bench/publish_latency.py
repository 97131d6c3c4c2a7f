"""How soon a write through the API reaches the static build that `factcard serve` keeps.

    python3 -m bench.publish_latency                       # 2,000 fact-checks, 100 writes
    python3 -m bench.publish_latency --count 500 --writes 30

Generates a store, runs a full `factcard build DIR`, starts `factcard serve` on 127.0.0.1 with
FACTCARD_BUILD_DIR=DIR (its keeper, feed.build.keeper, rewrites what each change touched),
then makes `--writes` writes one after the other, a mix of new publishes (POST /api/checks
with status published), corrections (PUT of a published fact-check with a new headline and
claim) and retractions. From the moment the API's answer is read, it polls every `--interval`
seconds, resolving the link DIR each time as nginx does, until:
- the fact-check page, DIR/checks/SLUG.html, holds the change (the new words, or the retraction's reason);
- the card, DIR/embed/SLUG.html, holds it (the new claim, or the card's retraction notice);
- the feed's first page, DIR/feed.json, holds it (the new headline, or the retraction's reason);
- the build's snapshot file moved on: the keeper's whole update, DataFeed and change log included.
A file not there after `--timeout` seconds counts as a failure. Each write waits for the one
before to be whole; with `--back-to-back` it is made as soon as the three files hold the one
before, while the keeper is still writing the rest of that update (the whole update is not
timed then). Prints p50, p99 and max per file and per kind of write, and how many took longer
than `--target` seconds.

A benchmark, never a test: it reports and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.feeds import free_port
from bench.generate import document, generate
from bench.http import wait_until_up
from bench.static import process, run
from feed.site.datafile import BUILT

FILES = ("page", "card", "feed.json", "whole update")
KINDS = ("publish", "correction", "retraction")
BUILD = "build"
# The public origin the build's links name, whatever port the server listens on: the full build
# and the keeper's rewrites agree, so a file the change did not touch keeps its bytes.
ORIGIN = "https://checks.example"
RETRACTED_CARD = b"This fact-check has been retracted."


def api(
    port: int, method: str, path: str, token: str, body: Any = None, etag: str | None = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=None if body is None else orjson.dumps(body), headers=headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, orjson.loads(raw) if raw else None


def plan(writes: int, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, slug) of each write: every tenth a retraction, a third of the rest corrections, of
    generated fact-checks picked at random (each at most once), the others new publishes."""
    rng = random.Random(seed)
    targets = iter(rng.sample(range(count), min(count, writes)))
    steps = []
    for n in range(writes):
        kind = "retraction" if n % 10 == 9 else "correction" if n % 3 == 1 else "publish"
        slug = f"latency-probe-{n:04d}" if kind == "publish" else f"generated-check-{next(targets):06d}"
        steps.append((kind, slug))
    return steps


def write(port: int, token: str, kind: str, slug: str, n: int, marker: str) -> None:
    """Make one write whose result holds `marker`; returns once the API's answer is read."""
    if kind == "retraction":
        status, _, _ = api(port, "POST", f"/api/checks/{slug}/retract", token,
                           {"reason": f"The source was forged ({marker})."})  # fmt: skip
        assert status == 200, (kind, slug, status)
        return
    if kind == "publish":
        body = document(100_000 + n, random.Random(n)) | {"slug": slug}
        del body["datePublished"]  # published now: it heads every listing
        etag = None
    else:
        status, headers, current = api(port, "GET", f"/api/checks/{slug}", token)
        assert status == 200, (slug, status)
        body, etag = current["document"], headers["etag"]
    body["headline"] = f"Fact check {marker}: what the numbers really say"
    body["claims"][0]["text"] = f"Claim {marker} made in a widely shared post"
    if kind == "publish":
        status, _, answer = api(port, "POST", "/api/checks", token, body)
        assert status == 201, (kind, slug, status, answer)
    else:
        status, _, answer = api(port, "PUT", f"/api/checks/{slug}", token, body, etag)
        assert status == 200, (kind, slug, status, answer)


def wait_for(
    checks: dict[str, Callable[[], bool]], started: float, timeout: float, interval: float
) -> dict[str, float | None]:
    """Seconds from `started` until each check first held; None for those that never did in `timeout`."""
    seen: dict[str, float | None] = dict.fromkeys(checks)
    pending = dict(checks)
    while pending:
        now = time.perf_counter()
        for name, check in list(pending.items()):
            if check():
                seen[name] = time.perf_counter() - started
                del pending[name]
        if now - started > timeout:
            break
        time.sleep(interval)
    return seen


def holds(root: Path, relative: str, needle: bytes) -> Callable[[], bool]:
    def check() -> bool:
        try:  # the link resolved on every read, as a web server does per request
            return needle in (Path(os.path.realpath(root)) / relative).read_bytes()
        except OSError:
            return False

    return check


def moved(root: Path, before: bytes) -> Callable[[], bool]:
    return lambda: (Path(os.path.realpath(root)) / BUILT).read_bytes() != before


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: of 100 values, p99 is the 99th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def row(name: str, values: list[float | None], target: float) -> str:
    done = [v for v in values if v is not None]
    failed = len(values) - len(done)
    if not done:
        return f"| {name} | {len(values)} | - | - | - | - | {failed} |"
    slow = sum(1 for v in done if v > target) + failed
    return (f"| {name} | {len(values)} | {statistics.median(done):.2f} | {percentile(done, 0.99):.2f} | "
            f"{max(done):.2f} | {slow} | {failed} |")  # fmt: skip


def prepared(count: int, fresh: bool) -> tuple[Path, float]:
    """A generated store and its full build, made once per count and kept in the temporary
    folder (a full build of 2,000 fact-checks takes minutes): (its folder, the build's seconds)."""
    folder = Path(tempfile.gettempdir()) / f"factcard-bench-latency-{count}"
    ready = folder / "ready.json"
    if fresh or not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        database = f"sqlite:///{folder / 'store.db'}"
        generate(database, count)
        env = {**os.environ, "DATABASE_URL": database, "FACTCARD_BASE_URL": ORIGIN}
        started = time.monotonic()
        run([sys.executable, "-m", "feed.cli", "build", str(folder / "build")], env)
        ready.write_bytes(orjson.dumps({"count": count, "build_seconds": round(time.monotonic() - started, 1)}))
    seconds = float(orjson.loads(ready.read_bytes())["build_seconds"])
    print(f"store and full build of {count:,} fact-checks in {folder} (built in {seconds:.0f} s)", file=sys.stderr)
    return folder, seconds


def copied(pristine: Path, work: Path) -> tuple[str, Path]:
    """A copy of the prepared store and build for one run: (database URL, build directory).

    The generations are hard links (every build write replaces a file by rename, so the
    prepared build is never changed); the store, manifest and change log, written in place,
    are real copies."""
    shutil.copy2(pristine / "store.db", work / "store.db")
    builds = f".{BUILD}.builds"
    subprocess.run(["cp", "-al", str(pristine / builds), str(work / builds)], check=True)
    for path in (work / builds).iterdir():
        if path.is_file() and not path.is_symlink():
            path.unlink()
            shutil.copy2(pristine / builds / path.name, path)
    os.symlink(os.readlink(pristine / BUILD), work / BUILD)
    return f"sqlite:///{work / 'store.db'}", work / BUILD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="generated fact-checks in the store")
    parser.add_argument("--writes", type=int, default=100, help="publishes, corrections and retractions")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a file counts as failed")
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between looks at the files")
    parser.add_argument("--target", type=float, default=2.0, help="seconds a file may take")
    parser.add_argument("--workers", type=int, default=1, help="`factcard serve --workers`")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--fresh", action="store_true", help="generate the store and build again")
    parser.add_argument("--back-to-back", action="store_true", help="write again once the three files hold a write")
    args = parser.parse_args()

    pristine, build_seconds = prepared(args.count, args.fresh)
    work = Path(tempfile.mkdtemp(prefix="factcard-bench-latency-"))
    try:
        database, root = copied(pristine, work)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database, "FACTCARD_BASE_URL": ORIGIN,
               "FACTCARD_WRITES_PER_MINUTE_PER_TOKEN": "0", "FACTCARD_WRITES_PER_MINUTE_PER_ADDRESS": "0"}  # fmt: skip
        token = run([sys.executable, "-m", "feed.cli", "token", "create", "latency benchmark"], env).split()[0]

        results: list[tuple[str, dict[str, float | None]]] = []
        serve = [sys.executable, "-m", "feed.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
        with process(serve, {**env, "FACTCARD_BUILD_DIR": str(root)}):
            wait_until_up(port, "/robots.txt")
            for n, (kind, slug) in enumerate(plan(args.writes, args.count, args.seed)):
                marker = f"probe{n:04d}z{random.Random(n).getrandbits(32):08x}"
                before = (Path(os.path.realpath(root)) / BUILT).read_bytes()
                write(port, token, kind, slug, n, marker)
                answered = time.perf_counter()
                needle = marker.encode()
                checks = {
                    "page": holds(root, f"checks/{slug}.html", needle),
                    "card": holds(root, f"embed/{slug}.html", RETRACTED_CARD if kind == "retraction" else needle),
                    "feed.json": holds(root, "feed.json", needle),
                }
                if not args.back_to_back:
                    checks["whole update"] = moved(root, before)
                seen = wait_for(checks, answered, args.timeout, args.interval)
                results.append((kind, seen))
                shown = "  ".join(f"{name} {'-' if t is None else f'{t:.2f}'}" for name, t in seen.items())
                print(f"{n + 1:>4} {kind:<10} {slug:<24} {shown}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    pace = "back to back" if args.back_to_back else "each once the one before was whole"
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite store; "
          f"{args.count:,} fact-checks (full build {build_seconds:.0f} s), {len(results)} writes, "
          f"`factcard serve --workers {args.workers}`, {pace}; "
          "seconds from the API's answer\n")  # fmt: skip
    print(f"| file | writes | p50 s | p99 s | max s | over {args.target:g} s | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = [name for name in FILES if not args.back_to_back or name != "whole update"]
    for name in names:
        print(row(name, [seen[name] for _, seen in results], args.target))
    for kind in KINDS:
        for name in names:
            values = [seen[name] for k, seen in results if k == kind]
            if values:
                print(row(f"{name}, {kind}", values, args.target))


if __name__ == "__main__":
    main()
