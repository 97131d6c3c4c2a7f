"""`factcard redirects`: the old site's links, sent to the pages here by real nginx and Apache
configured with what the command prints, and the same map as CSV.

The store holds published and retracted fact-checks imported with their original URLs on
several hosts (a query string, a path outside ASCII, a port), a draft and one whose original
stays canonical; the base URL holds `$1` and `%41`, which neither server may read as its own."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest

from feed.cli.redirects import SERVER_LINE, apache_rules, nginx_map, plan
from feed.store import Change, open_store
from feed.store.clock import sort_key, stamp, utc_now
from tests.cli.test_commands import clean_environment
from tests.conftest import demo_documents, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
BASE = "https://factcheck.example/archive$1%41"  # `$1` and `%41` reach readers as they are
WAIT = 30.0  # seconds a server gets to start or stop
APACHE_MODULES = Path("/usr/lib/apache2/modules")

ORIGINALS = {  # slug: the original URL in its document
    "immigration-child-trafficking": "https://news.example/2021/05/immigration-claim/",
    "three-everyday-health-myths": "https://archive.news.example/article.php?id=12&lang=en",
    "lightning-never-strikes-twice": "https://news.example/verificación/rayo",
    "council-ban-street-musicians": "http://news.example/2020/street-musicians",  # retracted
    "agua-caliente-con-limon-cancer": "https://news.example/es/limón?x=$1",
    "agua-quente-com-limao-cancer": "https://News.Example:8443/pt/agua-quente-com-limao",
    "2000-rupee-note-gps-chip": "https://partner.example/2000-rupee-note",  # its original stays canonical
    "immigration-draft": "https://news.example/drafts/immigration",  # a draft
}
CANONICAL, DRAFT = "2000-rupee-note-gps-chip", "immigration-draft"


def page(slug: str) -> str:
    return f"{BASE}/checks/{slug}"


EXPECTED = sorted([  # the CSV: originals as stored (an IRI as its URI), each to its page here
    ("http://news.example/2020/street-musicians", page("council-ban-street-musicians")),
    ("https://News.Example:8443/pt/agua-quente-com-limao", page("agua-quente-com-limao-cancer")),
    ("https://archive.news.example/article.php?id=12&lang=en", page("three-everyday-health-myths")),
    ("https://news.example/2021/05/immigration-claim/", page("immigration-child-trafficking")),
    ("https://news.example/es/lim%C3%B3n?x=$1", page("agua-caliente-con-limon-cancer")),
    ("https://news.example/verificaci%C3%B3n/rayo", page("lightning-never-strikes-twice")),
])  # fmt: skip

# (Host header, request target, Location of the 301, or None for the site's own 404)
REQUESTS = [
    ("news.example", "/2021/05/immigration-claim/", page("immigration-child-trafficking")),
    ("news.example", "/2021/05/immigration-claim", page("immigration-child-trafficking")),  # no final slash
    ("news.example", "/2021/05/immigration-claim/?utm_source=newsletter", page("immigration-child-trafficking")),
    ("News.Example:8080", "/2020/street-musicians", page("council-ban-street-musicians")),  # retracted
    ("archive.news.example", "/article.php?id=12&lang=en", page("three-everyday-health-myths")),
    ("archive.news.example", "/article.php?id=13&lang=en", None),  # another article of the old site
    ("archive.news.example", "/article.php", None),
    ("news.example", "/article.php?id=12&lang=en", None),  # another host
    ("news.example", "/verificación/rayo", page("lightning-never-strikes-twice")),  # sent as %C3%B3
    ("news.example", "/verificaci%c3%b3n/rayo", page("lightning-never-strikes-twice")),
    ("news.example", "/es/limón?x=$1", page("agua-caliente-con-limon-cancer")),
    ("news.example", "/pt/agua-quente-com-limao", page("agua-quente-com-limao-cancer")),
    ("news.example", "/drafts/immigration", None),
    ("partner.example", "/2000-rupee-note", None),
    ("news.example", "/not-an-original", None),
]


def factcard(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """This checkout's `factcard`, with no setting but the store's and those in `args`."""
    env = clean_environment(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-m", "feed.cli", *args, "--database-url", f"sqlite:///{db}"],
        capture_output=True, timeout=60, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    # Decoded here, not in text mode, which would turn the CSV's CRLF into LF.
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store, imported with `factcard import`."""
    folder = tmp_path_factory.mktemp("redirects")
    documents = {document["slug"]: document for document in demo_documents()}
    documents[DRAFT] = documents["immigration-child-trafficking"] | {"slug": DRAFT, "status": "draft"}
    for field in ("datePublished", "dateModified"):
        documents[DRAFT].pop(field, None)
    for slug, original in ORIGINALS.items():  # the desalination plant's has none
        documents[slug]["originalUrl"] = original
    lines = [orjson.dumps(document) for document in documents.values()]
    source = folder / "archive.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    db = folder / "factcard.db"
    imported = factcard("import", str(source), db=db)
    assert imported.returncode == 0, imported.stderr
    # originalIsCanonical is read from the stored document, written here as the store keeps it
    # (the workflow may not know the field yet).
    store = open_store(f"sqlite:///{db}")
    try:
        record = store.get(CANONICAL)
        assert record is not None and record.status == "published"
        document = record.document | {"originalIsCanonical": True}
        change = Change(document, sort_key(document["datePublished"]), action="none")
        store.update(CANONICAL, change, record.version, stamp(utc_now()))
    finally:
        store.close()
    return db


