"""Search results: :class:`Hit` and :class:`Results`, which print well in a
terminal, convert to plain dicts and JSON, and render right-to-left in
Jupyter."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, overload

from .snippets import Passage

#: How a count of results is written in Arabic, by the plural rule that
#: applies (see :func:`arabic_count`): one, two, 3–10 (and 103–110, …),
#: and the rest (11–99, 100, 101, 102, …), which take the singular.
RESULT_NOUN: Mapping[str, str] = MappingProxyType({
    "zero": "لا نتائج",
    "one": "نتيجة واحدة",
    "two": "نتيجتان",
    "few": "نتائج",
    "many": "نتيجة",
})


def arabic_plural_form(n: int) -> str:
    """The Arabic plural rule for the count ``n``: ``"zero"``, ``"one"``,
    ``"two"``, ``"few"`` (3–10, and any larger number whose last two
    digits are 3–10) or ``"many"`` (11–99 and the other larger numbers,
    whose noun is singular: ١١ نتيجة، ١٠٠ نتيجة، ١٠٢ نتيجة).

    >>> [arabic_plural_form(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)]
    ['zero', 'one', 'two', 'few', 'few', 'many', 'many', 'many', 'many', 'few', 'many']
    """
    if n == 0:
        return "zero"
    if n == 1:
        return "one"
    if n == 2:
        return "two"
    return "few" if 3 <= n % 100 <= 10 else "many"


def arabic_count(n: int, nouns: Mapping[str, str] = RESULT_NOUN) -> str:
    """``n`` results, written as Arabic writes counts.

    >>> [arabic_count(n) for n in (0, 1, 2, 3, 11, 100, 105)]
    ['لا نتائج', 'نتيجة واحدة', 'نتيجتان', '3 نتائج', '11 نتيجة', '100 نتيجة', '105 نتائج']
    """
    form = arabic_plural_form(n)
    return nouns[form] if form in ("zero", "one", "two") else f"{n} {nouns[form]}"


@dataclass(frozen=True)
class Hit:
    """One matching article.

    ``snippet`` is HTML: a short passage of the body, escaped, with the
    matched words in ``<mark>…</mark>`` and runs of Latin script that
    right-to-left layout would reorder (``@OilDesk:``) in ``<bdi>…</bdi>``.
    :meth:`snippet_text` gives the same passage as plain text, with markers
    of your choice.

    ``extra`` holds the article's other stored fields (``author``,
    ``category``…), as :meth:`Index.get` returns them.
    """

    id: str
    score: float
    headline: str
    date: datetime | None
    source: str
    tags: tuple[str, ...]
    url: str
    rank: int
    passage: Passage = field(repr=False)
    headline_passage: Passage = field(repr=False)
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    @property
    def snippet(self) -> str:
        return self.passage.render(isolate=True)

    def snippet_text(self, start: str = "[", end: str = "]") -> str:
        """The snippet as plain text, matches wrapped in ``start``/``end``.

        >>> p = Passage("قصف على غزة", ((8, 11),))
        >>> Hit("a", 1.0, "", None, "", (), "", 1, p, Passage("", ())).snippet_text()
        'قصف على [غزة]'
        """
        return self.passage.render(start, end, escape=False)

    def to_dict(self) -> dict[str, Any]:
        """The hit as JSON-ready data (date as an ISO string, the extra fields
        under ``"extra"``)."""
        return {
            "rank": self.rank,
            "id": self.id,
            "score": round(self.score, 6),
            "headline": self.headline,
            "snippet": self.snippet_text("", ""),
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "tags": list(self.tags),
            "url": self.url,
            "extra": dict(self.extra),
        }


_STYLE = ("font-family: 'Noto Naskh Arabic', 'Amiri', 'Geeza Pro', Tahoma, sans-serif;"
          "line-height: 1.7; max-width: 52em;")


class Results(Sequence[Hit]):
    """One page of hits for a query.

    ``total`` counts every matching article (after filters), ``page`` is this
    page's number (from 1) and ``pages`` the number of pages.

    ``suggestion`` is the query with its misspelled words corrected ("did you
    mean"), or ``None``. It is set when a word of the query is in no article
    while a word one typing mistake away is (see :meth:`Index.suggest`),
    whatever the number of results: words combine with OR, so a query with
    one misspelled word still finds the articles of its other words. It is
    worked out when first read (printing the results reads it), so searches
    whose suggestion nobody reads cost nothing extra.

    ``corrected`` is the query as the search corrected it ("showing results
    for"), or ``None``: its misspelled words were searched together with
    their corrections (then ``suggestion`` is the same string).
    ``relaxed_phrases`` lists the quoted phrases that matched no article and
    were searched as their words (see :meth:`Index.search`).

    >>> r = Results([], query="المستشفئ", total=0, page=1, limit=10, suggestion="المستشفى")
    >>> print(r)
    0 results for 'المستشفئ'
    did you mean: المستشفى
    >>> r = Results([], query='"جنيف تبدأ" المفاوضاث', total=0, page=1, limit=10,
    ...             corrected='"جنيف تبدأ" المفاوضات', relaxed_phrases=["جنيف تبدأ"])
    >>> print(r)
    0 results for '"جنيف تبدأ" المفاوضاث'
    showing results for: "جنيف تبدأ" المفاوضات
    no article has the phrase "جنيف تبدأ": showing articles with its words
    """

    def __init__(self, hits: Sequence[Hit], *, query: str, total: int, page: int, limit: int,
                 suggestion: str | None = None,
                 suggest: Callable[[], str | None] | None = None,
                 corrected: str | None = None, relaxed_phrases: Sequence[str] = ()):
        self._hits = list(hits)
        self.query = query
        self.total = total
        self.page = page
        self.limit = limit
        self.corrected = corrected
        self.relaxed_phrases: tuple[str, ...] = tuple(relaxed_phrases)
        self._suggestion = suggestion if suggestion is not None else corrected
        # Called once, when the suggestion is first read.
        self._suggest = suggest if self._suggestion is None else None

    @property
    def suggestion(self) -> str | None:
        if self._suggest is not None:
            self._suggestion, self._suggest = self._suggest(), None
        return self._suggestion

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.limit) if self.total else 0

    @property
    def past_last_page(self) -> bool:
        """Whether this page is past the last one: there are matches, but
        none on this page.

        >>> Results([], query="مطر", total=12, page=3, limit=10).past_last_page
        True
        """
        return self.total > 0 and not self._hits and self.page > self.pages

    @overload
    def __getitem__(self, i: int) -> Hit: ...

    @overload
    def __getitem__(self, i: slice) -> list[Hit]: ...

    def __getitem__(self, i: int | slice) -> Hit | list[Hit]:
        return self._hits[i]

    def __len__(self) -> int:
        return len(self._hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._hits)

    @property
    def ids(self) -> list[str]:
        return [h.id for h in self._hits]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every hit of the page as a plain dict (JSON-ready)."""
        return [h.to_dict() for h in self._hits]

    def relaxed_note(self) -> str | None:
        """What :attr:`relaxed_phrases` means, as one line of English (or
        ``None`` when no phrase was relaxed)."""
        phrases = self.relaxed_phrases
        if not phrases:
            return None
        if len(phrases) == 1:
            return f'no article has the phrase "{phrases[0]}": showing articles with its words'
        quoted = ", ".join(f'"{p}"' for p in phrases)
        return (f"no article has all the phrases {quoted}: showing articles with their words, "
                "those with a phrase first")

    def __repr__(self) -> str:
        pages = f", page {self.page}/{self.pages}" if self.pages else ""
        if self.corrected:
            mean = f", showing results for {self.corrected!r}"
        else:
            mean = f", did you mean {self.suggestion!r}" if self.suggestion else ""
        relaxed = f", phrases read as words: {list(self.relaxed_phrases)}" \
            if self.relaxed_phrases else ""
        return f"<Results {self.query!r}: {len(self)} of {self.total} hits{pages}{mean}{relaxed}>"

    def __str__(self) -> str:
        noun = "result" if self.total == 1 else "results"
        lines = [f"{self.total} {noun} for {self.query!r}"
                 + (f" (page {self.page} of {self.pages})" if self.pages else "")]
        if self.past_last_page:
            lines.append(f"page {self.page} is past the last page ({self.pages})")
        if self.corrected:
            lines.append(f"showing results for: {self.corrected}")
        elif self.suggestion:
            lines.append(f"did you mean: {self.suggestion}")
        note = self.relaxed_note()
        if note:
            lines.append(note)
        for h in self._hits:
            meta = " · ".join(x for x in (h.source, h.date.date().isoformat() if h.date else "",
                                          ", ".join(h.tags)) if x)
            lines.append(f"{h.rank:>3}. {h.headline}  [{h.id}]")
            if meta:
                lines.append(f"     {meta}")
            snippet = h.snippet_text("[", "]")
            if snippet:
                lines.append(f"     {snippet}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape

        def text(value: str) -> str:
            # Escaped, with runs of Latin script isolated from the RTL layout.
            return Passage(value, ()).render(isolate=True)

        if self.past_last_page:
            # A page past the last: say so, in Arabic.
            status = (f"{arabic_count(self.total)} · الصفحة {self.page} بعد الأخيرة "
                      f"({self.pages})")
        else:
            status = f"{arabic_count(self.total)} · صفحة {self.page} من {max(self.pages, 1)}"
        parts = [f'<div dir="rtl" lang="ar" style="{_STYLE}">',
                 f'<div style="color:#666;font-size:90%">{status} · '
                 f'<span dir="auto">{esc(self.query)}</span></div>']
        if self.corrected:
            # عرض نتائج: "showing results for"
            parts.append(f'<div style="margin:0.3em 0">عرض نتائج: <b><span dir="auto">'
                         f"{esc(self.corrected)}</span></b></div>")
        elif self.suggestion:
            # هل تقصد: "did you mean"
            parts.append(f'<div style="margin:0.3em 0">هل تقصد: <b><span dir="auto">'
                         f"{esc(self.suggestion)}</span></b>؟</div>")
        if self.relaxed_phrases:
            # "No article holds the phrase …; showing the articles with its words."
            quoted = "، ".join(f'«<span dir="auto">{esc(p)}</span>»' for p in self.relaxed_phrases)
            noun = "العبارة" if len(self.relaxed_phrases) == 1 else "العبارات"
            parts.append(f'<div style="margin:0.3em 0">لا مقالات تحوي {noun} {quoted}: '
                         "نعرض المقالات التي فيها كلماتها</div>")
        parts.append(f'<ol start="{(self.page - 1) * self.limit + 1}">')
        for h in self._hits:
            title = h.headline_passage.render(isolate=True) or esc(h.id)
            if h.url:
                title = f'<a href="{esc(h.url, quote=True)}" target="_blank">{title}</a>'
            meta = []
            if h.source:
                meta.append(text(h.source))
            if h.date:
                # ISO, left to right, so that RTL layout cannot reorder its parts.
                meta.append(f'<time dir="ltr" datetime="{h.date.isoformat()}">'
                            f"{h.date.date().isoformat()}</time>")
            if h.tags:
                meta.append("، ".join(text(t) for t in h.tags))
            extra = "".join(
                f'<div style="color:#666;font-size:85%">{text(str(k))}: '
                f"{text(_shown_value(v))}</div>" for k, v in h.extra.items())
            parts.append(
                f'<li style="margin-bottom:0.8em"><div style="font-size:110%;font-weight:bold">'
                f"{title}</div>"
                f'<div style="color:#2a7a2a;font-size:85%">{" · ".join(meta)} '
                f'<span style="color:#999" dir="ltr">{esc(h.id)} · {h.score:.3f}</span></div>'
                f"{extra}<div>{h.snippet}</div></li>")
        parts.append("</ol></div>")
        return "".join(parts)


def _shown_value(value: Any) -> str:
    """An extra field's value as one line of text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "، ".join(value)
    return json.dumps(value, ensure_ascii=False)
