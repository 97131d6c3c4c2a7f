"""Text into search terms: words found, folded and stemmed, for the index and for queries alike.

A word gives several terms, and a query word matches a document word when any of their terms
meet: the word folded as written (so an exact word matches in any language), its stem, and the
stem of its folded form. Stemming before and after folding both count because Snowball's rules
expect accents ("vacunación" and "vacunacion" need not stem alike) while readers often leave them
out; keeping both makes either spelling find the other.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import regex

from feed.words.stemmers import primary, stemmer_for

# Scripts written without spaces between words: searched by overlapping pairs of characters,
# which need no dictionary and find a word of two characters or more wherever it is written.
_DENSE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_PIECES = regex.compile(
    rf"(?V1)(?P<dense>[{_DENSE}][{_DENSE}\p{{M}}]*)|(?P<word>[[\p{{L}}\p{{M}}\p{{N}}]--[{_DENSE}]]+)"
)
_CLUSTER = regex.compile(r"\X")
_FOLDED_SCRIPTS = regex.compile(r"[\p{Latin}\p{Greek}\p{Cyrillic}]")
_ARABIC = regex.compile(r"\p{Arabic}")
_NONSPACING = regex.compile(r"\p{Mn}+")
# Short vowels, shadda, sukun, the dagger alef and the tatweel: written or not, the same word.
_ARABIC_MARKS = regex.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
MAX_TERM = 60  # characters; a longer "word" (a hash, a run of letters) is cut, on both sides alike


@dataclass(frozen=True)
class Piece:
    """A word, or a pair of characters of a dense script, and where it is in the text."""

    text: str  # as written, in normalised form and lower case
    start: int
    end: int
    dense: bool = False


def pieces(text: str) -> Iterator[Piece]:
    """The words of `text` in reading order, with their offsets into `text` itself."""
    for match in _PIECES.finditer(text):
        if match.group("dense") is None:
            yield Piece(_normal(match.group()), match.start(), match.end())
            continue
        clusters = [(m.start(), m.end()) for m in _CLUSTER.finditer(match.group())]
        base = match.start()
        if len(clusters) == 1:
            yield Piece(_normal(match.group()), match.start(), match.end(), dense=True)
        for (start, _), (_, end) in pairwise(clusters):
            yield Piece(_normal(match.group()[start:end]), base + start, base + end, dense=True)


_ARABIC_CONJUNCTIONS = "وف"  # "and", "so": written joined to the next word


def _normal(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


def fold(word: str) -> str:
    """`word` as readers type it either way: accents off Latin, Greek and Cyrillic letters, Arabic's
    short vowels off and its alternative spellings of a letter made one. Other scripts keep their
    marks, which are letters' vowels there (Devanagari's matras), not accents."""
    if _FOLDED_SCRIPTS.search(word):
        word = unicodedata.normalize("NFC", _NONSPACING.sub("", unicodedata.normalize("NFD", word)))
        word = word.translate(_LATIN_LETTERS)
    if _ARABIC.search(word):
        word = _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)
    return word[:MAX_TERM]


def terms_of(piece: Piece, languages: Iterable[str | None]) -> frozenset[str]:
    """The terms `piece` stands for, stemmed by each of `languages` (a document has its one; a
    query takes every language it may be looking in)."""
    return _terms(piece.text, piece.dense, tuple(languages))


# Words recur (a Zipf distribution: a few hundred make half of any text), so each word's terms
# are made once per process and language set; indexing an archive is mostly these lookups.
@lru_cache(maxsize=65_536)  # some 20 MB at most
def _terms(text: str, dense: bool, languages: tuple[str | None, ...]) -> frozenset[str]:
    folded = fold(text)
    if dense or not folded or folded.isdigit():
        return frozenset({folded} if folded else ())
    terms = {folded}
    for language in languages:
        stem = stemmer_for(language)
        if stem is not None:
            terms.add(stem(folded)[:MAX_TERM])
            terms.add(fold(stem(text)))
            if folded[0] in _ARABIC_CONJUNCTIONS and len(folded) > 4 and primary(language or "") == "ar":
                terms.add(stem(folded[1:])[:MAX_TERM])  # Snowball keeps و or ف before ال: "and the ..."
    terms.discard("")
    return frozenset(terms)


def text_terms(text: str, language: str | None) -> list[frozenset[str]]:
    """The terms of each word of `text`, written in `language`, in order (a position each)."""
    return [terms_of(piece, (language,)) for piece in pieces(text)]
