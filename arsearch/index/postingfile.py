"""A segment's long posting lists as plain arrays, in a file beside it.

Whoosh stores a posting list as blocks of 128 postings, each block a
pickled, zlib-compressed tuple of ids, weights and (in the text fields,
which keep positions for phrases) one ``bytes`` of positions per posting.
Ranking needs only the ids and frequencies, but reading a common word's
list from Whoosh unpickles every block, positions included: on a
200,000-article index that decoding was two thirds of a query's time.

A :class:`PostingsFile` holds the same lists without positions, as
fixed-width little-endian integers read straight into numpy: per term, the
gaps between document numbers (1, 2 or 4 bytes each) and the frequencies (1
or 2 bytes). Only lists longer than one Whoosh block are kept (a short list
costs one small unpickle, and most terms are short); the rest are read from
Whoosh as before. A term is found by where its list starts in the segment's
Whoosh postings file (``W3TermInfo.extent``), which the look-up of the term
gives anyway, so the file needs no term dictionary of its own, and its
document count is checked against Whoosh's.

Files and crash safety: a segment ``MAIN_<id>`` gets ``MAIN_<id>.postings``,
written while the segment's own postings are written (in a worker process,
a background merge or the committing process alike), through a temporary
file, synced and renamed before the commit that lists the segment. Whoosh
removes it with its segment (its name has the segment's form). A segment
without one, or with a damaged or foreign one, is read from Whoosh alone,
with the same result: the file is a copy, never the index of record, and
:meth:`arsearch.Index.optimize` writes every segment again, files included.

>>> import tempfile, pathlib, numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> w = PostingsFileWriter(folder, "MAIN_x", min_postings=2)
>>> w.add(4096, np.array([3, 7, 300], dtype=np.uint32), np.array([1, 2, 1], dtype=np.float32))
>>> w.close(doc_count=301)
>>> w.publish()
>>> f = PostingsFile.open(folder / "MAIN_x.postings", doc_count=301)
>>> ids, tfs = f.get(4096, doc_frequency=3)
>>> ids.tolist(), tfs.tolist()
([3, 7, 300], [1.0, 2.0, 1.0])
>>> f.get(8192, doc_frequency=3) is None         # not kept: read from Whoosh
True
"""

from __future__ import annotations

import functools
import logging
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .._whoosh import COPIED_FIELD_PREFIXES, index_segments, long_postings, segment_readers

log = logging.getLogger("arsearch")

#: The file of a segment: ``<segment id><SUFFIX>``.
SUFFIX = ".postings"
#: Written first as ``<TEMPORARY_PREFIX><pid>-<segment id>.tmp``, then renamed.
TEMPORARY_PREFIX = "arsearch-postings-"
MAGIC = b"ARSPOST1"
#: Bumped when the layout changes; files of other versions are ignored.
FORMAT_VERSION = 1
#: Lists of at most this many postings (one Whoosh block) are not kept.
MIN_POSTINGS = 129
#: The trailer: magic, version, document count, term count, directory offset.
_TRAILER = struct.Struct("<8sIQQQ")
#: One directory entry per term: where its Whoosh list starts, its first
#: document, its count, where its data starts, and the two widths.
_ENTRY = np.dtype([("offset", "<u8"), ("first", "<u4"), ("count", "<u4"),
                   ("data", "<u8"), ("id_width", "u1"), ("tf_width", "u1")])
_ID_TYPES = {1: "<u1", 2: "<u2", 4: "<u4"}
_TF_TYPES = {1: "<u1", 2: "<u2"}


def postings_path(folder: Path, segment_id: str) -> Path:
    return folder / f"{segment_id}{SUFFIX}"


def postings_sink(ix: Any) -> Callable[[str], PostingsFileWriter] | None:
    """What makes the postings file of each new segment of ``ix`` (for
    ``unlocked_writer``); ``None`` for an index in memory."""
    folder = getattr(ix.storage, "folder", None)
    if not folder:         # Whoosh's RamStorage has folder ''
        return None
    return functools.partial(PostingsFileWriter, Path(folder))


