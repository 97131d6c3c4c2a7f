"""A reader's query as words to look for: each word's terms in every language it may be in, and
whether it is too common to be required.

Common words ("is", "the", "de", "في") are left out of what a result must contain, so
"is lemon water a cure for cancer" finds "Hot lemon water cures cancer"; they are kept when the
query has nothing else. The lists are stopwords-iso's, per language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import stopwordsiso

from feed.words.analysis import Piece, fold, pieces, terms_of
from feed.words.stemmers import primary

MAX_QUERY_CHARACTERS = 300
MAX_QUERY_WORDS = 16  # more is a pasted paragraph: the first words are what it is about


@dataclass(frozen=True)
class QueryWord:
    piece: Piece
    terms: frozenset[str]
    common: bool  # a stop word in one of the query's languages


@cache
def _stop_words(language: str) -> frozenset[str]:
    if not stopwordsiso.has_lang(language):
        return frozenset()
    return frozenset(fold(word.casefold()) for word in stopwordsiso.stopwords(language))


def is_common(word: str, languages: Sequence[str | None]) -> bool:
    folded = fold(word)
    return any(folded in _stop_words(primary(language)) for language in languages if language)


def query_words(text: str, languages: Sequence[str | None]) -> list[QueryWord]:
    """The words of `text` to look for, each with its terms in every one of `languages`."""
    words = []
    for piece in pieces(text[:MAX_QUERY_CHARACTERS]):
        terms = terms_of(piece, languages)
        if terms:
            words.append(QueryWord(piece, terms, not piece.dense and is_common(piece.text, languages)))
        if len(words) == MAX_QUERY_WORDS:
            break
    return words


def required(words: Sequence[QueryWord]) -> list[QueryWord]:
    """The words a result must contain: the uncommon ones, or all when every one is common."""
    uncommon = [word for word in words if not word.common]
    return uncommon or list(words)
