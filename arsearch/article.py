"""The article record: its fields, and the checks a record passes before it
is indexed.

A record is an :class:`Article` or a mapping with the same keys. Validation
turns either into a clean :class:`Article`, or raises
:class:`~arsearch.errors.DocumentError` naming the record and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from .dates import parse_date
from .errors import DateError, DocumentError

#: The fields of an article, in display order.
ARTICLE_FIELDS: tuple[str, ...] = ("id", "headline", "body", "date", "source", "tags", "url")

#: Longest id accepted, in characters. Ids are stored and indexed whole.
MAX_ID_CHARS = 512
#: Longest single tag accepted, in characters.
MAX_TAG_CHARS = 200

# C0 and C1 control characters other than tab, newline and carriage return:
# they have no place in prose and break terminals and JSON consumers.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A lone surrogate cannot be encoded as UTF-8; it comes from broken decoders.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: What separates tags in a tags line or cell (see :func:`split_tags`).
TAG_SEPARATORS = ",،;؛|\n\r"
_TAG_SEPARATOR = re.compile("[" + re.escape(TAG_SEPARATORS) + "]")


@dataclass
class Article:
    """One news article.

    >>> Article(id="a1", headline="أمطار غزيرة في جدة", body="هطلت أمطار…",
    ...         source="صحيفة الأفق", tags=["طقس", "جدة"]).headline
    'أمطار غزيرة في جدة'

    ``extra`` holds any further fields of the record: they are stored and
    returned by :meth:`Index.get`, but not searched.
    """

    id: str
    headline: str = ""
    body: str = ""
    date: datetime | None = None
    source: str = ""
    tags: list[str] = field(default_factory=list)
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The article as a plain dict, with ``extra`` fields merged in and
        the date as an ISO string (or ``None``)."""
        d = asdict(self)
        extra = d.pop("extra")
        d["date"] = self.date.isoformat() if self.date else None
        d.update(extra)
        return d


def split_tags(value: str) -> list[str]:
    """Split a line (or cell) of tags into tags.

    Tags are split on real separators, :data:`TAG_SEPARATORS` (``,`` and
    ``،``, ``;`` and ``؛``, ``|`` and line breaks), when the line has any.
    A line without them is one tag, kept whole: ``زلزال المغرب`` is a single
    tag, not the two words زلزال and المغرب (a space is no separator in
    Arabic tag lines, where most tags are several words). Only hashtags
    (``#صحة #رياضة``) are split on spaces; their ``#`` is dropped and an
    ``_`` inside one becomes a space. Spaces inside a tag are collapsed and
    repeated tags dropped.

    >>> split_tags("اقتصاد، طاقة | نفط")
    ['اقتصاد', 'طاقة', 'نفط']
    >>> split_tags("زلزال المغرب")
    ['زلزال المغرب']
    >>> split_tags("#صحة #زلزال_المغرب")
    ['صحة', 'زلزال المغرب']
    """
    value = value.strip()
    if not value:
        return []
    if _TAG_SEPARATOR.search(value):
        parts = _TAG_SEPARATOR.split(value)
    else:
        words = value.split()
        parts = words if all(w.startswith("#") for w in words) else [value]
    tags: list[str] = []
    for part in parts:
        part = part.strip()
        if part.startswith("#"):
            part = part.lstrip("#").replace("_", " ")
        tag = " ".join(part.split())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def clean_text(value: str) -> str:
    """Repair text that cannot be stored as UTF-8 or shown safely: lone
    surrogates become U+FFFD, control characters other than tab and line
    breaks are removed. Everything else is kept as given."""
    if _LONE_SURROGATE.search(value):
        value = _LONE_SURROGATE.sub("\ufffd", value)
    if _CONTROL_CHARS.search(value):
        value = _CONTROL_CHARS.sub("", value)
    return value


