"""What a user installs: the wheel and sdist, run from fresh virtual environments outside the checkout.

The rest of the suite imports the checkout. These tests build the distributions the way a user's
`pip install .` does, install them where the checkout cannot be imported, start `factcard serve
--demo` from the install in an empty directory, and read every public URL from it. They also run
the README's first command, exactly as written, on a copy of the checkout with the system Python
(on Debian and Ubuntu an "externally managed" one, which refuses a plain `pip install`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from email.message import Message
from html import unescape
from pathlib import Path
from urllib.parse import quote, urlsplit

import orjson
import pytest
from lxml import etree

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("feed", "schemas", "widget")
README = ROOT / "README.md"
pytestmark = pytest.mark.install


def package_files() -> set[str]:
    """Every file of the three packages in the tree (what git tracks, when this is a checkout)."""
    listed = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout.strip():
        return {name for name in listed.stdout.splitlines() if (ROOT / name).is_file()}
    return {
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built from it (as `python -m build` and pip do)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True, capture_output=True)
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def test_wheel_holds_every_package_file(dists: dict[str, Path]) -> None:
    in_wheel = set(zipfile.ZipFile(dists["wheel"]).namelist())
    missing = sorted(package_files() - in_wheel)
    assert not missing, f"the wheel lacks package files (add them to package-data in pyproject.toml): {missing}"


def test_sdist_holds_every_package_file(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        in_sdist = {name.partition("/")[2] for name in sdist.getnames()}
    missing = sorted(package_files() - in_sdist)
    assert not missing, f"the sdist lacks package files: {missing}"


# -- a server started from an install ------------------------------------------------------------


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment of a new shell: nothing that points at this checkout or at settings."""
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_ROOT_USER_ACTION"] = "ignore"
    return {**env, **extra}


class Server:
    """A `factcard serve` process; its output is kept for the failure message."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], port: int, timeout: float = 240):
        self.log = cwd / "server.log"
        self.origin = f"http://127.0.0.1:{port}"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.origin + "/robots.txt", timeout=2):  # noqa: S310 (our http origin)
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"the server did not answer within {timeout} s:\n{self.output()}") from None
                time.sleep(0.25)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def fetch(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (only our http origin)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


_URL = re.compile(r"""https?://[^\s"'<>\\)]+""")
# Identifiers that look like URLs but name no document: the Atom category scheme of verdicts.
NOT_DOCUMENTS = ("/verdicts",)


def same_origin_urls(origin: str, body: bytes, headers: Message) -> set[str]:
    """Every URL of `origin` that a body or a Link header names, fragments dropped."""
    found = set()
    # Unescaped first: embed code shown in a page is HTML-escaped markup holding URLs.
    texts = [unescape(body.decode("utf-8", "replace")), headers.get("Link") or ""]
    for text in texts:
        for match in _URL.findall(text):
            url = match.rstrip(".,;")
            if (url.startswith(origin + "/") or url == origin) and urlsplit(url).path not in NOT_DOCUMENTS:
                found.add(url.partition("#")[0])
    return found


def check_body(url: str, content_type: str, body: bytes) -> None:
    """The body parses as what its media type says."""
    if "json" in content_type:
        orjson.loads(body)
    elif "xml" in content_type:
        etree.fromstring(body)
    elif content_type.startswith("text/html"):
        assert body.lstrip().lower().startswith(b"<!doctype html>"), url


