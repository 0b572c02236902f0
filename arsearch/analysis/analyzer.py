"""The Arabic analyzer as plain functions and as a Whoosh analyzer.

``ArabicAnalyzer()`` is ``ArabicTokenizer() | ArabicTermFilter(...)``, a
normal Whoosh ``Tokenizer | Filter`` chain that can go into any Whoosh
schema (run as one fused loop by :class:`ArabicChain`, for speed). :func:`analyze` and :func:`explain` run the same pipeline without
Whoosh objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .._whoosh import CompositeAnalyzer, Filter, RegexTokenizer, Token, Tokenizer
from ..errors import SettingsError
from .normalization import ArabicNormalizer, normalize
from .pipeline import EXACT_MARK, StemAndExact, TermPipeline
from .stemming import Stemmer
from .tokenizer import Span, spans, tokenize


class ArabicTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`~arsearch.analysis.tokenizer.spans`.

    Yields surface forms with offsets into the original text; normalization
    is left to the filters, so offsets stay exact.

    >>> [t.text for t in ArabicTokenizer()("كَتَبَ الطالبُ، الدرسَ")]
    ['كَتَبَ', 'الطالبُ', 'الدرسَ']
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    __hash__ = Tokenizer.__hash__

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for text, start, end, _ in spans(value):
            t.text = text
            t.boost = 1.0
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


#: What a term filter yields of each word: its stem and exact form
#: (``ALL_FORMS``), the stem alone (``STEMS``: a text field whose exact
#: forms are indexed in a field of their own), or the exact form alone
#: (``EXACT_FORMS``: that field).
ALL_FORMS, STEMS, EXACT_FORMS = "all", "stems", "exact"


def _term_tokens(t: Token, words: Iterable[Span], pipeline: TermPipeline, query: bool,
                 chars: bool, keeporiginal: bool, pos: int, offset: int,
                 forms: str = ALL_FORMS) -> Iterator[Token]:
    """The term loop, the only one: ``t`` filled with each term of each word
    of ``words`` and yielded. The two-stage chain and the fused one both run it,
    so they give the same tokens, positions and offsets.

    Positions count indexed words from ``pos``: a stopword takes none, so a
    phrase matches across it, and an exact form (``=word``) shares its
    stem's position. In queries, exact forms are left out, so Whoosh's own
    query parser sees one term per word; ``forms`` leaves out one kind of
    term in documents too.
    """
    if forms == EXACT_FORMS:
        return _exact_tokens(t, words, pipeline, chars, keeporiginal, pos, offset)
    return _all_tokens(t, words, pipeline, query or forms == STEMS, query, chars,
                       keeporiginal, pos, offset)


def _exact_tokens(t: Token, words: Iterable[Span], pipeline: TermPipeline, chars: bool,
                  keeporiginal: bool, pos: int, offset: int) -> Iterator[Token]:
    """The exact forms alone, each on its stem's position."""
    lookup = pipeline._cache.get
    exact = EXACT_MARK
    for text, start, end, _ in words:
        terms = lookup(text)
        if terms is None:
            terms = pipeline(text)
        for term in terms:
            if term[0] != exact:
                pos += 1
                continue
            if chars:
                t.startchar = offset + start
                t.endchar = offset + end
            if keeporiginal:
                t.original = text
            t.text = term
            t.pos = pos - 1
            yield t


