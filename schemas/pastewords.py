"""The words `schemas.paste` recognises in a pasted article: headings, labels, dates, furniture.

Small tables in English, Spanish, Portuguese, French and German (the bottom line's heading in
Arabic and Hindi too, as the desk writes in those). Every pattern is anchored and
bounded, and the reader only tries them on short lines, so recognising a line costs no more
than reading it.
"""

from __future__ import annotations

import re
from datetime import date

# The title of a fact-check page: "Fact check: X", "FACT CHECK | X", "Verificación: X".
TITLE_PREFIX = re.compile(
    r"(?i)^(?P<word>fact[\s-]?check(?:ed)?|verificaci[oó]n|verificado|chequeo|comprobaci[oó]n"
    r"|verifica[cç][aã]o|checagem|v[ée]rification|faktencheck|faktenpr[üu]fung|faktenfuchs)"
    r"\s*[:|\u2013\u2014-]\s*(?P<rest>\S.*)$"
)
# The language a localised title prefix or month name suggests, when the caller gives none.
PREFIX_LANGUAGE = {
    "verificación": "es", "verificacion": "es", "verificado": "es", "chequeo": "es",
    "comprobación": "es", "comprobacion": "es", "verificação": "pt", "verificacao": "pt",
    "verificaçao": "pt", "verificacão": "pt", "checagem": "pt", "vérification": "fr",
    "faktencheck": "de", "faktenprüfung": "de", "faktenprufung": "de",
    "faktenfuchs": "de",
}  # fmt: skip

_SUMMARY = (
    r"executive summary|summary|in short|in brief|tl;?dr|key (?:points|takeaways?)|the short answer"
    r"|resumen(?: ejecutivo)?|en resumen|en breve|resumo|em resumo|r[ée]sum[ée]|en bref|en r[ée]sum[ée]"
    r"|zusammenfassung|kurz gesagt|das wichtigste in k[üu]rze"
)
_BOTTOM_LINE = (
    r"(?:the )?bottom line|conclusions?|in conclusion|our ruling|our verdict|the verdict"
    r"|conclusi[oó]n(?:es)?|en conclusi[oó]n|nuestra conclusi[oó]n|conclus[aã]o|em conclus[aã]o"
    r"|en conclusion|notre conclusion|fazit|schlussfolgerung|unser fazit"
    r"|الخلاصة|خلاصة القول|الاستنتاج|الخاتمة|निष्कर्ष|अंतिम निष्कर्ष"
)
_SOURCES = (
    r"sources?(?: cited)?|references|works cited|bibliography|citations|fuentes|referencias|fontes"
    r"|refer[êe]ncias|r[ée]f[ée]rences|quellen|quellenangaben|belege"
)
_QUESTIONS = (
    r"want to dive deeper\??|dive deeper|related questions|further reading(?: questions)?|people also ask"
    r"|questions? (?:readers|people) (?:also )?ask|frequently asked questions|faqs?"
    r"|¿?quieres profundizar\??|preguntas relacionadas|perguntas relacionadas|quer saber mais\??"
    r"|questions (?:connexes|li[ée]es)|pour aller plus loin|verwandte fragen|weiterf[üu]hrende fragen"
)


def _heading(words: str) -> re.Pattern[str]:
    # Optional Markdown hashes or a trailing colon, as pasted text often keeps them.
    return re.compile(rf"(?i)^(?:#{{1,6}}\s*)?(?:{words})\s*:?$")


