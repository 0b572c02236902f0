"""Read news articles from JSON Lines, CSV/TSV and saved plain-text pages.

Every reader yields plain ``dict`` records with arsearch's article fields
(:data:`~arsearch.article.ARTICLE_FIELDS`, in that order), ready for
:meth:`Index.add`. A field missing from the input is left out of the
record; ``tags`` is always a ``list[str]``; every other value is passed
through as it was read (``date`` stays the raw string, it is parsed by the
index).

The file readers stream: they read one line (or one CSV row) at a time and
never hold a whole file in memory, so a 1 GB dump indexes in constant memory.
Nothing is opened until the first record is asked for, but a missing path or
a bad argument is reported at once, when the reader is created.

Broken input
------------
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
``"<file>:<line>"`` (1-based line number; for a CSV row, its first line).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Union

from .analysis.normalization import normalize
from .article import ARTICLE_FIELDS, split_tags
from .errors import DocumentError, SettingsError

#: The input keys (JSON keys, CSV column names) each field is read from when
#: no ``fields`` mapping names it: the first key present in a record wins.
DEFAULT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "id": ("id",),
    "headline": ("headline", "title"),
    "body": ("body", "text", "content"),
    "date": ("date",),
    "source": ("source",),
    "tags": ("tags", "keywords"),
    "url": ("url",),
})

#: How many skipped items a :class:`Records` keeps in ``skipped``.
MAX_SKIPPED_KEPT = 1000

#: File extensions :func:`read_articles` understands (compared lower-cased).
JSONL_EXTENSIONS = (".jsonl", ".ndjson")
CSV_EXTENSIONS = (".csv",)
TSV_EXTENSIONS = (".tsv",)
TEXT_EXTENSIONS = (".txt",)

#: The labels of the furniture lines of a saved article page, by the field
#: they give. They are compared after :func:`~arsearch.normalize`, so hamza,
#: alef, teh marbuta, diacritic and tatweel variants all match.
TEXT_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "date": ("تاريخ النشر", "نشر بتاريخ"),
    "source": ("المصدر",),
    "tags": ("كلمات دلالية", "الكلمات الدلالية", "كلمات مفتاحية", "الكلمات المفتاحية",
             "الوسوم"),
})

#: A line starting with one of these begins another article's teaser: it and
#: everything after it are not part of the article.
TEASER_LABELS: tuple[str, ...] = ("إقرأ أيضاً", "اقرأ كذلك", "طالع أيضاً")

PathArg = Union[str, "os.PathLike[str]"]
ErrorSink = Callable[[DocumentError], None]

_ERROR_MODES = ("raise", "skip")
_COLON = re.compile(r"[:：﹕︓]")
# What may surround a label: bullets, dashes, arrows, quotes, stray punctuation.
_LABEL_JUNK = " \t-–—_•·*|#>»«<.…:：﹕︓\"'()[]"
_BOM = "\ufeff"


# ---------------------------------------------------------------- Records

class Records(Iterator[dict[str, Any]]):
    """The lazy stream of article records a reader returns.

    Iterate it (once) to get the records. With ``errors="skip"``, the items
    that were dropped are reported here:

    ``skipped``
        the :class:`~arsearch.DocumentError` of each dropped line, row or
        file, in input order (the first :data:`MAX_SKIPPED_KEPT` of them);
    ``skip_count``
        how many were dropped in all.

    Both grow while iterating, so a progress display can watch them. The open
    file is closed when the stream is exhausted, on :meth:`close`, or at the
    end of a ``with`` block.
    """

    def __init__(self, errors: str = "raise"):
        self.errors = _check_errors(errors)
        self.skipped: list[DocumentError] = []
        self.skip_count = 0
        self._gen: Iterator[dict[str, Any]] = iter(())

    def _report(self, err: DocumentError) -> None:
        """Raise ``err`` (``errors="raise"``) or record it as skipped."""
        if self.errors == "raise":
            raise err
        self.skip_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(err)

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> dict[str, Any]:
        return next(self._gen)

    def close(self) -> None:
        """Stop reading and close the underlying file."""
        close = getattr(self._gen, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} errors={self.errors!r} skip_count={self.skip_count}>"


# ---------------------------------------------------------------- JSON Lines

def read_jsonl(path: PathArg, *, fields: Mapping[str, str | None] | None = None,
               errors: str = "raise") -> Records:
    """Stream article records from a JSON Lines file, one object per line.

    ``fields`` maps an arsearch field to the key it is read from; fields it
    does not name keep :data:`DEFAULT_FIELDS` (``headline`` from ``headline``
    or ``title``, ``body`` from ``body``, ``text`` or ``content``, ``tags``
    from ``tags`` or ``keywords``, the others by their own name), and mapping
    a field to ``None`` leaves it out. Other keys are dropped, and so are
    ``null`` values. ``tags`` may be a list or a string (split on ``,``/``،``,
    or on whitespace when it has no comma).

    Blank lines and a UTF-8 BOM are skipped. A line that is not UTF-8, not
    JSON or not a JSON object raises :class:`~arsearch.DocumentError` naming
    the file and line (``errors="raise"``) or is dropped and reported in the
    returned :class:`Records`' ``skipped`` (``errors="skip"``). ``path`` may
    be ``"-"`` for standard input.

    A line such as::

        {"id": "a1", "title": "افتتاح معرض الكتاب", "text": "...", "keywords": "ثقافة، كتب"}

    is read, with ``read_jsonl("akhbar.jsonl")``, as::

        {"id": "a1", "headline": "افتتاح معرض الكتاب", "body": "...", "tags": ["ثقافة", "كتب"]}
    """
    spec = _field_spec(fields)
    records = Records(errors)
    name = "<stdin>" if _is_stdin(path) else _check_file(path)
    records._gen = _iter_jsonl(path, name, spec, records._report)
    return records


def _iter_jsonl(path: PathArg, name: str, spec: Mapping[str, tuple[str, ...]],
                report: ErrorSink) -> Generator[dict[str, Any], None, None]:
    with _open_binary(path, name) as fh:
        for lineno, raw in enumerate(fh, 1):
            where = f"{name}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                report(_not_utf8(where, e))
                continue
            line = line.strip().lstrip(_BOM).strip()    # a BOM starts the file (or a cat'ed one)
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:     # JSONDecodeError, or a number too long to convert
                msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
                col = f" (column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
                report(DocumentError(f"not valid JSON: {msg}{col}", record=where))
                continue
            if not isinstance(obj, dict):
                report(DocumentError(f"not a JSON object but a JSON {_json_type(obj)}",
                                     record=where))
                continue
            try:
                yield _map_record(obj, spec, where)
            except DocumentError as e:
                report(e)


def _map_record(obj: Mapping[str, Any], spec: Mapping[str, tuple[str, ...]],
                where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, keys in spec.items():
        for key in keys:
            value = obj.get(key)
            if value is not None:
                out[field] = value
                break
    if "tags" in out:
        rid = out.get("id")
        record = rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else where
        out["tags"] = _tags(out["tags"], record, where)
    return out


def _json_type(obj: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(obj), "null")


# ---------------------------------------------------------------- CSV / TSV

def read_csv(path: PathArg, *, fields: Mapping[str, str | None] | None = None,
             delimiter: str = ",", errors: str = "raise") -> Records:
    """Stream article records from a CSV file with a header row.

    Columns are chosen by header name with the same ``fields`` mapping and
    :data:`DEFAULT_FIELDS` as :func:`read_jsonl` (header names are stripped of
    surrounding spaces; empty cells are left out). Quoted cells may hold the
    delimiter, Arabic commas and newlines; a UTF-8 BOM (as Excel writes) is
    skipped. Use ``delimiter="\\t"`` for TSV.

    A mapping naming a column the header lacks, or a header with no article
    column at all, raises :class:`~arsearch.DocumentError` whatever
    ``errors`` says. A row with more cells than the header (an unquoted
    delimiter inside a cell), a malformed row, or a line that is not UTF-8
    raises it too, naming the file and line, or is dropped with
    ``errors="skip"`` (see :class:`Records`).

    With a file starting::

        id,title,text,tags
        b7,"هطول أمطار غزيرة","تشهد المدينة أمطاراً، وتنخفض الحرارة.","طقس، أمطار"

    ``next(read_csv("taqs.csv"))`` is ``{"id": "b7", "headline": "هطول أمطار غزيرة",
    "body": "تشهد المدينة أمطاراً، وتنخفض الحرارة.", "tags": ["طقس", "أمطار"]}``.
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise SettingsError(f"delimiter must be a single character, got {delimiter!r}")
    spec = _field_spec(fields)
    explicit = dict(fields or {})
    records = Records(errors)
    name = "<stdin>" if _is_stdin(path) else _check_file(path)
    records._gen = _iter_csv(path, name, spec, explicit, delimiter, records._report)
    return records


