"""Merges written in a thread while a bulk load goes on (arsearch.index.merging).

A background merge reads committed segments and is committed later, in one
step: the deletions made meanwhile (an article replaced by a later batch,
or deleted by another thread) must reach the merged segment, a commit made
meanwhile must not delete the merged segment's files, and a merge that
fails or loses its sources is dropped without losing an article.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

import arsearch
from arsearch.index import merging


def _articles(n: int, version: str = "الأولى") -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "headline": f"خبر رقم {i}",
             "body": f"نص النسخة {version} من خبر عن الطقس والأمطار رقم {i}"} for i in range(n)]


def _index(path: Path) -> arsearch.Index:
    # One process and small batches: many small segments, a merge every ten
    # batches, in a thread as a load with worker processes does.
    ix = arsearch.Index(path, workers=1, batch_size=20)
    ix._writer.background_merges = True
    return ix


class _Gate:
    """Holds every background merge at its start until opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = threading.Event()
        self.opened = threading.Event()
        real = merging.merge_segments

        def gated(writer: Any, readers: Any) -> None:
            self.started.set()
            assert self.opened.wait(60), "the test never opened the gate"
            real(writer, readers)

        monkeypatch.setattr(merging, "merge_segments", gated)


def _segment_files(path: Path) -> set[str]:
    return {p.name.split(".")[0] for p in path.glob("MAIN_*.*")}


def _live_segments(ix: arsearch.Index) -> set[str]:
    return {s.segment_id() for s in ix._writer._ix._segments()}


def test_a_load_with_background_merges_holds_what_a_plain_load_holds(tmp_path: Path) -> None:
    background = _index(tmp_path / "background")
    plain = arsearch.Index(tmp_path / "plain", workers=1, batch_size=20)
    articles = _articles(1000)
    assert background.add(articles) == plain.add(articles) == 1000
    assert len(background) == 1000 and sorted(background.ids()) == sorted(plain.ids())
    # 50 batches: the merges kept the segments to a few tiers.
    assert background.stats()["segments"] <= 2 * (merging.MERGE_FACTOR - 1)
    for q in ("الطاقة", "رقم 917", "الطقس"):
        ours, theirs = background.search_ids(q, limit=30), plain.search_ids(q, limit=30)
        assert [d for d, _ in ours] == [d for d, _ in theirs]
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-9)
    # No file is left of a segment the index does not list.
    assert _segment_files(tmp_path / "background") == _live_segments(background)


def test_articles_replaced_while_their_segments_merge_stay_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _Gate(monkeypatch)
    ix = _index(tmp_path / "ix")
    commits: list[int] = []

    def committed(n: int) -> None:
        commits.append(n)
        if len(commits) == 13:      # the merge of batches 1-10 has waited for three batches
            assert gate.started.is_set()
            gate.opened.set()

    # Ten batches fill a tier and start a merge; the next batches replace
    # articles of those ten while it is held.
    first = _articles(200)
    replacements = _articles(60, version="الثانية")
    ix.add(first + replacements + _articles(300)[200:], on_commit=committed)
    assert len(ix) == 300
    assert sorted(ix.ids()) == sorted(f"a{i}" for i in range(300))
    assert ix.get("a7")["body"].startswith("نص النسخة الثانية")
    assert ix.get("a100")["body"].startswith("نص النسخة الأولى")
    second = {d for d, _ in ix.search_ids("الثانية", limit=500)}
    assert second == {f"a{i}" for i in range(60)}
    assert not {d for d, _ in ix.search_ids('"النسخة الأولى" رقم', limit=500)} & second


def test_an_article_deleted_by_another_thread_during_a_merge_stays_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _Gate(monkeypatch)
    ix = _index(tmp_path / "ix")
    errors: list[BaseException] = []

    def delete_then_open() -> None:
        try:
            assert gate.started.wait(60)
            ix.delete("a3")         # a committed article, in a segment being merged
            ix.delete("a150")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            gate.opened.set()

    other = threading.Thread(target=delete_then_open)
    other.start()
    ix.add(_articles(400))
    other.join()
    assert not errors
    assert len(ix) == 398
    assert "a3" not in ix and "a150" not in ix and "a4" in ix
    assert ix.search_ids("رقم 3", limit=400) and all(d != "a3" for d, _ in ix.search_ids("رقم 3"))


