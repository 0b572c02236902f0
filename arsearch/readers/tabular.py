"""CSV and TSV files with a header row, read strictly."""

from __future__ import annotations

import csv
import sys
from collections.abc import Generator, Mapping
from typing import IO, Any

from ..errors import DocumentError, SettingsError
from .fields import FieldMap, KeyCheck
from .records import (ErrorSink, PathArg, Records, check_file, check_text_start, is_stdin,
                      not_utf8, open_binary)

#: The longest cell the csv module accepts, raised from its default of
#: 128 KiB (an article of 150 KB was refused): the largest a C ``long``
#: holds on every platform. It is a process-wide setting of the csv module.
CSV_FIELD_SIZE_LIMIT = min(sys.maxsize, 2**31 - 1)


def _raise_field_size_limit() -> None:
    if csv.field_size_limit() < CSV_FIELD_SIZE_LIMIT:
        csv.field_size_limit(CSV_FIELD_SIZE_LIMIT)


def read_csv(path: PathArg, *, fields: Mapping[str, str | None] | None = None,
             delimiter: str = ",", errors: str = "raise", extra: bool = True) -> Records:
    """Stream article records from a CSV file with a header row.

    Columns are chosen by header name with the same ``fields`` mapping,
    :data:`DEFAULT_FIELDS` and extra fields as :func:`read_jsonl`: columns
    no article field uses are kept as extra fields (unless ``extra=False``).
    Header names are stripped of surrounding spaces; empty cells are left
    out. Quoted cells may hold the delimiter, Arabic commas, newlines and
    any length of text; a UTF-8 BOM (as Excel writes) is skipped. Use
    ``delimiter="\\t"`` for TSV.

    The header is checked before any row is read: a column ``fields``
    names that the header lacks, or a header without an id column or
    without a headline or body column, raises
    :class:`~arsearch.errors.FieldMappingError` (listing the columns) whatever
    ``errors`` says. So does a file that is binary (an Excel workbook, an
    archive, UTF-16 text) or whose header is not UTF-8.

    Rows are read strictly: a quote that is never closed (which would turn
    the rest of the file into one cell), text after a closing quote, a row
    with more cells than the header (an unquoted delimiter inside a cell)
    or a line that is not UTF-8 raises :class:`~arsearch.DocumentError`
    naming the file and the row's first line, or is dropped with
    ``errors="skip"`` (see :class:`Records`).

    With a file starting::

        id,title,text,tags,author
        b7,"هطول أمطار غزيرة","تشهد المدينة أمطاراً، وتنخفض الحرارة.","طقس، أمطار",سلمى

    ``next(read_csv("taqs.csv"))`` is ``{"id": "b7", "headline": "هطول أمطار غزيرة",
    "body": "تشهد المدينة أمطاراً، وتنخفض الحرارة.", "tags": ["طقس", "أمطار"],
    "author": "سلمى"}``.
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise SettingsError(f"delimiter must be a single character, got {delimiter!r}")
    fmap = FieldMap(fields, extra=extra)
    records = Records(errors)
    name = "<stdin>" if is_stdin(path) else check_file(path)
    records._gen = iter_csv(path, name, fmap, delimiter, records._report)
    if not is_stdin(path):
        records._counter = lambda: count_csv(name, delimiter)
    return records


class _DecodedLines:
    """Decode a binary file line by line for the csv module, remembering
    (instead of failing on) lines that are not UTF-8."""

    def __init__(self, fh: IO[bytes], name: str):
        self._fh = fh
        self._name = name
        self.lineno = 0
        self.bad_line: int | None = None   # first undecodable line of the current row

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = next(self._fh)
        self.lineno += 1
        if self.lineno == 1:
            check_text_start(raw[:64], self._name)
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            if self.bad_line is None:
                self.bad_line = self.lineno
            return raw.decode("utf-8", "replace")


def iter_csv(path: PathArg, name: str, fmap: FieldMap, delimiter: str,
             report: ErrorSink) -> Generator[dict[str, Any], None, None]:
    _raise_field_size_limit()
    with open_binary(path, name) as fh:
        lines = _DecodedLines(fh, name)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header: list[str] | None = None
        while True:
            start = lines.lineno + 1
            lines.bad_line = None
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                error, unclosed = _malformed(e, start, lines.lineno)
                if header is None:
                    raise DocumentError(f"malformed CSV header: {error}",
                                        record=f"{name}:{start}") from None
                report(DocumentError(error, record=f"{name}:{start}"))
                if unclosed:    # nothing is left to read
                    return
                continue
            if not row:     # a blank line
                continue
            where = f"{name}:{start}"
            if lines.bad_line is not None:
                if header is None:
                    raise not_utf8(f"{name}:{lines.bad_line}", None)
                report(not_utf8(f"{name}:{lines.bad_line}", None))
                continue
            if header is None:
                header = [h.strip() for h in row]
                _check_header(header, fmap, name)
                continue
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                report(DocumentError(
                    f"row has {len(row)} cells but the header has {len(header)} "
                    f"(an unquoted {delimiter!r} inside a cell?)", record=where))
                continue
            cells: dict[str, str] = {}
            for column, cell in zip(header, row):
                if column and column not in cells and cell.strip():
                    cells[column] = cell
            try:
                yield fmap.record(cells, where)
            except DocumentError as e:
                report(e)


def _malformed(error: csv.Error, start: int, end: int) -> tuple[str, bool]:
    """A csv module error as a message a person can act on, and whether it
    is a quote left open to the end of the file."""
    text = str(error)
    if "unexpected end of data" in text:
        return (f"malformed CSV: a quoted cell opened on line {start} is never closed, so "
                f"lines {start}-{end}, the rest of the file, would become one cell (close the "
                "quote; a quote inside a quoted cell is written twice, \"\"); the rest of the "
                "file was not read", True)
    hint = f"; a quote opened on line {start} may be unclosed" if end > start else ""
    return f"malformed CSV: {text}{hint}", False


def _check_header(header: list[str], fmap: FieldMap, name: str) -> None:
    check = KeyCheck(fmap, name, noun="column")
    check.observe({h: True for h in header if h})
    if not check.satisfied:
        raise check.error(header=True)


def count_csv(name: str, delimiter: str) -> int:
    """Data rows of a CSV file (parsing it; malformed rows count as one)."""
    _raise_field_size_limit()
    rows = 0
    with open(name, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                row = [""]
            if row:
                rows += 1
    return max(rows - 1, 0)
