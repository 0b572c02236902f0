"""Snippets: the passage of an article that best shows why it matched.

Whoosh 2.7's highlighter was seen choosing different fragments in different
processes for the same input, so arsearch picks passages itself, as a pure
function of the text and the query terms: the same input always gives the
same snippet.

Words are matched by their analysed terms, so a query for المفاوضات marks
بالمفاوضات and المفاوضاتُ in the text, but the marks cover the original,
un-normalized characters the reader sees.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass

from ..analysis import TermPipeline
from ..analysis.tokenizer import spans

#: Default snippet length, in characters.
SNIPPET_CHARS = 220

_WHITESPACE = re.compile(r"\s+")
# Places a passage may start: after a sentence end or a line break.
_SENTENCE_START = re.compile(r"(?:[.!?؟۔\n]|\.\.\.)\s*")

# A run of Latin script inside Arabic text: words of Latin letters (digits,
# and . ' ’ & / @ + _ - between them), joined by spaces, with an @ or # in
# front and a colon after. In right-to-left text the bidi algorithm may move
# its neutral parts (the @, the colon) to the wrong side: "@OilDesk:" shows
# as ":OilDesk@". Isolated in <bdi>, the run is laid out as one unit.
# Punctuation that ends the Arabic sentence ("قالت Reuters.") stays outside.
_LATIN = "A-Za-z\u00C0-\u024F\u1E00-\u1EFF"
_LATIN_WORD = (f"[@#]?[{_LATIN}][{_LATIN}0-9]*(?:[.'’&/@+_-][{_LATIN}0-9]+)*")
_LATIN_RUN = re.compile(f"(?<![{_LATIN}0-9]){_LATIN_WORD}"
                        f"(?:[ \t]+[@#]?[{_LATIN}0-9][{_LATIN}0-9]*(?:[.'’&/@+_-][{_LATIN}0-9]+)*)*"
                        f":?(?![{_LATIN}0-9])")


@dataclass(frozen=True)
class Passage:
    """A stretch of text with the character spans of matched words
    (relative to ``text``). ``cut_start``/``cut_end`` say whether the passage
    begins or ends inside the original text."""

    text: str
    marks: tuple[tuple[int, int], ...]
    cut_start: bool = False
    cut_end: bool = False

    def render(self, start: str = "<mark>", end: str = "</mark>", *,
               escape: bool = True, isolate: bool = False, ellipsis: str = "…") -> str:
        """The passage with each match wrapped in ``start``/``end``.

        With ``escape`` (the default) the text is HTML-escaped, so the
        result can go straight into a web page. With ``isolate``, each run
        of Latin script that right-to-left layout would reorder (see
        :func:`latin_runs`) is also wrapped in ``<bdi>…</bdi>``.

        >>> Passage("قصف على غزة", ((8, 11),)).render("[", "]", escape=False)
        'قصف على [غزة]'
        >>> Passage("كتب @OilDesk: ارتفع النفط", ((4, 12),)).render(isolate=True)
        'كتب <bdi><mark>@OilDesk</mark>:</bdi> ارتفع النفط'
        """
        def esc(part: str) -> str:
            # Snippets are one line: paragraph breaks become spaces.
            part = _WHITESPACE.sub(" ", part)
            return html.escape(part) if escape else part

        # (position, order, tag): at one position, closing tags come before
        # opening ones, and a run of Latin opens outside the marks it holds.
        tags: list[tuple[int, int, str]] = []
        for a, b in self.marks:
            tags += [(a, 3, start), (b, 0, end)]
        if isolate:
            for a, b in latin_runs(self.text):
                # A run that cuts a mark in two cannot be nested: leave it be.
                if all(b <= ma or a >= mb or (a <= ma and mb <= b) for ma, mb in self.marks):
                    tags += [(a, 2, "<bdi>"), (b, 1, "</bdi>")]
            tags.sort()
        out = [ellipsis] if self.cut_start else []
        last = 0
        for position, _, tag in tags:
            out.append(esc(self.text[last:position]))
            out.append(tag)
            last = position
        out.append(esc(self.text[last:]))
        if self.cut_end:
            out.append(ellipsis)
        return "".join(out)

    @property
    def plain(self) -> str:
        return self.render("", "", escape=False)


def latin_runs(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the runs of Latin script in ``text``
    that right-to-left layout would reorder: those with a neutral character
    at an edge, an ``@``/``#`` before or a colon after. (A plain Latin word
    or phrase is laid out right without help.)

    >>> text = "قال @OilDesk: ارتفع خام Brent إلى 90 دولاراً، و#OPEC تجتمع."
    >>> [text[a:b] for a, b in latin_runs(text)]
    ['@OilDesk:', '#OPEC']
    """
    return [m.span() for m in _LATIN_RUN.finditer(text)
            if m.group()[0] in "@#" or m.group()[-1] == ":"]


