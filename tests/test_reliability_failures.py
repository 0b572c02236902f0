"""A write that fails half-way (an exception injected into Whoosh, a
read-only directory) leaves the index as it was and the write lock free:
the next ``add()`` works at once.

A lock left held used to make the next writer of an in-memory index hang
for ever: Whoosh polls the lock with ``lock.acquire()``, which blocks on a
threading lock, whatever the timeout. So the next write runs in a thread
with a hang guard (:func:`within`), and ``lock_timeout`` is small.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import whoosh.index
from whoosh.filedb.filestore import FileStorage

import arsearch
import arsearch._whoosh as seam
from arsearch import IndexOpenError, IndexWriteError

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import reliability_child as child  # noqa: E402


HANG_GUARD = 30  # seconds


class Injected(RuntimeError):
    pass


def within(seconds: float, fn: Any) -> Any:
    """``fn()``, run in a thread; fails the test if it has not returned
    after ``seconds`` instead of hanging it. (Pass a lambda: a failure
    report shows ``fn``, and the repr of an Index waits for its lock.)"""
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, fn()))
        except BaseException as e:  # re-raised below
            outcome.append((False, e))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "the call hung: a lock was left held"
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _raise(exc: BaseException):
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise exc
    return fail


def _fail_on_third_document(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    add_document = seam._SegmentWriter.add_document
    calls = {"n": 0}

    def failing(self: Any, **fields: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise exc
        add_document(self, **fields)

    monkeypatch.setattr(seam._SegmentWriter, "add_document", failing)


# Where the failure is injected, what add() raises, and whether the batch is
# committed all the same (a failure after the new table of contents is in
# place: the batch is in, the error reports the failed clean-up).
FAILURES = {
    "writer constructor": (lambda mp, ix: mp.setattr(
        type(ix._opened.whoosh_index.storage), "temp_storage",
        _raise(OSError(errno.ENOSPC, "No space left on device"))), IndexWriteError, False),
    "add_document": (lambda mp, ix: _fail_on_third_document(mp, Injected("boom")),
                     Injected, False),
    "interrupt": (lambda mp, ix: _fail_on_third_document(mp, KeyboardInterrupt()),
                  KeyboardInterrupt, False),
    "TOC.write": (lambda mp, ix: mp.setattr(whoosh.index.TOC, "write", _raise(Injected("boom"))),
                  Injected, False),
    "temp folder removed": (lambda mp, ix: mp.setattr(
        FileStorage, "destroy", _raise(FileNotFoundError(errno.ENOENT, "gone"))),
        IndexWriteError, True),
}


@pytest.mark.parametrize("where", ["memory", "disk"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_write_leaves_the_index_unchanged_and_the_lock_free(
        failure: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inject, error, committed = FAILURES[failure]
    ix = arsearch.Index(tmp_path / "index" if where == "disk" else None, lock_timeout=1)
    ix.add(child.articles(0, 10))
    inject(monkeypatch, ix)
    with pytest.raises(error):
        ix.add(child.articles(10, 5))
    monkeypatch.undo()
    assert len(ix) == (15 if committed else 10)
    assert ("a0000012" in ix) is committed
    # No hang and no IndexLockedError: the lock was released.
    assert within(HANG_GUARD, lambda: ix.add(child.articles(20, 5))) == 5
    assert len(ix) == (20 if committed else 15)
    if where == "disk":
        child.assert_no_leftovers(tmp_path / "index", ix)
        ix.close()
        assert len(arsearch.Index(tmp_path / "index", create=False)) == (20 if committed else 15)


def test_a_failed_optimize_and_delete_release_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    ix = arsearch.Index(lock_timeout=1)
    ix.add(child.articles(0, 10), batch_size=5)
    monkeypatch.setattr(whoosh.index.TOC, "write", _raise(Injected("boom")))
    with pytest.raises(Injected):
        ix.optimize()
    with pytest.raises(Injected):
        ix.delete("a0000001")
    monkeypatch.undo()
    assert len(ix) == 10
    assert within(HANG_GUARD, lambda: ix.delete("a0000001")) is True
    within(HANG_GUARD, lambda: ix.optimize())
    assert len(ix) == 9


def _make_read_only(path: Path) -> list[str] | None:
    """Make ``path`` read-only: chmod, or for root (whom chmod does not
    stop) the immutable attribute. The command undoing it, or None when
    neither works here."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return ["chmod", "755", str(path)]
    try:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    except FileNotFoundError:
        return None
    if done.returncode != 0:
        return None
    return ["chattr", "-i", str(path)]


