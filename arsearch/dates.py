"""Parse the dates that news articles carry into naive UTC datetimes.

Arabic news sites write the same day many ways: ``2023-09-26T14:30:00+03:00``
in their metadata, ``الثلاثاء 26 سبتمبر (أيلول) 2023`` or ``٢٦ أيلول ٢٠٢٣`` on
the page, ``26/09/2023`` in listings, and English feeds add
``Tue, 26 Sep 2023 14:30:00 GMT``. :func:`parse_date` reads all of them and
returns one thing: a naive :class:`~datetime.datetime` in UTC.

How it works: the input is folded with :func:`arsearch.analysis.normalization.normalize`
(so أيلول/ايلول, يونية/يونيه, ٢٠٢٣/2023 and diacritics all match) and
lower-cased, then split into tokens (clock times, numbers, words, punctuation).
Every word must be found in one of the tables below — month names
(:data:`MONTHS`), weekday names, time zones, AM/PM markers, the era marker م,
or noise such as ``تاريخ النشر`` — otherwise the input is rejected rather than
guessed at. All the rules are data in this module; nothing beyond the standard
library is used.

>>> parse_date("الثلاثاء ٢٦ سبتمبر (أيلول) ٢٠٢٣ الساعة 10:30 صباحاً")
datetime.datetime(2023, 9, 26, 10, 30)
>>> parse_date("2023-09-26T14:30:00+03:00")
datetime.datetime(2023, 9, 26, 11, 30)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from .analysis.lexicon import month_names
from .analysis.normalization import normalize
from .errors import DateError

__all__ = ["MONTHS", "WEEKDAYS", "TIMEZONES", "ParsedDate", "parse_date", "parse_date_details"]


def _fold(text: str) -> str:
    """The form every table key and every input is compared in."""
    return normalize(text).casefold()


# --------------------------------------------------------------------------
# Rules as data. Spellings are written as they appear in print (with hamza,
# ة, ى); they are folded with :func:`_fold` when the lookup tables are built.
# --------------------------------------------------------------------------

#: Month names by naming system, read from the table the analyzer shares
#: (``arsearch/analysis/lexicon/months.tsv``): Egypt and the Gulf
#: transliterate the Latin names (``egypt_gulf``); the Levant and Iraq use
#: the Syriac names, four of them two words (``levant_iraq``); the Maghreb
#: uses French-derived (Algeria, Tunisia) or Spanish-influenced (Morocco)
#: forms (``maghreb``); and ``english``.
MONTH_NAMES: Mapping[str, Mapping[int, tuple[str, ...]]] = MappingProxyType({
    system: MappingProxyType({
        number: tuple(m.spelling for m in month_names() if m.system == system
                      and int(m.month) == number)
        for number in dict.fromkeys(int(m.month) for m in month_names() if m.system == system)})
    for system in ("egypt_gulf", "levant_iraq", "maghreb", "english")
})

#: Weekday names; they are recognised and ignored (never checked against
#: the date). Values are ``date.weekday()`` numbers, for reference.
WEEKDAY_NAMES: Mapping[int, tuple[str, ...]] = MappingProxyType({
    0: ("الإثنين", "الاثنين", "اثنين", "Monday", "Mon"),
    1: ("الثلاثاء", "الثلثاء", "ثلاثاء", "Tuesday", "Tues", "Tue"),
    2: ("الأربعاء", "أربعاء", "Wednesday", "Wed"),
    3: ("الخميس", "خميس", "Thursday", "Thurs", "Thur", "Thu"),
    4: ("الجمعة", "جمعة", "Friday", "Fri"),
    5: ("السبت", "سبت", "Saturday", "Sat"),
    6: ("الأحد", "أحد", "Sunday", "Sun"),
})

#: Time-zone designators, as offsets east of UTC. Only unambiguous, fixed
#: offsets: Saudi Arabia (مكة) has kept UTC+3, without daylight saving, since 1947.
#: ``ت.غ`` (توقيت غرينتش) is rewritten to ``gmt`` before tokenizing.
TIMEZONE_NAMES: Mapping[str, timedelta] = MappingProxyType({
    **{name: timedelta(0) for name in ("GMT", "UTC", "UT", "Z")},
    **{f"{prefix}{greenwich}": timedelta(0)
       for prefix in ("", "بتوقيت ", "توقيت ")
       for greenwich in ("غرينتش", "غرينيتش", "جرينتش", "جرينيتش", "غرنتش")},
    **{f"{prefix}{mecca}": timedelta(hours=3)
       for prefix in ("بتوقيت ", "توقيت ")
       for mecca in ("مكة", "مكة المكرمة")},
})

#: AM/PM markers that may follow a clock time (``10:30 ص``, ``10:30 مساءً``,
#: ``2:30 pm``; ``p.m.`` is rewritten to ``pm`` first).
MERIDIEM_NAMES: Mapping[str, str] = MappingProxyType({
    "ص": "am", "صباحاً": "am", "صباحا": "am", "صباح": "am", "صبحا": "am", "am": "am",
    "م": "pm", "مساءً": "pm", "مساءا": "pm", "مساء": "pm", "pm": "pm",
})

#: Era markers allowed right after a four-digit year: ``2023م``, ``2023 ميلادي``.
ERA_NAMES: tuple[str, ...] = ("م", "ميلادي", "ميلادية", "للميلاد")

#: Words that may surround a date and carry no information: labels such as
#: ``تاريخ النشر:``, ``نشر في``, ``آخر تحديث``, ``Published on``, filler such
#: as ``الموافق``, ``من``, ``عام``, ``الساعة``, ``at``, ``of``.
NOISE_WORDS: tuple[str, ...] = (
    "تاريخ", "التاريخ", "النشر", "نشر", "نشرت", "بتاريخ", "في", "تم",
    "آخر", "اخر", "تحديث", "التحديث", "محدث", "يوم", "الموافق", "من", "شهر",
    "عام", "لعام", "سنة", "لسنة", "الساعة", "ساعة", "ال",
    "published", "updated", "posted", "modified", "last", "date", "on", "at",
    "of", "the", "time",
)

#: Markers of Hijri dates, which are not supported: ``هـ`` (tatweel is
#: removed by normalization, leaving ``ه``), "Hijri" words and the Hijri
#: month names (the ``hijri`` rows of months.tsv).
HIJRI_MARKERS: tuple[str, ...] = (
    "هـ", "هجري", "هجرية", "للهجرة", "الهجري", "الهجرية", "ah", "hijri",
    *(m.spelling for m in month_names() if m.hijri),
)

#: Punctuation that may appear between the parts of a date and is ignored.
#: ``+`` is absent on purpose: it is only valid as the sign of a UTC offset.
ALLOWED_PUNCTUATION = frozenset(",،;؛:/-.()[]{}|«»\"'")

#: Separators of all-numeric dates (``26/09/2023``, ``26-09-2023``, ``26.09.2023``).
NUMERIC_SEPARATORS = frozenset("/-.")

#: Rewrites applied to the folded text before tokenizing.
PRE_SUBSTITUTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # ISO 8601 'T' between date and time: 2023-09-26T14:30 → 2023-09-26 14:30
    (re.compile(r"(?<=\d)t(?=\d)"), " "),
    # a.m. / p.m. → am / pm
    (re.compile(r"(?<![^\W\d_])([ap])\.\s?m\b\.?"), r"\1m"),
    # ت.غ / ت. غ (توقيت غرينتش) → gmt
    (re.compile(r"(?<![^\W\d_])ت\s*\.\s*غ(?![^\W\d_])"), " gmt "),
    # hyphens, dashes and the minus sign → '-'
    (re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]"), "-"),
)


# --------------------------------------------------------------------------
# Lookup tables built from the data above.
# --------------------------------------------------------------------------

_V = TypeVar("_V")


def _build(pairs: Iterable[tuple[str, _V]], what: str) -> Mapping[str, _V]:
    table: dict[str, _V] = {}
    for spelling, value in pairs:
        key = _fold(spelling)
        if table.get(key, value) != value:
            raise AssertionError(f"{what} {spelling!r} maps to two values")
        table[key] = value
    return MappingProxyType(table)


#: Every month name, folded (hamza, ة, ى, case), to its month number 1–12.
MONTHS: Mapping[str, int] = _build(
    ((name, month) for system in MONTH_NAMES.values()
     for month, names in system.items() for name in names), "month")

#: Every weekday name, folded, to its ``date.weekday()`` number.
WEEKDAYS: Mapping[str, int] = _build(
    ((name, day) for day, names in WEEKDAY_NAMES.items() for name in names), "weekday")

#: Every time-zone designator, folded, to its offset east of UTC.
TIMEZONES: Mapping[str, timedelta] = _build(TIMEZONE_NAMES.items(), "time zone")

_MERIDIEM: Mapping[str, str] = _build(MERIDIEM_NAMES.items(), "meridiem")
_ERA = frozenset(_fold(e) for e in ERA_NAMES)

# One table of every multi-purpose phrase: folded phrase → (kind, value).
# Meridiem and era markers are not in it: they only count right after a
# time or a year, and ``م`` is both.
_PHRASES: dict[str, tuple[str, object]] = {}
_TABLES: tuple[tuple[str, Mapping[str, object]], ...] = (
    ("month", MONTHS), ("weekday", WEEKDAYS), ("tz", TIMEZONES),
    ("noise", {_fold(w): None for w in NOISE_WORDS}),
    ("hijri", {_fold(w): None for w in HIJRI_MARKERS}))
for _kind, _table in _TABLES:
    for _key, _value in _table.items():
        if _key in _PHRASES:
            raise AssertionError(f"{_key!r} is both {_PHRASES[_key][0]} and {_kind}")
        _PHRASES[_key] = (_kind, _value)
_MAX_PHRASE_WORDS = max(len(k.split()) for k in _PHRASES)

_TOKEN_RE = re.compile(r"""
      (?P<space>\s+)
    | (?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)(?![\d:])
    | (?P<num>\d+)(?:(?P<ord>st|nd|rd|th)(?![^\W\d_]))?
    | (?P<word>[^\W\d_]+)
    | (?P<punct>.)
