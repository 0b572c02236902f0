"""Segment merges: arsearch's term-at-a-time merge writes exactly what
Whoosh's own merge writes, and the tiered policy keeps the number of
segments logarithmic in the size of the index."""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pytest

import arsearch
from arsearch import _whoosh
from arsearch.index.merging import MERGE_FACTOR, TAIL_SHARE, merge_plan, tail_plan, tier_ceiling

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from whoosh.writing import SegmentWriter


def _build(path: Path, articles: list[dict], deleted: list[str]) -> arsearch.Index:
    # Batches of 40 without merging: several segments, some with deletions.
    ix = arsearch.Index(path, workers=1)
    ix._writer.merge_tiers = lambda: None            # keep every segment for the test
    ix._writer.merge_tail = lambda budget, below=None: None
    ix.add(articles, batch_size=40)
    for article_id in deleted:
        ix.delete(article_id)
    return ix


def _merge_all(ix: arsearch.Index, fast: bool) -> None:
    wix = ix._opened.whoosh_index
    segments = _whoosh.index_segments(wix)
    assert len(segments) > 1
    writer = _whoosh.unlocked_writer(wix) if fast else SegmentWriter(wix, _lk=False)
    readers = _whoosh.segment_readers(wix, segments)
    if fast:
        _whoosh.merge_segments(writer, readers)
    else:
        for reader in readers:
            writer.add_reader(reader)
    with _whoosh.quiet():
        writer.commit(mergetype=lambda w, segs: [])


def _contents(ix: arsearch.Index) -> dict[str, Any]:
    """Everything a segment holds, as Whoosh's public API reads it."""
    with ix._reading() as snap:
        assert snap.segment_count == 1
        (seg,) = snap._segments
        leaf, n = seg.leaf, seg.size
        postings = {}
        for fieldname in sorted(leaf.indexed_field_names()):
            for text in leaf.lexicon(fieldname):
                m = leaf._terms.matcher(fieldname, text, leaf.schema[fieldname].format)
                found = []
                while m.is_active():
                    found.append((m.id(), m.weight(), m.value()))
                    m.next()
                info = leaf._terms.term_info(fieldname, text)
                postings[(fieldname, text)] = (found, info.weight(), info.doc_frequency(),
                                               info.min_length(), info.max_length(),
                                               info.max_weight())
        return {
            "postings": postings,
            "stored": [leaf.stored_fields(d) for d in range(n)],
            "lengths": {f: [leaf.doc_field_length(d, f) for d in range(n)]
                        for f in ("headline", "body")},
            "columns": {c: [leaf.column_reader(c)[d] for d in range(n)] for c in ("id", "date")},
            "totals": {f: leaf.field_length(f) for f in ("headline", "body")},
        }


def test_the_fast_merge_writes_what_whoosh_merge_writes(tmp_path: Path) -> None:
    articles = arsearch.load_sample()
    deleted = [a["id"] for a in random.Random(3).sample(articles, 12)]
    ours = _build(tmp_path / "ours", articles, deleted)
    theirs = _build(tmp_path / "theirs", articles, deleted)
    _merge_all(ours, fast=True)
    _merge_all(theirs, fast=False)
    a, b = _contents(ours), _contents(theirs)
    assert a["postings"].keys() == b["postings"].keys()
    for key in a["postings"]:
        assert a["postings"][key] == b["postings"][key], key
    for part in ("stored", "lengths", "columns", "totals"):
        assert a[part] == b[part], part
    assert len(ours) == len(articles) - len(deleted)
    assert ours.search_ids("المدينة", limit=50) == theirs.search_ids("المدينة", limit=50)


def test_optimize_merges_into_one_segment_and_keeps_every_article(tmp_path: Path) -> None:
    articles = arsearch.load_sample()
    ix = _build(tmp_path / "ix", articles, [articles[5]["id"]])
    before = {q: ix.search_ids(q, limit=20) for q in ("الطاقة", "المياه", "كرة القدم")}
    ix.optimize()
    assert ix.stats()["segments"] == 1
    assert len(ix) == len(articles) - 1 and articles[5]["id"] not in ix
    for q, hits in before.items():
        after = ix.search_ids(q, limit=20)
        assert [d for d, _ in after] == [d for d, _ in hits]
        assert [s for _, s in after] == pytest.approx([s for _, s in hits], abs=1e-12)
    ix.optimize()                               # nothing left to merge: no error, no change
    assert ix.stats()["segments"] == 1


def test_the_merge_plan_waits_for_a_full_tier() -> None:
    assert merge_plan({f"s{i}": 900 for i in range(MERGE_FACTOR - 1)}) == []
    small = {f"s{i}": 900 + i for i in range(MERGE_FACTOR)}
    assert sorted(merge_plan({**small, "big": 90_000})) == sorted(small)
    # Segments of different tiers are not merged together.
    mixed = {f"s{i}": 1000 * MERGE_FACTOR ** (i % 3) for i in range(3 * (MERGE_FACTOR - 1))}
    assert merge_plan(mixed) == []
    # The lowest full tier goes first, and one-article segments are a tier too.
    ones = {f"one{i}": 1 for i in range(MERGE_FACTOR)}
    assert sorted(merge_plan({**ones, **small})) == sorted(ones)


