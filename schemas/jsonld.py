"""JSON that is safe inside an HTML `<script>` element.

`</script>` in any text would end the element and let the rest run as
markup, and U+2028/U+2029 break older JavaScript parsers. Escaping `<`, `>`
and `&` (and the two separators) as \\uXXXX keeps the JSON identical once
parsed while no byte sequence can close the element.
"""

from __future__ import annotations

from typing import Any

import orjson

_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_safe_json(data: Any) -> str:
    """`data` as JSON text that can be placed verbatim inside `<script type="application/ld+json">`."""
    return orjson.dumps(data).decode("utf-8").translate(_ESCAPES)
