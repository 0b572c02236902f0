"""Writing to an index: locks, batches, segments and commits.

:class:`IndexWriter` is the write half of :class:`~arsearch.Index`. It
validates records, groups them into batches, writes each batch as one
atomic commit (in worker processes for a bulk load on disk, see
:mod:`arsearch.index.parallel`) and tells the index after every commit, so
that searches move to the new state while the ones already running finish
on the old one.

arsearch takes Whoosh's write lock itself and gives Whoosh a writer that
does not lock (:func:`arsearch._whoosh.unlocked_writer`), so the lock is
released whatever fails. Whoosh's own writer keeps its lock when its
constructor fails after locking (a read-only directory, a full /tmp), and
every later write then failed with IndexLockedError, or on an in-memory
index hung for ever: there the lock is a threading lock, which Whoosh polls
with a blocking ``acquire()``.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import numpy as np

from .._whoosh import (index_segments, merge_segments, quiet, segment_id, segment_readers,
                       unlocked_writer)
from ..article import Article, to_article
from ..errors import DocumentError, IndexLockedError, IndexWriteError, SettingsError
from .merging import (HOLD_BACK_MERGE_MIN, PARALLEL_MERGE_MIN, TAIL_SHARE, BackgroundMerge,
                      merge_plan, split_merge, tail_plan, tier_ceiling)
from .parallel import SegmentBuilder
from .postingfile import postings_sink
from .schema import exact_fields
from .storage import OpenedIndex, acquire_lock, private_temp_folder, remove_stale_files
from .termfilter import FilterWriter, filter_fields, term_checksums

log = logging.getLogger("arsearch")

#: Records per commit in :meth:`IndexWriter.add`. Larger batches index
#: faster; a crash loses at most the batch being written. With two worker
#: processes, 4,000 (two segments of 2,000) took 18% less CPU than 2,000
#: (smaller segments repeat their common terms, and are merged sooner).
DEFAULT_BATCH_SIZE = 4000

def check_add_options(articles: Any, errors: str, bad_dates: str, batch_size: int | None,
                      default_batch: int) -> tuple[Iterable[Any], int]:
    """The checked options of ``add()`` (of an index or a sharded one): the
    articles as an iterable (one article becomes a list of one) and the
    batch size."""
    if errors not in ("raise", "skip"):
        raise SettingsError(f"errors must be 'raise' or 'skip', got {errors!r}")
    if bad_dates not in ("raise", "drop"):
        raise SettingsError(f"bad_dates must be 'raise' or 'drop', got {bad_dates!r}")
    size = default_batch if batch_size is None else batch_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SettingsError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(articles, (Article, Mapping)):
        articles = [articles]
    if isinstance(articles, (str, bytes, bytearray)) or not isinstance(articles, Iterable):
        raise DocumentError("add() takes an article (a dict or an arsearch.Article) or an "
                            f"iterable of them, got {type(articles).__name__}")
    return articles, size


class IndexWriter:
    """Adds, replaces and deletes the articles of one opened index.

    One writer at a time, in this process (a lock) and across processes
    (Whoosh's lock file, waited for up to ``lock_timeout`` seconds).
    ``committed`` is called after every successful commit.
    """

    def __init__(self, opened: OpenedIndex, *, lock_timeout: float, batch_size: int,
                 workers: int, committed: Callable[[], None],
                 check_open: Callable[[], None]):
        self._opened = opened
        self._ix = opened.whoosh_index
        self.lock_timeout = lock_timeout
        self.batch_size = batch_size
        self.workers = workers
        self._committed = committed
        self._check_open = check_open
        self._lock = threading.RLock()
        self._exact = exact_fields(opened.schema)
        #: Merge in a background thread during add(): ``None`` decides by
        #: the load (when it runs worker processes, see add()).
        self.background_merges: bool | None = None
        # Segments that background merges are writing (see merging.py).
        self._spared: set[str] = set()
        self._filters = None if opened.path is None else FilterWriter(
            opened.path, filter_fields(opened.schema))

    @property
    def where(self) -> str:
        return str(self._opened.path or "memory")

    # Commits ----------------------------------------------------------

    def commit(self, write: Callable[[Any], None], **commit_args: Any) -> None:
        """Run ``write(writer)`` and commit, or leave the index untouched.
        Segments are merged only as arsearch's policy says (merge_tiers,
        optimize): Whoosh's own default merged small segments at every
        commit, a delete() included, its slow way."""
        commit_args.setdefault("mergetype", _same_segments)
        with self._lock:
            self._check_open()
            lock = self._ix.lock("WRITELOCK")
            self._acquire(lock)
            done = False
            getattr(self._ix.storage, "unflushed", []).clear()
            try:
                if self._opened.path is not None:
                    remove_stale_files(self._opened.path)
                with quiet():
                    writer = unlocked_writer(self._ix, spare=self._spared,
                                             postings=postings_sink(self._ix))
                try:
                    with quiet():
                        write(writer)
                        writer.commit(**commit_args)
                except BaseException:
                    _abandon(writer)
                    raise
                done = True
                self._write_term_filters()
            except OSError as e:
                raise IndexWriteError(self._write_failure(e)) from None
            finally:
                lock.release()
                # Whatever happened, searches move to what is committed now:
                # the new state, or the old one after a failure (a failure
                # while old files were removed comes after the commit).
                try:
                    self._committed()
                except Exception:
                    if done:
                        raise
            self._check_flushed()

    def _write_term_filters(self) -> None:
        """The term filters of the segments just committed (and of any
        segment left without one, see :mod:`arsearch.index.termfilter`).
        They only save look-ups: failing to write one fails no commit."""
        if self._filters is None:
            return
        try:
            self._filters.write_missing(self._ix)
        except OSError as e:
            log.warning("could not write a term filter in %s (%s); searches ask the "
                        "segment's dictionary instead", self._opened.path, e)

    def _check_flushed(self) -> None:
        """Report a commit whose directory could not be flushed to disk."""
        failed = getattr(self._ix.storage, "unflushed", None)
        if failed:
            error = failed[-1]
            failed.clear()
            raise IndexWriteError(
                f"the commit to {self.where} is in place, but flushing the directory to disk "
                f"failed ({error.strerror or error}): it may not survive a power cut or a "
                "crash of the machine. Earlier commits are not affected")

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

    def _write_failure(self, e: OSError) -> str:
        if isinstance(e, PermissionError):
            return (f"cannot write to the index in {self.where}: permission denied (is the "
                    "directory read-only?); searching it still works")
        return f"cannot write to the index in {self.where}: {e.strerror or e}"

    # Adding -------------------------------------------------------------

    def add(self, articles: Iterable[Article | Mapping[str, Any]], *,
            progress: bool | None = None, errors: Literal["raise", "skip"] = "raise",
            bad_dates: Literal["raise", "drop"] = "raise",
            batch_size: int | None = None,
            on_commit: Callable[[int], None] | None = None) -> int:
        """See :meth:`arsearch.Index.add`."""
        articles, size = check_add_options(articles, errors, bad_dates, batch_size,
                                           self.batch_size)
        bar = _progress_bar(articles) if progress else None
        added = 0
        batch: dict[str, Article] = {}
        builder = self._segment_builder()
        # While the workers write new batches, merges run in a thread of
        # this process (which otherwise waits for them): merging then costs
        # CPU time, but hardly any time on the clock.
        background = (self.background_merges if self.background_merges is not None
                      else builder is not None)
        merging: BackgroundMerge | None = None
        batches = 0

        def write(full: Mapping[str, Article], last: bool = False) -> int:
            nonlocal merging, batches
            workers = None
            if (builder is not None and merging is not None and not merging.done()
                    and merging.articles >= HOLD_BACK_MERGE_MIN):
                # The merge thread takes a core of its own: one worker
                # fewer meanwhile costs little speed, and its memory is
                # freed (the build's peak at a million articles came from a
                # 200,000-article merge beside two workers).
                workers = max(1, builder.workers - 1)
                builder.release(workers)
            written = self._write_batch(full, builder, merge=not background, workers=workers)
            batches += bool(written)
            if background and written and not last:
                merging = self._next_merge(merging)
            # Progress counts committed articles, so it never runs ahead
            # of what a crash would keep.
            if written and bar is not None:
                bar.update(written)
            if written and on_commit is not None:
                on_commit(written)
            return written

        def commit_merge() -> None:
            # The running merge, when the articles are all committed.
            nonlocal merging
            if merging is not None:
                merging, finished = None, merging
                self._end_merge(finished, install=True)

        try:
            for position, raw in enumerate(articles):
                try:
                    article = to_article(raw, position, bad_dates=bad_dates)
                except DocumentError as e:
                    if errors == "skip":
                        log.warning("skipped: %s", e)
                        continue
                    raise
                if len(batch) >= size:
                    # A full batch is written once the next article shows it
                    # is not the last: the last batch starts no background
                    # merge, its merges are planned with the load's last ones.
                    full, batch = batch, {}
                    added += write(full)
                # Within one batch the last version of an id wins.
                batch.pop(article.id, None)
                batch[article.id] = article
            full, batch = batch, {}
            added += write(full, last=True)
            if builder is not None:
                # The workers are done: stop them before the last merges,
                # which ran with the workers' memory still held (the
                # build's peak at a million articles).
                builder.close()
            commit_merge()
            if background:
                self.merge_tiers(workers=self.workers, cascade=True)
            if batches > 1:
                self.merge_tail(TAIL_SHARE * added, below=tier_ceiling(size))
        except DocumentError:
            # Every record before the bad one is committed, also when the
            # input itself raises (read_jsonl or read_csv at a broken line).
            write(batch)
            commit_merge()
            raise
        finally:
            if bar is not None:
                bar.close()
            if builder is not None:
                builder.close()
            if merging is not None:
                # Failed: the merge is not committed, and its files go with
                # the next commit. An interrupt does not wait for it.
                self._end_merge(merging, install=False,
                                wait=isinstance(sys.exc_info()[1], Exception))
        return added

    def _segment_builder(self) -> SegmentBuilder | None:
        """Worker processes for a bulk load, for an index on disk when more
        than one core is available (see :mod:`arsearch.index.parallel`)."""
        if self._opened.path is None or self.workers < 2:
            return None
        return SegmentBuilder(str(self._opened.path), self._ix.indexname, self.workers)

    def _write_batch(self, batch: Mapping[str, Article],
                     builder: SegmentBuilder | None = None, *, merge: bool = True,
                     workers: int | None = None) -> int:
        if not batch:
            return 0
        records = [index_fields(article, self._exact) for article in batch.values()]
        parallel = builder is not None and builder.worth_it(len(records))
        built: list[Any] = []

        def write(writer: Any) -> None:
            # Upsert: delete the batch's ids that already exist, then add.
            # (Whoosh's update_document opens a searcher for every record,
            # which made large loads and small batches several times slower.)
            with quiet():
                reader = writer.reader()
                try:
                    for docnum in self._existing(reader, list(batch)):
                        writer.delete_document(docnum)
                finally:
                    reader.close()
            if parallel:
                built.extend(builder.build(records, workers))  # type: ignore[union-attr]
            else:
                for fields in records:
                    writer.add_document(**fields)

        def keep(writer: Any, segments: list[Any]) -> list[Any]:
            # The existing segments and those the workers wrote, in this one
            # commit; merging is a commit of its own (merge_tiers).
            return list(segments) + built

        self.commit(write, mergetype=keep)
        if merge:
            self.merge_tiers()
        return len(batch)

    def _existing(self, reader: Any, ids: list[str]) -> list[int]:
        """The document numbers (in ``reader``) of the articles with these
        ids. Each segment's term filter rules out most ids with one array
        search; the rest are looked up in the segment (a hash-table probe
        each: asking every segment for every id took 4.4 s of a 100 s load
        of 50,000 articles, in the parent, before each batch went to the
        workers)."""
        found: list[int] = []
        checksums = term_checksums(ids) if self._filters is not None else None
        for leaf, base in reader.leaf_readers():
            asked = ids
            if self._filters is not None:
                maybe = self._filters.may_hold_ids(segment_id(leaf), leaf.doc_count_all(),
                                                   checksums)
                if maybe is not None:
                    asked = [ids[i] for i in np.flatnonzero(maybe)]
            for article_id in asked:
                if ("id", article_id) in leaf:
                    found += (base + d for d in leaf.postings("id", article_id).all_ids())
        return found

    # Merging ------------------------------------------------------------

    def merge_tiers(self, workers: int = 1, cascade: bool = False) -> None:
        """Merge segments as :func:`merge_plan` says (with ``cascade``, see
        there), until it says no more; with ``workers`` > 1, a large merge is
        split between that many worker processes (see
        :data:`PARALLEL_MERGE_MIN`)."""
        while ((workers > 1 and self._merge_in_workers(workers, cascade))
               or self._merge(lambda segments: merge_plan(_sizes(segments), cascade=cascade))):
            pass

    def _merge_in_workers(self, workers: int, cascade: bool) -> bool:
        """The merge :func:`merge_plan` wants, when it holds at least
        :data:`PARALLEL_MERGE_MIN` articles, written as up to ``workers``
        segments by as many fresh worker processes, side by side, and
        committed in one step; whether it was. A failure is logged and
        leaves the merge to the caller's serial one."""
        if self._opened.path is None:
            return False
        sizes = _sizes(index_segments(self._ix))
        if sum(sizes[n] for n in merge_plan(sizes, cascade=cascade)) < PARALLEL_MERGE_MIN:
            return False
        chosen: set[str] = set()
        made: list[Any] = []

        def write(writer: Any) -> None:
            # Under the write lock: the segments stay as they are until the
            # merged ones replace them in this commit.
            now = _sizes(writer.segments)
            plan = merge_plan(now, cascade=cascade)
            if sum(now[n] for n in plan) < PARALLEL_MERGE_MIN:
                return
            merger = SegmentBuilder(str(self._opened.path), self._ix.indexname, workers)
            try:
                made.extend(merger.merge(split_merge(plan, now, workers)))
                chosen.update(plan)
            except IndexWriteError as e:
                log.warning("a merge in worker processes failed; merging here instead: %s", e)
            finally:
                merger.close()

        def swap(writer: Any, segments: list[Any]) -> list[Any]:
            return [s for s in segments if s.segment_id() not in chosen] + made

        self.commit(write, mergetype=swap)
        return bool(made)

    def merge_tail(self, budget: float, below: float = float("inf")) -> None:
        """Merge the smallest segments (each below ``below`` articles), up to
        ``budget`` articles, as a bulk load ends (see :func:`tail_plan`)."""
        self._merge(lambda segments: tail_plan(_sizes(segments), budget, below))

    def _merge(self, choose: Callable[[list[Any]], list[str]], *, precheck: bool = True) -> bool:
        """One commit replacing the segments ``choose`` names by one holding
        their live articles (see :func:`arsearch._whoosh.merge_segments`);
        whether there was anything to merge. The choice is made under the
        write lock, from the segments as they are then; with ``precheck``,
        a look without the lock first saves a commit when nothing is due."""
        if precheck and not choose(index_segments(self._ix)):
            return False
        chosen: set[str] = set()

        def write(writer: Any) -> None:
            segments = list(writer.segments)
            chosen.update(choose(segments))
            if chosen:
                merge_segments(writer, segment_readers(
                    self._ix, [s for s in segments if s.segment_id() in chosen]))

        def others(writer: Any, segments: list[Any]) -> list[Any]:
            return [s for s in segments if s.segment_id() not in chosen]

        self.commit(write, mergetype=others)
        return bool(chosen)

    def _next_merge(self, running: BackgroundMerge | None) -> BackgroundMerge | None:
        """The background merge to run now: ``running`` while it runs; when
        it has finished, it is committed and the next one (if
        :func:`merge_plan` wants one) starts."""
        if running is not None:
            if not running.done():
                return running
            self._end_merge(running, install=True)
        with self._lock:
            segments = index_segments(self._ix)
            chosen = set(merge_plan(_sizes(segments)))
            if not chosen:
                return None
            # Under the lock: no commit of this process runs between the
            # merged segment's first file and its being spared. Its
            # temporary files are its own: a commit of this thread removes
            # the shared folder while the merge still writes.
            with quiet(), private_temp_folder():
                writer = unlocked_writer(self._ix, postings=postings_sink(self._ix))
            merge = BackgroundMerge(self._ix, [s for s in segments if s.segment_id() in chosen],
                                    writer)
            self._spared.add(merge.name)
            return merge

    def _end_merge(self, merge: BackgroundMerge, *, install: bool, wait: bool = True) -> None:
        """Wait for a background merge, and commit it if ``install``."""
        if wait or install:
            merge.wait()
        try:
            if not install:
                return
            if merge.error is not None:
                # Its sources stay, and are merged later; a failure of the
                # disk shows in the next commit too.
                log.warning("a background merge failed and was dropped: %s", merge.error)
                return

            def swap(writer: Any, segments: list[Any]) -> list[Any]:
                swapped = merge.swap(segments)
                return list(segments) if swapped is None else swapped

            self.commit(lambda writer: None, mergetype=swap)
        finally:
            with self._lock:
                self._spared.discard(merge.name)

    # Deleting and merging ------------------------------------------------

    def delete(self, article_id: str) -> None:
        self.commit(lambda w: w.delete_by_term("id", article_id))

    def optimize(self) -> None:
        """Merge every segment into one (dropping deleted articles)."""
        # Decided under the lock: another writer may be committing now.
        self._merge(lambda segments: [s.segment_id() for s in segments]
                    if len(segments) > 1 or any(s.has_deletions() for s in segments) else [],
                    precheck=False)


