"""The static build served by real nginx with the configuration `factcard nginx-config` prints:
every built file answers with the dynamic server's bytes and headers (and its .br and .gz
copies when asked for), query strings, the API and unknown paths reach factcard, and the
same consumers as for the dynamic server (extruct, structured-data-testing-tool, feed
readers, the card in headless Chromium under a strict CSP) read the site from nginx."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import extruct
import feedparser
import feedparser_rs
import httpx
import orjson
import pytest

from feed.build.manifest import log_path, manifest_path
from feed.build.static import COPIES, file_for
from tests.browser.test_widget_browser import WATCH, chromium_available, host_app, launch, with_attributes
from tests.conftest import DEMO, LiveServer, demo_documents, free_port
from tests.consumers.test_consumers import REQUIRED, fetch, published_slugs_and_claims, sdtt
from tests.site.test_canonical_elsewhere import ORIGINALS, kept_config, kept_documents
from tests.site.test_feeds import walk

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
HEADERS = ("content-type", "cache-control", "content-security-policy", "x-frame-options",
           "x-content-type-options", "referrer-policy", "access-control-allow-origin", "link")  # fmt: skip
PUBLISHED = [d["slug"] for d in demo_documents() if d["status"] == "published"]
RETRACTED = [d["slug"] for d in demo_documents() if d["status"] == "retracted"]
WAIT = 30.0  # seconds any server gets to start or stop


def _missing(what: str) -> None:
    if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
        pytest.fail(f"the static-site tests need {what}")
    pytest.skip(f"the static-site tests need {what}")


@dataclass
class Site:
    root: Path  # the build directory
    nginx: str  # origin of nginx serving it, also the site's public origin
    dynamic: str  # origin of `factcard serve` on the same store


def url_path(relative: str) -> str:
    """The URL path a built file answers: file_for in reverse."""
    if relative == "index.html":
        return "/"
    return "/" + relative.removesuffix(".html")


def built_files(root: Path) -> list[str]:
    """Every file nginx serves as itself: neither the build's dot files nor the compressed copies."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and not path.name.endswith(COPIES)
    )


