"""A sharded index on a Ray cluster, ranking exactly as one index would.

:class:`ShardedIndex` has the API of :class:`arsearch.Index` over N shards.
Each shard is an ordinary arsearch index directory, held open by one Ray
actor (:class:`~arsearch.cluster.actor.ShardActor`); articles are routed to
shards by a stable hash of their id (:func:`~arsearch.cluster.routing.shard_of`).

A search runs in two phases, as Elasticsearch's ``dfs_query_then_fetch``:

1. every shard reports its collection statistics for the query's words
   (:meth:`Index.term_statistics`: live documents, field lengths, each
   word's document frequency), and they are added up
   (:meth:`CollectionStats.combine`);
2. every shard ranks its articles with those global statistics and returns
   its best ``page × limit`` hits, snippets made where the article is; the
   hits are merged by score, ties by article id, as one index orders them.

Every figure of a BM25F score then comes from the whole collection, so the
scores, the order, the pages and the totals equal those of one
:class:`~arsearch.Index` holding the same articles. ``more_like`` works the
same way (:meth:`Index.more_like_statistics`); facets add up each shard's
counts of each spelling; spelling suggestions read the sum of the shards'
document frequencies.

Ray is imported only when a ShardedIndex opens (``pip install
"arsearch[cluster]"``). See ``docs/scaling.md`` for running it on a cluster.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from ..analysis import normalize_value
from ..article import Article, to_article
from ..errors import (ArsearchError, DocumentError, IndexClosedError, IndexOpenError,
                      QueryError, SchemaMismatchError, SettingsError)
from ..index import CollectionStats, Hit, Index, RankingParams, SpellingParams
from ..index.index import facet_counts
from ..index.ranking import comparable_scores
from ..index.writing import check_add_options
from ..index.query import Correction, ParsedQuery, apply_corrections, check_query, parse_query
from ..index.request import SearchRequest, check_page
from ..index.storage import META_FILE
from ..index.suggest import Speller
from ..index.writing import DEFAULT_BATCH_SIZE
from .actor import ShardActor, date_key
from .errors import ClusterUnavailableError, ShardUnavailableError, import_ray
from .results import ShardedResults
from .routing import (Manifest, check_paths, check_shard_count, read_manifest, shard_of,
                      shard_paths, write_manifest)

log = logging.getLogger("arsearch")

#: How often Ray restarts a shard's actor that died (and retries the calls
#: it was running) before the shard counts as down.
DEFAULT_MAX_RESTARTS = 3
#: Seconds a read (a search, a get) waits for a shard before the shard
#: counts as unavailable.
DEFAULT_TIMEOUT = 60.0
#: Seconds to wait for every shard's actor to start and open its directory.
DEFAULT_OPEN_TIMEOUT = 120.0
#: Calls one shard's actor runs at once (threads: searches go on during a load).
ACTOR_CONCURRENCY = 8
#: ``placement="resources"``: shard ``k`` runs on a node offering the
#: custom resource ``arsearch_shard_<k>`` (``ray start --resources``).
RESOURCE_PREFIX = "arsearch_shard_"
RESOURCE_AMOUNT = 0.001
#: Rounds of look-ups a spelling suggestion may take (each round fetches
#: every figure the previous one found missing; one to three are usual).
MAX_SPELLING_ROUNDS = 20
#: What an Index accepts that the shards' indexes are opened with.
INDEX_OPTIONS = ("weights", "stemmer", "stopwords", "normalize", "exact_forms", "ranking",
                 "spelling", "lock_timeout", "workers", "cache_bytes")

T = TypeVar("T")

_CLOSED = "this ShardedIndex was closed; open it again with arsearch.ShardedIndex(root)"

_ray_lock = threading.Lock()
#: Open ShardedIndex objects using the local Ray instance one of them
#: started; the last to close shuts it down.
_ray_users = 0


class ShardedIndex:
    """A searchable collection of Arabic news articles over N shards, each
    an :class:`arsearch.Index` in a Ray actor, ranking exactly as one index
    holding all the articles.

    :param paths_or_root: a root directory (a new one, or one holding
        ``arsearch-shards.json`` and the shards ``shard-000``, …), or a
        list of shard directories, one per shard, in shard order.
    :param shards: number of shards of a new root (an existing root keeps
        its own; a list of paths has one per path).
    :param address: the Ray cluster: ``None`` uses the one this process is
        connected to, or starts a local one; ``"auto"`` or ``"host:port"``
        (``"ray://host:10001"`` for Ray Client) connects to a running one.
    :param placement: where shard actors run. ``None``: anywhere Ray
        chooses (one machine, or storage every node sees at the same
        path). ``"resources"``: shard ``k`` on the node started with
        ``ray start --resources='{"arsearch_shard_<k>": 1}'``. A list of
        one node per shard: a node id or a node's IP address. A root
        remembers the placement it was created with.
    :param max_restarts: how often Ray restarts a shard's actor that died,
        retrying the calls it was running (every call is safe to repeat);
        ``-1``: without limit.
    :param timeout: seconds a read waits for a shard (``None``: no limit).
    :param actor_options: more Ray actor options (``num_cpus``, ``memory``,
        ``runtime_env``, …).
    :param batch_size: articles per shard per commit in :meth:`add`.
    :param create: with ``False``, refuse to create a new sharded index.
    :param index_options: settings of every shard's :class:`Index`:
        ``weights``, ``stemmer``, ``stopwords``, ``normalize``,
        ``exact_forms``, ``ranking``, ``spelling``, ``lock_timeout``,
        ``workers``, ``cache_bytes``.

    Every path is a path on the node of the shard's actor. Methods are safe
    to call from several threads.

    Example (not run by the doctests: it starts a Ray cluster)::

        with arsearch.ShardedIndex("news-sharded", shards=4) as ix:
            ix.add(arsearch.read_jsonl("articles.jsonl"), progress=True)
            print(ix.search("مفاوضات جنيف", since="2023-01-01"))
    """

    def __init__(
        self,
        paths_or_root: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        shards: int | None = None,
        address: str | None = None,
        placement: str | Sequence[str] | None = None,
        max_restarts: int = DEFAULT_MAX_RESTARTS,
        timeout: float | None = DEFAULT_TIMEOUT,
        open_timeout: float | None = DEFAULT_OPEN_TIMEOUT,
        actor_options: Mapping[str, Any] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        create: bool = True,
        **index_options: Any,
    ):
        unknown = sorted(set(index_options) - set(INDEX_OPTIONS))
        if unknown:
            raise SettingsError(f"unknown option(s) {', '.join(unknown)}; a ShardedIndex takes "
                                f"{', '.join(INDEX_OPTIONS)} for its shards' indexes")
        # The shards' settings, checked here as Index checks them (an
        # in-memory Index costs milliseconds), so a bad one fails before
        # any actor starts.
        probe = Index(**index_options)
        self.ranking: RankingParams = probe.ranking
        self.spelling: SpellingParams = probe.spelling
        probe.close()
        if isinstance(batch_size, bool) or not (isinstance(batch_size, int) and batch_size > 0):
            raise SettingsError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = batch_size
        if (isinstance(max_restarts, bool) or not isinstance(max_restarts, int)
                or max_restarts < -1):
            raise SettingsError(f"max_restarts must be an integer >= -1, got {max_restarts!r}")
        self.timeout = _check_timeout(timeout, "timeout")
        open_timeout = _check_timeout(open_timeout, "open_timeout")
        if shards is not None:
            check_shard_count(shards)
        self._lock = threading.Lock()
        self._closed = False
        self._actors: list[Any] = []
        self._ray = import_ray()
        self._owns_ray = _connect(self._ray, address)
        try:
            self.root, self.paths, index_id, create_shards, manifest = _layout(
                paths_or_root, shards, placement, create)
            if placement is None and manifest is not None:
                placement = manifest.placement
            self._start(index_id, create_shards, placement, max_restarts,
                        dict(actor_options or {}), index_options, open_timeout)
            if manifest is not None and not manifest.complete:
                manifest.complete = True
                write_manifest(self.root, manifest)  # type: ignore[arg-type]
        except BaseException:
            self._release()
            raise

    # Opening -----------------------------------------------------------

    def _start(self, index_id: str | None, create: bool, placement: Any, max_restarts: int,
               actor_options: dict[str, Any], index_options: dict[str, Any],
               open_timeout: float | None) -> None:
        ray = self._ray
        remote = _remote_class(ray)
        options = {"max_restarts": max_restarts, "max_task_retries": max_restarts,
                   "max_concurrency": ACTOR_CONCURRENCY}
        placed = _placement_options(ray, placement, len(self.paths))
        for k, path in enumerate(self.paths):
            handle = remote.options(**{**options, **placed[k], **actor_options}).remote(
                str(path), k, len(self.paths), index_id, create, index_options)
            self._actors.append(handle)
        try:
            infos, _ = self._collect({k: a.info.remote() for k, a in enumerate(self._actors)},
                                     timeout=open_timeout, doing="start")
        except ShardUnavailableError as e:
            if placement is not None and "did not start" in str(e):
                raise ShardUnavailableError(
                    f"{e}. Is there a live node for it (placement={placement!r})?"
                    + (f" Start one with ray start --address=… --resources='{{"
                       f"\"{RESOURCE_PREFIX}{e.shard}\": 1}}'" if placement == "resources"
                       else ""), shard=e.shard, path=e.path, missing=e.missing) from None
            raise
        analyzers = {k: info["analyzer"] for k, info in infos.items()}
        if any(a != analyzers[0] for a in analyzers.values()):
            raise SchemaMismatchError(
                "the shards were built with different analyzers ("
                + "; ".join(f"shard {k}: {a}" for k, a in sorted(analyzers.items()))
                + "): one word would be indexed differently in each; rebuild them alike")
        self.pipeline = self._ray.get(self._actors[0].pipeline.remote())

    def _release(self) -> None:
        """Stop the shard actors, and Ray if this object started it."""
        global _ray_users
        ray = self._ray
        closing = [a.close.remote() for a in self._actors]
        if closing:
            done, _ = ray.wait(closing, num_returns=len(closing), timeout=10)
            for ref in done:
                try:
                    ray.get(ref)
                except Exception:  # noqa: BLE001 - a dead shard has nothing to close
                    pass
        for actor in self._actors:
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001
                pass
        self._actors = []
        if self._owns_ray:
            self._owns_ray = False
            with _ray_lock:
                _ray_users -= 1
                if _ray_users == 0 and ray.is_initialized():
                    ray.shutdown()

    # Properties --------------------------------------------------------

    @property
    def shards(self) -> int:
        """How many shards the index has."""
        return len(self.paths)

    @property
    def path(self) -> Path | None:
        """The root directory (``None`` when opened from a list of shard paths)."""
        return self.root

    def actor(self, shard: int) -> Any:
        """The Ray actor handle of ``shard`` (for operations tooling)."""
        self._check_open()
        return self._actors[shard]

    def shard_of(self, article_id: str | int) -> int:
        """The shard that holds (or would hold) ``article_id``."""
        return shard_of(article_id, self.shards)

    def __repr__(self) -> str:
        where = str(self.root) if self.root else f"{self.shards} shard paths"
        if self._closed:
            return f"<arsearch.ShardedIndex {where} (closed)>"
        return f"<arsearch.ShardedIndex {where}: {self.shards} shards, {len(self)} articles>"

    # Lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close every shard and stop its actor (and the local Ray instance
        this object started, if any). The index cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._release()

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise IndexClosedError(_CLOSED)

    # Calling the shards --------------------------------------------------

    def _call(self, method: str, *args: Any, shards: Iterable[int] | None = None,
              partial: bool = False, timeout: float | None | Literal["default"] = "default",
              ) -> tuple[dict[int, Any], dict[int, str]]:
        """Call ``method`` on every shard (or on ``shards``) at once; their
        answers by shard, and the shards that did not answer (only with
        ``partial``; otherwise that raises ShardUnavailableError)."""
        actors = self._actors      # close() in another thread empties the list
        if self._closed or not actors:
            raise IndexClosedError(_CLOSED)
        targets = range(self.shards) if shards is None else shards
        refs = {k: getattr(actors[k], method).remote(*args) for k in targets}
        return self._collect(refs, timeout=self.timeout if timeout == "default" else timeout,
                             partial=partial)

    def _collect(self, refs: Mapping[int, Any], *, timeout: float | None,
                 partial: bool = False, doing: str = "answer",
                 ) -> tuple[dict[int, Any], dict[int, str]]:
        ray = self._ray
        errors = ray.exceptions
        deadline = None if timeout is None else time.monotonic() + timeout
        answers: dict[int, Any] = {}
        missing: dict[int, str] = {}
        failed: dict[int, BaseException] = {}
        # Every answer is read, also after a failure: Ray reports the
        # errors nobody read as unhandled.
        for k, ref in refs.items():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                answers[k] = ray.get(ref, timeout=left)
            except errors.GetTimeoutError:
                missing[k] = f"did not {doing} within {timeout:g} s"
            except errors.RayTaskError as e:
                failed[k] = self._task_error(k, e)
            except (errors.RayActorError, errors.WorkerCrashedError, errors.NodeDiedError,
                    errors.ObjectLostError, errors.OwnerDiedError) as e:
                missing[k] = f"its actor is down ({_first_line(e)})"
        if failed:
            raise failed[min(failed)]
        if missing and not partial:
            raise self._unavailable(missing)
        return answers, missing

    def _where(self, k: int) -> str:
        return f"shard {k} of {self.shards} ({self.paths[k]})"

    def _unavailable(self, missing: Mapping[int, str], *, committed: int | None = None,
                     doing: str = "") -> ShardUnavailableError:
        first = min(missing)
        reasons = "; ".join(f"{self._where(k)} is unavailable: {why}"
                            for k, why in sorted(missing.items()))
        advice = (" A search may skip it with partial=True; when its node is back, open the "
                  "index again (nothing a shard committed is lost)")
        return ShardUnavailableError(f"{doing}{reasons}.{advice}", shard=first,
                                     path=str(self.paths[first]), missing=tuple(sorted(missing)),
                                     committed=committed)

    def _task_error(self, k: int, error: Any) -> BaseException:
        """The exception a shard's call raised, as arsearch raises it; one
        about the shard's storage names the shard."""
        cause = getattr(error, "cause", None)
        if not isinstance(cause, BaseException):
            return ArsearchError(f"{self._where(k)} failed: {_first_line(error)}")
        if isinstance(cause, (OSError, IndexClosedError)) and isinstance(cause, ArsearchError) \
                and not str(cause).startswith(f"shard {k} of"):
            try:
                return type(cause)(f"{self._where(k)}: {cause}")
            except TypeError:
                return ArsearchError(f"{self._where(k)}: {cause}")
        return cause

    # Reading -----------------------------------------------------------

    def __len__(self) -> int:
        answers, _ = self._call("count")
        return sum(answers.values())

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return False
        return bool(self._on_owner("contains", str(article_id)))

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The stored article as a dict (see :meth:`Index.get`), read from
        the shard that holds it; ``None`` if there is no such id."""
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return None
        return self._on_owner("get", str(article_id))

    def ids(self) -> list[str]:
        """Every article id, shard by shard."""
        answers, _ = self._call("ids")
        return [i for k in sorted(answers) for i in answers[k]]

    def _on_owner(self, method: str, article_id: str, timeout: Any = "default") -> Any:
        k = shard_of(article_id, self.shards)
        answers, _ = self._call(method, article_id, shards=[k], timeout=timeout)
        return answers[k]

    def shard_info(self, timeout: float | None = 10.0) -> list[dict[str, Any]]:
        """Each shard's path, node, process id and article count, or the
        reason it is unavailable (``"error"``)."""
        answers, missing = self._call("info", partial=True, timeout=timeout)
        out = []
        for k in range(self.shards):
            if k in answers:
                out.append(answers[k])
            else:
                out.append({"shard": k, "path": str(self.paths[k]), "error": missing[k]})
        return out

    # Writing -----------------------------------------------------------

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
        """Add or replace articles, each in the shard its id routes to.
        Returns how many records were written.

        Records are validated here, then streamed to the shards in batches
        of ``batch_size`` per shard, all shards working at once. Each shard
        has at most one batch being written and one being filled, so memory
        stays bounded whatever the input's length (the input is read no
        faster than the slowest shard writes). Each batch is one atomic
        commit of its shard.

        **What a failure leaves behind.** As :meth:`Index.add`: an invalid
        record stops the load (or is skipped with ``errors="skip"``) after
        every record before it is committed. A shard whose actor dies is
        restarted by Ray and the batch it was writing is written again (an
        article replaces the one with its id, so nothing is duplicated);
        when Ray cannot restart it, the load stops with
        :class:`ShardUnavailableError` naming the shard, once the other
        shards have committed what they were given. Every batch a shard
        committed is kept.

        :param progress: a progress bar of the articles committed, all
            shards together.
        :param on_commit: called with the number of articles of each batch
            a shard committed.
        """
        self._check_open()
        articles, size = check_add_options(articles, errors, bad_dates, batch_size,
                                           self.batch_size)
        try:
            total = len(articles)  # type: ignore[arg-type]
        except TypeError:
            total = None
        loader = _Loader(self, size, _progress_bar(progress, total, self.shards), on_commit)
        try:
            for position, raw in enumerate(articles):
                try:
                    article = to_article(raw, position, bad_dates=bad_dates)
                except DocumentError as e:
                    if errors == "skip":
                        log.warning("skipped: %s", e)
                        continue
                    raise
                loader.put(article)
            loader.finish()
        except DocumentError:
            # Every record before the bad one is committed, as in Index.add.
            loader.finish()
            raise
        except BaseException:
            loader.settle()
            raise
        finally:
            loader.close()
        return loader.added

    def delete(self, article_id: str) -> bool:
        """Delete an article by id (on the shard that holds it). Returns
        whether it was there."""
        if not isinstance(article_id, (str, int)) or isinstance(article_id, bool):
            return False
        return bool(self._on_owner("delete", str(article_id), timeout=None))

    def optimize(self) -> None:
        """Merge each shard's segments into one, all shards at once."""
        self._call("optimize", timeout=None)

    # Searching ---------------------------------------------------------

    def term_statistics(self, query: str, *,
                        weights: Mapping[str, float] | None = None,
                        correct: bool | Iterable[Correction] = True) -> CollectionStats:
        """The collection statistics of the whole index for the words of
        ``query``: every shard's, added up (the first phase of a search)."""
        request = SearchRequest.build(query, self.ranking, weights=weights, correct=correct)
        corrections, _ = self._chosen_corrections(request)
        answers, _ = self._call("term_statistics", query, weights, corrections)
        return CollectionStats.combine(answers[k] for k in sorted(answers))

    def corrections(self, query: str) -> tuple[Correction, ...]:
        """:meth:`Index.corrections` over every shard: the speller runs here
        and reads the sum of the shards' figures, as :meth:`suggest` does."""
        check_query(query)
        return self._corrections(query)[0]

    def _corrections(self, query: str, partial: bool = False, timeout: Any = "default",
                     ) -> tuple[tuple[Correction, ...], set[int]]:
        fixes, lost = self._spell(lambda speller: speller.corrections(query, rare=True),
                                  partial=partial, timeout=timeout)
        return tuple(fixes), lost

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
        partial: bool = False,
        timeout: float | None | Literal["default"] = "default",
    ) -> ShardedResults:
        """:meth:`Index.search` over every shard: the same hits, scores,
        order, pages and total as one index holding all the articles.

        Misspelled words are corrected here, from the sum of the shards'
        figures, and every shard searches the same corrections; a phrase is
        read as its words when it leaves no result in any shard.

        :param statistics: skip the first phase and rank with these (see
            :meth:`term_statistics`).
        :param partial: when a shard does not answer, return the other
            shards' hits in results marked ``partial`` (see
            :class:`ShardedResults`) instead of raising
            :class:`ShardUnavailableError`.
        :param timeout: seconds to wait for the shards (default: the
            index's ``timeout``).
        """
        filters = {"source": source, "tags": tags, "since": since, "until": until,
                   "weights": weights, "correct": correct, "relax_phrases": relax_phrases,
                   "phrase_slop": phrase_slop}
        found = self._rank("top_hits", query, limit, page, filters, statistics, partial, timeout)
        hits = _merge(found.answers, found.ranked, found.request.offset, limit)
        corrected = found.corrected(query)
        return ShardedResults(hits, query=query,
                              total=sum(a["total"] for a in found.answers.values()),
                              page=page, limit=limit, missing_shards=found.missing,
                              corrected=corrected, relaxed_phrases=found.relaxed,
                              suggest=None if corrected else
                              lambda: self._late_suggestion(query))

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
        partial: bool = False,
        timeout: float | None | Literal["default"] = "default",
    ) -> list[tuple[str, float]]:
        """:meth:`Index.search_ids` over every shard: ``(id, score)`` pairs
        only, no stored fields or snippets. With ``partial=True`` a shard
        that does not answer is left out (and logged as a warning)."""
        filters = {"source": source, "tags": tags, "since": since, "until": until,
                   "weights": weights, "correct": correct, "relax_phrases": relax_phrases,
                   "phrase_slop": phrase_slop}
        found = self._rank("top_ids", query, limit, page, filters, statistics, partial, timeout)
        if found.missing:
            log.warning("search_ids(%r): %s", query, self._unavailable(found.missing))
        rows = []
        for answer in found.answers.values():
            keys = answer["keys"] or [None] * len(answer["pairs"])
            rows += [(doc_id, score, key) for (doc_id, score), key in zip(answer["pairs"], keys)]
        if found.ranked:
            rounded = comparable_scores(np.array([r[1] for r in rows], dtype=float))
            rows = [rows[i] for i in sorted(range(len(rows)),
                                            key=lambda i: (-rounded[i], rows[i][0]))]
        else:
            rows.sort(key=lambda r: (-r[2], r[0]))
        offset = found.request.offset
        return [(doc_id, score) for doc_id, score, _ in rows[offset:offset + limit]]

    def _chosen_corrections(self, request: SearchRequest, partial: bool = False,
                            timeout: Any = "default") -> tuple[tuple[Correction, ...], set[int]]:
        """The corrections every shard applies (chosen here for
        ``correct=True``), and the shards that did not answer."""
        if request.correct is True:
            return self._corrections(request.query, partial, timeout)
        return request.correct or (), set()

    def _parse(self, query: str, corrections: Sequence[Correction]) -> ParsedQuery:
        return parse_query(query, self.pipeline, corrections=corrections,
                           correction_boost=self.spelling.correction_boost,
                           variants=self.spelling.variants)

    def _relax(self, request: SearchRequest, parsed: ParsedQuery, filters: dict[str, Any],
               corrections: Sequence[Correction], partial: bool, timeout: Any,
               ) -> tuple[bool, set[int]]:
        """Whether the phrases are read as words: as asked, or (``None``)
        when no shard has an article that holds them and passes the filters,
        which a shard's first match tells."""
        if request.relax_phrases is not None or not parsed.phrases:
            return bool(request.relax_phrases and parsed.phrases), set()
        strict = {**filters, "correct": corrections, "relax_phrases": False}
        answers, lost = self._call("top_ids", request.query, 1, strict, None, False,
                                   partial=partial, timeout=timeout)
        return not any(a["pairs"] for a in answers.values()), set(lost)

    def _rank(self, method: str, query: str, limit: int, page: int, filters: dict[str, Any],
              statistics: CollectionStats | None, partial: bool, timeout: Any) -> _Ranking:
        """Both phases of a search: the statistics of every shard (unless
        given, or the query ranks nothing), then each shard's best
        ``page × limit`` by ``method``, with the corrections and the phrase
        reading chosen here for all of them."""
        request = SearchRequest.build(query, self.ranking, limit=limit, page=page, **filters)
        # Every shard matches phrases as this index does, whatever its own default.
        filters = {**filters, "phrase_slop": request.params.phrase_slop}
        corrections, missing = self._chosen_corrections(request, partial, timeout)
        parsed = self._parse(query, corrections)
        ranked = parsed.has_positive
        targets: Iterable[int] = range(self.shards)
        if statistics is None and ranked:
            parts, lost = self._call("term_statistics", query, filters.get("weights"),
                                     corrections, partial=partial, timeout=timeout)
            missing |= lost.keys()
            statistics = CollectionStats.combine(parts[k] for k in sorted(parts))
            targets = sorted(parts)
        relax, lost_shards = self._relax(request, parsed, filters, corrections, partial, timeout)
        missing |= lost_shards
        options = {**filters, "correct": corrections, "relax_phrases": relax}
        extra = (not ranked,) if method == "top_ids" else ()
        answers, lost = self._call(method, query, request.offset + limit, options, statistics,
                                   *extra, shards=targets, partial=partial, timeout=timeout)
        relaxed = tuple(p.text for p in parsed.phrases) if relax else ()
        return _Ranking(request, ranked, answers, missing | lost.keys(), parsed, relaxed)

    # Related articles --------------------------------------------------

    def more_like(self, article_id: str, limit: int = 5, page: int = 1, *,
                  statistics: CollectionStats | None = None, partial: bool = False,
                  timeout: float | None | Literal["default"] = "default") -> ShardedResults:
        """:meth:`Index.more_like` over every shard: the article is read
        from its shard, the words are chosen and ranked with the whole
        index's statistics, so the list equals one index's."""
        check_page(limit, page)
        article = self.get(article_id)
        if article is None:
            raise QueryError(f"no article with id {article_id!r}")
        text = (article["headline"] or "", article["body"] or "")
        return self._more_like(text, f"more like {article_id}", limit, page, str(article_id),
                               statistics, partial, timeout)

    def more_like_text(self, text: str | tuple[str, str], *, limit: int = 5, page: int = 1,
                       exclude: str | None = None, statistics: CollectionStats | None = None,
                       partial: bool = False,
                       timeout: float | None | Literal["default"] = "default",
                       ) -> ShardedResults:
        """:meth:`Index.more_like_text` over every shard."""
        check_page(limit, page)
        _check_text(text)
        return self._more_like(text, "more like this text", limit, page, exclude, statistics,
                               partial, timeout)

    def more_like_statistics(self, text: str | tuple[str, str]) -> CollectionStats:
        """The whole index's statistics for the words :meth:`more_like_text`
        weighs (every shard's :meth:`Index.more_like_statistics`, added up)."""
        answers, _ = self._call("more_like_statistics", text)
        return CollectionStats.combine(answers[k] for k in sorted(answers))

    def _more_like(self, text: Any, label: str, limit: int, page: int, exclude: str | None,
                   statistics: CollectionStats | None, partial: bool,
                   timeout: Any) -> ShardedResults:
        missing: set[int] = set()
        targets: Iterable[int] = range(self.shards)
        if statistics is None:
            parts, lost = self._call("more_like_statistics", text, partial=partial,
                                     timeout=timeout)
            missing |= lost.keys()
            statistics = CollectionStats.combine(parts[k] for k in sorted(parts))
            targets = sorted(parts)
        offset = (page - 1) * limit
        answers, lost = self._call("more_like_hits", text, offset + limit, exclude, statistics,
                                   shards=targets, partial=partial, timeout=timeout)
        return ShardedResults(_merge(answers, True, offset, limit), query=label,
                              total=sum(a["total"] for a in answers.values()), page=page,
                              limit=limit, missing_shards=missing | lost.keys())

    # Facets, statistics, spelling ----------------------------------------

    def facet_spellings(self, query: str, field: Literal["source", "tags"], *,
                        source: str | Iterable[str] | None = None,
                        tags: str | Iterable[str] | None = None,
                        since: str | date | datetime | None = None,
                        until: str | date | datetime | None = None,
                        phrase_slop: int | None = None,
                        ) -> dict[str, Counter[str]]:
        """Every shard's :meth:`Index.facet_spellings`, added up (the
        corrections and the reading of phrases chosen here, as a search
        chooses them)."""
        if field not in ("source", "tags"):
            raise QueryError(f"facets are available for 'source' and 'tags', not {field!r}")
        request = SearchRequest.build(query, self.ranking, source=source, tags=tags,
                                      since=since, until=until, phrase_slop=phrase_slop)
        corrections, _ = self._chosen_corrections(request)
        filters = {"source": source, "tags": tags, "since": since, "until": until,
                   "phrase_slop": request.params.phrase_slop}
        relax, _ = self._relax(request, self._parse(query, corrections), filters, corrections,
                               False, "default")
        options = {**filters, "correct": corrections, "relax_phrases": relax}
        answers, _ = self._call("facet_spellings", query, field, options)
        merged: dict[str, Counter[str]] = {}
        for k in sorted(answers):
            for key, counter in answers[k].items():
                merged.setdefault(key, Counter()).update(counter)
        return merged

    def facets(self, query: str, field: Literal["source", "tags"], *,
               source: str | Iterable[str] | None = None,
               tags: str | Iterable[str] | None = None,
               since: str | date | datetime | None = None,
               until: str | date | datetime | None = None) -> dict[str, int]:
        """:meth:`Index.facets` over every shard: the counts of all shards,
        added up, each value shown in its commonest spelling overall."""
        return facet_counts(self.facet_spellings(query, field, source=source, tags=tags,
                                                 since=since, until=until))

    def stats(self) -> dict[str, Any]:
        """:meth:`Index.stats` of the whole index, with the number of shards
        and each shard's article count."""
        answers, _ = self._call("stats")
        parts = [answers[k] for k in range(self.shards)]
        oldest = [p["oldest"] for p in parts if p["oldest"]]
        newest = [p["newest"] for p in parts if p["newest"]]
        sizes = [p["size_bytes"] for p in parts]
        return {
            "path": str(self.root) if self.root else None,
            "articles": sum(p["articles"] for p in parts),
            "sources": len(set().union(*(p["source_values"] for p in parts))),
            "source_counts": _sum_source_counts(p["source_counts"] for p in parts),
            "segments": sum(p["segments"] for p in parts),
            "oldest": min(oldest) if oldest else None,
            "newest": max(newest) if newest else None,
            "size_bytes": sum(sizes) if all(s is not None for s in sizes) else None,
            "analyzer": parts[0]["analyzer"],
            "weights": dict(self.ranking.weights),
            "shards": self.shards,
            "shard_articles": [p["articles"] for p in parts],
        }

    def suggest(self, query: str) -> str | None:
        """:meth:`Index.suggest` over every shard: the speller runs here and
        reads the sum of the shards' document frequencies (and the articles
        holding the query's other words), fetched a round of look-ups at a
        time, so it suggests what one index would. (When a candidate word is
        in more than 2,000 articles, both weigh an arbitrary 2,000 of them.)"""
        check_query(query)
        return self._spell(lambda speller: speller.suggest(query))[0]

    def _spell(self, ask: Callable[[Speller], T], *, partial: bool = False,
               timeout: Any = "default") -> tuple[T, set[int]]:
        """``ask`` of a speller reading the sum of every shard's figures:
        run again after each round of look-ups of the figures it missed,
        until it misses none. Also the shards that did not answer (with
        ``partial``; the figures are then those of the others)."""
        counts, missing = self._call("count", partial=partial, timeout=timeout)
        lost: set[int] = set(missing)
        frequencies: dict[tuple[str, str], int] = {}
        documents: dict[tuple[str, str], set[tuple[int, int]]] = {}
        doc_count = sum(counts.values())
        answer: T
        for _ in range(MAX_SPELLING_ROUNDS):
            want_df: set[tuple[str, str]] = set()
            want_docs: set[tuple[str, str]] = set()

            def df(fieldname: str, term: str) -> int:
                found = frequencies.get((fieldname, term))
                if found is None:
                    want_df.add((fieldname, term))
                    return 0
                return found

            def docs(fieldname: str, term: str) -> Iterable[object]:
                found = documents.get((fieldname, term))
                if found is None:
                    want_docs.add((fieldname, term))
                    return ()
                return found

            answer = ask(Speller(self.pipeline, df, self.spelling, docs, doc_count))
            if not want_df and not want_docs:
                return answer, lost
            # Every figure this round read as missing, from every shard at once.
            df_keys, doc_keys = sorted(want_df), sorted(want_docs)
            answers, missing = self._call("spelling_lookups", df_keys, doc_keys,
                                          partial=partial, timeout=timeout)
            lost |= missing.keys()
            for key in df_keys:
                frequencies[key] = 0
            for key in doc_keys:
                documents[key] = set()
            for k, (counts, holders) in answers.items():
                for key, n in zip(df_keys, counts):
                    frequencies[key] += int(n)
                for key, held in zip(doc_keys, holders):
                    documents[key].update((k, int(d)) for d in held)
        return answer, lost

    def _late_suggestion(self, query: str) -> str | None:
        try:
            return self.suggest(query)
        except (IndexClosedError, IndexOpenError, ShardUnavailableError):
            return None