class _DecodedLines:
    """Decode a binary file line by line for the csv module, remembering
    (instead of failing on) lines that are not UTF-8."""

    def __init__(self, fh: IO[bytes]):
        self._fh = fh
        self.lineno = 0
        self.bad_line: int | None = None   # first undecodable line of the current row

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = next(self._fh)
        self.lineno += 1
        if self.lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            if self.bad_line is None:
                self.bad_line = self.lineno
            return raw.decode("utf-8", "replace")


def _iter_csv(path: PathArg, name: str, spec: Mapping[str, tuple[str, ...]],
              explicit: Mapping[str, str | None], delimiter: str,
              report: ErrorSink) -> Generator[dict[str, Any], None, None]:
    with _open_binary(path, name) as fh:
        lines = _DecodedLines(fh)
        reader = csv.reader(lines, delimiter=delimiter)
        columns: list[tuple[str, int]] | None = None
        width = 0
        while True:
            start = lines.lineno + 1
            lines.bad_line = None
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                report(DocumentError(f"malformed CSV: {e}", record=f"{name}:{start}"))
                continue
            if not row:     # a blank line
                continue
            where = f"{name}:{start}"
            if lines.bad_line is not None:
                if columns is None:
                    raise _not_utf8(f"{name}:{lines.bad_line}", None)
                report(_not_utf8(f"{name}:{lines.bad_line}", None))
                continue
            if columns is None:
                header = [h.strip() for h in row]
                columns = _csv_columns(header, spec, explicit, name)
                width = len(header)
                continue
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                report(DocumentError(
                    f"row has {len(row)} cells but the header has {width} "
                    f"(an unquoted {delimiter!r} inside a cell?)", record=where))
                continue
            out: dict[str, Any] = {}
            for field, i in columns:
                if field not in out and i < len(row) and row[i].strip():
                    out[field] = row[i]
            if "tags" in out:
                out["tags"] = _tags(out["tags"], out.get("id", where), where)
            yield out


