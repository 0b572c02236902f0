"""Stopword lists, stored as data files next to this module.

``stopwords/ar.txt`` holds Arabic function words, ``stopwords/ar_query.txt``
the question words that are dropped from queries only, and
``stopwords/en.txt`` English function words for Latin tokens. Normalization
runs before stopword removal, so every Arabic entry is normalized with the
same rules as the text when it is loaded.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ..errors import SettingsError
from .normalization import normalize

STOPWORD_LISTS = ("ar", "ar_query", "en")


def _read_list(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("stopwords", f"{name}.txt").read_text("utf-8")
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


@lru_cache(maxsize=None)
def raw_stopwords(name: str) -> tuple[str, ...]:
    """A bundled list as written in its file, before normalization.

    An analyzer that runs only some normalization steps normalizes these
    words with its own steps, so that the list is "normalized like the text".
    """
    if name not in STOPWORD_LISTS:
        raise SettingsError(f"unknown stopword list {name!r}; choose from {list(STOPWORD_LISTS)}")
    return tuple(_read_list(name))


@lru_cache(maxsize=None)
def load_stopwords(name: str) -> frozenset[str]:
    """Return a bundled stopword list, normalized as the analyzer sees text.

    >>> "الي" in load_stopwords("ar")   # إلى, normalized
    True
    >>> "متي" in load_stopwords("ar_query")   # متى, normalized
    True
    """
    words = raw_stopwords(name)
    if name == "en":
        return frozenset(w.lower() for w in words)
    return frozenset(normalize(w) for w in words)


def arabic_stopwords() -> frozenset[str]:
    """Arabic stopwords, normalized (إلى appears as الي)."""
    return load_stopwords("ar")


def arabic_query_stopwords() -> frozenset[str]:
    """Question words dropped from queries on top of :func:`arabic_stopwords`."""
    return load_stopwords("ar_query")


def english_stopwords() -> frozenset[str]:
    """English stopwords, lower-cased."""
    return load_stopwords("en")