# Loading -------------------------------------------------------------------

class _Loader:
    """Streams validated articles to the shards: a batch being filled and
    at most one being written per shard."""

    def __init__(self, index: ShardedIndex, size: int, bar: Any,
                 on_commit: Callable[[int], None] | None = None):
        self.index, self.size, self.bar = index, size, bar
        self.on_commit = on_commit
        self.ray = index._ray
        self.buffers: list[dict[str, Article]] = [{} for _ in range(index.shards)]
        self.writing: dict[int, Any] = {}
        self.added = 0
        self.failures: dict[int, BaseException] = {}

    def put(self, article: Article) -> None:
        k = shard_of(article.id, self.index.shards)
        buffer = self.buffers[k]
        # Within one batch the last version of an id wins, as in Index.add.
        buffer.pop(article.id, None)
        buffer[article.id] = article
        if len(buffer) >= self.size:
            self._send(k)

    def _send(self, k: int) -> None:
        batch, self.buffers[k] = list(self.buffers[k].values()), {}
        if k in self.writing:
            # One batch at a time per shard: its batches are written in the
            # order they were read, and the input waits for the slowest shard.
            self._wait(k)
        self._collect_finished()
        self.writing[k] = self.index._actors[k].add_batch.remote(batch)

    def _collect_finished(self) -> None:
        """Count the batches other shards finished meanwhile (progress)."""
        refs = list(self.writing.values())
        if refs:
            ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0)
            done = set(ready)
            for k in [k for k, ref in self.writing.items() if ref in done]:
                self._wait(k)

    def _wait(self, k: int) -> None:
        ref = self.writing.pop(k)
        errors = self.ray.exceptions
        try:
            written = self.ray.get(ref)
        except errors.RayTaskError as e:
            self._fail(k, self.index._task_error(k, e))
        except (errors.RayActorError, errors.WorkerCrashedError, errors.NodeDiedError,
                errors.ObjectLostError) as e:
            self._fail(k, None, f"its actor died and Ray did not restart it ({_first_line(e)})")
        else:
            self.added += written
            if self.bar is not None:
                self.bar.update(written)
            if self.on_commit is not None and written:
                self.on_commit(written)

    def _fail(self, k: int, error: BaseException | None, reason: str = "") -> None:
        # The other shards finish the batches they were given, so that the
        # count of what is committed is exact; then the load stops.
        self.settle()
        where = self.index._where(k)
        if error is None:
            raise ShardUnavailableError(
                f"the load stopped: {where} is unavailable: {reason}. {self.added} articles "
                "were committed before (they are kept, as is every batch the shard committed); "
                "load again once the shard is back: articles already there are replaced, not "
                "duplicated", shard=k, path=str(self.index.paths[k]), committed=self.added)
        raise error

    def finish(self) -> None:
        for k in range(self.index.shards):
            if self.buffers[k]:
                self._send(k)
        for k in list(self.writing):
            self._wait(k)

    def settle(self) -> None:
        """Wait for the batches being written, ignoring their failures (a
        failure is being reported already)."""
        for k in list(self.writing):
            try:
                self._wait(k)
            except BaseException:  # noqa: BLE001
                pass

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress_bar(progress: bool | None, total: int | None, shards: int) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=" articles", desc=f"indexing ({shards} shards)", leave=True)


