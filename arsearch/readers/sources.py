"""Files and folders of any supported kind: :func:`read_articles`."""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DocumentError
from .fields import FieldMap
from .html import HTML_EXTENSIONS, read_html, require_trafilatura
from .jsonfiles import count_json, count_jsonl, iter_json, iter_jsonl
from .records import ErrorSink, PathArg, Records, check_file, is_stdin
from .tabular import count_csv, iter_csv
from .text import read_article_text

#: File extensions :func:`read_articles` understands (compared lower-cased).
JSONL_EXTENSIONS = (".jsonl", ".ndjson")
JSON_EXTENSIONS = (".json",)
CSV_EXTENSIONS = (".csv",)
TSV_EXTENSIONS = (".tsv",)
TEXT_EXTENSIONS = (".txt",)

_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jsonl", JSONL_EXTENSIONS), ("json", JSON_EXTENSIONS), ("csv", CSV_EXTENSIONS),
    ("tsv", TSV_EXTENSIONS), ("txt", TEXT_EXTENSIONS), ("html", HTML_EXTENSIONS))
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(e for _, exts in _KINDS for e in exts)

#: Files a folder may hold that are no articles and are passed over
#: silently, as hidden (``.``-prefixed) entries are.
IGNORED_NAMES = frozenset({"Thumbs.db", "desktop.ini", "Icon\r"})
#: How many unreadable files an error names before "and N more".
MAX_FILES_NAMED = 5


@dataclass(frozen=True)
class _Source:
    path: PathArg
    kind: str                    # a key of _KINDS, or "stdin"
    folder: str | None = None    # the folder it was found in, for ids of pages


def read_articles(*sources: PathArg, errors: str = "raise",
                  fields: Mapping[str, str | None] | None = None,
                  extra: bool = True) -> Records:
    """Stream the articles of files and folders, choosing the reader by extension.

    ``.jsonl``/``.ndjson`` → :func:`read_jsonl`, ``.json`` →
    :func:`read_json`, ``.csv`` → :func:`read_csv`, ``.tsv`` →
    :func:`read_csv` with a tab delimiter, ``.txt`` → one article per file
    with :func:`read_article_text`, ``.html``/``.htm`` → one article per
    page with :func:`read_html` (extensions in any case). ``"-"`` reads JSON
    Lines from standard input. ``fields`` and ``extra`` apply to the JSON
    and CSV/TSV files, as in :func:`read_jsonl`.

    A folder is listed at once, recursively, entries in sorted name order,
    passing over hidden (``.``-prefixed) entries, :data:`IGNORED_NAMES` and
    the ``NAME_files`` folder a browser saves next to ``NAME.html``. A
    file in it that cannot be read (another extension, no read permission)
    is an error at once, before anything is read, naming the files
    (``errors="raise"``), or is reported in ``skipped`` (``errors="skip"``).
    So is a folder holding no file to read. A source that does not exist,
    or a file named explicitly with another extension, is always an error
    at once; so are HTML pages when trafilatura is not installed
    (:class:`~arsearch.errors.MissingDependencyError`).

    Broken records follow ``errors`` as in each reader (a ``.txt`` or
    ``.html`` file without a headline is one broken record), and the
    returned :class:`Records` collects the ``skipped`` ones of all sources.
    A page found in a folder gets its path inside that folder, without the
    extension, as id (``2024/flood-report``), so equal file names in
    different subfolders stay distinct::

        for article in read_articles("akhbar/2024", "archive.jsonl"):
            print(article["headline"])      # e.g. "افتتاح معرض الكتاب"
    """
    records = Records(errors)
    fmap = FieldMap(fields, extra=extra)
    planned: list[_Source] = []
    unreadable: list[tuple[str, str]] = []
    for source in sources:
        if is_stdin(source):
            planned.append(_Source(source, "stdin"))
            continue
        name = os.fspath(source)
        if os.path.isdir(name):
            found = len(planned)
            _walk(name, name, planned, unreadable, set())
            if len(planned) == found and not any(p.startswith(name) for p, _ in unreadable):
                unreadable.append((name, "a folder with no file to read ("
                                   + _extension_list() + ")"))
        elif os.path.exists(name):
            check_file(name)
            kind = kind_of(name)
            if kind is None:
                raise DocumentError(f"cannot read {name}: unsupported extension "
                                    f"{Path(name).suffix!r} (use {_extension_list()})")
            planned.append(_Source(source, kind))
        else:
            raise DocumentError(f"no such file or folder: {name}")
    if any(p.kind == "html" for p in planned):
        require_trafilatura()
    if unreadable:
        if records.errors == "raise":
            raise DocumentError(_unreadable_message(unreadable))
        for path, reason in unreadable:
            records._report(DocumentError(f"cannot read {path}: {reason}"))
    records._gen = _iter_sources(planned, fmap, records._report)
    records._counter = lambda: _count(planned, fmap)
    return records