def index_fields(article: Article, exact: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Whoosh fields of one article; ``exact`` maps a text field to the
    field of its exact forms (see :data:`arsearch.index.schema.EXACT_FIELDS`)."""
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
    for name, exact_name in (exact or {}).items():
        fields[exact_name] = fields[name]
    if article.date is not None:
        fields["date"] = article.date
    return fields


def _sizes(segments: Iterable[Any]) -> dict[str, int]:
    """Each segment's number of live articles, by name: what the merge
    policies read."""
    return {s.segment_id(): s.doc_count() for s in segments}


def _same_segments(writer: Any, segments: list[Any]) -> list[Any]:
    return list(segments)


def _abandon(writer: Any) -> None:
    """Cancel a writer after a failure: close its files and remove its
    temporary ones. The caller releases the lock."""
    try:
        with quiet():
            writer.cancel()
    except Exception:  # noqa: BLE001 - the original failure is what the caller reports
        pass


def _progress_bar(articles: Any) -> Any:
    """A bar with a total when the input knows its size: a list, or a
    reader (which counts its records first)."""
    from ..progress import progress_bar

    total = None
    try:
        total = len(articles)
    except TypeError:
        count = getattr(articles, "count_records", None)
        if callable(count):
            total = count()
    return progress_bar(total, desc="indexing", unit=" articles", leave=True)


__all__ = ["DEFAULT_BATCH_SIZE", "IndexWriter", "index_fields"]