# Helpers -------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Ranking:
    """What the shards answered a search (see :meth:`ShardedIndex._rank`)."""

    request: SearchRequest
    #: Whether the query ranks (has words), or lists articles newest first.
    ranked: bool
    answers: dict[int, Any]
    missing: set[int]
    parsed: ParsedQuery
    #: The phrases (as written) the shards read as words.
    relaxed: tuple[str, ...]

    def corrected(self, query: str) -> str | None:
        """``query`` with the corrections that were searched, or ``None``."""
        return apply_corrections(query, self.parsed.corrections)


def _merge(answers: Mapping[int, Mapping[str, Any]], ranked: bool, offset: int,
           limit: int) -> list[Hit]:
    """One page of the shards' hits, ordered as one index orders them: by
    score (or, without ranked words, newest first), ties by article id."""
    hits = [h for k in sorted(answers) for h in answers[k]["hits"]]
    if ranked:
        # Compared as one index compares them (see comparable_scores).
        rounded = comparable_scores(np.array([h.score for h in hits], dtype=float))
        order = sorted(range(len(hits)), key=lambda i: (-rounded[i], hits[i].id))
        hits = [hits[i] for i in order]
    else:
        hits.sort(key=lambda h: (-date_key(h.date), h.id))
    return [dataclasses.replace(h, rank=offset + i + 1)
            for i, h in enumerate(hits[offset:offset + limit])]


