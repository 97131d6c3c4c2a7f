"""widget.js as served: the loader's source with the service's URL patterns filled in.

The loader builds each card's address from the same patterns the service routes by, so
the two cannot drift apart; the service passes them in (widget/ imports nothing of it).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

SOURCE = Path(__file__).with_name("static") / "widget.js"
PLACEHOLDER = b"/*PATHS*/null"  # in widget.js, where the patterns go


@dataclass(frozen=True)
class WidgetScript:
    body: bytes
    digest: str  # names the immutable copy
    integrity: str  # Subresource Integrity value for hosts that pin it


def widget_script(paths: Mapping[str, str]) -> WidgetScript:
    """The loader with `paths` (name -> pattern such as /embed/{slug}) in place of its placeholder."""
    source = SOURCE.read_bytes()
    if source.count(PLACEHOLDER) != 1:
        raise ValueError(f"{SOURCE} must hold {PLACEHOLDER.decode()} exactly once")
    body = source.replace(PLACEHOLDER, orjson.dumps(dict(paths)))
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    return WidgetScript(body, hashlib.sha256(body).hexdigest()[:16], integrity)
