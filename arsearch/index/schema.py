"""The article schema: which fields exist and how each one is indexed."""

from __future__ import annotations

from typing import Any

from .._whoosh import CompositeAnalyzer, fields
from ..analysis import ArabicChain, ArabicTermFilter, KeywordAnalyzer, TermPipeline

#: Fields searched as text, in the order snippets prefer them.
TEXT_FIELDS: tuple[str, ...] = ("headline", "body")

#: Every field of the Whoosh schema. ``extra`` stores the record's other
#: fields; it is never searched.
SCHEMA_FIELDS: tuple[str, ...] = ("id", "headline", "body", "date", "source", "tags", "url",
                                  "extra")


def build_schema(pipeline: TermPipeline) -> fields.Schema:
    """The Whoosh schema of an article index whose text fields use
    ``pipeline``. Source and tags are matched as whole normalized values."""
    text = ArabicChain(pipeline)
    return fields.Schema(
        # sortable: a column of ids, read without decompressing the stored
        # article (ties in ranking are ordered by id, and search_ids
        # returns ids only).
        id=fields.ID(unique=True, stored=True, sortable=True),
        headline=fields.TEXT(analyzer=text, stored=True, phrase=True),
        body=fields.TEXT(analyzer=text, stored=True, phrase=True),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.ID(stored=True, analyzer=KeywordAnalyzer()),
        tags=fields.ID(stored=True, analyzer=KeywordAnalyzer()),
        url=fields.ID(stored=True),
        extra=fields.STORED(),
    )


def schema_pipeline(schema: fields.Schema) -> TermPipeline | None:
    """The :class:`TermPipeline` the schema's text fields were built with,
    or ``None`` if the schema is not an arsearch article schema."""
    try:
        names = set(schema.names())
    except Exception:  # a schema object of an unknown shape
        return None
    if not set(SCHEMA_FIELDS) <= names:
        return None
    analyzer: Any = getattr(schema["body"], "analyzer", None)
    if not isinstance(analyzer, CompositeAnalyzer):
        return None
    for item in analyzer.items:
        if isinstance(item, ArabicTermFilter):
            return item.pipeline
    return None
