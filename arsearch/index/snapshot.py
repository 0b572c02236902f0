"""An immutable view of one commit of the index, shared by threads.

A :class:`Snapshot` wraps a Whoosh searcher, the arrays read from its
segments, and a lock. It is the only code in arsearch that touches Whoosh
readers, matchers, stored fields and columns: ranking, filtering, spelling
and the :class:`~arsearch.Index` facade see it through the small typed
methods below (see :class:`TermSource` for what ranking needs).

Why a lock: Whoosh readers share one file object (and its position) per
segment file, so two threads reading postings of one reader at once would
interleave their seeks. Every read from Whoosh happens under the snapshot's
lock; scoring works on arrays, outside it.

Why reference counts: a commit publishes a new snapshot, but searches
already running keep the one they started with. The old snapshot closes
its files when its last user releases it, never under a running search.

What is cached, and where: a segment never changes once written, so the
arrays read from it (postings, field lengths, dates) are kept in a
:class:`SegmentCache` shared by every snapshot that contains the segment,
bounded in bytes and safe to use from many threads. Only deletions change
between commits; each snapshot has its own live-document masks.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from ..analysis.pipeline import EXACT_MARK
from .._whoosh import (deleted_docnums, field_lengths, long_to_datetime, numeric_column,
                       query, quiet, segment_id, term_postings)
from .postingfile import PostingsFile, postings_path
from .schema import exact_fields
from .termfilter import TermFilter, filter_path, term_checksums

#: Default memory bound of the arrays cached from segments (postings,
#: lengths, dates), in bytes.
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

#: Document frequencies a snapshot remembers (the spelling corrector asks
#: for those of a mistyped word's hundreds of one-edit neighbours, and the
#: same words come back query after query); past this many it starts over.
DOC_FREQUENCY_ENTRIES = 200_000

#: The value Whoosh's sortable date column holds for an article without a date.
NO_DATE = 2**64 - 1

#: What :meth:`SegmentCache.get_many` gives for a key it does not hold.
MISSING = object()

T = TypeVar("T")


class SegmentCache:
    """Arrays read from segments, keyed by segment and kept while they fit.

    A least-recently-used map with a bound on the bytes of the arrays it
    holds. Shared by every snapshot of one index (a segment keeps its name
    until it is merged away), and safe to use from many threads.

    >>> cache = SegmentCache(max_bytes=1500)
    >>> cache.get_or_load(("seg", "x"), lambda: np.zeros(100))[:3]   # 800 bytes of data
    array([0., 0., 0.])
    >>> _ = cache.get_or_load(("seg", "y"), lambda: np.zeros(100))  # evicts x
    >>> len(cache), ("seg", "x") in cache, ("seg", "y") in cache
    (1, False, True)
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
            raise ValueError(f"max_bytes must be an integer >= 0, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held_bytes(self) -> int:
        return self._held

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def get_many(self, keys: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The cached values of ``keys``, :data:`MISSING` for those not cached."""
        out = []
        with self._lock:
            items = self._items
            for key in keys:
                hit = items.get(key)
                if hit is None:
                    out.append(MISSING)
                else:
                    items.move_to_end(key)
                    out.append(hit[0])
        return out

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep ``value`` if it fits, evicting the least recently used."""
        size = _nbytes(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._held -= old[1]
            if size <= self.max_bytes:
                self._items[key] = (value, size)
                self._held += size
                while self._held > self.max_bytes:
                    _, (_, freed) = self._items.popitem(last=False)
                    self._held -= freed

    def get_or_load(self, key: tuple[Any, ...], load: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``load()``'s, which is kept if it
        fits. Two threads missing the same key may both load it: loading is
        pure, and the second result simply replaces the first."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
        value = load()
        self.put(key, value)
        return value

    def retain(self, segment_ids: Iterable[str]) -> None:
        """Forget every segment not in ``segment_ids`` (merged away)."""
        live = set(segment_ids)
        with self._lock:
            for key in [k for k in self._items if k[0] not in live]:
                self._held -= self._items.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._held = 0


def _nbytes(value: Any) -> int:
    if value is None:
        return 64
    if isinstance(value, (TermFilter, PostingsFile)):
        return value.nbytes + 256
    if isinstance(value, np.ndarray):
        return value.nbytes + 112
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value) + 56
    return 64


@dataclass(frozen=True)
class Postings:
    """A term's postings in one field across a snapshot's live documents:
    global document numbers (ascending), term frequencies, and each
    document's length of the field."""

    docnums: np.ndarray
    frequencies: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.docnums)


class TermSource(Protocol):
    """What :class:`~arsearch.index.ranking.Ranker` reads from an index."""

    doc_count: int
    doc_count_all: int

    def field_length(self, fieldname: str) -> int: ...

    def doc_frequency(self, fieldname: str, text: str) -> int: ...

    def postings(self, fieldname: str, text: str) -> Postings | None: ...

    def positions(self, fieldname: str, text: str,
                  docnums: Sequence[int]) -> dict[int, frozenset[int]]: ...

    def article_ids(self, docnums: Sequence[int]) -> list[str]: ...


@dataclass(frozen=True)
class _Segment:
    """A segment as one snapshot sees it."""

    id: str
    base: int
    size: int
    leaf: Any
    #: Live documents (``None`` when the segment has no deletions).
    live: np.ndarray | None


class Snapshot:
    """One commit of an index, readable by many threads at once.

    Use it through :meth:`acquire`/:meth:`release` (``with snapshot.use():``);
    :meth:`retire` marks it superseded, and its files are closed when the
    last user releases it.
    """

    def __init__(self, searcher: Any, cache: SegmentCache, folder: Path | None = None) -> None:
        self._searcher = searcher
        self._cache = cache
        #: Where the segments' term filters are (``None``: in memory, none).
        self._folder = folder
        self._without_side_file: set[tuple[str, str]] = set()
        self._lock = threading.RLock()
        self._refs = 0
        self._retired = False
        self._closed = False
        segments = []
        with quiet():
            for leaf, base in searcher.reader().leaf_readers():
                deleted = deleted_docnums(leaf)
                size = leaf.doc_count_all()
                live = None
                if len(deleted):
                    live = np.ones(size, dtype=bool)
                    live[deleted] = False
                segments.append(_Segment(segment_id(leaf), base, size, leaf, live))
            self.doc_count: int = searcher.doc_count()
            self.doc_count_all: int = searcher.doc_count_all()
        self._field_lengths: dict[str, int] = {}
        self._segments: tuple[_Segment, ...] = tuple(segments)
        self._bases = [seg.base for seg in segments]
        self._id_columns: dict[str, Any] = {}
        self._exact_fields = exact_fields(searcher.schema)
        self._lexicons: dict[str, tuple[str, ...]] = {}
        self._doc_frequencies: dict[tuple[str, str], int] = {}
        cache.retain(s.id for s in segments)

    @classmethod
    def open(cls, whoosh_index: Any, cache: SegmentCache,
             folder: Path | None = None) -> Snapshot:
        """A snapshot of the latest commit of a Whoosh index (stored in
        ``folder``, whose term filters it reads; ``None`` for one in memory)."""
        with quiet():
            searcher = whoosh_index.searcher()
        try:
            return cls(searcher, cache, folder)
        except BaseException:
            with quiet():
                searcher.close()
            raise

    # Life cycle ----------------------------------------------------------

    def acquire(self) -> Snapshot:
        with self._lock:
            if self._closed:
                raise RuntimeError("snapshot already closed")
            self._refs += 1
        return self

    def release(self) -> None:
        with self._lock:
            self._refs -= 1
            if self._refs == 0 and self._retired:
                self._close()

    def retire(self) -> None:
        """A newer snapshot replaces this one: close once nobody uses it."""
        with self._lock:
            self._retired = True
            if self._refs == 0:
                self._close()

    @property
    def closed(self) -> bool:
        return self._closed

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                with quiet():
                    self._searcher.close()
            except Exception:  # noqa: BLE001 - closing files of a finished snapshot
                pass

    def up_to_date(self) -> bool:
        """Whether this is still the index's latest commit on disk."""
        with self._lock, quiet():
            return bool(self._searcher.up_to_date())

    # What ranking reads (TermSource) --------------------------------------

    @property
    def segment_count(self) -> int:
        return len(self._segments)

    def field_length(self, fieldname: str) -> int:
        """Total length of ``fieldname`` over the live documents, each
        length as the index stores it (one byte: exact up to 10 words, then
        within a few percent).

        Whoosh's own total counts deleted documents until their segment is
        merged, and a merge adds up the stored (rounded) lengths, so it
        drifted with the history of commits; this sum depends only on the
        articles in the index, which is what lets shards add up exactly."""
        total = self._field_lengths.get(fieldname)
        if total is None:
            total = 0
            for seg in self._segments:
                lengths = self._lengths(seg, fieldname)
                total += int(lengths.sum() if seg.live is None else lengths[seg.live].sum())
            self._field_lengths[fieldname] = total
        return total

    def _lengths(self, seg: _Segment, fieldname: str) -> np.ndarray:
        def load() -> np.ndarray:
            with self._lock:
                return field_lengths(seg.leaf, fieldname).astype(np.float32)
        return self._cache.get_or_load((seg.id, "length", fieldname), load)

    def _load_postings(self, seg: _Segment, fieldname: str, text: str
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """A term's postings in one segment, deleted documents included:
        segment-local document numbers, frequencies and field lengths.
        Compact types (frequencies and lengths are small whole numbers, exact
        in float32) so that twice as many fit in the cache. An exact form
        (``=word``) is read from its own field where the index has one, with
        the lengths of the text field it belongs to."""
        indexed = self._indexed_field(fieldname, text)
        copy = self._postings_file(seg)
        with self._lock:
            found = term_postings(seg.leaf, indexed, text, copy)
        if found is None:
            return None
        ids, tfs = found
        return (ids.astype(np.int32), tfs.astype(np.float32),
                self._lengths(seg, fieldname)[ids])

    def _segment_postings(self, seg: _Segment, fieldname: str, text: str
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        return self._cache.get_or_load((seg.id, "postings", fieldname, text),
                                       lambda: self._load_postings(seg, fieldname, text))

    def postings(self, fieldname: str, text: str) -> Postings | None:
        """The live postings of a term in one field, or ``None``."""
        segments = self._segments
        cached = self._cache.get_many([(seg.id, "postings", fieldname, text)
                                       for seg in segments])
        parts = []
        for seg, found in zip(segments, cached):
            if found is MISSING:
                found = self._segment_postings(seg, fieldname, text)
            if found is None:
                continue
            ids, tfs, lengths = found
            if seg.live is not None:
                keep = seg.live[ids]
                ids, tfs, lengths = ids[keep], tfs[keep], lengths[keep]
                if not len(ids):
                    continue
            parts.append((ids + seg.base, tfs, lengths))
        if not parts:
            return None
        if len(parts) == 1:
            ids, tfs, lengths = parts[0]
        else:
            ids, tfs, lengths = (np.concatenate(column) for column in zip(*parts))
        return Postings(ids.astype(np.int64), tfs.astype(np.float64),
                        lengths.astype(np.float64))

    def positions(self, fieldname: str, text: str,
                  docnums: Sequence[int]) -> dict[int, frozenset[int]]:
        """Where a term occurs in each of ``docnums`` that contains it."""
        found: dict[int, frozenset[int]] = {}
        with self._lock, quiet():
            for seg in self._segments:
                if (fieldname, text) not in seg.leaf:
                    continue
                local = sorted(d - seg.base for d in docnums if 0 <= d - seg.base < seg.size)
                if not local:
                    continue
                matcher = seg.leaf.postings(fieldname, text)
                for docnum in local:
                    if not matcher.is_active():
                        break
                    if matcher.id() < docnum:
                        matcher.skip_to(docnum)
                        if not matcher.is_active():
                            break
                    if matcher.id() == docnum:
                        found[seg.base + docnum] = frozenset(matcher.value_as("positions"))
        return found

    def article_ids(self, docnums: Sequence[int]) -> list[str]:
        """The article ids of documents, in the order given: from the id
        column (indexes written since 0.2), else from the stored fields."""
        out = []
        with self._lock:
            for d in docnums:
                d = int(d)
                seg = self._segment_of(d)
                if seg.id not in self._id_columns:
                    self._id_columns[seg.id] = (seg.leaf.column_reader("id")
                                                if seg.leaf.has_column("id") else None)
                column = self._id_columns[seg.id]
                out.append(column[d - seg.base] if column is not None
                           else seg.leaf.stored_fields(d - seg.base)["id"])
        return out

    def _segment_of(self, docnum: int) -> _Segment:
        return self._segments[bisect.bisect_right(self._bases, docnum) - 1]

    # Terms, as the spelling corrector and more_like() read them ----------

    def doc_frequency(self, fieldname: str, text: str, *, read_postings: bool = False) -> int:
        """How many live documents hold a term in one field. Read from the
        term's entry in each segment's dictionary, except in segments with
        deletions, whose postings are read to skip deleted documents. With
        ``read_postings``, counted from the term's postings, read (and
        cached) in every segment: for the words of a query, whose postings
        the search reads next anyway, that is one look-up per segment
        instead of two."""
        key = (fieldname, text)
        total = self._doc_frequencies.get(key)
        if total is not None:
            return total
        total = 0
        indexed = self._indexed_field(fieldname, text)
        for seg in self._segments:
            if seg.live is None and not read_postings:
                if indexed in seg.leaf.schema:
                    with self._lock:    # one look-up; a missing term counts 0
                        total += seg.leaf.doc_frequency(indexed, text)
            else:
                found = self._segment_postings(seg, fieldname, text)
                if found is not None:
                    total += len(found[0]) if seg.live is None else \
                        int(np.count_nonzero(seg.live[found[0]]))
        if len(self._doc_frequencies) >= DOC_FREQUENCY_ENTRIES:
            self._doc_frequencies.clear()
        self._doc_frequencies[key] = total
        return total

    def doc_frequencies(self, pairs: Sequence[tuple[str, str]]) -> list[int]:
        """:meth:`doc_frequency` of many ``(field, term)`` pairs, those the
        term filters rule out counted 0 without a look-up."""
        counts = [0] * len(pairs)
        by_field: dict[str, list[int]] = {}
        for i, (fieldname, _) in enumerate(pairs):
            by_field.setdefault(fieldname, []).append(i)
        for fieldname, at in by_field.items():
            held = self.may_hold(fieldname, [pairs[i][1] for i in at])
            for i, h in zip(at, held):
                if h:
                    counts[i] = self.doc_frequency(fieldname, pairs[i][1])
        return counts

    def may_hold(self, fieldname: str, texts: Sequence[str]) -> np.ndarray:
        """For each term, whether some segment may hold it in ``fieldname``
        (``False``: no article does), from the segments' term filters
        (:mod:`~arsearch.index.termfilter`) without a look-up; a segment
        without a filter may hold anything."""
        held = np.zeros(len(texts), dtype=bool)
        if not len(texts):
            return held
        checksums: np.ndarray | None = None
        for seg in self._segments:
            found = self._term_filter(seg)
            if found is None:
                held[:] = True
                break
            if checksums is None:
                checksums = term_checksums(texts)
            for indexed, at in self._indexed_fields(fieldname, texts):
                held[at] |= found.may_hold(indexed, checksums[at])
            if held.all():
                break
        return held

    def _indexed_field(self, fieldname: str, text: str) -> str:
        """The field holding ``text`` of ``fieldname``: exact forms may be
        in a field of their own."""
        if text.startswith(EXACT_MARK):
            return self._exact_fields.get(fieldname, fieldname)
        return fieldname

    def _indexed_fields(self, fieldname: str, texts: Sequence[str]
                        ) -> list[tuple[str, np.ndarray]]:
        """:meth:`_indexed_field` of many texts: each field with the
        positions of its texts."""
        names = [self._indexed_field(fieldname, t) for t in texts]
        return [(name, np.flatnonzero(np.array([n == name for n in names], dtype=bool)))
                for name in dict.fromkeys(names)]

    def _term_filter(self, seg: _Segment) -> TermFilter | None:
        # A missing filter is written by the next commit, and read by the
        # next snapshot.
        return self._side_file(seg, "term-filter", lambda folder: TermFilter.load(
            filter_path(folder, seg.id), seg.size))

    def _postings_file(self, seg: _Segment) -> PostingsFile | None:
        """The segment's long lists as plain arrays (see
        :mod:`arsearch.index.postingfile`), or ``None``: read from Whoosh."""
        return self._side_file(seg, "postings-file", lambda folder: PostingsFile.open(
            postings_path(folder, seg.id), seg.size))

    def _side_file(self, seg: _Segment, kind: str, load: Callable[[Path], T | None]) -> T | None:
        """A file written beside a segment, loaded once and cached with the
        segment's arrays; ``None`` for an index in memory, or when the file
        is missing or damaged (then not tried again by this snapshot)."""
        if self._folder is None or (seg.id, kind) in self._without_side_file:
            return None
        key = (seg.id, kind)
        found = self._cache.get_many([key])[0]
        if found is MISSING:
            found = load(self._folder)
            if found is None:
                self._without_side_file.add(key)
            else:
                self._cache.put(key, found)
        return found

    def documents_with(self, fieldname: str, text: str) -> np.ndarray:
        """The live documents holding a term in one field."""
        found = self.postings(fieldname, text)
        return found.docnums if found is not None else np.empty(0, dtype=np.int64)

    def values_containing(self, fieldname: str, words: str) -> list[str]:
        """The indexed values of a whole-value field (source, tags) that a
        filter for ``words`` (normalized) selects: the value itself when some
        article has it, otherwise every value containing ``words`` as whole
        words, so a tag saved as the line "زلزال المغرب الحوز" matches the
        filter "زلزال المغرب"."""
        lexicon = self._lexicons.get(fieldname)
        if lexicon is None:
            with self._lock, quiet():
                reader = self._searcher.reader()
                lexicon = tuple(t.decode("utf-8") if isinstance(t, bytes) else t
                                for t in reader.lexicon(fieldname))
            self._lexicons[fieldname] = lexicon
        if words in lexicon:
            # A value that is a whole tag means that tag, as facets count it.
            return [words]
        needle = f" {words} "
        return [t for t in lexicon if needle in f" {t} "]

    def value_counts(self, fieldname: str) -> dict[str, tuple[int, str]]:
        """For each indexed value of a whole-value field (a normalized
        source), how many live articles have it, and its spelling in one of
        them: read from the term dictionary and one stored article a value,
        never from every article."""
        out: dict[str, tuple[int, str]] = {}
        for value in self.field_values(fieldname):
            docs = self.documents_with(fieldname, value)
            out[value] = (len(docs), self.stored(int(docs[0])).get(fieldname) or value)
        return out

    def field_values(self, fieldname: str) -> list[str]:
        """The indexed terms of a field (a source or tag field: its
        normalized values) that some live document holds."""
        with self._lock, quiet():
            reader = self._searcher.reader()
            terms = [t.decode("utf-8") if isinstance(t, bytes) else t
                     for t in reader.lexicon(fieldname)]
        return [t for t in terms if len(self.documents_with(fieldname, t))]

    # Documents -------------------------------------------------------------

    def stored(self, docnum: int) -> dict[str, Any]:
        with self._lock:
            return self._searcher.stored_fields(int(docnum))

    def docnum_of(self, article_id: str) -> int | None:
        with self._lock:
            return self._searcher.document_number(id=article_id)

    def stored_by_id(self, article_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._searcher.document(id=article_id)

    def iter_stored(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every live document's stored fields, in index order (read in
        chunks, so other threads are not held up for long)."""
        for seg in self._segments:
            for start in range(0, seg.size, 256):
                with self._lock, quiet():
                    chunk = [(seg.base + d, seg.leaf.stored_fields(d))
                             for d in range(start, min(start + 256, seg.size))
                             if seg.live is None or seg.live[d]]
                yield from chunk

    def live_docnums(self) -> np.ndarray:
        """Every live document, ascending."""
        parts = [np.arange(seg.base, seg.base + seg.size, dtype=np.int64)
                 if seg.live is None else np.flatnonzero(seg.live) + seg.base
                 for seg in self._segments]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def dates(self) -> np.ndarray:
        """Every document's date as Whoosh's sortable integer (ticks), with
        :data:`NO_DATE` where an article has none."""
        parts = []
        for seg in self._segments:
            def load(seg: _Segment = seg) -> np.ndarray:
                with self._lock, quiet():
                    return numeric_column(seg.leaf, "date", NO_DATE)
            parts.append(self._cache.get_or_load((seg.id, "column", "date"), load))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)

    def date_range(self) -> tuple[datetime | None, datetime | None]:
        """The oldest and newest dates of live articles, from the date column."""
        live = self.live_docnums()
        values = self.dates()[live]
        values = values[values != NO_DATE]
        if not len(values):
            return None, None
        oldest, newest = int(values.min()), int(values.max())
        return long_to_datetime(oldest), long_to_datetime(newest)

    # Filters ---------------------------------------------------------------

    def matching(self, constraints: Sequence[Any], *, any_of: bool = False) -> np.ndarray:
        """Live documents matching every (or, with ``any_of``, any) Whoosh
        query of ``constraints``, ascending."""
        if not constraints:
            return np.empty(0, dtype=np.int64)
        if len(constraints) == 1:
            q = constraints[0]
        else:
            q = query.Or(list(constraints)) if any_of else query.And(list(constraints))
        with self._lock, quiet():
            found = sorted(self._searcher.docs_for_query(q))
        return np.array(found, dtype=np.int64)


def term_query(fieldname: str, value: str) -> Any:
    """A Whoosh query for one indexed term, for :meth:`Snapshot.matching`."""
    return query.Term(fieldname, value)


def any_term_query(fieldname: str, values: Iterable[str]) -> Any:
    return query.Or([query.Term(fieldname, v) for v in values])


def phrase_query(terms: Sequence[str], fields: Sequence[str]) -> Any:
    return query.Or([query.Phrase(f, list(terms)) for f in fields])


def date_range_query(since: datetime | None, until: datetime | None) -> Any:
    return query.DateRange("date", since, until)


__all__ = ["DEFAULT_CACHE_BYTES", "NO_DATE", "Postings", "SegmentCache", "Snapshot",
           "TermSource", "any_term_query", "date_range_query", "phrase_query", "term_query"]
