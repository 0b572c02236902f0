"""Crash safety: a process killed with SIGKILL in the middle of ``add()``
leaves an index that opens, holds every article committed before the kill
(found by ``len``, ``get`` and ``search``), holds the batch being written
either whole or not at all, and takes new writes at once (no stale lock;
the dead writer's files are removed by the next commit).

Each child process stops at a fixed point (a function patched in the child
only, see ``tests/helpers/reliability_child.py``), tells the parent so, and
is killed there. Small batches stay in memory until the commit; the large
ones spill the posting pool to temporary run files on disk first.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import arsearch

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import reliability_child as child  # noqa: E402

from benchmarks.load import article_code  # noqa: E402  (reliability_child made it importable)

SMALL = {"committed": 90, "batch": 30, "pool_limit_bytes": None, "workers": 1}
# A 96 KB posting pool spills every few documents: the same code path as a
# batch of tens of thousands of articles at Whoosh's 128 MB default.
LARGE = {"committed": 300, "batch": 300, "pool_limit_bytes": 96 * 1024, "workers": 1}
# A batch split between two worker processes (arsearch.index.parallel).
PARALLEL = {"committed": 300, "batch": 600, "pool_limit_bytes": None, "workers": 2}
SIZES = {"small": SMALL, "large": LARGE, "parallel": PARALLEL}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Indexes holding the committed articles, built once and copied for
    each test."""
    made = {}
    for name, size in (("small", SMALL), ("large", LARGE)):  # parallel starts from large
        path = tmp_path_factory.mktemp("template") / name
        with arsearch.Index(path) as ix:
            ix.add(child.articles(0, size["committed"]), batch_size=size["batch"])
        made[name] = path
    made["parallel"] = made["large"]
    return made


def kill_at(point: str, index: Path, marker: Path, start: int, count: int, batch: int,
            pool_limit_bytes: int | None = None, workers: int = 1) -> dict[str, Any]:
    """Run a child that adds ``count`` articles from ``start`` and stops at
    ``point``; SIGKILL it there (and wait for its worker processes, if it
    had any, to notice and end). What the child saw at that moment."""
    proc = child.spawn("pause", {"index": str(index), "point": point, "marker": str(marker),
                                 "start": start, "count": count, "batch": batch,
                                 "pool_limit_bytes": pool_limit_bytes, "workers": workers})
    try:
        seen = child.wait_for_marker(proc, marker)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    child.wait_until_gone(seen.get("workers", []))
    return seen


def assert_holds_exactly(index: Path, n: int) -> arsearch.Index:
    """The index opens and holds articles 0..n-1, each one whole and found
    by its code word, and nothing else."""
    ix = arsearch.Index(index, create=False, lock_timeout=5)
    assert len(ix) == n
    assert sorted(ix.ids()) == [f"a{i:07d}" for i in range(n)]
    for i, article in enumerate(child.articles(0, n)):
        stored = ix.get(article["id"])
        assert stored is not None, article["id"]
        assert (stored["headline"], stored["body"], stored["source"]) == (
            article["headline"], article["body"], article["source"])
        assert [doc_id for doc_id, _ in ix.search_ids(article_code(i))] == [article["id"]]
    return ix


def recover_and_write(index: Path, expected: int) -> None:
    ix = assert_holds_exactly(index, expected)
    # A new writer gets the lock at once (the kernel dropped the dead
    # writer's lock) and its commit removes what the dead one left.
    assert ix.add(child.articles(expected, 5)) == 5
    assert len(ix) == expected + 5
    child.assert_no_leftovers(index, ix)
    ix.close()
    assert_holds_exactly(index, expected + 5).close()


CASES = [
    # (size, point, how many of the killed add's articles are committed)
    ("small", "analyzer", 0),
    ("small", "flush", 0),
    ("small", "toc", 0),
    ("small", "cleanup", 1),   # killed after the rename: the whole batch is in
    ("small", "between", 1),   # the first of two batches is in, the second is not
    ("small", "merge", 0),
    ("small", "filter", 1),    # killed writing a term filter, after the commit
    ("small", "background", None),  # as many batches as the child committed
    ("large", "analyzer", 0),
    ("large", "flush", 0),
    ("large", "toc", 0),
    ("parallel", "workers", 0),
    ("parallel", "toc", 0),
    ("parallel", "cleanup", 1),
]


@pytest.mark.slow
@pytest.mark.parametrize(("size", "point", "batches_in"), CASES,
                         ids=[f"{s}-{p}" for s, p, _ in CASES])
def test_sigkill_during_add_keeps_every_committed_article(
        size: str, point: str, batches_in: int | None, templates: dict[str, Path],
        tmp_path: Path) -> None:
    spec = SIZES[size]
    index = tmp_path / "index"
    shutil.copytree(templates[size], index)
    committed, batch = spec["committed"], spec["batch"]
    # A background merge starts once ten segments of a size are there.
    count = {"between": 2 * batch, "background": 12 * batch}.get(point, batch)
    seen = kill_at(point, index, tmp_path / "marker", committed, count, batch,
                   spec["pool_limit_bytes"], spec["workers"])

    if point == "background":
        batches_in = seen["batches_committed"]
        # The merged segment was half-written, in files no commit lists.
        listed = {re.sub(r"\..*", "", n) for n in seen["index_files"] if n.startswith("MAIN_")}
        assert len(listed) > spec["committed"] // batch + batches_in, seen["index_files"]
    if point == "filter":  # the commit was made; the filter is still a temporary file
        assert seen["filter_temp"] in seen["index_files"]
        assert seen["filter_temp"].replace("-tmp", "") not in seen["index_files"]
    if point == "flush" and size == "small":  # its postings file half-written
        assert any(n.startswith("arsearch-postings-") for n in seen["index_files"]), seen
    if point == "toc":  # the new segment was complete, the commit not yet made
        assert any(re.match(r"_MAIN_\d+\.toc\.", n) for n in seen["index_files"])
    if size == "large" and point in ("analyzer", "flush"):
        assert any(n.endswith(".run") for n in seen["temp_files"]), seen
    recover_and_write(index, committed + batches_in * batch)


@pytest.mark.slow
def test_sigkill_while_creating_an_index_leaves_a_directory_that_opens(tmp_path: Path) -> None:
    """Killed inside TOC.write of a new index (arsearch.json written, the
    first table of contents not yet renamed into place): the directory is
    still taken for an empty one and gets a new index."""
    index = tmp_path / "index"
    seen = kill_at("create", index, tmp_path / "marker", 0, 0, 1)
    assert "arsearch.json" in seen["index_files"]
    ix = arsearch.Index(index, lock_timeout=5)
    assert len(ix) == 0
    assert ix.add(child.articles(0, 3)) == 3
    ix.close()
    assert_holds_exactly(index, 3).close()
