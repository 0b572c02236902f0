"""Postings files (arsearch.index.postingfile): each segment's long posting
lists, kept beside it as plain arrays so that ranking reads them without
unpickling Whoosh's blocks.

The rules tested: a kept list is exactly the list Whoosh holds (document
numbers and frequencies), in every field ranking reads, whatever the gaps
and frequencies; short lists and lists with fractional weights are left to
Whoosh; every segment written by a commit, a worker process or a merge has
its file, and merged-away segments lose theirs; results and scores are the
same without the files, and with damaged, truncated or foreign ones (which
are ignored); a file left half-written by a killed writer is removed by the
next commit. (A kill while one is written: tests/test_reliability_crash.py,
point "flush".)
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import arsearch
from arsearch._whoosh import term_dictionary, term_postings
from arsearch.index import postingfile
from arsearch.index.postingfile import (MIN_POSTINGS, SUFFIX, TEMPORARY_PREFIX, PostingsFile,
                                        PostingsFileWriter, postings_path, rebuild)
from arsearch.index.schema import TEXT_FIELDS, exact_fields

WORDS = ("مطر جنيف مفاوضات الرياض ليبيا سوق نفط وزير حكومة انتخابات قطار ميناء مدرسة "
         "مستشفى جامعة طريق مصنع زراعة سياحة معرض").split()


def articles(n: int, seed: int = 3, start: int = 0) -> list[dict[str, str]]:
    """Articles over a small vocabulary with skewed frequencies, so that
    some words have lists of several blocks and some of one."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) for i in range(len(WORDS))]
    out = []
    for i in range(start, start + n):
        body = rng.choices(WORDS, weights, k=rng.randint(5, 80))
        out.append({"id": f"a{i}", "headline": " ".join(rng.choices(WORDS, weights, k=4)),
                    "body": " ".join(body)})
    return out


def segment_ids(ix: arsearch.Index) -> set[str]:
    return {s.segment_id() for s in ix._opened.whoosh_index._segments()}


def postings_files(path: Path) -> set[str]:
    return {p.name[:-len(SUFFIX)] for p in path.glob(f"*{SUFFIX}")}


def ranked(ix: arsearch.Index, queries: list[str]) -> list[tuple[int, list[tuple[str, float]]]]:
    """Each query's number of matches and its first 20 hits with scores."""
    out = []
    for q in queries:
        results = ix.search(q, limit=20, correct=False)
        out.append((results.total, [(h.id, h.score) for h in results]))
    return out


QUERIES = ["مطر", "مطر جنيف", "سوق نفط وزير", "معرض", '"سوق نفط"', "الرياض -مطر", "ليبيا قطار"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("postings") / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles(900), batch_size=300)
    return path


def test_every_kept_list_is_the_list_whoosh_holds(built: Path) -> None:
    with arsearch.Index(built) as ix:
        reader = ix._opened.whoosh_index.reader()
        fields = TEXT_FIELDS + tuple(exact_fields(ix._opened.schema).values())
        kept = short = 0
        for leaf, _ in reader.leaf_readers():
            copy = PostingsFile.open(postings_path(built, leaf.segment().segment_id()),
                                     leaf.doc_count_all())
            assert copy is not None
            for fieldname, tbytes in term_dictionary(leaf, fields):
                text = tbytes.decode("utf-8")
                whoosh = term_postings(leaf, fieldname, text)
                fast = term_postings(leaf, fieldname, text, copy)
                assert whoosh is not None and fast is not None
                assert fast[0].dtype == np.int64 and fast[1].dtype == np.float64
                assert np.array_equal(whoosh[0], fast[0]) and np.array_equal(whoosh[1], fast[1])
                info = leaf._terms.term_info(fieldname, tbytes)
                if not info.is_inlined() and copy.get(info.extent()[0],
                                                      info.doc_frequency()) is not None:
                    kept += 1
                    assert len(whoosh[0]) >= MIN_POSTINGS
                else:
                    short += 1
            copy.close()
        reader.close()
    assert kept > 20 and short > 20


