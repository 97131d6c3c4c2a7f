"""A small inline Markdown reader that returns nodes, never HTML.

Fact-check paragraphs use a little Markdown: **strong**, *emphasis*,
`code`, [links](https://...) and numbered citation markers such as [3].
Parsing to nodes lets an autoescaped template do all the HTML, so text can
never become markup. Links to anything but http(s) stay plain text.

The reader follows CommonMark's inline rules for that subset (code spans bind
first; `*` runs pair by the flanking and rule-of-three rules; no link inside a
link) and runs in time linear in the text, whatever the text: every character
is looked at a bounded number of times, so a run of `[` or `*` costs no more
than prose. A text's first MAX_TEXT_MARKS runs of markup are read as markup
and the rest is left as written, which bounds the work and the tree of any one
text. Everything else (backslash escapes, entities, `_`, raw HTML, images,
autolinks, titles in links) is left as the text it is.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any

from schemas.urls import MAX_URL_LENGTH, link_problem

Node = dict[str, Any]

# Deeper emphasis than this is shown as its literal `*`s: a reader gains nothing from it, and the
# templates render the tree by recursion.
MAX_NESTING = 12
# Runs of markup characters read per text. Real paragraphs hold a few dozen; the bound keeps the
# cost of a text, and the size of its tree, small whatever the text.
MAX_TEXT_MARKS = 1_000
_ANY_MARK = re.compile(r"[`*\[\]]")
_MARK = re.compile(r"`+|\*+|\[+|\]+")
# Where the next construct can start; everything between two matches is plain text.
_CITE = r"\[\d{1,4}\](?!\()"
_SPECIAL = re.compile(rf"(?P<code>`+)|(?P<star>\*+)|(?P<cite>{_CITE})|(?P<open>\[+?(?=[^\[]|$|{_CITE}))|(?P<close>\]+)")
_BACKTICKS = re.compile(r"`+")
# `(destination)` after a `]`: no spaces, and parentheses only in balanced pairs one deep.
# Possessive throughout: a failed match gives nothing back, so it never costs more than one pass.
_DESTINATION = re.compile(r"\([ \t]*+(?:\n[ \t]*+)?+([^\s()]*+(?:\([^\s()]*+\)[^\s()]*+)*+)[ \t]*+(?:\n[ \t]*+)?+\)")
# A destination longer than any acceptable URL is not one, so no look-ahead goes further.
_DESTINATION_SCAN = MAX_URL_LENGTH + 64
_WHITESPACE = re.compile(r"\s+")
_GAP_BEFORE_PUNCTUATION = re.compile(r" ([.,;:!?])")


_OTHER, _SPACE, _PUNCTUATION = 0, 1, 2
_ASCII_CLASS = [
    _SPACE if c in "\t\n\f\r " else _PUNCTUATION if c in string.punctuation else _OTHER for c in map(chr, range(128))
]


def _character_class(ch: str) -> int:
    """Whitespace, punctuation or other, as CommonMark's flanking rules see a character."""
    if ch < "\x80":
        return _ASCII_CLASS[ord(ch)]
    category = unicodedata.category(ch)
    return _SPACE if category == "Zs" else _PUNCTUATION if category[0] in "PS" else _OTHER