SUMMARY_HEADING = _heading(_SUMMARY)
# A heading over the claim itself, as Full Fact and others print it: the line under it is the claim.
CLAIM_HEADING = _heading(
    r"what was claimed|the claim|claim|lo que se afirm[oó]|la afirmaci[oó]n|o que foi dito|a alega[cç][aã]o"
    r"|ce qui est affirm[ée]|l'affirmation|die behauptung|was behauptet wird"
)
BOTTOM_LINE_HEADING = _heading(_BOTTOM_LINE)
SOURCES_HEADING = _heading(_SOURCES)
QUESTIONS_HEADING = _heading(_QUESTIONS)
# A numbered section heading as written: "1. A dramatic headline", "2) ...", "3 - ...".
NUMBERED_HEADING = re.compile(r"^(?:#{1,6}\s*)?\d{1,3}\s*[.):\-\u2013\u2014]\s+\S")
_NUMBERING = re.compile(r"^\d{1,3}\s*[.):\-\u2013\u2014]\s+(?=\S)")
# A heading that starts with the bottom line's words and goes on: "Bottom line for policy",
# "Conclusión: un remedio casero...". It is the bottom line only as the article's last section.
BOTTOM_LINE_START = re.compile(rf"(?i)^(?:{_BOTTOM_LINE})(?=$|[\s:,.;\u2013\u2014-])")


def without_number(heading: str) -> str:
    """`heading` without the author's leading number ("6. Bottom line" -> "Bottom line"): the page
    numbers sections itself."""
    return _NUMBERING.sub("", heading, count=1)


MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?P<text>\S.*)$")

VERDICT_LINE = re.compile(
    r"(?i)^(?:verdict|rating|our rating|ruling|veredicto|calificaci[oó]n|clasificaci[oó]n"
    r"|veredito|classifica[cç][aã]o|avalia[cç][aã]o|verdict|bewertung|urteil)\s*[:\u2013\u2014-]\s*(?P<value>\S.{0,58})$"
)
CLAIM_LINE = re.compile(
    r"(?i)^(?:claim|the claim|afirmaci[oó]n|la afirmaci[oó]n|alegaci[oó]n|afirma[cç][aã]o|alega[cç][aã]o"
    r"|affirmation|l'affirmation|behauptung|die behauptung)\s*[:\u2013\u2014-]\s*(?P<value>\S.*)$"
)
# 'The claim "immigration leads to child trafficking"' in the summary: the words before the quote.
CLAIM_LEAD = re.compile(
    r"(?i)\b(?:the claim|claims?|la afirmaci[oó]n|a afirma[cç][aã]o|a alega[cç][aã]o|l'affirmation"
    r"|die behauptung)(?: that| de que| que| selon laquelle|,? dass)?,?\s{0,3}(?=[\"\u201c\u201e\u00ab\u2018'])"
)
# Each opening quotation mark and the one that closes it.
QUOTES = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb", "\u2018": "\u2019", "'": "'"}
BYLINE = re.compile(r"(?i)^(?:by|por|par|von)\s+(?P<names>[^\W\d][^.!?:;|\d]{1,118})$")

MONTHS = {
    # English, with the usual abbreviations
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
}  # fmt: skip
MONTH_LANGUAGE = {
    "enero": "es", "febrero": "es", "marzo": "es", "junio": "es", "julio": "es", "septiembre": "es",
    "setiembre": "es", "octubre": "es", "noviembre": "es", "diciembre": "es",
    "janeiro": "pt", "fevereiro": "pt", "março": "pt", "junho": "pt", "julho": "pt", "setembro": "pt",
    "outubro": "pt", "novembro": "pt", "dezembro": "pt",
    "janvier": "fr", "février": "fr", "juillet": "fr", "août": "fr", "octobre": "fr", "décembre": "fr",
    "januar": "de", "februar": "de", "märz": "de", "oktober": "de", "dezember": "de",
}  # fmt: skip

# A date in digits, day and month in either order: 30.10.2025, 10/30/2025.
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?!\d)")
_YEAR = re.compile(r"\d{4}")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_FIRST = re.compile(r"(?i)\b([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_FIRST = re.compile(
    r"(?i)\b(\d{1,2})(?:st|nd|rd|th|º|er)?\.?\s+(?:de\s+)?([^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(\d{4})\b"
)
# What a line that carries the article's date says before it: "Checked on", "Publicado el".
DATE_LABEL = re.compile(
    r"(?i)^(?:checked|fact[\s-]?checked|published|posted|updated|last updated|reviewed|written|date"
    r"|verificado|publicado|actualizado|atualizado|verifi[ée]|publi[ée]|mis[e]? à jour"
    r"|gepr[üu]ft|ver[öo]ffentlicht|aktualisiert|stand)\b"
)
UPDATED_LABEL = re.compile(r"(?i)^(?:updated|last updated|actualizado|atualizado|mis[e]? à jour|aktualisiert)")


