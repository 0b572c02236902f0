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
import heapq
import io
import itertools
import pickle
import struct
import uuid
import warnings
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from pickle import loads
from typing import Any, Protocol

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
    from whoosh import fields, formats, query, scoring, sorting
    from whoosh.analysis import (Analyzer, CompositeAnalyzer, Filter, RegexTokenizer,
                                 StandardAnalyzer, Token, Tokenizer)
    from whoosh.filedb.filestore import FileStorage, RamStorage
    from whoosh.index import EmptyIndexError, IndexError as WhooshIndexError, LockError
    from whoosh.index import FileIndex
    from whoosh.reading import TermNotFound
    from whoosh.index import exists_in as index_exists_in
    from whoosh.codec import whoosh3 as _w3
    from whoosh.util.numeric import byte_to_length as _byte_to_length
    from whoosh.util.numeric import length_to_byte as _length_to_byte
    from whoosh.util.times import long_to_datetime
    from whoosh.writing import SegmentWriter

WHOOSH_VERSION = whoosh.versionstring()


#: Memory a writer may fill with postings, by the estimate below, before it
#: writes them to a temporary run file (:class:`_PostingBuffer`). It bounds
#: a writing process's memory: Whoosh's sorting pool, which this replaced,
#: held about 53 MB at arsearch's setting, and 2,000 news articles make
#: about 75 MB of postings.
WRITER_BUFFER_MB = 48

#: Estimated bytes per posting (three list slots with the list's spare
#: room, and the value when it is not shared) and per new term of a
#: :class:`_PostingBuffer` (its key, its list and the dictionary's slot).
#: With these, the estimate for 2,000 news articles (658,000 postings of
#: 110,000 terms) was 74 MB, and ``tracemalloc`` counted 78 MB allocated
#: while they were added.
_POSTING_BYTES = 72
_TERM_BYTES = 240
#: Values up to this long are shared between postings (see ``add``).
_SHARED_VALUE_BYTES = 4