class _Parser:
    def __init__(self, text: str, max_marks: int):
        self.text = text
        self.max_marks = max_marks
        # str (text), dict (code, cite), int (a `*` run), ("[", n) and ("]", n) (bracket runs).
        self.tokens: list[Any] = []
        # Runs are kept by number in reading order, in columns: plain lists of numbers rather than
        # objects linked both ways, which the garbage collector would walk again and again.
        # `*` runs: run 0 stands before the text; `prev` and `next` link the runs not yet settled.
        self.length = [0]
        self.count = [0]  # `*`s of the run not yet used by a pair
        self.can_open = [False]
        self.can_close = [False]
        self.prev = [-1]
        self.next = [-1]
        self.opens: dict[int, list[int]] = {}  # 1 (em) or 2 (strong), innermost first
        self.closes: dict[int, list[int]] = {}
        self.top = 0  # the last run not yet settled
        # `[` runs: at most one `[` of a run opens a link, and those before it are then inactive.
        self.open_length: list[int] = []
        self.open_count: list[int] = []  # brackets of the run still waiting for their `]`
        self.open_floor: list[int] = []  # the last `*` run before it: the floor for emphasis inside a link
        self.open_epoch: list[int] = []  # links formed before it; a later link makes it inactive
        self.link_at: dict[int, tuple[int, str]] = {}  # which `[` of the run opens a link, and to where
        self.brackets: list[int] = []  # `[` runs with brackets still waiting
        self.epoch = 0
        # `]` runs: the last `]` of a run may close a link, taking `(destination)` with it.
        self.close_length: list[int] = []
        self.closes_link: set[int] = set()
        # Backtick runs met while looking for closers, by length; the text is looked through once.
        self.backticks: dict[int, list[int]] = {}
        self.backtick_seen: dict[int, int] = {}  # run length -> how many of those lie behind
        self.backtick_scan = _BACKTICKS.finditer(text)

    def scan(self) -> None:
        text, tokens = self.text, self.tokens
        pos = marks = 0
        for match in _SPECIAL.finditer(text):
            start, stop = match.span()
            if start < pos:
                continue  # inside a code span or a link destination already taken
            if marks == self.max_marks:
                break
            marks += 1
            if start > pos:
                tokens.append(text[pos:start])
            kind = match.lastgroup
            if kind == "code":
                stop = self.code_span(start, stop)
            elif kind == "star":
                self.star_run(start, stop)
            elif kind == "cite":
                tokens.append({"t": "cite", "n": int(text[start + 1 : stop - 1])})
            elif kind == "open":
                self.open_run(stop - start)
            else:
                stop = self.close_run(start, stop)
            pos = stop
        if pos < len(text):
            tokens.append(text[pos:])

    def code_span(self, start: int, stop: int) -> int:
        """A code span from the run at `start` to the next run of the same length, else literal backticks."""
        length = stop - start
        starts = self.backticks.setdefault(length, [])
        seen = self.backtick_seen.get(length, 0)
        while seen < len(starts) and starts[seen] <= start:
            seen += 1
        self.backtick_seen[length] = seen
        if seen == len(starts):
            for run in self.backtick_scan:
                if run.start() > start:
                    self.backticks.setdefault(run.end() - run.start(), []).append(run.start())
                    if run.end() - run.start() == length:
                        break
        if seen == len(starts):
            self.tokens.append(self.text[start:stop])
            return stop
        closing = starts[seen]
        content = self.text[stop:closing].replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip(" "):
            content = content[1:-1]
        self.tokens.append({"t": "code", "v": content})
        return closing + length

    def star_run(self, start: int, stop: int) -> None:
        text = self.text
        before = text[start - 1] if start > 0 else " "
        after = text[stop] if stop < len(text) else " "
        ahead, behind = _character_class(after), _character_class(before)
        left = ahead == _OTHER or (ahead == _PUNCTUATION and behind != _OTHER)
        right = behind == _OTHER or (behind == _PUNCTUATION and ahead != _OTHER)
        run = len(self.length)
        self.length.append(stop - start)
        self.count.append(stop - start)
        self.can_open.append(left)
        self.can_close.append(right)
        self.prev.append(self.top)
        self.next.append(-1)
        self.next[self.top] = run
        self.top = run
        self.tokens.append(run)

    def open_run(self, length: int) -> None:
        run = len(self.open_length)
        self.open_length.append(length)
        self.open_count.append(length)
        self.open_floor.append(self.top)
        self.open_epoch.append(self.epoch)
        self.brackets.append(run)
        self.tokens.append(("[", run))

    def close_run(self, start: int, stop: int) -> int:
        """Each `]` takes the nearest `[`; the last one may make a link of it. Returns where to go on."""
        closer = len(self.close_length)
        self.close_length.append(stop - start)
        self.tokens.append(("]", closer))
        # All but the last are followed by another `]`, not by a destination: each just takes its `[`.
        self.pop_brackets(stop - start - 1)
        if not self.brackets:
            return stop
        opener = self.brackets[-1]
        self.pop_brackets(1)
        if self.open_epoch[opener] != self.epoch or self.tokens[-2] == ("[", opener):  # inactive, or empty
            return stop
        destination = _DESTINATION.match(self.text, stop, min(len(self.text), stop + _DESTINATION_SCAN))
        if destination is None or link_problem(destination[1]) is not None:
            return stop
        self.link_at[opener] = (self.open_count[opener], destination[1])
        self.closes_link.add(closer)
        self.emphasis(self.open_floor[opener])
        self.epoch += 1  # no link inside a link: every `[` before this one is now inactive
        return destination.end()

    def pop_brackets(self, count: int) -> None:
        """Take the `count` nearest unclosed `[` (or as many as there are), whole runs at a time."""
        while count and self.brackets:
            opener = self.brackets[-1]
            taken = min(count, self.open_count[opener])
            self.open_count[opener] -= taken
            count -= taken
            if self.open_count[opener] == 0:
                self.brackets.pop()

    def emphasis(self, bottom: int) -> None:
        """CommonMark's "process emphasis" for the `*` runs after `bottom`, which are then settled.

        Each closer looks back for an opener no further than where the last fruitless search of its
        kind stopped, so the whole pass is linear.
        """
        length, count, can_open, can_close, prev, following = (
            self.length, self.count, self.can_open, self.can_close, self.prev, self.next
        )  # fmt: skip
        openers_bottom: dict[tuple[bool, int], int] = {}
        closer = following[bottom]
        while closer != -1:
            if not can_close[closer]:
                closer = following[closer]
                continue
            key = (can_open[closer], length[closer] % 3)
            stop_at = openers_bottom.get(key, bottom)
            opener = prev[closer]
            while opener > stop_at:  # runs are numbered in reading order
                odd = (
                    (can_open[closer] or can_close[opener])
                    and length[closer] % 3 != 0
                    and (length[opener] + length[closer]) % 3 == 0
                )
                if can_open[opener] and not odd:
                    break
                opener = prev[opener]
            else:
                openers_bottom[key] = prev[closer]
                after = following[closer]
                if not can_open[closer]:
                    self._remove(closer)
                closer = after
                continue
            used = 2 if count[opener] >= 2 and count[closer] >= 2 else 1
            count[opener] -= used
            count[closer] -= used
            self.opens.setdefault(opener, []).append(used)
            self.closes.setdefault(closer, []).append(used)
            following[opener], prev[closer] = closer, opener  # the runs between stay literal
            if count[opener] == 0:
                self._remove(opener)
            if count[closer] == 0:
                after = following[closer]
                self._remove(closer)
                closer = after
        # What is left of the runs after `bottom` is literal.
        self.top = bottom
        following[bottom] = -1

    def _remove(self, run: int) -> None:
        before, after = self.prev[run], self.next[run]
        self.next[before] = after
        if after != -1:
            self.prev[after] = before
        if self.top == run:
            self.top = before

    def tree(self) -> list[Node]:
        """The tokens as nested nodes, adjacent text merged."""
        root: list[Node] = []
        children = root
        stack: list[tuple[list[Node], str]] = []  # the enclosing lists, and the markup that closes each
        pending: list[str] = []
        emphasis_depth = 0
        in_link = False

        def flush() -> None:
            value = "".join(pending)
            if value:
                children.append({"t": "text", "v": value})
            pending.clear()

        def open_node(node: Node, markup: str) -> None:
            nonlocal children
            flush()
            children.append(node)
            stack.append((children, markup))
            children = node["c"]

        def close_node() -> None:
            nonlocal children
            flush()
            children, _ = stack.pop()

        for token in self.tokens:
            if type(token) is str:
                pending.append(token)
            elif type(token) is dict:
                if token["t"] == "cite" and in_link:
                    pending.append(f"[{token['n']}]")  # a marker inside a link's text is just text
                else:
                    flush()
                    children.append(token)
            elif type(token) is int:
                for used in self.closes.get(token, ()):
                    if stack[-1][1] == "*" * used:
                        close_node()
                        emphasis_depth -= 1
                    else:
                        pending.append("*" * used)
                        stack.pop()
                pending.append("*" * self.count[token])
                for used in reversed(self.opens.get(token, ())):
                    if emphasis_depth < MAX_NESTING:
                        emphasis_depth += 1
                        open_node({"t": "strong" if used == 2 else "em", "c": []}, "*" * used)
                    else:
                        pending.append("*" * used)
                        stack.append((children, "flat"))
            elif token[0] == "[":
                length = self.open_length[token[1]]
                link = self.link_at.get(token[1])
                if link is None:
                    pending.append("[" * length)
                else:
                    at, href = link
                    pending.append("[" * at)
                    open_node({"t": "link", "href": href, "c": []}, "link")
                    in_link = True
                    pending.append("[" * (length - at - 1))
            else:
                length = self.close_length[token[1]]
                if token[1] in self.closes_link:
                    pending.append("]" * (length - 1))
                    close_node()
                    in_link = False
                else:
                    pending.append("]" * length)
        flush()
        return root


