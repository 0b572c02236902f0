"""The BM25F formula, pinned by hand-computed numbers, and checked against a
plain-Python reference on random corpora, and collection statistics that add
up across indexes."""

from __future__ import annotations

import math
import random
import warnings
from collections import Counter

import numpy as np
import pytest

import arsearch
from arsearch.analysis import analyze
from arsearch.index.query import parse_query
from arsearch.index.ranking import CollectionStats, RankingParams, term_key

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from whoosh.util.numeric import byte_to_length, length_to_byte

# --------------------------------------------------------------------------
# The formula, by hand

# Three articles analysed without stemming, stopwords or exact forms, so that
# every word is one term and lengths are word counts:
#   a: headline "مطر غزير" (2),  body "مطر مطر في المدينة" (4)
#   b: headline "رياح" (1),      body "مطر خفيف" (2)
#   c: headline "شمس" (1),       body "شمس ساطعة اليوم" (3)
# N = 3, avg headline length = 4/3, avg body length = 9/3 = 3.
# Weights headline 3, body 1 (the defaults); b = 0.75 for both; k1 = 1.2.
#
# "مطر": df = 2, idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6
#   a: headline 3 * 1 / (0.25 + 0.75 * 2 / (4/3)) = 3 / 1.375 = 2.181818…
#      body     1 * 2 / (0.25 + 0.75 * 4 / 3)    = 2 / 1.25  = 1.6
#      tf = 3.781818…; score = ln 1.6 * 2.2 * tf / (1.2 + tf) = 0.784940…
#   b: body 1 * 1 / (0.25 + 0.75 * 2 / 3) = 1 / 0.75 = 1.333333…
#      score = ln 1.6 * 2.2 * 1.3333 / 2.5333 = 0.544215…
# "شمس": df = 1, idf = ln(1 + 2.5 / 1.5) = ln(8/3)
#   c: headline 3 / (0.25 + 0.75 * 1 / (4/3)) = 3 / 0.8125 = 3.692308…
#      body 1 / (0.25 + 0.75 * 3 / 3) = 1;  tf = 4.692308…
#      score = ln(8/3) * 2.2 * 4.692308 / 5.892308 = 1.718372…
HAND_B = {"headline": 0.75, "body": 0.75}
HAND_COMPUTED = {
    "مطر": {"a": 0.784940, "b": 0.544215},
    "مطر شمس": {"c": 1.718372, "a": 0.784940, "b": 0.544215},
}
# The headline clause (RankingParams.headline_clause, 0.2 by default) adds
# 0.2 times each word's BM25 score in the headline alone (weight 1):
# "مطر" is in one headline (a): idf = ln(8/3);
#   a: tf = 1 / (0.25 + 0.75 * 2 / (4/3)) = 1 / 1.375;
#      0.2 * ln(8/3) * 2.2 * tf / (1.2 + tf) = 0.162855…
# "شمس" (c): tf = 1 / 0.8125; 0.2 * ln(8/3) * 2.2 * tf / (1.2 + tf) = 0.218514…
HAND_COMPUTED_WITH_CLAUSE = {
    "مطر": {"a": 0.784940 + 0.162855, "b": 0.544215},
    "مطر شمس": {"c": 1.718372 + 0.218514, "a": 0.784940 + 0.162855, "b": 0.544215},
}
THREE_ARTICLES = [
    {"id": "a", "headline": "مطر غزير", "body": "مطر مطر في المدينة"},
    {"id": "b", "headline": "رياح", "body": "مطر خفيف"},
    {"id": "c", "headline": "شمس", "body": "شمس ساطعة اليوم"},
]


# The headline's coverage (RankingParams.headline_coverage, here 0.3)
# multiplies a score by 1 + 0.3 * share, share being the part of the
# headline's words the query holds (clause off):
#   "مطر": a's headline "مطر غزير" holds it once in 2 words: x 1.15;
#          b's headline "رياح" does not: x 1.
#   "مطر شمس": c's headline "شمس" is all in the query: x 1.3.
HAND_COMPUTED_WITH_COVERAGE = {
    "مطر": {"a": 0.784940 * 1.15, "b": 0.544215},
    "مطر شمس": {"c": 1.718372 * 1.3, "a": 0.784940 * 1.15, "b": 0.544215},
}