class _PostingBuffer:
    """A segment's postings as its documents are added: for each field, each
    term's document numbers, weights and values, appended in document order
    (one flat list per term, three items per posting).

    Whoosh's writer puts every posting in a sorting pool as a tuple, sorts
    them all when the segment is written (spilling sorted runs to files past
    its memory limit, one pickle per posting) and hands them to the field
    writer one call each: half of a worker's time in a profile of a
    50,000-article load (the analysis was a third).
    Grouped by term from the start, a segment's postings come out in order
    with one sort of its terms, and are written a block at a time
    (:func:`_write_term_blocks`). Past ``limit`` estimated bytes the buffer
    is written to a temporary run, a term per record, and the runs are
    merged term by term at the end, so memory stays bounded. Earlier runs
    hold earlier documents: a term's lists are joined in run order."""

    def __init__(self, tempstore: Any, limit: float) -> None:
        self._tempstore = tempstore
        self._limit = limit
        self._fields: dict[str, dict[bytes, list[Any]]] = {}
        self._size = 0
        self._shared: dict[Any, Any] = {}
        self.runs: list[str] = []

    def add(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, Any]],
            boost: float, scorable: bool) -> int:
        """Add one document's postings of one field (``field.index(value)``);
        return the field's length (0 if it is not scorable)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        length = postings = new = 0
        get = terms.get
        # Weights and short values repeat (1.0; a word seen once, near the
        # start): one object each instead of one per posting.
        share = self._shared.setdefault
        for tbytes, freq, weight, vbytes in items:
            entry = get(tbytes)
            if entry is None:
                entry = terms[tbytes] = []
                new += 1
            if boost != 1.0:
                weight *= boost
            if vbytes and len(vbytes) <= _SHARED_VALUE_BYTES:
                vbytes = share(vbytes, vbytes)
            entry += (docnum, share(weight, weight), vbytes)
            length += freq
            postings += 1
        self._size += postings * _POSTING_BYTES + new * _TERM_BYTES
        if self._size > self._limit:
            self._spill()
        return length if scorable else 0

    def _sorted_terms(self) -> Iterator[tuple[str, bytes, list[Any]]]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes]

    def _spill(self) -> None:
        # Unique, as Whoosh's pool names its runs: writers may share a folder.
        name = f"postings-{uuid.uuid4().hex}.run"
        with self._tempstore.create_file(name).raw_file() as f:
            chunk: list[Any] = []
            for record in self._sorted_terms():
                chunk.append(record)
                if len(chunk) >= _RUN_CHUNK:
                    pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)
        self._fields = {}
        self._shared = {}
        self._size = 0

    def _read_run(self, name: str, k: int) -> Iterator[tuple[str, bytes, int, list[Any]]]:
        with self._tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    break
                for fieldname, tbytes, entry in chunk:
                    yield fieldname, tbytes, k, entry
        self._tempstore.delete_file(name)

    def terms(self) -> Iterator[tuple[str, bytes, list[Any]]]:
        """Every ``(field, term, flat postings)`` in order, the runs merged
        in; the buffer is empty afterwards."""
        if not self.runs:
            yield from self._sorted_terms()
            self._fields = {}
            return
        k = len(self.runs)
        streams = [self._read_run(name, i) for i, name in enumerate(self.runs)]
        streams.append((f, t, k, e) for f, t, e in self._sorted_terms())
        merged = heapq.merge(*streams, key=lambda item: (item[0], item[1], item[2]))
        for (fieldname, tbytes), group in itertools.groupby(
                merged, key=lambda item: (item[0], item[1])):
            postings = next(group)[3]
            for _, _, _, more in group:
                postings += more
            yield fieldname, tbytes, postings
        self.runs = []
        self._fields = {}


#: Terms per pickle in a run of :class:`_PostingBuffer` (each run being
#: merged holds one chunk in memory).
_RUN_CHUNK = 1024


class _LengthTable:
    """The document lengths of a segment being written, read once as
    arrays: Whoosh looks up a document's length for every posting it
    writes, and its column reader unpacked a struct each time (an eighth
    of the time of a bulk load)."""

    def __init__(self, perdoc: Any, doc_count: int) -> None:
        self._perdoc = perdoc
        self._count = doc_count
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.field(fieldname)
        return lengths[docnum] if lengths else default

    def field(self, fieldname: str) -> list[int]:
        """Every document's length of ``fieldname`` (empty: not recorded)."""
        lengths = self._fields.get(fieldname)
        if lengths is None:
            lengths = self._fields[fieldname] = self._read(fieldname)
        return lengths

    def _read(self, fieldname: str) -> list[int]:
        name = _w3._lenfield(fieldname)
        if not self._perdoc.has_column(name):
            return []
        raw = _fixed_column_bytes_of(self._perdoc, name, _w3.LENGTHS_COLUMN, self._count, 1,
                                     b"\x00")
        return [int(x) for x in _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]]

    def close(self) -> None:
        self._perdoc.close()


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer, keeping its postings grouped by term
    (:class:`_PostingBuffer`) instead of in Whoosh's sorting pool, flushing
    them with the lengths of its documents read once (:class:`_LengthTable`),
    and able to merge segments term by term (:func:`merge_segments`)."""

    _merged: list[tuple[Any, int, dict[int, int] | None]] | None = None
    #: Segments being written by a background merge: not in any table of
    #: contents yet, so Whoosh's clean-up after a commit would delete them.
    _spared: frozenset[str] = frozenset()
    #: Makes the sink of a new segment's long posting lists (see
    #: :class:`PostingsSink`), given the segment's name; ``None``: none.
    _postings_sink: Callable[[str], PostingsSink] | None = None
    _written_sink: PostingsSink | None = None

    def __init__(self, ix: FileIndex, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.buffer = _PostingBuffer(self._tempstorage, WRITER_BUFFER_MB * 1024 * 1024)

    def add_document(self, **fields: Any) -> None:
        # Whoosh's SegmentWriter.add_document, with the postings going to the
        # buffer; arsearch's schemas have no term vectors or separate
        # spelling words, so those paths are refused, not copied.
        if self._merged is not None:
            raise RuntimeError("a merging writer takes no new documents")
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add = self.buffer.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {fieldname!r}: term vectors and separate spelling "
                                 "words are not written by arsearch's segment writer")
            length = 0
            if field.indexed:
                length = add(fieldname, docnum, field.index(value),
                             self._field_boost(fields, fieldname, docboost), field.scorable)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader: Any) -> None:
        raise NotImplementedError("arsearch merges segments with merge_segments()")

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = None
        if self.codec.length_stats:
            lengths = _LengthTable(self.per_document_reader(), self.docnum)
        sink = None
        compact = isinstance(self.fieldwriter, _w3.W3FieldWriter)
        if self._postings_sink is not None and compact:
            sink = self._postings_sink(self.newsegment.segment_id())
        try:
            if compact:
                _write_compact_postings(self.fieldwriter, sink, self.codec)
            if self._merged is not None:
                _write_merged_postings(self, self._merged, lengths)
            else:
                _write_buffered_postings(self, lengths)
            self.fieldwriter.close()
            if sink is not None:
                sink.close(self.docnum)
        except BaseException:
            if sink is not None:
                sink.abandon()
            raise
        # Published once the segment's own files are assembled (Whoosh packs
        # every file named after the segment into its compound file).
        self._written_sink = sink
        if lengths is not None:
            lengths.close()

    def _assemble_segment(self) -> None:
        super()._assemble_segment()
        sink, self._written_sink = self._written_sink, None
        if sink is not None:
            sink.publish()

    def cancel(self) -> None:
        sink, self._written_sink = self._written_sink, None
        if sink is not None:
            sink.abandon()
        super().cancel()

    def _commit_toc(self, segments: list[Any]) -> None:
        # Whoosh's own, except that the files of spared segments are kept.
        from whoosh.index import TOC, clean_files

        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        kept = list(segments) + [_SegmentName(name) for name in self._spared]
        clean_files(self.storage, self.indexname, self.generation, kept)


class PostingsSink(Protocol):
    """Receives a segment's long posting lists as they are written: the
    list's start in the Whoosh postings file, its document numbers and its
    weights; then ``close`` with the segment's document count, and
    ``publish`` once the segment's files are complete (or ``abandon`` when
    the segment is not written)."""

    def add(self, offset: int, ids: np.ndarray, weights: np.ndarray) -> None: ...

    def close(self, doc_count: int) -> None: ...

    def publish(self) -> None: ...

    def abandon(self) -> None: ...


#: Posting lists of at most this many postings are kept in the term
#: dictionary (Whoosh's "inlined" postings) instead of a block of their own
#: in the postings file. Whoosh 2.7 means to inline single postings but
#: never does (its test is ``len < inlinelimit``, and the call it would make
#: is misspelt), so a word found in one article cost ~100 bytes of block
#: header, pickle and zlib framing; most words of a news archive are that
#: rare. Whoosh's own reader reads inlined lists (``W3Codec.postings_reader``).
#: 4 gave the smallest 15,000-article index (1, 4, 8, 16: 134, 131, 133,
#: 136 MB; docs/benchmarks.md).
INLINE_MAX = 4

#: Pickle protocol of a posting block's data. Whoosh writes protocol 2,
#: which stores each ``bytes`` value (a posting's positions) as a call to
#: ``codecs.encode`` on a latin-1 string: a 12-byte value takes 32 bytes,
#: against 15 in protocol 4 (and bytes above 127 take two). Readers
#: unpickle whatever protocol they find.
BLOCK_PICKLE_PROTOCOL = 4

#: Blocks whose pickle is shorter than this are stored uncompressed (zlib's
#: framing alone is 6 bytes); longer ones keep zlib unless it does not
#: shrink them. Each block says which (Whoosh's reader checks).
_MIN_COMPRESSED_BLOCK = 64


class CompactPositions(formats.Positions):
    """Whoosh's ``Positions`` format (frequency and positions per posting),
    each posting's value written as varints: the count, then the gaps
    between positions. Whoosh writes a 4-byte count and a pickled list of
    gaps: 12 bytes for a word seen once, against 2 here. Everything reads
    positions through the format (``value_as("positions")``), so phrase
    queries and merges work unchanged; indexes written before keep the
    format their schema names.

    >>> f = CompactPositions()
    >>> f.encode([3, 10, 300])
    b'\\x03\\x03\\x07\\xa2\\x02'
    >>> f.decode_positions(f.encode([3, 10, 300])), f.decode_frequency(b'\\x03\\x03\\x07\\xa2\\x02')
    ([3, 10, 300], 3)
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple]:
        boost = self.field_boost
        positions: dict[str, list[int]] = {}
        weights: dict[str, float] = {}
        kwargs["positions"] = True
        kwargs["boosts"] = True
        for t in formats.tokens(value, analyzer, kwargs):
            found = positions.get(t.text)
            if found is None:
                positions[t.text] = [t.pos]
                weights[t.text] = t.boost
            else:
                found.append(t.pos)
                weights[t.text] += t.boost
        encode = self.encode
        for word, found in positions.items():
            yield word, len(found), weights[word] * boost, encode(found)

    def encode(self, poslist: list[int]) -> bytes:
        count = len(poslist)
        if count < 128 and poslist[-1] < 128:      # every gap fits in one byte
            return bytes([count, poslist[0], *[b - a for a, b in zip(poslist, poslist[1:])]])
        out = bytearray()
        _put_varint(out, count)
        previous = 0
        for position in poslist:
            _put_varint(out, position - previous)
            previous = position
        return bytes(out)

    def decode_frequency(self, valuestring: bytes) -> int:
        return _read_varint(valuestring, 0)[0]

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_positions(self, valuestring: bytes) -> list[int]:
        count, at = _read_varint(valuestring, 0)
        positions = []
        position = 0
        for _ in range(count):
            gap, at = _read_varint(valuestring, at)
            position += gap
            positions.append(position)
        return positions

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(position, 1) for position in self.decode_positions(valuestring)]