def _csv_columns(header: list[str], spec: Mapping[str, tuple[str, ...]],
                 explicit: Mapping[str, str | None], name: str) -> list[tuple[str, int]]:
    """(field, column index) pairs, in order of preference per field."""
    position: dict[str, int] = {}
    for i, h in enumerate(header):
        if h:
            position.setdefault(h, i)
    for field, key in explicit.items():
        if key is not None and key not in position:
            raise DocumentError(f"column {key!r} is not in the header of {name} "
                                f"(columns: {', '.join(h for h in header if h)})",
                                record=f"{name}:1", field=field)
    columns = [(field, position[key]) for field, keys in spec.items()
               for key in keys if key in position]
    if not columns:
        raise DocumentError(
            f"no column of {name} is an article field (columns: "
            f"{', '.join(h for h in header if h)}); name them with fields={{...}}",
            record=f"{name}:1")
    return columns


# ---------------------------------------------------------------- one saved page

def read_article_text(path_or_text: PathArg) -> dict[str, Any]:
    """Read one article saved as plain text, from a file or from a string.

    The layout, as Arabic news pages are saved::

        headline (the first non-empty line)
        تاريخ النشر: <date, kept as the raw string>
        body paragraphs, one per line (blank lines between them are optional)
        المصدر: <source>
        كلمات دلالية: <tags, separated by spaces, or by ، or ,>
        إقرأ أيضاً: <another article's teaser: never read>

    Every labelled line is optional; date, source and tags lines may come in
    any order, and the body ends at the first of them after it. A line that
    begins ``إقرأ أيضاً`` (or any spelling of it, with or without a colon)
    starts another article, so reading stops there. Labels are compared after
    :func:`~arsearch.normalize` (see :data:`TEXT_LABELS`), so ``اقرأ ايضا``,
    ``المصـــدر`` or ``كلمات دلاليّة：`` all count; a label alone on its line
    takes its value from the next line(s). Paragraphs are joined with ``\\n\\n``.

    A ``str`` containing a newline is parsed as the article text and gets the
    id ``"text-"`` + 12 hex digits of its SHA-1; anything else is a path to
    read (UTF-8, BOM allowed) and the id is the file's name without its
    extension. A missing file, a file that is not UTF-8 or a text without a
    headline raises :class:`~arsearch.DocumentError`.

    >>> article = read_article_text(
    ...     "ارتفاع أسعار القهوة\\n"
    ...     "تاريخ النشر: 03/02/2024\\n"
    ...     "ارتفعت أسعار البن للشهر الثالث.\\n"
    ...     "المصدر: وكالة الأنباء\\n"
    ...     "كلمات دلالية: اقتصاد أسعار\\n"
    ...     "إقرأ أيضاً:\\n"
    ...     "افتتاح سوق جديدة\\n")
    >>> article["headline"], article["date"], article["tags"]
    ('ارتفاع أسعار القهوة', '03/02/2024', ['اقتصاد', 'أسعار'])
    >>> article["body"]
    'ارتفعت أسعار البن للشهر الثالث.'
    """
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        text = path_or_text.lstrip(_BOM).replace("\r\n", "\n").replace("\r", "\n")
        rid = "text-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        return _parse_article(io.StringIO(text), rid, "<text>")
    if not isinstance(path_or_text, (str, os.PathLike)):
        raise SettingsError(f"expected a path or a text, got {type(path_or_text).__name__}")
    name = os.fspath(path_or_text)
    if not isinstance(name, str):
        raise SettingsError(f"expected a str path, got {type(name).__name__}")
    if isinstance(path_or_text, str) and not os.path.exists(name):
        raise DocumentError(f"no such file: {name!r} (to parse an article's text, pass a "
                            "string containing its lines)")
    _check_file(name)
    rid = Path(name).stem
    try:
        with open(name, encoding="utf-8-sig", newline=None) as fh:
            return _parse_article(fh, rid, name)
    except UnicodeDecodeError as e:
        raise _not_utf8(name, e, record=rid) from None
    except OSError as e:
        raise DocumentError(f"cannot read {name}: {e.strerror or e}", record=rid) from e


