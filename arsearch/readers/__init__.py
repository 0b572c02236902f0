"""Read news articles from JSON Lines, JSON, CSV/TSV, saved text pages and
saved HTML pages.

Every reader yields plain ``dict`` records with arsearch's article fields
(:data:`~arsearch.article.ARTICLE_FIELDS`, in that order), ready for
:meth:`Index.add`, followed by the record's other keys as extra fields
(``author``, ``category``…), which the index stores and returns. A field
missing from the input is left out of the record; ``tags`` is always a
``list[str]``; every other value is passed through as it was read (``date``
stays the raw string, it is parsed by the index).

The file readers stream: they read one line (or one CSV row) at a time and
never hold a whole file in memory, so a 1 GB dump indexes in constant memory
(a ``.json`` array is the exception: it is parsed whole). Nothing is opened
until the first record is asked for, but a missing path or a bad argument is
reported at once, when the reader is created.

Wrong input
-----------
A file whose keys cannot give articles is refused before any of its records
is given out, whatever ``errors`` says, with a
:class:`~arsearch.errors.FieldMappingError` that lists the keys (or CSV
columns) the file has: a ``fields`` mapping naming a key no record has, or
no id, or no headline or body (see :class:`~arsearch.readers.fields.KeyCheck`).
So is a binary file (an Excel workbook, an archive, UTF-16 text).

Broken records
--------------
``errors="raise"`` (the default) raises :class:`~arsearch.DocumentError` at
the first broken line, row or file. ``errors="skip"`` drops it and carries on;
every reader returns a :class:`Records` iterator whose ``skipped`` list holds
the :class:`~arsearch.DocumentError` of each dropped item (``skip_count``
counts them all, even past the :data:`MAX_SKIPPED_KEPT` that are kept)::

    records = read_jsonl("akhbar.jsonl", errors="skip")
    index.add(records)
    for err in records.skipped:      # e.g. "record 'akhbar.jsonl:7': not valid JSON: ..."
        print(err)

An error's ``record`` is the record's id when it has one, otherwise
``"<file>:<line>"`` (1-based line number; for a CSV row, its first line;
for an item of a JSON array, ``"<file>[<index>]"``).
"""

from __future__ import annotations

from ..article import ARTICLE_FIELDS
from .fields import DEFAULT_FIELDS, KEY_CHECK_WINDOW, FieldMap, KeyCheck
from .html import HTML_EXTENSIONS, read_html
from .jsonfiles import read_json, read_jsonl
from .records import MAX_SKIPPED_KEPT, Records
from .sources import (CSV_EXTENSIONS, JSON_EXTENSIONS, JSONL_EXTENSIONS, SUPPORTED_EXTENSIONS,
                      TEXT_EXTENSIONS, TSV_EXTENSIONS, read_articles)
from .tabular import CSV_FIELD_SIZE_LIMIT, read_csv
from .text import TEASER_LABELS, TEXT_LABELS, read_article_text

__all__ = [
    "ARTICLE_FIELDS", "CSV_EXTENSIONS", "CSV_FIELD_SIZE_LIMIT", "DEFAULT_FIELDS", "FieldMap",
    "HTML_EXTENSIONS", "JSONL_EXTENSIONS", "JSON_EXTENSIONS", "KEY_CHECK_WINDOW", "KeyCheck",
    "MAX_SKIPPED_KEPT", "Records", "SUPPORTED_EXTENSIONS", "TEASER_LABELS", "TEXT_EXTENSIONS",
    "TEXT_LABELS", "TSV_EXTENSIONS", "read_article_text", "read_articles", "read_csv",
    "read_html", "read_json", "read_jsonl",
]