def _all_tokens(t: Token, words: Iterable[Span], pipeline: TermPipeline, skip_exact: bool,
                query: bool, chars: bool, keeporiginal: bool, pos: int,
                offset: int, skipped: list[tuple[str, int, int, int]] | None = None
                ) -> Iterator[Token]:
    # Runs once per token of every article: no attribute lookups, no objects
    # it does not need, and the term cache read inline.
    lookup = (pipeline._query_cache if query else pipeline._cache).get
    exact = EXACT_MARK
    pair = StemAndExact
    for text, start, end, _ in words:
        terms = lookup(text)
        if terms is None:
            terms = pipeline(text, query)
        if not terms:
            continue
        if chars:
            t.startchar = offset + start
            t.endchar = offset + end
        if keeporiginal:
            t.original = text
        if type(terms) is pair:             # (stem, "=word"): the common case
            t.text = terms[0]
            t.pos = pos
            pos += 1
            yield t
            if not skip_exact:
                t.text = terms[1]
                t.pos = pos - 1             # the exact form sits on its stem's position
                yield t
            elif skipped is not None:
                skipped.append((terms[1], pos - 1, offset + start, offset + end))
            continue
        if len(terms) == 1:                 # never an exact form alone
            t.text = terms[0]
            t.pos = pos
            pos += 1
            yield t
            continue
        for term in terms:
            if term[0] == exact:
                if skip_exact:
                    if skipped is not None:
                        skipped.append((term, pos - 1, offset + start, offset + end))
                    continue
                t.pos = pos - 1
            else:
                t.pos = pos
                pos += 1
            t.text = term
            yield t


class ArabicTermFilter(Filter):
    """Whoosh filter that normalizes, drops stopwords and stems, through a
    cached :class:`~arsearch.analysis.pipeline.TermPipeline`.

    Positions are renumbered after stopwords are dropped, in documents and
    queries alike, from the first incoming token's position, so a phrase
    matches across a removed stopword. An exact form (``=word``, see
    :data:`~arsearch.analysis.pipeline.EXACT_MARK`) shares its stem's
    position. Tokens analysed with ``mode="query"`` lose question words,
    and their exact forms, so Whoosh's own query parser sees one term per
    word.
    """

    #: Which terms of each word to yield (:data:`ALL_FORMS`, :data:`STEMS`
    #: or :data:`EXACT_FORMS`); a class default, so that filters pickled by
    #: earlier versions (without it) keep yielding both.
    forms = ALL_FORMS

    def __init__(self, pipeline: TermPipeline | None = None, forms: str = ALL_FORMS,
                 **options: object):
        if forms not in (ALL_FORMS, STEMS, EXACT_FORMS):
            raise SettingsError(f"forms must be {ALL_FORMS!r}, {STEMS!r} or {EXACT_FORMS!r}, "
                                f"got {forms!r}")
        self.pipeline = pipeline if pipeline is not None else TermPipeline(**options)  # type: ignore[arg-type]
        if forms != ALL_FORMS:
            self.forms = forms

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.pipeline == self.pipeline
                and other.forms == self.forms)

    __hash__ = Filter.__hash__

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        incoming = iter(tokens)
        first = next(incoming, None)
        if first is None:
            return
        chars = first.chars

        def words() -> Iterator[Span]:
            # Read each token before the term loop writes its terms into it.
            t: Token | None = first
            while t is not None:
                if chars:
                    yield t.text, t.startchar, t.endchar, 0
                else:
                    yield t.text, 0, 0, 0
                t = next(incoming, None)

        yield from _term_tokens(first, words(), self.pipeline, first.mode == "query", chars,
                                getattr(first, "original", None) is not None,
                                first.pos if first.positions else 0, 0, self.forms)


