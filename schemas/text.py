"""Which characters text may hold, and how text is made safe for XML.

XML 1.0 cannot carry most C0 control characters, U+FFFE, U+FFFF or unpaired surrogates,
even escaped: one of them makes a whole feed unreadable. New text is refused with them
(and with DEL and the C1 controls, which no prose needs); TAB, LF and CR are allowed.
Text stored before that rule is cleaned on the way out by `xml_safe`.
"""

from __future__ import annotations

import re

_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def character_problem(value: str) -> str | None:
    """Why `value` may not be stored as text, naming the first bad character; None when it may."""
    found = _REFUSED.search(value)
    if found is None:
        return None
    code = ord(found[0])
    if 0xD800 <= code <= 0xDFFF:
        kind = "an unpaired surrogate"
    elif code >= 0xFFFE:
        kind = "a noncharacter"
    else:
        kind = "a control character"
    return f"contains {kind} (U+{code:04X}) at position {found.start()}"


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)
