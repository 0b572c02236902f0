"""Bulk loads on several cores (arsearch.index.parallel): the same index as
a load in one process, nothing committed when a worker fails, and no
worker left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import arsearch
from arsearch.errors import IndexWriteError
from arsearch.index.parallel import MIN_RECORDS_PER_WORKER, SegmentBuilder

TOPICS = ["مطار", "ميناء", "مستشفى", "جامعة", "ملعب", "مصنع"]
CITIES = ["جدة", "تونس", "عمّان", "الرباط", "مسقط"]


def articles(n: int, start: int = 0, version: str = "") -> list[dict]:
    """Short articles of our own, ``n`` of them, with distinct ids."""
    out = []
    for i in range(start, start + n):
        topic, city = TOPICS[i % len(TOPICS)], CITIES[i % len(CITIES)]
        out.append({
            "id": f"p{i}",
            "headline": f"افتتاح {topic} جديد في {city} {version}".strip(),
            "body": f"أعلنت السلطات في {city} افتتاح {topic} بعد أعوام من العمل، رقم {i}.",
            "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": "وكالة المدار" if i % 2 else "صحيفة الأفق",
        })
    return out


@pytest.fixture
def records() -> list[dict]:
    return articles(4 * MIN_RECORDS_PER_WORKER + 37)


def test_a_parallel_load_gives_the_same_index_as_a_serial_one(tmp_path, records):
    with arsearch.Index(tmp_path / "par", workers=2, batch_size=len(records)) as par, \
            arsearch.Index(tmp_path / "ser", workers=1, batch_size=len(records)) as ser:
        assert par.add(records) == ser.add(records) == len(records)
        assert len(par) == len(ser) == len(records)
        assert par.stats()["segments"] > ser.stats()["segments"]  # the workers' segments
        for query in ("مستشفى جدة", '"ميناء جديد"', "الرباط", ""):
            assert (sorted(par.search_ids(query, limit=1000))
                    == sorted(ser.search_ids(query, limit=1000)))
        assert par.facets("", "source") == ser.facets("", "source")
        assert par.get("p7") == ser.get("p7")


def test_a_parallel_load_replaces_articles_with_the_same_id(tmp_path, records):
    with arsearch.Index(tmp_path / "ix", workers=2, batch_size=len(records)) as ix:
        ix.add(records)
        ix.add(articles(len(records), version="(محدث)"))
        assert len(ix) == len(records)
        assert ix.get("p3")["headline"].endswith("(محدث)")
    # and the commit survives reopening
    with arsearch.Index(tmp_path / "ix", create=False) as again:
        assert len(again) == len(records)


def test_a_failing_worker_commits_nothing_of_its_batch(tmp_path, records):
    with arsearch.Index(tmp_path / "ix", workers=2) as ix:
        ix.add(records[:10])
        builder = SegmentBuilder(str(tmp_path / "no-such-index"), "MAIN", workers=2)
        try:
            with pytest.raises(IndexWriteError, match="worker failed"):
                builder.build(records)
        finally:
            builder.close()
        assert len(ix) == 10


def test_workers_stop_when_the_loading_process_is_killed(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from arsearch.index.parallel import SegmentBuilder
        b = SegmentBuilder({str(tmp_path)!r}, "MAIN", workers=2)
        b._start()
        print(" ".join(str(p.pid) for p in b._procs), flush=True)
        import time; time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 30
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if _running(p)]
        time.sleep(0.1)
    assert not alive, f"workers {alive} outlived their parent"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_in_memory_indexes_and_single_worker_indexes_load_in_process(tmp_path):
    assert arsearch.Index()._writer._segment_builder() is None
    assert arsearch.Index(tmp_path / "one", workers=1)._writer._segment_builder() is None
    builder = arsearch.Index(tmp_path / "two", workers=2)._writer._segment_builder()
    assert builder is not None and not builder.worth_it(2 * MIN_RECORDS_PER_WORKER - 1)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_worker_counts_are_settings_errors(tmp_path, bad):
    with pytest.raises(arsearch.SettingsError):
        arsearch.Index(tmp_path / "ix", workers=bad)


def _sizes(ix: arsearch.Index) -> list[int]:
    from arsearch import _whoosh
    return sorted(s.doc_count() for s in _whoosh.index_segments(ix._opened.whoosh_index))


def _load_ending_on_a_large_merge(path, monkeypatch) -> arsearch.Index:
    # Batches of 40 on two workers: segments of 20, ten of them merged into
    # 200 in the background, and the tenth 200 (at 2,000 articles) makes
    # the one merge of 2,000 the load waits for at its end.
    monkeypatch.setattr("arsearch.index.parallel.MIN_RECORDS_PER_WORKER", 10)
    monkeypatch.setattr("arsearch.index.writing.PARALLEL_MERGE_MIN", 1_000)
    ix = arsearch.Index(path, workers=2, batch_size=40)
    assert ix.add(articles(2_000)) == 2_000
    return ix


def test_a_loads_last_large_merge_is_split_between_worker_processes(tmp_path, monkeypatch):
    # Rule (merging.PARALLEL_MERGE_MIN, merging.split_merge): the merge is
    # written as two segments of 1,000, side by side, not one of 2,000.
    with _load_ending_on_a_large_merge(tmp_path / "par", monkeypatch) as par, \
            arsearch.Index(tmp_path / "ser", workers=1, batch_size=2_000) as ser:
        assert _sizes(par) == [1_000, 1_000]
        ser.add(articles(2_000))
        assert len(par) == len(ser) == 2_000
        for query in ("مستشفى جدة", '"ميناء جديد"', "الرباط رقم 1999", ""):
            got, want = par.search(query, limit=50), ser.search(query, limit=50)
            assert got.ids == want.ids and got.total == want.total
            assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-9)
        assert par.get("p1999") == ser.get("p1999")
    with arsearch.Index(tmp_path / "par", create=False) as again:
        assert len(again) == 2_000 and _sizes(again) == [1_000, 1_000]


def test_a_failed_merge_in_workers_is_merged_in_process_instead(tmp_path, monkeypatch, caplog):
    def fail(self, groups):
        raise IndexWriteError("an indexing worker failed (simulated)")

    monkeypatch.setattr(SegmentBuilder, "merge", fail)
    with _load_ending_on_a_large_merge(tmp_path / "ix", monkeypatch) as ix:
        assert _sizes(ix) == [2_000]
        assert "merging here instead" in caplog.text
        assert len(ix) == 2_000 and ix.search("رقم 1999").ids[0] == "p1999"


def test_a_worker_merges_only_segments_still_in_the_index(tmp_path):
    with arsearch.Index(tmp_path / "ix", workers=2) as ix:
        ix.add(articles(10))
        builder = SegmentBuilder(str(tmp_path / "ix"), "MAIN", workers=2)
        try:
            with pytest.raises(IndexWriteError, match="no longer in the index"):
                builder.merge([["MAIN_nosuchsegment", "MAIN_another"]])
        finally:
            builder.close()
        assert len(ix) == 10
