"""The query language, parsed by arsearch itself.

Whoosh's default parser is not used: it treats the Arabic question mark ؟
as a wildcard (so the last word of a question silently stops matching) and
joins words with AND. Here every word goes through the same analyzer as the
documents, and the syntax is small:

=====================  ====================================================
``word word``          any of the words; documents matching more rank higher
``"a phrase"``         the words together: in any order, at most
                       ``phrase_slop`` (1) words apart (also «…» and “…”)
``-word``, ``-"…"``    documents containing it are left out (also
                       ``-source:name`` and ``-tag:name``; an excluded
                       phrase as written, its words next to each other)
``a OR b``             the same as ``a b`` (words already combine with OR)
``headline:word``      the word in the headline only (``body:`` likewise)
``source:name``        only articles from this source (quote multi-word names)
``tag:name``           only articles with this tag
=====================  ====================================================

Anything else is text: unknown ``prefix:`` words, stray quotes and
operators, punctuation and symbols are read as plain words or separators,
never as errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from ..analysis import TermPipeline, normalize_value, tokenize
from ..analysis.pipeline import EXACT_MARK
from ..errors import QueryError
from .ranking import QueryTerm, TermKey, term_key
from .schema import TEXT_FIELDS

#: Queries longer than this are refused rather than silently cut.
MAX_QUERY_CHARS = 10_000
#: Distinct scored terms a query may have after analysis (a query of
#: MAX_QUERY_CHARS of ordinary prose stays well below it).
MAX_QUERY_TERMS = 4096

FIELD_ALIASES = {
    "headline": "headline", "title": "headline",
    "body": "body", "text": "body",
    "source": "source",
    "tag": "tags", "tags": "tags",
}

_QUOTES = {'"': '"', "«": "»", "“": "”", "”": "”", "„": "“"}
_LEXER = re.compile(
    r"""(?P<neg>(?<![^\s(])-(?=\S))?"""          # a minus right before an item
    r"""(?:(?P<field>[A-Za-z]+):(?=\S))?"""       # an optional field prefix
    r"""(?:(?P<quote>["«“”„])(?P<phrase>[^"»”“]*)(?P<close>["»”“])"""   # a quoted phrase
    r"""|(?P<word>[^\s"«»“”„]+))""",              # or a bare word
)


@dataclass
class Phrase:
    """Words that must appear next to each other, in one of ``fields``;
    ``text`` is the phrase as the query wrote it (without its quotes)."""

    terms: tuple[str, ...]
    fields: tuple[str, ...] = TEXT_FIELDS
    text: str = ""


@dataclass(frozen=True)
class Correction:
    """A misspelled word of a query and its replacement.

    ``start``/``end`` locate the word in the query string. A ``joined``
    correction is not a misspelling: it is two words of the query (``word``,
    as written, space included) that articles write as one, ``suggestion``
    (الفيس بوك and فيسبوك). The joined word is searched beside the two, and
    the query as shown keeps them as typed."""

    start: int
    end: int
    word: str
    suggestion: str
    joined: bool = False
    #: Searched but never shown: a correction nearly as likely as the one
    #: shown, or the likely correction of a word that may be spelled right.
    #: Its terms weigh ``weight`` times a shown correction's.
    quiet: bool = False
    weight: float = 1.0


def apply_corrections(query: str, corrections: Iterable[Correction]) -> str | None:
    """``query`` with each correction's word replaced, or ``None`` when
    there is none.

    >>> apply_corrections("مفاوضاث جنيف", [Correction(0, 7, "مفاوضاث", "مفاوضات")])
    'مفاوضات جنيف'

    Joined words are searched beside the words as typed, which stay, and
    quiet spellings are never shown:

    >>> apply_corrections("الفيس بوك", [Correction(0, 9, "الفيس بوك", "الفيسبوك", True)]) is None
    True
    >>> apply_corrections("ادمام", [Correction(0, 5, "ادمام", "الدمام", quiet=True)]) is None
    True
    """
    fixes = sorted((c for c in corrections if not c.joined and not c.quiet),
                   key=lambda c: -c.start)
    if not fixes:
        return None
    for fix in fixes:
        query = query[:fix.start] + fix.suggestion + query[fix.end:]
    return query


#: Hamza seats people write either way: a word with one of them is also
#: searched with the other (مسؤول and مسئول, both found in news text).
HAMZA_SEAT_SWAP = str.maketrans("ؤئ", "ئؤ")
#: A final hamza after alef, often left out (صنعا for صنعاء, الوزرا for
#: الوزراء): a word ending in ا is also searched with ء, and one ending in
#: اء without it.
FINAL_HAMZA = "ء"


def spelling_variants(word: str) -> tuple[str, ...]:
    """Other spellings of a normalized query word that people write for
    the same word: the other hamza seat, and the final hamza after alef
    written or dropped. The relation is symmetric: each spelling lists the
    other.

    >>> spelling_variants("مسؤول"), spelling_variants("مسئول")
    (('مسئول',), ('مسؤول',))
    >>> spelling_variants("صنعا"), spelling_variants("صنعاء")
    (('صنعاء',), ('صنعا',))
    >>> spelling_variants("كتاب")
    ()
    """
    out = []
    swapped = word.translate(HAMZA_SEAT_SWAP)
    if swapped != word:
        out.append(swapped)
    if len(word) >= 3 and word.endswith("ا"):
        out.append(word + FINAL_HAMZA)
    elif len(word) >= 4 and word.endswith("ا" + FINAL_HAMZA):
        out.append(word[:-1])
    return tuple(out)


@dataclass
class ParsedQuery:
    """What a query string asks for, analysed."""

    terms: list[QueryTerm] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    excluded_terms: list[QueryTerm] = field(default_factory=list)
    excluded_phrases: list[Phrase] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excluded_sources: list[str] = field(default_factory=list)
    excluded_tags: list[str] = field(default_factory=list)
    #: True for an empty (or whitespace-only) query, as opposed to one whose
    #: words analysis removed.
    blank: bool = False
    #: The corrections whose words were added to :attr:`terms`.
    corrections: tuple[Correction, ...] = ()

    @property
    def highlight_terms(self) -> frozenset[str]:
        return frozenset(text for t in self.terms if not t.exact for text in t.texts)

    @property
    def has_positive(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(self.sources or self.tags)

    @property
    def has_exclusions(self) -> bool:
        return bool(self.excluded_terms or self.excluded_phrases or self.excluded_sources
                    or self.excluded_tags)


def _analyze(text: str, pipeline: TermPipeline) -> list[str]:
    return [term for tok in tokenize(text) for term in pipeline(tok.text, True)]


def _word_terms(surface: str, pipeline: TermPipeline, variants: bool) -> list[tuple[str, bool,
                                                                                 tuple[str, ...]]]:
    """The query terms of one token: ``(term, exact, variants)`` each, the
    variants being the same term's other spellings (:func:`spelling_variants`)."""
    terms = pipeline(surface, True)
    if not variants or not terms:
        return [(t, t.startswith(EXACT_MARK), ()) for t in terms]
    normalized = pipeline.normalizer(surface)
    others = [pipeline(v, True) for v in spelling_variants(normalized)]
    out = []
    for t in terms:
        exact = t.startswith(EXACT_MARK)
        # The other spellings' term of the same kind (stem or exact form);
        # a spelling that is a stopword or several words adds nothing.
        alts = tuple(dict.fromkeys(
            a for other in others if len(other) <= 2 for a in other
            if a.startswith(EXACT_MARK) == exact and a != t))
        if exact and not alts and any(len(o) == 1 and not o[0].startswith(EXACT_MARK)
                                      for o in others):
            # The other spelling is its own stem (no exact form is
            # indexed for it): its exact form is that term.
            alts = tuple(o[0] for o in others if len(o) == 1 and o[0] != t[1:])
        out.append((t, exact, alts))
    return out


@dataclass(frozen=True)
class QueryItem:
    """One item of a query string as the lexer reads it, before analysis.

    ``pieces`` are ``(offset, text)`` pairs locating the item's words in the
    query string (two pieces for an unknown ``prefix:word``, read as two
    words), so a caller can rewrite a word in place; :attr:`text` is the
    words alone.
    """

    pieces: tuple[tuple[int, str], ...]
    #: The field a ``headline:``/``body:``/``source:``/``tag:`` prefix names.
    target: str | None
    negated: bool
    phrase: bool

    @property
    def text(self) -> str:
        return " ".join(text for _, text in self.pieces)

    @property
    def fields(self) -> tuple[str, ...]:
        """The text fields the item's words are searched in."""
        return (self.target,) if self.target in TEXT_FIELDS else TEXT_FIELDS


def check_query(query: object) -> str:
    """``query`` if it is a query string arsearch accepts; QueryError otherwise."""
    if not isinstance(query, str):
        raise QueryError(f"query must be a string, got {type(query).__name__}")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(query):,} characters long; at most "
                         f"{MAX_QUERY_CHARS:,} are allowed. Search for its key words instead, "
                         "or use Index.more_like_text(text) to find articles like a pasted text")
    return query


def query_items(query: str) -> Iterator[QueryItem]:
    """The items of a (checked) query string, in order; ``OR`` is skipped.

    >>> [(i.text, i.target, i.negated, i.phrase) for i in query_items('headline:مطر -"سيل جارف"')]
    [('مطر', 'headline', False, False), ('سيل جارف', None, True, True)]
    """
    for m in _LEXER.finditer(query):
        prefix = m.group("field")
        target = FIELD_ALIASES.get(prefix.lower()) if prefix else None
        is_phrase = m.group("quote") is not None
        group = "phrase" if is_phrase else "word"
        raw = m.group(group)
        pieces: tuple[tuple[int, str], ...] = ((m.start(group), raw),)
        if prefix and target is None:
            # Unknown prefix: read "foo:bar" as the two words foo and bar.
            pieces = ((m.start("field"), prefix),) + pieces
        if raw == "OR" and not is_phrase and not prefix:
            continue
        yield QueryItem(pieces, target, bool(m.group("neg")), is_phrase)


def parse_query(query: str, pipeline: TermPipeline, *,
                corrections: Iterable[Correction] = (), correction_boost: float = 1.0,
                variants: bool = False) -> ParsedQuery:
    """Parse and analyse a query string.

    ``corrections`` (see :mod:`arsearch.index.suggest`) add the terms of
    each corrected word beside the word as typed, weighted
    ``correction_boost``; a joined correction adds the terms of its two
    words written as one, beside the two. With ``variants``, a word is also
    searched in its other common spellings (:func:`spelling_variants`), as
    one term.

    >>> from arsearch.analysis import TermPipeline
    >>> q = parse_query('متى وقّعت الاتفاقية؟ "وزير الخارجية" -السودان source:الأفق',
    ...                 TermPipeline())
    >>> [t.text for t in q.terms if not t.exact], [p.terms for p in q.phrases]
    (['قعت', 'اتفاق', 'زير', 'خارج'], [('زير', 'خارج')])
    >>> [t.text for t in q.terms if t.exact]
    ['=وقعت', '=الاتفاقيه', '=وزير', '=الخارجيه']
    >>> [t.text for t in q.excluded_terms], q.sources
    (['السودان'], ['الافق'])
    >>> [(t.text, t.variants) for t in parse_query("مسؤول", TermPipeline(), variants=True).terms]
    [('مسوول', ('مسيول',)), ('=مسؤول', ('=مسئول',))]
    """
    check_query(query)
    parsed = ParsedQuery()
    position = 0
    parsed.blank = not query.strip()
    fixes: dict[int, list[Correction]] = {}
    for c in corrections:
        fixes.setdefault(c.start, []).append(c)
    used: list[Correction] = []
    for item in query_items(query):
        negated, target, is_phrase, raw = item.negated, item.target, item.phrase, item.text
        if target in ("source", "tags"):
            value = normalize_value(raw)
            if value:
                if target == "source":
                    (parsed.excluded_sources if negated else parsed.sources).append(value)
                else:
                    (parsed.excluded_tags if negated else parsed.tags).append(value)
            continue
        fields = item.fields
        if negated:
            # Exact (unstemmed) forms only add to the score; phrases and
            # exclusions work on stems.
            stems = [t for t in _analyze(raw, pipeline) if not t.startswith(EXACT_MARK)]
            if is_phrase and len(stems) > 1:
                parsed.excluded_phrases.append(Phrase(tuple(stems), fields, raw))
            else:
                parsed.excluded_terms.extend(QueryTerm(t, fields) for t in stems)
            continue
        stems = []
        for offset, text in item.pieces:
            for tok in tokenize(text):
                analysed = _word_terms(tok.text, pipeline, variants)
                at = position
                for t, exact, alts in analysed:
                    if exact:
                        parsed.terms.append(QueryTerm(t, fields, position - 1, exact=True,
                                                      variants=alts))
                    else:
                        stems.append(t)
                        parsed.terms.append(QueryTerm(t, fields, position, variants=alts))
                        position += 1
                start = offset + tok.start
                for fix in fixes.get(start, ()):
                    # The corrected (or joined) word, beside the word(s) as typed.
                    if fix.word != (query[start:fix.end] if fix.joined else tok.text):
                        continue
                    found = pipeline(fix.suggestion, True)
                    parsed.terms += [QueryTerm(t, fields, at, correction_boost * fix.weight,
                                               t.startswith(EXACT_MARK)) for t in found]
                    if found:
                        used.append(fix)
        if is_phrase and len(stems) > 1:
            parsed.phrases.append(Phrase(tuple(stems), fields, raw))
    parsed.terms = _merge_duplicates(parsed.terms)
    parsed.corrections = tuple(used)
    if len(parsed.terms) > MAX_QUERY_TERMS:
        raise QueryError(f"query has {len(parsed.terms)} distinct terms; at most "
                         f"{MAX_QUERY_TERMS} are allowed")
    return parsed


def _merge_duplicates(terms: list[QueryTerm]) -> list[QueryTerm]:
    """A word repeated in the query counts once more per repeat, and keeps
    its first position."""
    merged: dict[TermKey, QueryTerm] = {}
    order: list[TermKey] = []
    for t in terms:
        key = term_key(t)
        if key in merged:
            prev = merged[key]
            merged[key] = replace(prev, boost=prev.boost + t.boost)
        else:
            merged[key] = t
            order.append(key)
    return [merged[k] for k in order]
