"""The one place arsearch imports Whoosh.

Every other module takes Whoosh names from here, so moving to a Whoosh fork
means changing this file only. The stable 2.7 API surface is used directly
elsewhere: ``fields``, ``analysis`` (Tokenizer, Filter, Token), ``query``,
``index``/``filedb`` and the reader/searcher methods. Everything that
reaches below it (a writer without its lock, finishing a sub-writer's
segment, decoding a term's posting blocks and a segment's length and
numeric columns straight into arrays) is a function of this module, with a
slower fallback through the public API where a fork might differ. The
ISRI-based ``LanguageAnalyzer("ar")``, Whoosh's highlighter and its
multiprocessing writer are deliberately not used.

Whoosh 2.7.4 predates Python 3.8 and its modules trigger SyntaxWarnings and
DeprecationWarnings when they are compiled or used; :func:`quiet` keeps them
away from arsearch's users.
"""

from __future__ import annotations

import contextlib
import warnings
import zlib
from collections.abc import Iterator
from pickle import loads
from typing import Any

import numpy as np


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Suppress the warnings Whoosh emits about its own code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        yield


with quiet():
    import whoosh
    from whoosh import fields, query, scoring, sorting
    from whoosh.analysis import (Analyzer, CompositeAnalyzer, Filter, RegexTokenizer,
                                 StandardAnalyzer, Token, Tokenizer)
    from whoosh.filedb.filestore import FileStorage, RamStorage
    from whoosh.index import EmptyIndexError, IndexError as WhooshIndexError, LockError
    from whoosh.index import FileIndex
    from whoosh.index import exists_in as index_exists_in
    from whoosh.codec import whoosh3 as _w3
    from whoosh.util.numeric import byte_to_length as _byte_to_length
    from whoosh.util.times import long_to_datetime
    from whoosh.writing import MERGE_SMALL, SegmentWriter

WHOOSH_VERSION = whoosh.versionstring()


def unlocked_writer(ix: FileIndex, **kwargs: object) -> SegmentWriter:
    """A writer that does not take the index's write lock: for a caller that
    holds it already (arsearch takes the lock itself, so that it is released
    whatever fails), or for a worker of a parallel load whose parent holds it."""
    return SegmentWriter(ix, _lk=False, **kwargs)


def finish_segment(writer: SegmentWriter) -> object:
    """Write out a sub-writer's documents as a finished segment, without
    committing, and return the segment for the parent's commit. This is the
    protocol Whoosh's own multiprocessing writer uses with its sub-writers;
    it is kept here, in the one module that touches Whoosh internals."""
    segment = writer._finalize_segment()
    writer._finish()
    return segment

# Reading segments into arrays ---------------------------------------------

#: Field length as Whoosh stores it (one byte, log-scaled) → the length it
#: stands for. Byte 0 is "no length" (an empty field), read as 0.
_LENGTH_OF_BYTE = np.array([0.0] + [float(_byte_to_length(b)) for b in range(1, 256)])


def segment_id(leaf: Any) -> str:
    """A stable name of a leaf reader's segment: the same segment has the
    same name in every later commit, until it is merged away."""
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else f"unsaved-{id(leaf)}"


def deleted_docnums(leaf: Any) -> np.ndarray:
    """The segment-local numbers of a leaf's deleted documents (sorted)."""
    if not leaf.has_deletions():
        return np.empty(0, dtype=np.int64)
    return np.array(sorted(leaf._perdoc.deleted_docs()), dtype=np.int64)


def _fixed_column_bytes(leaf: Any, column_name: str, column: Any, doc_count: int,
                        width: int, default: bytes) -> bytes | None:
    """The raw bytes of a fixed-width numeric column, padded to every
    document, or ``None`` when the segment has no such column."""
    perdoc = leaf._perdoc
    if not perdoc.has_column(column_name):
        return None
    reader = perdoc.column_reader(column_name, column)
    present = reader._count
    raw = reader._dbfile.get(reader._basepos, present * width) if present else b""
    return bytes(raw) + default * (doc_count - present)