def test_a_merge_whose_segments_were_merged_meanwhile_is_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _Gate(monkeypatch)
    ix = _index(tmp_path / "ix")

    def optimize_then_open() -> None:
        assert gate.started.wait(60)
        ix.optimize()               # merges the merge's sources too
        gate.opened.set()

    other = threading.Thread(target=optimize_then_open)
    other.start()
    ix.add(_articles(400))
    other.join()
    assert len(ix) == 400 and sorted(ix.ids()) == sorted(f"a{i}" for i in range(400))
    assert [d for d, _ in ix.search_ids("رقم 399", limit=1)] == ["a399"]
    ix.add(_articles(1))            # a later commit removes the dropped merge's files
    assert _segment_files(tmp_path / "ix") == _live_segments(ix)


def test_a_failed_background_merge_is_dropped_with_a_warning_and_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    failures = []

    def failing(writer: Any, readers: Any) -> None:
        failures.append(len(readers))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merging, "merge_segments", failing)
    ix = _index(tmp_path / "ix")
    with caplog.at_level(logging.WARNING, logger="arsearch"):
        assert ix.add(_articles(400)) == 400
    assert failures and "background merge failed" in caplog.text
    assert len(ix) == 400 and sorted(ix.ids()) == sorted(f"a{i}" for i in range(400))
    # The merges that failed in the thread were done at the end of the load.
    assert ix.stats()["segments"] < 20
    assert _segment_files(tmp_path / "ix") == _live_segments(ix)


def test_a_bulk_load_on_worker_processes_merges_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = merging.merge_segments

    def watched(writer: Any, readers: Any) -> None:
        threads.append(threading.current_thread().name)
        real(writer, readers)

    monkeypatch.setattr(merging, "merge_segments", watched)
    monkeypatch.setattr("arsearch.index.parallel.MIN_RECORDS_PER_WORKER", 10)
    ix = arsearch.Index(tmp_path / "ix", workers=2, batch_size=40)
    assert ix.add(_articles(900)) == 900
    assert threads and set(threads) == {"arsearch-merge"}
    assert len(ix) == 900 and ix.stats()["segments"] <= 2 * (merging.MERGE_FACTOR - 1)