def test_bulk_loads_keep_the_number_of_segments_logarithmic(tmp_path: Path) -> None:
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    articles = [{"id": f"a{i}", "headline": f"خبر رقم {i}", "body": "نص قصير عن الطقس"}
                for i in range(3000)]
    merged: list[bool] = []
    merge = ix._writer._merge

    def counting(choose: Any) -> bool:
        done = merge(choose)
        if done:
            merged.append(done)
        return done

    ix._writer._merge = counting
    ix.add(articles, batch_size=20)
    segments = ix.stats()["segments"]
    # 150 batches of 20 would be 150 segments; a full tier is merged at once
    # (tiers 10-99, 100-999 and 1000-9999 articles: at most 9 each).
    assert segments <= 3 * (MERGE_FACTOR - 1)
    # Each merge takes a whole tier, so there are few of them: every tenth
    # batch starts one, and one in ten merges goes a tier further.
    assert len(merged) <= 150 // MERGE_FACTOR * 2 + 2
    assert len(ix) == 3000 and ix.search("رقم 2999").ids[0] == "a2999"


def test_the_tail_plan_merges_the_smallest_segments_within_the_budget() -> None:
    sizes = {"big1": 20_000, "big2": 20_000, "a": 2_000, "b": 2_000, "c": 1_000, "d": 1_000}
    assert sorted(tail_plan(sizes, budget=25_000)) == ["a", "b", "c", "d"]
    assert sorted(tail_plan(sizes, budget=4_000)) == ["a", "c", "d"]
    # One segment alone is not a merge, nor is a budget below two segments.
    assert tail_plan(sizes, budget=1_500) == []
    assert tail_plan({"big": 20_000, "a": 100}, budget=10_000) == []


def test_the_tail_plan_never_merges_what_a_tier_merge_made() -> None:
    # Rule (merging.tail_plan): the tail folds up the batches tiers left
    # behind; a segment a tier merge made is not merged again at the end.
    assert tier_ceiling(4_000) == 10_000 and tier_ceiling(999) == 1_000
    assert tier_ceiling(1_000) == 10_000
    made = {f"t{i}": 40_000 for i in range(5)}
    assert tail_plan(made, budget=100_000, below=tier_ceiling(4_000)) == []
    assert sorted(tail_plan(made, budget=100_000)) == ["t0", "t1"]
    left = {**made, "a": 4_000, "b": 4_000, "c": 2_000}
    assert sorted(tail_plan(left, budget=125_000, below=tier_ceiling(4_000))) == ["a", "b", "c"]


def test_a_load_that_ends_on_a_full_tier_merges_nothing_more(tmp_path: Path) -> None:
    articles = [{"id": f"a{i}", "headline": f"خبر رقم {i}", "body": "نص قصير عن الطقس"}
                for i in range(1000)]
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    # Fifty batches of 20: five tier merges of 200, and nothing left for
    # the tail, whose budget (500) would have merged two of the 200s again.
    ix.add(articles, batch_size=20)
    assert TAIL_SHARE * 1000 >= 2 * 200
    assert _segment_sizes(ix) == [200] * 5
    assert len(ix) == 1000 and ix.search("رقم 999").ids[0] == "a999"


def _segment_sizes(ix: arsearch.Index) -> list[int]:
    return sorted(s.doc_count() for s in _whoosh.index_segments(ix._opened.whoosh_index))


def test_a_bulk_load_ends_by_merging_its_small_segments(tmp_path: Path) -> None:
    articles = [{"id": f"a{i}", "headline": f"خبر رقم {i}", "body": "نص قصير عن الطقس"}
                for i in range(230)]
    ix = arsearch.Index(tmp_path / "ix", workers=1)
    ix.add(articles, batch_size=20)
    # Tiers alone: ten 20s become one 200, and 20, 10 are left: 3 segments.
    # The tail merge folds the two small ones into one of 30.
    assert _segment_sizes(ix) == [30, 200]
    assert len(ix) == 230 and ix.search("رقم 229").ids[0] == "a229"
    # A load of one batch merges nothing; a small load merges at most
    # TAIL_SHARE of what it added: 20 of these 40, less than 5 + 20.
    ix.add([dict(a, id=f"b{i}") for i, a in enumerate(articles[:5])])
    assert _segment_sizes(ix) == [5, 30, 200]
    ix.add([dict(a, id=f"c{i}") for i, a in enumerate(articles[:40])], batch_size=20)
    assert TAIL_SHARE * 40 < 5 + 20
    assert _segment_sizes(ix) == [5, 20, 20, 30, 200]
    ix.add([dict(a, id=f"d{i}") for i, a in enumerate(articles[:60])], batch_size=30)
    # 30 of these 60: the 5 and a 20 merge.
    assert _segment_sizes(ix) == [20, 25, 30, 30, 30, 200]
    assert len(ix) == 335


def test_a_loads_last_merges_are_one_merge_when_one_would_fill_the_next_tier(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rule (merging.merge_plan, cascade): the last ten small segments would
    # make the tenth large one, so they and the nine large ones are merged
    # together, once, not first among themselves (and the last batch starts
    # no background merge of its own).
    from arsearch.index import merging, writing

    merged_docs: list[int] = []
    for module in (merging, writing):
        real = module.merge_segments

        def counting(writer: Any, readers: Any, real: Any = real) -> None:
            merged_docs.append(sum(r.doc_count() for r in readers))
            real(writer, readers)

        monkeypatch.setattr(module, "merge_segments", counting)
    articles = [{"id": f"a{i}", "headline": f"خبر رقم {i}", "body": "نص قصير عن الطقس"}
                for i in range(2000)]
    ix = arsearch.Index(tmp_path / "ix", workers=1, batch_size=20)
    ix._writer.background_merges = True
    assert ix.add(articles) == 2000
    assert _segment_sizes(ix) == [2000]
    # Nine merges of ten 20s into 200s, then one of all 2,000: the last
    # 200 articles are merged once, not twice.
    assert merged_docs == [200] * 9 + [2000]
    assert len(ix) == 2000 and ix.search("رقم 1999").ids[0] == "a1999"
