"""The article schema: which fields exist and how each one is indexed."""

from __future__ import annotations

from typing import Any

from .._whoosh import CompactPositions, CompositeAnalyzer, fields
from ..analysis import ArabicChain, ArabicTermFilter, KeywordAnalyzer, TermPipeline
from ..analysis.analyzer import EXACT_FORMS, STEMS

#: Fields searched as text, in the order snippets prefer them.
TEXT_FIELDS: tuple[str, ...] = ("headline", "body")

#: Every field of the Whoosh schema. ``extra`` stores the record's other
#: fields; it is never searched.
SCHEMA_FIELDS: tuple[str, ...] = ("id", "headline", "body", "date", "source", "tags", "url",
                                  "extra")

#: Where each text field's exact forms (``=word``) are indexed, in indexes
#: written since 0.2. They need no positions (phrases and proximity work on
#: stems), and keeping them out of the positional fields took a fifth off
#: the postings and the time to write them. Earlier indexes keep them in
#: the text fields themselves; :func:`exact_fields` says which an index does.
EXACT_FIELDS: dict[str, str] = {"headline": "headline_exact", "body": "body_exact"}


def positional_text(analyzer: Any) -> fields.TEXT:
    """A stored text field with positions (for phrases), each posting's
    positions written as varints (:class:`arsearch._whoosh.CompactPositions`;
    an index written with Whoosh's own ``Positions`` keeps it, as its schema
    names it)."""
    field = fields.TEXT(analyzer=analyzer, stored=True, phrase=True)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


def build_schema(pipeline: TermPipeline) -> fields.Schema:
    """The Whoosh schema of an article index whose text fields use
    ``pipeline``. Source and tags are matched as whole normalized values."""
    text: dict[str, Any] = {}
    if pipeline.exact_forms:
        stems, exact = ArabicChain(pipeline, STEMS), ArabicChain(pipeline, EXACT_FORMS)
        for name, exact_name in EXACT_FIELDS.items():
            text[name] = positional_text(stems)
            # Frequencies without positions; lengths come from the stem field.
            text[exact_name] = fields.TEXT(analyzer=exact, phrase=False)
    else:
        chain = ArabicChain(pipeline)
        text = {name: positional_text(chain) for name in TEXT_FIELDS}
    return fields.Schema(
        # sortable: a column of ids, read without decompressing the stored
        # article (ties in ranking are ordered by id, and search_ids
        # returns ids only).
        id=fields.ID(unique=True, stored=True, sortable=True),
        date=fields.DATETIME(stored=True, sortable=True),
        source=fields.ID(stored=True, analyzer=KeywordAnalyzer()),
        tags=fields.ID(stored=True, analyzer=KeywordAnalyzer()),
        url=fields.ID(stored=True),
        extra=fields.STORED(),
        **text,
    )


def exact_fields(schema: fields.Schema) -> dict[str, str]:
    """The fields holding an index's exact forms apart from its text fields
    (``{}`` when the text fields hold them, as in indexes written by 0.1)."""
    names = set(schema.names())
    return {name: exact for name, exact in EXACT_FIELDS.items() if exact in names}


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