@pytest.mark.parametrize("clause, coverage, query",
                         [(0.0, 0.0, q) for q in HAND_COMPUTED]
                         + [(0.2, 0.0, q) for q in HAND_COMPUTED_WITH_CLAUSE]
                         + [(0.0, 0.3, q) for q in HAND_COMPUTED_WITH_COVERAGE])
def test_bm25f_scores_match_the_hand_computed_ones(clause, coverage, query):
    ix = arsearch.Index(stemmer="none", stopwords=False, exact_forms=False,
                        ranking=RankingParams(b=HAND_B, headline_clause=clause,
                                              headline_coverage=coverage))
    ix.add(THREE_ARTICLES)
    hand = (HAND_COMPUTED_WITH_CLAUSE if clause else
            HAND_COMPUTED_WITH_COVERAGE if coverage else HAND_COMPUTED)[query]
    got = dict(ix.search_ids(query))
    assert got.keys() == hand.keys()
    for doc_id, expected in hand.items():
        assert got[doc_id] == pytest.approx(expected, abs=1e-6)
    # Ranked best first.
    assert [d for d, _ in ix.search_ids(query)] == sorted(got, key=lambda d: -got[d])


def test_the_default_headline_clause_is_the_hand_computed_one():
    assert RankingParams().headline_clause == 0.2


def test_the_hand_computation_itself():
    """The comments above, recomputed: guards against a typo in a literal."""
    idf = math.log(1.6)
    tf_a = 3 / 1.375 + 2 / 1.25
    assert idf * 2.2 * tf_a / (1.2 + tf_a) == pytest.approx(0.784940, abs=1e-6)
    tf_c = 3 / 0.8125 + 1
    assert math.log(8 / 3) * 2.2 * tf_c / (1.2 + tf_c) == pytest.approx(1.718372, abs=1e-6)
    for tf, clause in ((1 / 1.375, 0.162855), (1 / 0.8125, 0.218514)):
        assert 0.2 * math.log(8 / 3) * 2.2 * tf / (1.2 + tf) == pytest.approx(clause, abs=1e-6)


# --------------------------------------------------------------------------
# Against a plain-Python reference

WORDS = ["مطر", "والمطر", "بالمطر", "الأمطار", "غزير", "سيول", "السيول", "جدة", "بجدة",
         "الرياض", "وزير", "الوزير", "للوزير", "الخارجية", "قمة", "القمة", "اقتصاد",
         "الاقتصاد", "نفط", "أسعار", "الأسعار", "ليبيا", "الليبية", "مباراة", "الهلال"]


