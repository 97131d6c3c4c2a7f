"""A small inline Markdown reader that returns nodes, never HTML.

Fact-check paragraphs use a little Markdown: **strong**, *emphasis*,
`code`, [links](https://...) and numbered citation markers such as [3].
Parsing to nodes lets an autoescaped template do all the HTML, so text can
never become markup. Links to anything but http(s) stay plain text.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.urls import url_problem

Node = dict[str, Any]

_INLINE = re.compile(
    r"\*\*(?P<strong>.+?)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"
    r"|`(?P<code>[^`]+)`"
    r"|\[(?P<label>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\[(?P<cite>\d{1,4})\]"
)
_CITATION = re.compile(r"\[(\d{1,4})\](?!\()")


def parse_inline(text: str) -> list[Node]:
    """Nodes for one paragraph: text, strong, em, code, link and cite."""
    nodes: list[Node] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            nodes.append({"t": "text", "v": text[position : match.start()]})
        groups = match.groupdict()
        if groups["strong"] is not None:
            nodes.append({"t": "strong", "c": parse_inline(groups["strong"])})
        elif groups["em"] is not None:
            nodes.append({"t": "em", "c": parse_inline(groups["em"])})
        elif groups["code"] is not None:
            nodes.append({"t": "code", "v": groups["code"]})
        elif groups["href"] is not None:
            if url_problem(groups["href"]) is None:
                nodes.append({"t": "link", "href": groups["href"], "c": parse_inline(groups["label"])})
            else:
                nodes.append({"t": "text", "v": match.group(0)})
        else:
            nodes.append({"t": "cite", "n": int(groups["cite"])})
        position = match.end()
    if position < len(text):
        nodes.append({"t": "text", "v": text[position:]})
    return nodes


def citation_numbers(text: str) -> list[int]:
    """The source numbers that `text` cites with markers like [2]."""
    return [int(n) for n in _CITATION.findall(text)]


def plain_text(text: str) -> str:
    """`text` without Markdown markup or citation markers, for meta tags and feeds."""
    parts: list[str] = []

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if node["t"] in ("text", "code"):
                parts.append(node["v"])
            elif node["t"] != "cite":
                walk(node["c"])

    walk(parse_inline(text))
    collapsed = re.sub(r"\s+", " ", "".join(parts))
    # Removing a marker like "itself [3]." leaves "itself ."; close the gap.
    return re.sub(r" ([.,;:!?])", r"\1", collapsed).strip()
