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


def test_code_spans_bind_before_links_and_emphasis() -> None:
    assert parse_inline("`a [b](https://x.org) *c*` d") == [
        {"t": "code", "v": "a [b](https://x.org) *c*"},
        {"t": "text", "v": " d"},
    ]
    assert parse_inline("` padded `") == [{"t": "code", "v": "padded"}]


def test_link_destinations_may_hold_balanced_parentheses() -> None:
    (link,) = parse_inline("[Foo](https://en.wikipedia.org/wiki/Foo_(bar))")
    assert link["href"] == "https://en.wikipedia.org/wiki/Foo_(bar)"


def test_no_link_or_citation_inside_a_link() -> None:
    # A marker inside a link's text is text: it would otherwise be a link inside a link.
    assert parse_inline("[see [1]](https://x.org)") == [
        {"t": "link", "href": "https://x.org", "c": [{"t": "text", "v": "see [1]"}]}
    ]
    assert citation_numbers("[see [1]](https://x.org) and [2]") == [2]
    nodes = parse_inline("[a [b](https://y.org)](https://x.org)")
    assert [node["t"] for node in nodes] == ["text", "link", "text"]


def test_markers_inside_emphasis_and_what_stays_text() -> None:
    assert parse_inline("**[1]** and *[2]*") == [
        {"t": "strong", "c": [{"t": "cite", "n": 1}]},
        {"t": "text", "v": " and "},
        {"t": "em", "c": [{"t": "cite", "n": 2}]},
    ]
    # Underscores, empty links and links with titles are not part of the subset.
    for text in ("snake_case and _under_", "[](https://x.org)", '[a](https://x.org "title")'):
        assert parse_inline(text) == [{"t": "text", "v": text}]
    assert parse_inline("***both***") == [{"t": "em", "c": [{"t": "strong", "c": [{"t": "text", "v": "both"}]}]}]