def _put_varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        byte = data[at]
        at += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, at
        shift += 7


class _CompactTermInfo(_w3.W3TermInfo):
    """Whoosh's term information, its inlined postings pickled with
    :data:`BLOCK_PICKLE_PROTOCOL` (read back by ``W3TermInfo.from_bytes``)."""

    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return super().to_bytes()
        minlength = 0 if self._minlength is None else _length_to_byte(self._minlength)
        minid = 0xffffffff if self._minid is None else self._minid
        maxid = 0xffffffff if self._maxid is None else self._maxid
        head = self._struct.pack(True, self._weight, self._df, minlength,
                                 _length_to_byte(self._maxlength), self._maxweight, minid, maxid)
        return head + pickle.dumps(self._inlined, BLOCK_PICKLE_PROTOCOL)


class _CompactPostingsWriter(_w3.W3PostingsWriter):
    """Whoosh 3's postings writer, writing the same format more compactly:
    short lists inlined into the term dictionary (:data:`INLINE_MAX`, their
    weights left out when all are 1.0), block data pickled with
    :data:`BLOCK_PICKLE_PROTOCOL`, and small blocks left uncompressed.
    Plain Whoosh reads what it writes."""

    def __init__(self, postfile: Any, codec: Any) -> None:
        super().__init__(postfile, blocklimit=codec._blocklimit, compression=codec._compression,
                         inlinelimit=0)

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, _CompactTermInfo())

    def finish_postings(self) -> Any:
        terminfo = self._terminfo
        if not self.written() and 0 < len(self._ids) <= INLINE_MAX:
            terminfo.add_block(self)
            # A format without values (frequencies only) gets ``None`` per
            # posting, as Whoosh's block matcher gives: from an empty list
            # its list matcher would give ``""``, which its own merge refuses.
            # Weights all 1.0 (a word seen once in each article) are stored
            # as ``None``, which Whoosh's list matcher reads as 1.0.
            weights = self._weights
            terminfo._inlined = (tuple(self._ids),
                                 None if all(w == 1.0 for w in weights) else tuple(weights),
                                 tuple(self._values or [None] * len(self._ids)))
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _write_block(self, last: bool = False) -> None:
        # Whoosh's W3PostingsWriter._write_block, with the protocol and the
        # compression choice above.
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(_w3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()),
                            BLOCK_PICKLE_PROTOCOL)
        compression = 0
        if self._compression and len(data) >= _MIN_COMPRESSED_BLOCK:
            packed = zlib.compress(data, self._compression)
            if len(packed) < len(data):
                data, compression = packed, self._compression
        ids = self._ids
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, compression,
                             _length_to_byte(self._minlength), _length_to_byte(self._maxlength)),
                            BLOCK_PICKLE_PROTOCOL)
        length = len(info) + len(data)
        postfile.write_int(-length if last else length)
        postfile.write(info)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()


