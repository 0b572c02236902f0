"""Child processes of the reliability tests, and the parent's side of them.

Run as a script, this is the child: ``python reliability_child.py MODE SPEC``
with ``SPEC`` a JSON object. Modes:

``pause``
    Open the index at ``spec["index"]``, patch one function (``spec["point"]``,
    see :data:`POINTS`) so that the next ``add()`` stops inside it: the
    child writes ``spec["marker"]`` (JSON: what the index directory holds at
    that moment) and sleeps until the parent kills it. Patches exist only in
    the child.
``write``
    Say it is ready (``<go>.ready.<pid>``), wait for ``spec["go"]`` to exist, then open (or create) the index and add ``spec["batches"]`` batches of
    ``spec["batch"]`` articles from article number ``spec["start"]``, one
    ``add()`` per batch, to the index at ``spec["index"]`` (or to a new
    in-memory index when it is ``None``), optionally merging all segments
    every ``spec["optimize_every"]`` batches. Print the final count.
``read``
    Count and search the index in a loop until ``spec["stop"]`` exists;
    append every count seen, or the error, to ``spec["out"]`` as JSON lines.

Imported, it gives the parent :func:`spawn`, :func:`wait_for_marker`,
:func:`assert_no_leftovers` and :func:`articles`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

warnings.simplefilter("ignore")  # Whoosh 2.7's own SyntaxWarnings

from benchmarks.load import synthetic_articles  # noqa: E402

#: Where ``pause`` mode stops the write.
POINTS = {
    "analyzer": "inside the analyzer, half-way through the batch (add_document)",
    "flush": "inside the segment flush, while postings are written",
    "toc": "inside TOC.write, the new table of contents written but not renamed",
    "cleanup": "after the rename: the batch is committed, old files not yet removed",
    "between": "between two batches of one add(): the first one committed",
    "merge": "inside optimize(), while the merged segment is written",
    "background": "a load's background merge half-written, and the batches after it committed",
    "create": "inside TOC.write of a new index, arsearch.json already written",
    "workers": "a parallel batch handed to worker processes, their replies not yet read",
    "filter": "after the commit, a segment's term filter written but not yet renamed",
}
#: Shorter bodies than the benchmark's keep the tests quick.
BODY_WORDS = (30, 60)


def articles(start: int, count: int) -> list[dict[str, Any]]:
    """Articles ``start`` .. ``start + count - 1``, the same in every process."""
    return list(synthetic_articles(start, count, body_words=BODY_WORDS))


# Parent side ----------------------------------------------------------------

def spawn(mode: str, spec: dict[str, Any], **popen: Any) -> subprocess.Popen[str]:
    """Start a child in ``mode`` (stdout and stderr piped, as text)."""
    return subprocess.Popen([sys.executable, __file__, mode, json.dumps(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_for_marker(proc: subprocess.Popen[str], marker: Path, timeout: float = 120
                    ) -> dict[str, Any]:
    """The JSON the child wrote to ``marker`` once it paused; fails if the
    child exits first or takes longer than ``timeout`` (a hang guard)."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the child exited ({proc.returncode}) before pausing:\n"
                                 f"{proc.stdout.read()}\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the child did not reach its pause point in time")
        time.sleep(0.02)
    return json.loads(marker.read_text("utf-8"))


