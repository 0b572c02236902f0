"""The article index: add, update, delete and search Arabic news articles.

>>> import arsearch
>>> ix = arsearch.Index()
>>> ix.add([{"id": "1", "headline": "افتتاح معرض الكتاب في الرياض",
...          "body": "افتُتح معرضُ الكتاب بمشاركة ٥٠٠ دار نشر.", "source": "الأفق"}])
1
>>> [hit.id for hit in ix.search("والمعرض، للكتاب؟")]
['1']
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from .._whoosh import MERGE_SMALL, query, quiet
from ..analysis import TermPipeline, analyze, normalize_value
from ..analysis.pipeline import EXACT_MARK
from ..analysis.stemming import STEMMERS
from ..article import Article, to_article
from ..dates import parse_date
from ..errors import (DateError, DocumentError, IndexClosedError,
                      IndexLockedError, IndexOpenError, IndexWriteError, QueryError,
                      SettingsError)
from .parallel import SegmentBuilder, default_workers
from .query import ParsedQuery, Phrase, check_query, parse_query
from .ranking import QueryTerm, SegmentCache, Ranker, RankingParams, check_weights, top_documents
from .results import Hit, Results
from .schema import TEXT_FIELDS, build_schema, schema_pipeline
from .snippets import SNIPPET_CHARS, best_passage, mark_all
from .suggest import Speller, SpellingParams
from .storage import (OpenedIndex, acquire_lock, open_directory, open_memory,
                      remove_stale_files)

log = logging.getLogger("arsearch")

#: Records per commit in :meth:`Index.add`. Larger batches index faster;
#: a crash loses at most the batch being written.
DEFAULT_BATCH_SIZE = 2000
#: Seconds a writer waits for another writer before giving up.
DEFAULT_LOCK_TIMEOUT = 30.0
#: Largest page size :meth:`Index.search` accepts.
MAX_LIMIT = 1000
#: How many of an article's terms :meth:`Index.more_like` searches for.
MORE_LIKE_TERMS = 25
#: Words in more than this share of articles are not used by more_like().
MORE_LIKE_MAX_DF = 0.15


def _as_list(value: str | Iterable[str] | None, name: str) -> list[str]:
    """A filter argument as a list of non-blank values (``None``, ``""`` and
    ``[]`` all mean "no filter")."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    else:
        try:
            items = list(value)
        except TypeError:
            raise QueryError(f"{name} must be a string or a list of strings") from None
        if not all(isinstance(v, str) for v in items):
            raise QueryError(f"{name} must be a string or a list of strings")
    return [v for v in items if normalize_value(v)]