def _random_corpus(rng: random.Random, n: int) -> list[dict]:
    def text(lo: int, hi: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
    return [{"id": f"r{i:03d}", "headline": text(1, 6), "body": text(0, 40)} for i in range(n)]


def _quantized(length: int) -> float:
    # Whoosh keeps a field's length in one byte (exact up to 10, then coarser).
    return float(byte_to_length(length_to_byte(length))) if length else 0.0


def reference_scores(articles: list[dict], query: str, pipeline, params: RankingParams
                     ) -> dict[str, float]:
    """BM25F as Robertson & Zaragoza define it, one document at a time."""
    fields = ("headline", "body")
    terms = {a["id"]: {f: Counter(analyze(a.get(f, ""), pipeline=pipeline)) for f in fields}
             for a in articles}
    # A field's length counts its words (stems): an index keeps exact forms
    # (=word) in fields of their own, scored with the text field's length.
    lengths = {a["id"]: {f: sum(n for t, n in terms[a["id"]][f].items() if t[0] != "=")
                         for f in fields} for a in articles}
    n = len(articles)
    avg = {f: (sum(_quantized(lengths[d][f]) for d in lengths) / n) or 1.0 for f in fields}
    scores: dict[str, float] = {}
    clause = params.headline_clause if params.weights["headline"] > 0 else 0.0
    for qt in parse_query(query, pipeline).terms:
        # BM25F over the term's fields, then (headline_clause) plain BM25 of
        # the headline alone, weight 1, scaled by the clause.
        parts = [(qt.fields, params.weights, 1.0)]
        if clause and "headline" in qt.fields:
            parts.append((("headline",), {"headline": 1.0}, clause))
        for fields, weights, scale in parts:
            tf = {}
            for d in terms:
                total = 0.0
                for f in fields:
                    w, b = weights[f], params.b[f]
                    count = terms[d][f][qt.text]
                    if count and w > 0:
                        total += w * count / (1 - b + b * _quantized(lengths[d][f]) / avg[f])
                if total:
                    tf[d] = total
            if not tf:
                continue
            idf = math.log(1 + (n - len(tf) + 0.5) / (len(tf) + 0.5))
            weight = (idf * qt.boost * (params.k1 + 1) * scale
                      * (params.exact_weight if qt.exact else 1.0))
            for d, value in tf.items():
                scores[d] = scores.get(d, 0.0) + weight * value / (params.k1 + value)
    if params.headline_coverage and params.weights["headline"] > 0:
        # Each distinct query word searched in headlines: its count in the
        # headline over the headline's length; their sum, at most 1.
        words = {qt.text for qt in parse_query(query, pipeline).terms
                 if not qt.exact and "headline" in qt.fields}
        for d in scores:
            held = sum(terms[d]["headline"][w] for w in words)
            if held:
                share = min(1.0, held / _quantized(lengths[d]["headline"]))
                scores[d] *= 1.0 + params.headline_coverage * share
    return scores


@pytest.mark.parametrize("seed", range(6))
def test_scores_equal_the_reference_on_random_corpora(seed):
    rng = random.Random(seed)
    articles = _random_corpus(rng, rng.randint(5, 60))
    # Half the seeds with a large headline coverage, whatever the default.
    ix = arsearch.Index(ranking=RankingParams(headline_coverage=1.5) if seed % 2 else None)
    # Several segments: batches, so postings and lengths come from each.
    ix.add(articles, batch_size=rng.randint(3, 25))
    for _ in range(8):
        query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.3:
            query = "headline:" + query
        expected = reference_scores(articles, query, ix.pipeline, ix.ranking)
        # (A word of WORDS missing from the corpus would be corrected.)
        got = dict(ix.search_ids(query, limit=1000, correct=False))
        assert got.keys() == expected.keys(), query
        for d in expected:
            assert got[d] == pytest.approx(expected[d], rel=1e-12, abs=1e-12), (query, d)


def test_ties_are_ordered_by_article_id_whatever_the_insertion_order():
    # Five identical articles score the same; pages must not depend on the
    # order they were added in (nor on which shard holds them).
    articles = [{"id": f"n{i}", "headline": "مطر غزير"} for i in (4, 1, 3, 0, 2)]
    ix = arsearch.Index()
    ix.add(articles, batch_size=2)
    assert [d for d, _ in ix.search_ids("مطر")] == ["n0", "n1", "n2", "n3", "n4"]
    assert [d for d, _ in ix.search_ids("مطر", limit=2, page=2)] == ["n2", "n3"]


# --------------------------------------------------------------------------
# Collection statistics


def test_statistics_of_two_halves_add_up_to_those_of_the_whole():
    rng = random.Random(7)
    articles = _random_corpus(rng, 40)
    whole, first, second = arsearch.Index(), arsearch.Index(), arsearch.Index()
    whole.add(articles)
    first.add(articles[:17])
    second.add(articles[17:])
    for query in ["مطر السيول", "وزير الخارجية", "الهلال", "headline:جدة أسعار"]:
        combined = CollectionStats.combine([first.term_statistics(query),
                                            second.term_statistics(query)])
        assert combined == whole.term_statistics(query)
        # Ranked with the combined statistics, each half scores its
        # articles exactly as the whole index does.
        expected = dict(whole.search_ids(query, limit=1000))
        merged = dict(first.search_ids(query, limit=1000, statistics=combined))
        merged.update(second.search_ids(query, limit=1000, statistics=combined))
        assert merged.keys() == expected.keys()
        for d in expected:
            assert merged[d] == pytest.approx(expected[d], abs=1e-12)


def test_statistics_count_each_document_once_across_fields():
    ix = arsearch.Index(stemmer="none", stopwords=False, exact_forms=False)
    ix.add(THREE_ARTICLES)
    stats = ix.term_statistics("مطر")
    (term,) = parse_query("مطر", ix.pipeline).terms
    assert stats.doc_frequency(term_key(term)) == 2      # a (headline and body) and b
    assert stats.doc_count == 3
    assert stats.field_lengths == {"headline": 4, "body": 9}
    assert stats.avg_length("body") == 3.0


def test_deleted_articles_do_not_count_in_document_frequencies():
    ix = arsearch.Index(stemmer="none", stopwords=False, exact_forms=False)
    ix.add(THREE_ARTICLES)
    ix.delete("b")
    (term,) = parse_query("مطر", ix.pipeline).terms
    stats = ix.term_statistics("مطر")
    assert stats.doc_frequency(term_key(term)) == 1
    assert stats.doc_count == 2
    assert [d for d, _ in ix.search_ids("مطر")] == ["a"]


def test_scores_are_finite_and_positive():
    ix = arsearch.Index()
    ix.add(_random_corpus(random.Random(3), 30))
    scores = np.array([s for _, s in ix.search_ids("مطر جدة الهلال", limit=1000)])
    assert len(scores) and np.isfinite(scores).all() and (scores > 0).all()


def test_more_like_with_combined_statistics_scores_as_the_whole_index():
    rng = random.Random(11)
    articles = _random_corpus(rng, 50)
    whole, first, second = arsearch.Index(), arsearch.Index(), arsearch.Index()
    whole.add(articles)
    first.add(articles[:20])
    second.add(articles[20:])
    for source in articles[:5]:
        text = (source["headline"], source["body"])
        combined = CollectionStats.combine([first.more_like_statistics(text),
                                            second.more_like_statistics(text)])
        expected = {h.id: h.score for h in whole.more_like(source["id"], limit=50)}
        merged = {}
        for half in (first, second):
            merged.update({h.id: h.score for h in half.more_like_text(
                text, limit=50, exclude=source["id"], statistics=combined)})
        assert merged.keys() == expected.keys()
        for d in expected:
            assert merged[d] == pytest.approx(expected[d], abs=1e-12)


def test_statistics_with_a_field_weighted_zero_match_the_search():
    rng = random.Random(5)
    articles = _random_corpus(rng, 40)
    whole, first, second = arsearch.Index(), arsearch.Index(), arsearch.Index()
    whole.add(articles)
    first.add(articles[:15])
    second.add(articles[15:])
    weights = {"headline": 0.0}
    for query in ["مطر", "جدة الهلال", "وزير"]:
        combined = CollectionStats.combine([first.term_statistics(query, weights=weights),
                                            second.term_statistics(query, weights=weights)])
        expected = dict(whole.search_ids(query, limit=1000, weights=weights))
        merged = dict(first.search_ids(query, limit=1000, weights=weights, statistics=combined))
        merged.update(second.search_ids(query, limit=1000, weights=weights,
                                        statistics=combined))
        assert merged.keys() == expected.keys()
        for d in expected:
            assert merged[d] == pytest.approx(expected[d], abs=1e-12)


# --------------------------------------------------------------------------
# Pruned ranking against the exhaustive reference


def _zipf_corpus(rng: random.Random, n: int) -> list[dict]:
    """Articles whose words follow a skewed distribution, as in real text:
    a few words in most articles, most words in a few."""
    weights = [1.0 / (i + 1) for i in range(len(WORDS))]

    def text(lo: int, hi: int) -> str:
        return " ".join(rng.choices(WORDS, weights, k=rng.randint(lo, hi)))
    return [{"id": f"z{i:04d}", "headline": text(1, 5), "body": text(0, 60),
             "source": rng.choice(["الأفق", "المدار"])} for i in range(n)]


@pytest.mark.parametrize("seed", range(8))
def test_pruned_ranking_gives_the_exhaustive_top_k(seed):
    from arsearch.index.ranking import Ranker, top_documents

    rng = random.Random(100 + seed)
    # Some seeds with a large headline coverage: its factor must not let
    # pruning drop a document that reaches the top k.
    ix = arsearch.Index(ranking=RankingParams(headline_coverage=2.0) if seed % 3 == 1 else None)
    ix.add(_zipf_corpus(rng, rng.randint(50, 400)), batch_size=rng.randint(40, 200))
    if seed % 2:
        ix.delete("z0003")
    with ix._reading() as snap:
        ranker = Ranker(snap)
        for _ in range(12):
            query = " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
            terms = parse_query(query, ix.pipeline).terms
            k = rng.choice([1, 3, 10, 25])
            allowed = (None if rng.random() < 0.6 else
                       np.array(sorted(rng.sample(range(snap.doc_count_all),
                                                  snap.doc_count_all // 2)), dtype=np.int64))
            full = ranker.rank(terms, ix.ranking, allowed)
            pruned = ranker.top(terms, ix.ranking, k, allowed)
            assert pruned.total == full.total == len(full)
            assert len(pruned) <= len(full)
            expected = top_documents(full.docnums, full.scores, 0, k, snap.article_ids)
            got = top_documents(pruned.docnums, pruned.scores, 0, k, snap.article_ids)
            assert [d for d, _ in got] == [d for d, _ in expected], query
            assert [s for _, s in got] == pytest.approx([s for _, s in expected],
                                                       rel=1e-9, abs=1e-12)


def test_pruning_skips_documents_of_common_words_only():
    # One rare word and one word in every article: the common word's
    # articles that lack the rare word cannot reach the top 2.
    articles = [{"id": f"c{i:03d}", "body": "نص عادي " * (1 + i % 4)} for i in range(300)]
    articles += [{"id": "r1", "headline": "بركان", "body": "نص عادي"},
                 {"id": "r2", "headline": "بركان ثائر", "body": "نص"}]
    ix = arsearch.Index(stemmer="none", exact_forms=False)
    ix.add(articles)
    from arsearch.index.ranking import Ranker
    with ix._reading() as snap:
        terms = parse_query("بركان نص", ix.pipeline).terms
        pruned = Ranker(snap).top(terms, ix.ranking, 2)
        assert pruned.total == 302
        assert len(pruned) < 50
    assert sorted(d for d, _ in ix.search_ids("بركان نص", limit=2)) == ["r1", "r2"]
    assert ix.search("بركان نص", limit=2).total == 302


def test_scores_that_differ_in_their_last_bit_tie_and_are_ordered_by_id():
    """The same score summed in another order (by a pruned ranking, or on
    another shard) may differ in its last bit; it must still tie, so that
    one index and a sharded index order the tie by article id alike."""
    import numpy as np

    from arsearch.index.ranking import comparable_scores, top_documents

    a = 11.517858082884173
    b = np.nextafter(a, 20.0)
    assert a < b
    ids = {0: "syn-2", 1: "syn-1", 2: "syn-3"}
    scores = np.array([a, a, b])
    top = top_documents(np.array([0, 1, 2]), comparable_scores(scores), 0, 2,
                        lambda ds: [ids[d] for d in ds], scores)
    assert [ids[d] for d, _ in top] == ["syn-1", "syn-2"]
    assert [s for _, s in top] == [a, a]          # the scores as summed