def wait_until_gone(pids: list[int], timeout: float = 120) -> None:
    """Wait for processes that are not our children (a killed child's
    workers) to end; a zombie counts as ended."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while True:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
            except OSError:
                break
            if state == "Z":
                break
            assert time.monotonic() < deadline, f"process {pid} did not end"
            time.sleep(0.05)


def assert_no_leftovers(index: Path, ix: Any) -> None:
    """Only the current commit's files are left: one table of contents, the
    current segments, no temporary files."""
    names = sorted(p.name for p in index.iterdir())
    assert [n for n in names if n.startswith("_MAIN_")] == [
        f"_MAIN_{ix._opened.whoosh_index.latest_generation()}.toc"], names
    assert not [n for n in names if n.startswith("MAIN.") and n.endswith(".tmp")], names
    assert not [n for n in names if n.endswith("-tmp")], names
    current = {s.segment_id() for s in ix._opened.whoosh_index._segments()}
    segment_files = {re.sub(r"\..*", "", n) for n in names if re.match(r"MAIN_[0-9a-z]+\.", n)}
    assert segment_files == current, names
    # Each segment has its term filter (arsearch.index.termfilter) and its
    # postings file (arsearch.index.postingfile), and no postings file is
    # left half-written.
    assert {n[:-len(".terms")] for n in names if n.endswith(".terms")} == current, names
    assert {n[:-len(".postings")] for n in names if n.endswith(".postings")} == current, names
    assert not [n for n in names if n.startswith("arsearch-postings-")], names


# Child side -----------------------------------------------------------------

def _pause(spec: dict[str, Any], **info: Any) -> None:
    """Tell the parent where we are (written whole, then renamed) and wait
    to be killed."""
    index = Path(spec["index"])
    # Writers' temporary folders: MAIN.tmp, or MAIN.<pid>.tmp per process.
    temp = [f for d in index.glob("MAIN*.tmp") if d.is_dir() for f in d.iterdir()]
    info.update(point=spec["point"], pid=os.getpid(),
                index_files=sorted(p.name for p in index.iterdir()),
                temp_files=sorted(f.name for f in temp))
    marker = Path(spec["marker"])
    part = marker.with_name(marker.name + ".part")
    part.write_text(json.dumps(info), "utf-8")
    os.replace(part, marker)
    time.sleep(600)
    sys.exit("not killed")


def _install(spec: dict[str, Any]) -> None:
    """Patch the function of ``spec["point"]`` to pause there."""
    import whoosh.index

    from arsearch.analysis.analyzer import ArabicChain
    from arsearch.index.storage import DurableFileStorage

    point = spec["point"]
    if spec.get("pool_limit_bytes"):
        # Make the posting buffer spill to temporary run files after a few
        # documents, as a large batch does at its default limit.
        import arsearch._whoosh as seam

        buffer_init = seam._PostingBuffer.__init__

        def small_buffer(self: Any, tempstore: Any, limit: float) -> None:
            buffer_init(self, tempstore, spec["pool_limit_bytes"])

        seam._PostingBuffer.__init__ = small_buffer  # type: ignore[method-assign]

    if point == "analyzer":
        analyze = ArabicChain.__call__  # the text fields' analyzer
        calls = {"n": 0}
        stop_at = spec["batch"]  # two text fields a document: half-way through the batch

        def paused_analyze(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == stop_at:
                _pause(spec, analyzer_calls=calls["n"])
            return analyze(self, *args, **kwargs)

        ArabicChain.__call__ = paused_analyze  # type: ignore[method-assign]
    elif point == "workers":
        # A parallel batch: the workers have their jobs; stop before the
        # parent reads their replies.
        import arsearch.index.parallel as parallel

        start, receive = parallel.SegmentBuilder._start, parallel._receive
        workers: list[int] = []

        def recorded_start(self: Any, count: Any = None) -> None:
            start(self, count)
            workers.extend(proc.pid for proc in self._procs)

        def paused_receive(stream: Any) -> Any:
            _pause(spec, workers=workers)
            return receive(stream)

        parallel.SegmentBuilder._start = recorded_start  # type: ignore[method-assign]
        parallel._receive = paused_receive
    elif point == "merge":
        import arsearch._whoosh as seam

        write_blocks = seam._write_term_blocks
        terms = {"n": 0}

        def paused_blocks(*args: Any, **kwargs: Any) -> None:
            terms["n"] += 1
            if terms["n"] == 50:
                _pause(spec, terms_written=terms["n"])
            write_blocks(*args, **kwargs)

        seam._write_term_blocks = paused_blocks
    elif point == "background":
        # The merge thread stops half-way; the load goes on, and stops
        # after the next batch it commits.
        import threading

        import arsearch._whoosh as seam
        from arsearch.index.writing import IndexWriter

        write_blocks, write_batch = seam._write_term_blocks, IndexWriter._write_batch
        held = threading.Event()
        batches = {"n": 0}

        def held_blocks(*args: Any, **kwargs: Any) -> None:
            if threading.current_thread().name == "arsearch-merge":
                held.set()
                threading.Event().wait()        # until the process is killed
            write_blocks(*args, **kwargs)

        def paused_batch(self: Any, batch: Any, *args: Any, **kwargs: Any) -> int:
            written = write_batch(self, batch, *args, **kwargs)
            batches["n"] += bool(written)
            if written and held.is_set():
                _pause(spec, batches_committed=batches["n"])
            return written

        seam._write_term_blocks = held_blocks
        IndexWriter._write_batch = paused_batch  # type: ignore[method-assign]
    elif point == "flush":
        import arsearch._whoosh as seam

        buffered_terms = seam._PostingBuffer.terms

        def paused_terms(self: Any) -> Any:
            for i, term in enumerate(buffered_terms(self)):
                if i == 50:
                    _pause(spec, terms_written=i)
                yield term

        seam._PostingBuffer.terms = paused_terms  # type: ignore[method-assign]
    elif point == "toc":
        rename = DurableFileStorage.rename_file

        def paused_rename(self: Any, oldname: str, newname: str, safe: bool = False) -> None:
            if newname.endswith(".toc"):
                _pause(spec, toc_temp=oldname)
            rename(self, oldname, newname, safe=safe)

        DurableFileStorage.rename_file = paused_rename  # type: ignore[method-assign]
    elif point == "cleanup":
        def paused_clean(*args: Any, **kwargs: Any) -> None:
            _pause(spec)

        whoosh.index.clean_files = paused_clean
    elif point == "between":
        from arsearch.index.writing import IndexWriter

        write_batch = IndexWriter._write_batch

        def paused_write_batch(self: Any, batch: Any, *args: Any, **kwargs: Any) -> int:
            written = write_batch(self, batch, *args, **kwargs)
            if written:
                _pause(spec, first_batch=written)
            return written

        IndexWriter._write_batch = paused_write_batch  # type: ignore[method-assign]
    elif point == "filter":
        import arsearch.index.termfilter as termfilter

        class PausingOs:
            """``os`` as the term filter module sees it, pausing at the rename."""

            def __getattr__(self, name: str) -> Any:
                return getattr(os, name)

            def replace(self, source: Any, target: Any) -> None:
                _pause(spec, filter_temp=Path(source).name)

        termfilter.os = PausingOs()  # type: ignore[assignment]
    else:
        raise SystemExit(f"unknown point {point!r}")


def pause_mode(spec: dict[str, Any]) -> None:
    import arsearch

    if spec["point"] == "create":
        from arsearch.index.storage import DurableFileStorage

        DurableFileStorage.rename_file = lambda *args, **kwargs: _pause(spec)  # type: ignore
        arsearch.Index(spec["index"])
    ix = arsearch.Index(spec["index"], workers=spec.get("workers", 1))
    ix._writer.background_merges = spec["point"] == "background" or None
    _install(spec)
    if spec["point"] == "merge":
        ix.optimize()
    else:
        ix.add(articles(spec["start"], spec["count"]), batch_size=spec["batch"])
    sys.exit("finished without pausing")


def write_mode(spec: dict[str, Any]) -> None:
    import arsearch

    go = Path(spec["go"])
    go.with_name(f"{go.name}.ready.{os.getpid()}").touch()
    while not go.exists():
        time.sleep(0.002)
    ix = arsearch.Index(spec["index"]) if spec["index"] else arsearch.Index()
    for b in range(1, spec["batches"] + 1):
        ix.add(articles(spec["start"] + (b - 1) * spec["batch"], spec["batch"]))
        if spec.get("optimize_every") and b % spec["optimize_every"] == 0:
            ix.optimize()
        if spec.get("sync_with"):
            _wait_for_growth(Path(spec["sync_with"]))
    print(len(ix), flush=True)


def _wait_for_growth(path: Path, timeout: float = 10) -> None:
    """Wait until the reader has written another line, so that it runs
    between every two commits."""
    size = path.stat().st_size if path.exists() else 0
    deadline = time.monotonic() + timeout
    while (path.stat().st_size if path.exists() else 0) == size and time.monotonic() < deadline:
        time.sleep(0.005)


def read_mode(spec: dict[str, Any]) -> None:
    import arsearch

    stop = Path(spec["stop"])
    ix = arsearch.Index(spec["index"], create=False)
    with open(spec["out"], "a", encoding="utf-8") as out:
        i = 0
        while not stop.exists():
            i += 1
            try:
                if i % 10 == 0:
                    # Opening races with the writer's commits too.
                    ix = arsearch.Index(spec["index"], create=False)
                # Every synthetic article has a date: this search lists them all.
                seen = {"len": len(ix), "listed": ix.search("", since="2000-01-01").total,
                        "word": ix.search(spec["word"]).total}
            except Exception as e:
                seen = {"error": f"{type(e).__name__}: {e}"}
            out.write(json.dumps(seen) + "\n")
            out.flush()


if __name__ == "__main__":
    MODES = {"pause": pause_mode, "write": write_mode, "read": read_mode}
    MODES[sys.argv[1]](json.loads(sys.argv[2]))