def crawl(origin: str, seeds: list[str], limit: int = 400) -> dict[str, tuple[int, str]]:
    """GET every same-origin URL reachable from `seeds`: {url: (status, content type)}."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [origin + seed for seed in seeds]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        status, headers, body = fetch(url)
        content_type = headers.get("Content-Type", "")
        seen[url] = (status, content_type)
        if status == 200:
            check_body(url, content_type, body)
            if not content_type.startswith(("image/", "font/")):
                queue.extend(u for u in same_origin_urls(origin, body, headers) if u not in seen)
    return seen


@pytest.fixture(scope="module")
def installed_server(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`factcard serve --demo` from the wheel in a fresh virtual environment, in an empty directory."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(dists["wheel"])],
        env=clean_environment(), capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    workdir = root / "empty"
    workdir.mkdir()
    port = free_port()
    server = Server([str(venv / "bin" / "factcard"), "serve", "--demo", "--port", str(port)],
                    workdir, clean_environment(), port)  # fmt: skip
    yield server
    server.stop()


def test_the_install_imports_nothing_from_the_checkout(installed_server: Server) -> None:
    venv_python = Path(installed_server.process.args[0]).parent / "python"  # type: ignore[index]
    code = "import feed, schemas, widget; print(feed.__file__, schemas.__file__, widget.__file__)"
    where = subprocess.run(
        [str(venv_python), "-c", code],
        cwd=installed_server.log.parent, env=clean_environment(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(ROOT) not in where and where.count("site-packages") == 3, where


def test_installed_server_answers_every_public_url(installed_server: Server) -> None:
    origin = installed_server.origin
    documents = orjson.loads(fetch(origin + "/feed.json")[2])["items"]
    slugs = [item["url"].rsplit("/", 1)[1] for item in documents]
    assert len(slugs) == 8, slugs
    seeds = [
        "/", "/feed.json", "/feed.atom", "/claimreview.json", "/sitemap.xml", "/robots.txt", "/openapi.json",
        "/widget.js", "/widget.json", "/scales.css", "/api/checks", "/favicon.ico",
    ]  # fmt: skip
    for slug in slugs:
        seeds += [f"/checks/{slug}", f"/checks/{slug}.json"]
        seeds += [f"/embed/{slug}?theme={theme}" for theme in ("light", "dark", "auto")]
        seeds.append("/oembed?url=" + quote(f"{origin}/checks/{slug}", safe=""))
    seen = crawl(origin, seeds)
    failed = {url: status for url, (status, _) in seen.items() if status != 200}
    assert not failed, f"{failed}\n{installed_server.output()}"
    paths = {urlsplit(url).path for url in seen}
    for expected in ("/static/", "/widget/", "/embed/", "/checks/"):
        assert any(path.startswith(expected) for path in paths), (expected, sorted(paths))
    assert any(path.endswith(".json") and path.startswith("/checks/") for path in paths)


def test_pages_link_to_the_port_being_served(installed_server: Server) -> None:
    """No base URL was set, so every link follows the address served (not the default port)."""
    origin = installed_server.origin
    port = urlsplit(origin).port
    assert port != 8000
    # The whole log: the startup line is followed by the access log's lines.
    assert f"on {origin} " in installed_server.log.read_text()
    slug = orjson.loads(fetch(origin + "/feed.json")[2])["items"][0]["url"].rsplit("/", 1)[1]
    for path in ("/", f"/checks/{slug}", f"/checks/{slug}.json", "/feed.json", "/feed.atom", "/sitemap.xml",
                 "/robots.txt", f"/embed/{slug}"):  # fmt: skip
        _, headers, body = fetch(origin + path)
        local = re.findall(rb"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?", body + str(headers).encode())
        assert local, path
        assert set(local) == {origin.encode()}, (path, set(local))
    # oEmbed answers for the page's own canonical URL.
    page = fetch(f"{origin}/checks/{slug}")[2].decode()
    discovery = re.search(r'type="application/json\+oembed" href="([^"]+)"', page)
    assert discovery is not None
    status, _, body = fetch(unescape(discovery[1]))
    assert status == 200 and orjson.loads(body)["type"] == "rich"


# -- the README's first command, exactly as written ------------------------------------------------


def readme_commands() -> list[str]:
    """The command lines of the README's set-up blocks, in order."""
    setup = README.read_text().split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", setup, re.S)]


def system_python_path() -> str:
    """PATH with the operating system's Python first (Debian's, "externally managed", when present)."""
    marker = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    path = os.environ.get("PATH", "/usr/bin:/bin")
    return "/usr/bin:/bin:" + path if marker and Path("/usr/bin/python3").exists() else path


def test_readme_first_command_serves_the_demo_with_the_system_python(tmp_path: Path) -> None:
    command = readme_commands()[0]
    assert "\n" not in command and "serve" in command, command
    copy = tmp_path / "factcard"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in tracked.split():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    port = free_port()
    env = clean_environment(PATH=system_python_path())
    server = Server(["bash", "-c", f"{command} --port {port}"], copy, env, port)
    try:
        status, _, body = fetch(server.origin + "/")
        assert status == 200 and body.count(b"/checks/") >= 4
        assert b"127.0.0.1:8000" not in body
        assert (copy / "factcard.db").is_file()
        config = (copy / ".venv" / "pyvenv.cfg").read_text()
        if system_python_path() != os.environ.get("PATH"):
            assert "home = /usr/bin" in config, config  # made by the system Python, as a user's would be
    finally:
        server.stop()
