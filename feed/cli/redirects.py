"""`factcard redirects`: from each imported fact-check's original URL to its page here, written
for the old site's web server (an nginx map, Apache mod_rewrite rules) or as CSV.

A newsroom that moves its archive here keeps its old links working. Only what readers can see is
redirected to: published and retracted fact-checks, never drafts; one whose document says
`originalIsCanonical` keeps its original as the canonical page and is left out.

nginx and Apache match the same way: on the host (any port, either scheme), then the path and
query string as a browser sends them (characters outside ASCII percent-encoded as UTF-8), with
ASCII letters matched ignoring case, as an nginx map does. An original without a query string
also answers with any query string (an old link with tracking parameters) and with or without a
trailing slash, unless another original claims that address.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from feed.cli.settings import base_url_given
from feed.store import Record
from schemas.urls import as_uri

Pair = tuple[str, str]  # (original URL, new URL)
PUBLIC = ("published", "retracted")
SERVER_LINE = "if ($factcard_redirect) { return 301 $factcard_redirect; }"
NONE = "# factcard redirects: no published or retracted fact-check has an original URL\n"
DOLLAR = "${factcard_dollar}"  # nginx reads `$` in a value as a variable: a geo block holds a literal one

# What a browser percent-encodes in a path and in a query (the WHATWG URL standard's percent-encode
# sets), beside controls, space and everything outside ASCII; `%` is left as it is.
PATH_ENCODED = frozenset('"#<>?`{}')
QUERY_ENCODED = frozenset("\"#<>'")
REGEX_SPECIAL = frozenset(".^$|?*+()[]{}")


def add_parsers(commands: Any, parent: argparse.ArgumentParser) -> None:
    redirects = commands.add_parser(
        "redirects", parents=[parent],
        help="print redirects from original URLs to their pages here",
        description="Print a redirect from the original URL of each published or retracted fact-check "
        "to its page here, for the old site's web server: an nginx map, Apache rewrite rules, or CSV.",
    )  # fmt: skip
    redirects.add_argument(
        "--format", choices=sorted(FORMATS), default="nginx",
        help="nginx: a map for the http {} context; apache: rules for the VirtualHost; csv: "
        "original_url,new_url rows (default nginx)",
    )  # fmt: skip


def cmd_redirects(args: argparse.Namespace, publishing: Any) -> int:
    if not base_url_given(args):
        print(
            "error: set the public base URL (--base-url or FACTCARD_BASE_URL): permanent redirects "
            "to the default http://127.0.0.1:8000 would send readers nowhere",
            file=sys.stderr,
        )
        return 2
    pairs = redirect_pairs(publishing.store.all_records(), publishing.page_url)
    sys.stdout.write(FORMATS[args.format](pairs))
    if args.format != "csv":
        for problem in plan(pairs).problems:
            print(f"warning: {problem}", file=sys.stderr)
    if not pairs:
        print("no published or retracted fact-check has an original URL: there is nothing to redirect",
              file=sys.stderr)  # fmt: skip
    return 0


def redirect_pairs(records: Iterable[Record], page_url: Callable[[str], str]) -> list[Pair]:
    """(original URL, page here) of each public fact-check that has an original to redirect, sorted."""
    pairs = set()
    for record in records:
        original = record.document.get("originalUrl")
        if record.status not in PUBLIC or not original or record.document.get("originalIsCanonical"):
            continue
        pairs.add((str(original), page_url(record.slug)))
    return sorted(pairs)


# -- what the web servers match ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One redirect as a web server matches it."""

    host: str  # lowercase ASCII (IDNA), without port or trailing dot, as nginx's $host
    path: str  # as a browser sends it, never empty
    query: str | None  # as a browser sends it; None: any query string, or none
    target: str

    @property
    def key(self) -> str:
        """The nginx map key: $host then $request_uri (or only its path, for any query)."""
        return self.host + self.path + ("" if self.query is None else "?" + self.query)


