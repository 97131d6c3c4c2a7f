"""The static build and the DataFeed file against nginx serving the very same bytes.

    python3 -m bench.static                        # build at 1,000, DataFeed at 100,000, 6 s runs, twice
    python3 -m bench.static --build-count 200 --datafeed-count 5000 --duration 3 --runs 1

In one run, with wrk (-t2 -c64 for pages, -c8 for the DataFeed) and nginx with as many workers
as factcard:
1. `factcard build` of a generated store, served by nginx with the `factcard nginx-config`
   configuration, against a plain nginx serving the same bytes as flat files (the same thing,
   so about 1.0): the card, the fact-check page and the feed's first page.
2. The dynamic server (`factcard serve`, one worker per core) for the same three URLs, against
   the plain nginx.
3. The DataFeed (/claimreview.json) of a larger store: bytes per second from the dynamic server
   (a file it wrote once, sent as a file) against nginx serving a copy of that file.
Each pair is measured back to back, `--runs` times, and the best of each side is compared: the
machine is shared, so read the ratios. A benchmark, never a test. Needs wrk, nginx and its
brotli static module (Debian: wrk nginx libnginx-mod-http-brotli-static).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.feeds import free_port
from bench.generate import generate
from bench.http import NGINX_CONF, get, wait_until_up, wrk

BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"
BUILD_NGINX = """load_module {module};
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
  client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fcgi;
  uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
  include {root}/factcard.conf;
}}
"""


def run(command: list[str], env: dict[str, str]) -> str:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


@contextmanager
def process(command: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield child
    finally:
        child.send_signal(signal.SIGINT if command[0] != "nginx" else signal.SIGTERM)
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()


def slow_get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET with a long timeout: the first DataFeed request of a large store writes the file."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def readable(root: Path) -> None:
    os.chmod(root, 0o755)  # noqa: S103 (nginx workers run as another user and must read these)
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def plain_nginx(root: Path, workers: int, port: int, files: dict[str, tuple[bytes, str]]) -> list[str]:
    """Write `files` (name -> body, content type) for a plain nginx; returns the nginx command."""
    (root / "www").mkdir(parents=True)
    locations = []
    for name, (body, media_type) in files.items():
        (root / "www" / name).write_bytes(body)
        locations.append(f'    location = /{name} {{ default_type "{media_type}"; }}')
    (root / "nginx.conf").write_text(
        NGINX_CONF.format(workers=workers, root=root, port=port, locations="\n".join(locations))
    )
    readable(root)
    return ["nginx", "-c", str(root / "nginx.conf"), "-p", str(root)]


def best(url: str, args: argparse.Namespace, connections: int) -> float:
    return max(wrk(url, connections, args.duration, 2, None)[0] for _ in range(args.runs))


def transfer(url: str, args: argparse.Namespace) -> float:
    """Best bytes per second of `--runs` wrk runs (-c8) fetching `url` without compression."""
    rates = []
    for _ in range(args.runs):
        output = subprocess.run(["wrk", "-t2", "-c8", f"-d{args.duration}s", url], capture_output=True, text=True,
                                check=True).stdout  # fmt: skip
        value, unit = re.search(r"Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", output).groups()  # type: ignore[union-attr]
        rates.append(float(value) * {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[unit])
    return max(rates)


def pages(args: argparse.Namespace, work: Path) -> list[str]:
    count = args.build_count
    database = Path(tempfile.gettempdir()) / f"factcard-bench-{count}.db"
    generate(f"sqlite:///{database}", count)
    app_port, site_port, plain_port = free_port(), free_port(), free_port()
    origin = f"http://127.0.0.1:{site_port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "FACTCARD_BASE_URL": origin}
    build = work / "build"
    started = time.monotonic()
    print(run([sys.executable, "-m", "feed.cli", "build", str(build)], env).strip(), file=sys.stderr)
    build_seconds = time.monotonic() - started
    site = work / "site"
    site.mkdir()
    (site / "factcard.conf").write_text(run([sys.executable, "-m", "feed.cli", "nginx-config", "--root", str(build),
                                             "--upstream", f"127.0.0.1:{app_port}", "--listen",
                                             f"127.0.0.1:{site_port}"], env))  # fmt: skip
    (site / "nginx.conf").write_text(BUILD_NGINX.format(module=BROTLI_MODULE, workers=args.workers, root=site))
    readable(build)
    slug = f"generated-check-{count // 2:06d}"
    urls = {"card": f"/embed/{slug}", "fact-check page": f"/checks/{slug}", "first feed page": "/feed.json"}
    rows = []
    with (
        process([sys.executable, "-m", "feed.cli", "serve", "--port", str(app_port), "--workers", str(args.workers)],
                env),
        process(["nginx", "-c", str(site / "nginx.conf"), "-p", str(site)]),
    ):  # fmt: skip
        wait_until_up(app_port, "/robots.txt")
        wait_until_up(site_port, "/robots.txt")
        files = {}
        for number, path in enumerate(urls.values()):
            status, headers, body = get(site_port, path)
            assert status == 200 and body == get(app_port, path)[2], path
            files[f"case{number}"] = (body, headers["content-type"])
        (work / "card.html").write_bytes(files["case0"][0])
        fixed_port = free_port()
        fixed = [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", str(args.workers), "--host",
                 "127.0.0.1", "--port", str(fixed_port), "--log-level", "error", "bench.fixed:app"]  # fmt: skip
        with (
            process(plain_nginx(work / "plain", args.workers, plain_port, files)),
            process(fixed, {**env, "FACTCARD_BENCH_BODY": str(work / "card.html")}),
        ):
            wait_until_up(plain_port, "/case0")
            wait_until_up(fixed_port, "/")
            ceiling = best(f"http://127.0.0.1:{fixed_port}/", args, 64)
            ceiling_nginx = best(f"http://127.0.0.1:{plain_port}/case0", args, 64)
            print(f"  fixed bytes under granian: {ceiling:.0f}/s, nginx {ceiling_nginx:.0f}/s", file=sys.stderr)
            for number, (name, path) in enumerate(urls.items()):
                plain = best(f"http://127.0.0.1:{plain_port}/case{number}", args, 64)
                built = best(f"http://127.0.0.1:{site_port}{path}", args, 64)
                dynamic = best(f"http://127.0.0.1:{app_port}{path}", args, 64)
                rows.append((name, plain, built, dynamic))
                print(f"  {name}: nginx {plain:.0f}/s, build {built:.0f}/s, factcard {dynamic:.0f}/s", file=sys.stderr)
    lines = [
        f"\n{count:,} fact-checks: `factcard build` took {build_seconds:.1f} s; {args.workers} workers each, "
        f"wrk -t2 -c64 -d{args.duration}s, best of {args.runs}\n",
        "| request | nginx, same bytes req/s | nginx + build req/s | build / nginx | factcard req/s "
        "| factcard / nginx |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, plain, built, dynamic in rows:
        lines.append(f"| {name} | {plain:,.0f} | {built:,.0f} | {built / plain:.2f} | {dynamic:,.0f} | "
                     f"{dynamic / plain:.2f} |")  # fmt: skip
    lines.append(
        f"\nThe server's own ceiling, in the same run: a Python app that answers the card's bytes from memory "
        f"(bench/fixed.py) under granian with {args.workers} workers: {ceiling:,.0f} req/s, against nginx's "
        f"{ceiling_nginx:,.0f} for the same bytes: {ceiling / ceiling_nginx:.2f}."
    )
    return lines


def datafeed(args: argparse.Namespace, work: Path) -> list[str]:
    count = args.datafeed_count
    database = Path(tempfile.gettempdir()) / f"factcard-bench-{count}.db"
    generate(f"sqlite:///{database}", count)
    app_port, plain_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "FACTCARD_BASE_URL": f"http://127.0.0.1:{app_port}",
           "FACTCARD_BUILD_DIR": ""}  # fmt: skip
    with process([sys.executable, "-m", "feed.cli", "serve", "--port", str(app_port), "--workers", str(args.workers)],
                 env):  # fmt: skip
        wait_until_up(app_port, "/robots.txt")
        started = time.monotonic()
        status, headers, body = slow_get(app_port, "/claimreview.json")
        written = time.monotonic() - started
        assert status == 200, status
        started = time.monotonic()
        assert get(app_port, "/claimreview.json")[2] == body
        again = time.monotonic() - started
        copy = {"claimreview.json": (body, headers["content-type"])}
        with process(plain_nginx(work / "datafeed", args.workers, plain_port, copy)):
            wait_until_up(plain_port, "/claimreview.json")
            plain = transfer(f"http://127.0.0.1:{plain_port}/claimreview.json", args)
            dynamic = transfer(f"http://127.0.0.1:{app_port}/claimreview.json", args)
    mib = 1 << 20
    return [
        f"\nDataFeed of {count:,} fact-checks: {len(body) / mib:,.0f} MiB; first request (writes the file and its "
        f".gz and .br copies) {written:.1f} s, the next {again:.2f} s; wrk -t2 -c8 -d{args.duration}s, "
        f"best of {args.runs}\n",
        "| DataFeed | nginx, same file | factcard | factcard / nginx |",
        "| --- | ---: | ---: | ---: |",
        f"| bytes per second | {plain / mib:,.0f} MiB/s | {dynamic / mib:,.0f} MiB/s | {dynamic / plain:.2f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-count", type=int, default=1000)
    parser.add_argument("--datafeed-count", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", choices=("pages", "datafeed"), help="run one half")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install wrk nginx libnginx-mod-http-brotli-static")
    work = Path(tempfile.mkdtemp(prefix="factcard-bench-static-"))
    os.chmod(work, 0o755)  # noqa: S103 (nginx workers run as another user and must reach the files)
    try:
        lines = (pages(args, work) if args.only != "datafeed" else []) + (
            datafeed(args, work) if args.only != "pages" else []
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite store")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
