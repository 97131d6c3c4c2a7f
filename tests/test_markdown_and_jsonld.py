from __future__ import annotations

import json

from schemas.jsonld import script_safe_json
from schemas.markdown import citation_numbers, parse_inline, plain_text


def test_inline_markdown_becomes_nodes_with_citations() -> None:
    nodes = parse_inline("A **bold** claim [2], see [the report](https://example.org/r).")
    assert nodes == [
        {"t": "text", "v": "A "},
        {"t": "strong", "c": [{"t": "text", "v": "bold"}]},
        {"t": "text", "v": " claim "},
        {"t": "cite", "n": 2},
        {"t": "text", "v": ", see "},
        {"t": "link", "href": "https://example.org/r", "c": [{"t": "text", "v": "the report"}]},
        {"t": "text", "v": "."},
    ]


def test_links_to_other_schemes_stay_text() -> None:
    nodes = parse_inline("[click](javascript:alert(1))")
    assert all(node["t"] == "text" for node in nodes)


def test_citation_numbers_skip_links() -> None:
    assert citation_numbers("one [1] two [12] and [3](https://x.org)") == [1, 12]


def test_plain_text_drops_markup_and_markers() -> None:
    assert plain_text("It is *not* true [1].") == "It is not true."


def test_script_safe_json_cannot_close_a_script_element() -> None:
    data = {"text": "</script><script>alert(1)</script> & \u2028\u2029 <!--"}
    encoded = script_safe_json(data)
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in encoded
    assert json.loads(encoded) == data