def redirects(db: Path, *args: str) -> str:
    done = factcard("redirects", "--base-url", BASE, *args, db=db)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return done.stdout


# -- CSV -----------------------------------------------------------------------------------------


def test_the_csv_is_every_public_original_and_its_page(archive: Path) -> None:
    text = redirects(archive, "--format", "csv")
    assert text.startswith("original_url,new_url\r\n")
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    assert header == ["original_url", "new_url"]
    assert [tuple(row) for row in rows] == EXPECTED  # sorted; neither the draft nor the canonical original


def test_drafts_and_canonical_originals_are_in_no_format(archive: Path) -> None:
    for format in ("nginx", "apache", "csv"):
        text = redirects(archive, "--format", format)
        assert "/checks/" in text
        for slug in (DRAFT, CANONICAL):
            assert page(slug) not in text and "drafts/immigration" not in text and "rupee" not in text, format
    assert redirects(archive) == redirects(archive, "--format", "nginx")  # the default


def test_a_store_without_originals_says_so(tmp_path: Path) -> None:
    source = tmp_path / "plain.json"
    source.write_bytes(orjson.dumps(demo_documents()[0]))
    db = tmp_path / "factcard.db"
    assert factcard("import", str(source), db=db).returncode == 0
    for format, expected in [("nginx", "#"), ("apache", "#"), ("csv", "original_url,new_url\r\n")]:
        done = factcard("redirects", "--format", format, "--base-url", BASE, db=db)
        assert done.returncode == 0, done.stderr
        assert "no published or retracted fact-check has an original URL" in done.stderr
        if format == "csv":
            assert done.stdout == expected
        else:
            assert done.stdout.startswith(expected) and done.stdout.count("\n") == 1, done.stdout


def test_redirects_to_the_default_origin_are_refused(archive: Path) -> None:
    done = factcard("redirects", db=archive)
    assert done.returncode == 2 and done.stdout == ""
    assert "set the public base URL" in done.stderr


# -- what both servers are given -----------------------------------------------------------------


def test_an_original_claimed_twice_keeps_the_first_and_says_so() -> None:
    pairs = [
        ("https://news.example/a", "https://factcheck.example/checks/one"),
        ("http://NEWS.example/A", "https://factcheck.example/checks/two"),  # matches as the first does
        ("https://news.example/a/", "https://factcheck.example/checks/three"),  # claims the slash variant
        ("https://factcheck.example/checks/four", "https://factcheck.example/checks/four"),  # a loop
    ]
    planned = plan(pairs)
    assert {(e.host, e.path, e.target.rsplit("/", 1)[1]) for e in planned.entries} == {
        ("news.example", "/A", "two"),  # sorted first: "http://" < "https://"
        ("news.example", "/a/", "three"),
    }
    assert planned.originals == 2
    assert [problem.split()[0] for problem in planned.problems] == [
        "https://factcheck.example/checks/four", "https://news.example/a",
    ]  # fmt: skip


def test_quotes_and_backslashes_stay_inside_each_servers_strings() -> None:
    pairs = [('https://news.example/a"b\\c d?q="x" y', 'https://factcheck.example/checks/"q"\\')]
    assert '"news.example/a%22b\\\\c%20d?q=%22x%22%20y" "https://factcheck.example/checks/\\"q\\"\\\\";' in (
        nginx_map(pairs)
    )
    rules = apache_rules(pairs)
    assert r"RewriteCond %{QUERY_STRING} ^q=%22x%22%20y$ [NC]" in rules
    assert r"RewriteRule ^/a\x22b\x5cc\x20d$ " in rules


# -- nginx ---------------------------------------------------------------------------------------


