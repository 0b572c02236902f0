"""One shard of a sharded index: an ordinary :class:`arsearch.Index` held
open by a long-lived Ray actor.

:class:`ShardActor` is a plain class; :mod:`arsearch.cluster.sharded` turns
it into a Ray actor (``ray.remote``) when a :class:`ShardedIndex` opens, so
importing this module does not need Ray. Its methods are what the sharded
index asks a shard: the statistics of the first phase of a search, the
shard's best hits ranked with the global statistics in the second, facet
spellings, spelling look-ups, and the writes routed to it.

Every method is safe to run again (an add is an upsert, a delete of a
deleted article does nothing, reads change nothing), so Ray may retry any
of them on a restarted actor.

The shard's directory is checked when the actor opens it: a marker file
(:data:`~arsearch.cluster.routing.SHARD_FILE`) records which shard of which
index it holds, so a directory is never opened as another shard, and a
shard whose directory is missing on the node its actor was started on is
an error, not a new empty shard.
"""

from __future__ import annotations

import json
import os
import resource
import socket
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..article import Article
from ..errors import ArsearchError, IndexOpenError
from ..index import CollectionStats, Hit, Index
from ..index.query import Correction
from ..index.request import MAX_LIMIT
from .routing import SHARD_FILE

#: Search options a shard passes on to :meth:`Index.search` (``correct``:
#: the corrections the sharded index chose; ``relax_phrases``: whether it
#: read the phrases as words; ``phrase_slop``: its own, so that every shard
#: matches phrases alike).
SEARCH_OPTIONS = ("source", "tags", "since", "until", "weights", "correct", "relax_phrases",
                  "phrase_slop")
#: The options of :meth:`Index.facet_spellings`.
FACET_OPTIONS = ("source", "tags", "since", "until", "correct", "relax_phrases", "phrase_slop")


def open_shard(path: Path, shard: int, shards: int, index_id: str | None, create: bool,
               options: Mapping[str, Any]) -> Index:
    """Open shard ``shard`` of ``shards`` in ``path`` (creating it when
    ``create``), checking that the directory holds that shard."""
    marker = path / SHARD_FILE
    where = f"shard {shard} of {shards} ({path} on {socket.gethostname()})"
    if marker.is_file():
        try:
            recorded = json.loads(marker.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise IndexOpenError(f"{where}: {marker} is damaged ({e})") from None
        if not isinstance(recorded, dict):
            raise IndexOpenError(f"{where}: {marker} is damaged")
        if (recorded.get("shard"), recorded.get("shards")) != (shard, shards):
            raise IndexOpenError(
                f"{where}: the directory holds shard {recorded.get('shard')} of "
                f"{recorded.get('shards')}, not shard {shard} of {shards}; give the shard "
                "directories in their order, and reopen an index with the shard count it was "
                "built with")
        if index_id and recorded.get("index") and recorded["index"] != index_id:
            raise IndexOpenError(
                f"{where}: the directory is a shard of another sharded index "
                f"({recorded['index']}, not {index_id})")
        return Index(path, create=False, **options)
    if not create:
        raise IndexOpenError(
            f"{where}: the shard's directory is missing or holds no shard. A shard's directory "
            "must be on the node its actor runs on: pin shards to nodes (placement=) or keep "
            "them on storage every node sees at the same path; if the directory was lost, "
            "restore it from a backup")
    ix = Index(path, **options)
    try:
        if len(ix):
            raise IndexOpenError(
                f"{where}: {path} already holds an index of {len(ix)} articles that is not a "
                "shard; its articles would not be where the routing looks for them. Build the "
                "sharded index in new directories (arsearch index --shards N)")
        _write_marker(marker, {"shard": shard, "shards": shards, "index": index_id})
    except BaseException:
        ix.close()
        raise
    return ix


def _write_marker(marker: Path, data: dict[str, Any]) -> None:
    tmp = marker.with_name(marker.name + ".new")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(data))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, marker)


def date_key(when: Any) -> int:
    """The key a listing without ranked words sorts by, newest first: the
    date as the index's date column holds it (Whoosh's ticks), ``-1`` for no
    date (last), exactly as :class:`arsearch.Index` sorts."""
    if when is None:
        return -1
    from whoosh.util.times import datetime_to_long

    return int(datetime_to_long(when))


