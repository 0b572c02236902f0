"""Which segments to merge, and merges written while a load goes on.

Every commit of a bulk load adds segments; merging keeps their number
small, since a search costs a little per segment. :func:`merge_plan` is the
policy (tiers by size, as Lucene's log merge policy), :func:`tail_plan` the
merge a bulk load ends with, and
:class:`BackgroundMerge` writes one merge in a thread while the load keeps
committing new batches, as Lucene's concurrent merge scheduler does: the
merge reads committed segments only, and its result is committed in one
step (:meth:`BackgroundMerge.swap`) that carries over the deletions made
meanwhile.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from .._whoosh import finish_segment, merge_segments, new_segment_name, segment_readers
from .termfilter import write_filter_beside

#: The merge policy: segments are grouped in tiers by their number of
#: documents, tier k holding segments of MERGE_FACTOR**k up to
#: MERGE_FACTOR**(k+1) articles; once a tier holds MERGE_FACTOR segments
#: they are merged into one of a higher tier. An index of N articles keeps
#: at most about ``(MERGE_FACTOR - 1) * log(N) / log(MERGE_FACTOR)``
#: segments (a search costs a little per segment), and an article added in
#: a batch of B is merged about ``log(N / B) / log(MERGE_FACTOR)`` times, so
#: the cost of adding an article grows with the logarithm of the archive's
#: size only, whether it comes in bulk or one at a time.
MERGE_FACTOR = 10


def _tier(size: int, factor: int) -> int:
    tier = 0
    while size >= factor ** (tier + 1):
        tier += 1
    return tier


def merge_plan(sizes: Mapping[str, int], factor: int = MERGE_FACTOR, *,
               cascade: bool = False) -> list[str]:
    """The segments to merge now (by name), given each segment's number of
    documents: the segments of the lowest tier that has ``factor`` of them,
    or none.

    With ``cascade``, a merge whose result would fill the tier above at
    once takes that tier's segments too, so the same articles are not
    merged twice in a row (a load's last merges: its last ten small segments
    would make the tenth large one).

    >>> merge_plan({f"s{i}": 1000 for i in range(9)})
    []
    >>> sorted(merge_plan({**{f"s{i}": 1000 for i in range(10)}, "big": 50_000}))
    ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']
    >>> sizes = {**{f"s{i}": 1000 for i in range(10)}, **{f"b{i}": 10_000 for i in range(9)}}
    >>> len(merge_plan(sizes)), len(merge_plan(sizes, cascade=True))
    (10, 19)
    """
    tiers: dict[int, list[str]] = {}
    for name, size in sizes.items():
        tiers.setdefault(_tier(size, factor), []).append(name)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= factor:
            chosen = list(tiers[tier])
            above = _tier(sum(sizes[n] for n in chosen), factor)
            while cascade and above > tier and len(tiers.get(above, ())) + 1 >= factor:
                chosen += tiers[above]
                tier, above = above, _tier(sum(sizes[n] for n in chosen), factor)
            return sorted(chosen, key=lambda n: (sizes[n], n))
    return []


#: A bulk load ends by merging its smallest segments into one, up to this
#: share of the articles it added (:func:`tail_plan`). Tiers leave up to
#: MERGE_FACTOR - 1 small segments behind, and a search looks every word up
#: in every segment: at 50,000 articles, ending with 3 segments instead of 8
#: took first-time queries from a median of 7.4–7.9 ms to 5.5–5.7 ms and
#: the index from 431 to 369 MB, for a build time within the noise
#: (docs/benchmarks.md, scale section). A load of B articles merges at most
#: B / 2 more, so a small load on a large archive stays cheap.
TAIL_SHARE = 0.5


def tier_ceiling(size: int, factor: int = MERGE_FACTOR) -> int:
    """The first size of the tier above the one ``size`` belongs to: what
    a tier merge of segments of ``size`` documents makes is this large or
    larger.

    >>> tier_ceiling(4_000), tier_ceiling(20), tier_ceiling(10)
    (10000, 100, 100)
    """
    return factor ** (_tier(size, factor) + 1)


def tail_plan(sizes: Mapping[str, int], budget: float,
              below: float = float("inf")) -> list[str]:
    """The segments a bulk load ends by merging: the smallest ones below
    ``below`` documents each, holding together at most ``budget``
    documents, when there are two or more.

    A load passes the :func:`tier_ceiling` of its batch size as ``below``,
    so the tail folds up the batches that tiers left behind and never a
    segment a tier merge already made: merging those again re-merged the
    same articles (a 100,000-article load in batches of 4,000, written as
    2,000-article segments by two workers, ended by merging two of its
    20,000-article segments again, in the foreground).

    >>> sorted(tail_plan({"a": 20_000, "b": 20_000, "c": 2_000, "d": 2_000, "e": 1_000},
    ...                  budget=20_000))
    ['c', 'd', 'e']
    >>> tail_plan({"a": 20_000, "b": 2_000, "c": 2_000}, budget=3_000)
    []
    >>> tail_plan({"a": 40_000, "b": 40_000, "c": 40_000}, budget=100_000, below=10_000)
    []
    """
    chosen: list[str] = []
    held = 0
    for name in sorted(sizes, key=lambda n: (sizes[n], n)):
        if sizes[name] >= below or held + sizes[name] > budget:
            break
        chosen.append(name)
        held += sizes[name]
    return chosen if len(chosen) >= 2 else []


#: A tier merge that a bulk load waits for at its end, once its workers
#: have written the last batch, is split between worker processes when it
#: holds at least this many articles: merged in the loading process alone,
#: a 200,000-article load ended with one core merging ten 20,000-article
#: segments while the other had nothing to do. Smaller merges are not
#: worth starting processes for.
PARALLEL_MERGE_MIN = 20_000

#: While a background merge of at least this many articles runs, a bulk
#: load writes its batches with one worker process fewer, and stops that
#: worker. The merge thread needs a core of its own: beside both workers
#: it also took the loading thread's turns at the GIL, so the workers
#: waited for their next batch (the 200,000-article build rate went from
#: 0.78-0.79x to 0.84x the 15,000-article rate with this at 20,000, against
#: 100,000). The worker's memory, too, came on top of the merge's (Whoosh
#: holds a new segment's term table index in memory): at a million articles
#: the build's peak was a 200,000-article merge beside two workers. The
#: merges of small batches' segments, below this, are too short to be
#: worth a worker's restart.
HOLD_BACK_MERGE_MIN = PARALLEL_MERGE_MIN


def split_merge(names: Sequence[str], sizes: Mapping[str, int], parts: int) -> list[list[str]]:
    """``names`` (segments one merge would take) split into at most
    ``parts`` groups of about the same number of documents, each of two
    segments or more, to be merged side by side; the largest segments are
    placed first, each into the group that holds least.

    >>> split_merge([f"s{i}" for i in range(10)], {f"s{i}": 20_000 for i in range(10)}, 2)
    [['s0', 's2', 's4', 's6', 's8'], ['s1', 's3', 's5', 's7', 's9']]
    >>> split_merge(["a", "b", "c"], {"a": 5, "b": 5, "c": 5}, 2)
    [['a', 'b', 'c']]
    """
    parts = max(1, min(parts, len(names) // 2))
    groups: list[list[str]] = [[] for _ in range(parts)]
    held = [0] * parts
    for name in sorted(names, key=lambda n: (-sizes[n], n)):
        k = held.index(min(held))
        groups[k].append(name)
        held[k] += sizes[name]
    return [sorted(g) for g in groups]


class BackgroundMerge:
    """One merge of committed segments, written by a thread of its own.

    ``segments`` are the segments to merge, as one commit lists them, and
    ``writer`` is a fresh :func:`arsearch._whoosh.unlocked_writer` on the
    index. The merged segment's files exist from the moment the merge is
    made (:attr:`name`), and a commit made meanwhile must spare them.
    :meth:`swap` then replaces the sources by the merged segment in a
    commit's list of segments.
    """

    def __init__(self, ix: Any, segments: Sequence[Any], writer: Any) -> None:
        self.sources = [s.segment_id() for s in segments]
        self.name = new_segment_name(writer)
        # A document's number in the merged segment: the live documents of
        # each source, in order, numbered on from the sources before it.
        self._deleted = [sorted(s.deleted_docs()) for s in segments]
        self._bases: list[int] = []
        base = 0
        for segment, deleted in zip(segments, self._deleted):
            self._bases.append(base)
            base += segment.doc_count_all() - len(deleted)
        #: The live articles merged.
        self.articles = base
        self.segment: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(ix, list(segments), writer),
                                        name="arsearch-merge", daemon=True)
        self._thread.start()

    def _run(self, ix: Any, segments: list[Any], writer: Any) -> None:
        readers: list[Any] = []
        try:
            readers = segment_readers(ix, segments)
            merge_segments(writer, readers)
            segment = finish_segment(writer)
            write_filter_beside(ix, segment)
            self.segment = segment
        except BaseException as e:  # noqa: BLE001 - reported by swap()
            self.error = e
            try:
                writer.cancel()
            except Exception:  # noqa: BLE001 - the merge is dropped either way
                pass
        finally:
            for reader in readers:
                reader.close()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> None:
        self._thread.join()

    def swap(self, segments: Sequence[Any]) -> list[Any] | None:
        """``segments`` (a commit's list) with the sources replaced by the
        merged segment, which takes over the deletions made since the merge
        began; ``None`` if the merge failed, or a source is gone (merged or
        emptied by another commit meanwhile)."""
        if self.error is not None or self.segment is None:
            return None
        current = {s.segment_id(): s for s in segments}
        if any(name not in current for name in self.sources):
            return None
        for k, name in enumerate(self.sources):
            before = self._deleted[k]
            for docnum in set(current[name].deleted_docs()).difference(before):
                self.segment.delete_document(self._bases[k] + docnum
                                             - bisect.bisect_left(before, docnum))
        return [s for s in segments if s.segment_id() not in self.sources] + [self.segment]