class ArabicChain(CompositeAnalyzer):
    """``ArabicTokenizer() | ArabicTermFilter(pipeline)``, run as one loop.

    It is an ordinary Whoosh :class:`CompositeAnalyzer` (its ``items`` are
    the tokenizer and the filter, and ``|`` adds more filters), but the
    common call feeds the tokenizer's spans straight into the term loop,
    without Whoosh tokens in between: analysis runs once per token of every
    article indexed. Both paths run the same two loops
    (:func:`~arsearch.analysis.tokenizer.spans` and the term loop), so the
    tokens, positions and offsets are exactly those of the two-stage chain.
    """

    def __init__(self, pipeline: TermPipeline, forms: str = ALL_FORMS):
        super().__init__(ArabicTokenizer(), ArabicTermFilter(pipeline, forms))

    @property
    def pipeline(self) -> TermPipeline:
        return self.items[1].pipeline

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        if not tokenize or len(self.items) != 2:
            return super().__call__(value, positions=positions, chars=chars,
                                    keeporiginal=keeporiginal, removestops=removestops,
                                    start_pos=start_pos, start_char=start_char,
                                    tokenize=tokenize, mode=mode, **kwargs)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        forms = self.items[1].forms
        start = start_pos if positions else 0
        if mode != "query" and not keeporiginal and forms != ALL_FORMS:
            # A text field and its exact-form field analyse the same value
            # one after the other (Whoosh indexes fields in name order:
            # body, body_exact). The stem pass notes the exact forms it
            # skips; the exact pass replays them instead of tokenizing and
            # looking up every word again. The note is keyed by the value
            # object itself and the flags: a pass over another value in
            # between (another thread's) replaces it, and the exact pass then
            # analyses its value afresh.
            key = (start, start_char, chars)
            if forms == STEMS:
                return self._stems_noting_exact_forms(t, value, key)
            memo = self.pipeline.exact_memo
            if memo is not None and memo[0] is value and memo[1] == key:
                return _replay(t, memo[2], chars)
        return _term_tokens(t, spans(value), self.pipeline, mode == "query", chars,
                            keeporiginal, start, start_char, forms)

    def _stems_noting_exact_forms(self, t: Token, value: str,
                                  key: tuple[int, int, bool]) -> Iterator[Token]:
        skipped: list[tuple[str, int, int, int]] = []
        pipeline = self.pipeline
        yield from _all_tokens(t, spans(value), pipeline, True, False, key[2], False, key[0],
                               key[1], skipped)
        pipeline.exact_memo = (value, key, skipped)


def _replay(t: Token, exact_forms: list[tuple[str, int, int, int]],
            chars: bool) -> Iterator[Token]:
    """The tokens of noted exact forms: what the exact pass would yield."""
    if chars:
        for text, pos, start, end in exact_forms:
            t.text, t.pos, t.startchar, t.endchar = text, pos, start, end
            yield t
    else:
        for text, pos, _, _ in exact_forms:
            t.text = text
            t.pos = pos
            yield t


def ArabicAnalyzer(
    *,
    stemmer: str | Stemmer | None = "light10-snowball",
    stopwords: bool | Iterable[str] = True,
    query_stopwords: bool | Iterable[str] = True,
    normalize: Iterable[str] | None = None,
    exact_forms: bool = True,
    latin_stemmer: str | None = "english",
    lexicon: bool | Iterable[str] = True,
) -> CompositeAnalyzer:
    """A Whoosh analyzer for Arabic text, mixed with Latin-script words.

    :param stemmer: ``"light10-snowball"`` (default, see
        :class:`~arsearch.analysis.stemming.LightSnowballStemmer`), ``"light10"``,
        ``"snowball"``, ``"none"``/``None``, or any callable from a
        normalized word to its stem.
    :param stopwords: ``True`` for the bundled Arabic and English lists,
        ``False`` to keep every word, or your own iterable of words.
    :param query_stopwords: question words (متى، كيف، هل …) dropped from
        queries only; ``True``, ``False`` or your own words.
    :param normalize: the normalization steps to run, by name (see
        :data:`~arsearch.analysis.normalization.RULE_ORDER`); ``None`` runs all.
    :param exact_forms: also index each word's normalized, unstemmed form
        (as ``=word``, on the stem's position), so an exact match can
        outrank a match through stemming.
    :param latin_stemmer: Snowball language for Latin tokens, or ``None``.
    :param lexicon: the word tables applied before stemming (see
        :mod:`arsearch.analysis.lexicon`): ``True`` for the default tables
        (month names, places and their nisbas, protected names), ``False``
        for none, or table names such as ``["months"]``.

    >>> from whoosh.fields import Schema, TEXT
    >>> schema = Schema(body=TEXT(analyzer=ArabicAnalyzer()))
    >>> [t.text for t in ArabicAnalyzer()("والكتاب في المدينة")]
    ['كتاب', '=والكتاب', 'مدين', '=المدينه']
    >>> [t.text for t in ArabicAnalyzer(exact_forms=False)("والكتاب في المدينة")]
    ['كتاب', 'مدين']
    """
    pipeline = TermPipeline(
        stemmer=stemmer, stopwords=stopwords, query_stopwords=query_stopwords,
        normalizer=ArabicNormalizer(normalize), exact_forms=exact_forms,
        latin_stemmer=latin_stemmer, lexicon=lexicon)
    return ArabicChain(pipeline)