@pytest.fixture
def read_only(tmp_path: Path):
    """``read_only(path)`` makes a directory read-only until the test ends;
    skips the test where that is impossible."""
    undo: list[list[str]] = []

    def make(path: Path) -> None:
        command = _make_read_only(path)
        if command is None:
            pytest.skip("cannot make a directory read-only here: running as root, and "
                        "chattr +i is unavailable or not permitted on this file system")
        undo.append(command)
        probe = path / "probe"
        try:
            probe.touch()
        except OSError:
            return
        probe.unlink()
        pytest.skip(f"{path} is still writable after {command[0]}")

    yield make
    for command in undo:
        subprocess.run(command, check=True)


def test_an_index_in_a_read_only_directory_can_be_searched_but_not_written(
        tmp_path: Path, read_only) -> None:
    index = tmp_path / "index"
    with arsearch.Index(index) as ix:
        ix.add(child.articles(0, 10))
    read_only(index)
    ix = arsearch.Index(index, lock_timeout=1)
    assert len(ix) == 10
    assert ix.search(child.articles(3, 1)[0]["headline"]).total >= 1
    for _ in range(2):  # the second time too: no lock is left held
        with pytest.raises(IndexWriteError, match="read-only"):
            within(HANG_GUARD, lambda: ix.add(child.articles(10, 3)))
    assert len(ix) == 10


def test_a_new_index_in_a_read_only_directory_is_refused(tmp_path: Path, read_only) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    read_only(empty)
    with pytest.raises(IndexOpenError, match="read-only|cannot create"):
        arsearch.Index(empty)


def test_a_worker_that_dies_fails_its_batch_and_leaves_the_index_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parallel batch (arsearch.index.parallel) whose worker process is
    killed: IndexWriteError, nothing of the batch is committed, the lock is
    free and the next batch starts new workers."""
    import arsearch.index.parallel as parallel

    index = tmp_path / "index"
    ix = arsearch.Index(index, workers=2, lock_timeout=1)
    ix.add(child.articles(0, 10))
    builders: list[Any] = []
    start, receive = parallel.SegmentBuilder._start, parallel._receive

    def recorded_start(self: Any, count: Any = None) -> None:
        start(self, count)
        builders.append(self)

    def kill_then_receive(stream: Any) -> Any:
        for proc in builders[-1]._procs:
            proc.kill()
            proc.wait()
        return receive(stream)

    monkeypatch.setattr(parallel.SegmentBuilder, "_start", recorded_start)
    monkeypatch.setattr(parallel, "_receive", kill_then_receive)
    with pytest.raises(IndexWriteError, match="nothing of this batch was committed"):
        ix.add(child.articles(10, 600))
    assert builders, "the batch was not split between workers"
    monkeypatch.undo()
    assert len(ix) == 10 and "a0000010" not in ix
    assert within(HANG_GUARD, lambda: ix.add(child.articles(10, 600))) == 600
    assert len(ix) == 610
    child.assert_no_leftovers(index, ix)


# A failed fsync ------------------------------------------------------------

def _fsync_failing(monkeypatch: pytest.MonkeyPatch, *, directories_only: bool) -> list[int]:
    """Make os.fsync fail with EIO (for every file, or for directories
    only), as a failing disk does; returns the list of refused calls."""
    import stat

    real_fsync = os.fsync
    refused: list[int] = []

    def fsync(fd: int) -> None:
        if not directories_only or stat.S_ISDIR(os.fstat(fd).st_mode):
            refused.append(fd)
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return refused


def test_a_commit_whose_files_cannot_be_flushed_fails_and_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "index"
    ix = arsearch.Index(path, workers=1, lock_timeout=1)
    ix.add(child.articles(0, 10))
    refused = _fsync_failing(monkeypatch, directories_only=False)
    with pytest.raises(IndexWriteError) as info:
        ix.add(child.articles(10, 5))
    assert refused and "Input/output error" in str(info.value)
    monkeypatch.undo()
    assert len(ix) == 10 and "a0000012" not in ix
    # The lock is free and the next commit works; on disk, nothing was lost.
    assert within(HANG_GUARD, lambda: ix.add(child.articles(20, 5))) == 5
    ix.close()
    reopened = arsearch.Index(path, create=False)
    assert len(reopened) == 15 and "a0000003" in reopened and "a0000012" not in reopened


def test_a_commit_whose_directory_cannot_be_flushed_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "index"
    ix = arsearch.Index(path, workers=1, lock_timeout=1)
    ix.add(child.articles(0, 10))
    refused = _fsync_failing(monkeypatch, directories_only=True)
    with pytest.raises(IndexWriteError) as info:
        ix.add(child.articles(10, 5))
    assert refused
    # The rename had happened: the batch is visible, and the error says the
    # commit may not be durable rather than that it failed.
    assert "may not survive" in str(info.value)
    monkeypatch.undo()
    assert len(ix) == 15
    assert within(HANG_GUARD, lambda: ix.add(child.articles(20, 5))) == 5
    ix.close()
    assert len(arsearch.Index(path, create=False)) == 20