@dataclass(frozen=True)
class Plan:
    entries: list[Entry]  # exact queries first, then by host, path and query
    originals: int  # how many originals the entries redirect (beside their trailing-slash variants)
    problems: list[str]  # originals left out, and why


def plan(pairs: Iterable[Pair]) -> Plan:
    """The entries for `pairs`: the first of two originals that match alike wins (they are sorted),
    and the other is named among the problems, as is one that would redirect to itself."""
    claimed: dict[str, Entry] = {}
    problems = []
    for original, target in sorted(pairs):
        entry = _entry(original, target)
        if entry is None:
            problems.append(f"{original} is not an http or https URL with a host; not redirected")
            continue
        seen = claimed.get(entry.key.lower())
        if seen is not None:
            if seen.target != target:
                problems.append(f"{original} matches as an earlier original does; not redirected to {target}")
            continue
        if entry.key.lower() == _key(target):
            problems.append(f"{original} is its own new URL; not redirected (it would loop)")
            continue
        claimed[entry.key.lower()] = entry
    originals = len(claimed)
    for entry in list(claimed.values()):
        if entry.query is None and entry.path != "/":  # the same page with, or without, a trailing slash
            other = entry.path[:-1] if entry.path.endswith("/") else entry.path + "/"
            variant = Entry(entry.host, other, None, entry.target)
            if variant.key.lower() != _key(entry.target):
                claimed.setdefault(variant.key.lower(), variant)
    entries = sorted(claimed.values(), key=lambda e: (e.query is None, e.host, e.path.lower(), e.query or ""))
    return Plan(entries, originals, problems)


def _key(url: str) -> str | None:
    """The lowercase nginx map key a request for `url` looks up first."""
    entry = _entry(url, url)
    return entry.key.lower() if entry else None


def _entry(url: str, target: str) -> Entry | None:
    try:
        split = urlsplit(as_uri(url))
    except ValueError:  # e.g. an unclosed IPv6 bracket, in a document stored before URLs were checked
        return None
    if split.scheme.lower() not in ("http", "https") or not split.hostname:
        return None
    host = split.hostname.rstrip(".")  # urlsplit lowercases it
    if ":" in host:  # IPv6, which $host and Host keep in brackets
        host = f"[{host}]"
    query = _as_sent(split.query, QUERY_ENCODED) if split.query else None
    return Entry(host, _as_sent(split.path or "/", PATH_ENCODED), query, target)


def _as_sent(text: str, encoded: frozenset[str]) -> str:
    return "".join(
        "".join(f"%{byte:02X}" for byte in char.encode()) if not "!" <= char <= "~" or char in encoded else char
        for char in text
    )


# -- nginx ---------------------------------------------------------------------------------------