def _label_key(text: str) -> str:
    return " ".join(normalize(text).split()).strip(_LABEL_JUNK)


_LABELS: dict[str, str] = {_label_key(raw): field
                           for field, raws in TEXT_LABELS.items() for raw in raws}
_TEASERS: tuple[str, ...] = tuple(_label_key(raw) for raw in TEASER_LABELS)


def _is_teaser(line: str) -> bool:
    key = _label_key(line)
    for teaser in _TEASERS:
        if key.startswith(teaser) and not key[len(teaser):len(teaser) + 1].isalnum():
            return True
    return False


def _furniture(line: str) -> tuple[str, str] | None:
    """``(field, value)`` when ``line`` is a labelled line, else None."""
    m = _COLON.search(line)
    if m is not None:
        field = _LABELS.get(_label_key(line[:m.start()]))
        if field is not None:
            return field, line[m.end():].strip()
    field = _LABELS.get(_label_key(line))      # a label alone: its value is on the next line
    return (field, "") if field is not None else None


def _parse_article(lines: Iterable[str], rid: str, name: str) -> dict[str, Any]:
    headline: str | None = None
    paragraphs: list[str] = []
    found: dict[str, Any] = {}
    body_ended = False
    pending: str | None = None      # a label whose value is on the following line(s)

    def take(field: str, value: str) -> None:
        if field == "tags":
            found.setdefault("tags", []).extend(
                t for t in (tag.lstrip("#") for tag in split_tags(value)) if t)
        else:
            found.setdefault(field, value)

    for raw in lines:
        line = raw.strip().lstrip(_BOM).strip()
        if not line:
            if pending == "tags" and "tags" in found:
                pending = None
            continue
        if _is_teaser(line):
            break
        label = _furniture(line)
        if label is not None:
            field, value = label
            body_ended = body_ended or bool(paragraphs)
            pending = None if value else field
            if value:
                take(field, value)
            continue
        if pending is not None:
            take(pending, line)
            if pending != "tags":
                pending = None
            continue
        if headline is None:
            headline = line
        elif not body_ended:
            paragraphs.append(line)
        # lines after the furniture that are not labelled are page chrome: dropped

    if headline is None:
        raise DocumentError(f"no headline: {name} has no text", record=rid)
    out: dict[str, Any] = {"id": rid, "headline": headline}
    if paragraphs:
        out["body"] = "\n\n".join(paragraphs)
    for field in ("date", "source"):
        if field in found:
            out[field] = found[field]
    if found.get("tags"):
        out["tags"] = list(dict.fromkeys(found["tags"]))
    return {f: out[f] for f in ARTICLE_FIELDS if f in out}


