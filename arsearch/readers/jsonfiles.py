"""JSON Lines (one article object per line) and JSON files (one article
object, or an array of them)."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from ..errors import DocumentError
from .fields import FieldMap, checked_records
from .records import (BOM, ErrorSink, PathArg, Records, check_file, check_text_start, is_stdin,
                      not_utf8, open_binary)


def read_jsonl(path: PathArg, *, fields: Mapping[str, str | None] | None = None,
               errors: str = "raise", extra: bool = True) -> Records:
    """Stream article records from a JSON Lines file, one object per line.

    ``fields`` maps a field to the key it is read from; fields it does not
    name keep :data:`DEFAULT_FIELDS` (``headline`` from ``headline`` or
    ``title``, ``body`` from ``body``, ``text`` or ``content``, ``tags``
    from ``tags`` or ``keywords``, the others by their own name), and
    mapping a field to ``None`` leaves it out. A name that is not an
    article field adds an extra field: ``fields={"author": "writer"}``.
    Every other key is kept as an extra field under its own name (stored by
    :meth:`Index.add` and returned by ``get()`` and in hits), unless
    ``extra=False``. ``null`` values are dropped. ``tags`` may be a list or
    a string (split by :func:`~arsearch.article.split_tags`: on ``,`` ``،``
    ``;`` ``|`` or line breaks, else kept whole).

    The first records are checked against the mapping before any is given
    out: a key ``fields`` names that no record has, or no record with an id
    or with a headline or body, raises
    :class:`~arsearch.errors.FieldMappingError` listing the keys the file
    has, whatever ``errors`` says (see :class:`~arsearch.readers.fields.KeyCheck`).

    Blank lines and a UTF-8 BOM are skipped. A line that is not UTF-8, not
    JSON or not a JSON object raises :class:`~arsearch.DocumentError` naming
    the file and line (``errors="raise"``) or is dropped and reported in the
    returned :class:`Records`' ``skipped`` (``errors="skip"``). A binary
    file (a workbook, an archive, UTF-16 text) is refused at its first
    bytes. ``path`` may be ``"-"`` for standard input.

    A line such as::

        {"id": "a1", "title": "افتتاح معرض الكتاب", "text": "...", "keywords": "ثقافة، كتب", "author": "سلمى"}

    is read, with ``read_jsonl("akhbar.jsonl")``, as::

        {"id": "a1", "headline": "افتتاح معرض الكتاب", "body": "...", "tags": ["ثقافة", "كتب"],
         "author": "سلمى"}
    """
    fmap = FieldMap(fields, extra=extra)
    records = Records(errors)
    name = "<stdin>" if is_stdin(path) else check_file(path)
    records._gen = iter_jsonl(path, name, fmap, records._report)
    if not is_stdin(path):
        records._counter = lambda: count_jsonl(name)
    return records


def iter_jsonl(path: PathArg, name: str, fmap: FieldMap,
               report: ErrorSink) -> Iterator[dict[str, Any]]:
    return checked_records(_jsonl_objects(path, name, report), fmap, name, report)


def _jsonl_objects(path: PathArg, name: str,
                   report: ErrorSink) -> Generator[tuple[dict[str, Any], str], None, None]:
    with open_binary(path, name) as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1:
                check_text_start(raw[:64], name)
            yield from _jsonl_line(raw, f"{name}:{lineno}", report)


def _jsonl_line(raw: bytes | str, where: str,
                report: ErrorSink) -> Iterator[tuple[dict[str, Any], str]]:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            report(not_utf8(where, e))
            return
    line = raw.strip().lstrip(BOM).strip()    # a BOM starts the file (or a cat'ed one)
    if not line:
        return
    try:
        obj = json.loads(line)
    except ValueError as e:     # JSONDecodeError, or a number too long to convert
        msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
        col = f" (column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        report(DocumentError(f"not valid JSON: {msg}{col}", record=where))
        return
    if not isinstance(obj, dict):
        report(DocumentError(f"not a JSON object but a JSON {json_type(obj)}", record=where))
        return
    yield obj, where


def count_jsonl(name: str) -> int:
    """Non-blank lines of a JSON Lines file."""
    with open(name, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def json_type(obj: Any) -> str:
    return {list: "array", dict: "object", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(obj), "null")


# ---------------------------------------------------------------- JSON

def read_json(path: PathArg, *, fields: Mapping[str, str | None] | None = None,
              errors: str = "raise", extra: bool = True) -> Records:
    """Read article records from a JSON file: one article object, an array
    of them, or an object whose one array holds them (``{"articles": [...]}``).

    Keys are read as by :func:`read_jsonl` (``fields``, ``extra``, the key
    check). The file is parsed whole, so for large dumps JSON Lines, which
    is streamed, is the better form; a ``.json`` file that holds JSON Lines
    (one object per line) is read as JSON Lines. An array item that is not
    an object is a broken record, named ``file[index]`` (from 0); a file
    that is not UTF-8 or not JSON is one broken record.

    >>> import json, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "akhbar.json")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     json.dump([{"id": "1", "title": "افتتاح جسر", "author": "سلمى"},
    ...                {"id": "2", "title": "هطول أمطار"}], f, ensure_ascii=False)
    >>> [r["headline"] for r in read_json(path)]
    ['افتتاح جسر', 'هطول أمطار']
    >>> next(read_json(path))["author"]
    'سلمى'
    """
    fmap = FieldMap(fields, extra=extra)
    records = Records(errors)
    name = check_file(path)
    records._gen = iter_json(name, fmap, records._report)
    records._counter = lambda: count_json(name, fmap)
    return records


def iter_json(name: str, fmap: FieldMap, report: ErrorSink) -> Iterator[dict[str, Any]]:
    return checked_records(_json_objects(name, fmap, report), fmap, name, report)


def _load_json(name: str) -> tuple[Any, str | None]:
    """The parsed file, or ``(None, text)`` when it holds JSON Lines."""
    with open_binary(name, name) as fh:
        data = fh.read()
    check_text_start(data[:64], name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8(name, e) from None
    text = text.lstrip(BOM)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and text.lstrip().startswith("{"):
            return None, text       # one object per line: JSON Lines under a .json name
        raise DocumentError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
                            record=name) from None
    except ValueError as e:
        raise DocumentError(f"not valid JSON: {e}", record=name) from None


def _json_objects(name: str, fmap: FieldMap,
                  report: ErrorSink) -> Generator[tuple[dict[str, Any], str], None, None]:
    try:
        data, lines = _load_json(name)
    except DocumentError as e:
        report(e)
        return
    if lines is not None:
        for lineno, line in enumerate(lines.splitlines(), 1):
            yield from _jsonl_line(line, f"{name}:{lineno}", report)
        return
    items = _article_list(data, fmap)
    if items is None:
        if isinstance(data, dict):
            yield data, name
        else:
            report(DocumentError(f"holds a JSON {json_type(data)}, not an article object or "
                                 "an array of them", record=name))
        return
    for i, item in enumerate(items):
        if isinstance(item, dict):
            yield item, f"{name}[{i}]"
        else:
            report(DocumentError(f"not a JSON object but a JSON {json_type(item)}",
                                 record=f"{name}[{i}]"))


def _article_list(data: Any, fmap: FieldMap) -> list[Any] | None:
    """The array of articles in ``data``: itself, or the one array of
    objects in a wrapper object such as ``{"articles": [...], "count": 2}``
    (an object with an article field of its own is an article)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and not fmap.has_article_key(data):
        arrays = [v for v in data.values()
                  if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if len(arrays) == 1:
            return arrays[0]
    return None


def count_json(name: str, fmap: FieldMap) -> int:
    """Articles in a JSON file (parsing it), 1 when it cannot be parsed."""
    try:
        data, lines = _load_json(name)
    except DocumentError:
        return 1
    if lines is not None:
        return sum(1 for line in lines.splitlines() if line.strip())
    items = _article_list(data, fmap)
    return len(items) if items is not None else 1