def kind_of(name: str) -> str | None:
    """The reader for a file name, by its extension (``None``: none)."""
    ext = os.path.splitext(name)[1].lower()
    for kind, exts in _KINDS:
        if ext in exts:
            return kind
    return None


def _extension_list() -> str:
    return ", ".join(SUPPORTED_EXTENSIONS)


def _walk(folder: str, top: str, planned: list[_Source], unreadable: list[tuple[str, str]],
          seen: set[str]) -> None:
    """Add the files under ``folder`` to ``planned`` (depth first, sorted),
    and those that cannot be read to ``unreadable``."""
    real = os.path.realpath(folder)
    if real in seen:        # a symlink loop
        return
    seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        unreadable.append((folder, f"cannot list the folder: {e.strerror or e}"))
        return
    pages = {os.path.splitext(e.name)[0] for e in entries
             if os.path.splitext(e.name)[1].lower() in HTML_EXTENSIONS}
    for entry in entries:
        if entry.name.startswith(".") or entry.name in IGNORED_NAMES:
            continue
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError as e:
            unreadable.append((entry.path, e.strerror or str(e)))
            continue
        if is_dir:
            # The images and scripts a browser saves with NAME.html.
            if entry.name.endswith("_files") and entry.name[:-len("_files")] in pages:
                continue
            _walk(entry.path, top, planned, unreadable, seen)
        elif not is_file:
            unreadable.append((entry.path, "not a regular file"))
        elif (kind := kind_of(entry.name)) is None:
            ext = os.path.splitext(entry.name)[1]
            unreadable.append((entry.path, f"unsupported extension {ext!r}" if ext
                               else "no extension"))
        elif not os.access(entry.path, os.R_OK):
            unreadable.append((entry.path, "permission denied"))
        else:
            planned.append(_Source(entry.path, kind, top))


def _unreadable_message(unreadable: list[tuple[str, str]]) -> str:
    named = "; ".join(f"{path} ({reason})" for path, reason in unreadable[:MAX_FILES_NAMED])
    more = len(unreadable) - MAX_FILES_NAMED
    if more > 0:
        named += f"; and {more} more"
    what = "1 file" if len(unreadable) == 1 else f"{len(unreadable)} files"
    return (f"cannot read {what}: {named}. arsearch reads {_extension_list()} files; move "
            "the others out of the folder, or skip them (errors='skip', or --skip-errors "
            "on the command line)")


def _iter_sources(planned: list[_Source], fmap: FieldMap,
                  report: ErrorSink) -> Generator[dict[str, Any], None, None]:
    for source in planned:
        path, kind = source.path, source.kind
        name = "<stdin>" if kind == "stdin" else os.fspath(path)
        # A file that cannot be read at all (a page without a headline, a CSV
        # without article columns, a file gone since the listing) is one
        # broken record: raised or skipped like the others.
        try:
            if kind in ("txt", "html"):
                read_page = read_article_text if kind == "txt" else read_html
                article = read_page(Path(name))
                if source.folder is not None:
                    relative = Path(os.path.relpath(name, source.folder))
                    article["id"] = relative.with_suffix("").as_posix()
                yield article
            elif kind in ("jsonl", "stdin"):
                yield from iter_jsonl(path, name, fmap, report)
            elif kind == "json":
                yield from iter_json(name, fmap, report)
            else:
                yield from iter_csv(path, name, fmap, "\t" if kind == "tsv" else ",", report)
        except DocumentError as e:
            report(e)


def _count(planned: list[_Source], fmap: FieldMap) -> int | None:
    total = 0
    for source in planned:
        name = os.fspath(source.path)
        try:
            if source.kind == "stdin":
                return None
            if source.kind == "jsonl":
                total += count_jsonl(name)
            elif source.kind == "json":
                total += count_json(name, fmap)
            elif source.kind in ("csv", "tsv"):
                total += count_csv(name, "\t" if source.kind == "tsv" else ",")
            else:
                total += 1
        except OSError:
            total += 1
    return total
