"""Which words a segment may hold: a term filter written beside each segment.

The spelling corrector tries every string one edit away from a word the
index does not know, a few hundred to a thousand of them, and asks each
segment's term dictionary about each: in Whoosh, a Python hash-table probe
of about 25 µs. Nearly all candidates are in no segment. A
:class:`TermFilter` rules them out with one array search: per text field,
the sorted CRC-32s of the segment's terms. A candidate whose checksum is
absent is surely absent; one that is present (the word, or one of the rare
other words with its checksum) is looked up as before, so corrections are
exactly what they were without the filter.

Files and crash safety: a segment ``MAIN_<id>`` gets ``MAIN_<id>.terms``,
through a temporary file and an atomic rename. A worker process or a
background merge writes it with the segment, before the commit that lists
the segment; otherwise the commit writes it, after Whoosh's table of
contents and under the same write lock. Whoosh removes it with its
segment (its name has the segment's form). A crash between the two leaves
a segment without a filter, which the next commit writes from the segment's own dictionary;
until then the segment is simply asked, as an index written before filters
existed is. A damaged or foreign file is ignored the same way.

>>> f = TermFilter.build([("body", "مفاوضات".encode()), ("body", "جنيف".encode())],
...                      fields=("headline", "body"))
>>> f.may_hold("body", term_checksums(["جنيف", "جنيق"])).tolist()
[True, False]
>>> f.may_hold("headline", term_checksums(["جنيف"])).tolist()
[False]
>>> f.may_hold("tags", term_checksums(["جنيف"])).tolist()    # not covered: ask the segment
[True]
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._whoosh import index_segments, segment_readers, term_dictionary
from .schema import TEXT_FIELDS, exact_fields

log = logging.getLogger("arsearch")

#: The filter file of a segment: ``<segment id><SUFFIX>``.
SUFFIX = ".terms"
#: Written first, then renamed to the filter's name.
_TEMPORARY = ".terms-tmp"
#: Bumped when the file's layout changes; other versions are ignored.
FORMAT_VERSION = 1
#: What reading a damaged file raises (np.load reads a zip archive).
_DAMAGED = (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile)


def term_checksums(texts: Iterable[str]) -> np.ndarray:
    """The CRC-32 of each term's UTF-8 bytes, as a filter stores them."""
    return np.fromiter((zlib.crc32(t.encode("utf-8")) for t in texts), dtype=np.uint32)