def missing(what: str) -> None:
    if os.environ.get("FACTCARD_REQUIRE_ALL") == "1":
        pytest.fail(f"{what} not found, and FACTCARD_REQUIRE_ALL=1")
    pytest.skip(f"{what} not found")


def binary(name: str, package: str) -> str:
    found = shutil.which(name) or (str(Path("/usr/sbin") / name) if (Path("/usr/sbin") / name).exists() else None)
    if found is None:
        missing(f"{name} (Debian package {package})")
    assert found is not None
    return found


def nginx_config(tmp: Path, included: Path, port: int) -> str:
    temp_paths = "".join(f"    {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))  # fmt: skip
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers as the master: tmp is private
    return (
        f"{user}worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {included};\n"
        f"    server {{\n        listen 127.0.0.1:{port};\n        {SERVER_LINE}\n"
        "        location / { return 404; }\n    }\n}\n"
    )


@contextmanager
def running(command: list[str], port: int, log: Path) -> Iterator[str]:
    """`command` serving on `port` (its origin), answering, and stopped at the end, whatever happens."""
    with (log.parent / f"{log.stem}.out").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            assert process.poll() is None, f"{command} exited with {process.returncode}: {_read(log)}"
            try:
                httpx.get(f"{origin}/not-an-original", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{command} did not answer within {WAIT:.0f}s: {_read(log)}"
                time.sleep(0.1)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(WAIT)


def _read(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else "(no log)"


def assert_redirects(origin: str) -> None:
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        for host, target, location in REQUESTS:
            response = client.get(origin + target, headers={"Host": host})
            answer = (response.status_code, response.headers.get("location"))
            assert answer == ((301, location) if location else (404, None)), (host, target)


def test_nginx_serves_the_map(archive: Path, tmp_path: Path) -> None:
    nginx = binary("nginx", "nginx")
    text = redirects(archive)
    assert f"#     {SERVER_LINE}\n" in text  # the line the operator is told to put in server {}
    included = tmp_path / "redirects.conf"
    included.write_text(text)
    port = free_port()
    (tmp_path / "nginx.conf").write_text(nginx_config(tmp_path, included, port))
    command = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr, checked.stderr
    with running([*command, "-g", "daemon off;"], port, tmp_path / "error.log") as origin:
        assert_redirects(origin)


def test_nginx_takes_a_large_map_without_a_warning(tmp_path: Path) -> None:
    nginx = binary("nginx", "nginx")
    pairs = [
        (f"https://news{n % 7}.example/{n % 13 * 'section/'}{'long-headline-' * (n % 40)}{n}/", f"{BASE}/checks/c{n}")
        for n in range(6000)
    ]
    included = tmp_path / "redirects.conf"
    included.write_text(nginx_map(pairs))
    (tmp_path / "nginx.conf").write_text(nginx_config(tmp_path, included, free_port()))
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr  # e.g. "could not build optimal map_hash"


# -- Apache --------------------------------------------------------------------------------------


def apache_config(tmp: Path, included: Path, port: int) -> str:
    loaded = "".join(
        f"LoadModule {name}_module {APACHE_MODULES / f'mod_{name}.so'}\n"
        for name in ("mpm_event", "authz_core", "rewrite")
    )
    # As root, Apache hands its worker to an unprivileged user (it refuses to serve as root).
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    (tmp / "empty").mkdir(exist_ok=True)
    # The site's own answer to what is not redirected is a 404 (nginx's location / above).
    return (
        f"ServerRoot {tmp}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {tmp / 'httpd.pid'}\n"
        f"ErrorLog {tmp / 'error.log'}\nLogLevel warn\nDefaultRuntimeDir {tmp}\nMutex file:{tmp}\n{loaded}{user}"
        f"DocumentRoot {tmp / 'empty'}\n<VirtualHost 127.0.0.1:{port}>\n    Include {included}\n"
        "    RewriteRule ^ - [R=404,L]\n</VirtualHost>\n"
    )


def test_apache_serves_the_rules(archive: Path, tmp_path: Path) -> None:
    apache = binary("apache2", "apache2")
    if not (APACHE_MODULES / "mod_rewrite.so").exists():
        missing(f"{APACHE_MODULES / 'mod_rewrite.so'} (Debian package apache2)")
    included = tmp_path / "redirects.conf"
    included.write_text(redirects(archive, "--format", "apache"))
    port = free_port()
    (tmp_path / "httpd.conf").write_text(apache_config(tmp_path, included, port))
    command = [apache, "-f", str(tmp_path / "httpd.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "Syntax OK", checked.stderr
    with running([*command, "-X"], port, tmp_path / "error.log") as origin:
        assert_redirects(origin)
