"""ShardedIndex on a Ray cluster: exactly one index's ranking, routing of
writes, the command line, faults, and a two-node cluster.

Exactness is checked in lockstep: random corpora are added to a
ShardedIndex and to one Index, then changed alike (upserts, deletions),
and after each step random queries (words, phrases, exclusions, field
prefixes, blank queries, filters by source, tags and dates, pages) must
give both the same ids in the same order, the same scores to 1e-9, the
same totals, snippets, facets, related articles and spelling suggestions.

A local Ray cluster of two CPUs is started once for the session. The tests
are skipped when Ray is not installed (the ``cluster`` extra).
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip(
    "ray", reason="Ray is not installed; the cluster tests need the cluster extra: "
                  "pip install -e \".[test,cluster]\"")

import arsearch  # noqa: E402
from arsearch.cli import main as cli_main  # noqa: E402
from arsearch.cluster import (ShardedIndex, ShardedResults, ShardUnavailableError,  # noqa: E402
                              shard_of)
from arsearch.cluster.actor import ShardActor, _pages  # noqa: E402
from arsearch.cluster.routing import MANIFEST_FILE, read_manifest  # noqa: E402

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    """A local Ray instance with two CPUs, once per session (it takes
    seconds to start)."""
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 object_store_memory=80 * 2**20, logging_level=logging.WARNING)
    yield
    if started:
        ray.shutdown()


@pytest.fixture
def open_sharded(ray_cluster, tmp_path) -> Iterator:
    """``open_sharded(shards=2, **kwargs)``: a ShardedIndex in a new root
    under tmp_path, closed after the test."""
    made: list[ShardedIndex] = []

    def make(shards: int = 2, root: Path | None = None, **kwargs) -> ShardedIndex:
        sx = ShardedIndex(root or tmp_path / f"root{len(made)}", shards=shards, **kwargs)
        made.append(sx)
        return sx

    yield make
    for sx in made:
        sx.close()


# --------------------------------------------------------------------------
# Random corpora and queries

WORDS = ["مطر", "والمطر", "بالمطر", "الأمطار", "غزير", "سيول", "السيول", "جدة", "بجدة",
         "الرياض", "وزير", "الوزير", "للوزير", "الخارجية", "قمة", "القمة", "اقتصاد",
         "الاقتصاد", "نفط", "أسعار", "الأسعار", "ليبيا", "الليبية", "مباراة", "الهلال",
         "المفاوضات", "جنيف", "الطاقة", "الشمسية", "مستشفى", "مسؤول", "المسئولين", "صنعاء",
         "صنعا", "الوزراء"]
# Spellings of one source that normalize alike, so facets must merge them.
SOURCES = ["صحيفة الأفق", "صحيفة الافق", "وكالة المدار", "نشرة الرصيف", ""]
TAGS = ["طقس", "اقتصاد", "رياضة", "سياسة", "طاقة"]
# Few dates, so that listings without ranked words have ties (ordered by id).
DATES = [None, "2023-01-05", "2023-03-10", "2023-03-10T08:30:00", "2023-06-01", "2024-02-29"]


def random_article(rng: random.Random, n: int, prefix: str = "a") -> dict:
    def text(lo: int, hi: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))

    article = {"id": f"{prefix}{n:04d}", "headline": text(1, 6), "body": text(0, 30),
               "source": rng.choice(SOURCES), "tags": rng.sample(TAGS, rng.randint(0, 2))}
    date = rng.choice(DATES)
    if date:
        article["date"] = date
    return article


def random_query(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.08:
        return ""
    if kind < 0.12:
        return "-" + rng.choice(WORDS)
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.15:
        words[-1] = misspelled(rng)
    if rng.random() < 0.25:
        # often a phrase no article holds: it is read as its words
        words = [f'"{words[0]} {rng.choice(WORDS)}"', *words[1:]]
    if rng.random() < 0.2:
        words.append("-" + rng.choice(WORDS))
    if rng.random() < 0.15:
        words[0] = rng.choice(["headline:", "body:"]) + words[0]
    if rng.random() < 0.1:
        words.append("source:وكالة_المدار" if rng.random() < 0.5 else "tag:طقس")
    if rng.random() < 0.1:
        words.insert(1, "OR")
    return " ".join(words)


def random_filters(rng: random.Random) -> dict:
    filters: dict = {}
    if rng.random() < 0.25:
        filters["source"] = rng.sample([s for s in SOURCES if s], rng.randint(1, 2))
    if rng.random() < 0.2:
        filters["tags"] = rng.choice(TAGS)
    if rng.random() < 0.2:
        filters["since"] = rng.choice(["2023-03-10", "2023-02-01"])
    if rng.random() < 0.2:
        filters["until"] = rng.choice(["2023-03-10", "2023-12-31"])
    if rng.random() < 0.2:
        filters["correct"] = False
    if rng.random() < 0.2:
        filters["relax_phrases"] = rng.choice([True, False])
    if rng.random() < 0.2:
        filters["phrase_slop"] = rng.choice([0, 2])
    return filters


def misspelled(rng: random.Random) -> str:
    word = rng.choice([w for w in WORDS if len(w) >= 5])
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("ثقفغعهخحجد") + word[i + 1:]


# --------------------------------------------------------------------------
# Comparing a ShardedIndex with one Index


def assert_same_results(expected, got, what) -> None:
    assert got.ids == expected.ids, what
    assert got.total == expected.total, what
    assert (got.page, got.limit, got.pages) == (expected.page, expected.limit, expected.pages)
    assert [h.rank for h in got] == [h.rank for h in expected], what
    for a, b in zip(expected, got):
        assert b.score == pytest.approx(a.score, abs=1e-9), (what, a.id)
        assert (b.snippet, b.headline_passage, b.date, b.source, b.tags) == \
            (a.snippet, a.headline_passage, a.date, a.source, a.tags), (what, a.id)
    assert not got.partial and got.missing_shards == ()


def assert_same_index(one: arsearch.Index, sx: ShardedIndex, rng: random.Random,
                      queries: int = 12) -> None:
    assert len(sx) == len(one)
    assert sorted(sx.ids()) == sorted(one.ids())
    for _ in range(queries):
        query, filters = random_query(rng), random_filters(rng)
        limit, page = rng.choice([1, 3, 10]), rng.choice([1, 1, 2, 3])
        what = (query, filters, limit, page)
        expected = one.search(query, limit=limit, page=page, **filters)
        got = sx.search(query, limit=limit, page=page, **filters)
        assert_same_results(expected, got, what)
        assert (got.corrected, got.relaxed_phrases) == \
            (expected.corrected, expected.relaxed_phrases), what
        expected_ids = one.search_ids(query, limit=limit, page=page, **filters)
        got_ids = sx.search_ids(query, limit=limit, page=page, **filters)
        assert [i for i, _ in got_ids] == [i for i, _ in expected_ids], what
        assert [s for _, s in got_ids] == pytest.approx([s for _, s in expected_ids], abs=1e-9)
        facet_filters = {k: v for k, v in filters.items()
                         if k not in ("weights", "correct", "relax_phrases", "phrase_slop")}
        for field in ("source", "tags"):
            got = sx.facets(query, field, **facet_filters)
            assert got == one.facets(query, field, **facet_filters), (what, field)
            assert list(got) == list(one.facets(query, field, **facet_filters))
    weights = {"headline": 1.5, "body": 2.0}
    query = " ".join(rng.sample(WORDS, 3))
    assert_same_results(one.search(query, weights=weights), sx.search(query, weights=weights),
                        (query, weights))
    ids = one.ids()
    for article_id in rng.sample(ids, min(4, len(ids))):
        assert_same_results(one.more_like(article_id, limit=4, page=2),
                            sx.more_like(article_id, limit=4, page=2), article_id)
        assert sx.get(article_id) == one.get(article_id)
        assert article_id in sx
    text = " ".join(rng.choice(WORDS) for _ in range(30))
    assert_same_results(one.more_like_text(text, limit=6), sx.more_like_text(text, limit=6),
                        text)
    for _ in range(2):
        query = f"{misspelled(rng)} {rng.choice(WORDS)}"
        assert sx.suggest(query) == one.suggest(query), query
    assert sx.search(query).suggestion == one.search(query).suggestion
    stats, expected = sx.stats(), one.stats()
    for key in ("articles", "sources", "oldest", "newest", "analyzer", "weights"):
        assert stats[key] == expected[key], key
    assert stats["shards"] == sx.shards and sum(stats["shard_articles"]) == len(one)


def test_typed_queries_find_the_same_as_one_index(open_sharded, make_index):
    """Corrections, spelling variants and relaxed phrases (see
    test_typed_queries.py) are decided once for every shard."""
    from test_typed_queries import ARTICLES

    one = make_index(ARTICLES)
    sx = open_sharded(3)
    sx.add(ARTICLES)
    cases = [("المفاوضاث", {}), ("المفاوضاث", {"correct": False}), ("جنيف المفاوضاث", {}),
             ("مسئول", {"correct": False}), ("صنعا", {"correct": False}), ("الصحرا", {}),
             ('"الليل الطويل حدائق"', {}), ('"حدائق الليل القصير"', {}),
             ('"الليل الطويل حدائق"', {"relax_phrases": False}),
             ('"الليل الطويل حدائق"', {"relax_phrases": False, "phrase_slop": 0}),
             ('"الليل الطويل حدائق"', {"phrase_slop": 0}), ('"حدائق الطويل"', {}),
             ('"حدائق الليل الطويل"', {}), ('"حدائق الليل الطويل"', {"relax_phrases": True}),
             ('المفاوضاث "الليل الطويل حدائق"', {"source": "none"})]
    for query, options in cases:
        expected = one.search(query, **options)
        got = sx.search(query, **options)
        assert_same_results(expected, got, (query, options))
        assert (got.corrected, got.relaxed_phrases, got.suggestion) == \
            (expected.corrected, expected.relaxed_phrases, expected.suggestion), query
        got_ids, expected_ids = sx.search_ids(query, **options), one.search_ids(query, **options)
        assert [i for i, _ in got_ids] == [i for i, _ in expected_ids], query
        assert [s for _, s in got_ids] == pytest.approx([s for _, s in expected_ids], abs=1e-9)
    assert sx.search('"الليل الطويل حدائق"').ids[0] == "novel"
    assert sx.search("المفاوضاث").corrected == "المفاوضات"
    assert sx.corrections("المفاوضاث") == one.corrections("المفاوضاث")
    assert sx.facets('"الليل الطويل حدائق"', "tags") == one.facets('"الليل الطويل حدائق"', "tags")
    with pytest.raises(arsearch.QueryError):
        sx.search("المفاوضات", correct="yes")
    with pytest.raises(arsearch.QueryError):
        sx.search_ids("المفاوضات", relax_phrases="no")


def test_joined_words_are_chosen_once_for_every_shard(open_sharded, make_index):
    """Two words searched as one (الفيس بوك, فيسبوك) are decided from the
    sum of the shards' figures, as a correction is."""
    from test_typed_queries import JOINED

    one = make_index(JOINED)
    sx = open_sharded(3)
    sx.add(JOINED)
    for query in ("الفيس بوك", "الفيس بوك للرسائل", "المدينة القديمة", "سي أر"):
        assert sx.corrections(query) == one.corrections(query), query
        expected, got = one.search(query), sx.search(query)
        assert_same_results(expected, got, query)
        assert got.corrected == expected.corrected is None, query
    assert sx.corrections("الفيس بوك")[0].joined



