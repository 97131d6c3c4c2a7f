"""A page's structured data: every ClaimReview it carries, as plain JSON-LD-shaped dicts.

extruct reads the three syntaxes pages use (JSON-LD, microdata, RDFa) and lxml the page's own
facts (canonical link, `<html lang>`, title); nothing here scrapes HTML by hand. What comes out
is uniform: one dict per node, `@type` a string, references (`{"@id": ...}`) replaced by the node
they name, RDFa's expanded IRIs compacted to schema.org names. The quirks of what the nodes
*say* (lists, entities, ratings as strings) are left to `feed.importer.clean`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import extruct
import lxml.etree
import lxml.html

SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")
SYNTAXES = ("json-ld", "microdata", "rdfa")
# A reference nested deeper than this is left as it is: markup can refer in circles.
MAX_DEPTH = 6


@dataclass
class Page:
    """What a fetched or saved HTML page says about itself."""

    url: str  # where it was fetched from (or the file's URL)
    canonical: str | None  # its <link rel="canonical">, resolved against `url`
    html_lang: str | None  # its <html lang>
    title: str | None
    nodes: list[dict[str, Any]] = field(default_factory=list)  # every top-level node, references resolved
    problems: list[str] = field(default_factory=list)  # markup that could not be read, for the report

    @property
    def base(self) -> str:
        """What a relative URL in the markup is resolved against: the canonical link, else the URL fetched."""
        return self.canonical or self.url

    def of_type(self, name: str) -> list[dict[str, Any]]:
        """Every node, at any depth, whose type is `name` (case-insensitive, as pages write it)."""
        wanted = name.casefold()
        return [node for node in walk(self.nodes) if any(t.casefold() == wanted for t in types(node))]


def read_page(html: str | bytes, url: str) -> Page:
    """The structured data of one HTML page fetched from `url`."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    page = Page(url=url, canonical=None, html_lang=None, title=None)
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as error:
        page.problems.append(f"not HTML: {error}")
        return page
    page.html_lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip() or None
    canonical = root.xpath('//head/link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    if canonical and str(canonical[0]).strip():
        page.canonical = urljoin(url, str(canonical[0]).strip())
    titles = root.xpath("//head/title/text()")
    page.title = " ".join(str(titles[0]).split()) if titles else None
    for syntax in SYNTAXES:
        try:
            found = extruct.extract(text, base_url=page.base, syntaxes=[syntax], uniform=True)[syntax]
        except Exception as error:
            page.problems.append(f"{syntax} markup could not be read: {error}")
            continue
        page.nodes.extend(_rdfa_nodes(found) if syntax == "rdfa" else jsonld_nodes(found))
    return page


def types(node: dict[str, Any]) -> list[str]:
    """A node's types as names: `["ClaimReview"]` for "ClaimReview", "schema:ClaimReview" or a schema.org IRI."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [_short(str(value)).removeprefix("schema:") for value in values if value]


def walk(nodes: Any) -> list[dict[str, Any]]:
    """Every dict in `nodes`, depth first (a ClaimReview may sit inside an Article's `review`)."""
    found: list[dict[str, Any]] = []
    stack = [nodes]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            found.append(item)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


# -- JSON-LD and microdata -------------------------------------------------------------------------


def jsonld_nodes(items: list[Any]) -> list[dict[str, Any]]:
    """Top-level nodes, `@graph` unwrapped, `{"@id": ...}` references replaced by their nodes."""
    nodes: list[dict[str, Any]] = []
    for item in items:
        for node in item if isinstance(item, list) else [item]:
            if isinstance(node, dict) and isinstance(node.get("@graph"), list):
                nodes.extend(part for part in node["@graph"] if isinstance(part, dict))
            elif isinstance(node, dict):
                nodes.append(node)
    by_id = {str(node["@id"]): node for node in nodes if isinstance(node.get("@id"), str) and len(node) > 1}
    return [_resolved(node, by_id, 0) for node in nodes]


def _resolved(value: Any, by_id: dict[str, dict[str, Any]], depth: int) -> Any:
    if isinstance(value, list):
        return [_resolved(item, by_id, depth) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"@id"} and str(value["@id"]) in by_id and depth < MAX_DEPTH:
        return _resolved(by_id[str(value["@id"])], by_id, depth + 1)
    if depth >= MAX_DEPTH:
        return value
    return {key: _resolved(item, by_id, depth + 1) if key != "@id" else item for key, item in value.items()}


# -- RDFa: extruct gives expanded JSON-LD (full IRIs, @value objects, blank-node references) --------


def _rdfa_nodes(items: list[Any]) -> list[dict[str, Any]]:
    flat = [item for item in items if isinstance(item, dict) and "@type" in item]
    by_id = {str(item["@id"]): item for item in flat if "@id" in item}
    referenced = {
        str(ref["@id"])
        for item in flat
        for key, values in item.items()
        if not key.startswith("@") and isinstance(values, list)
        for ref in values
        if isinstance(ref, dict) and "@id" in ref
    }
    roots = [item for item in flat if str(item.get("@id")) not in referenced]
    return [_compact(item, by_id, 0) for item in roots]


def _compact(node: dict[str, Any], by_id: dict[str, dict[str, Any]], depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kinds = [_short(str(kind)) for kind in node.get("@type", [])]
    if kinds:
        out["@type"] = kinds[0] if len(kinds) == 1 else kinds
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = _short(key)
        compacted = [_value(value, by_id, depth) for value in values] if isinstance(values, list) else [values]
        out[name] = compacted[0] if len(compacted) == 1 else compacted
    return out


def _value(value: Any, by_id: dict[str, dict[str, Any]], depth: int) -> Any:
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        return value["@value"]
    ref = str(value.get("@id", ""))
    if ref in by_id and depth < MAX_DEPTH:
        return _compact(by_id[ref], by_id, depth + 1)
    return ref or value


def _short(iri: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if iri.startswith(prefix):
            return iri[len(prefix) :]
    return iri