def test_the_workers_are_stopped_before_the_load_waits_for_its_last_merges(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The last merges are the largest; the workers, idle by then, must not
    # hold their memory through them.
    from arsearch.index import parallel

    events: list[str] = []
    stopped = threading.Event()
    real_close = parallel.SegmentBuilder.close
    real_merge = merging.merge_segments

    def close(self: Any) -> None:
        if self._procs:
            events.append("workers stopped")
            stopped.set()
        real_close(self)

    def merge(writer: Any, readers: Any) -> None:
        real_merge(writer, readers)
        # A merge ends only once the workers are stopped (or after 20 s):
        # the load must not wait for its last merge with its workers alive.
        stopped.wait(20)
        events.append("merge ended")

    monkeypatch.setattr(parallel.SegmentBuilder, "close", close)
    monkeypatch.setattr(merging, "merge_segments", merge)
    monkeypatch.setattr("arsearch.index.parallel.MIN_RECORDS_PER_WORKER", 10)
    ix = arsearch.Index(tmp_path / "ix", workers=2, batch_size=40)
    # 400 articles: ten batches of two segments. The first background merge
    # (of the first ten segments) is held until the workers stop; the
    # load waits for it at its end, then merges the other ten itself.
    assert ix.add(_articles(400)) == 400
    assert events == ["workers stopped", "merge ended"]
    assert len(ix) == 400 and ix.search("رقم 399").ids[0] == "a399"


def test_a_merge_writer_keeps_its_temporary_files_apart(tmp_path: Path) -> None:
    # Every writer of a process shares one temporary folder and removes it
    # when it finishes. A merge writer made in private_temp_folder() keeps
    # its files (the per-document columns among them) in a folder of its
    # own: another writer finishing meanwhile does not take them away (a
    # background merge failed that way, and the batch commit beside it).
    from arsearch import _whoosh
    from arsearch.index.storage import private_temp_folder

    path = tmp_path / "ix"
    ix = arsearch.Index(path, workers=1)
    ix.add(_articles(60), batch_size=20)
    ix._writer.merge_tail = lambda budget, below=None: None
    wix = ix._opened.whoosh_index
    segments = _whoosh.index_segments(wix)
    assert len(segments) > 1
    with private_temp_folder():
        merge = _whoosh.unlocked_writer(wix)
    other = _whoosh.unlocked_writer(wix)
    other.cancel()                    # finishes first, and removes the shared folder
    readers = _whoosh.segment_readers(wix, segments)
    try:
        _whoosh.merge_segments(merge, readers)
        segment = _whoosh.finish_segment(merge)
    finally:
        for reader in readers:
            reader.close()
    assert segment.doc_count() == 60
    # Each writer removed its own folder when it finished.
    assert not [p.name for p in path.iterdir() if p.name.endswith(".tmp")]
    ix.close()


def test_a_dead_writers_private_temporary_folder_is_removed(tmp_path: Path) -> None:
    # The next commit removes the temporary folders of writers whose
    # process is gone, the private ones of merges included; a live
    # process's folders stay.
    import subprocess
    import sys

    path = tmp_path / "ix"
    ix = arsearch.Index(path, workers=1)
    ix.add(_articles(5))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    for name in (f"MAIN.{dead}.tmp", f"MAIN.{dead}-3.tmp", "MAIN.1-2.tmp"):
        (path / name).mkdir()
    alive = path / "MAIN.1-2.tmp"           # pid 1 is alive
    ix.add(_articles(5, "الثانية"))
    assert [p.name for p in path.iterdir() if p.name.endswith(".tmp")] == [alive.name]
    ix.close()


def test_a_large_background_merge_runs_beside_one_worker_fewer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The merge thread takes a core; the worker it displaces is stopped, so
    # its memory does not come on top of the merge's.
    from arsearch.index import parallel

    gate = _Gate(monkeypatch)
    builds: list[tuple[bool, int, int]] = []
    real_build = parallel.SegmentBuilder.build

    def build(self: Any, records: Any, workers: Any = None) -> Any:
        merging_now = gate.started.is_set() and not gate.opened.is_set()
        built = real_build(self, records, *([workers] if workers else []))
        builds.append((merging_now, len(built), len(self._procs)))
        if len(builds) == 13:
            gate.opened.set()
        return built

    monkeypatch.setattr(parallel.SegmentBuilder, "build", build)
    monkeypatch.setattr("arsearch.index.parallel.MIN_RECORDS_PER_WORKER", 10)
    monkeypatch.setattr("arsearch.index.writing.HOLD_BACK_MERGE_MIN", 100)
    ix = arsearch.Index(tmp_path / "ix", workers=2, batch_size=40)
    # Twenty batches of two segments: the first ten segments (200 articles)
    # merge in the background, held until the thirteenth batch is written.
    assert ix.add(_articles(800)) == 800
    # While it runs, one worker writes the batch's two segments in turn:
    # the same segments as two workers write, with one worker's memory.
    during = [b for b in builds if b[0]]
    assert during and all(segments == 2 and procs == 1 for _, segments, procs in during)
    # Before the merge, both workers write.
    assert builds[0] == (False, 2, 2)
    assert len(ix) == 800 and sorted(ix.ids()) == sorted(f"a{i}" for i in range(800))


def test_a_small_background_merge_keeps_every_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arsearch.index import parallel

    gate = _Gate(monkeypatch)
    builds: list[int] = []
    real_build = parallel.SegmentBuilder.build

    def build(self: Any, records: Any, workers: Any = None) -> Any:
        built = real_build(self, records, *([workers] if workers else []))
        if gate.started.is_set():
            builds.append(len(self._procs))
        if len(builds) == 3:
            gate.opened.set()
        return built

    monkeypatch.setattr(parallel.SegmentBuilder, "build", build)
    monkeypatch.setattr("arsearch.index.parallel.MIN_RECORDS_PER_WORKER", 10)
    ix = arsearch.Index(tmp_path / "ix", workers=2, batch_size=40)
    assert ix.add(_articles(800)) == 800
    assert builds[:3] == [2, 2, 2]
    assert len(ix) == 800