def nginx_map(pairs: Iterable[Pair]) -> str:
    """A configuration for nginx's http {} context that sets $factcard_redirect to the new URL of
    a request for an original (SERVER_LINE, in the old site's server {}, sends it there)."""
    planned = plan(pairs)
    entries = planned.entries
    if not entries:
        return NONE
    exact = [e for e in entries if e.query is not None]
    by_path = [e for e in entries if e.query is None]
    bucket, most = _hash_sizes([e.key for e in entries], max(len(exact), len(by_path)))
    lines = [
        f"# factcard redirects: {planned.originals} original URL(s) of fact-checks, moved to their pages here.",
        "# Include this file in the http {} context of the old site's nginx, and put this line in its server {}:",
        f"#     {SERVER_LINE}",
        "# Matched on the host (any port, http or https), then the path and query as sent (ignoring case);",
        "# an original without a query string also matches with any query, and with or without a final slash.",
        "# The map sizes below fit these keys; if http {} sets either already, keep only the larger value.",
        f"map_hash_bucket_size {bucket};",
        f"map_hash_max_size {most};",
        "",
    ]
    if any("$" in e.target for e in entries):
        lines += ['geo $factcard_dollar { default "$"; }', ""]
    lines += ["map $request_uri $factcard_request_path {", '    "~^([^?]*)" $1;', "}", ""]
    lines += _nginx_block("$host$request_uri $factcard_redirect_exact", exact)
    lines += _nginx_block("$host$factcard_request_path $factcard_redirect_path", by_path)
    lines += [
        "map $factcard_redirect_exact $factcard_redirect {",
        '    "" $factcard_redirect_path;',
        "    default $factcard_redirect_exact;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _nginx_block(head: str, entries: list[Entry]) -> list[str]:
    rows = [f"    {_nginx_string(e.key)} {_nginx_string(e.target).replace('$', DOLLAR)};" for e in entries]
    return [f"map {head} {{", *rows, "}", ""]


def _nginx_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hash_sizes(keys: list[str], count: int) -> tuple[int, int]:
    """map_hash_bucket_size and map_hash_max_size for `keys`, `count` in the largest map. nginx
    fills buckets at random and needs each to hold what falls in it: with room for eight of the
    longest key (on 64-bit, its length and 10 bytes, in 8-byte words) and twice as many buckets
    as keys, an overflow is vanishingly rare; the default 64 bytes hold no key above about 40."""
    element = 8 + _align(max(len(key) for key in keys) + 2, 8)
    bucket = min(_align(8 * element + 8, 64), 65536 - 64)
    return bucket, max(1024, 2 * count)


def _align(size: int, to: int) -> int:
    return -(-size // to) * to


# -- Apache --------------------------------------------------------------------------------------


def apache_rules(pairs: Iterable[Pair]) -> str:
    """mod_rewrite rules for the old site's VirtualHost, one per address, that redirect (301) a
    request for an original to its new URL."""
    planned = plan(pairs)
    entries = planned.entries
    if not entries:
        return NONE
    lines = [
        f"# factcard redirects: {planned.originals} original URL(s) of fact-checks, moved to their pages here.",
        "# Put these lines in the old site's <VirtualHost> (the server configuration; not .htaccess),",
        "# with mod_rewrite loaded (Debian: a2enmod rewrite).",
        "# Matched on the host (any port, http or https), then the path and query as sent (ignoring case);",
        "# an original without a query string also matches with any query, and with or without a final slash.",
        "RewriteEngine On",
    ]
    written = set()
    for entry in entries:
        # mod_rewrite matches the path percent-decoded, with repeated slashes merged (MergeSlashes).
        path = b"/" + b"/".join(part for part in unquote_to_bytes(entry.path).split(b"/") if part)
        if entry.path.endswith("/") and path != b"/":
            path += b"/"
        seen = (entry.host, path.lower(), None if entry.query is None else entry.query.lower())
        if seen in written:
            continue
        written.add(seen)
        lines += ["", rf"RewriteCond %{{HTTP_HOST}} ^{_regex(entry.host.encode())}\.?(:[0-9]+)?$ [NC]"]
        if entry.query is not None:
            lines.append(f"RewriteCond %{{QUERY_STRING}} ^{_regex(entry.query.encode())}$ [NC]")
        target = entry.target.replace("$", r"\$").replace("%", r"\%")  # literal, not back-references
        lines.append(f"RewriteRule ^{_regex(path)}$ {target} [NC,R=301,L,NE,QSD]")
    return "\n".join(lines) + "\n"


def _regex(data: bytes) -> str:
    """A PCRE that matches `data` and nothing else, written as one token of an Apache directive:
    metacharacters escaped, and a space, quote, backslash or byte outside ASCII as \\xHH."""
    out = []
    for byte in data:
        char = chr(byte)
        if char in REGEX_SPECIAL:
            out.append("\\" + char)
        elif "!" <= char <= "~" and char not in "\"'\\":
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


# -- CSV -----------------------------------------------------------------------------------------


def csv_rows(pairs: Iterable[Pair]) -> str:
    """RFC 4180 CSV: a header, then one row per original, sorted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("original_url", "new_url"))
    writer.writerows(sorted(set(pairs)))
    return out.getvalue()


FORMATS: dict[str, Callable[[Iterable[Pair]], str]] = {"nginx": nginx_map, "apache": apache_rules, "csv": csv_rows}
