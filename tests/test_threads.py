"""One Index shared by many threads: searches while another thread adds,
deletes and merges, on a directory and in memory. The contract is in
docs/reliability.md ("Threads")."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import arsearch
from arsearch.index.snapshot import SegmentCache

#: How long the writer keeps writing while the readers read, in seconds.
DURATION = 2.5
READERS = 3


def _article(n: int, word: str = "تقرير") -> dict:
    # Every article carries its own number as a word, so a search for it
    # must find exactly that article.
    return {"id": f"t{n:05d}", "headline": f"{word} رقم {n} عن الطقس",
            "body": f"هطلت أمطار على المدينة في اليوم {n} وجرت السيول. رمز{n}",
            "source": random.Random(n).choice(["الأفق", "المدار", "الرصيف"]),
            "date": f"2023-09-{1 + n % 28:02d}"}


def _reader(ix: arsearch.Index, stop: threading.Event, base: list[dict],
            errors: list[BaseException], reads: list[int]) -> None:
    rng = random.Random(threading.get_ident())
    done = 0
    while not stop.is_set():
        try:
            a = rng.choice(base)
            n = int(a["id"][1:])
            results = ix.search(f"رمز{n}")
            assert a["id"] in results.ids, (a["id"], results.ids)
            assert ix.get(a["id"])["headline"] == a["headline"]
            assert a["id"] in ix
            assert len(ix) >= len(base)
            assert ix.search_ids("أمطار السيول", limit=5)
            ix.facets("الطقس", "source")
            ix.more_like(a["id"], limit=3)
            ix.search("", source="الأفق", limit=3)
            ix.suggest("الامطاز")
            ix.stats()
            str(results)
            done += 1
        except BaseException as e:  # noqa: BLE001 - every failure is the test's finding
            errors.append(e)
            return
    reads.append(done)


def _writer(ix: arsearch.Index, stop: threading.Event, errors: list[BaseException],
            present: set[str], gone: set[str]) -> None:
    n = 10_000
    rounds = 0
    try:
        while not stop.is_set():
            batch = [_article(n + i, "خبر") for i in range(15)]
            n += 15
            ix.add(batch)
            present.update(a["id"] for a in batch)
            victim = sorted(present)[0]
            assert ix.delete(victim)
            present.discard(victim)
            gone.add(victim)
            rounds += 1
            if rounds % 4 == 0:
                ix.optimize()
    except BaseException as e:  # noqa: BLE001
        errors.append(e)


@pytest.mark.parametrize("where", ["disk", "memory"])
def test_readers_and_a_writer_share_one_index(where: str, tmp_path: Path) -> None:
    ix = arsearch.Index(tmp_path / "ix" if where == "disk" else None, workers=1)
    base = [_article(i) for i in range(120)]
    ix.add(base, batch_size=40)
    stop = threading.Event()
    errors: list[BaseException] = []
    reads: list[int] = []
    present: set[str] = set()
    gone: set[str] = set()
    threads = [threading.Thread(target=_reader, args=(ix, stop, base, errors, reads))
               for _ in range(READERS)]
    threads.append(threading.Thread(target=_writer, args=(ix, stop, errors, present, gone)))
    for t in threads:
        t.start()
    time.sleep(DURATION)
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, [f"{type(e).__name__}: {e}" for e in errors]
    assert len(reads) == READERS and all(reads), reads
    # Every committed article is there, every deleted one is not.
    assert present, "the writer committed nothing"
    for article_id in present | {a["id"] for a in base}:
        assert article_id in ix
    for article_id in gone:
        assert article_id not in ix
    assert len(ix) == len(base) + len(present)
    ix.close()


def test_results_stay_readable_after_later_commits_and_close(tmp_path: Path) -> None:
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    ix.add([_article(i) for i in range(30)])
    results = ix.search("أمطار", limit=5)
    ids = results.ids
    ix.add([_article(i, "خبر") for i in range(30, 60)])
    ix.optimize()
    for i in range(5):
        ix.delete(f"t{i:05d}")
    assert results.ids == ids
    assert [h.id for h in results] == ids
    assert all(h.snippet for h in results)
    assert "<mark>" in results._repr_html_()
    assert len(results.to_dicts()) == 5
    ix.close()
    str(results)        # the suggestion, read late, is None on a closed index
    assert results.suggestion is None


def test_a_snapshot_in_use_is_closed_only_when_released(tmp_path: Path) -> None:
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    ix.add([_article(i) for i in range(10)])
    with ix._reading() as old:
        ix.add([_article(10)])
        assert not old.closed, "a commit closed a snapshot a search was using"
        assert old.doc_count == 10                      # still the old commit
        assert old.stored(0)["id"].startswith("t")      # and still readable
        with ix._reading() as new:
            assert new is not old and new.doc_count == 11
    assert old.closed, "the replaced snapshot was not closed after its last use"
    ix.close()


def test_closing_the_index_waits_for_running_reads(tmp_path: Path) -> None:
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    ix.add([_article(i) for i in range(10)])
    with ix._reading() as snap:
        ix.close()
        assert not snap.closed
        assert snap.stored(0)["id"].startswith("t")
    assert snap.closed
    with pytest.raises(arsearch.IndexClosedError):
        ix.search("أمطار")


def test_the_segment_cache_is_thread_safe_and_bounded() -> None:
    cache = SegmentCache(max_bytes=40_000)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(3000):
                key = ("seg%d" % rng.randrange(4), "postings", rng.randrange(60))
                value = cache.get_or_load(key, lambda k=key: np.full(100 + k[2], k[2]))
                assert value[0] == key[2] and len(value) == 100 + key[2]
                if rng.random() < 0.01:
                    cache.retain(["seg0", "seg1", "seg2"])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert 0 < cache.held_bytes <= cache.max_bytes
    assert 0 < len(cache) < 4 * 60


def test_the_postings_cache_stays_within_its_bound_over_many_searches(tmp_path: Path) -> None:
    # A few thousand articles with many distinct words, a cache far smaller
    # than their postings: searching every word keeps the cache bounded.
    rng = random.Random(9)
    words = [f"كلمة{i}" for i in range(400)]
    articles = [{"id": f"m{i}", "headline": " ".join(rng.sample(words, 3)),
                 "body": " ".join(rng.choices(words, k=60))} for i in range(1500)]
    limit = 120_000
    ix = arsearch.Index(tmp_path / "ix", workers=1, cache_bytes=limit)
    ix.add(articles, batch_size=500)
    for word in words:
        assert ix.search_ids(word, limit=3)
        assert ix._cache.held_bytes <= limit
    assert len(ix._cache) > 0
    # Evicted postings are read again, with the same results.
    first = ix.search_ids(words[0], limit=50)
    ix._cache.clear()
    assert ix.search_ids(words[0], limit=50) == first