@pytest.mark.parametrize("seed", range(3))
def test_sharded_index_ranks_exactly_as_one_index(open_sharded, tmp_path, seed):
    rng = random.Random(seed)
    shards = 2 + seed % 2
    sx = open_sharded(shards, batch_size=rng.randint(7, 40))
    one = arsearch.Index(tmp_path / f"one{seed}")
    articles = [random_article(rng, n) for n in range(rng.randint(45, 90))]
    batch = rng.randint(10, 50)
    assert sx.add(articles) == one.add(articles, batch_size=batch) == len(articles)
    assert_same_index(one, sx, rng)
    # Upserts, deletions and new articles change statistics on some shards only.
    changed = [dict(a, headline=random_article(rng, 0)["headline"])
               for a in rng.sample(articles, 15)]
    changed += [random_article(rng, n, prefix="b") for n in range(20)]
    assert sx.add(changed) == one.add(changed) == len(changed)
    for article in rng.sample(articles, 12):
        assert sx.delete(article["id"]) is one.delete(article["id"]) is True
    assert sx.delete("no-such-id") is False
    assert_same_index(one, sx, rng)
    one.close()


def test_each_shard_holds_exactly_the_articles_routed_to_it(open_sharded, ray_cluster):
    rng = random.Random(5)
    sx = open_sharded(3)
    articles = [random_article(rng, n) for n in range(60)]
    sx.add(articles)
    sx.add(dict(articles[0], headline="عنوان جديد"))    # an upsert
    sx.delete(articles[1]["id"])
    for k, path in enumerate(sx.paths):
        with arsearch.Index(path, create=False) as shard:   # a second reader of the shard
            expected = {a["id"] for a in articles[2:] if shard_of(a["id"], 3) == k}
            if shard_of(articles[0]["id"], 3) == k:
                expected.add(articles[0]["id"])
                assert shard.get(articles[0]["id"])["headline"] == "عنوان جديد"
            assert set(shard.ids()) == expected
    assert len(sx) == 59 and articles[1]["id"] not in sx


