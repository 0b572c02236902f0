"""Concurrency: writers in several processes take turns and lose nothing, a
writer that cannot get the lock in ``lock_timeout`` seconds gets
``IndexLockedError``, and a reader searching during writes only ever sees
committed states. In-memory indexes in several processes do not disturb
each other (Whoosh's RamStorage shares one temporary folder between them).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

import arsearch
from arsearch import IndexLockedError

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import reliability_child as child  # noqa: E402

HANG_GUARD = 180  # seconds; only so that a deadlock fails instead of hanging


def run_writers(specs: list[dict], go: Path) -> list[int]:
    """Start one writer child per spec, let them all go at once, and return
    the count each one printed."""
    procs = [child.spawn("write", {**spec, "go": str(go)}) for spec in specs]
    deadline = time.monotonic() + HANG_GUARD
    while len(list(go.parent.glob(go.name + ".ready.*"))) < len(procs):
        assert all(proc.poll() is None for proc in procs), "a writer exited before starting"
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.01)
    go.touch()
    counts = []
    for proc in procs:
        out, err = proc.communicate(timeout=HANG_GUARD)
        assert proc.returncode == 0, err
        counts.append(int(out.split()[-1]))
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("existing", [True, False], ids=["existing index", "both creating it"])
def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path, existing: bool) -> None:
    """Both add 150 articles at once. When the index does not exist yet,
    both create it at once too (that used to fail one of them about every
    other time: each deleted the other's first table of contents)."""
    index = tmp_path / "index"
    if existing:
        arsearch.Index(index).close()
    specs = [{"index": str(index), "start": start, "batches": 6, "batch": 25}
             for start in (0, 10_000)]
    run_writers(specs, tmp_path / "go")
    ix = arsearch.Index(index, create=False)
    expected = [f"a{n:07d}" for start in (0, 10_000) for n in range(start, start + 150)]
    assert len(ix) == 300
    assert sorted(ix.ids()) == expected


@pytest.mark.slow
def test_in_memory_indexes_in_two_processes_do_not_disturb_each_other(tmp_path: Path) -> None:
    """Whoosh's RamStorage gives every writer on the machine the same
    temporary folder, /tmp/MAIN.tmp, and each writer removes it when it
    finishes: two processes building in-memory indexes broke each other's
    commits. Each arsearch in-memory index has a private folder."""
    specs = [{"index": None, "start": start, "batches": 8, "batch": 40} for start in (0, 1000)]
    assert run_writers(specs, tmp_path / "go") == [320, 320]


def test_threads_adding_to_one_index_lose_nothing() -> None:
    ix = arsearch.Index()
    errors: list[BaseException] = []

    def add(start: int) -> None:
        try:
            for b in range(4):
                ix.add(child.articles(start + 10 * b, 10))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=add, args=(start,)) for start in (0, 500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_GUARD)
    assert not errors
    assert len(ix) == 80


@pytest.fixture
def paused_writer(tmp_path: Path):
    """An index of 20 articles and a child process stopped half-way through
    adding 20 more: it holds the write lock until it is killed."""
    index = tmp_path / "index"
    with arsearch.Index(index) as ix:
        ix.add(child.articles(0, 20))
    proc = child.spawn("pause", {"index": str(index), "point": "analyzer",
                                 "marker": str(tmp_path / "marker"), "start": 20, "count": 20,
                                 "batch": 20})
    child.wait_for_marker(proc, tmp_path / "marker")
    yield index, proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


@pytest.mark.slow
def test_a_writer_gives_up_after_lock_timeout_with_index_locked_error(paused_writer) -> None:
    index, proc = paused_writer
    ix = arsearch.Index(index, lock_timeout=0.5)
    with pytest.raises(IndexLockedError, match="lock_timeout"):
        ix.add(child.articles(100, 3))
    with pytest.raises(IndexLockedError):
        ix.delete("a0000001")
    with pytest.raises(IndexLockedError):
        ix.optimize()
    # Reading does not need the lock, and nothing changed.
    assert len(ix) == 20
    assert ix.get("a0000001") is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert ix.add(child.articles(100, 3)) == 3
    assert len(ix) == 23


@pytest.mark.slow
def test_a_writer_waits_for_the_lock_within_lock_timeout(paused_writer) -> None:
    index, proc = paused_writer
    ix = arsearch.Index(index, lock_timeout=HANG_GUARD)
    outcome: list[object] = []
    waiting = threading.Thread(target=lambda: outcome.append(ix.add(child.articles(100, 3))))
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and not outcome  # still waiting for the lock
    os.kill(proc.pid, signal.SIGKILL)
    waiting.join(HANG_GUARD)
    assert outcome == [3]
    assert len(ix) == 23


@pytest.mark.slow
def test_a_reader_during_commits_and_merges_sees_only_committed_states(tmp_path: Path) -> None:
    index = tmp_path / "index"
    batch, batches = 20, 16
    with arsearch.Index(index) as ix:
        ix.add(child.articles(100_000, batch))
    seen_file, stop = tmp_path / "seen.jsonl", tmp_path / "stop"
    reader = child.spawn("read", {"index": str(index), "stop": str(stop), "out": str(seen_file),
                                  "word": "في"})
    try:
        run_writers([{"index": str(index), "start": 0, "batches": batches, "batch": batch,
                      "optimize_every": 6, "sync_with": str(seen_file)}], tmp_path / "go")
    finally:
        stop.touch()
        _, err = reader.communicate(timeout=HANG_GUARD)
    assert reader.returncode == 0, err
    seen = [json.loads(line) for line in seen_file.read_text("utf-8").splitlines()]
    assert [s for s in seen if "error" in s] == []
    committed = {batch * b for b in range(1, batches + 2)}
    for key in ("len", "listed"):
        counts = [s[key] for s in seen]
        assert set(counts) <= committed, key
        assert counts == sorted(counts), key
    words = [s["word"] for s in seen]
    assert words == sorted(words)
    assert len({s["len"] for s in seen}) > 2  # the reader did run during the writes
    assert len(arsearch.Index(index, create=False)) == batch * (batches + 1)
