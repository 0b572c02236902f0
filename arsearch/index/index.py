"""The article index: add, update, delete and search Arabic news articles.

:class:`Index` is a facade over the parts of :mod:`arsearch.index`: it
checks settings and arguments, hands writes to an
:class:`~arsearch.index.writing.IndexWriter`, and runs every read on the
latest published :class:`~arsearch.index.snapshot.Snapshot`, which threads
share and which stays usable by the searches running on it after a
commit publishes the next one.

>>> import arsearch
>>> ix = arsearch.Index()
>>> ix.add([{"id": "1", "headline": "افتتاح معرض الكتاب في الرياض",
...          "body": "افتُتح معرضُ الكتاب بمشاركة ٥٠٠ دار نشر.", "source": "الأفق"}])
1
>>> [hit.id for hit in ix.search("والمعرض، للكتاب؟")]
['1']
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ..analysis import TermPipeline, analyze, normalize_value
from ..analysis.pipeline import EXACT_MARK
from ..analysis.stemming import STEMMERS
from ..article import Article
from .._whoosh import query as whoosh_query
from ..errors import IndexClosedError, IndexOpenError, QueryError, SettingsError
from .parallel import default_workers
from .query import (Correction, ParsedQuery, Phrase, apply_corrections, check_query,
                    parse_query)
from .ranking import (CollectionStats, QueryTerm, Ranked, Ranker, RankingParams, check_weights,
                      comparable_scores, top_documents)
from .request import MAX_LIMIT, SearchRequest, check_page
from .results import Hit, Results
from .schema import TEXT_FIELDS, build_schema, schema_pipeline
from .snapshot import (DEFAULT_CACHE_BYTES, NO_DATE, SegmentCache, Snapshot, any_term_query,
                       date_range_query, phrase_query, term_query)
from .snippets import SNIPPET_CHARS, best_passage, mark_all
from .suggest import Speller, SpellingParams
from .storage import OpenedIndex, open_directory, open_memory
from .writing import DEFAULT_BATCH_SIZE, IndexWriter

log = logging.getLogger("arsearch")

#: Seconds a writer waits for another writer before giving up.
DEFAULT_LOCK_TIMEOUT = 30.0
#: How many of an article's terms :meth:`Index.more_like` searches for.
MORE_LIKE_TERMS = 25
#: Words in more than this share of articles are not used by more_like().
MORE_LIKE_MAX_DF = 0.15

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_LOCK_TIMEOUT", "Index", "MAX_LIMIT"]


class Index:
    """A searchable collection of Arabic news articles.

    :param path: ``None`` keeps the index in memory (notebooks, tests). A
        directory holding an arsearch index opens it; a new or empty
        directory gets a new index.
    :param weights: field weights for ranking, e.g. ``{"headline": 2.0,
        "body": 1.0}``; the default weights the headline over the body.
    :param create: with ``False``, refuse to create a new index: the path
        must already hold one.
    :param stemmer, stopwords, normalize, exact_forms, lexicon: analyzer
        settings of a *new* index (see :func:`arsearch.ArabicAnalyzer`;
        ``lexicon`` names the tables of month names, places and protected
        names to apply, ``True`` for all). An existing index keeps the
        settings it was built with.
    :param ranking: full ranking settings (:class:`RankingParams`), for
        experiments; ``weights`` is applied on top.
    :param spelling: when and how :meth:`suggest` corrects a word
        (:class:`~arsearch.index.suggest.SpellingParams`), for experiments.
    :param lock_timeout: seconds a write waits for another writer before
        raising :class:`~arsearch.IndexLockedError`.
    :param batch_size: records per commit in :meth:`add`.
    :param workers: processes a bulk load into an index on disk may use;
        the default is the number of cores (at most 4). Batches of at least
        500 records are split between them (see :mod:`arsearch.index.parallel`).
        ``1`` indexes in this process only.
    :param cache_bytes: memory bound, in bytes, of the postings and columns
        kept between searches (default 256 MiB).

    One ``Index`` may be shared by any number of threads: every method is
    safe to call concurrently (see ``docs/reliability.md``).

    Opening an index unpickles its schema, as Whoosh does: only open index
    directories you trust.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        create: bool = True,
        stemmer: str | None = None,
        stopwords: bool | None = None,
        normalize: Iterable[str] | None = None,
        exact_forms: bool | None = None,
        lexicon: bool | Iterable[str] | None = None,
        ranking: RankingParams | None = None,
        spelling: SpellingParams | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ):
        analyzer: dict[str, Any] = {}
        if stemmer is not None:
            if not isinstance(stemmer, str) or stemmer not in STEMMERS:
                # The settings are stored with the index (as JSON, and
                # pickled in Whoosh's schema), so only named stemmers work.
                raise SettingsError(
                    f"stemmer must be one of {sorted(STEMMERS)}, got {stemmer!r}; to use your "
                    "own stemmer, build a Whoosh schema with arsearch.ArabicAnalyzer(stemmer=…)")
            analyzer["stemmer"] = stemmer
        if stopwords is not None:
            analyzer["stopwords"] = bool(stopwords)
            analyzer["query_stopwords"] = bool(stopwords)
        if normalize is not None:
            analyzer["normalize"] = list(normalize)
        if exact_forms is not None:
            analyzer["exact_forms"] = bool(exact_forms)
        if lexicon is not None:
            analyzer["lexicon"] = lexicon if isinstance(lexicon, bool) else list(lexicon)
        if (isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float))
                or not lock_timeout >= 0):
            raise SettingsError(f"lock_timeout must be a number of seconds >= 0, got "
                                f"{lock_timeout!r}")
        pipeline = _make_pipeline(analyzer)
        meta = {"analyzer": _describe(pipeline)}
        schema = build_schema(pipeline)
        if path is None:
            opened = open_memory(schema, meta)
        else:
            opened = open_directory(path, schema, meta, create=create,
                                    lock_timeout=float(lock_timeout))
        self._opened: OpenedIndex = opened
        self._ix = opened.whoosh_index
        self.pipeline: TermPipeline = schema_pipeline(opened.schema) or pipeline
        if not opened.created and analyzer:
            built = _describe(self.pipeline)
            differ = {k: v for k, v in _describe(pipeline).items()
                      if k in _requested(analyzer) and built.get(k) != v}
            if differ:
                log.warning("%s was built with %s; an existing index keeps the analyzer it was "
                            "built with, so %s is ignored", path,
                            ", ".join(f"{k}={built.get(k)!r}" for k in differ),
                            ", ".join(f"{k}={v!r}" for k, v in differ.items()))
        try:
            base = ranking or RankingParams()
            self.ranking: RankingParams = base.with_weights(check_weights(weights or {}))
        except ValueError as e:
            raise SettingsError(str(e)) from None
        if spelling is not None and not isinstance(spelling, SpellingParams):
            raise SettingsError(f"spelling must be a SpellingParams, got {type(spelling).__name__}")
        self.spelling: SpellingParams = spelling or SpellingParams()
        if isinstance(batch_size, bool) or not (isinstance(batch_size, int) and batch_size > 0):
            raise SettingsError(f"batch_size must be a positive integer, got {batch_size!r}")
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                    or workers < 1):
            raise SettingsError(f"workers must be a positive integer, got {workers!r}")
        if isinstance(cache_bytes, bool) or not isinstance(cache_bytes, int) or cache_bytes < 0:
            raise SettingsError(f"cache_bytes must be an integer >= 0, got {cache_bytes!r}")
        self._closed = False
        self._cache = SegmentCache(cache_bytes)
        self._snapshot_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._writer = IndexWriter(
            opened, lock_timeout=float(lock_timeout), batch_size=batch_size,
            workers=default_workers() if workers is None else workers,
            committed=self._publish, check_open=self._check_open)

    # Settings kept by the writer, readable and settable here as before.

    @property
    def lock_timeout(self) -> float:
        """Seconds a write waits for another writer."""
        return self._writer.lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, value: float) -> None:
        self._writer.lock_timeout = float(value)

    @property
    def batch_size(self) -> int:
        """Records per commit in :meth:`add`."""
        return self._writer.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self._writer.batch_size = value

    @property
    def workers(self) -> int:
        """Processes a bulk load on disk may use (1: none besides this one)."""
        return self._writer.workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._writer.workers = value

    # Properties ------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The index directory, or ``None`` for an in-memory index."""
        return self._opened.path

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        if self._closed:
            return f"<arsearch.Index {where} (closed)>"
        return f"<arsearch.Index {where}: {len(self)} articles>"

    # Lifecycle -------------------------------------------------------

    def close(self) -> None:
        """Release open files. The index cannot be used afterwards; searches
        running in other threads finish first."""
        with self._snapshot_lock:
            self._closed = True
            if self._snapshot is not None:
                self._snapshot.retire()
            self._snapshot = None
            self._cache.clear()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise IndexClosedError("this Index was closed; open it again with arsearch.Index(path)")

    # Snapshots -------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Snapshot]:
        """The latest committed state, held for the duration of a read.

        An index on disk may be changed by other processes, so its snapshot
        is checked against the directory first. In memory only this
        object's writer commits, and publishes every commit itself."""
        with self._snapshot_lock:
            self._check_open()
            snap = self._snapshot
            if snap is None or (self.path is not None and not _still_current(snap)):
                snap = self._open_snapshot()
            snap.acquire()
        try:
            yield snap
        finally:
            snap.release()

    def _publish(self) -> None:
        """Called by the writer after every commit (holding the write lock)."""
        with self._snapshot_lock:
            if not self._closed:
                self._open_snapshot()

    def _open_snapshot(self) -> Snapshot:
        """Open a snapshot of the latest commit and make it the current one
        (the caller holds ``_snapshot_lock``). A commit racing with the open
        (another process merging segments) is retried, so readers see the
        old or the new state, never a broken one."""
        fresh, error = None, None
        for attempt in range(5):
            try:
                fresh = Snapshot.open(self._opened.whoosh_index, self._cache, self._opened.path)
                break
            except FileNotFoundError as e:
                # A commit removed a segment file as we opened it;
                # Whoosh retried already, and so do we.
                error = e
                time.sleep(0.01 * (attempt + 1))
            except Exception as e:  # noqa: BLE001
                # Files that cannot be decoded (pickle, struct, EOF errors).
                error = e
                break
        if fresh is None:
            raise IndexOpenError(
                f"cannot read the index in {self.path or 'memory'} ({type(error).__name__}: "
                f"{error}); its files are damaged or missing: restore it from a backup or "
                "rebuild it with `arsearch index`") from None
        if self._snapshot is not None:
            self._snapshot.retire()
        self._snapshot = fresh
        return fresh

    # Reading ---------------------------------------------------------

    def __len__(self) -> int:
        with self._reading() as snap:
            return snap.doc_count

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return False
        with self._reading() as snap:
            return snap.docnum_of(str(article_id)) is not None

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The stored article as a dict, or ``None`` if there is no such id.

        Extra fields given when the article was added are merged in; ``date``
        is a ``datetime`` (or ``None``)."""
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return None
        with self._reading() as snap:
            stored = snap.stored_by_id(str(article_id))
        return _stored_to_dict(stored) if stored is not None else None

    def ids(self) -> list[str]:
        """Every article id, in index order."""
        with self._reading() as snap:
            return [fields["id"] for _, fields in snap.iter_stored()]

    # Writing ---------------------------------------------------------

    def add(
        self,
        articles: Iterable[Article | Mapping[str, Any]] | Article | Mapping[str, Any],
        *,
        progress: bool | None = None,
        errors: Literal["raise", "skip"] = "raise",
        bad_dates: Literal["raise", "drop"] = "raise",
        batch_size: int | None = None,
        on_commit: Callable[[int], None] | None = None,
    ) -> int:
        """Add or replace articles (an article with an existing id replaces
        it). Returns how many records were written.

        Accepts dicts or :class:`Article` objects, one or any iterable of
        them, including a generator of any length: records are validated and
        committed in batches of ``batch_size``. Searches in other threads go
        on meanwhile, on the last commit.

        **What a failure leaves behind.** Records are written in order. If a
        record is invalid, every record before it is committed and
        searchable, and :class:`~arsearch.DocumentError` names the bad record
        (its id, or its position in the input) and field; it and the records
        after it are not added. The same holds when the input itself raises
        DocumentError (a reader at a broken line). With ``errors="skip"``
        invalid records are logged and skipped instead. If writing fails
        (:class:`~arsearch.IndexWriteError`, :class:`~arsearch.IndexLockedError`
        or any other error), or the process dies, the batches committed before
        are kept and the batch being written is lost as a whole; an index is
        never left half-written. (An error after the commit point, while
        old files are removed, leaves that batch committed; adding it again
        is harmless, as an article replaces the one with its id.)

        **Merging.** Commits add segments, which ``add()`` merges by tiers
        (ten of a size into one). A load that runs worker processes (an
        index on disk, ``workers`` > 1) writes those merges in a background
        thread while the workers index the next batches (one worker fewer
        while a merge of ``merging.HOLD_BACK_MERGE_MIN`` articles or more
        runs, to bound the load's memory); ``add()`` returns once the last
        of them is committed. The load's last merges are
        planned together once the workers have stopped, and one of 20,000
        articles or more is split between fresh worker processes
        (``merging.PARALLEL_MERGE_MIN``). A load of more than one batch
        ends by merging its smallest segments into one, up to half as many
        articles as it added (``merging.tail_plan``): a search looks each
        word up in every segment. Segments that a tier merge already made
        are left as they are, so no article is merged twice for the tail.

        :param progress: show a progress bar (tqdm; in notebooks too): the
            articles committed, against the total when the input has a
            length or is a reader (``read_articles`` counts its records).
        :param bad_dates: ``"drop"`` stores an unparseable date as ``None``
            instead of rejecting the record.
        :param on_commit: called after every committed batch with the
            number of articles it wrote.

        >>> ix = Index()
        >>> ix.add({"id": "a", "headline": "خبر"}), len(ix)
        (1, 1)
        """
        self._check_open()
        return self._writer.add(articles, progress=progress, errors=errors,
                                bad_dates=bad_dates, batch_size=batch_size,
                                on_commit=on_commit)

    def delete(self, article_id: str) -> bool:
        """Delete an article by id. Returns whether it was there."""
        if article_id not in self:
            return False
        self._writer.delete(str(article_id))
        return True

    def optimize(self) -> None:
        """Merge all segments into one: slower to run, faster to search."""
        self._writer.optimize()

    # Searching -------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        source: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
        weights: Mapping[str, float] | None = None,
        statistics: CollectionStats | None = None,
        correct: bool | Iterable[Correction] = True,
        relax_phrases: bool | None = None,
        phrase_slop: int | None = None,
    ) -> Results:
        """Rank articles for ``query`` by BM25F, headline weighted over body.

        :param query: words, with optional ``"phrase"``, ``-word``, ``OR``,
            ``headline:``, ``body:``, ``source:`` and ``tag:`` syntax (see
            :mod:`arsearch.index.query`).
        :param limit: hits per page (1 to 1000); ``page`` counts from 1.
        :param source: only these sources (any of them).
        :param tags: only articles carrying these tags (all of them).
        :param since, until: date bounds, inclusive; a bare date as
            ``until`` includes that whole day.
        :param weights: field weights for this query only.
        :param statistics: collection statistics to rank with instead of
            this index's own (see :meth:`term_statistics`): how the shards
            of a sharded index rank exactly as one index would.
        :param correct: search a misspelled word's correction beside it
            (see below); ``False`` searches the words as typed only. (A
            sharded index passes its shards the corrections themselves.)
        :param relax_phrases: ``None`` (default): a quoted phrase that
            leaves no result is searched as its words (see below);
            ``False``: phrases always filter; ``True``: phrases never
            filter, articles holding them rank first.
        :param phrase_slop: how far apart, in words, a quoted phrase's
            words may stand, in any order (default: the index's
            ``RankingParams.phrase_slop``, 1); 0 asks for them next to each
            other, in the order written.

        Hits are ordered by score, ties by article id.

        **Misspelled words.** A word that is in no article, or in a few
        while a word one typing mistake away is in many more
        (``SpellingParams.rare_df``), is searched together with that word,
        weighted a little below it (``SpellingParams.correction_boost``):
        ``Results.corrected`` holds the query as corrected ("showing
        results for"), also given as ``Results.suggestion``. With
        ``correct=False`` (or when no word needs it), ``Results.suggestion``
        holds the query with its unknown words corrected ("did you mean",
        see :meth:`suggest`) or ``None``, worked out when first read.

        **Quoted phrases.** An article holds ``"حدائق الليل الطويل"`` when
        it has those words within ``phrase_slop`` words of each other, in
        any order: a title quoted from memory, its words swapped or one left
        out, still finds it. When the phrases (with the filters and
        exclusions) leave no result, they are read as their words; articles
        holding a phrase's words a word further apart rank before those that
        do not, the more phrases the earlier. ``Results.relaxed_phrases``
        lists the phrases read that way.

        An empty query, or one made only of exclusions (``-word``), lists
        every article (within the filters) newest first. A query whose words
        are all stopwords finds nothing, unless filters are given: then the
        filtered articles are listed newest first.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "فيضانات في المدينة"},
        ...             {"id": "2", "headline": "المفاوضات تبدأ في جنيف"}])
        >>> ix.search("الفيضانات").ids
        ['1']
        >>> r = ix.search('"جنيف تبدأ" المفاوضاث')     # words swapped, one misspelled
        >>> r.ids, r.relaxed_phrases, r.corrected
        (['2'], (), '"جنيف تبدأ" المفاوضات')
        >>> r = ix.search('"المفاوضات في المدينة"')      # no article holds the phrase
        >>> r.ids, r.relaxed_phrases
        (['1', '2'], ('المفاوضات في المدينة',))
        """
        request = SearchRequest.build(query, self.ranking, limit=limit, page=page,
                                      source=source, tags=tags, since=since, until=until,
                                      weights=weights, correct=correct,
                                      relax_phrases=relax_phrases, phrase_slop=phrase_slop)
        with self._reading() as snap:
            found = self._execute(snap, request, statistics)
            highlight = found.parsed.highlight_terms
            hits = [self._hit(snap, d, score, request.offset + i + 1, highlight)
                    for i, (d, score) in enumerate(found.top)]
        corrected = found.corrected(query)
        return Results(hits, query=query, total=found.total, page=page, limit=limit,
                       corrected=corrected, relaxed_phrases=found.relaxed,
                       suggestion=corrected,
                       suggest=None if corrected else lambda: self._late_suggestion(query))

    def search_ids(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        source: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
        weights: Mapping[str, float] | None = None,
        statistics: CollectionStats | None = None,
        correct: bool | Iterable[Correction] = True,
        relax_phrases: bool | None = None,
        phrase_slop: int | None = None,
    ) -> list[tuple[str, float]]:
        """Like :meth:`search`, but only ``(id, score)`` pairs: no stored
        fields or snippets are read, which makes it the fast path for
        evaluation scripts.

        >>> ix = Index()
        >>> _ = ix.add({"id": "1", "headline": "فيضانات في المدينة"})
        >>> [doc_id for doc_id, _ in ix.search_ids("الفيضانات")]
        ['1']
        """
        request = SearchRequest.build(query, self.ranking, limit=limit, page=page,
                                      source=source, tags=tags, since=since, until=until,
                                      weights=weights, correct=correct,
                                      relax_phrases=relax_phrases, phrase_slop=phrase_slop)
        with self._reading() as snap:
            top = self._execute(snap, request, statistics).top
            ids = snap.article_ids([d for d, _ in top])
        return [(doc_id, score) for doc_id, (_, score) in zip(ids, top)]

    def term_statistics(self, query: str, *,
                        weights: Mapping[str, float] | None = None,
                        correct: bool | Iterable[Correction] = True) -> CollectionStats:
        """This index's collection statistics for the words of ``query``:
        document counts, field lengths and each word's document frequency.

        The first phase of a distributed search: a sharded index adds up
        every shard's statistics (:meth:`CollectionStats.combine`) and
        passes the sum to each shard's :meth:`search` as ``statistics``.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "body": "مطر"}, {"id": "2", "body": "مطر وبرد"}])
        >>> ix.term_statistics("المطر").doc_count
        2

        Pass the ``weights`` and ``correct`` the search will use: a field
        weighted 0 is not searched, and its documents do not count; a
        corrected word's correction is searched too.
        """
        request = SearchRequest.build(query, self.ranking, weights=weights, correct=correct)
        with self._reading() as snap:
            parsed = self._parse(snap, request)
            return Ranker(snap).statistics(parsed.terms, request.params)

    def corrections(self, query: str) -> tuple[Correction, ...]:
        """The corrections :meth:`search` applies to ``query`` (by default):
        its words that are in no article, or rare beside a much commoner
        word one typing mistake away, each with its correction; and, marked
        ``joined``, pairs of its words that articles write as one word
        (searched as that word too, see
        :attr:`~arsearch.index.suggest.SpellingParams.joins`); and, marked
        ``quiet``, spellings searched but never shown, each weighted
        ``weight`` times a correction (runner-up corrections, and words
        that may be typos: :attr:`~arsearch.index.suggest.SpellingParams.alternatives`).

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "المفاوضات تبدأ في جنيف"}])
        >>> [(c.word, c.suggestion) for c in ix.corrections("المفاوضاث في جنيف")]
        [('المفاوضاث', 'المفاوضات')]
        """
        check_query(query)
        with self._reading() as snap:
            return self._corrections(snap, query)

    def _corrections(self, snap: Snapshot, query: str) -> tuple[Correction, ...]:
        speller = Speller(self.pipeline, snap.doc_frequency, self.spelling,
                          lambda f, t: snap.documents_with(f, t).tolist(), snap.doc_count,
                          functools.partial(snap.doc_frequency, read_postings=True),
                          snap.may_hold)
        return tuple(speller.corrections(query, rare=True))

    def _parse(self, snap: Snapshot, request: SearchRequest) -> ParsedQuery:
        """The query of ``request``, analysed, with its corrections."""
        correct = request.correct
        if correct is True:
            corrections = self._corrections(snap, request.query)
        else:
            corrections = correct or ()
        return parse_query(request.query, self.pipeline, corrections=corrections,
                           correction_boost=self.spelling.correction_boost,
                           variants=self.spelling.variants)

    def _execute(self, snap: Snapshot, request: SearchRequest,
                 statistics: CollectionStats | None = None) -> _Found:
        """Parse, filter and rank on one snapshot: the parsed query, the
        page's ``(docnum, score)`` pairs, the total number of matches and
        the phrases read as words."""
        parsed = self._parse(snap, request)
        ranked, relaxed = self._matching(snap, parsed, request, statistics,
                                         top=request.offset + request.limit)
        scores = None
        if parsed.has_positive:
            keys, scores = comparable_scores(ranked.scores), ranked.scores
        else:
            # Nothing to rank: newest first, undated articles last.
            dates = snap.dates()[ranked.docnums]
            keys = np.where(dates == NO_DATE, -1, dates.astype(np.int64))
        top = top_documents(ranked.docnums, keys, request.offset, request.limit,
                            snap.article_ids, scores)
        if not parsed.has_positive:
            top = [(d, 0.0) for d, _ in top]
        return _Found(parsed, top, ranked.total, tuple(p.text for p in relaxed))

    def _matching(self, snap: Snapshot, parsed: ParsedQuery, request: SearchRequest,
                  statistics: CollectionStats | None = None, top: int | None = None,
                  ) -> tuple[Ranked, tuple[Phrase, ...]]:
        """The documents the query and filters select, with their scores:
        every one, or with ``top`` those that may be among the ``top`` best
        (see :meth:`Ranker.top`; the total still counts every match); and
        the phrases read as words (see :meth:`search`).

        A query with words is ranked. An empty query, or one that only
        excludes (``-word``), selects every article within the filters, with
        score 0; a query whose words were all removed by analysis (only
        stopwords or punctuation, say) selects nothing unless filters narrow
        it.
        """
        filters = self._filter_constraints(snap, parsed, request)
        excluded = self._excluded_docs(snap, parsed)
        if not parsed.has_positive:
            if filters is None:
                if not (parsed.blank or parsed.has_exclusions):
                    return Ranked(np.empty(0, dtype=np.int64), np.empty(0)), ()
                allowed = snap.live_docnums()
            else:
                allowed = _select(snap, filters)
            if len(excluded):
                allowed = np.setdiff1d(allowed, excluded)
            return Ranked(allowed, np.zeros(len(allowed))), ()
        ranker = Ranker(snap)

        def ranking(allowed: np.ndarray | None, best: int | None) -> Ranked:
            if best is not None:
                return ranker.top(parsed.terms, request.params, best, allowed, excluded,
                                  statistics)
            return ranker.rank(parsed.terms, request.params, allowed, excluded, statistics)

        relax = request.relax_phrases if parsed.phrases else False
        slop = request.params.phrase_slop
        if not relax:
            allowed = _select(snap, filters)
            for p in parsed.phrases:
                held = _near_docs(snap, p, slop) if slop else snap.matching([_phrase_query(p)])
                allowed = held if allowed is None else np.intersect1d(allowed, held)
            ranked = ranking(allowed, top)
            # Read as words only when the phrases leave no result (what a
            # sharded index asks of its shards, too).
            if relax is False or ranked.total:
                return ranked, ()
        allowed = _select(snap, filters)
        # Articles holding more of the phrases first, a phrase counting as
        # held when all its words are near each other (a word further apart
        # than the phrase itself allows, in any order): each phrase held adds
        # more than any article's score can be (the same bound in every
        # shard). Otherwise the words rank as any query's words do.
        held = [_near_docs(snap, p, slop + 1) for p in parsed.phrases]
        if not any(len(h) for h in held):
            return ranking(allowed, top), tuple(parsed.phrases)
        ranked = ranking(allowed, None)
        tiers = np.zeros(len(ranked.docnums))
        for docs in held:
            tiers += np.isin(ranked.docnums, docs)
        bound = ranker.score_bound(parsed.terms, request.params, statistics)
        return Ranked(ranked.docnums, ranked.scores + tiers * bound), tuple(parsed.phrases)

    def _filter_constraints(self, snap: Snapshot, parsed: ParsedQuery,
                            request: SearchRequest) -> list[Any] | None:
        """The Whoosh queries of every filter (source, tags, dates), ``None``
        when nothing filters; a filter that cannot match anything is a query
        matching nothing."""
        if request.impossible:
            return [_NOTHING]
        constraints = []
        if request.sources:
            constraints.append(any_term_query("source", request.sources))
        if parsed.sources:
            constraints.append(any_term_query("source", parsed.sources))
        for tag in request.tags + tuple(parsed.tags):
            # A tag matches itself, or words inside a tag kept whole (a
            # "كلمات دلالية" line without separators).
            values = snap.values_containing("tags", tag)
            if not values:
                return [_NOTHING]
            constraints.append(any_term_query("tags", values))
        if request.since is not None or request.until is not None:
            constraints.append(date_range_query(request.since, request.until))
        return constraints or None

    def _excluded_docs(self, snap: Snapshot, parsed: ParsedQuery) -> np.ndarray:
        clauses = [term_query(f, t.text) for t in parsed.excluded_terms for f in t.fields]
        clauses += [_phrase_query(p) for p in parsed.excluded_phrases]
        clauses += [term_query("source", v) for v in parsed.excluded_sources]
        clauses += [term_query("tags", t) for v in parsed.excluded_tags
                    for t in snap.values_containing("tags", v)]
        return snap.matching(clauses, any_of=True)

    def _hit(self, snap: Snapshot, docnum: int, score: float, rank: int,
             terms: frozenset[str]) -> Hit:
        stored = snap.stored(docnum)
        body = stored.get("body") or ""
        headline = stored.get("headline") or ""
        return Hit(
            id=stored["id"], score=score, headline=headline, date=stored.get("date"),
            source=stored.get("source") or "", tags=tuple(stored.get("tags") or ()),
            url=stored.get("url") or "", rank=rank,
            passage=best_passage(body, terms, self.pipeline, SNIPPET_CHARS),
            headline_passage=mark_all(headline, terms, self.pipeline),
            extra=MappingProxyType(dict(stored.get("extra") or {})),
        )

    # Related articles ------------------------------------------------

    def more_like(self, article_id: str, limit: int = 5, page: int = 1, *,
                  statistics: CollectionStats | None = None) -> Results:
        """Articles related to the one with ``article_id``, best first: a
        "read also" list. Raises :class:`QueryError` for an unknown id.

        The article's most distinctive words (by tf-idf over headline and
        body) become the query; the article itself is left out.
        ``statistics``: see :meth:`more_like_statistics`.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "أمطار غزيرة في جدة", "body": "سيول وأمطار"},
        ...             {"id": "2", "headline": "سيول في جدة بعد الأمطار"},
        ...             {"id": "3", "headline": "معرض للكتاب في الرياض"}])
        >>> ix.more_like("1").ids
        ['2']
        """
        check_page(limit, page)
        article = self.get(article_id)
        if article is None:
            raise QueryError(f"no article with id {article_id!r}")
        text = (article["headline"] or "", article["body"] or "")
        return self._more_like(text, f"more like {article_id}", limit, page,
                               exclude=str(article_id), statistics=statistics)

    def more_like_text(self, text: str | tuple[str, str], *, limit: int = 5, page: int = 1,
                       exclude: str | None = None,
                       statistics: CollectionStats | None = None) -> Results:
        """Articles about the same thing as ``text``: paste a paragraph, a
        whole article or a long question that is too long to be a query.

        ``text`` may also be a ``(headline, body)`` pair (the headline's
        words count twice); ``exclude`` leaves out the article with that id.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "أمطار غزيرة في جدة", "body": "سيول وأمطار"},
        ...             {"id": "2", "headline": "معرض للكتاب في الرياض"}])
        >>> ix.more_like_text("هطلت أمطار غزيرة على جدة وجرت السيول في شوارعها").ids
        ['1']
        """
        check_page(limit, page)
        return self._more_like(_headline_and_body(text), "more like this text", limit, page,
                               exclude=exclude, statistics=statistics)

    def more_like_statistics(self, text: str | tuple[str, str]) -> CollectionStats:
        """This index's statistics for the words :meth:`more_like_text`
        would weigh: a sharded index adds up every shard's, then passes the
        sum as ``statistics`` to each shard's ``more_like``/``more_like_text``,
        so that every shard picks the same words and scores alike."""
        counts = self._more_like_counts(_headline_and_body(text))
        with self._reading() as snap:
            return Ranker(snap).statistics(_more_like_probes(counts))

    def _more_like_counts(self, text: tuple[str, str]) -> Counter[str]:
        headline, body = text
        words = (analyze(headline, pipeline=self.pipeline) * 2
                 + analyze(body, pipeline=self.pipeline))
        return Counter(w for w in words if not w.startswith(EXACT_MARK))

    def _more_like(self, text: tuple[str, str], label: str, limit: int, page: int, *,
                   exclude: str | None, statistics: CollectionStats | None) -> Results:
        counts = self._more_like_counts(text)
        with self._reading() as snap:
            ranker = Ranker(snap)
            # Alone, an index chooses the words by their frequency in each
            # field, and ranks with its own statistics; a shard is given
            # everything (see more_like_statistics).
            stats = statistics or ranker.statistics(
                [QueryTerm(t, (f,)) for t in counts for f in TEXT_FIELDS])
            # Words in more than this share of articles say nothing about a
            # topic; a word only the excluded article has finds nothing else.
            common = max(10, MORE_LIKE_MAX_DF * stats.doc_count)
            rarest = 1 if exclude is not None else 0
            weight = {}
            for term in counts:
                df = max(stats.doc_frequency((term, (f,))) for f in TEXT_FIELDS)
                if rarest < df <= common:
                    weight[term] = counts[term] * stats.idf(df)
            best = sorted(weight, key=lambda t: (-weight[t], t))
            terms = [QueryTerm(t) for t in best[:MORE_LIKE_TERMS]]
            own = snap.docnum_of(exclude) if exclude is not None else None
            excluded = np.array([own] if own is not None else [], dtype=np.int64)
            ranked = ranker.rank(terms, self.ranking, None, excluded, statistics)
            offset = (page - 1) * limit
            top = top_documents(ranked.docnums, comparable_scores(ranked.scores), offset, limit,
                                snap.article_ids, ranked.scores)
            highlight = frozenset(t.text for t in terms)
            hits = [self._hit(snap, d, s, offset + i + 1, highlight)
                    for i, (d, s) in enumerate(top)]
        return Results(hits, query=label, total=len(ranked), page=page, limit=limit)

    # Facets and statistics -------------------------------------------

    def facets(self, query: str, field: Literal["source", "tags"], *,
               source: str | Iterable[str] | None = None,
               tags: str | Iterable[str] | None = None,
               since: str | date | datetime | None = None,
               until: str | date | datetime | None = None) -> dict[str, int]:
        """How many matching articles each source (or tag) has, most first.

        Articles are selected as :meth:`search` selects them: an empty query
        counts every article (within the filters). Spellings of one source
        or tag that normalize alike are counted together.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "مطر", "source": "الأفق"},
        ...             {"id": "2", "headline": "مطر غزير", "source": "المدار"},
        ...             {"id": "3", "headline": "رياح", "source": "الأفق"}])
        >>> ix.facets("مطر", "source")
        {'الأفق': 1, 'المدار': 1}
        """
        return facet_counts(self.facet_spellings(query, field, source=source, tags=tags,
                                                 since=since, until=until))

    def facet_spellings(self, query: str, field: Literal["source", "tags"], *,
                        source: str | Iterable[str] | None = None,
                        tags: str | Iterable[str] | None = None,
                        since: str | date | datetime | None = None,
                        until: str | date | datetime | None = None,
                        correct: bool | Iterable[Correction] = True,
                        relax_phrases: bool | None = None,
                        phrase_slop: int | None = None,
                        ) -> dict[str, Counter[str]]:
        """What :meth:`facets` counts: for each normalized source (or tag)
        of the matching articles, how many articles spell it each way. A
        sharded index adds up every shard's, then calls :func:`facet_counts`.
        ``correct`` and ``relax_phrases`` are :meth:`search`'s (a sharded
        index decides them for every shard).

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "مطر", "source": "الأفق"},
        ...             {"id": "2", "headline": "مطر", "source": "الافق"}])
        >>> ix.facet_spellings("مطر", "source")
        {'الافق': Counter({'الأفق': 1, 'الافق': 1})}
        """
        if field not in ("source", "tags"):
            raise QueryError(f"facets are available for 'source' and 'tags', not {field!r}")
        request = SearchRequest.build(query, self.ranking, source=source, tags=tags,
                                      since=since, until=until, correct=correct,
                                      relax_phrases=relax_phrases, phrase_slop=phrase_slop)
        with self._reading() as snap:
            parsed = self._parse(snap, request)
            docnums = self._matching(snap, parsed, request)[0].docnums
            return _facet_spellings(snap, docnums, field)

    def stats(self) -> dict[str, Any]:
        """Counts and settings, as shown by ``arsearch stats``.

        Cheap on any size of index: dates come from the date column and
        sources from the source field's terms (``source_counts``: articles
        per source, most first, spellings that normalize alike counted
        together), not from every stored article."""
        with self._reading() as snap:
            oldest, newest = snap.date_range()
            sources = snap.value_counts("source")
            articles, segments = snap.doc_count, snap.segment_count
        size = None if self.path is None else _directory_bytes(self.path)
        return {
            "path": str(self.path) if self.path else None,
            "articles": articles,
            "sources": len(sources),
            "source_counts": dict(sorted(((name, n) for n, name in sources.values()),
                                         key=lambda kv: (-kv[1], kv[0]))),
            "segments": segments,
            "oldest": oldest.isoformat() if oldest else None,
            "newest": newest.isoformat() if newest else None,
            "size_bytes": size,
            "analyzer": _describe(self.pipeline),
            "weights": dict(self.ranking.weights),
        }

    # Spelling --------------------------------------------------------

    def _late_suggestion(self, query: str) -> str | None:
        """``Results.suggestion``, worked out when first read: against the
        index as it is then, and ``None`` if it was closed meanwhile."""
        try:
            return self.suggest(query)
        except (IndexClosedError, IndexOpenError):
            return None

    def suggest(self, query: str) -> str | None:
        """The query with its misspelled words corrected ("did you mean"),
        or ``None`` when no word needs correcting.

        A word is corrected when its stem is in no article of the index and
        a word one typing mistake away (a letter missing, extra, mistyped,
        or two letters swapped) is in the index: the most likely such word,
        weighing how common it is, how well it goes with the query's other
        words and how easy the mistake is on an Arabic keyboard. Words the
        index knows, stopwords, numbers and words under four letters are
        never changed; neither are ``-exclusions`` and ``source:``/``tag:``
        values. The rest of the query is kept as written: quotes, prefixes,
        the other words, and the corrected word's own diacritics and hamza
        where possible. See :mod:`arsearch.index.suggest`.
        :meth:`search` puts the same suggestion in ``Results.suggestion``.

        >>> ix = Index()
        >>> _ = ix.add([{"id": "1", "headline": "المفاوضات تبدأ في جنيف"},
        ...             {"id": "2", "body": "استئناف المفاوضات الأسبوع المقبل"}])
        >>> ix.suggest('"المفاوضاث" headline:جنيف')
        '"المفاوضات" headline:جنيف'
        >>> ix.suggest("المفاوضات") is None
        True
        """
        check_query(query)
        with self._reading() as snap:
            speller = Speller(self.pipeline, snap.doc_frequency, self.spelling,
                              lambda f, t: snap.documents_with(f, t).tolist(), snap.doc_count,
                              may_hold=snap.may_hold)
            return speller.suggest(query)


def _directory_bytes(path: Path) -> int:
    """The bytes of the files in an index directory. A commit in another
    thread or process may remove files as they are counted: those count 0."""
    total = 0
    for p in path.iterdir():
        try:
            if p.is_file():
                total += p.stat().st_size
        except FileNotFoundError:
            continue
    return total


def _headline_and_body(text: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(text, str):
        return "", text
    if (isinstance(text, tuple) and len(text) == 2
            and all(isinstance(part, str) for part in text)):
        return text
    raise QueryError(f"text must be a string or a (headline, body) pair of strings, got "
                     f"{type(text).__name__}")


def _more_like_probes(counts: Mapping[str, int]) -> list[QueryTerm]:
    """The terms whose statistics more_like() reads: each word in each field
    (to choose the words) and in both (to rank with them)."""
    return [QueryTerm(t, fields) for t in counts
            for fields in ((f,) for f in TEXT_FIELDS)] + [QueryTerm(t) for t in counts]


def _still_current(snap: Snapshot) -> bool:
    try:
        return snap.up_to_date()
    except (OSError, ValueError):
        return False


def _phrase_query(phrase: Phrase) -> Any:
    return phrase_query(phrase.terms, phrase.fields)


def _near_docs(snap: Snapshot, phrase: Phrase, apart: int) -> np.ndarray:
    """The documents holding the phrase's words, in any order, each at most
    ``apart`` other words from the next, in one of its fields. (One query
    per field: Whoosh 2.7 cannot size an Or of span queries.)"""
    # Whoosh's slop counts positions: 1 is next to each other.
    found = [snap.matching([whoosh_query.SpanNear2(
        [whoosh_query.Term(f, t) for t in phrase.terms], slop=apart + 1, ordered=False,
        mindist=1)]) for f in phrase.fields]
    return functools.reduce(np.union1d, found)


#: A filter no article passes.
_NOTHING = any_term_query("source", ())


def _select(snap: Snapshot, constraints: list[Any] | None) -> np.ndarray | None:
    """The documents matching every constraint (``None``: no constraint)."""
    return snap.matching(constraints) if constraints else None


@dataclass(frozen=True)
class _Found:
    """What a search found on one snapshot (see :meth:`Index._execute`)."""

    parsed: ParsedQuery
    top: list[tuple[int, float]]
    total: int
    #: The phrases (as written) read as words.
    relaxed: tuple[str, ...]

    def corrected(self, query: str) -> str | None:
        """``query`` with the corrections that were searched, or ``None``."""
        return apply_corrections(query, self.parsed.corrections)


#: Up to this many matching articles, facets read every one's spelling, so
#: the spelling shown is the commonest of all (and a sharded index shows the
#: same one as a single index).
FACET_EXACT_SPELLINGS = 5000
#: Beyond that, the spelling of a source or tag is read from at most this
#: many articles a value: the count stays exact, the spelling shown is the
#: commonest of the sample.
FACET_SPELLING_SAMPLE = 32


def _facet_spellings(snap: Snapshot, docnums: np.ndarray,
                     field: str) -> dict[str, Counter[str]]:
    """For each normalized source (or tag) of ``docnums``, how often each
    of its spellings occurs.

    Up to :data:`FACET_EXACT_SPELLINGS` matching articles are read whole.
    More are counted from each
    value's postings, and the spellings read from at most
    :data:`FACET_SPELLING_SAMPLE` articles a value, spread over its
    matches: the counts stay exact, and facets over a whole archive cost a
    few reads per source instead of one per article."""
    values = snap.field_values(field)
    if len(docnums) <= max(len(values), FACET_EXACT_SPELLINGS):
        return _spellings_of(snap, docnums.tolist(), field)
    wanted = np.zeros(snap.doc_count_all, dtype=bool)
    wanted[docnums] = True
    spellings: dict[str, Counter[str]] = {}
    for value in values:
        docs = snap.documents_with(field, value)
        docs = docs[wanted[docs]]
        if not len(docs):
            continue
        step = max(1, len(docs) // FACET_SPELLING_SAMPLE)
        sample = docs[::step][:FACET_SPELLING_SAMPLE].tolist()
        seen = _spellings_of(snap, sample, field, only=value).get(value, Counter({value: 1}))
        # The sample's spellings, scaled to the exact count.
        counter: Counter[str] = Counter()
        total = sum(seen.values())
        for spelling, n in seen.most_common():
            counter[spelling] = round(n * len(docs) / total)
        counter[seen.most_common(1)[0][0]] += len(docs) - sum(counter.values())
        spellings[value] = counter
    return spellings


def _spellings_of(snap: Snapshot, docnums: list[int], field: str,
                  only: str | None = None) -> dict[str, Counter[str]]:
    """The spellings of the sources (or tags) stored with ``docnums``."""
    spellings: dict[str, Counter[str]] = {}
    for d in docnums:
        stored = snap.stored(d)
        values = [stored.get("source")] if field == "source" else stored.get("tags") or ()
        for value in values:
            if value:
                key = normalize_value(value)
                if only is None or key == only:
                    spellings.setdefault(key, Counter())[value] += 1
    return spellings


def facet_counts(spellings: Mapping[str, Counter[str]]) -> dict[str, int]:
    """Facet counts by normalized value, so صحيفة الأفق and صحيفة الافق are
    one bucket (as they are one filter), shown in its commonest spelling
    (the first alphabetically of equally common ones, so that the result
    does not depend on the order the articles were added in); most articles
    first, then alphabetically."""
    shown = {key: min(counter, key=lambda s, c=counter: (-c[s], s))
             for key, counter in spellings.items()}
    counts = {key: sum(counter.values()) for key, counter in spellings.items()}
    return dict(sorted(((shown[k], n) for k, n in counts.items()),
                       key=lambda kv: (-kv[1], kv[0])))


def _make_pipeline(analyzer: Mapping[str, Any]) -> TermPipeline:
    from ..analysis import ArabicNormalizer

    options = dict(analyzer)
    steps = options.pop("normalize", None)
    try:
        return TermPipeline(normalizer=ArabicNormalizer(steps), **options)
    except (ValueError, TypeError) as e:
        raise SettingsError(f"invalid analyzer settings: {e}") from None


def _describe(pipeline: TermPipeline) -> dict[str, Any]:
    """A pipeline's settings as JSON-ready data (stored in arsearch.json,
    shown by stats())."""
    return {"stemmer": pipeline.stemmer_name, "stopwords": bool(pipeline.stopwords),
            "normalize": list(pipeline.normalizer.steps), "exact_forms": pipeline.exact_forms,
            "lexicon": list(pipeline.lexicon_tables)}


def _requested(analyzer: Mapping[str, Any]) -> set[str]:
    return {"stopwords" if k == "query_stopwords" else k for k in analyzer}


def _stored_to_dict(stored: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": stored["id"],
        "headline": stored.get("headline") or "",
        "body": stored.get("body") or "",
        "date": stored.get("date"),
        "source": stored.get("source") or "",
        "tags": list(stored.get("tags") or ()),
        "url": stored.get("url") or "",
    }
    out.update(stored.get("extra") or {})
    return out
