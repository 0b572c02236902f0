"""The relevance benchmark: its metrics on hand-made runs (exact values
worked out by hand), and a ``--quick`` smoke run on the real collections
when ``../shared/data`` is there."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import data_available  # noqa: E402
from benchmarks.relevance import AnalyzerConfig, Task, breakdown, evaluate  # noqa: E402

QRELS = {"q1": {"d1": 1}, "q2": {"d2": 1, "d3": 1}, "q3": {"d9": 1}}


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_document():
    run = {"q1": ["x", "d1"], "q2": ["d3", "x", "d2"], "q3": ["x"] * 12 + ["d9"]}
    m = evaluate(run, QRELS, ["q1", "q2", "q3"])
    assert m["mrr@10"] == pytest.approx((1 / 2 + 1 / 1 + 0) / 3)


def test_ndcg_discounts_by_rank_and_normalizes_by_the_ideal_ranking():
    run = {"q2": ["d3", "x", "d2"]}
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert evaluate(run, QRELS, ["q2"])["ndcg@10"] == pytest.approx(dcg / ideal)


def test_recall_counts_relevant_documents_in_the_first_hundred():
    run = {"q2": ["d2"] + ["x"] * 100 + ["d3"]}
    assert evaluate(run, QRELS, ["q2"])["recall@100"] == pytest.approx(0.5)


def test_a_query_without_results_scores_zero_and_still_counts():
    m = evaluate({"q1": ["d1"]}, QRELS, ["q1", "q3"])
    assert m["queries"] == 2
    assert m["mrr@10"] == pytest.approx(0.5) and m["ndcg@10"] == pytest.approx(0.5)


def test_unjudged_queries_are_left_out():
    assert evaluate({"q1": ["d1"]}, QRELS, ["q1", "unjudged"])["queries"] == 1


def test_the_mixed_task_is_broken_down_by_question_set():
    qrels = {"arcd/1": {"a": 1}, "xquad_ar/2": {"b": 1}, "mlqa_ar_dev/3": {"c": 1}}
    task = Task("mixed", (), [(q, "") for q in qrels], qrels, None)
    parts = breakdown(task, {"arcd/1": ["a"], "xquad_ar/2": ["x", "b"], "mlqa_ar_dev/3": []})
    assert parts["mixed/ARCD"]["mrr@10"] == 1.0
    assert parts["mixed/XQuAD"]["mrr@10"] == 0.5
    assert parts["mixed/MLQA"]["mrr@10"] == 0.0
    assert parts["mixed"]["queries"] == 3


def test_cached_indexes_are_keyed_by_every_analyzer_setting():
    keys = {AnalyzerConfig().key(), AnalyzerConfig(stemmer="light10").key(),
            AnalyzerConfig(stopwords=False).key(), AnalyzerConfig(exact_forms=False).key(),
            AnalyzerConfig(normalize=("diacritics",)).key(), AnalyzerConfig(lexicon=()).key(),
            AnalyzerConfig(lexicon=("months",)).key()}
    assert len(keys) == 7


@pytest.mark.slow
@pytest.mark.shared_data
def test_relevance_quick_runs_every_task_and_peer(tmp_path):
    if not data_available("arwiki_qa", "saudinewsnet", "quranqa23"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "relevance.py"), "--quick",
         "--work", str(tmp_path / "work"), "--ablate", "weights"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for heading in ("## mixed:", "## native:", "## quranqa:", "## news (SIMULATED known-item):"):
        assert heading in out
    for system in ("arsearch (stemmer=light10-snowball", "whoosh StandardAnalyzer",
                   "SQLite FTS5", "arsearch: headline weight 3.0"):
        assert system in out
    assert "| system | part | nDCG@10 | MRR@10 | R@100 | queries | time |" in out


def test_the_native_task_searches_the_mixed_index_and_is_judged_like_it():
    from benchmarks.relevance import EQUAL, TASKS
    if not data_available("arwiki_qa", "saudinewsnet"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    native, mixed = TASKS["native"](True), TASKS["mixed"](True)
    assert native.index_name == mixed.index_name == "mixed"
    assert native.corpora == mixed.corpora and native.limit == mixed.limit
    assert native.weights == mixed.weights == EQUAL
    assert all(q in native.qrels for q, _ in native.queries)
    assert not set(native.qrels) & set(mixed.qrels)


def test_lexicon_ablation_turns_each_table_off_in_turn():
    from benchmarks.relevance import ablations
    from arsearch.analysis import lexicon
    from arsearch.index.ranking import RankingParams
    variants = ablations(["lexicon"], AnalyzerConfig(), RankingParams())
    labels = {v.label: v.analyzer.lexicon for v in variants}
    assert labels["lexicon off"] == ()
    for table in lexicon.DEFAULT_TABLES:
        assert table not in labels[f"lexicon without {table}"]


def test_ablation_table_has_a_row_per_variant_and_a_column_per_task():
    from benchmarks.relevance import ablation_table
    m = {"ndcg@10": 0.5, "mrr@10": 0.4, "recall@100": 0.9, "queries": 2}
    tasks = {
        "mixed": {"arsearch (stemmer=x, w_h=1) | mixed": m,
                  "arsearch (stemmer=x, w_h=1) | mixed/ARCD": {**m, "ndcg@10": 0.1},
                  "arsearch: stopwords off | mixed": {**m, "ndcg@10": 0.25},
                  "SQLite FTS5 | mixed": {**m, "ndcg@10": 0.3}},
        "news": {"arsearch (stemmer=x, w_h=3) | news": {**m, "ndcg@10": 0.75}},
    }
    lines = ablation_table(tasks).splitlines()
    assert lines[0] == "| variant | mixed | news |"
    assert lines[2:] == ["| defaults | 0.500 | 0.750 |", "| stopwords off | 0.250 |  |"]


def test_cached_indexes_are_keyed_by_the_analysis_code(monkeypatch):
    import benchmarks.relevance as relevance
    config = AnalyzerConfig()
    before = config.key()
    assert AnalyzerConfig().key() == before
    assert AnalyzerConfig(stopwords=False).key() != before
    monkeypatch.setattr(relevance, "analysis_fingerprint", lambda: "changed")
    assert config.key() != before


def test_features_ablation_turns_issue_9s_features_off_then_on_one_at_a_time():
    from benchmarks.relevance import SearchConfig, ablations
    from arsearch.index.ranking import RankingParams
    variants = {v.label: v for v in ablations(["features"], AnalyzerConfig(), RankingParams())}
    off = variants["features off"]
    assert (off.params.headline_clause, off.params.headline_coverage,
            off.params.b["headline"], off.params.phrase_slop) == (0.0, 0.0, 0.75, 0)
    assert (off.search.correct, off.search.relax_phrases, off.search.spelling.variants) == \
        (False, False, False)
    assert variants["features off + corrections"].search.correct is True
    assert variants["features off + variants"].search.spelling.variants is True
    assert variants["features off + relaxed phrases"].search.relax_phrases is None
    assert variants["features off + headline_clause 0.2"].params.headline_clause == 0.2
    assert variants["features off + headline_clause 0.2"].params.phrase_slop == 0
    assert variants["features off + phrase_slop 1"].params.phrase_slop == 1
    assert variants["features off + headline_coverage 0.2"].params.headline_coverage == 0.2
    assert variants["features off + headline_coverage 0.2"].params.headline_clause == 0.0
    assert variants["features off + headline b 1.0"].params.b["headline"] == 1.0
    assert variants["correction_boost 1.0 rare_df 0"].search.spelling.correction_boost == 1.0
    assert SearchConfig().label() == ""


def test_feature_flags_make_the_baseline_and_override_it():
    import argparse
    from benchmarks.relevance import add_search_flags, feature_params, search_config
    from arsearch.index.ranking import RankingParams
    ap = argparse.ArgumentParser()
    add_search_flags(ap)
    args = ap.parse_args(["--features-off", "--headline-clause", "0.15"])
    assert feature_params(args, RankingParams()).headline_clause == 0.15
    assert feature_params(args, RankingParams()).phrase_slop == 0
    assert feature_params(args, RankingParams()).headline_coverage == 0.0
    args_cover = ap.parse_args(["--features-off", "--headline-coverage", "0.3"])
    assert feature_params(args_cover, RankingParams()).headline_coverage == 0.3
    args_slop = ap.parse_args(["--features-off", "--phrase-slop", "2"])
    assert feature_params(args_slop, RankingParams()).phrase_slop == 2
    search = search_config(args)
    assert not search.correct and search.relax_phrases is False
    assert search.label() == "correct=off variants=off relax_phrases=off"
    args = ap.parse_args(["--rare-df", "5", "--correction-boost", "0.8"])
    search = search_config(args)
    assert (search.spelling.rare_df, search.spelling.correction_boost) == (5, 0.8)
    unseen = search_config(ap.parse_args(["--unseen-ratio", "0"]))
    assert unseen.spelling.unseen_ratio == 0 and unseen.label() == "unseen_ratio=0"
    assert feature_params(args, RankingParams()) == RankingParams()