def _check_text(text: Any) -> None:
    """A text for more_like_text(): a string or a (headline, body) pair."""
    if isinstance(text, str) or (isinstance(text, tuple) and len(text) == 2
                                 and all(isinstance(part, str) for part in text)):
        return
    raise QueryError(f"text must be a string or a (headline, body) pair of strings, got "
                     f"{type(text).__name__}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _check_timeout(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise SettingsError(f"{name} must be a number of seconds > 0 or None, got {value!r}")
    return float(value)


def _connect(ray: Any, address: str | None) -> bool:
    """Connect to the Ray cluster; whether this started a local instance
    (that the last ShardedIndex using it shuts down)."""
    global _ray_users
    if address is not None and not isinstance(address, str):
        raise SettingsError(f"address must be a string such as 'auto' or 'host:6379', got "
                            f"{type(address).__name__}")
    with _ray_lock:
        if ray.is_initialized():
            if _ray_users:
                _ray_users += 1
                return True
            return False
        kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
        if address is None:
            # A new local instance: plain ray.init() would connect to the
            # cluster the last `ray start` on this machine made, even a
            # stopped one.
            kwargs.update(address="local", include_dashboard=False)
        else:
            kwargs["address"] = address
        try:
            ray.init(**kwargs)
        except Exception as e:  # noqa: BLE001 - connection, authentication, timeouts…
            raise ClusterUnavailableError(
                f"cannot connect to the Ray cluster at {address or 'a new local instance'}: "
                f"{_first_line(e)}. Start one with `ray start --head`, then pass its address "
                "(or 'auto' on one of its nodes)") from None
        _ray_users += 1
        return True


_REMOTE: dict[int, Any] = {}


def _remote_class(ray: Any) -> Any:
    """:class:`ShardActor` as a Ray actor class (made once per Ray module)."""
    made = _REMOTE.get(id(ray))
    if made is None:
        made = _REMOTE[id(ray)] = ray.remote(ShardActor)
    return made


def _placement_options(ray: Any, placement: Any, shards: int) -> list[dict[str, Any]]:
    """Each shard's Ray scheduling options for ``placement``."""
    if placement is None:
        return [{} for _ in range(shards)]
    if placement == "resources":
        return [{"resources": {f"{RESOURCE_PREFIX}{k}": RESOURCE_AMOUNT}}
                for k in range(shards)]
    if isinstance(placement, str) or not isinstance(placement, Sequence):
        raise SettingsError("placement must be None, 'resources' or a list of one node (an id "
                            f"or an IP address) per shard, got {placement!r}")
    if len(placement) != shards:
        raise SettingsError(f"placement lists {len(placement)} nodes for {shards} shards")
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    out = []
    for k, wanted in enumerate(placement):
        by_id = [n for n in nodes if n.get("NodeID") == wanted]
        by_address = [n for n in nodes if n.get("NodeManagerAddress") == wanted]
        found = by_id or by_address
        if not found:
            raise SettingsError(f"placement of shard {k}: no live Ray node has the id or address "
                                f"{wanted!r}")
        if len(found) > 1:
            raise SettingsError(f"placement of shard {k}: several nodes have the address "
                                f"{wanted!r}; give their node ids (ray.nodes())")
        out.append({"scheduling_strategy": NodeAffinitySchedulingStrategy(
            node_id=found[0]["NodeID"], soft=False)})
    return out


def _layout(paths_or_root: Any, shards: int | None, placement: Any, create: bool,
            ) -> tuple[Path | None, list[Path], str | None, bool, Manifest | None]:
    """The root (or ``None``), the shard directories, the index's id, whether
    the shards may be created, and the root's manifest."""
    if isinstance(paths_or_root, (str, os.PathLike)):
        root = Path(paths_or_root).expanduser().absolute()
        if root.exists() and not root.is_dir():
            raise IndexOpenError(f"{root} is a file, not a sharded index directory")
        manifest = read_manifest(root)
        if manifest is None:
            if (root / META_FILE).exists():
                raise IndexOpenError(
                    f"{root} holds an ordinary (unsharded) index; open it with arsearch.Index, "
                    "or build the sharded index in a new directory")
            if not create:
                raise IndexOpenError(
                    f"no sharded index at {root} (no arsearch-shards.json); create one with "
                    f"`arsearch index SOURCES --index {root} --shards N`")
            if root.exists() and any(root.iterdir()):
                raise IndexOpenError(f"{root} is not a sharded index and is not empty; choose a "
                                     "new or empty directory")
            if shards is None:
                raise SettingsError(f"{root} is a new sharded index: give its number of shards "
                                    "(shards=N, or --shards N)")
            stored = placement if placement == "resources" or (
                isinstance(placement, Sequence) and not isinstance(placement, str)) else None
            manifest = Manifest(shards=shards,
                                placement=list(stored) if isinstance(stored, list | tuple)
                                else stored)
            write_manifest(root, manifest)
        elif shards is not None and shards != manifest.shards:
            raise SettingsError(
                f"{root} has {manifest.shards} shards, not {shards}; a sharded index keeps the "
                "shard count it was built with (to change it, build a new one from the articles)")
        if not manifest.complete and not create:
            raise IndexOpenError(f"the creation of {root} was interrupted; open it with "
                                 "create=True to finish it")
        return root, shard_paths(root, manifest), manifest.index_id, not manifest.complete, \
            manifest
    if isinstance(paths_or_root, (bytes, bytearray)) or not isinstance(paths_or_root, Iterable):
        raise SettingsError("ShardedIndex takes a root directory or a list of shard directories, "
                            f"got {type(paths_or_root).__name__}")
    paths = check_paths(list(paths_or_root))
    if shards is not None and shards != len(paths):
        raise SettingsError(f"{len(paths)} shard paths given for shards={shards}")
    return None, paths, None, create, None


__all__ = ["ShardedIndex", "ShardedResults", "ShardUnavailableError"]


def _sum_source_counts(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Every shard's ``source_counts`` added up by normalized source (shown
    in the spelling first seen), most articles first."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for part in parts:
        for name, n in part.items():
            key = normalize_value(name)
            shown.setdefault(key, name)
            counts[key] = counts.get(key, 0) + n
    return dict(sorted(((shown[k], n) for k, n in counts.items()), key=lambda kv: (-kv[1], kv[0])))
