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

from ..analysis import TermPipeline, tokenize

#: Default snippet length, in characters.
SNIPPET_CHARS = 220

_WHITESPACE = re.compile(r"\s+")
# Places a passage may start: after a sentence end or a line break.
_SENTENCE_START = re.compile(r"(?:[.!?؟۔\n]|\.\.\.)\s*")


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
               escape: bool = True, ellipsis: str = "…") -> str:
        """The passage with each match wrapped in ``start``/``end``.

        With ``escape`` (the default) the text is HTML-escaped, so the
        result can go straight into a web page.

        >>> Passage("قصف على غزة", ((8, 11),)).render("[", "]", escape=False)
        'قصف على [غزة]'
        """
        def esc(part: str) -> str:
            # Snippets are one line: paragraph breaks become spaces.
            part = _WHITESPACE.sub(" ", part)
            return html.escape(part) if escape else part

        out = [ellipsis] if self.cut_start else []
        last = 0
        for a, b in self.marks:
            out.append(esc(self.text[last:a]))
            out.append(start + esc(self.text[a:b]) + end)
            last = b
        out.append(esc(self.text[last:]))
        if self.cut_end:
            out.append(ellipsis)
        return "".join(out)

    @property
    def plain(self) -> str:
        return self.render("", "", escape=False)


def matches(text: str, terms: Collection[str], pipeline: TermPipeline) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` for every word of ``text`` whose analysed term
    is one of ``terms``."""
    if not terms or not text:
        return []
    out = []
    for tok in tokenize(text):
        for term in pipeline(tok.text):
            if term in terms:
                out.append((tok.start, tok.end, term))
                break
    return out


def _trim_start(text: str, start: int, first_match: int, slack: int) -> int:
    """Move ``start`` to the beginning of the sentence holding the first
    match, when that is near; otherwise to a word boundary."""
    floor = max(0, first_match - slack)
    best = None
    for m in _SENTENCE_START.finditer(text, floor, first_match):
        best = m.end()
    if best is not None and best <= first_match:
        return best
    if start <= 0:
        return 0
    space = text.rfind(" ", 0, start + 1)
    return space + 1 if space >= 0 and start - space < 20 else start


def _trim_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", 0, end)
    return space if space > 0 and end - space < 20 else end


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