# ---------------------------------------------------------------- files and folders

def read_articles(*sources: PathArg, errors: str = "raise",
                  fields: Mapping[str, str | None] | None = None) -> Records:
    """Stream the articles of files and folders, choosing the reader by extension.

    ``.jsonl``/``.ndjson`` → :func:`read_jsonl`, ``.csv`` → :func:`read_csv`,
    ``.tsv`` → :func:`read_csv` with a tab delimiter, ``.txt`` → one article
    per file with :func:`read_article_text` (extensions in any case). A folder
    is walked recursively, entries in sorted name order, skipping hidden
    (``.``-prefixed) entries and files with other extensions. ``"-"`` reads
    JSON Lines from standard input.

    A source that does not exist, or a file named explicitly with an
    unsupported extension, raises :class:`~arsearch.DocumentError` at once,
    before anything is read. Broken records follow ``errors`` as in each
    reader (a ``.txt`` file without a headline is one broken record), and
    the returned :class:`Records` collects the ``skipped`` ones of all
    sources. ``fields`` maps article fields to input keys for the JSON Lines
    and CSV/TSV files, as in :func:`read_jsonl`. A ``.txt`` file found in a
    folder gets its path inside that folder, without the extension, as id
    (``2024/flood-report``), so equal file names in different subfolders
    stay distinct::

        for article in read_articles("akhbar/2024", "archive.jsonl"):
            print(article["headline"])      # e.g. "افتتاح معرض الكتاب"
    """
    records = Records(errors)
    spec = _field_spec(fields)
    checked: list[tuple[PathArg, bool]] = []
    for source in sources:
        if _is_stdin(source):
            checked.append((source, False))
            continue
        name = os.fspath(source)
        if os.path.isdir(name):
            checked.append((source, True))
        elif os.path.exists(name):
            _check_file(name)
            if _reader_for(name) is None:
                raise DocumentError(
                    f"cannot read {name}: unsupported extension {Path(name).suffix!r} (use "
                    + ", ".join(JSONL_EXTENSIONS + CSV_EXTENSIONS + TSV_EXTENSIONS
                                + TEXT_EXTENSIONS) + ")")
            checked.append((source, False))
        else:
            raise DocumentError(f"no such file or folder: {name}")
    records._gen = _iter_sources(checked, spec, records._report)
    return records


def _iter_sources(sources: list[tuple[PathArg, bool]], spec: Mapping[str, tuple[str, ...]],
                  report: ErrorSink) -> Generator[dict[str, Any], None, None]:
    for source, is_dir in sources:
        files: Iterable[PathArg] = _walk(os.fspath(source)) if is_dir else (source,)
        for path in files:
            if _is_stdin(path):
                yield from _iter_jsonl(path, "<stdin>", spec, report)
                continue
            name = os.fspath(path)
            kind = _reader_for(name)
            # A file that cannot be read at all (a .txt without a headline, a CSV
            # without article columns, a file gone since the walk) is one broken
            # record: raised or skipped like the others.
            try:
                if kind == "txt":
                    article = read_article_text(Path(name))
                    if is_dir:
                        relative = Path(os.path.relpath(name, os.fspath(source)))
                        article["id"] = relative.with_suffix("").as_posix()
                    yield article
                elif kind == "jsonl":
                    yield from _iter_jsonl(path, name, spec, report)
                elif kind is not None:
                    delimiter = "\t" if kind == "tsv" else ","
                    yield from _iter_csv(path, name, spec, {}, delimiter, report)
            except DocumentError as e:
                report(e)