def normalize_value(value: str) -> str:
    """Normalize a whole value (a source name, a tag) for exact matching:
    Arabic normalization, case folding, single spaces.

    >>> normalize_value("  صحيفة   الأُفق ") == normalize_value("صحيفه الافق")
    True
    """
    return " ".join(normalize(value).casefold().split())


class ValueFilter(Filter):
    """Whoosh filter applying :func:`normalize_value` to each token, for
    fields matched as whole values (source, tags) rather than as words."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    __hash__ = Filter.__hash__

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = normalize_value(t.text)
            if t.text:
                yield t


def KeywordAnalyzer() -> CompositeAnalyzer:
    """One term per line of the value, normalized as a whole: the analyzer
    of the ``source`` and ``tags`` fields (tags are indexed one per line).

    >>> [t.text for t in KeywordAnalyzer()("الطاقة المتجددة\\nCOP28")]
    ['الطاقه المتجدده', 'cop28']
    """
    return RegexTokenizer(r"[^\n]+") | ValueFilter()


_DEFAULT_PIPELINE: TermPipeline | None = None


def default_pipeline() -> TermPipeline:
    """The shared pipeline with default settings (built on first use)."""
    global _DEFAULT_PIPELINE
    if _DEFAULT_PIPELINE is None:
        _DEFAULT_PIPELINE = TermPipeline()
    return _DEFAULT_PIPELINE


def analyze(text: str, *, pipeline: TermPipeline | None = None, query: bool = False) -> list[str]:
    """The terms indexed for ``text``, in order.

    >>> analyze("وصل الوفد إلى المدينةِ، والتقى بالمفاوضين #Libya")
    ['وصل', 'وفد', '=الوفد', 'مدين', '=المدينه', 'تق', '=والتقي', 'مفاوض', '=بالمفاوضين', 'libya']

    A term starting with ``=`` is a word's exact (normalized, unstemmed)
    form, indexed beside its stem so that exact matches rank higher.
    """
    p = pipeline or default_pipeline()
    return [term for tok in tokenize(text) for term in p(tok.text, query)]


@dataclass(frozen=True)
class AnalyzedToken:
    """One token of :func:`explain`: where it is and what became of it.

    ``terms`` is empty when the token is a stopword."""

    original: str
    kind: str
    start: int
    end: int
    normalized: str
    terms: tuple[str, ...]

    @property
    def stopword(self) -> bool:
        return not self.terms


def explain(text: str, *, pipeline: TermPipeline | None = None,
            query: bool = False) -> list[AnalyzedToken]:
    """Every token of ``text`` with its original form, normalized form and
    terms, so you can see why a word matches or does not.

    >>> [(t.original, t.normalized, t.terms) for t in explain("وَالقُوّات إلى")]
    [('وَالقُوّات', 'والقوات', ('قو', '=والقوات')), ('إلى', 'الي', ())]
    """
    p = pipeline or default_pipeline()
    out = []
    for tok in tokenize(text):
        original = text[tok.start:tok.end]
        normalized = p.normalizer(tok.text)
        out.append(AnalyzedToken(original, tok.kind, tok.start, tok.end, normalized,
                                 p(tok.text, query)))
    return out


__all__ = ["ArabicAnalyzer", "ArabicTermFilter", "ArabicTokenizer", "AnalyzedToken",
           "KeywordAnalyzer", "ValueFilter", "analyze", "default_pipeline", "explain",
           "normalize_value"]