def find_date(text: str) -> tuple[str, str | None] | None:
    """The first calendar date in `text` as (ISO date, language of its month name or None).

    A date in digits is read day first with dots (30.10.2025) and with slashes when the order is
    plain (30/10/2025, 10/30/2025); 12/05/2024 could be either and is not read.
    """
    if _YEAR.search(text) is None:
        return None  # every date read has a four-digit year
    for match in _ISO.finditer(text):
        found = _make(int(match[1]), int(match[2]), int(match[3]))
        if found:
            return found, None
    for match in NUMERIC_DATE.finditer(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        if match[2] == "." or (first > 12 and second <= 12):
            found = _make(year, second, first)
        elif second > 12 and first <= 12:
            found = _make(year, first, second)
        else:
            found = None
        if found:
            return found, None
    for match in _MONTH_FIRST.finditer(text):
        month = match[1].lower()
        if month in MONTHS:
            found = _make(int(match[3]), MONTHS[month], int(match[2]))
            if found:
                return found, MONTH_LANGUAGE.get(month)
    for match in _DAY_FIRST.finditer(text):
        month = match[2].lower()
        if month in MONTHS:
            found = _make(int(match[3]), MONTHS[month], int(match[1]))
            if found:
                return found, MONTH_LANGUAGE.get(month)
    return None


def _make(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# Short lines that belong to the site around an article, not to it. Only strong signs: a section
# heading is also a short line without sentence punctuation ("What supporters say"). Words and
# phrases are looked up rather than searched for with one large pattern, which costs far more.
_FURNITURE_START = re.compile(
    r"(?i)^(?:loading\b|\W*(?:share|tweet|email|print|copy link|save|comments?"
    r"|compartir|compartilhar|partilhar|partager|teilen)\b"
    r"(?:\s+(?:on|this|via|article|story|by|en|em|no|na|sur|auf)\b.*)?\W*$"
    r"|log ?in\b|advertisement\b|ads?$|read more\b|©)"
)
_FURNITURE_WORDS = frozenset(
    "donate donation donations subscribe newsletter cookie cookies suscríbete donación donaciones donar"
    " doação assine cargando carregando chargement spende spenden abonnieren".split()
)
_FURNITURE_PHRASES = (
    "goal:", "sign up", "sign in", "skip to", "follow us", "support us", "support our", "support independent",
    "become a member", "become a supporter", "privacy policy", "terms of use", "terms of service",
    "all rights reserved", "inscreva-se", "faire un don", "abonnez-vous", "jetzt spenden", "wird geladen",
)  # fmt: skip
# Sentences that are furniture all the same: an appeal to the reader, a copyright line.
FURNITURE_SENTENCE = re.compile(
    r"(?i)^(?:subscribe|sign up|donate|support (?:us|our)|follow us|become a|suscr[ií]bete|dona\b|assine"
    r"|inscreva-se|abonnez-vous|faites un don|jetzt|abonnieren|©|copyright\b)|all rights reserved"
)
_WORD = re.compile(r"[^\W\d_]+")
_PHRASE_STARTS = frozenset(_WORD.findall(" ".join(phrase.split()[0] for phrase in _FURNITURE_PHRASES)))


def is_furniture(line: str) -> bool:
    """Whether a short line reads like site furniture: an appeal, a widget, a cookie or share line."""
    if _FURNITURE_START.match(line):
        return True
    lower = line.lower()
    found = set(_WORD.findall(lower))
    return (
        not found.isdisjoint(_FURNITURE_WORDS)
        or ("keep" in found and "independent" in found)
        or (not found.isdisjoint(_PHRASE_STARTS) and any(phrase in lower for phrase in _FURNITURE_PHRASES))
    )