@pytest.mark.parametrize("seed", range(6))
def test_round_trip_of_any_gaps_and_frequencies(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    writer = PostingsFileWriter(tmp_path, "MAIN_t", min_postings=2)
    lists = {}
    for k in range(20):
        n = int(rng.integers(2, 3000))
        top = int(rng.choice([300, 70_000, 5_000_000]))
        ids = np.unique(rng.integers(0, top, n)).astype(np.uint32)
        tfs = rng.integers(1, int(rng.choice([3, 200, 60_000])), len(ids)).astype(np.float32)
        if len(ids) < 2:
            continue
        lists[1000 * k + 17] = (ids, tfs)
        writer.add(1000 * k + 17, ids, tfs)
    writer.close(doc_count=5_000_000)
    writer.publish()
    f = PostingsFile.open(postings_path(tmp_path, "MAIN_t"), 5_000_000)
    assert f is not None and f.term_count == len(lists)
    for offset, (ids, tfs) in lists.items():
        found = f.get(offset, len(ids))
        assert found is not None
        assert found[0].tolist() == ids.tolist() and found[1].tolist() == tfs.tolist()
        assert f.get(offset, len(ids) + 1) is None     # Whoosh counts otherwise: not used
        assert f.get(offset + 1, len(ids)) is None
    f.close()


def test_short_lists_and_fractional_weights_are_left_to_whoosh(tmp_path: Path) -> None:
    writer = PostingsFileWriter(tmp_path, "MAIN_s")
    ids = np.arange(0, 2 * MIN_POSTINGS, 2, dtype=np.uint32)
    writer.add(10, ids[:MIN_POSTINGS - 1], np.ones(MIN_POSTINGS - 1, dtype=np.float32))
    writer.add(20, ids, np.full(len(ids), 1.5, dtype=np.float32))      # a field boost
    writer.add(30, ids, np.full(len(ids), 70_000, dtype=np.float32))   # past two bytes
    writer.add(40, ids, np.ones(len(ids), dtype=np.float32))
    writer.close(doc_count=1000)
    writer.publish()
    f = PostingsFile.open(postings_path(tmp_path, "MAIN_s"), 1000)
    assert f is not None and f.term_count == 1
    assert [f.get(o, n) is None for o, n in ((10, MIN_POSTINGS - 1), (20, len(ids)),
                                             (30, len(ids)), (40, len(ids)))] == [
        True, True, True, False]
    f.close()


def test_every_segment_has_its_file_after_commits_workers_and_merges(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles(400), batch_size=100)
        assert postings_files(path) == segment_ids(ix)
        ix.workers = 2
        ix.add(articles(600, start=400), batch_size=300)
        assert postings_files(path) == segment_ids(ix)
        before = segment_ids(ix)
        ix.optimize()
        assert len(segment_ids(ix)) == 1 and not segment_ids(ix) & before
        assert postings_files(path) == segment_ids(ix)
        assert not list(path.glob(f"{TEMPORARY_PREFIX}*"))


def test_results_are_the_same_without_the_files(built: Path, tmp_path: Path) -> None:
    with arsearch.Index(built) as ix:
        expected = ranked(ix, QUERIES)
    bare = tmp_path / "bare"
    shutil.copytree(built, bare)
    for p in bare.glob(f"*{SUFFIX}"):
        p.unlink()
    with arsearch.Index(bare) as ix:
        assert ranked(ix, QUERIES) == expected


def test_files_can_be_rebuilt_from_the_whoosh_index_alone(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    originals = {p.name: p.read_bytes() for p in copy.glob(f"*{SUFFIX}")}
    for name in originals:
        (copy / name).unlink()
    with arsearch.Index(copy) as ix:
        assert rebuild(ix._opened.whoosh_index, copy) == len(originals)
        assert rebuild(ix._opened.whoosh_index, copy) == 0
    assert {p.name: p.read_bytes() for p in copy.glob(f"*{SUFFIX}")} == originals


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "foreign", "width"])
def test_damaged_or_foreign_files_are_ignored(built: Path, tmp_path: Path, damage: str,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with arsearch.Index(built) as ix:
        expected = ranked(ix, QUERIES)
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    files = sorted(copy.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_size)
    target = files[-1]
    if damage == "truncated":
        target.write_bytes(target.read_bytes()[:-7])
    elif damage == "garbage":
        data = bytearray(target.read_bytes())
        data[-40:] = os.urandom(40)
        target.write_bytes(bytes(data))
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "width":   # a directory entry whose gaps would be 3 bytes wide
        data = bytearray(target.read_bytes())
        directory = int.from_bytes(data[-8:], "little")
        data[directory + 24] = 3
        target.write_bytes(bytes(data))
    else:   # another segment's file under this segment's name
        shutil.copyfile(files[0], target)
    with arsearch.Index(copy) as ix:
        assert ranked(ix, QUERIES) == expected
    if damage != "foreign" or files[0].stat().st_size != target.stat().st_size:
        assert "ignoring the damaged postings file" in caplog.text


def test_a_killed_writers_temporary_file_is_removed_by_the_next_commit(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles(200))
    # A pid no process has (past the kernel's limit), and this process's own.
    dead = path / f"{TEMPORARY_PREFIX}{2**22 + 11}-MAIN_deadbeef.tmp"
    live = path / f"{TEMPORARY_PREFIX}{os.getpid()}-MAIN_cafe.tmp"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles(50, start=200))
        assert not dead.exists()
        assert live.exists()       # a writer of a live process may still be writing it
        assert len(ix) == 250


def test_a_failed_write_fails_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture) -> None:
    """A full disk while the copy is written: the segment is committed
    without its file, and read from Whoosh alone."""
    class FullDisk:
        """A file that takes nothing: its first write fails."""

        def __init__(self, path: Path, mode: str) -> None:
            self.inner = open(path, mode)

        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            self.inner.close()

    path = tmp_path / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles(300))
        expected = ranked(ix, QUERIES)
        written = postings_files(path)
    monkeypatch.setattr(postingfile, "open", FullDisk, raising=False)
    with caplog.at_level("INFO", logger="arsearch"), arsearch.Index(path, workers=1) as ix:
        ix.add(articles(300, seed=9, start=300))
        assert len(ix) == 600
        assert postings_files(path) == written     # the new segment has none
        assert segment_ids(ix) - written
        monkeypatch.undo()
        assert ranked(ix, QUERIES) != expected      # the new articles are found
    assert "not written" in caplog.text
    assert not list(path.glob(f"{TEMPORARY_PREFIX}*"))


def test_an_index_in_memory_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ix = arsearch.Index()
    ix.add(articles(300))
    assert [h.id for h in ix.search("مطر", limit=3)]
    assert list(tmp_path.iterdir()) == []
