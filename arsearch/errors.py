"""The exceptions arsearch raises on purpose.

Every one derives from :class:`ArsearchError`, so ``except arsearch.ArsearchError``
catches all of them and nothing from Whoosh ever needs catching.
"""

from __future__ import annotations

from typing import Any


class ArsearchError(Exception):
    """Base class of every exception arsearch raises on purpose."""


class SettingsError(ArsearchError, ValueError, TypeError):
    """An argument or setting arsearch cannot use: an unknown stemmer or
    normalization step, a bad option value, a wrong type. It is also a
    ``ValueError`` and a ``TypeError``, as Python's own argument errors are.

    >>> import arsearch
    >>> try:
    ...     arsearch.ArabicAnalyzer(stemmer="porter")
    ... except arsearch.SettingsError as e:
    ...     print(e)
    unknown stemmer 'porter'; choose from ['light10', 'light10-snowball', 'none', 'snowball']
    """


class QueryError(ArsearchError, ValueError):
    """A search query (or a search option) that cannot be run.

    >>> import arsearch
    >>> try:
    ...     arsearch.Index().search("x", limit=0)
    ... except arsearch.QueryError as e:
    ...     print(e)
    limit must be a positive integer, got 0
    """


class DocumentError(ArsearchError, ValueError):
    """A record that cannot be indexed.

    ``record`` is the record's id when it has a usable one, otherwise its
    0-based position in the batch given to :meth:`Index.add`. ``field`` names
    the offending field (``None`` when the record as a whole is wrong).
    """

    def __init__(self, message: str, *, record: Any = None, field: str | None = None):
        self.record = record
        self.field = field
        self.reason = message
        where = []
        if record is not None:
            where.append(f"record {record!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class FieldMappingError(DocumentError):
    """The input's keys (JSON keys, CSV columns) do not give the article
    fields: a ``fields`` mapping names a key no record has, or no key is
    an id, a headline or a body.

    ``source`` names the file; ``field`` the field that cannot be filled
    (``"id"``, or ``"headline"`` when there is neither headline nor body);
    ``key`` the key the mapping named for it (``None`` when no key gives the
    field at all); ``available`` the keys the input has, and ``noun`` what
    they are (``"key"`` or ``"column"``); ``guess`` the available key most
    likely meant (or ``None``). ``hints`` maps article fields to the
    available keys that look like them, so a message can show the fix.
    """

    def __init__(self, message: str, *, source: str, field: str,
                 key: str | None = None, available: tuple[str, ...] = (),
                 guess: str | None = None, hints: dict[str, str] | None = None,
                 noun: str = "key"):
        super().__init__(message, field=field)
        self.source = source
        self.key = key
        self.available = tuple(available)
        self.guess = guess
        self.hints = dict(hints or {})
        self.noun = noun


class MissingDependencyError(ArsearchError, ImportError):
    """An optional feature whose dependency is not installed. The message
    names the extra to install, e.g. ``pip install 'arsearch[html]'``."""


class DateError(DocumentError):
    """A date that cannot be understood.

    Raised by :func:`arsearch.parse_date` (without record context) and by
    :meth:`Index.add` (naming the record and the ``date`` field).
    """


class IndexOpenError(ArsearchError, OSError):
    """An index directory that cannot be opened or created.

    The message always says what to do about it.
    """


class IndexWriteError(ArsearchError, OSError):
    """Writing to the index failed (a read-only directory, a full disk).
    Everything committed before the failure is still there."""


class SchemaMismatchError(IndexOpenError):
    """The directory holds an index, but not one written by arsearch
    (or written with an incompatible schema)."""


class IndexLockedError(ArsearchError, TimeoutError):
    """Another writer held the index for longer than the caller's timeout."""


class IndexClosedError(ArsearchError):
    """The :class:`Index` was closed and cannot be used any more."""


__all__ = [
    "ArsearchError",
    "QueryError",
    "SettingsError",
    "DocumentError",
    "DateError",
    "FieldMappingError",
    "MissingDependencyError",
    "IndexOpenError",
    "IndexWriteError",
    "SchemaMismatchError",
    "IndexLockedError",
    "IndexClosedError",
]
