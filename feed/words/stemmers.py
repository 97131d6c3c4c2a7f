"""Snowball stemmers by language tag (PyStemmer, the Snowball project's own C stemmers).

A language without a Snowball stemmer is searched by its words as written (folded), which is
what a reader types for a language the stemmer would not know either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache

import Stemmer

# BCP 47 primary subtag -> Snowball algorithm. Norwegian Bokmål and Nynorsk share one.
ALGORITHMS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

_local = threading.local()  # a Stemmer object is not safe to share between threads


def primary(language: str | None) -> str:
    """`pt-BR` -> `pt`; None and "" -> ""."""
    return (language or "").split("-")[0].lower()


def stemmer_for(language: str | None) -> Callable[[str], str] | None:
    """The stem function for `language`'s words, or None when Snowball has no stemmer for it."""
    algorithm = ALGORITHMS.get(primary(language))
    if algorithm is None or algorithm not in _available():
        return None
    stemmers: dict[str, Stemmer.Stemmer] = getattr(_local, "stemmers", None) or {}
    _local.stemmers = stemmers
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    stem: Callable[[str], str] = stemmers[algorithm].stemWord
    return stem


@cache
def _available() -> frozenset[str]:
    return frozenset(Stemmer.algorithms())  # asked once: a list made anew on every call


def stemmed_languages() -> list[str]:
    """Every primary subtag with a stemmer."""
    available = _available()
    return sorted(tag for tag, algorithm in ALGORITHMS.items() if algorithm in available)
