"""Arabic stemmers: Light10, Snowball, and none.

A stemmer here is any callable ``str -> str`` that takes one *normalized*
word. Light stemming strips the commonest clitics and suffixes, so that
والكتاب, بالكتاب and الكتاب all index as كتاب, without the root extraction
that merges unrelated words.

Light10 is Larkey, Ballesteros and Connell, "Light Stemming for Arabic
Information Retrieval" (2007), written out as data below. It differs from
Lucene's ``ArabicStemmer`` in one respect: Lucene removes a single prefix,
while Light10 first removes a leading و and then a definite article, so
وبالمفاوضات loses both و and بال.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..errors import SettingsError
from .normalization import normalize

#: Light10 step 1: the conjunction و, removed when at least this many
#: letters remain.
LIGHT10_WAW = "\u0648"
LIGHT10_WAW_MIN_REMAINING = 3

#: Light10 step 2: definite articles (with their attached prepositions);
#: at most one is removed, when at least 2 letters remain.
LIGHT10_PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل")
LIGHT10_PREFIX_MIN_REMAINING = 2

#: Light10 step 3: suffixes, walked once in this order; each one found at the
#: end of the word is removed while at least 2 letters remain. ة and ية are
#: listed as published, though normalization has already folded ة into ه.
LIGHT10_SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
LIGHT10_SUFFIX_MIN_REMAINING = 2


class Stemmer(Protocol):
    """Anything that maps one normalized word to its stem."""

    name: str

    def __call__(self, word: str) -> str: ...


def light10_prefixes(word: str) -> str:
    """Light10 steps 1 and 2: a leading و, then one definite article.

    >>> light10_prefixes("وبالمفاوضات")
    'مفاوضات'
    """
    if word.startswith(LIGHT10_WAW) and len(word) - 1 >= LIGHT10_WAW_MIN_REMAINING:
        word = word[1:]
    for prefix in LIGHT10_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= LIGHT10_PREFIX_MIN_REMAINING:
            return word[len(prefix):]
    return word


class Light10Stemmer:
    """The Light10 light stemmer, exactly as published.

    >>> stem = Light10Stemmer()
    >>> [stem(w) for w in ["والكتاب", "بالمفاوضات", "للقاء", "فالعلاقات", "ومدرستها"]]
    ['كتاب', 'مفاوض', 'قاء', 'علاق', 'مدرست']
    """

    name = "light10"

    def __call__(self, word: str) -> str:
        word = light10_prefixes(word)
        for suffix in LIGHT10_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= LIGHT10_SUFFIX_MIN_REMAINING:
                word = word[: -len(suffix)]
        return word

    def __repr__(self) -> str:
        return "Light10Stemmer()"


def snowball_arabic() -> Callable[[str], str]:
    """Snowball Arabic's ``stemWord`` (PyStemmer's C code when installed)."""
    import snowballstemmer

    return snowballstemmer.stemmer("arabic").stemWord


class SnowballArabicStemmer:
    """The Snowball Arabic stemmer (snowballstemmer; PyStemmer's C code when
    installed, which gives the same stems far faster).

    It is more aggressive than Light10 and has known traps: it leaves و and ف
    in front of ال (والكتاب is unchanged) and cuts ف and ب off names
    (فرنسا → رنس).

    >>> SnowballArabicStemmer()("المفاوضات")
    'مفاوض'
    """

    name = "snowball"

    def __init__(self) -> None:
        self._stem_word = snowball_arabic()

    def __call__(self, word: str) -> str:
        # Given normalized input, Snowball's output is normalized too
        # (checked over every word form of the benchmark news corpus); it
        # can return "" for a few inputs, which keep their own form.
        return self._stem_word(word) or word

    def __repr__(self) -> str:
        return "SnowballArabicStemmer()"


#: The feminine plural suffix, removed before Snowball runs (when at least
#: this many letters remain): Snowball leaves its alef (مفاوضات → مفاوضا,
#: apart from مفاوضة → مفاوض) and reads سيارات as a future-tense verb.
PLURAL_AT = "ات"
PLURAL_AT_MIN_REMAINING = 2


class LightSnowballStemmer:
    """arsearch's default: Light10's prefix steps, the plural ات, then
    Snowball Arabic.

    Light10 removes the conjunction and the article as two steps (و, then
    ال/بال/فال/…), which Snowball does not: alone it leaves والكتاب and
    فالعلاقات unstemmed. Snowball then removes what Light10 misses: pronoun
    suffixes (كتابهم → كتاب), verb affixes (سيذهبون → يذهب) and the
    accusative alef (شعيبا → شعيب). Measured on the tuning sets it beats
    both parents (see ``docs/benchmarks.md``). It keeps Snowball's habit of
    cutting a leading ف or ب off some names (فرنسا → رنس); since queries
    are stemmed alike, they still match.

    >>> stem = LightSnowballStemmer()
    >>> [stem(w) for w in ["والكتاب", "فالعلاقات", "علاقة", "كتابهم", "سيذهبون"]]
    ['كتاب', 'علاق', 'علاق', 'كتاب', 'يذهب']
    """

    name = "light10-snowball"

    #: Once the cache of Snowball stems holds this many words it is emptied.
    CACHE_SIZE = 200_000

    def __init__(self) -> None:
        self._stem_word = snowball_arabic()
        # Keyed by the word after the prefix steps: والكتاب, بالكتاب, الكتاب and
        # كتاب share one Snowball call (news has about 1.7 surface forms a key).
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        word = light10_prefixes(word)
        stem = self._cache.get(word)
        if stem is None:
            core = word
            if core.endswith(PLURAL_AT) and len(core) - len(PLURAL_AT) >= PLURAL_AT_MIN_REMAINING:
                core = core[: -len(PLURAL_AT)]
            stem = self._stem_word(core) or core
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = stem
        return stem

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (LightSnowballStemmer, ())     # pickled without its cache

    def __repr__(self) -> str:
        return "LightSnowballStemmer()"


class NoStemmer:
    """Leaves words as they are.

    >>> NoStemmer()("والقوات")
    'والقوات'
    """

    name = "none"

    def __call__(self, word: str) -> str:
        return word

    def __repr__(self) -> str:
        return "NoStemmer()"


STEMMERS: dict[str, Callable[[], Stemmer]] = {
    "light10-snowball": LightSnowballStemmer,
    "light10": Light10Stemmer,
    "snowball": SnowballArabicStemmer,
    "none": NoStemmer,
}


def get_stemmer(stemmer: str | Stemmer | None) -> Stemmer:
    """Resolve a stemmer name (``"light10-snowball"``, ``"light10"``,
    ``"snowball"``, ``"none"``),
    ``None`` (no stemming) or a callable into a stemmer object."""
    if stemmer is None:
        return NoStemmer()
    if isinstance(stemmer, str):
        try:
            return STEMMERS[stemmer]()
        except KeyError:
            raise SettingsError(
                f"unknown stemmer {stemmer!r}; choose from {sorted(STEMMERS)}") from None
    if callable(stemmer):
        return stemmer
    raise SettingsError(f"stemmer must be a name or a callable, not {type(stemmer).__name__}")


_LIGHT10 = Light10Stemmer()


def light_stem(word: str) -> str:
    """Light10-stem one word. The word is normalized first.

    >>> light_stem("والقوات")   # و, then ال, then ات
    'قو'
    >>> light_stem("بالمفاوضات")
    'مفاوض'
    """
    return _LIGHT10(normalize(word))
