"""Read a fact-check article pasted as plain text into a document draft for a writer to check.

`read_article` never raises and never invents prose: every paragraph in the draft is a line
(or hard-wrapped lines) of the pasted text as written, with its [n] markers and quotation
marks; headings keep the author's numbering. What it could not find or had to guess is said in
`notes`, in plain English. The draft holds only keys that `schemas.document` describes, and
leaves a required key out rather than filling it with "" (a verdict, a headline, a summary),
so the desk's validation names what is still missing.

How an article is read, line by line and once (the work is linear in the text):
- the title is the first line like "Fact check: X" ("FACT CHECK | X", "Verificación: X", ...),
  else the first line that reads like a headline; lines before it are site furniture and dropped,
  as are short lines after it that read like furniture ("Loading...", "Share on Facebook");
- label lines near the top give the date ("Checked on October 30, 2025"), a byline, the claim
  ("Claim: X", or the line under "What was claimed"; else the title after a "Fact check:"
  prefix, a claim quoted in the summary, or the headline) and a "Verdict:"/"Rating:" (a verdict
  is only ever copied, never guessed);
- a "Summary" heading gives the summary; without one, the first paragraph does (copied when it
  sits under a section heading); other paragraphs before the first heading make a first section
  whose heading is left for the writer;
- numbered headings ("1. A dramatic headline") and unnumbered ones start sections; a heading's
  leading number is removed ("A dramatic headline"), since the page numbers sections itself;
- a "Sources" list gives sources; a "Want to dive deeper?" list gives related questions.

Bottom line: a heading that says only "Bottom line" (or "Conclusion", "Conclusión", "Fazit",
"الخلاصة"..., numbered or not) fills `bottomLine` wherever it stands. A heading that starts with
those words and goes on ("6. Bottom line for policy and public debate") fills it when it heads
the article's last section; earlier ("Conclusions of the 2019 study") it stays a section. Either
way the bottom line is then not also a section; a note names a longer heading it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemas import pastewords as words
from schemas.pastedraft import Found, plural

MAX_INPUT = 2_000_000  # characters read; the rest is left out, with a note
SHORT = 300  # the longest line tried as a title, heading, label or question
LIST_ITEM = 2_500  # the longest line tried as a source (URLs can be long)

_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile("[\\s\u00a0\u2007\u202f\u200b]+")
_MARKUP = re.compile(r"^(?:#{1,6}\s*|>\s*)+")  # Markdown heading and quote marks
_SENTENCE = re.compile(r"[^\s.][.!?](?:\s|$)")
_ENDS_PARAGRAPH = tuple('.!?…:;"\u201d\u2019\u00bb)]')
_CITATION = re.compile(r"\[\d{1,4}\]")
_URL = re.compile(r"https?://[^\s<>\"]+")
_MARKDOWN_LINK = re.compile(r"^\[(?P<title>[^\]]{1,300})\]\((?P<url>https?://[^)\s]+)\)")
_SOURCE_ITEM = re.compile(r"^(?:\[(?P<bracket>\d{1,3})\]|(?P<number>\d{1,3})[.):]|[-*\u2022\u2013])\s*(?P<rest>\S.*)$")
_CITED_SOURCE = re.compile(r"^\[\d{1,3}\]\s+\S")
_BULLET = re.compile(r"^(?:[-*\u2022\u2013]|\d{1,3}[.)])\s+")
_SEPARATOR = re.compile(r"\s+[\u2013\u2014|-]\s+")  # between a source's title and its publisher
_NAMES = re.compile(r"\s*,\s*|\s+(?:and|y|e|et|und|&)\s+")


@dataclass
class PastedArticle:
    """A document draft in the shape `schemas.document` describes, and what the writer must still do."""

    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def read_article(text: str, language: str | None = None, today: date | None = None) -> PastedArticle:
    """Read pasted `text` into a fact-check draft; `language` is the article's BCP 47 tag if known,
    `today` the date a slug is made from when the headline has nothing to transliterate."""
    reader = _Reader()
    if not isinstance(text, str):
        reader.notes.append("The pasted content was not text: paste the article's text")
        text = ""
    if len(text) > MAX_INPUT:
        reader.notes.append(f"Read the first {MAX_INPUT:,} characters only: the rest was left out")
        text = text[:MAX_INPUT]
    # A byte order mark carries nothing; pasted text from files often starts with one.
    text, removed = _CONTROL.subn("", _BREAKS.sub("\n", text.replace("\ufeff", "")))
    lines = [line.rstrip() for line in text.split("\n")]
    if removed:
        reader.notes.append(f"Removed {removed} control character{plural(removed)} that text cannot hold")
    reader.read(lines)
    return PastedArticle(reader.draft(language if isinstance(language, str) else None, today), reader.notes)


def _key(line: str) -> str | None:
    """A short line as matched: spaces collapsed, Markdown heading and bold marks off; None if long."""
    if len(line) > SHORT:
        return None
    flat = _SPACES.sub(" ", line).replace("**", "").replace("__", "").strip()
    return _MARKUP.sub("", flat, count=1).strip("*_ ")


class _Reader(Found):
    """Reads lines once, recording what it finds; `Found.draft` turns that into the document."""

    # -- reading ----------------------------------------------------------------------------------

    def read(self, lines: list[str]) -> None:
        filled = [bool(line.strip()) for line in lines]
        following = [len(lines)] * (len(lines) + 1)  # the next non-blank line after each
        for index in range(len(lines) - 2, -1, -1):
            following[index] = index + 1 if filled[index + 1] else following[index + 1]
        start = self.find_title(lines)
        blank = True
        for index in range(start, len(lines)):
            line = lines[index]
            if not filled[index]:
                blank = True
                continue
            key = _key(line)
            if key == "":
                blank = True  # only markup, such as "**" or "#": a separator, like a blank line
                continue
            starts_block, blank = blank, False
            if key is not None and self.furniture(key):
                self.dropped.append(line)
                self.end_paragraph()
                continue
            nxt = following[index]
            after = lines[nxt] if nxt < len(lines) else ""
            # A line that goes on in lowercase right below is the start of a hard-wrapped paragraph.
            heading_may_start = starts_block and not (nxt == index + 1 and after.lstrip()[:1].islower())
            if key is not None and self.structure(key, heading_may_start, after):
                self.end_paragraph()
                continue
            self.prose(line.strip(), starts_block)
        self.end_paragraph()

    def find_title(self, lines: list[str]) -> int:
        """The index after the title line (0 without one); lines before it count as furniture."""
        candidates = [index for index, line in enumerate(lines) if line.strip()][:100]
        found = None
        for index in candidates:
            key = _key(lines[index])
            match = words.TITLE_PREFIX.match(key) if key else None
            if match:
                found, self.headline, self.prefixed = index, match["rest"].strip(), True
                self.guessed_language = words.PREFIX_LANGUAGE.get(match["word"].lower())
                break
        if found is None:
            for index in candidates:
                key = _key(lines[index])
                if key and self.title_like(key):
                    found, self.headline = index, key
                    break
        if found is None:
            return 0
        self.dropped.extend(line for line in lines[:found] if line.strip())
        return found + 1

    def title_like(self, key: str) -> bool:
        named = (words.SUMMARY_HEADING, words.BOTTOM_LINE_HEADING, words.SOURCES_HEADING, words.QUESTIONS_HEADING)
        return (
            10 <= len(key) <= SHORT
            and len(key.split()) >= 3
            and not key.endswith((".", ",", ";", ":"))
            and not self.furniture(key)
            and words.find_date(key) is None
            and not any(pattern.match(key) for pattern in named)
            and not words.VERDICT_LINE.match(key)
            and not words.CLAIM_LINE.match(key)
            and not words.NUMBERED_HEADING.match(key)
            and not words.BYLINE.match(key)
        )

    def furniture(self, key: str) -> bool:
        """Short lines without sentence punctuation, or appeals ("Subscribe to our newsletter.")."""
        if _CITATION.search(key) or not words.is_furniture(key):
            return False  # the article's own text cites its sources
        return not _SENTENCE.search(key) or bool(words.FURNITURE_SENTENCE.search(key))

    def structure(self, key: str, heading_may_start: bool, next_line: str) -> bool:
        """True when the line is a heading, a label or a list item, recorded as such."""
        plain = words.without_number(key)  # "6. Bottom line" names the bottom line too
        for pattern, mode in (
            (words.SUMMARY_HEADING, "summary"),
            (words.QUESTIONS_HEADING, "questions"),
            (words.SOURCES_HEADING, "sources"),
            (words.BOTTOM_LINE_HEADING, "bottom"),
            (words.CLAIM_HEADING, "claim"),
        ):
            if pattern.match(plain):
                self.mode = mode
                return True
        if self.mode in ("lead", "summary") and self.label(key):
            return True
        if self.mode not in ("sources", "questions") and self.verdict is None:
            match = words.VERDICT_LINE.match(key)
            value = match["value"].strip().rstrip(".") if match else ""
            if value and not _SENTENCE.search(value):  # "Rating: Mostly false", not a sentence
                self.verdict = value
                return True
        if self.mode == "questions":
            if key.endswith("?") and not _CITATION.search(key):
                self.questions.append(_BULLET.sub("", key))
                return True
            self.mode = "after"
        if _URL.search(key):
            return False  # a source line, not a heading
        if words.NUMBERED_HEADING.match(key) and not key.endswith((".", ",", ";")) and self.mode != "sources":
            self.start_section(key)
            return True
        if heading_may_start and self.heading_like(key, next_line):
            self.start_section(key)
            return True
        return False

    def label(self, key: str) -> bool:
        """A date, byline or claim line near the top of the article."""
        match = words.CLAIM_LINE.match(key)
        if match and self.claim is None:
            self.claim = match["value"].strip()
            return True
        if len(key) <= 80:
            found = words.find_date(key)
            if found and (words.DATE_LABEL.match(key) or len(key) <= 40):
                iso, language = found
                if words.UPDATED_LABEL.match(key) and self.modified is None:
                    self.modified = iso
                elif self.published is None:
                    self.published = iso
                self.guessed_language = self.guessed_language or language
                return True
            if found is None and words.DATE_LABEL.match(key) and words.NUMERIC_DATE.search(key):
                self.notes.append(f"The date in {key[:80]!r} could be day or month first: add it")
                return True
        match = words.BYLINE.match(key)
        if match and not self.authors and match["names"][0].isupper():  # not "By the numbers"
            self.authors = [name for name in _NAMES.split(match["names"].strip()) if name]
            return bool(self.authors)
        return False

    def heading_like(self, key: str, next_line: str) -> bool:
        """An unnumbered heading: a short line alone, without sentence punctuation, before prose."""
        nxt = next_line.strip()
        return (
            len(key) <= 120
            and not key.endswith((".", ",", ";", ":", "!", "…"))
            and not _CITATION.search(key)
            and (key[0].isupper() or key[0].isdigit() or key[0] in "\"\u201c\u00bf\u00a1'")
            and (len(nxt) > 120 or nxt.endswith(_ENDS_PARAGRAPH))
            and not nxt.endswith("?")
        )

    def start_section(self, heading: str) -> None:
        self.mode = "section"
        plain = words.without_number(heading)
        if words.BOTTOM_LINE_START.match(plain):
            self.bottom_candidate = len(self.sections)  # the bottom line if no section follows
        self.sections.append({"heading": plain, "paragraphs": []})

    def prose(self, line: str, starts_block: bool) -> None:
        if self.mode in ("sources", "after") or (len(line) <= LIST_ITEM and _CITED_SOURCE.match(line)):
            if len(line) <= LIST_ITEM and self.source(line):
                self.mode = "sources"
                self.end_paragraph()
                return
            self.mode = "after"
            self.left_out.append(line)
            return
        if self.mode == "claim":
            self.mode = "section" if self.sections else "lead"
            if self.claim is None and len(line) <= SHORT:
                self.claim = line
                return
        target = {"lead": self.lead, "summary": self.summary, "bottom": self.bottom}.get(self.mode)
        if target is None:
            target = self.sections[-1]["paragraphs"] if self.sections else self.lead
        if not starts_block and self.target is target and self.lines and not self.lines[-1].endswith(_ENDS_PARAGRAPH):
            self.lines.append(line)  # a hard-wrapped paragraph goes on
            return
        self.end_paragraph()
        target.append(line)
        self.target, self.lines = target, [line]

    def end_paragraph(self) -> None:
        """Join the lines of a hard-wrapped paragraph once it ends (joining as it grows costs more)."""
        if self.target is not None and len(self.lines) > 1:
            self.target[-1] = "\n".join(self.lines)
        self.target, self.lines = None, []

    def source(self, line: str) -> bool:
        """Record a line of a source list ("[1] Title - Publisher, https://..."); False if it is none."""
        match = _SOURCE_ITEM.match(line)
        number_text = (match["bracket"] or match["number"]) if match else None
        rest = match["rest"] if match else line
        url_match = _URL.search(rest)
        if match is None and url_match is not None and url_match.start() == 0 and self.sources:
            last = self.sources[-1][1]
            if "url" not in last:  # the URL of the previous item, on its own line
                last["url"] = _clean_url(url_match[0])
                return True
        if (
            match is None
            and url_match is None
            and (self.mode != "sources" or len(line) > SHORT or _SENTENCE.search(line))
        ):
            return False  # a title alone is a source only right under a sources heading
        item: dict[str, str] = {}
        link = _MARKDOWN_LINK.match(rest)
        if link:
            item["title"], url, rest = link["title"].strip(), link["url"], rest[link.end() :]
        elif url_match:
            url = _clean_url(url_match[0])
            before = rest[: url_match.start()].strip(" \t,;:|.\u2013\u2014-([<")
            after = rest[url_match.end() :].strip(" \t,;:|.\u2013\u2014-)]>")
            rest = before or after
        else:
            url = ""
        if url:
            item["url"] = url
        if rest and "title" not in item:
            separators = list(_SEPARATOR.finditer(rest)) if len(rest) <= SHORT else []
            cut = separators[-1] if separators else None  # the publisher comes last
            item["title"] = (rest[: cut.start()] if cut else rest).strip(" .")
            if cut and rest[cut.end() :].strip(" ."):
                item["publisher"] = rest[cut.end() :].strip(" .")
        if not item.get("title"):
            item.pop("title", None)
        if not item:
            return False
        self.sources.append((int(number_text) if number_text else None, item))
        return True


def _clean_url(url: str) -> str:
    url = url.rstrip(".,;:!?'\u201d\u2019")
    return url[:-1] if url.endswith(")") and "(" not in url else url