class _CopyingPostingsWriter(_CompactPostingsWriter):
    """Whoosh's postings writer, also handing each list longer than one
    block to a :class:`PostingsSink`, from the arrays of its blocks (no
    posting is touched one by one)."""

    def __init__(self, postfile: Any, sink: PostingsSink, codec: Any) -> None:
        super().__init__(postfile, codec)
        self._sink = sink
        self._copied: list[tuple[np.ndarray, np.ndarray]] = []

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, terminfo)
        self._copied = []

    def _write_block(self, last: bool = False) -> None:
        self._copied.append((np.frombuffer(self._ids, dtype=np.uint32).copy(),
                             np.frombuffer(self._weights, dtype=np.float32).copy()))
        super()._write_block(last)

    def finish_postings(self) -> Any:
        start = self._startoffset
        terminfo = super().finish_postings()
        copied, self._copied = self._copied, []
        if len(copied) > 1:
            self._sink.add(start, np.concatenate([c[0] for c in copied]),
                           np.concatenate([c[1] for c in copied]))
        return terminfo


#: Postings writers whose short lists :func:`_write_term` may inline itself
#: (a list that is inlined never reaches the copying writer's sink).
_INLINING_WRITERS = (_CompactPostingsWriter, _CopyingPostingsWriter)

#: The fields whose long lists are copied: those ranking reads.
COPIED_FIELD_PREFIXES = ("headline", "body")