def _walk(folder: str, _seen: set[str] | None = None) -> Iterator[str]:
    """Readable files under ``folder``, depth first, in sorted name order."""
    seen = set() if _seen is None else _seen
    real = os.path.realpath(folder)
    if real in seen:        # a symlink loop
        return
    seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        raise DocumentError(f"cannot list folder {folder}: {e.strerror or e}") from e
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry.path, seen)
        elif entry.is_file() and _reader_for(entry.name) is not None:
            yield entry.path


def _reader_for(name: str) -> str | None:
    ext = os.path.splitext(name)[1].lower()
    for kind, exts in (("jsonl", JSONL_EXTENSIONS), ("csv", CSV_EXTENSIONS),
                       ("tsv", TSV_EXTENSIONS), ("txt", TEXT_EXTENSIONS)):
        if ext in exts:
            return kind
    return None


# ---------------------------------------------------------------- helpers

def _check_errors(errors: str) -> str:
    if errors not in _ERROR_MODES:
        raise SettingsError(f"errors must be 'raise' or 'skip', got {errors!r}")
    return errors


def _field_spec(fields: Mapping[str, str | None] | None) -> dict[str, tuple[str, ...]]:
    """Each article field → the input keys to try, in order."""
    spec = dict(DEFAULT_FIELDS)
    if fields is None:
        return spec
    if not isinstance(fields, Mapping):
        raise SettingsError(f"fields must be a mapping, got {type(fields).__name__}")
    for field, key in fields.items():
        if field not in ARTICLE_FIELDS:
            raise SettingsError(f"unknown article field {field!r} in fields; "
                             f"choose from {list(ARTICLE_FIELDS)}")
        if key is not None and not isinstance(key, str):
            raise SettingsError(f"fields[{field!r}] must be a str or None, got {key!r}")
        spec[field] = () if key is None else (key,)
    return {f: keys for f, keys in spec.items() if keys}


def _tags(value: Any, record: Any, where: str) -> list[str]:
    """``tags`` as a list of non-empty strings, duplicates dropped."""
    if isinstance(value, str):
        tags = split_tags(value)
    elif isinstance(value, (list, tuple)):
        tags = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise DocumentError(f"a tag must be a string, got {item!r} ({where})",
                                    record=record, field="tags")
            item = str(item).strip()
            if item:
                tags.append(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        tags = [str(value)]
    else:
        raise DocumentError(f"tags must be a list or a string, got {type(value).__name__} "
                            f"({where})", record=record, field="tags")
    return list(dict.fromkeys(tags))


def _is_stdin(path: Any) -> bool:
    return isinstance(path, str) and path == "-"


def _check_file(path: PathArg) -> str:
    """The path as a str, once it is known to be an existing file."""
    if not isinstance(path, (str, os.PathLike)):
        raise SettingsError(f"expected a path, got {type(path).__name__}")
    name = os.fspath(path)
    if not isinstance(name, str):
        raise SettingsError(f"expected a str path, got {type(name).__name__}")
    if os.path.isdir(name):
        raise DocumentError(f"{name} is a folder, not a file (use read_articles for folders)")
    if not os.path.exists(name):
        raise DocumentError(f"no such file: {name}")
    return name


class _StdinBinary:
    """Standard input as a binary line source that is not closed after use."""

    def __enter__(self) -> IO[bytes]:
        return sys.stdin.buffer

    def __exit__(self, *exc: object) -> None:
        return None


def _open_binary(path: PathArg, name: str) -> Any:
    if _is_stdin(path):
        return _StdinBinary()
    try:
        return open(path, "rb")
    except OSError as e:
        raise DocumentError(f"cannot read {name}: {e.strerror or e}") from e


def _not_utf8(where: str, err: UnicodeDecodeError | None, *, record: Any = None) -> DocumentError:
    detail = f" (byte {err.start})" if err is not None else ""
    return DocumentError(f"not UTF-8 text{detail}; re-save the file as UTF-8 (Arabic files "
                         "saved by Excel or older tools are often Windows-1256)",
                         record=where if record is None else record)


__all__ = [
    "ARTICLE_FIELDS", "DEFAULT_FIELDS", "MAX_SKIPPED_KEPT", "Records", "TEASER_LABELS",
    "TEXT_LABELS", "read_article_text", "read_articles", "read_csv", "read_jsonl",
]