def run(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result.stdout


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args!r} exited with {process.returncode}: {log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {WAIT:.0f}s: {log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(WAIT)


def nginx_main_config(tmp: Path, included: Path) -> str:
    temp_paths = "".join(f"    {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))  # fmt: skip
    # Workers run as the master's user: a root master would otherwise hand them to nobody,
    # who cannot read a private temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"load_module {BROTLI_MODULE};\n{user}worker_processes 1;\ndaemon off;\n"
        f"pid {tmp / 'nginx.pid'};\nerror_log {tmp / 'nginx-error.log'} warn;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp_paths}    include {included};\n}}\n"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        _missing("nginx (Debian package nginx)")
    if not BROTLI_MODULE.exists():
        _missing(f"{BROTLI_MODULE} (Debian package libnginx-mod-http-brotli-static)")
    assert nginx is not None
    tmp = tmp_path_factory.mktemp("static-site")
    root = tmp / "build"
    nginx_port, dynamic_port = free_port(), free_port()
    origin = f"http://127.0.0.1:{nginx_port}"
    # The demo's newsroom, and one that keeps its CMS: its fact-checks' original articles stay canonical.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'factcard.db'}", "FACTCARD_BASE_URL": origin,
           "FACTCARD_PAGE_SIZE": "2", "FACTCARD_FEED_PAGE_SIZE": "2", "FACTCARD_CONFIG": kept_config(tmp)}  # fmt: skip
    cli = [sys.executable, "-m", "feed.cli"]
    kept = tmp / "kept.json"
    kept.write_bytes(orjson.dumps(kept_documents()))
    run([*cli, "import", str(DEMO), str(kept)], env)
    server_log = tmp / "serve.log"
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(dynamic_port), "--access-log", ""],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        dynamic = f"http://127.0.0.1:{dynamic_port}"
        wait_until_answering(f"{dynamic}/healthz", server, server_log)
        run([*cli, "build", str(root)], env)
        included = tmp / "factcard.conf"
        upstream, listen = f"127.0.0.1:{dynamic_port}", f"127.0.0.1:{nginx_port}"
        config = run([*cli, "nginx-config", "--root", str(root), "--upstream", upstream, "--listen", listen], env)
        included.write_text(config)
        main_config = tmp / "nginx.conf"
        main_config.write_text(nginx_main_config(tmp, included))
        nginx_log = tmp / "nginx-error.log"
        command = [nginx, "-c", str(main_config), "-p", str(tmp), "-e", str(nginx_log)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
        assert checked.returncode == 0, checked.stderr
        with (tmp / "nginx.out").open("wb") as out:
            server_nginx = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_answering(f"{origin}/robots.txt", server_nginx, nginx_log)
            yield Site(root, origin, dynamic)
        finally:
            stop(server_nginx)
    finally:
        stop(server)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """A client that asks for no compression, as the files are compared byte for byte."""
    with httpx.Client(timeout=10) as client:
        del client.headers["Accept-Encoding"]
        yield client


def headers_of(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in HEADERS}


def nginx_etag(path: Path) -> str:
    """The ETag nginx gives a file it serves itself (modification time and size): no proxied answer has it."""
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


def raw(url: str, encoding: str) -> tuple[str | None, bytes]:
    """Content-Encoding and the body as sent, undecoded."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback servers)
        body: bytes = response.read()
        return response.headers.get("Content-Encoding"), body


def test_deploy_example_is_the_current_output(tmp_path: Path) -> None:
    env = {**os.environ, "FACTCARD_BASE_URL": "https://factcheck.example", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "feed.cli", "nginx-config", "--root", "/srv/factcard/build",
               "--upstream", "127.0.0.1:8000"]  # fmt: skip
    assert run(command, env, cwd=tmp_path) == (ROOT / "deploy" / "nginx.conf").read_text()
    assert list(tmp_path.iterdir()) == []  # it reads no store, and leaves no file behind


# -- every built file, from nginx and from factcard ----------------------------------


def test_every_built_file_is_what_the_dynamic_server_answers(site: Site, http: httpx.Client) -> None:
    files = built_files(site.root)
    assert len(files) >= 150, len(files)
    for relative in files:
        path = url_path(relative)
        assert file_for(path) == relative, relative  # the file is the one its URL names
        served, dynamic = http.get(site.nginx + path), http.get(site.dynamic + path)
        assert served.status_code == dynamic.status_code == 200, (path, served.status_code, dynamic.status_code)
        assert "content-encoding" not in served.headers, path
        assert served.content == dynamic.content == (site.root / relative).read_bytes(), path
        assert served.headers.get("etag") == nginx_etag(site.root / relative), path  # the file, not factcard
        assert headers_of(served) == headers_of(dynamic), path


@pytest.mark.parametrize(
    "path",
    ["/", "/checks/three-everyday-health-myths", "/embed/three-everyday-health-myths/2/light",
     "/feed.json", "/feed.atom", "/claimreview.json", "/widget.js"],
)  # fmt: skip
def test_precompressed_copies_are_served_to_who_asks(site: Site, path: str) -> None:
    plain = (site.root / file_for(path)).read_bytes()
    encoding, body = raw(site.nginx + path, "br")
    assert encoding == "br" and brotli.decompress(body) == plain
    encoding, body = raw(site.nginx + path, "gzip")
    assert encoding == "gzip" and gzip.decompress(body) == plain
    assert raw(site.nginx + path, "identity") == (None, plain)


# -- what no file answers goes to factcard --------------------------------------------


def test_feed_cursor_pages_come_from_factcard(site: Site, http: httpx.Client) -> None:
    first = http.get(f"{site.nginx}/feed.json").json()
    next_url = first["next_url"]  # two a page: the demo's five make three pages
    assert next_url.startswith(f"{site.nginx}/feed.json?cursor=")
    served = http.get(next_url)
    assert served.status_code == 200 and served.json()["items"]
    assert served.content == http.get(next_url.replace(site.nginx, site.dynamic, 1)).content


def test_query_forms_answer_what_their_files_hold(site: Site, http: httpx.Client) -> None:
    slug = "lightning-never-strikes-twice"
    page = urllib.parse.quote(f"{site.nginx}/checks/{slug}", safe="")
    pairs = [(f"/oembed?url={page}&format=json", f"/oembed/{slug}.json"),
             (f"/embed/{slug}?theme=dark", f"/embed/{slug}"),
             ("/?page=2", "/page/2")]  # fmt: skip
    for query_form, path_form in pairs:
        by_query, by_path = http.get(site.nginx + query_form), http.get(site.nginx + path_form)
        assert by_query.status_code == by_path.status_code == 200, query_form
        assert by_query.content == by_path.content == (site.root / file_for(path_form)).read_bytes(), query_form


def test_api_unknown_paths_and_dot_files(site: Site, http: httpx.Client) -> None:
    api = http.get(f"{site.nginx}/api/checks")
    assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")
    assert len(api.json()["items"]) == 2  # a page of FACTCARD_PAGE_SIZE
    assert api.content == http.get(f"{site.dynamic}/api/checks").content
    missing = http.get(f"{site.nginx}/checks/no-such-check")
    from_factcard = http.get(f"{site.dynamic}/checks/no-such-check")
    assert missing.status_code == from_factcard.status_code == 404
    assert missing.content == from_factcard.content and b"factcard" in missing.content.lower()
    dot_files = [p.name for p in site.root.iterdir() if p.name.startswith(".")]
    assert ".factcard-build.json" in dot_files
    # The manifest and change log live beside the generations, out of the served tree.
    assert manifest_path(site.root).is_file() and log_path(site.root).is_file()
    assert not manifest_path(site.root).resolve().is_relative_to(site.root.resolve())
    for name in dot_files:
        served, dynamic = http.get(f"{site.nginx}/{name}"), http.get(f"{site.dynamic}/{name}")
        assert served.status_code == dynamic.status_code == 404, name
        assert served.content == dynamic.content != (site.root / name).read_bytes(), name


@pytest.mark.parametrize(
    "path",
    ["/index.html", "/checks/lightning-never-strikes-twice.html", "/page/2.html", "/feed.json.gz",
     "/checks/lightning-never-strikes-twice.json.br", "/robots.txt?x=1", "/feed.json?",
     "/checks/lightning%2Dnever-strikes-twice", "/checks/lightning-never-strikes-twice%2Ejson",
     "//checks/lightning-never-strikes-twice", "/embed//x"],
)  # fmt: skip
def test_other_spellings_of_a_url_answer_as_factcard_does(site: Site, http: httpx.Client, path: str) -> None:
    # A build file's own name is no URL of its own, and a percent-encoded path gets the headers
    # of the path it decodes to.
    served, dynamic = http.get(site.nginx + path), http.get(site.dynamic + path)
    assert served.status_code == dynamic.status_code, path
    assert served.content == dynamic.content, path
    assert headers_of(served) == headers_of(dynamic), path


@pytest.mark.parametrize("method", ["OPTIONS", "POST", "PUT", "DELETE"])
def test_methods_a_file_cannot_answer_get_factcards_answer(site: Site, http: httpx.Client, method: str) -> None:
    preflight = {"Origin": "https://host.example", "Access-Control-Request-Method": "GET"}
    for path in ("/", "/checks/lightning-never-strikes-twice", "/feed.json", "/claimreview.json", "/robots.txt"):
        headers = preflight if method == "OPTIONS" else {}
        served = http.request(method, site.nginx + path, headers=headers)
        dynamic = http.request(method, site.dynamic + path, headers=headers)
        assert served.status_code == dynamic.status_code != 200, (method, path)
        assert served.content == dynamic.content, (method, path)
        assert headers_of(served) == headers_of(dynamic), (method, path)
        assert served.headers.get("allow") == dynamic.headers.get("allow"), (method, path)


# -- consumers read the site from nginx ------------------------------------------------


@pytest.mark.consumer
def test_extruct_finds_every_claimreview_served_by_nginx(site: Site) -> None:
    for slug, claims in published_slugs_and_claims():
        url = f"{site.nginx}/checks/{slug}"
        data = extruct.extract(fetch(url), base_url=url, syntaxes=["json-ld"], uniform=True)
        reviews = [item for item in data["json-ld"] if item.get("@type") == "ClaimReview"]
        assert len(reviews) == claims, slug
        for review in reviews:
            for name in REQUIRED:
                assert review.get(name), (slug, name)
            assert review["url"].startswith(url)
    for slug in RETRACTED:
        assert extruct.extract(fetch(f"{site.nginx}/checks/{slug}"), syntaxes=["json-ld"])["json-ld"] == []


@pytest.mark.consumer
def test_structured_data_testing_tool_reports_no_errors_on_nginx(site: Site) -> None:
    slug = "three-everyday-health-myths"
    report = sdtt(f"{site.nginx}/checks/{slug}")
    assert report["failed"] == [] and report["warnings"] == [], report
    assert report["schemas"] == ["ClaimReview"]
    assert len([t for t in report["passed"] if t["test"].startswith("ClaimReview[")]) == 3 * 8


@pytest.mark.consumer
def test_feed_readers_walk_both_feeds_from_nginx(site: Site, http: httpx.Client) -> None:
    first_page = feedparser_rs.parse(http.get(f"{site.nginx}/feed.json").content)
    assert first_page.version == "json11" and not first_page.bozo
    items, _ = walk(http, f"{site.nginx}/feed.json")
    assert len(items) > 2  # more than the first page's two
    # Each page once; a kept fact-check's item links to its original article.
    expected = sorted([*(f"{site.nginx}/checks/{slug}" for slug in PUBLISHED + RETRACTED), *ORIGINALS.values()])
    urls = [item["url"] for item in items]
    assert len(urls) == len(set(urls)), "an item came twice"
    assert sorted(urls) == expected

    url, links_seen = f"{site.nginx}/feed.atom", []
    for _ in range(10):
        parsed = feedparser.parse(http.get(url).content)
        assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
        links_seen.extend(entry.link for entry in parsed.entries)
        links = {link.rel: link.href for link in parsed.feed.links}
        if "next" not in links:
            break
        url = links["next"]
        assert url.startswith(site.nginx)
    # Retractions are entries too ("Retracted: ..."), for readers that ignore tombstones.
    assert sorted(links_seen) == expected


@pytest.mark.consumer
def test_a_kept_originals_page_from_nginx_names_the_article_and_is_no_sitemap_url(
    site: Site, http: httpx.Client
) -> None:
    for slug, original in ORIGINALS.items():
        url = f"{site.nginx}/checks/{slug}"
        page = http.get(url)
        assert page.status_code == 200 and f'<link rel="canonical" href="{original}">' in page.text
        assert "canonical" not in page.headers["link"]  # nginx's Link header, as factcard's, names the twin only
        data = extruct.extract(page.text, base_url=url, syntaxes=["json-ld"], uniform=True)
        assert {item["url"] for item in data["json-ld"] if item.get("@type") == "ClaimReview"} == {original}
    sitemap = http.get(f"{site.nginx}/sitemap.xml").text
    assert f"{site.nginx}/checks/lightning-never-strikes-twice<" in sitemap
    assert not [slug for slug in ORIGINALS if slug in sitemap]


# -- the card, from nginx, on a host page with a strict policy -------------------------


@pytest.mark.consumer
def test_cards_from_nginx_load_under_a_strict_csp_without_shifting(site: Site, http: httpx.Client) -> None:
    chromium_available()
    from playwright.sync_api import sync_playwright

    slugs = ["lightning-never-strikes-twice", "three-everyday-health-myths"]
    codes = [orjson.loads(http.get(f"{site.nginx}/oembed/{slug}.json").content)["html"] for slug in slugs]
    codes[1] = with_attributes(codes[1], theme="dark")
    # widget.js asks for the card's path form: the bare one for the first claim, light.
    expected = [f"{site.nginx}/embed/{slugs[0]}", f"{site.nginx}/embed/{slugs[1]}/1/dark"]
    host_html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>An article</title></head><body>"
        "<h1>An article</h1><p>Opening paragraph.</p>" + "<p>Between the cards.</p>".join(codes)
        + "<p>Closing paragraph.</p></body></html>"
    )  # fmt: skip
    host_port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console: list[str] = []
    with LiveServer(host_app(host_html, site.nginx), host_port), sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1400})
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            page.add_init_script(WATCH)
            page.goto(f"http://127.0.0.1:{host_port}/article")
            page.wait_for_function("document.querySelectorAll('iframe').length === 2", timeout=15000)
            frames = []
            for element in page.query_selector_all("iframe"):
                element.scroll_into_view_if_needed()
                frame = element.content_frame()
                assert frame is not None
                frame.wait_for_load_state("load", timeout=15000)
                frames.append(frame)
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "static-site.png"), full_page=True)
            observed = {
                "urls": [frame.url for frame in frames],
                "texts": [frame.inner_text("body") for frame in frames],
                "frame_violations": [frame.evaluate("window.__violations") for frame in frames],
                "violations": page.evaluate("window.__violations"),
                "cls": page.evaluate("window.__cls"),
            }
        finally:
            browser.close()
    assert observed["urls"] == expected
    # A built file answers each: every theme of a card is the one file.
    for url, relative in zip(expected, [f"embed/{slugs[0]}.html", f"embed/{slugs[1]}.html"], strict=True):
        assert http.get(url).headers.get("etag") == nginx_etag(site.root / relative), url
    assert "Lightning never strikes the same place twice" in observed["texts"][0]
    assert observed["violations"] == [] and observed["frame_violations"] == [[], []]
    assert console == []
    assert observed["cls"] == 0
    assert (ARTIFACTS / "static-site.png").stat().st_size > 1000