class TermFilter:
    """The terms of some fields of one segment, as sorted checksums."""

    def __init__(self, fields: dict[str, np.ndarray], doc_count: int) -> None:
        self.fields = fields
        #: Documents of the segment it was built from (a check on reading).
        self.doc_count = doc_count

    @classmethod
    def build(cls, terms: Iterable[tuple[str, bytes]], fields: Sequence[str],
              doc_count: int = 0) -> TermFilter:
        """A filter of ``terms`` (``(field, term bytes)``) for ``fields``."""
        found: dict[str, list[int]] = {name: [] for name in fields}
        crc32 = zlib.crc32
        for name, tbytes in terms:
            found[name].append(crc32(tbytes))
        return cls({name: np.unique(np.array(values, dtype=np.uint32))
                    for name, values in found.items()}, doc_count)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.fields.values())

    def may_hold(self, fieldname: str, checksums: np.ndarray) -> np.ndarray:
        """For each checksum, whether the field may hold its term (``False``:
        surely not). Every term may be in a field the filter does not cover."""
        known = self.fields.get(fieldname)
        if known is None:
            return np.ones(len(checksums), dtype=bool)
        if not len(known):
            return np.zeros(len(checksums), dtype=bool)
        at = np.minimum(np.searchsorted(known, checksums), len(known) - 1)
        return known[at] == checksums

    # Files -------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the filter to ``path`` atomically (a temporary file, synced,
        then renamed)."""
        arrays: dict[str, Any] = {f"field_{i}": a for i, a in enumerate(self.fields.values())}
        arrays["names"] = np.array(list(self.fields), dtype=str)
        arrays["header"] = np.array([FORMAT_VERSION, self.doc_count], dtype=np.int64)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        temporary = path.with_name(path.name[:-len(SUFFIX)] + _TEMPORARY)
        with open(temporary, "wb") as f:
            f.write(buffer.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)

    @staticmethod
    def _fits(data: Any, doc_count: int) -> bool:
        """Whether a loaded file's header is this version's, for a segment
        of ``doc_count`` documents."""
        version, count = (int(v) for v in data["header"])
        return version == FORMAT_VERSION and count == doc_count

    @classmethod
    def usable(cls, path: Path, doc_count: int) -> bool:
        """Whether ``path`` holds a filter of this version for a segment of
        ``doc_count`` documents (its header only is read)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls._fits(data, doc_count)
        except _DAMAGED:
            return False

    @classmethod
    def load(cls, path: Path, doc_count: int,
             only: Sequence[str] | None = None) -> TermFilter | None:
        """The filter saved at ``path``, or ``None`` when there is none, or
        it is damaged, of another version, or of a segment of another size.
        With ``only``, just those of its fields are read."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if not cls._fits(data, doc_count):
                    return None
                names = [str(n) for n in data["names"]]
                fields = {name: data[f"field_{i}"] for i, name in enumerate(names)
                          if only is None or name in only}
        except _DAMAGED as e:
            if not isinstance(e, FileNotFoundError):
                log.warning("ignoring the damaged term filter %s (%s)", path, e)
            return None
        if any(a.dtype != np.uint32 or a.ndim != 1 for a in fields.values()):
            return None
        return cls(fields, doc_count)


def filter_path(folder: Path, segment_id: str) -> Path:
    return folder / f"{segment_id}{SUFFIX}"


#: The article id field, which a filter covers too: a batch that may
#: replace articles asks every segment for each of its ids.
ID_FIELD = "id"


def filter_fields(schema: Any) -> tuple[str, ...]:
    """The fields a filter covers: the text fields, their exact forms' and
    the article ids."""
    return TEXT_FIELDS + tuple(exact_fields(schema).values()) + (ID_FIELD,)


def write_filter(ix: Any, segment: Any, folder: Path, fields: Sequence[str]) -> None:
    """Write the filter of one finished segment of ``ix`` (committed or
    not), from its own term dictionary."""
    reader = segment_readers(ix, [segment])[0]
    try:
        built = TermFilter.build(term_dictionary(reader, fields), fields, reader.doc_count_all())
    finally:
        reader.close()
    built.save(filter_path(folder, segment.segment_id()))


def write_filter_beside(ix: Any, segment: Any) -> None:
    """:func:`write_filter` for a segment just written by a worker process
    or a background merge, before the commit that lists it: the commit then
    has nothing left to write. A failure is left to that commit, which
    writes the filters still missing."""
    folder = getattr(ix.storage, "folder", None)
    if not folder:         # Whoosh's RamStorage has folder ''
        return
    try:
        write_filter(ix, segment, Path(folder), filter_fields(ix.schema))
    except OSError as e:
        log.info("term filter of %s left to the commit (%s)", segment.segment_id(), e)


class FilterWriter:
    """Writes the missing filters of an index's segments after each commit.

    It remembers the files it has checked (by size and modification time),
    so a commit reads only the header of a filter that is new or changed."""

    def __init__(self, folder: Path, fields: Sequence[str]) -> None:
        self.folder = folder
        self.fields = tuple(fields)
        self._checked: dict[str, tuple[int, int]] = {}
        self._ids: dict[str, TermFilter] = {}

    def _has_filter(self, segment: Any) -> bool:
        path = filter_path(self.folder, segment.segment_id())
        try:
            st = path.stat()
        except OSError:
            return False
        stamp = (st.st_size, st.st_mtime_ns)
        if self._checked.get(path.name) == stamp:
            return True
        if not TermFilter.usable(path, segment.doc_count_all()):
            return False
        self._checked[path.name] = stamp
        return True

    def may_hold_ids(self, segment_id: str, doc_count: int,
                     checksums: np.ndarray) -> np.ndarray | None:
        """For each article id (as :func:`term_checksums`), whether the
        segment may hold it, from the segment's filter; ``None`` when the
        segment has no filter of ids (ask the segment). Segments never
        change, so their ids are read once and kept (4 bytes an article)."""
        known = self._ids.get(segment_id)
        if known is None:
            known = TermFilter.load(filter_path(self.folder, segment_id), doc_count,
                                    only=(ID_FIELD,))
            if known is None or ID_FIELD not in known.fields:
                return None
            self._ids[segment_id] = known
        return known.may_hold(ID_FIELD, checksums)

    def write_missing(self, ix: Any) -> int:
        """Write the filter of every segment of ``ix``'s latest commit that
        has none, or a damaged one (each from the segment's own term
        dictionary); the number written. Call it holding the write lock."""
        current = index_segments(ix)
        names = {f"{s.segment_id()}{SUFFIX}" for s in current}
        self._checked = {k: v for k, v in self._checked.items() if k in names}
        self._ids = {k: v for k, v in self._ids.items() if f"{k}{SUFFIX}" in names}
        segments = [s for s in current if not self._has_filter(s)]
        for segment in segments:
            write_filter(ix, segment, self.folder, self.fields)
        return len(segments)


__all__ = ["FORMAT_VERSION", "FilterWriter", "ID_FIELD", "SUFFIX", "TermFilter", "filter_fields",
           "filter_path", "term_checksums", "write_filter", "write_filter_beside"]