def _write_compact_postings(fieldwriter: Any, sink: PostingsSink | None, codec: Any) -> None:
    """Make ``fieldwriter`` write every field's postings through a
    :class:`_CompactPostingsWriter`, and the text fields' through a
    :class:`_CopyingPostingsWriter` feeding ``sink``, if there is one."""
    start_field = fieldwriter.start_field

    def compact_start_field(fieldname: str, fieldobj: Any) -> None:
        start_field(fieldname, fieldobj)
        if sink is not None and fieldname.startswith(COPIED_FIELD_PREFIXES):
            fieldwriter._postwriter = _CopyingPostingsWriter(fieldwriter._postfile, sink, codec)
        else:
            fieldwriter._postwriter = _CompactPostingsWriter(fieldwriter._postfile, codec)

    fieldwriter.start_field = compact_start_field


class _SegmentName:
    """Only a segment's name, which is all Whoosh's ``clean_files`` reads."""

    def __init__(self, name: str) -> None:
        self._name = name

    def segment_id(self) -> str:
        return self._name


def index_segments(ix: FileIndex) -> list[Any]:
    """The segments of an index's latest commit."""
    with quiet():
        return list(ix._segments())


def segment_readers(ix: FileIndex, segments: list[Any]) -> list[Any]:
    """Readers of some of an index's segments (for :func:`merge_segments`)."""
    from whoosh.reading import SegmentReader

    return [SegmentReader(ix.storage, ix.schema, segment) for segment in segments]


def merge_segments(writer: SegmentWriter, readers: list[Any]) -> None:
    """Copy the live documents of segment ``readers`` into ``writer``'s new
    segment: what ``writer.add_reader(r)`` does for each of them, with the
    same result on disk, but a term at a time instead of a posting at a
    time.

    Whoosh's merge feeds every posting of every merged segment through its
    sorting pool and writes them back one call each, which cost more than
    indexing the articles again. Here each term's postings are read block
    by block from each segment, renumbered, and written out in blocks. The
    writer must be a fresh :func:`unlocked_writer` that is given no other
    documents."""
    if not isinstance(writer, _SegmentWriter) or writer.docnum:
        raise ValueError("merge_segments needs a fresh arsearch segment writer")
    names = set(writer.schema.names())
    fieldnames = names | {f for r in readers for f in r.indexed_field_names() if f in names}
    writer._check_state()
    merged = []
    for reader in readers:
        base = writer.docnum
        docmap = writer.write_per_doc(fieldnames, reader)
        merged.append((reader, base, docmap))
    writer._merged = merged
    writer._added = True


def _write_buffered_postings(writer: _SegmentWriter, lengths: _LengthTable | None) -> None:
    """Write a new segment's postings from its :class:`_PostingBuffer`, a
    term at a time."""
    schema = writer.schema
    fw = writer.fieldwriter
    current = None
    for fieldname, btext, flat in writer.buffer.terms():
        if fieldname != current:
            if current is not None:
                fw.finish_field()
            fw.start_field(fieldname, schema[fieldname])
            current = fieldname
        _write_term(fw, fieldname, btext, flat[0::3], flat[1::3], flat[2::3], lengths)
    if current is not None:
        fw.finish_field()


def _write_merged_postings(writer: _SegmentWriter,
                           merged: list[tuple[Any, int, dict[int, int] | None]],
                           lengths: _LengthTable | None) -> None:
    schema = writer.schema
    fw = writer.fieldwriter
    fields = sorted({f for reader, _, _ in merged for f in reader._terms.indexed_field_names()
                     if f in schema})
    for fieldname in fields:
        fieldobj = schema[fieldname]
        streams = [_field_terms(reader._terms, fieldname, k)
                   for k, (reader, _, _) in enumerate(merged)]
        fw.start_field(fieldname, fieldobj)
        merged_terms = heapq.merge(*streams, key=lambda item: (item[0], item[2]))
        for btext, group in itertools.groupby(merged_terms, key=lambda item: item[0]):
            ids: list[int] = []
            weights: list[float] = []
            values: list[bytes] = []
            for _, info, k in group:
                reader, base, docmap = merged[k]
                t_ids, t_weights, t_values = _all_postings(reader._terms._postfile, info,
                                                           fieldobj.format)
                if docmap is None:
                    ids.extend(map(base.__add__, t_ids) if base else t_ids)
                    weights.extend(t_weights)
                    values.extend(t_values)
                else:
                    for d, w, v in zip(t_ids, t_weights, t_values):
                        new = docmap.get(d)
                        if new is not None:     # deleted documents are left out
                            ids.append(new)
                            weights.append(w)
                            values.append(v)
            if not ids:
                continue
            _write_term(fw, fieldname, btext, ids, weights, values, lengths)
        fw.finish_field()


