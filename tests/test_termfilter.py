"""Term filters (arsearch.index.termfilter): a sorted array of checksums of
each segment's terms, written beside the segment, that lets the spelling
corrector rule out candidate words without a dictionary look-up.

The rules tested: a filter never says a term of its segment is absent; it
rules out nearly all words of no article; every commit leaves each segment
with its filter, and merged-away segments lose theirs; corrections and
results are the same with and without filters, with fewer look-ups; a
missing, damaged or foreign filter is ignored and written again by the
next commit; failing to write one fails no commit. (A crash while one is
written: tests/test_reliability_crash.py, point "filter".)
"""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import arsearch
from arsearch._whoosh import term_dictionary
from arsearch.index import snapshot as snapshot_module
from arsearch.index.schema import TEXT_FIELDS, exact_fields
from arsearch.index.termfilter import ID_FIELD, TermFilter, filter_path, term_checksums
from arsearch.sample import load_sample

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus in three segments (small batches, merged by tiers)."""
    path = tmp_path_factory.mktemp("filters") / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(load_sample(), batch_size=60)
    return path


def filter_files(path: Path) -> set[str]:
    return {p.name[:-len(".terms")] for p in path.glob("*.terms")}


def segment_ids(ix: arsearch.Index) -> set[str]:
    return {s.segment_id() for s in ix._opened.whoosh_index._segments()}


def covered_fields(ix: arsearch.Index) -> tuple[str, ...]:
    return TEXT_FIELDS + tuple(exact_fields(ix._opened.schema).values()) + ("id",)


def typos(n: int, seed: int = 7) -> list[str]:
    """Queries of two headline words from the sample, one of them with a
    letter dropped, doubled or replaced: what the corrector works on."""
    rng = random.Random(seed)
    headlines = [a["headline"].split() for a in load_sample()]
    out = []
    while len(out) < n:
        words = [w for w in rng.choice(headlines) if len(w) >= 5]
        if len(words) < 2:
            continue
        a, b = rng.sample(words, 2)
        i = rng.randrange(1, len(a) - 1)
        a = rng.choice([a[:i] + a[i + 1:], a[:i] + a[i] + a[i:],
                        a[:i] + rng.choice(LETTERS) + a[i + 1:]])
        out.append(f"{a} {b}")
    return out


def test_a_filter_holds_every_term_of_its_segment(sample_index: Path) -> None:
    with arsearch.Index(sample_index, create=False) as ix:
        fields = covered_fields(ix)
        ids = segment_ids(ix)
        assert len(ids) > 1
        reader = ix._opened.whoosh_index.reader()
        try:
            for leaf, _ in reader.leaf_readers():
                sid = leaf.segment().segment_id()
                found = TermFilter.load(filter_path(sample_index, sid), leaf.doc_count_all())
                assert found is not None, sid
                terms = list(term_dictionary(leaf, fields))
                assert {name for name, _ in terms} == set(fields)
                for name in fields:
                    texts = [t.decode("utf-8") for f, t in terms if f == name]
                    assert found.may_hold(name, term_checksums(texts)).all(), name
        finally:
            reader.close()


def test_words_of_no_article_are_ruled_out(sample_index: Path) -> None:
    rng = random.Random(3)
    with arsearch.Index(sample_index, create=False) as ix, ix._reading() as snap:
        words = {"".join(rng.choice(LETTERS) for _ in range(rng.randint(6, 9)))
                 for _ in range(3000)}
        words = [w for w in words if snap.doc_frequency("body", w) == 0]
        held = snap.may_hold("body", words)
        # A checksum of 32 bits: a few collisions among thousands of terms at most.
        assert held.sum() <= 5
        # Known terms, stems and exact forms (in the exact field) alike.
        known = ["مفاوض", "=المفاوضات"]
        assert all(snap.doc_frequency("body", t) for t in known)
        assert snap.may_hold("body", known).all()
        assert snap.doc_frequencies([("body", w) for w in words[:50]] +
                                    [("body", t) for t in known])[:50] == [0] * 50


def test_every_commit_leaves_each_segment_with_its_filter(tmp_path: Path) -> None:
    articles = load_sample()
    with arsearch.Index(tmp_path / "ix", workers=1) as ix:
        for start in range(0, 100, 20):
            ix.add(articles[start:start + 20])
            assert filter_files(tmp_path / "ix") == segment_ids(ix)
        ix.delete(articles[0]["id"])
        ix.optimize()
        assert len(segment_ids(ix)) == 1
        # Whoosh removed the merged segments' filters with their files.
        assert filter_files(tmp_path / "ix") == segment_ids(ix)


def _answers(path: Path, queries: list[str]) -> list[tuple[object, ...]]:
    with arsearch.Index(path, create=False) as ix:
        return [(ix.corrections(q), ix.search_ids(q, limit=10), ix.suggest(q))
                for q in queries]


def test_corrections_and_results_are_the_same_without_filters(
        sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = typos(40)
    without = tmp_path / "without"
    shutil.copytree(sample_index, without)
    for p in without.glob("*.terms"):
        p.unlink()

    lookups = {"n": 0}
    count = snapshot_module.Snapshot.doc_frequency

    def counted(self: snapshot_module.Snapshot, *args: object, **kwargs: object) -> int:
        lookups["n"] += 1
        return count(self, *args, **kwargs)

    monkeypatch.setattr(snapshot_module.Snapshot, "doc_frequency", counted)
    with_filters = _answers(sample_index, queries)
    looked_up_with = lookups["n"]
    lookups["n"] = 0
    without_filters = _answers(without, queries)
    assert with_filters == without_filters
    assert sum(bool(c) for c, _, _ in with_filters) >= 10   # the typos were corrected
    # The filters ruled out most candidates before any look-up.
    assert looked_up_with * 3 < lookups["n"]
    assert not list(without.glob("*.terms"))    # searching writes nothing


def test_a_damaged_or_foreign_filter_is_ignored_and_written_again(
        sample_index: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ix"
    shutil.copytree(sample_index, path)
    queries = typos(15, seed=11)
    expected = _answers(sample_index, queries)
    files = sorted(path.glob("*.terms"))
    sizes = {p: TermFilter.load(p, -1) for p in files}
    assert all(v is None for v in sizes.values())     # a segment of another size: not trusted
    files[0].write_bytes(b"not a filter")
    files[1].write_bytes(files[1].read_bytes()[:40])  # cut short
    with caplog.at_level(logging.WARNING, logger="arsearch"):
        assert _answers(path, queries) == expected
    assert "damaged term filter" in caplog.text
    files[2].unlink()
    assert _answers(path, queries) == expected
    with arsearch.Index(path, create=False) as ix:
        ix.add({"id": "new", "headline": "خبر جديد", "body": "نص الخبر الجديد"})
        assert filter_files(path) == segment_ids(ix)
        reader = ix._opened.whoosh_index.reader()
        try:
            for leaf, _ in reader.leaf_readers():
                assert TermFilter.load(filter_path(path, leaf.segment().segment_id()),
                                       leaf.doc_count_all()) is not None
        finally:
            reader.close()


def test_a_filter_that_cannot_be_written_fails_no_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def full_disk(self: TermFilter, path: Path) -> None:
        raise OSError(28, "No space left on device")

    articles = load_sample()[:30]
    with arsearch.Index(tmp_path / "ix", workers=1) as ix:
        monkeypatch.setattr(TermFilter, "save", full_disk)
        with caplog.at_level(logging.WARNING, logger="arsearch"):
            assert ix.add(articles) == 30
        assert "could not write a term filter" in caplog.text
        assert len(ix) == 30 and not filter_files(tmp_path / "ix")
        assert ix.search_ids(articles[3]["headline"], limit=1)[0][0] == articles[3]["id"]
        monkeypatch.undo()
        ix.delete(articles[0]["id"])          # the next commit writes it
        assert filter_files(tmp_path / "ix") == segment_ids(ix)


def test_an_index_in_memory_corrects_without_filters() -> None:
    ix = arsearch.Index()
    ix.add(load_sample())
    with ix._reading() as snap:
        assert snap.may_hold("body", ["كلمة", "=غيرها"]).all()   # nothing ruled out
    assert ix.suggest("المفاوضاث") == "المفاوضات"


def test_checksums_match_the_filter_layout() -> None:
    built = TermFilter.build([("body", "سلام".encode())] * 3, fields=("body",), doc_count=1)
    assert built.fields["body"].dtype == np.uint32 and len(built.fields["body"]) == 1
    assert built.may_hold("body", term_checksums(["سلام", "كلام"])).tolist() == [True, False]


def test_worker_processes_write_their_segments_filters_before_the_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arsearch.index.termfilter import FilterWriter
    from benchmarks.load import synthetic_articles

    left_to_commits: list[int] = []
    write_missing = FilterWriter.write_missing

    def counted(self: FilterWriter, ix: object) -> int:
        written = write_missing(self, ix)
        left_to_commits.append(written)
        return written

    monkeypatch.setattr(FilterWriter, "write_missing", counted)
    with arsearch.Index(tmp_path / "ix", workers=2) as ix:
        ix.add(synthetic_articles(0, 600, body_words=(20, 40)), batch_size=600)
        assert len(segment_ids(ix)) == 2                 # one segment per worker
        assert filter_files(tmp_path / "ix") == segment_ids(ix)
    assert left_to_commits == [0]


def test_a_damaged_filter_is_reported_once_per_commit_not_per_query(
        sample_index: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ix"
    shutil.copytree(sample_index, path)
    for p in path.glob("*.terms"):
        p.write_bytes(b"not a filter")
    with caplog.at_level(logging.WARNING, logger="arsearch"):
        _answers(path, typos(10, seed=5))
    assert 1 <= caplog.text.count("damaged term filter") <= len(list(path.glob("*.terms")))


def _strip_id_filters(path: Path) -> None:
    """Rewrite every filter as one written before filters covered ids."""
    for file in path.glob("*.terms"):
        with np.load(file) as data:
            names = [str(n) for n in data["names"]]
            fields = {n: data[f"field_{i}"] for i, n in enumerate(names) if n != ID_FIELD}
            count = int(data["header"][1])
        TermFilter(fields, count).save(file)


@pytest.mark.parametrize("id_filters", [True, False], ids=["id filters", "older filters"])
def test_re_added_articles_replace_theirs_in_every_segment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, id_filters: bool) -> None:
    """A batch's ids are looked up only in the segments whose filters may
    hold them; a segment whose filter has no ids is asked for every id."""
    from whoosh.reading import SegmentReader
    articles = load_sample()
    path = tmp_path / "ix"
    with arsearch.Index(path, workers=1) as ix:
        ix.add(articles, batch_size=40)
        assert len(segment_ids(ix)) > 2
    if not id_filters:
        _strip_id_filters(path)
    asked: list[str] = []
    contains = SegmentReader.__contains__

    def counted(self: SegmentReader, term: tuple[str, str]) -> bool:
        asked.append(term[1])
        return contains(self, term)

    monkeypatch.setattr(SegmentReader, "__contains__", counted)
    changed = [dict(a, headline="زرافةٌ في المدينة") for a in articles[::7]]
    fresh = [{"id": f"new-{i}", "headline": "خبر جديد"} for i in range(30)]
    with arsearch.Index(path, workers=1) as ix:
        segments = len(segment_ids(ix))
        ix.add(changed + fresh)
        asked_by_add = list(asked)
        assert len(ix) == len(articles) + len(fresh)
        assert {i for i, _ in ix.search_ids("زرافة", limit=1000)} == {a["id"] for a in changed}
    asked = asked_by_add
    if id_filters:   # each changed id where it is (now and then a checksum twin), no fresh one
        assert not any(i.startswith("new-") for i in asked)
        assert len(asked) < 2 * len(changed)
    else:
        assert len(asked) == segments * len(changed + fresh)
