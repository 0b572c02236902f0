"""One validated search request, shared by ``search``, ``search_ids`` and
``facets`` (and by each shard of a sharded index).

Every option a search takes is checked here, once, and turned into the
form the index uses: filters as normalized values, dates as datetimes,
weights merged into :class:`~arsearch.index.ranking.RankingParams`. A bad
option is a :class:`~arsearch.QueryError` that names it.

>>> from arsearch.index.ranking import RankingParams
>>> r = SearchRequest.build("مطر", RankingParams(), limit=5, page=2, source="  صحيفة الأُفق ",
...                         until="2023-09-30")
>>> r.offset, r.sources, r.until.isoformat()
(5, ('صحيفه الافق',), '2023-09-30T23:59:59.999999')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from ..analysis import normalize_value
from ..dates import parse_date_details
from ..errors import DateError, QueryError
from .query import Correction, check_query
from .ranking import RankingParams, check_weights

#: Largest page size a search accepts.
MAX_LIMIT = 1000
#: Most words a quoted phrase's words may stand apart (``phrase_slop``).
MAX_PHRASE_SLOP = 20


@dataclass(frozen=True)
class SearchRequest:
    """A query string with its checked options."""

    query: str
    params: RankingParams
    limit: int = 10
    page: int = 1
    #: Normalized source names (any of them), and tags (all of them).
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    #: A source filter was given, but every value normalized to nothing:
    #: it matches no article (rather than being no filter at all).
    impossible: bool = False
    #: Correct misspelled words (``True``), not (``False``), or apply
    #: exactly these corrections (what a sharded index passes its shards).
    correct: bool | tuple[Correction, ...] = True
    #: Quoted phrases: ``None`` relaxes them into their words when they
    #: leave no result, ``False`` never does, ``True`` always does.
    relax_phrases: bool | None = None

    @classmethod
    def build(cls, query: str, params: RankingParams, *, limit: int = 10, page: int = 1,
              source: str | Iterable[str] | None = None,
              tags: str | Iterable[str] | None = None,
              since: str | date | datetime | None = None,
              until: str | date | datetime | None = None,
              weights: Mapping[str, float] | None = None,
              correct: bool | Iterable[Correction] = True,
              relax_phrases: bool | None = None,
              phrase_slop: int | None = None) -> SearchRequest:
        check_query(query)
        check_page(limit, page)
        if relax_phrases is not None and not isinstance(relax_phrases, bool):
            raise QueryError(f"relax_phrases must be True, False or None, got {relax_phrases!r}")
        if phrase_slop is not None:
            if isinstance(phrase_slop, bool) or not isinstance(phrase_slop, int) \
                    or not 0 <= phrase_slop <= MAX_PHRASE_SLOP:
                raise QueryError(f"phrase_slop must be a whole number from 0 to "
                                 f"{MAX_PHRASE_SLOP}, got {phrase_slop!r}")
            params = replace(params, phrase_slop=phrase_slop)
        if not isinstance(correct, bool):
            try:
                correct = tuple(correct)
            except TypeError:
                raise QueryError(f"correct must be True, False or a list of corrections, got "
                                 f"{correct!r}") from None
            if not all(isinstance(c, Correction) for c in correct):
                raise QueryError("correct must be True, False or a list of Correction objects")
            for c in correct:
                if isinstance(c.weight, bool) or not isinstance(c.weight, (int, float)) \
                        or not 0 < c.weight <= 1:
                    raise QueryError(f"a correction's weight must be a number above 0 and at "
                                     f"most 1, got {c.weight!r}")
        if weights is not None:
            try:
                params = params.with_weights(check_weights(weights))
            except (ValueError, AttributeError) as e:
                raise QueryError(str(e)) from None
        given_sources = _as_list(source, "source")
        sources = tuple(v for v in (normalize_value(s) for s in given_sources) if v)
        tag_values = tuple(v for v in (normalize_value(t) for t in _as_list(tags, "tags")) if v)
        since_dt = _bound(since, "since")
        until_dt = _bound(until, "until", end_of_day=True)
        return cls(query, params, limit, page, sources, tag_values, since_dt, until_dt,
                   impossible=bool(given_sources) and not sources, correct=correct,
                   relax_phrases=relax_phrases)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def filtered(self) -> bool:
        return bool(self.sources or self.tags or self.since or self.until or self.impossible)


def check_page(limit: Any, page: Any) -> None:
    """``limit`` and ``page`` as a search accepts them; QueryError otherwise."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a positive integer, got {limit!r}")
    if limit > MAX_LIMIT:
        raise QueryError(f"limit must be at most {MAX_LIMIT}, got {limit}; page through "
                         "results with page= instead")
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be a positive integer, got {page!r}")


def _as_list(value: str | Iterable[str] | None, name: str) -> list[str]:
    """A filter argument as a list of non-blank values (``None``, ``""`` and
    ``[]`` all mean "no filter")."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    else:
        try:
            items = list(value)
        except TypeError:
            raise QueryError(f"{name} must be a string or a list of strings") from None
        if not all(isinstance(v, str) for v in items):
            raise QueryError(f"{name} must be a string or a list of strings")
    return [v for v in items if normalize_value(v)]


def _bound(value: Any, name: str, *, end_of_day: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        when, has_time = parse_date_details(value)
    except DateError as e:
        raise QueryError(f"{name}: {e.reason}") from None
    if when is not None and end_of_day and not has_time:
        # until="2023-09-30" (a day, no time of day) means up to the end of
        # that day; until="26 سبتمبر 2023 الساعة 10 مساءً" means 22:00.
        when = when + timedelta(days=1) - timedelta(microseconds=1)
    return when


__all__ = ["MAX_LIMIT", "MAX_PHRASE_SLOP", "SearchRequest", "check_page"]