#: Bytes of a term dictionary read at once while merging.
_TERMS_CHUNK = 1 << 20
_INT = struct.Struct("!i")
_KEY_LENGTHS = struct.Struct("!ii")


def _field_terms(terms: Any, fieldname: str, k: int) -> Iterator[tuple[bytes, Any, int]]:
    """A segment's terms of one field in order, ``(term, term info,
    segment)``, read straight through the term dictionary a megabyte at a
    time (looking up each term by hash cost several small reads a term)."""
    fieldnum = terms._fieldmap.get(fieldname)
    if fieldnum is None:
        return
    table = terms._tindex
    prefix = struct.pack("!H", fieldnum)
    position = table.closest_key_pos(prefix)
    if position is None:
        return
    end = table.endofdata
    dbfile = table.dbfile
    buf, buf_start = b"", position
    decode = _w3.W3TermInfo.from_bytes
    while position < end:
        offset = position - buf_start
        if offset + _KEY_LENGTHS.size > len(buf):
            buf_start = position
            buf = dbfile.get(position, min(_TERMS_CHUNK, end - position))
            offset = 0
        keylen, datalen = _KEY_LENGTHS.unpack_from(buf, offset)
        need = _KEY_LENGTHS.size + keylen + datalen
        if offset + need > len(buf):
            buf_start = position
            buf = dbfile.get(position, max(min(_TERMS_CHUNK, end - position), need))
            offset = 0
        key = buf[offset + _KEY_LENGTHS.size:offset + _KEY_LENGTHS.size + keylen]
        if key[:2] != prefix:
            return
        value = buf[offset + _KEY_LENGTHS.size + keylen:offset + need]
        yield key[2:], decode(value), k
        position += need


def _all_postings(postfile: Any, info: Any,
                  fmt: Any) -> tuple[list[int], list[float], list[bytes]]:
    """A term's postings in one segment, deleted documents included, with
    each posting's value (positions)."""
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return (list(ids), [1.0] * len(ids) if weights is None else list(weights),
                list(values) or [b""] * len(ids))
    ids_out: list[int] = []
    weights_out: list[float] = []
    values_out: list[bytes] = []
    fixed = fmt.fixed_value_size()
    for count, _, (deltas, weights, raw) in _term_blocks(postfile, info):
        ids_out.extend(itertools.accumulate(deltas))
        if weights is None:
            weights_out.extend([1.0] * count)
        elif isinstance(weights, float):
            weights_out.extend([weights] * count)
        else:
            weights_out.extend(weights)
        if fixed is None or fixed < 0:
            values_out.extend(raw)
        elif fixed == 0:
            values_out.extend([b""] * count)
        else:
            values_out.extend(raw[i:i + fixed] for i in range(0, len(raw), fixed))
    return ids_out, weights_out, values_out


#: Whether a short list is inlined straight into the term dictionary
#: (:func:`_write_term`); off, it goes through the postings writer, which
#: writes the same bytes (the tests compare the two).
_DIRECT_INLINE = True
_FIELD_NUMBER = struct.Struct("!H")