class ShardActor:
    """An :class:`arsearch.Index` on one shard directory, in a Ray actor.

    A failure to open the index is kept and raised by every call (first by
    :meth:`info`, which the sharded index calls when it opens), so that the
    caller sees arsearch's own error naming the shard, not a dead actor.
    """

    def __init__(self, path: str, shard: int, shards: int, index_id: str | None,
                 create: bool, options: Mapping[str, Any]):
        self.path = Path(path)
        self.shard, self.shards = shard, shards
        self._ix: Index | None = None
        self._error: ArsearchError | None = None
        try:
            self._ix = open_shard(self.path, shard, shards, index_id, create, options)
        except ArsearchError as e:
            self._error = e
        except OSError as e:
            self._error = IndexOpenError(f"shard {shard} of {shards} ({path}): cannot open it: "
                                         f"{e.strerror or e}")

    def _index(self) -> Index:
        if self._error is not None:
            raise self._error
        assert self._ix is not None
        return self._ix

    # About the shard -------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Where the shard runs and what it holds."""
        import ray

        ix = self._index()
        return {"shard": self.shard, "path": str(self.path), "pid": os.getpid(),
                "hostname": socket.gethostname(),
                "node_id": ray.get_runtime_context().get_node_id(),
                "articles": len(ix), "analyzer": ix.stats()["analyzer"]}

    def pipeline(self) -> Any:
        """The shard's analysis pipeline (for spelling suggestions)."""
        return self._index().pipeline

    def process_usage(self) -> dict[str, float]:
        """CPU seconds of this process and of the children it waited for
        (the bulk-load worker processes of its index)."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"cpu_s": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
                "pid": os.getpid()}

    # Writing ---------------------------------------------------------

    def add_batch(self, articles: Sequence[Article]) -> int:
        """Add (or replace) one batch of validated articles in one commit."""
        if not articles:
            return 0
        return self._index().add(articles, batch_size=len(articles), progress=False)

    def delete(self, article_id: str) -> bool:
        return self._index().delete(article_id)

    def optimize(self) -> None:
        self._index().optimize()

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()

    # Reading ---------------------------------------------------------

    def count(self) -> int:
        return len(self._index())

    def contains(self, article_id: str) -> bool:
        return article_id in self._index()

    def get(self, article_id: str) -> dict[str, Any] | None:
        return self._index().get(article_id)

    def ids(self) -> list[str]:
        return self._index().ids()

    def stats(self) -> dict[str, Any]:
        """:meth:`Index.stats`, with the shard's normalized sources (the
        sharded index counts the sources of all its shards)."""
        ix = self._index()
        stats = ix.stats()
        with ix._reading() as snap:
            stats["source_values"] = snap.field_values("source")
        return stats

    # Searching -------------------------------------------------------

    def term_statistics(self, query: str, weights: Mapping[str, float] | None = None,
                        correct: Sequence[Correction] = ()) -> CollectionStats:
        return self._index().term_statistics(query, weights=weights, correct=correct)

    def more_like_statistics(self, text: str | tuple[str, str]) -> CollectionStats:
        return self._index().more_like_statistics(text)

    def top_hits(self, query: str, count: int, options: Mapping[str, Any],
                 statistics: CollectionStats | None) -> dict[str, Any]:
        """The shard's best ``count`` hits for ``query`` (snippets made
        here) and its number of matches."""
        ix = self._index()
        hits, total = _pages(lambda limit, page: ix.search(
            query, limit=limit, page=page, statistics=statistics,
            **{k: options[k] for k in SEARCH_OPTIONS if k in options}), count)
        return {"hits": hits, "total": total}

    def top_ids(self, query: str, count: int, options: Mapping[str, Any],
                statistics: CollectionStats | None, dated: bool) -> dict[str, Any]:
        """The shard's best ``count`` ``(id, score)`` pairs; with ``dated``
        (a query without ranked words, listed newest first) each article's
        date key too (see :func:`date_key`)."""
        ix = self._index()
        pairs: list[tuple[str, float]] = []
        page = 1
        size = min(count, MAX_LIMIT)
        while len(pairs) < count:
            got = ix.search_ids(query, limit=size, page=page, statistics=statistics,
                                **{k: options[k] for k in SEARCH_OPTIONS if k in options})
            pairs.extend(got)
            if len(got) < size:
                break
            page += 1
        pairs = pairs[:count]
        keys = None
        if dated:
            keys = [date_key((ix.get(doc_id) or {}).get("date")) for doc_id, _ in pairs]
        return {"pairs": pairs, "keys": keys}

    def more_like_hits(self, text: tuple[str, str], count: int, exclude: str | None,
                       statistics: CollectionStats) -> dict[str, Any]:
        """The shard's best ``count`` articles like ``text``, ranked with the
        global ``statistics``."""
        ix = self._index()
        hits, total = _pages(lambda limit, page: ix.more_like_text(
            text, limit=limit, page=page, exclude=exclude, statistics=statistics), count)
        return {"hits": hits, "total": total}

    def facet_spellings(self, query: str, field: str,
                        options: Mapping[str, Any]) -> dict[str, Counter[str]]:
        return self._index().facet_spellings(
            query, field, **{k: options[k] for k in FACET_OPTIONS if k in options})

    def spelling_lookups(self, frequencies: Sequence[tuple[str, str]],
                         documents: Sequence[tuple[str, str]],
                         ) -> tuple[list[int], list[np.ndarray]]:
        """Document frequencies of ``(field, term)`` pairs, and the
        documents (this shard's numbers) holding other pairs: what a
        spelling suggestion reads, for many words in one round trip."""
        ix = self._index()
        with ix._reading() as snap:
            return (snap.doc_frequencies(frequencies),
                    [snap.documents_with(f, t) for f, t in documents])


def _pages(fetch: Any, count: int) -> tuple[list[Hit], int]:
    """The first ``count`` hits of a search, read a page of at most
    :data:`MAX_LIMIT` at a time, and its total."""
    hits: list[Hit] = []
    size = min(count, MAX_LIMIT)
    page = 1
    while True:
        results = fetch(size, page)
        hits.extend(results)
        if len(hits) >= count or len(results) < size:
            return hits[:count], results.total
        page += 1


__all__ = ["FACET_OPTIONS", "SEARCH_OPTIONS", "ShardActor", "date_key", "open_shard"]