def _text_field(raw: Any, name: str, record: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return clean_text(raw)
    if isinstance(raw, (bytes, bytearray)):
        raise DocumentError(f"expected text, got {type(raw).__name__}; decode it first "
                            "(for example value.decode('utf-8'))", record=record, field=name)
    raise DocumentError(f"expected text, got {type(raw).__name__}", record=record, field=name)


def _id_field(raw: Any, position: int) -> str:
    if raw is None:
        raise DocumentError("missing id; every article needs a unique id", record=position,
                            field="id")
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise DocumentError(f"id must be a string (or an integer), got {type(raw).__name__}",
                            record=position, field="id")
    value = str(raw)
    if not value.strip():
        raise DocumentError("empty id; every article needs a unique id", record=position,
                            field="id")
    if len(value) > MAX_ID_CHARS:
        raise DocumentError(f"id is {len(value)} characters long; at most {MAX_ID_CHARS}",
                            record=position, field="id")
    if _LONE_SURROGATE.search(value) or _CONTROL_CHARS.search(value):
        raise DocumentError("id contains control characters or invalid surrogates",
                            record=position, field="id")
    return value


def _tags_field(raw: Any, record: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        items: Iterable[Any] = split_tags(raw)
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = raw
    else:
        raise DocumentError(f"tags must be a list of strings, got {type(raw).__name__}",
                            record=record, field="tags")
    tags: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise DocumentError(f"every tag must be a string, got {type(item).__name__}",
                                record=record, field="tags")
        tag = " ".join(clean_text(item).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise DocumentError(f"a tag is {len(tag)} characters long; at most {MAX_TAG_CHARS}",
                                record=record, field="tags")
        if tag not in seen:
            seen.add(tag)
            tags.append(tag)
    return tags


def _extra_fields(raw: Mapping[str, Any], record: Any) -> dict[str, Any]:
    extra = {}
    for key, value in raw.items():
        if key in ARTICLE_FIELDS:
            continue
        if not isinstance(key, str):
            raise DocumentError(f"field names must be strings, got {key!r}", record=record)
        try:
            json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            raise DocumentError(
                f"extra field values must be JSON-compatible (str, finite number, bool, None, "
                f"list, dict), got {type(value).__name__}", record=record, field=key) from None
        extra[key] = value
    return extra


def to_article(raw: Article | Mapping[str, Any], position: int = 0, *,
               bad_dates: Literal["raise", "drop"] = "raise") -> Article:
    """Validate one record and return it as a clean :class:`Article`.

    ``position`` is the record's place in its batch, used in errors when the
    record has no usable id. With ``bad_dates="drop"`` an unparseable date
    becomes ``None`` instead of an error.

    >>> to_article({"id": 7, "headline": "عنوان", "date": "٢٦ سبتمبر ٢٠٢٣"}).date
    datetime.datetime(2023, 9, 26, 0, 0)
    >>> to_article({"headline": "بلا معرّف"})
    Traceback (most recent call last):
    ...
    arsearch.errors.DocumentError: record 0, field 'id': missing id; every article needs a unique id
    """
    if isinstance(raw, Article):
        data: Mapping[str, Any] = {**asdict(raw), **raw.extra}
        data = {k: v for k, v in data.items() if k != "extra"}
    elif isinstance(raw, Mapping):
        data = raw
    else:
        raise DocumentError(f"expected a dict or an arsearch.Article, got {type(raw).__name__}",
                            record=position)
    article_id = _id_field(data.get("id"), position)
    try:
        when = parse_date(data.get("date"))
    except DateError as e:
        if bad_dates != "drop":
            raise DateError(e.reason, record=article_id, field="date") from None
        when = None
    return Article(
        id=article_id,
        headline=_text_field(data.get("headline"), "headline", article_id),
        body=_text_field(data.get("body"), "body", article_id),
        date=when,
        source=" ".join(_text_field(data.get("source"), "source", article_id).split()),
        tags=_tags_field(data.get("tags"), article_id),
        url=_text_field(data.get("url"), "url", article_id).strip(),
        extra=_extra_fields(data, article_id),
    )

