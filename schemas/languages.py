"""Facts about languages that every output needs: which way their text runs."""

from __future__ import annotations

RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb"}


def text_direction(language: str) -> str:
    """`rtl` for a language written right to left, else `ltr` (BCP 47 tags, any region)."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