def rebuild(ix: Any, folder: Path) -> int:
    """Write the postings file of every segment of ``ix``'s latest commit
    that has none, from the segment's own postings (the Whoosh index alone:
    for an index written before these files existed, or after a file was
    lost); the number written. Files that exist are left as they are."""
    written = 0
    for segment in index_segments(ix):
        path = postings_path(folder, segment.segment_id())
        if path.exists():
            continue
        reader = segment_readers(ix, [segment])[0]
        writer = PostingsFileWriter(folder, segment.segment_id())
        try:
            fields = [f for f in reader.indexed_field_names()
                      if f.startswith(COPIED_FIELD_PREFIXES)]
            for offset, ids, tfs in long_postings(reader, fields, writer.min_postings):
                writer.add(offset, ids, tfs)
            writer.close(reader.doc_count_all())
            writer.publish()
        except BaseException:
            writer.abandon()
            raise
        finally:
            reader.close()
        written += 1
    return written


def _width(largest: int, types: dict[int, str]) -> int | None:
    for width in types:
        if largest < 1 << (8 * width):
            return width
    return None


class PostingsFileWriter:
    """Writes one segment's file as its postings are written: :meth:`add`
    per long list (streamed to a temporary file, so memory stays flat
    however large the segment), :meth:`close` (the directory, then sync),
    and :meth:`publish` (the rename); or :meth:`abandon`.

    The file is a copy: failing to write it (a full disk) is logged and
    leaves the segment without one, and never fails the segment."""

    def __init__(self, folder: Path, segment_id: str, min_postings: int = MIN_POSTINGS) -> None:
        self.min_postings = min_postings
        self.path = postings_path(Path(folder), segment_id)
        # Not named after the segment until published: Whoosh would pack it
        # into the segment's compound file. The process id tells a file
        # left by a killed writer (remove_stale_files) from a live one's.
        self._temporary = Path(folder) / f"{TEMPORARY_PREFIX}{os.getpid()}-{segment_id}.tmp"
        self._entries: list[tuple[int, int, int, int, int, int]] = []
        self._position = 0
        self._file: BinaryIO | None = None
        self._failed = False
        try:
            self._file = open(self._temporary, "wb")
        except OSError as e:
            self._fail(e)

    def _fail(self, error: OSError) -> None:
        log.info("postings file of %s not written (%s); it is read from Whoosh",
                 self.path.name[:-len(SUFFIX)], error)
        self._failed = True
        self.abandon()

    def add(self, offset: int, ids: np.ndarray, weights: np.ndarray) -> None:
        """Keep the list that starts at ``offset`` in the Whoosh postings
        file: its document numbers (ascending) and weights. A list too
        short to gain, or whose weights are not small whole numbers (a
        field boost), is left to Whoosh."""
        count = len(ids)
        if count < self.min_postings or self._file is None:
            return
        tfs = np.asarray(weights)
        tf_width = _width(int(tfs.max()), _TF_TYPES) if tfs.min() >= 0 else None
        if tf_width is None or not np.array_equal(tfs, np.floor(tfs)):
            return
        ids = np.asarray(ids, dtype=np.int64)
        gaps = np.diff(ids)
        id_width = _width(int(gaps.max()), _ID_TYPES)
        if id_width is None or gaps.min() <= 0:
            return
        self._entries.append((offset, int(ids[0]), count, self._position, id_width, tf_width))
        data = gaps.astype(_ID_TYPES[id_width]).tobytes() + tfs.astype(_TF_TYPES[tf_width]).tobytes()
        try:
            self._file.write(data)
        except OSError as e:
            self._fail(e)
        self._position += len(data)

    def close(self, doc_count: int) -> None:
        """Write the directory and trailer, and sync (see :meth:`publish`)."""
        f, self._file = self._file, None
        if f is None:
            return
        entries = np.array(sorted(self._entries), dtype=_ENTRY)
        try:
            try:
                f.write(entries.tobytes())
                f.write(_TRAILER.pack(MAGIC, FORMAT_VERSION, doc_count, len(entries),
                                      self._position))
                f.flush()
                os.fsync(f.fileno())
            finally:
                f.close()
        except OSError as e:
            self._fail(e)

    def publish(self) -> None:
        """Rename the closed file into place, beside its segment."""
        if self._failed:
            return
        try:
            os.replace(self._temporary, self.path)
        except OSError as e:
            self._fail(e)

    def abandon(self) -> None:
        """Drop the temporary file (the segment was not written)."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
        try:
            self._temporary.unlink()
        except OSError:
            pass


class PostingsFile:
    """One segment's kept lists, read on demand with ``pread`` (safe from
    many threads: no shared file position)."""

    def __init__(self, fd: int, entries: np.ndarray, path: Path) -> None:
        self._fd = fd
        self._entries = entries
        self._offsets = entries["offset"]
        self.path = path

    @property
    def term_count(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return self._entries.nbytes

    @classmethod
    def open(cls, path: Path, doc_count: int) -> PostingsFile | None:
        """The file at ``path``, or ``None`` when there is none, or it is
        damaged, of another version, or of a segment of another size."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            if size < _TRAILER.size:
                raise ValueError("too short")
            magic, version, count, terms, directory = _TRAILER.unpack(
                os.pread(fd, _TRAILER.size, size - _TRAILER.size))
            if magic != MAGIC or version != FORMAT_VERSION or count != doc_count:
                raise ValueError("another segment's or version's file")
            if directory + terms * _ENTRY.itemsize + _TRAILER.size != size:
                raise ValueError("truncated")
            raw = os.pread(fd, terms * _ENTRY.itemsize, directory)
            entries = np.frombuffer(raw, dtype=_ENTRY)
            ends = (entries["data"] + (entries["count"] - 1).astype(np.uint64)
                    * entries["id_width"] + entries["count"].astype(np.uint64)
                    * entries["tf_width"])
            if terms and (int(ends.max()) > directory
                          or int(entries["count"].min()) < 2
                          or not np.isin(entries["id_width"], list(_ID_TYPES)).all()
                          or not np.isin(entries["tf_width"], list(_TF_TYPES)).all()
                          or not np.all(np.diff(entries["offset"].astype(np.int64)) > 0)):
                raise ValueError("inconsistent directory")
        except (OSError, ValueError, struct.error) as e:
            os.close(fd)
            log.warning("ignoring the damaged postings file %s (%s)", path, e)
            return None
        return cls(fd, entries, path)

    def get(self, offset: int, doc_frequency: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The document numbers (int64) and frequencies (float64) of the
        list starting at ``offset`` in the Whoosh postings file, or ``None``
        when it is not kept (or its count is not ``doc_frequency``, which
        Whoosh's term info gives)."""
        offsets = self._offsets
        at = int(np.searchsorted(offsets, offset))
        if at >= len(offsets) or int(offsets[at]) != offset:
            return None
        entry = self._entries[at]
        count = int(entry["count"])
        if count != doc_frequency:
            return None
        id_width, tf_width = int(entry["id_width"]), int(entry["tf_width"])
        size = (count - 1) * id_width + count * tf_width
        raw = os.pread(self._fd, size, int(entry["data"]))
        if len(raw) != size:
            return None
        ids = np.empty(count, dtype=np.int64)
        ids[0] = int(entry["first"])
        ids[1:] = np.frombuffer(raw, dtype=_ID_TYPES[id_width], count=count - 1)
        np.cumsum(ids, out=ids)
        tfs = np.frombuffer(raw, dtype=_TF_TYPES[tf_width], offset=(count - 1) * id_width)
        return ids, tfs.astype(np.float64)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


__all__ = ["FORMAT_VERSION", "MIN_POSTINGS", "SUFFIX", "TEMPORARY_PREFIX", "PostingsFile",
           "PostingsFileWriter", "postings_path", "postings_sink", "rebuild"]