def _write_term(fw: Any, fieldname: str, btext: bytes, ids: list[int], weights: list[float],
                values: list[Any], lengths: _LengthTable | None) -> None:
    """Write one term's postings (in document order) with a W3 field writer
    that has started ``fieldname``.

    Most terms of a segment have at most :data:`INLINE_MAX` postings, and
    go into the term dictionary whole. For them the term information is
    made here directly, as the compact postings writer's block, ``add_block``
    and ``finish_postings`` would make it (weights rounded to the block's
    32-bit floats). Writing the segments of 6,000 news articles took
    5.0–5.3 s through that machinery, 4.2–4.4 s with this."""
    pw = fw._postwriter
    if not (_DIRECT_INLINE and len(ids) <= INLINE_MAX and type(pw) in _INLINING_WRITERS):
        fw.start_term(btext)
        _write_term_blocks(pw, fieldname, ids, weights, values, lengths)
        fw.finish_term()
        return
    table = lengths.field(fieldname) if lengths is not None else []
    found = [n for n in map(table.__getitem__, ids) if n] if table else []
    stored = array("f", weights)
    info = _CompactTermInfo()
    info._weight = sum(stored)
    info._df = len(ids)
    info._minlength = min(found) if found else None
    info._maxlength = max(found) if found else 0
    info._maxweight = max(0, max(weights))
    info._minid = ids[0]
    info._maxid = ids[-1]
    kept = [v for v in values if v]
    info._inlined = (tuple(ids), None if all(w == 1.0 for w in stored) else tuple(stored),
                     tuple(kept or [None] * len(ids)))
    fw._tindex.add(_FIELD_NUMBER.pack(fw._fieldid) + btext, info.to_bytes())


def _write_term_blocks(pw: Any, fieldname: str, ids: list[int], weights: list[float],
                       values: list[bytes], lengths: _LengthTable | None) -> None:
    """Fill a W3 postings writer a block at a time, as ``add_posting`` would
    one posting at a time; the last block is left for ``finish_term``."""
    limit = pw._blocklimit
    # The block's shortest and longest field lengths, looked up in C
    # (map over the list), not with a call per posting.
    table = lengths.field(fieldname) if lengths is not None else []
    length_of = table.__getitem__ if table else None
    for start in range(0, len(ids), limit):
        if pw._ids:
            pw._write_block()
        chunk = ids[start:start + limit]
        chunk_weights = weights[start:start + limit]
        pw._ids = array("I", chunk)
        pw._weights = array("f", chunk_weights)
        pw._values = [v for v in values[start:start + limit] if v]
        pw._maxweight = max(chunk_weights)
        found = [n for n in map(length_of, chunk) if n] if length_of is not None else []
        pw._minlength = min(found) if found else None
        pw._maxlength = max(found) if found else 0


def unlocked_writer(ix: FileIndex, *, spare: Iterable[str] = (),
                    postings: Callable[[str], PostingsSink] | None = None,
                    **kwargs: Any) -> SegmentWriter:
    """A writer that does not take the index's write lock: for a caller that
    holds it already (arsearch takes the lock itself, so that it is released
    whatever fails), or for a worker of a parallel load whose parent holds it.
    Its commit keeps the files of the segments named in ``spare`` (merges
    still being written), which Whoosh would delete as unreferenced.
    ``postings`` makes the sink of each new segment's long posting lists
    (:class:`PostingsSink`)."""
    writer = _SegmentWriter(ix, _lk=False, **kwargs)
    writer._spared = frozenset(spare)
    writer._postings_sink = postings
    return writer


def new_segment_name(writer: SegmentWriter) -> str:
    """The name of the segment a writer is writing (its files are named
    after it from the moment the writer is made)."""
    return writer.newsegment.segment_id()


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
    return _fixed_column_bytes_of(perdoc, column_name, column, doc_count, width, default)


def _fixed_column_bytes_of(perdoc: Any, column_name: str, column: Any, doc_count: int,
                           width: int, default: bytes) -> bytes:
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


def term_postings(leaf: Any, fieldname: str, text: str,
                  copy: Any = None) -> tuple[np.ndarray, np.ndarray] | None:
    """All postings of a term in one segment, deleted documents included:
    ``(docnums, frequencies)`` as int64 and float64 arrays, or ``None`` when
    the segment lacks the term.

    Segments never change, so the arrays can be cached for as long as the
    segment lives; deletions are applied by the caller. Whoosh's matchers
    yield one posting per Python call; here each block of up to 128 postings
    is unpickled and turned into arrays at once. ``copy`` (a
    :class:`~arsearch.index.postingfile.PostingsFile` of the segment, or
    ``None``) holds long lists as plain arrays, read without unpickling."""
    terms = getattr(leaf, "_terms", None)
    if terms is None or fieldname not in leaf.schema:     # an empty index's reader
        return None
    tbytes = leaf._text_to_bytes(fieldname, text)
    try:
        info = terms.term_info(fieldname, tbytes)   # one look-up, not `in` and then another
    except TermNotFound:
        return None
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        if weights is None:                      # all 1.0 (_CompactPostingsWriter)
            return np.array(ids, dtype=np.int64), np.ones(len(ids), dtype=np.float64)
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    if copy is not None:
        found = copy.get(_list_offset(info), info.doc_frequency())
        if found is not None:
            return found
    if type(terms) is not _w3.W3TermsReader:
        return _postings_one_by_one(terms.matcher(fieldname, tbytes,
                                                  leaf.schema[fieldname].format))
    blocks = _term_blocks(terms._postfile, info)
    deltas: list[int] = []
    weights: list[float] = []
    block_starts: list[int] = []
    block_ends: list[int] = []
    for count, max_id, (ids, block_weights, _) in blocks:
        block_starts.append(len(deltas))
        block_ends.append(max_id)
        deltas.extend(ids)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
    docnums = np.array(deltas, dtype=np.int64)
    # Each block's ids are deltas from 0, so its first one is absolute: make
    # it a delta from the previous block's last id and sum once.
    if len(block_starts) > 1:
        docnums[block_starts[1:]] -= np.array(block_ends[:-1], dtype=np.int64)
    return np.cumsum(docnums), np.array(weights, dtype=np.float64)


