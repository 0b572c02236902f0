"""The per-token pipeline: normalize, drop stopwords, stem.

:class:`TermPipeline` turns one token's surface form into the terms that are
indexed for it (usually one, none for a stopword). The same surface form
always gives the same terms, and news text repeats its words constantly, so
results are kept in a bounded cache: after warm-up, analysing a token costs
one dictionary lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from .lexicon import Lexicon, compiled, resolve_tables
from .normalization import ArabicNormalizer
from .stemming import Stemmer, get_stemmer
from .stopwords import english_stopwords, raw_stopwords

#: Marks the unstemmed (normalized) form of a word, indexed next to its stem
#: when ``exact_forms`` is on, so an exact match can outrank a stem match.
#: The tokenizer never produces this character, so no word can collide.
EXACT_MARK = "="

#: Once the cache holds this many surface forms it is emptied and refilled.
#: Arabic news has a few hundred thousand distinct surface forms per 100 MB.
DEFAULT_CACHE_SIZE = 400_000


#: Marks that may follow a word's last letter: diacritics, superscript alef,
#: Qur'anic annotation marks, tatweel.
_TRAILING_MARKS = re.compile("[\u0640\u064B-\u065F\u0670\u06D6-\u06ED]+$")
#: ى and its presentation forms.
_ALEF_MAQSURA = frozenset("\u0649\uFEEF\uFEF0")


#: Hamza alefs that mark the particle إلي ("to me", or إلى written with ي)
#: against آلي ("automatic"); an optional و may come first.
_PARTICLE_START = re.compile("^\u0648?[\u0623\u0625]")


def _ends_with_alef_maqsura(surface: str) -> bool:
    word = _TRAILING_MARKS.sub("", surface)
    return bool(word) and word[-1] in _ALEF_MAQSURA


def _spelled_as_particle(surface: str) -> bool:
    """Whether a word whose ى/ي folding is ambiguous is written as the
    particle: with ى (على، إلى), or with a hamza alef (إلي)."""
    return _ends_with_alef_maqsura(surface) or bool(_PARTICLE_START.match(surface))


#: Stopwords that are also another common word once ى is folded into ي
#: (normalized form: the other word). Written with ي, and without a hamza
#: alef, they are the other word and are indexed; written with ى they are
#: the particle and dropped.
YEH_HOMOGRAPHS: Mapping[str, str] = MappingProxyType({
    "علي": "the name Ali, not على 'on'",
    "وعلي": "'and Ali', not وعلى 'and on'",
    "الي": "آلي 'automatic', not إلى 'to'",
    "والي": "'governor', not وإلى 'and to'",
})


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u08FF" or "\uFB50" <= ch <= "\uFEFC"


class StemAndExact(tuple):
    """The terms of one word whose stem differs from it: ``(stem, "=word")``.

    Its own type lets the analyzer's inner loop place the exact form without
    looking at the term's first character, once per token of every article.
    """

    __slots__ = ()


class TermPipeline:
    """Map a token's surface form to its index terms.

    >>> p = TermPipeline()
    >>> p("والقوات"), p("إلى"), p("Reports"), p("٢٠٢٣")
    (('قو', '=والقوات'), (), ('report',), ('2023',))
    >>> p("متى"), p("متى", query=True)
    (('مت', '=متي'), ())

    Words of the lexicon (:mod:`arsearch.analysis.lexicon`) are indexed as
    their row's term instead of a stem:

    >>> p("أيلول"), p("الليبيون"), p("فيصل")
    (('سبتمبر', '=ايلول'), ('ليبيا', '=الليبيون'), ('فيصل', '=فيصل'))
    >>> TermPipeline(lexicon=False)("فيصل")
    ('يصل', '=فيصل')
    """

    def __init__(
        self,
        *,
        stemmer: str | Stemmer | None = "light10-snowball",
        stopwords: bool | Iterable[str] = True,
        query_stopwords: bool | Iterable[str] = True,
        normalizer: ArabicNormalizer | None = None,
        latin_stemmer: str | None = "english",
        exact_forms: bool = True,
        lexicon: bool | Iterable[str] = True,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ):
        tables = resolve_tables(lexicon)
        # Whoosh pickles analyzers into the index's schema: keep only these
        # settings there (not the cache), and rebuild the rest on load. The
        # lexicon is kept as the names of its tables, so an index keeps the
        # tables it was built with when the defaults change.
        self._settings = dict(stemmer=stemmer, stopwords=stopwords, query_stopwords=query_stopwords,
                              normalizer=normalizer, latin_stemmer=latin_stemmer,
                              exact_forms=exact_forms, lexicon=tables, cache_size=cache_size)
        self.exact_forms = exact_forms
        self.normalizer = normalizer if normalizer is not None else ArabicNormalizer()
        #: The lexicon tables applied before stemming (empty: none).
        self.lexicon_tables: tuple[str, ...] = tables
        self.lexicon: Lexicon | None = compiled(tables, self.normalizer) if tables else None
        self.stemmer: Stemmer = get_stemmer(stemmer)
        # The bundled Arabic lists are normalized with this pipeline's own
        # steps (with every step, that is arabic_stopwords()), so a list
        # word written as in the text is found whichever steps run.
        if stopwords is True:
            stop = frozenset(self.normalizer(w) for w in raw_stopwords("ar")) | english_stopwords()
        elif stopwords is False or stopwords is None:
            stop = frozenset()
        else:
            stop = frozenset(self.normalizer(w).lower() for w in stopwords)
        self.stopwords: frozenset[str] = stop
        # ى/ي homographs only arise when the normalizer folds ى into ي.
        self.yeh_homographs: frozenset[str] = (
            frozenset(YEH_HOMOGRAPHS) & stop if "alef_maqsura" in self.normalizer.steps
            else frozenset())
        if query_stopwords is True:
            qstop = (frozenset(self.normalizer(w) for w in raw_stopwords("ar_query")) if stop
                     else frozenset())
        elif query_stopwords is False or query_stopwords is None:
            qstop = frozenset()
        else:
            qstop = frozenset(self.normalizer(w) for w in query_stopwords)
        self.query_stopwords: frozenset[str] = stop | qstop
        self._latin_stem: Callable[[str], str] | None = None
        if latin_stemmer:
            import snowballstemmer

            self._latin_stem = snowballstemmer.stemmer(latin_stemmer).stemWord
        self.cache_size = cache_size
        self._cache: dict[str, tuple[str, ...]] = {}
        self._query_cache: dict[str, tuple[str, ...]] = {}
        #: The exact forms of the last value a stem field analysed, for its
        #: exact-form field to reuse (see ``ArabicChain``); never pickled.
        self.exact_memo: tuple | None = None

    def __call__(self, surface: str, query: bool = False) -> tuple[str, ...]:
        """The index terms for one token (an empty tuple for a stopword)."""
        cache = self._query_cache if query else self._cache
        terms = cache.get(surface)
        if terms is None:
            terms = self.compute(surface, query)
            if len(cache) >= self.cache_size:
                cache.clear()
            cache[surface] = terms
        return terms

    def compute(self, surface: str, query: bool = False) -> tuple[str, ...]:
        """Uncached :meth:`__call__`: every step, written out."""
        stop = self.query_stopwords if query else self.stopwords
        normalized = self.normalizer(surface)
        if not normalized:
            return ()
        first = normalized[0]
        if _is_arabic(first):
            # A stopword, unless it is علي the name rather than على (YEH_HOMOGRAPHS).
            if normalized in stop and (normalized not in self.yeh_homographs
                                       or _spelled_as_particle(surface)):
                return ()
            if " " not in normalized:           # one word: the common case, kept lean
                if self.lexicon is not None:
                    term = self.lexicon.get(normalized, surface)
                    if term is not None:
                        # A lexicon term stands for many spellings, so the
                        # exact form always goes with it, even when it is
                        # the term itself (ليبيا, not only الليبية).
                        if not self.exact_forms:
                            return (term,)
                        return StemAndExact((term, EXACT_MARK + normalized))
                    singular = self.lexicon.singular(normalized)
                    if singular is not None:
                        # A broken plural: its singular's stem (الأسعار, سعر).
                        stem = self.stemmer(singular) or singular
                        return (StemAndExact((stem, EXACT_MARK + normalized))
                                if self.exact_forms else (stem,))
                stem = self.stemmer(normalized) or normalized
                if stem == normalized or not self.exact_forms:
                    return (stem,)
                return StemAndExact((stem, EXACT_MARK + normalized))
            # NFKC can expand one ligature into several words (ﷺ).
            words = normalized.split()
            if not self.exact_forms:
                return tuple(self.stemmer(w) or w for w in words if w not in stop)
            terms: list[str] = []
            for w in words:
                if w not in stop:
                    stem = self.stemmer(w) or w
                    terms.append(stem)
                    if stem != w:
                        terms.append(EXACT_MARK + w)
            return tuple(terms)
        if first.isdigit():
            return (normalized.replace(",", ""),)
        word = normalized.lower()
        if word in stop:
            return ()
        if self._latin_stem is not None and word.isascii() and word.isalpha():
            word = self._latin_stem(word)
        return (word,)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._query_cache.clear()

    def __getstate__(self) -> dict[str, object]:
        return dict(self._settings)

    def __setstate__(self, state: dict[str, object]) -> None:
        # Saved before the lexicon existed: analyse as then, without it, so
        # queries are analysed the way the index's articles were.
        state = {"lexicon": False, **state}
        self.__init__(**state)  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TermPipeline) and other.stemmer_name == self.stemmer_name
                and other.stopwords == self.stopwords and other.normalizer == self.normalizer
                and other.query_stopwords == self.query_stopwords
                and other.exact_forms == self.exact_forms
                and other.lexicon_tables == self.lexicon_tables
                and other._settings["latin_stemmer"] == self._settings["latin_stemmer"])

    __hash__ = None  # type: ignore[assignment]

    @property
    def stemmer_name(self) -> str:
        return getattr(self.stemmer, "name", repr(self.stemmer))

    def __repr__(self) -> str:
        return (f"TermPipeline(stemmer={self.stemmer!r}, stopwords={len(self.stopwords)}, "
                f"normalizer={self.normalizer!r})")
