"""Bulk indexing on several cores.

Whoosh analyses and writes every document in the process that adds it, so
a bulk load uses one core. For an index on disk, :class:`SegmentBuilder`
splits a batch between worker processes; each writes a complete segment of
its own into the index directory (what Whoosh's multiprocessing writer does
with its sub-writers), and the parent commits those segments together with
its own changes in one table-of-contents write. The commit stays atomic:
until the new table of contents is in place, readers and a crash see only
the old state, and unreferenced segment files are removed at the next
commit.

The same workers merge committed segments (:meth:`SegmentBuilder.merge`):
a bulk load's last merges come after its last batch, when a merge in the
parent alone would leave the other cores idle.

Whoosh's own ``MpWriter`` is not used: it collects its workers' results
with a one-second timeout and silently drops a segment that arrives later,
and its workers outlive a killed parent. Nor is ``multiprocessing``: its
"spawn" and "forkserver" modes re-import the caller's main script (a
script without an ``if __name__ == "__main__"`` guard would fail), and
"fork" can deadlock a process that runs threads. The workers here are
plain ``python -m arsearch._segment_worker`` subprocesses that read jobs
from a pipe: a failing worker fails the batch (nothing of it is
committed), and a worker exits when its parent goes away.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .._whoosh import (finish_segment, index_segments, merge_segments, quiet,
                       segment_readers, unlocked_writer)
from ..errors import IndexWriteError
from .postingfile import postings_sink
from .storage import DurableFileStorage
from .termfilter import write_filter_beside

#: Below this many records per worker a batch is written in-process: the
#: worker round trip costs more than it saves.
MIN_RECORDS_PER_WORKER = 250
#: At most this many workers by default: Whoosh's merge at commit is serial.
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """Worker processes for bulk loads: the cores this process may use, at
    most :data:`MAX_DEFAULT_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def write_segment(path: str, indexname: str, records: Sequence[Mapping[str, Any]]) -> Any:
    """Index ``records`` into a new, uncommitted segment of the index at
    ``path`` and return the segment's description (run in a worker)."""
    with quiet():
        ix = DurableFileStorage(path).open_index(indexname)
        writer = unlocked_writer(ix, postings=postings_sink(ix))
        try:
            for fields in records:
                writer.add_document(**fields)
            segment = finish_segment(writer)
        except BaseException:
            writer.cancel()
            raise
        write_filter_beside(ix, segment)
        return segment


def merge_committed(path: str, indexname: str, names: Sequence[str]) -> Any:
    """Merge the committed segments ``names`` of the index at ``path`` into a
    new, uncommitted segment and return its description (run in a worker;
    the parent holds the write lock, so the segments cannot change)."""
    with quiet():
        ix = DurableFileStorage(path).open_index(indexname)
        wanted = set(names)
        segments = [s for s in index_segments(ix) if s.segment_id() in wanted]
        if len(segments) != len(wanted):
            raise IndexWriteError("segments to merge are no longer in the index")
        readers = segment_readers(ix, segments)
        writer = unlocked_writer(ix, postings=postings_sink(ix))
        try:
            merge_segments(writer, readers)
            segment = finish_segment(writer)
        except BaseException:
            writer.cancel()
            raise
        finally:
            for reader in readers:
                reader.close()
        write_filter_beside(ix, segment)
        return segment


#: The jobs a worker does: a message names one and carries its argument.
JOBS = {"write": write_segment, "merge": merge_committed}


class SegmentBuilder:
    """Worker processes that write segments of one index directory. They
    start on first use; :meth:`close` stops them."""

    def __init__(self, path: str, indexname: str, workers: int):
        self.path = path
        self.indexname = indexname
        self.workers = workers
        self._procs: list[subprocess.Popen[bytes]] = []

    def worth_it(self, records: int) -> bool:
        return self.workers > 1 and records >= 2 * MIN_RECORDS_PER_WORKER

    def _start(self, count: int | None = None) -> None:
        """Start ``count`` more workers (by default, up to ``workers``)."""
        if count is None:
            count = self.workers - len(self._procs)
        env = dict(os.environ)
        # Workers import arsearch from where this process did.
        here = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
        for _ in range(count):
            self._procs.append(subprocess.Popen(
                [sys.executable, "-m", "arsearch._segment_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env))

    def build(self, records: Sequence[Mapping[str, Any]], workers: int | None = None
              ) -> list[Any]:
        """Write ``records`` as up to :attr:`workers` new segments and
        return their descriptions for the parent's commit. They are
        written side by side on up to ``workers`` processes (by default
        all), in turns when fewer: the segments are the same either way,
        and so is each worker's memory."""
        n = min(self.workers, max(1, len(records) // MIN_RECORDS_PER_WORKER))
        size = -(-len(records) // n)
        chunks = [list(records[i:i + size]) for i in range(0, len(records), size)]
        return self._run("write", chunks, "batch", workers)

    def merge(self, groups: Sequence[Sequence[str]]) -> list[Any]:
        """Merge each group of committed segments (by name) into one new
        segment, a group per worker, in parallel; return the new segments'
        descriptions for the parent's commit, which must hold the write lock
        from before this call until then."""
        return self._run("merge", [list(g) for g in groups], "merge")

    def _run(self, job: str, arguments: Sequence[Any], what: str,
             workers: int | None = None) -> list[Any]:
        """One ``job`` per argument, on up to ``workers`` processes at once
        (by default one each), in turns when there are more jobs."""
        if len(arguments) > self.workers:
            raise ValueError(f"{len(arguments)} jobs for {self.workers} workers")
        width = max(1, min(len(arguments), workers or self.workers))
        if len(self._procs) < width:
            try:
                self._start(width - len(self._procs))
            except OSError as e:
                raise IndexWriteError(f"cannot start indexing workers: {e}") from None
        busy = self._procs[:width]
        replies: list[tuple[bool, Any]] = []
        try:
            for first in range(0, len(arguments), width):
                turn = arguments[first:first + width]
                for proc, argument in zip(busy, turn):
                    _send(proc.stdin, (job, self.path, self.indexname, argument))
                replies.extend(_receive(proc.stdout) for proc in busy[:len(turn)])
                if not all(ok for ok, _ in replies):
                    break
        except (OSError, EOFError, pickle.UnpicklingError) as e:
            self.close()
            raise IndexWriteError(f"an indexing worker stopped unexpectedly ({e}); nothing "
                                  f"of this {what} was committed") from None
        failures = [detail for ok, detail in replies if not ok]
        if failures:
            raise IndexWriteError(f"an indexing worker failed; nothing of this {what} was "
                                  f"committed:\n{failures[0]}")
        return [result for _, result in replies]

    def release(self, keep: int) -> None:
        """Stop all but ``keep`` running workers, and with them their
        memory; a later job starts them again as it needs them."""
        self._procs, extra = self._procs[:keep], self._procs[keep:]
        _stop(extra)

    def close(self) -> None:
        """Stop the workers."""
        self.release(0)


def _stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Stop worker processes: closing their input makes them exit."""
    for proc in procs:
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()


def _send(stream: BinaryIO | None, message: Any) -> None:
    assert stream is not None
    pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _receive(stream: BinaryIO | None) -> Any:
    assert stream is not None
    return pickle.load(stream)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The worker loop: read a job (:data:`JOBS`), do it, reply; stop at EOF
    (the parent closed the pipe, or died). Run by ``python -m
    arsearch._segment_worker``."""
    while True:
        try:
            job, path, indexname, argument = pickle.load(stdin)
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, JOBS[job](path, indexname, argument))
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            reply = (False, "".join(traceback.format_exception_only(type(e), e)).strip())
        _send(stdout, reply)