def matches(text: str, terms: Collection[str], pipeline: TermPipeline) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` for every word of ``text`` whose analysed term
    is one of ``terms``."""
    if not terms or not text:
        return []
    out = []
    # A text repeats its words: each distinct one is analysed and checked
    # once (its first matching term, or None).
    verdicts: dict[str, str | None] = {}
    for surface, start, end, _ in spans(text):
        try:
            term = verdicts[surface]
        except KeyError:
            term = verdicts[surface] = next((t for t in pipeline(surface) if t in terms), None)
        if term is not None:
            out.append((start, end, term))
    return out


#: How far a passage's edge may move back to a word boundary, in characters.
_WORD_SLACK = 20


def _trim_start(text: str, start: int, first_match: int, slack: int) -> int:
    """Move ``start`` to the beginning of the sentence holding the first
    match, when that is near; otherwise to the start of a word: back to the
    start of the word it falls in when that is near, else forward to the
    next word (never past the first match). A passage never starts inside a
    word: ``…صل الرجل`` for a body starting ``وصل الرجل``."""
    floor = max(0, first_match - slack)
    best = None
    for m in _SENTENCE_START.finditer(text, floor, first_match):
        best = m.end()
    if best is not None and best <= first_match:
        return best
    if start <= 0 or text[start - 1].isspace():
        return max(start, 0)
    back = start
    while back > 0 and not text[back - 1].isspace() and start - back < _WORD_SLACK:
        back -= 1
    if back == 0 or text[back - 1].isspace():
        return back
    ahead = _WHITESPACE.search(text, start, first_match)
    return ahead.end() if ahead is not None else first_match


def _trim_end(text: str, end: int) -> int:
    """Move ``end`` to the end of a word: back to the space before the word
    it falls in when that is near, else forward to the end of that word."""
    if end >= len(text):
        return len(text)
    if text[end].isspace() or text[end - 1].isspace():
        return end
    space = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end))
    if space > 0 and end - space < _WORD_SLACK:
        return space
    ahead = _WHITESPACE.search(text, end)
    return ahead.start() if ahead is not None else len(text)


def best_passage(text: str, terms: Collection[str], pipeline: TermPipeline,
                 size: int = SNIPPET_CHARS) -> Passage:
    """The passage of about ``size`` characters holding the most distinct
    query terms (then the most matches, then the earliest).

    >>> from arsearch.analysis import TermPipeline
    >>> text = "افتتح المعرض أمس. وقال المنظمون إن المعرضَ يضم ٢٠٠ جناح."
    >>> best_passage(text, {"معرض"}, TermPipeline(), size=45).render("[", "]", escape=False)
    'افتتح [المعرض] أمس. وقال المنظمون إن [المعرضَ]…'
    """
    text = text.strip()
    if not text:
        return Passage("", ())
    found = matches(text, terms, pipeline)
    if not found:
        end = _trim_end(text, size)
        return Passage(text[:end].rstrip(), (), False, end < len(text))
    best_key: tuple[int, int, int] | None = None
    best_i = 0
    j = 0
    for i, (a, _, _) in enumerate(found):
        # Matches that fit in a window starting at match i.
        if j < i:
            j = i
        while j + 1 < len(found) and found[j + 1][1] - a <= size:
            j += 1
        window = found[i:j + 1]
        key = (len({t for _, _, t in window}), len(window), -a)
        if best_key is None or key > best_key:
            best_key, best_i = key, i
    first = found[best_i][0]
    # Start a little before the first match, so it has some context.
    start = _trim_start(text, max(0, first - size // 5), first, size // 3)
    end = _trim_end(text, max(start + size, found[best_i][1]))
    passage = text[start:end]
    lead = len(passage) - len(passage.lstrip())
    passage = passage.strip()
    start += lead
    marks = tuple((a - start, b - start) for a, b, _ in found if a >= start and b <= start + len(passage))
    return Passage(passage, marks, start > 0, start + len(passage) < len(text))


def mark_all(text: str, terms: Collection[str], pipeline: TermPipeline) -> Passage:
    """All of ``text`` (a headline, say) with every match marked."""
    return Passage(text, tuple((a, b) for a, b, _ in matches(text, terms, pipeline)))

