"""Splitting Arabic (and mixed Arabic/Latin) text into tokens.

One compiled regular expression does the work. Its alternatives, tried in
order at each position, are the token kinds:

``arabic``
    Arabic letters together with the marks, tatweel and invisible controls
    that may sit *inside* a word, so كَتَبَ and الســلام stay one token.
    Arabic punctuation (، ؛ ؟ ٪) and digits are not in the class, so they
    separate tokens.
``url``
    ``https://…``, ``www.…`` and ``host.tld/path`` (``pic.twitter.com/x``).
    A URL becomes one token, its host name, instead of dozens of path pieces.
``email``
    ``name@host.tld``, kept whole.
``number``
    Digits in any script, with inner ``.`` ``,`` ``٫`` ``٬`` separators.
``word``
    Any other run of letters and digits (Latin, Cyrillic, …). ``#`` and ``@``
    are separators, so ``#Libya`` and ``@user`` give ``Libya`` and ``user``.

Offsets always index the original text, so highlighting and phrase
positions point at what the reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

ARABIC = "arabic"
URL = "url"
EMAIL = "email"
NUMBER = "number"
WORD = "word"

#: Characters that make up an Arabic token: letters of the Arabic blocks and
#: presentation forms, with the combining marks, tatweel and zero-width/bidi
#: controls that can appear inside a word. Punctuation, digits and signs of
#: the same blocks (، ؛ ؟ ٪ ٫ ٬ ۔ ۝ ﴾ ﴿) are left out on purpose.
ARABIC_TOKEN_CHARS = (
    "\u0610-\u061A"   # honorific marks
    "\u061C"          # Arabic letter mark (bidi)
    "\u0621-\u065F"   # letters, tatweel, harakat
    "\u066E-\u066F\u0670-\u06D3\u06D5-\u06DC\u06DF-\u06E8\u06EA-\u06EF\u06FA-\u06FC\u06FF"
    "\u0750-\u077F\u08A0-\u08FF"                      # supplement, extended-A
    "\uFB50-\uFD3D\uFD50-\uFDFB\uFE70-\uFEFC"         # presentation forms
    "\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF"   # invisible controls
)

# Arabic punctuation (، ؛ ؟) separates tokens, so it also ends a URL: an
# Arabic sentence often continues right after it without a space.
_URL_STOP = r"""\s<>"'«»“”‘’()\[\]{}|،؛؟"""
TOKEN_PATTERN = re.compile(
    rf"(?P<arabic>[{ARABIC_TOKEN_CHARS}]+)"
    rf"|(?P<url>(?:https?://|www\.)[^{_URL_STOP}]+"
    rf"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{{2,}}/[^{_URL_STOP}]*)"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<number>\d+(?:[.,\u066B\u066C]\d+)*)"
    r"|(?P<word>[^\W_]+)"
)
_KINDS = {TOKEN_PATTERN.groupindex[k]: k for k in (ARABIC, URL, EMAIL, NUMBER, WORD)}
_URL_GROUP = TOKEN_PATTERN.groupindex[URL]

# Characters a URL rarely ends with but prose often puts right after one.
_URL_TRAILING = ".,;:!?…،؛؟'\")]}»”"
_URL_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?(?:www\.)?([^/:?#]+)", re.I)


class RawToken(NamedTuple):
    """One token as it appears in the text: its surface form, its kind and
    the ``[start, end)`` character offsets of that form in the original text.
    For a URL, ``text`` is the host name while the offsets cover the whole URL."""

    text: str
    kind: str
    start: int
    end: int


def url_host(url: str) -> str:
    """The lower-cased host of a URL, without ``www.``.

    >>> url_host("https://www.spa.gov.sa/news/2023?id=5")
    'spa.gov.sa'
    """
    m = _URL_HOST.match(url)
    return (m.group(1) if m else url).lower().rstrip(".")


#: One token as :func:`spans` yields it: surface form, start, end, and the
#: number of the :data:`TOKEN_PATTERN` group that matched (its kind).
Span = tuple[str, int, int, int]


def spans(text: str) -> Iterator[Span]:
    """The tokenizing loop, the only one: every consumer of tokens
    (:func:`tokenize`, the Whoosh tokenizer, the analyzer's fused loop)
    reads it. A URL becomes its host name, with offsets covering the URL
    without the punctuation that prose puts after it.

    >>> list(spans("انظر www.spa.gov.sa/x."))
    [('انظر', 0, 4, 1), ('spa.gov.sa', 5, 21, 2)]
    """
    url_group = _URL_GROUP
    for m in TOKEN_PATTERN.finditer(text):
        group = m.lastindex
        if group == url_group:
            start = m.start()
            url = m.group().rstrip(_URL_TRAILING)
            yield url_host(url), start, start + len(url), group
        else:
            start, end = m.span()
            yield m.group(), start, end, group


def tokenize(text: str) -> Iterator[RawToken]:
    """Yield the tokens of ``text`` with their kinds and original offsets.

    >>> [t.text for t in tokenize("وصل الوفدُ، إلى #Libya عام ٢٠٢٣")]
    ['وصل', 'الوفدُ', 'إلى', 'Libya', 'عام', '٢٠٢٣']
    >>> list(tokenize("pic.twitter.com/AbC123"))
    [RawToken(text='pic.twitter.com', kind='url', start=0, end=22)]
    """
    kinds = _KINDS
    for surface, start, end, group in spans(text):
        yield RawToken(surface, kinds[group], start, end)