def parse_inline(text: str, *, max_marks: int = MAX_TEXT_MARKS) -> list[Node]:
    """Nodes for one paragraph: text, strong, em, code, link and cite.

    Only the first `max_marks` runs of markup characters are read as markup; the rest of an
    implausibly marked-up text stays as it was written.
    """
    if not _ANY_MARK.search(text):
        return [{"t": "text", "v": text}] if text else []
    parser = _Parser(text, max_marks)
    parser.scan()
    parser.emphasis(0)
    return parser.tree()


def mark_count(text: str) -> int:
    """How many runs of markup characters `text` holds: a bound on the work of reading it."""
    return len(_MARK.findall(text)) if _ANY_MARK.search(text) else 0


def _walk(nodes: list[Node]) -> list[Node]:
    """Every node of the tree, in reading order (the tree is only MAX_NESTING deep)."""
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        if "c" in node:
            out.extend(_walk(node["c"]))
    return out


def citation_numbers(text: str) -> list[int]:
    """The source numbers that `text` cites with markers like [2], in reading order."""
    return [node["n"] for node in _walk(parse_inline(text)) if node["t"] == "cite"]


def plain_text(text: str) -> str:
    """`text` without Markdown markup or citation markers, for meta tags and feeds."""
    parts = [node["v"] for node in _walk(parse_inline(text)) if node["t"] in ("text", "code")]
    collapsed = _WHITESPACE.sub(" ", "".join(parts))
    # Removing a marker like "itself [3]." leaves "itself ."; close the gap.
    return _GAP_BEFORE_PUNCTUATION.sub(r"\1", collapsed).strip()