def test_a_root_is_reopened_with_its_routing(open_sharded, tmp_path):
    root = tmp_path / "news"
    sx = open_sharded(3, root=root, batch_size=16)
    articles = [random_article(random.Random(9), n) for n in range(50)]
    sx.add(articles)
    expected = sx.search("مطر الرياض", limit=20)
    sx.close()
    manifest = read_manifest(root)
    assert manifest.shards == 3 and manifest.complete
    assert sorted(p.name for p in root.iterdir()) == [MANIFEST_FILE, "shard-000", "shard-001",
                                                      "shard-002"]
    with ShardedIndex(root) as again:           # the shard count comes from the manifest
        assert again.shards == 3 and len(again) == 50
        assert_same_results(expected, again.search("مطر الرياض", limit=20), "reopened")
        again.add(dict(articles[0], body="تحديث"))   # reaches the shard that holds it
        assert len(again) == 50
    with pytest.raises(arsearch.SettingsError, match="has 3 shards, not 2"):
        ShardedIndex(root, shards=2)


def test_shard_directories_are_checked_when_opened(ray_cluster, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    with ShardedIndex([a, b]) as sx:
        sx.add([random_article(random.Random(1), n) for n in range(10)])
    with pytest.raises(arsearch.IndexOpenError, match="holds shard 1 of 2, not shard 0 of 2"):
        ShardedIndex([b, a])
    with pytest.raises(arsearch.IndexOpenError, match="holds shard 0 of 2, not shard 0 of 3"):
        ShardedIndex([a, b, tmp_path / "c"])
    plain = tmp_path / "plain"
    with arsearch.Index(plain) as ix:
        ix.add({"id": "1", "headline": "مطر"})
    with pytest.raises(arsearch.IndexOpenError, match="already holds an index of 1 articles"):
        ShardedIndex([plain, tmp_path / "d"])
    with pytest.raises(arsearch.IndexOpenError, match="holds an ordinary"):
        ShardedIndex(plain, shards=2)
    with pytest.raises(arsearch.IndexOpenError, match="no sharded index"):
        ShardedIndex(tmp_path / "missing", create=False)
    with pytest.raises(arsearch.SettingsError, match="give its number of shards"):
        ShardedIndex(tmp_path / "new")


def test_bad_input_gets_arsearch_errors_and_keeps_what_came_before(open_sharded):
    sx = open_sharded(2, batch_size=4)
    good = [{"id": f"g{i}", "headline": "مطر غزير"} for i in range(9)]
    with pytest.raises(arsearch.DocumentError, match="record 9, field 'id'"):
        sx.add([*good, {"headline": "بلا معرف"}, {"id": "late", "headline": "مطر"}])
    assert len(sx) == 9 and "late" not in sx
    assert sx.add([{"id": "x1", "date": "not a date"}, {"id": "x2"}], errors="skip") == 1
    assert sx.add({"id": "x3", "date": "not a date"}, bad_dates="drop") == 1
    assert sx.get("x3")["date"] is None
    with pytest.raises(arsearch.QueryError, match="limit must be a positive integer"):
        sx.search("مطر", limit=0)
    with pytest.raises(arsearch.QueryError, match="not 'url'"):
        sx.facets("مطر", "url")
    with pytest.raises(arsearch.QueryError, match="no article with id 'nope'"):
        sx.more_like("nope")
    with pytest.raises(arsearch.QueryError):
        sx.more_like_text(42)
    with pytest.raises(arsearch.SettingsError, match="unknown option"):
        ShardedIndex(sx.root, colour="red")
    with pytest.raises(arsearch.SettingsError, match="stemmer must be one of"):
        ShardedIndex(sx.root, stemmer="porter")
    assert sx.get(7) is None and 7 not in sx and None not in sx
    sx.close()
    with pytest.raises(arsearch.IndexClosedError):
        sx.search("مطر")


def test_deep_pages_are_read_a_page_at_a_time():
    # A shard answers page × limit hits even past the largest page size.
    calls = []

    def fetch(limit, page):
        calls.append((limit, page))
        hits = list(range(2500))[(page - 1) * limit:page * limit]
        return type("R", (list,), {"total": 2500})(hits)

    hits, total = _pages(fetch, 2300)
    assert hits == list(range(2300)) and total == 2500
    assert calls == [(1000, 1), (1000, 2), (1000, 3)]
    calls.clear()
    assert _pages(fetch, 7) == (list(range(7)), 2500) and calls == [(7, 1)]


def test_a_shard_actor_works_without_ray_as_a_plain_object(tmp_path, monkeypatch):
    # The actor's own logic, in this process: page-wise reads past MAX_LIMIT.
    import arsearch.cluster.actor as actor_module

    monkeypatch.setattr(actor_module, "MAX_LIMIT", 4)
    shard = ShardActor(str(tmp_path / "s"), 0, 1, None, True, {})
    articles = [arsearch.Article(id=f"n{i:02d}", headline="مطر", date=None) for i in range(11)]
    assert shard.add_batch(articles) == 11
    answer = shard.top_hits("مطر", 9, {}, None)     # equal scores: ordered by id
    assert [h.id for h in answer["hits"]] == [f"n{i:02d}" for i in range(9)]
    assert answer["total"] == 11
    listing = shard.top_ids("", 6, {}, None, True)
    assert listing["pairs"] == [(f"n{i:02d}", 0.0) for i in range(6)]
    assert listing["keys"] == [-1] * 6
    broken = ShardActor(str(tmp_path / "s"), 1, 2, None, True, {})
    with pytest.raises(arsearch.IndexOpenError, match="holds shard 0 of 1"):
        broken.count()
    shard.close()


# --------------------------------------------------------------------------
# The command line


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli_main(list(argv), out=out), out.getvalue()


def test_cli_builds_and_searches_a_sharded_root_as_a_plain_index(ray_cluster, tmp_path,
                                                                  fixtures_dir):
    source = str(fixtures_dir / "akhbar.jsonl")
    root, plain = str(tmp_path / "root"), str(tmp_path / "plain")
    code, out = run_cli("index", source, "--index", root, "--shards", "2", "--quiet")
    assert code == 0, out
    assert out.startswith("indexed ") and f"into {root}" in out
    assert run_cli("index", source, "--index", plain, "--quiet")[1].replace(plain, root) == out
    assert (Path(root) / MANIFEST_FILE).is_file()
    command = ["search", "الطاقة", "--source", "صحيفة الأفق", "--limit", "2", "--json"]
    assert run_cli(*command, "--index", root) == run_cli(*command, "--index", plain)
    code, out = run_cli("stats", "--index", root, "--json")
    stats = json.loads(out)
    assert code == 0 and stats["shards"] == 2 and sum(stats["shard_articles"]) == \
        stats["articles"]
    # Adding to a sharded root without --shards routes into its shards.
    code, out = run_cli("index", source, "--index", root, "--quiet")
    assert code == 0 and "+0)" in out


def test_cli_reports_a_bad_shard_count_without_a_traceback(ray_cluster, tmp_path, capsys,
                                                           fixtures_dir):
    code, _ = run_cli("index", str(fixtures_dir / "akhbar.jsonl"), "--index",
                      str(tmp_path / "r"), "--shards", "0")
    assert code == 1
    assert "shards must be an integer from 1" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Faults


def killing_after(articles: list[dict], position: int, kill) -> Iterator[dict]:
    """The articles, calling ``kill()`` when ``position`` is reached (while
    the load is under way)."""
    for i, article in enumerate(articles):
        if i == position:
            kill()
        yield article


def batches_routed(articles: list[dict], shards: int, size: int) -> list[list[list[str]]]:
    """Each shard's batches, as the load sends them."""
    routed: list[list[str]] = [[] for _ in range(shards)]
    for a in articles:
        routed[shard_of(a["id"], shards)].append(a["id"])
    return [[ids[i:i + size] for i in range(0, len(ids), size)] for ids in routed]


def sigkill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def test_a_shard_killed_mid_load_is_restarted_and_the_load_completes(open_sharded, tmp_path):
    rng = random.Random(21)
    sx = open_sharded(2, max_restarts=2, batch_size=25)
    articles = [random_article(rng, n) for n in range(400)]
    pid = sx.shard_info()[0]["pid"]
    assert sx.add(killing_after(articles, 200, lambda: sigkill(pid))) == 400
    info = sx.shard_info()
    assert info[0]["pid"] != pid and "error" not in info[0]      # a new process
    assert len(sx) == 400
    one = arsearch.Index(tmp_path / "one")
    one.add(articles)
    for article in rng.sample(articles, 40):
        assert sx.get(article["id"]) == one.get(article["id"])
    assert_same_index(one, sx, rng, queries=8)
    one.close()


def test_a_shard_that_cannot_restart_fails_the_load_and_loses_nothing_committed(
        open_sharded, tmp_path):
    rng = random.Random(22)
    root = tmp_path / "root"
    sx = open_sharded(2, root=root, max_restarts=0, batch_size=20)
    articles = [random_article(rng, n) for n in range(300)]
    pid = sx.shard_info()[1]["pid"]
    with pytest.raises(ShardUnavailableError, match=r"shard 1 of 2 \(.*shard-001\)") as caught:
        sx.add(killing_after(articles, 150, lambda: sigkill(pid)))
    error = caught.value
    assert error.shard == 1 and error.path.endswith("shard-001") and error.committed > 0
    assert "load again once the shard is back" in str(error)

    # A search while the shard is down names it, or with partial=True
    # returns the other shard's hits marked partial.
    with pytest.raises(ShardUnavailableError, match="shard 1 of 2") as down:
        sx.search("مطر")
    assert down.value.missing == (1,)
    partial = sx.search("مطر السيول", limit=50, partial=True)
    assert partial.partial and partial.missing_shards == (1,)
    assert partial.ids and all(shard_of(i, 2) == 0 for i in partial.ids)
    with arsearch.Index(sx.paths[0], create=False) as alone:     # shard 0 by itself
        assert_same_results(alone.search("مطر السيول", limit=50),
                            as_complete(partial), "partial")
    assert "PARTIAL: shard 1" in str(partial)
    sx.close()

    # Reopened (new actors): every shard holds whole batches, the first ones
    # routed to it, and every article as it was given.
    with ShardedIndex(root) as again:
        given = {a["id"]: a for a in articles}
        committed = 0
        for k, batches in enumerate(batches_routed(articles, 2, 20)):
            with arsearch.Index(again.paths[k], create=False) as shard:
                held = set(shard.ids())
            kept = 0
            while kept < len(batches) and set(batches[kept]) <= held:
                kept += 1
            assert held == {i for batch in batches[:kept] for i in batch}, k
            committed += len(held)
        assert committed >= error.committed
        for article_id in rng.sample(sorted(again.ids()), 30):
            got = again.get(article_id)
            assert (got["headline"], got["body"]) == (given[article_id]["headline"],
                                                      given[article_id]["body"])
        # The load, run again, completes: nothing is duplicated.
        assert again.add(articles) == 300 and len(again) == 300


def as_complete(results):
    """A partial page's hits as complete results (to compare with one shard)."""
    return ShardedResults(list(results), query=results.query,
                                           total=results.total, page=results.page,
                                           limit=results.limit)


def test_a_search_waits_for_a_restarting_shard(open_sharded, tmp_path):
    rng = random.Random(23)
    sx = open_sharded(2, max_restarts=1)
    articles = [random_article(rng, n) for n in range(40)]
    sx.add(articles)
    expected = sx.search("مطر جدة", limit=20)
    ray.kill(sx.actor(0), no_restart=False)
    assert_same_results(expected, sx.search("مطر جدة", limit=20), "after a restart")


# --------------------------------------------------------------------------
# Two nodes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_env() -> dict[str, str]:
    """The environment of the two-node cluster and its clients: token
    authentication (Ray's default for clusters from 2.61) with a token of
    this test's own, so that ~/.ray is neither needed nor touched."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=os.urandom(16).hex())
    return env


def start_node(args: list[str], log: Path, env: dict[str, str],
               temp_dir: str) -> subprocess.Popen:
    """``ray start … --block`` in a process group of its own, so that the
    node's processes (and only they) are stopped through the group's id
    (``ray stop`` would stop every Ray node on the machine). Its files go to
    ``temp_dir``, not /tmp/ray, where `ray start` would leave this cluster's
    address for every later ``ray.init()`` on the machine."""
    ray_cli = Path(sys.executable).with_name("ray")
    with open(log, "wb") as out:
        return subprocess.Popen([str(ray_cli), "start", "--block", "--disable-usage-stats",
                                 "--num-cpus=1", "--object-store-memory=80000000",
                                 f"--temp-dir={temp_dir}", *args],
                                stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def stop_node(proc: subprocess.Popen) -> None:
    """Stop a node started by :func:`start_node`: SIGTERM to its process
    group, then SIGKILL (``ray start --block`` may outlive SIGTERM; its
    processes die with it)."""
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:      # members of the group may outlive its leader
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)


DRIVER = r"""
import json, sys
import arsearch
from arsearch.cluster import ShardedIndex
root, address, corpus = sys.argv[1:4]
with ShardedIndex(root, shards=2, address=address, placement="resources", batch_size=40) as sx:
    sx.add(arsearch.read_jsonl(corpus))
    out = {"nodes": [i["node_id"] for i in sx.shard_info()], "count": len(sx),
           "results": {q: [[h.id, h.score] for h in sx.search(q, limit=20)]
                       for q in json.loads(sys.argv[4])}}
print(json.dumps(out))
"""


@pytest.mark.slow
def test_two_nodes_on_localhost(tmp_path, sample_articles, sample_index):
    port = free_port()
    address = f"127.0.0.1:{port}"
    corpus = tmp_path / "sample.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                              for a in sample_articles), "utf-8")
    queries = ["الفيضانات", "المفاوضات في جنيف", "مستشفى", '"الطاقة الشمسية" -الرياح']
    env = cluster_env()
    # A short path: Ray's Unix sockets live in it (at most 107 bytes).
    temp_dir = tempfile.mkdtemp(prefix="arsearch-ray-")
    head = start_node(["--head", f"--port={port}", "--include-dashboard=false",
                       '--resources={"arsearch_shard_0": 1}'], tmp_path / "head.log", env,
                      temp_dir)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([str(Path(sys.executable).with_name("ray")), "status",
                              f"--address={address}"], capture_output=True, env=env).returncode:
            assert time.monotonic() < deadline and head.poll() is None, \
                (tmp_path / "head.log").read_text()[-2000:]
            time.sleep(0.5)
        worker = start_node([f"--address={address}", '--resources={"arsearch_shard_1": 1}'],
                            tmp_path / "worker.log", env, temp_dir)
        root = tmp_path / "root"
        done = subprocess.run([sys.executable, "-c", DRIVER, str(root), address, str(corpus),
                               json.dumps(queries, ensure_ascii=False)],
                              capture_output=True, text=True, timeout=180, env=env, cwd=REPO)
        assert done.returncode == 0, done.stderr[-3000:]
        out = json.loads(done.stdout.strip().splitlines()[-1])
        assert len(set(out["nodes"])) == 2          # one shard on each node
        assert out["count"] == len(sample_articles)
        for q in queries:
            expected = [[h.id, h.score] for h in sample_index.search(q, limit=20)]
            got = out["results"][q]
            assert [i for i, _ in got] == [i for i, _ in expected], q
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-9)
        # The command line finds the sharded root and uses the cluster.
        search = subprocess.run([sys.executable, "-m", "arsearch.cli", "search", queries[1],
                                 "--index", str(root), "--address", address, "--json"],
                                capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
        assert search.returncode == 0, search.stderr[-3000:]
        hits = json.loads(search.stdout)["hits"]
        assert [h["id"] for h in hits] == sample_index.search(queries[1]).ids
    finally:
        if worker is not None:
            stop_node(worker)
        stop_node(head)
        shutil.rmtree(temp_dir, ignore_errors=True)