def _list_offset(info: Any) -> int:
    """Where a term's posting list starts in its segment's postings file."""
    offset = info.extent()[0]
    return offset[0] if isinstance(offset, tuple) else offset


def long_postings(leaf: Any, fieldnames: Iterable[str], min_count: int
                  ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """The posting lists of at least ``min_count`` postings in some fields
    of one segment, as ``(list offset, docnums, frequencies)``: what a
    segment's postings file holds (see
    :mod:`arsearch.index.postingfile`), read back from Whoosh alone."""
    terms = getattr(leaf, "_terms", None)
    if terms is None:
        return
    for fieldname, tbytes in term_dictionary(leaf, fieldnames):
        info = terms.term_info(fieldname, tbytes)
        if info.is_inlined() or info.doc_frequency() < min_count:
            continue
        found = term_postings(leaf, fieldname, tbytes.decode("utf-8"))
        if found is not None:
            yield _list_offset(info), found[0], found[1]


def _term_blocks(postfile: Any, info: Any) -> Iterator[tuple[int, int, tuple[Any, Any, Any]]]:
    """The blocks of a term's posting list, ``(count, last id, (id deltas,
    weights, values))`` each, read with one read of the whole list and
    parsed in memory, as W3LeafMatcher reads a block: a signed length (the
    last block's is negative), a pickled info tuple, then the pickled (and
    maybe zlib-compressed) data tuple."""
    offset, length = info.extent()
    if isinstance(length, tuple):   # W3TermInfo.from_bytes keeps struct.unpack's 1-tuple
        length = length[0]
    buf = io.BytesIO(postfile.get(offset, length))
    if buf.read(4) != _w3.WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"damaged posting list at offset {offset}")
    while True:
        start = buf.tell()
        block_length = _INT.unpack(buf.read(_INT.size))[0]
        last = block_length < 0
        end = start + _INT.size + abs(block_length)
        count, max_id, _, compression = pickle.load(buf)[:4]
        raw = buf.read(end - buf.tell())
        if compression:
            raw = zlib.decompress(raw)
        yield count, max_id, loads(raw)
        if last:
            return


def term_dictionary(leaf: Any, fieldnames: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """The terms of ``fieldnames`` in one segment's term dictionary, as
    ``(field, term bytes)``, read straight from the dictionary's keys (a
    quarter of a second for 300,000 terms; a field cursor is twice as slow).
    Nothing for a reader without a Whoosh 3 dictionary (an empty index)."""
    terms = getattr(leaf, "_terms", None)
    if type(terms) is not _w3.W3TermsReader:
        return
    wanted = set(fieldnames)
    prefixes = {struct.pack(">H", num): name for name, num in terms._fieldmap.items()
                if name in wanted}
    with quiet():
        for key in terms._tindex.keys():
            name = prefixes.get(key[:2])
            if name is not None:
                yield name, key[2:]


def _postings_one_by_one(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


__all__ = [
    "Analyzer", "CompactPositions", "CompositeAnalyzer", "EmptyIndexError", "FileIndex",
    "FileStorage", "Filter", "LockError", "PostingsSink", "RamStorage", "RegexTokenizer",
    "SegmentWriter",
    "StandardAnalyzer", "Token", "Tokenizer", "WHOOSH_VERSION", "WhooshIndexError", "fields",
    "deleted_docnums", "field_lengths", "finish_segment", "index_exists_in", "long_to_datetime",
    "index_segments", "long_postings", "merge_segments", "numeric_column", "segment_readers",
    "query", "quiet", "scoring", "segment_id", "sorting", "term_dictionary", "term_postings",
    "unlocked_writer",
]