""", re.VERBOSE | re.DOTALL)

#: Where a date printed in both calendars splits into one part per calendar:
#: `` - ``, ``|``, commas, brackets and الموافق ("corresponding to"). Only
#: used when a Hijri marker is present.
_CALENDAR_PARTS = re.compile(r"\s-\s|[|,،;؛()\[\]]|(?<![^\W\d_])" + _fold("الموافق")
                             + r"(?![^\W\d_])")
_DIGIT = re.compile(r"\d")

_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?")

_MAX_SHOWN = 80
_EXPECTED = "expected ISO 8601 (2023-09-26) or a form like '26 سبتمبر 2023'"


# --------------------------------------------------------------------------
# Parsing.
# --------------------------------------------------------------------------

class _Reject(Exception):
    """Internal: why a string is not a date (turned into a DateError)."""

    def __init__(self, reason: str, *, hint: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class _Tok(NamedTuple):
    kind: str            # "time", "num", "word" or "punct"
    text: str
    spaced: bool         # whitespace (or the start) before it
    ordinal: str = ""    # "st"/"nd"/"rd"/"th" after a number


def _shown(text: str) -> str:
    if len(text) > _MAX_SHOWN:
        text = text[:_MAX_SHOWN - 1] + "…"
    return repr(text)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    spaced = True
    for m in _TOKEN_RE.finditer(text):
        if m.group("space"):
            spaced = True
            continue
        if m.group("time"):
            toks.append(_Tok("time", m.group("time"), spaced))
        elif m.group("num"):
            toks.append(_Tok("num", m.group("num"), spaced, m.group("ord") or ""))
        elif m.group("word"):
            toks.append(_Tok("word", m.group("word"), spaced))
        else:
            toks.append(_Tok("punct", m.group("punct"), spaced))
        spaced = False
    return toks


def _phrase_at(toks: list[_Tok], i: int) -> tuple[str, str, object, int] | None:
    """The longest table phrase starting at word ``i``: (phrase, kind, value, next)."""
    for k in range(min(_MAX_PHRASE_WORDS, len(toks) - i), 0, -1):
        words = toks[i:i + k]
        if any(w.kind != "word" for w in words):
            continue
        key = " ".join(w.text for w in words)
        hit = _PHRASES.get(key)
        if hit is not None:
            return key, hit[0], hit[1], i + k
    return None


def _clock(text: str) -> tuple[int, int, int, int]:
    m = _CLOCK_RE.fullmatch(text)
    assert m is not None
    frac = (m.group(4) or "")[:6].ljust(6, "0")
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), int(frac)


def _hijri_marker(toks: list[_Tok]) -> str | None:
    """The first Hijri marker among ``toks``, as written in messages."""
    for i, tok in enumerate(toks):
        if tok.kind == "word":
            hit = _phrase_at(toks, i)
            if hit is not None and hit[1] == "hijri":
                return "هـ" if hit[0] == "ه" else hit[0]
    return None


def _gregorian_part(text: str) -> str | None:
    """The parts of a date printed in both calendars that are not Hijri
    (``11 ربيع الأول 1445 هـ - 26 سبتمبر 2023 م`` gives ``26 سبتمبر 2023 م``),
    or ``None`` when every part is Hijri."""
    parts = _CALENDAR_PARTS.split(text)
    kept = [part for part in parts if _hijri_marker(_tokenize(part)) is None]
    if len(kept) == len(parts) or not any(_DIGIT.search(part) for part in kept):
        return None
    return " ".join(kept)


def _meridiem(hour: int, which: str, shown: str) -> int:
    if which == "am":
        if hour <= 12:
            return 0 if hour == 12 else hour
    elif 1 <= hour <= 23:
        return hour + 12 if hour < 12 else hour
    raise _Reject(f"hour {hour} cannot be {which.upper()} ({shown!r})", hint=False)


def _offset_at(toks: list[_Tok], i: int) -> tuple[timedelta | None, int]:
    """A ``+03:00`` / ``-0500`` / ``+3`` offset starting at token ``i``, if any."""
    if i + 1 >= len(toks):
        return None, i
    sign, body = toks[i], toks[i + 1]
    if sign.kind != "punct" or sign.text not in "+-" or body.spaced:
        return None, i
    if body.kind == "time":
        h, m, s, us = _clock(body.text)
    elif body.kind == "num" and not body.ordinal and len(body.text) in (1, 2, 4):
        digits = body.text
        h, m, s, us = (int(digits), 0, 0, 0) if len(digits) <= 2 else \
            (int(digits[:2]), int(digits[2:]), 0, 0)
    else:
        return None, i
    if h > 23 or m > 59 or s > 59:
        raise _Reject(f"invalid UTC offset {sign.text}{body.text!s}", hint=False)
    offset = timedelta(hours=h, minutes=m, seconds=s, microseconds=us)
    return (-offset if sign.text == "-" else offset), i + 2


def _parse_text(raw: str, dayfirst: bool) -> tuple[datetime | None, bool]:
    """The date in ``raw`` and whether it named a time of day."""
    text = _fold(raw)
    if not text.strip():
        return None, False
    for pattern, replacement in PRE_SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    toks = _tokenize(text)

    # Hijri first, so that its message wins over "unrecognized word". A page
    # that prints both calendars gives the Gregorian date from its own part.
    found = _hijri_marker(toks)
    if found is not None:
        gregorian = _gregorian_part(text)
        if gregorian is not None:
            try:
                return _parse_text(gregorian, dayfirst)
            except _Reject:
                pass
        raise _Reject(f"Hijri dates are not supported (found {found!r}); "
                      "give the Gregorian date, e.g. '26 سبتمبر 2023'", hint=False)

    nums: list[tuple[int, _Tok]] = []          # (token index, token) of date numbers
    months: list[tuple[str, int]] = []
    times: list[tuple[int, int, int, int]] = []
    offsets: list[timedelta] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "time":
            h, mi, s, us = _clock(tok.text)
            i += 1
            if nxt is not None and nxt.kind == "word" and nxt.text in _MERIDIEM:
                h = _meridiem(h, _MERIDIEM[nxt.text], f"{tok.text} {nxt.text}")
                i += 1
            offset, i = _offset_at(toks, i)
            if offset is not None:
                offsets.append(offset)
            times.append((h, mi, s, us))
        elif tok.kind == "num":
            prev = toks[i - 1] if i else None
            in_numeric_date = (prev is not None and prev.kind == "punct" and not tok.spaced
                               and prev.text in NUMERIC_SEPARATORS)
            if (nxt is not None and nxt.kind == "word" and nxt.text in _MERIDIEM
                    and len(tok.text) <= 2 and not tok.ordinal and not in_numeric_date):
                # an hour alone: "الساعة 10 صباحاً", "5 pm"
                h = _meridiem(int(tok.text), _MERIDIEM[nxt.text], f"{tok.text} {nxt.text}")
                times.append((h, 0, 0, 0))
                i += 2
                continue
            nums.append((i, tok))
            i += 1
            if (nxt is not None and nxt.kind == "word" and nxt.text in _ERA
                    and (len(tok.text) == 4 or in_numeric_date)):
                i += 1              # "2023م", "2023/09/26 م": the era marker is dropped
        elif tok.kind == "word":
            hit = _phrase_at(toks, i)
            if hit is None:
                after = [what for what, table in (("a time", _MERIDIEM), ("a year", _ERA))
                         if tok.text in table]
                if after:
                    raise _Reject(f"{tok.text!r} must follow {' or '.join(after)}")
                raise _Reject(f"unrecognized word {_shown(tok.text)}")
            phrase, kind, value, i = hit
            if kind == "month":
                assert isinstance(value, int)
                months.append((phrase, value))
            elif kind == "tz":
                assert isinstance(value, timedelta)
                if not value:
                    extra, i = _offset_at(toks, i)      # GMT+3, UTC+05:30
                    if extra is not None:
                        value = extra
                offsets.append(value)
        else:
            if tok.text not in ALLOWED_PUNCTUATION:
                raise _Reject(f"unexpected {tok.text!r}")
            i += 1

    if len(times) > 1:
        raise _Reject("more than one time of day")
    if len(set(offsets)) > 1:
        raise _Reject("conflicting time zones", hint=False)
    if months:
        year, month, day = _from_month_name(months, nums)
    else:
        year, month, day = _from_numbers(toks, nums, dayfirst)
    h, mi, s, us = times[0] if times else (0, 0, 0, 0)
    try:
        result = datetime(year, month, day, h, mi, s, us)
    except ValueError as e:
        raise _Reject(f"invalid date: {e}", hint=False) from None
    if offsets:
        try:
            result -= offsets[0]
        except OverflowError:
            raise _Reject("date is out of range once converted to UTC", hint=False) from None
    return result, bool(times)


def _from_month_name(months: list[tuple[str, int]],
                     nums: list[tuple[int, _Tok]]) -> tuple[int, int, int]:
    if len({m for _, m in months}) > 1:
        named = ", ".join(f"{name!r} is {m}" for name, m in months)
        raise _Reject(f"month names disagree ({named})", hint=False)
    days = [t for _, t in nums if len(t.text) <= 2]
    years = [t for _, t in nums if len(t.text) == 4]
    if len(nums) != 2 or len(days) != 1 or len(years) != 1:
        raise _Reject("a month name needs exactly one day (1–31) and one four-digit year")
    if years[0].ordinal:
        raise _Reject(f"ordinal suffix on the year {years[0].text}{years[0].ordinal}")
    return int(years[0].text), months[0][1], int(days[0].text)


def _from_numbers(toks: list[_Tok], nums: list[tuple[int, _Tok]],
                  dayfirst: bool) -> tuple[int, int, int]:
    if not nums:
        raise _Reject("no date found")
    if len(nums) != 3 or any(t.ordinal for _, t in nums):
        raise _Reject("expected day, month and year")
    (i0, a), (i1, b), (i2, c) = nums
    seps = {toks[i0 + 1].text if i1 == i0 + 2 else "", toks[i1 + 1].text if i2 == i1 + 2 else ""}
    if len(seps) != 1 or not seps <= NUMERIC_SEPARATORS:
        raise _Reject("numeric dates need one separator, as in 26/09/2023 or 2023-09-26")
    la, lb, lc = len(a.text), len(b.text), len(c.text)
    if la == 4 and lb <= 2 and lc <= 2:          # 2023/09/26, always year-month-day
        return int(a.text), int(b.text), int(c.text)
    if la <= 2 and lb <= 2 and lc == 4:          # 26/09/2023 or 09/26/2023
        first, second = int(a.text), int(b.text)
        if dayfirst:
            day, month = (second, first) if second > 12 >= first else (first, second)
        else:
            month, day = (second, first) if first > 12 >= second else (first, second)
        return int(c.text), month, day
    raise _Reject("numeric dates need a four-digit year first or last")


def _from_datetime(value: datetime) -> datetime:
    offset = value.utcoffset()
    naive = datetime(value.year, value.month, value.day, value.hour, value.minute,
                     value.second, value.microsecond)
    if offset:
        try:
            naive -= offset
        except OverflowError:
            raise DateError(f"date {value.isoformat()!r} is out of range once "
                            "converted to UTC") from None
    return naive


def parse_date(value: str | datetime | date | None, *, dayfirst: bool = True) -> datetime | None:
    """Parse a news article's date into a naive :class:`~datetime.datetime` in UTC.

    ``None`` and blank strings give ``None``; a :class:`~datetime.date` gives
    midnight; an aware datetime, or a string with ``Z``, ``+03:00``, ``GMT``,
    ``UTC`` or ``بتوقيت غرينتش``, is converted to UTC; a naive one is taken
    to be UTC already.

    Strings may be ISO 8601, English (``Tuesday, 26th September 2023 14:30
    GMT``, ``Sep 26, 2023``), numeric (``26/09/2023``; ``dayfirst=False``
    reads ``09/10/2023`` as 10 September, while ``26/09/2023`` stays
    unambiguous) or Arabic with either digit set, any hamza spelling, the
    Egyptian/Gulf, Levantine/Iraqi or Maghrebi month names, weekday names,
    an optional ``م`` after the year and an optional ``الساعة 10:30 صباحاً``.
    When a month is named twice (``سبتمبر (أيلول)``) the names must agree.
    A page that prints both calendars (``11 ربيع الأول 1445 هـ - 26 سبتمبر
    2023 م``, or with ``الموافق``, a comma or brackets between them) gives
    its Gregorian date.

    >>> parse_date("نشر في: الأحد، ٥ مارس/آذار ٢٠٢٣م - 10:30 م")
    datetime.datetime(2023, 3, 5, 22, 30)
    >>> parse_date("5 كانون الثاني 2022 بتوقيت غرينتش")
    datetime.datetime(2022, 1, 5, 0, 0)
    >>> parse_date("26 سبتمبر (آب) 2023")
    Traceback (most recent call last):
    ...
    arsearch.errors.DateError: could not parse date '26 سبتمبر (آب) 2023': month names disagree ('سبتمبر' is 9, 'اب' is 8)

    Raises :class:`~arsearch.errors.DateError` (quoting the input) for
    anything else: unknown words, impossible dates such as 31 February,
    a Hijri date without its Gregorian one, and values that are not strings,
    dates or ``None``. :func:`parse_date_details` also says whether the
    value named a time of day.
    """
    return parse_date_details(value, dayfirst=dayfirst).when


class ParsedDate(NamedTuple):
    """What :func:`parse_date_details` read from a value."""

    #: The moment as a naive UTC datetime (``None`` for ``None`` or a blank string).
    when: datetime | None
    #: Whether the value named a time of day: a clock time (``10:30``), an
    #: hour with ص/م or am/pm (``الساعة 10 مساءً``), or a ``datetime``. A
    #: bare day (``26 سبتمبر 2023``, a ``date``) has none, and an upper
    #: bound such as ``until=`` may then mean the whole day.
    has_time: bool


def parse_date_details(value: str | datetime | date | None, *,
                       dayfirst: bool = True) -> ParsedDate:
    """Like :func:`parse_date`, and also say whether ``value`` named a time of day.

    >>> parse_date_details("26 سبتمبر 2023 الساعة 10 مساءً")
    ParsedDate(when=datetime.datetime(2023, 9, 26, 22, 0), has_time=True)
    >>> parse_date_details("٢٦ سبتمبر ٢٠٢٣").has_time
    False
    """
    if value is None:
        return ParsedDate(None, False)
    if isinstance(value, datetime):
        return ParsedDate(_from_datetime(value), True)
    if isinstance(value, date):
        return ParsedDate(datetime(value.year, value.month, value.day), False)
    if not isinstance(value, str):
        hint = "; decode bytes to str first" if isinstance(value, (bytes, bytearray)) else ""
        shown = repr(value)
        if len(shown) > _MAX_SHOWN:
            shown = shown[:_MAX_SHOWN - 1] + "…"
        raise DateError(f"could not parse date of type {type(value).__name__} ({shown}): "
                        f"expected a str, datetime or date{hint}")
    if not value.strip():
        return ParsedDate(None, False)
    try:
        return ParsedDate(*_parse_text(value, bool(dayfirst)))
    except _Reject as e:
        message = f"could not parse date {_shown(value)}: {e.reason}"
        if e.hint:
            message += f"; {_EXPECTED}"
        raise DateError(message) from None