def _bound(value: Any, name: str, *, end_of_day: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        when = parse_date(value)
    except DateError as e:
        raise QueryError(f"{name}: {e.reason}") from None
    if when is not None and end_of_day and (
            (isinstance(value, date) and not isinstance(value, datetime))
            or (isinstance(value, str) and ":" not in value)):
        # until="2023-09-30" (a day, no time given) means up to the end of that day.
        when = when + timedelta(days=1) - timedelta(microseconds=1)
    return when


class Index:
    """A searchable collection of Arabic news articles.

    :param path: ``None`` keeps the index in memory (notebooks, tests). A
        directory holding an arsearch index opens it; a new or empty
        directory gets a new index.
    :param weights: field weights for ranking, e.g. ``{"headline": 2.0,
        "body": 1.0}``; the default weights the headline over the body.
    :param create: with ``False``, refuse to create a new index: the path
        must already hold one.
    :param stemmer, stopwords, normalize: analyzer settings of a *new* index
        (see :func:`arsearch.ArabicAnalyzer`). An existing index keeps the
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
        ranking: RankingParams | None = None,
        spelling: SpellingParams | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int | None = None,
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
        self.lock_timeout = float(lock_timeout)
        self.batch_size = batch_size
        #: Processes a bulk load on disk may use (1: none besides this one).
        self.workers: int = default_workers() if workers is None else workers
        self._lock = threading.RLock()
        # Writes to a directory take their own lock, so threads of this
        # process keep searching the last commit while a batch is written.
        # In memory, Whoosh's RamStorage renames its table of contents in a
        # way a concurrent reader can miss, so there one lock serves both.
        self._write_lock = threading.RLock() if self.path is not None else self._lock
        self._searcher_obj: Any = None
        self._ranker: Ranker | None = None
        self._segment_cache = SegmentCache()
        self._closed = False

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
        """Release open files. The index cannot be used afterwards."""
        with self._lock:
            if self._searcher_obj is not None:
                self._searcher_obj.close()
            self._searcher_obj = None
            self._ranker = None
            self._closed = True

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise IndexClosedError("this Index was closed; open it again with arsearch.Index(path)")

    # Reading ---------------------------------------------------------

    def _searcher(self) -> Any:
        """A searcher on the latest committed state. A commit racing with the
        open (another process merging segments) is retried, so readers see
        the old or the new state, never a broken one."""
        self._check_open()
        with self._lock:
            s = self._searcher_obj
            if s is not None:
                try:
                    if s.up_to_date():
                        return s
                except (OSError, ValueError):
                    pass
            fresh, error = None, None
            for attempt in range(5):
                try:
                    with quiet():
                        fresh = self._ix.searcher()
                    break
                except FileNotFoundError as e:
                    # A commit removed a segment file as we opened it;
                    # Whoosh retried already, and so do we.
                    error = e
                    time.sleep(0.01 * (attempt + 1))
                except Exception as e:
                    # Files that cannot be decoded (pickle, struct, EOF
                    # errors) used to reach the caller as they were.
                    error = e
                    break
            if fresh is None:
                raise IndexOpenError(
                    f"cannot read the index in {self.path or 'memory'} ({type(error).__name__}: "
                    f"{error}); its files are damaged or missing: restore it from a backup or "
                    "rebuild it with `arsearch index`") from None
            if s is not None:
                try:
                    s.close()
                except Exception:
                    pass
            self._searcher_obj = fresh
            self._ranker = None
            return fresh

    def _current_ranker(self) -> tuple[Any, Ranker]:
        searcher = self._searcher()
        with self._lock:
            if self._ranker is None or self._ranker.searcher is not searcher:
                self._ranker = Ranker(searcher, self._segment_cache)
            return searcher, self._ranker

    def __len__(self) -> int:
        return self._searcher().doc_count()

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return False
        return self._searcher().document_number(id=str(article_id)) is not None

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The stored article as a dict, or ``None`` if there is no such id.

        Extra fields given when the article was added are merged in; ``date``
        is a ``datetime`` (or ``None``)."""
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return None
        stored = self._searcher().document(id=str(article_id))
        return _stored_to_dict(stored) if stored is not None else None

    def ids(self) -> list[str]:
        """Every article id, in index order."""
        searcher = self._searcher()
        reader = searcher.reader()
        return [fields["id"] for _, fields in reader.iter_docs()]

    # Writing ---------------------------------------------------------

    def _write_failure(self, e: OSError) -> str:
        where = self.path or "memory"
        if isinstance(e, PermissionError):
            return (f"cannot write to the index in {where}: permission denied (is the directory "
                    "read-only?); searching it still works")
        return f"cannot write to the index in {where}: {e.strerror or e}"

    def _commit(self, write: Callable[[Any], None], **commit_args: Any) -> None:
        """Run ``write(writer)`` and commit, or leave the index untouched.

        arsearch takes Whoosh's write lock itself and gives the writer an
        index it already holds (``_lk=False``), so the lock is released
        whatever fails. Whoosh's own writer keeps its lock when its
        constructor fails after locking (a read-only directory, a full
        /tmp), and every later ``add()`` then failed with IndexLockedError,
        or on an in-memory index hung for ever: there the lock is a
        threading lock, which Whoosh polls with a blocking ``acquire()``.
        """
        with self._write_lock:
            self._check_open()
            lock = self._ix.lock("WRITELOCK")
            self._acquire(lock)
            try:
                if self.path is not None:
                    remove_stale_files(self.path)
                with quiet():
                    writer = self._ix.writer(_lk=False)
                try:
                    with quiet():
                        write(writer)
                        writer.commit(**commit_args)
                except BaseException:
                    _abandon(writer)
                    raise
            except OSError as e:
                raise IndexWriteError(self._write_failure(e)) from None
            finally:
                lock.release()

    def _acquire(self, lock: Any) -> None:
        """Take the write lock, waiting up to ``lock_timeout`` seconds for
        another writer (another process, or another Index on the same
        directory)."""
        try:
            acquired = acquire_lock(lock, self.lock_timeout)
        except OSError as e:  # the lock file cannot be created (read-only directory)
            raise IndexWriteError(self._write_failure(e)) from None
        if not acquired:
            raise IndexLockedError(
                f"another writer held the index for more than {self.lock_timeout:g} s; "
                "try again later, or pass a larger lock_timeout")

    def add(
        self,
        articles: Iterable[Article | Mapping[str, Any]] | Article | Mapping[str, Any],
        *,
        progress: bool | None = None,
        errors: Literal["raise", "skip"] = "raise",
        bad_dates: Literal["raise", "drop"] = "raise",
        batch_size: int | None = None,
    ) -> int:
        """Add or replace articles (an article with an existing id replaces
        it). Returns how many records were written.

        Accepts dicts or :class:`Article` objects, one or any iterable of
        them, including a generator of any length: records are validated and
        committed in batches of ``batch_size``.

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

        :param progress: show a progress bar (tqdm; works in notebooks).
        :param bad_dates: ``"drop"`` stores an unparseable date as ``None``
            instead of rejecting the record.

        >>> ix = Index()
        >>> ix.add({"id": "a", "headline": "خبر"}), len(ix)
        (1, 1)
        """
        if errors not in ("raise", "skip"):
            raise SettingsError(f"errors must be 'raise' or 'skip', got {errors!r}")
        if bad_dates not in ("raise", "drop"):
            raise SettingsError(f"bad_dates must be 'raise' or 'drop', got {bad_dates!r}")
        size = self.batch_size if batch_size is None else batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SettingsError(f"batch_size must be a positive integer, got {batch_size!r}")
        if isinstance(articles, (Article, Mapping)):
            articles = [articles]
        if isinstance(articles, (str, bytes, bytearray)) or not isinstance(articles, Iterable):
            raise DocumentError("add() takes an article (a dict or an arsearch.Article) or an "
                                f"iterable of them, got {type(articles).__name__}")
        try:
            total = len(articles)  # type: ignore[arg-type]
        except TypeError:
            total = None
        bar = _progress_bar(progress, total)
        added = 0
        batch: dict[str, Article] = {}
        builder = self._segment_builder()
        try:
            for position, raw in enumerate(articles):
                try:
                    article = to_article(raw, position, bad_dates=bad_dates)
                except DocumentError as e:
                    if errors == "skip":
                        log.warning("skipped: %s", e)
                        continue
                    raise
                # Within one batch the last version of an id wins.
                batch.pop(article.id, None)
                batch[article.id] = article
                if len(batch) >= size:
                    full, batch = batch, {}
                    added += self._write_batch(full, builder)
                if bar is not None:
                    bar.update(1)
            full, batch = batch, {}
            added += self._write_batch(full, builder)
        except DocumentError:
            # Every record before the bad one is committed, also when the
            # input itself raises (read_jsonl or read_csv at a broken line):
            # that error used to come from the loop, past the handler above,
            # and dropped the records read before it.
            self._write_batch(batch, builder)
            raise
        finally:
            if bar is not None:
                bar.close()
            if builder is not None:
                builder.close()
        return added

    def _segment_builder(self) -> SegmentBuilder | None:
        """Worker processes for a bulk load, for an index on disk when more
        than one core is available (see :mod:`arsearch.index.parallel`)."""
        if self.path is None or self.workers < 2:
            return None
        return SegmentBuilder(str(self.path), self._ix.indexname, self.workers)

    def _write_batch(self, batch: Mapping[str, Article],
                     builder: SegmentBuilder | None = None) -> int:
        if not batch:
            return 0
        records = [_index_fields(article) for article in batch.values()]
        parallel = builder is not None and builder.worth_it(len(records))
        built: list[Any] = []

        def write(writer: Any) -> None:
            # Upsert: delete the batch's ids that already exist, then add.
            # (Whoosh's update_document opens a searcher for every record,
            # which made large loads and small batches several times slower.)
            with quiet():
                reader = writer.reader()
                try:
                    for article_id in batch:
                        if ("id", article_id) in reader:
                            for docnum in reader.postings("id", article_id).all_ids():
                                writer.delete_document(docnum)
                finally:
                    reader.close()
            if parallel:
                built.extend(builder.build(records))  # type: ignore[union-attr]
            else:
                for fields in records:
                    writer.add_document(**fields)

        def merge(writer: Any, segments: list[Any]) -> list[Any]:
            # Whoosh's usual policy for the existing segments, then the
            # segments the workers wrote, all in this one commit.
            return MERGE_SMALL(writer, segments) + built

        self._commit(write, mergetype=merge)
        return len(batch)

    def delete(self, article_id: str) -> bool:
        """Delete an article by id. Returns whether it was there."""
        if article_id not in self:
            return False
        self._commit(lambda w: w.delete_by_term("id", str(article_id)))
        return True

    def optimize(self) -> None:
        """Merge all segments into one: slower to run, faster to search."""
        self._commit(lambda writer: None, optimize=True)

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

        When a word of the query is in no article and a close, common word
        is, ``Results.suggestion`` holds the query with that word corrected
        (see :meth:`suggest`); otherwise it is ``None``. It is worked out
        when first read, so a search whose suggestion is not read costs
        nothing extra.

        An empty query, or one made only of exclusions (``-word``), lists
        every article (within the filters) newest first. A query whose words are all stopwords finds nothing, unless
        filters are given: then the filtered articles are listed newest first.

        >>> ix = Index()
        >>> _ = ix.add({"id": "1", "headline": "فيضانات في المدينة"})
        >>> ix.search("الفيضانات").ids
        ['1']
        """
        searcher, parsed, top, total = self._run(query, limit, page, source, tags, since, until,
                                                 weights)
        offset = (page - 1) * limit
        highlight = parsed.highlight_terms
        hits = [self._hit(searcher, d, score, offset + i + 1, highlight)
                for i, (d, score) in enumerate(top)]
        return Results(hits, query=query, total=total, page=page, limit=limit,
                       suggest=lambda: self._late_suggestion(query))

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
        return self._speller(self._searcher()).suggest(query)

    def _speller(self, searcher: Any) -> Speller:
        reader = searcher.reader()

        def doc_frequency(fieldname: str, term: str) -> int:
            return reader.doc_frequency(fieldname, term) if (fieldname, term) in reader else 0

        def documents(fieldname: str, term: str) -> Iterable[int]:
            if (fieldname, term) not in reader:
                return ()
            return reader.postings(fieldname, term).all_ids()

        return Speller(self.pipeline, doc_frequency, self.spelling, documents,
                       searcher.doc_count())

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
    ) -> list[tuple[str, float]]:
        """Like :meth:`search`, but only ``(id, score)`` pairs: no stored
        fields or snippets are read, which makes it the fast path for
        evaluation scripts.

        >>> ix = Index()
        >>> _ = ix.add({"id": "1", "headline": "فيضانات في المدينة"})
        >>> [doc_id for doc_id, _ in ix.search_ids("الفيضانات")]
        ['1']
        """
        searcher, _, top, _ = self._run(query, limit, page, source, tags, since, until, weights)
        return [(searcher.stored_fields(d)["id"], score) for d, score in top]

    def _run(self, query: str, limit: int, page: int, source: Any, tags: Any, since: Any,
             until: Any, weights: Mapping[str, float] | None,
             ) -> tuple[Any, ParsedQuery, list[tuple[int, float]], int]:
        """Parse, filter and rank: the searcher used, the parsed query, the
        page's ``(docnum, score)`` pairs and the total number of matches."""
        self._check_search_args(limit, page)
        params = self.ranking
        if weights is not None:
            try:
                params = params.with_weights(check_weights(weights))
            except (ValueError, AttributeError) as e:
                raise QueryError(str(e)) from None
        sources = _as_list(source, "source")
        tag_list = _as_list(tags, "tags")
        since_dt = _bound(since, "since")
        until_dt = _bound(until, "until", end_of_day=True)
        parsed = parse_query(query, self.pipeline)
        searcher, ranker = self._current_ranker()
        scores = self._matching(searcher, ranker, parsed, params, sources, tag_list, since_dt,
                                until_dt)
        offset = (page - 1) * limit
        if parsed.has_positive:
            return searcher, parsed, top_documents(scores, offset, limit), len(scores)
        ordered = self._newest_first(searcher, scores)
        return searcher, parsed, [(d, 0.0) for d in ordered[offset:offset + limit]], len(ordered)

    def _matching(self, searcher: Any, ranker: Ranker, parsed: ParsedQuery,
                  params: RankingParams, sources: list[str], tags: list[str],
                  since: datetime | None, until: datetime | None) -> dict[int, float]:
        """Every document the query and filters select, with its score.

        A query with words is ranked. An empty query, or one that only
        excludes (``-word``), selects every article within the filters, with
        score 0; a query whose words were all removed by analysis (only
        stopwords or punctuation, say) selects nothing unless filters narrow
        it.
        """
        allowed = self._allowed_docs(searcher, parsed, sources, tags, since, until)
        excluded = self._excluded_docs(searcher, parsed)
        if parsed.has_positive:
            return ranker.rank(parsed.terms, params, allowed, excluded)
        if allowed is None:
            if not (parsed.blank or parsed.has_exclusions):
                return {}
            allowed = set(searcher.reader().all_doc_ids())
        return dict.fromkeys(allowed - excluded, 0.0)

    @staticmethod
    def _check_search_args(limit: Any, page: Any) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise QueryError(f"limit must be a positive integer, got {limit!r}")
        if limit > MAX_LIMIT:
            raise QueryError(f"limit must be at most {MAX_LIMIT}, got {limit}; page through "
                             "results with page= instead")
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise QueryError(f"page must be a positive integer, got {page!r}")

    def _docs(self, searcher: Any, q: Any) -> set[int]:
        with quiet():
            return set(searcher.docs_for_query(q))

    def _allowed_docs(self, searcher: Any, parsed: ParsedQuery, sources: list[str],
                      tags: list[str], since: datetime | None,
                      until: datetime | None) -> set[int] | None:
        """Documents passing every filter, or ``None`` when nothing filters."""
        constraints = []
        source_values = [v for v in (normalize_value(s) for s in sources) if v]
        if sources and not source_values:
            return set()
        if source_values:
            constraints.append(query.Or([query.Term("source", v) for v in source_values]))
        if parsed.sources:
            constraints.append(query.Or([query.Term("source", v) for v in parsed.sources]))
        tag_values = [v for v in (normalize_value(t) for t in tags) if v]
        for tag in tag_values + parsed.tags:
            constraints.append(query.Term("tags", tag))
        if since is not None or until is not None:
            constraints.append(query.DateRange("date", since, until))
        for phrase in parsed.phrases:
            constraints.append(_phrase_query(phrase))
        if not constraints:
            return None
        return self._docs(searcher, query.And(constraints) if len(constraints) > 1
                          else constraints[0])

    def _excluded_docs(self, searcher: Any, parsed: ParsedQuery) -> set[int]:
        clauses = [query.Term(f, t.text) for t in parsed.excluded_terms for f in t.fields]
        clauses += [_phrase_query(p) for p in parsed.excluded_phrases]
        clauses += [query.Term("source", v) for v in parsed.excluded_sources]
        clauses += [query.Term("tags", v) for v in parsed.excluded_tags]
        return self._docs(searcher, query.Or(clauses)) if clauses else set()

    def _newest_first(self, searcher: Any, docs: Iterable[int]) -> list[int]:
        """Documents newest first; undated ones last; ties in index order."""
        docs = list(docs)
        if not docs:  # an empty index's reader has no columns at all
            return []
        column = searcher.reader().column_reader("date", translate=False)

        def key(d: int) -> tuple[int, int]:
            value = column[d]
            # The sortable date column stores a missing date as the largest value.
            return (-value if value != _NO_DATE else 1, d)

        return sorted(docs, key=key)

    def _hit(self, searcher: Any, docnum: int, score: float, rank: int,
             terms: frozenset[str]) -> Hit:
        stored = searcher.stored_fields(docnum)
        body = stored.get("body") or ""
        headline = stored.get("headline") or ""
        return Hit(
            id=stored["id"], score=score, headline=headline, date=stored.get("date"),
            source=stored.get("source") or "", tags=tuple(stored.get("tags") or ()),
            url=stored.get("url") or "", rank=rank,
            passage=best_passage(body, terms, self.pipeline, SNIPPET_CHARS),
            headline_passage=mark_all(headline, terms, self.pipeline),
        )

    def more_like(self, article_id: str, limit: int = 5) -> Results:
        """Articles related to the one with ``article_id``, best first: a
        "read also" list. Raises :class:`QueryError` for an unknown id.

        The article's most distinctive words (by tf-idf over headline and
        body) become the query; the article itself is left out.
        """
        self._check_search_args(limit, 1)
        article = self.get(article_id)
        if article is None:
            raise QueryError(f"no article with id {article_id!r}")
        searcher, ranker = self._current_ranker()
        words = (analyze(article["headline"] or "", pipeline=self.pipeline) * 2
                 + analyze(article["body"] or "", pipeline=self.pipeline))
        counts = Counter(w for w in words if not w.startswith(EXACT_MARK))
        # Words in more than this share of articles say nothing about a topic.
        common = max(10, MORE_LIKE_MAX_DF * ranker.doc_count)
        weight = {}
        for term in counts:
            df = max(searcher.doc_frequency("body", term), searcher.doc_frequency("headline", term))
            if 1 < df <= common:
                weight[term] = counts[term] * ranker.idf(df)
        best = sorted(weight, key=lambda t: (-weight[t], t))
        terms = [QueryTerm(t) for t in best[:MORE_LIKE_TERMS]]
        own = searcher.document_number(id=str(article_id))
        scores = ranker.rank(terms, self.ranking, None, {own} if own is not None else set())
        top = top_documents(scores, 0, limit)
        highlight = frozenset(t.text for t in terms)
        hits = [self._hit(searcher, d, s, i + 1, highlight) for i, (d, s) in enumerate(top)]
        return Results(hits, query=f"more like {article_id}", total=len(scores), page=1,
                       limit=limit)

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
        if field not in ("source", "tags"):
            raise QueryError(f"facets are available for 'source' and 'tags', not {field!r}")
        parsed = parse_query(query, self.pipeline)
        searcher, ranker = self._current_ranker()
        docs = self._matching(searcher, ranker, parsed, self.ranking, _as_list(source, "source"),
                              _as_list(tags, "tags"), _bound(since, "since"),
                              _bound(until, "until", end_of_day=True))
        # Count by normalized value, so صحيفة الأفق and صحيفة الافق are one
        # bucket (as they are one filter), shown in its commonest spelling.
        counts: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for d in docs:
            stored = searcher.stored_fields(d)
            values = [stored.get("source")] if field == "source" else stored.get("tags") or ()
            for value in values:
                if value:
                    key = normalize_value(value)
                    counts[key] += 1
                    spellings.setdefault(key, Counter())[value] += 1
        shown = {key: spellings[key].most_common(1)[0][0] for key in counts}
        return dict(sorted(((shown[k], n) for k, n in counts.items()),
                           key=lambda kv: (-kv[1], kv[0])))

    def stats(self) -> dict[str, Any]:
        """Counts and settings, as shown by ``arsearch stats``."""
        searcher = self._searcher()
        reader = searcher.reader()
        dates = [d for _, f in reader.iter_docs() if (d := f.get("date"))]
        size = None
        if self.path is not None:
            size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        return {
            "path": str(self.path) if self.path else None,
            "articles": searcher.doc_count(),
            "sources": len(self.facets("", "source")),
            "segments": len(list(reader.leaf_readers())),
            "oldest": min(dates).isoformat() if dates else None,
            "newest": max(dates).isoformat() if dates else None,
            "size_bytes": size,
            "analyzer": _describe(self.pipeline),
            "weights": dict(self.ranking.weights),
        }


_NO_DATE = 2**64 - 1


def _phrase_query(phrase: Phrase) -> Any:
    return query.Or([query.Phrase(f, list(phrase.terms)) for f in phrase.fields])


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
            "normalize": list(pipeline.normalizer.steps), "exact_forms": pipeline.exact_forms}


def _requested(analyzer: Mapping[str, Any]) -> set[str]:
    return {"stopwords" if k == "query_stopwords" else k for k in analyzer}


def _index_fields(article: Article) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": article.id,
        "headline": article.headline,
        "body": article.body,
        "source": article.source,
        "_stored_source": article.source,
        "tags": "\n".join(article.tags),
        "_stored_tags": list(article.tags),
        "url": article.url,
        "extra": dict(article.extra),
    }
    if article.date is not None:
        fields["date"] = article.date
    return fields


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


def _abandon(writer: Any) -> None:
    """Cancel a writer after a failure: close its files and remove its
    temporary ones. The caller releases the lock."""
    try:
        with quiet():
            writer.cancel()
    except Exception:
        pass


def _progress_bar(progress: bool | None, total: int | None) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=" articles", desc="indexing", leave=True)