def field_lengths(leaf: Any, fieldname: str) -> np.ndarray:
    """Every document's length of ``fieldname`` in one segment (deleted
    documents included), as Whoosh's scorers see it: decoded from the
    one-byte length column."""
    count = leaf.doc_count_all()
    try:
        raw = _fixed_column_bytes(leaf, _w3._lenfield(fieldname), _w3.LENGTHS_COLUMN, count,
                                  1, b"\x00")
    except AttributeError:   # another codec: the public, per-document way
        return np.array([float(leaf.doc_field_length(d, fieldname, 0) or 0)
                         for d in range(count)])
    if raw is None:
        return np.zeros(count)
    return _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]


def numeric_column(leaf: Any, fieldname: str, default: int) -> np.ndarray:
    """A sortable numeric field's column (``DATETIME(sortable=True)``) of
    one segment as unsigned 64-bit integers, ``default`` where missing."""
    count = leaf.doc_count_all()
    try:
        column = leaf.schema[fieldname].column_type
        if column is None or column._typecode != "Q":
            raise AttributeError(fieldname)
        raw = _fixed_column_bytes(leaf, fieldname, column, count, 8,
                                  column._default.to_bytes(8, "big"))
    except AttributeError:
        raw = None
    if raw is None:
        if not leaf.has_column(fieldname):
            return np.full(count, default, dtype=np.uint64)
        values = leaf.column_reader(fieldname, translate=False)
        return np.array([values[d] for d in range(count)], dtype=np.uint64)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64)


def term_postings(leaf: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """All postings of a term in one segment, deleted documents included:
    ``(docnums, frequencies)`` as int64 and float64 arrays, or ``None`` when
    the segment lacks the term.

    Segments never change, so the arrays can be cached for as long as the
    segment lives; deletions are applied by the caller. Whoosh's matchers
    yield one posting per Python call; here each block of up to 128 postings
    is unpickled and turned into arrays at once."""
    if (fieldname, text) not in leaf:
        return None
    terms = leaf._terms
    tbytes = leaf._text_to_bytes(fieldname, text)
    info = terms.term_info(fieldname, tbytes)
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    matcher = terms.matcher(fieldname, tbytes, leaf.schema[fieldname].format)
    if type(matcher) is not _w3.W3LeafMatcher or matcher._byteids:
        return _postings_one_by_one(matcher)
    return _decode_blocks(matcher)


def _decode_blocks(m: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every block of a Whoosh 3 posting list, read as W3LeafMatcher reads
    one: a length, a pickled info tuple, then the pickled (and possibly
    zlib-compressed) ``(id deltas, weights, values)`` tuple."""
    postfile = m._postfile
    deltas: list[int] = []
    weights: list[float] = []
    block_starts: list[int] = []
    block_ends: list[int] = []
    position = m._baseoffset
    while True:
        postfile.seek(position)
        length = postfile.read_int()
        last = length < 0
        length = abs(length)
        info = postfile.read_pickle()
        count, max_id, compression = info[0], info[1], info[3]
        data_start = postfile.tell()
        data_end = position + _w3._INT_SIZE + length
        raw = postfile.get(data_start, data_end - data_start)
        if compression:
            raw = zlib.decompress(raw)
        ids, block_weights, _ = loads(raw)
        block_starts.append(len(deltas))
        block_ends.append(max_id)
        deltas.extend(ids)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if last:
            break
        position = data_end
    docnums = np.array(deltas, dtype=np.int64)
    # Each block's ids are deltas from 0, so its first one is absolute: make
    # it a delta from the previous block's last id and sum once.
    if len(block_starts) > 1:
        docnums[block_starts[1:]] -= np.array(block_ends[:-1], dtype=np.int64)
    return np.cumsum(docnums), np.array(weights, dtype=np.float64)


def _postings_one_by_one(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


__all__ = [
    "Analyzer", "CompositeAnalyzer", "EmptyIndexError", "FileIndex", "FileStorage", "Filter",
    "LockError", "MERGE_SMALL", "RamStorage", "RegexTokenizer", "SegmentWriter",
    "StandardAnalyzer", "Token", "Tokenizer", "WHOOSH_VERSION", "WhooshIndexError", "fields",
    "deleted_docnums", "field_lengths", "finish_segment", "index_exists_in", "long_to_datetime", "numeric_column",
    "query", "quiet", "scoring", "segment_id", "sorting", "term_postings", "unlocked_writer",
]
