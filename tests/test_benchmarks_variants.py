"""The query-variant benchmark: its generators on headlines we wrote, its
scoring on hand-made runs, and a ``--quick`` smoke run on SaudiNewsNet when
``../shared/data`` is there."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import variants as v  # noqa: E402
from benchmarks.common import data_available  # noqa: E402

from arsearch import normalize, tokenize  # noqa: E402

KNOW = v.Knowledge.load()


def headline(text: str, id: str = "a1") -> v.Headline:
    tokens = list(tokenize(text))
    return v.Headline(id, [t.text for t in tokens], [t.kind for t in tokens])


def corpus_of(*texts: str) -> v.Corpus:
    heads = [headline(t, f"a{i}") for i, t in enumerate(texts)]
    df: Counter[str] = Counter()
    for h in heads:
        df.update({normalize(w) for w in h.words})
    return v.Corpus([], df, heads)


def query(text: str, positions: list[int], kind: str = "general") -> v.Query:
    h = headline(text)
    return v.Query(h.id, h, positions, kind, positions[0])


RNG = random.Random(1)


def test_places_come_first_then_the_rarest_words():
    # "the Libyan delegation arrives in the capital to sign the agreement"
    corpus = corpus_of("وصول الوفد الليبي إلى العاصمة لتوقيع الاتفاق",
                       "الوفد يصل", "الوفد يصل", "العاصمة تستعد", "العاصمة تستعد",
                       "توقيع الاتفاق", "الاتفاق الجديد", "لتوقيع العقد", "الليبي يفوز")
    h = corpus.headlines[0]
    best = v.candidates(h, corpus, KNOW)
    assert h.words[best[0]] == "الليبي"          # the place (a nisba of ليبيا) first
    assert "إلى" not in [h.words[i] for i in best]  # stopwords never


def test_article_variants():
    q = query("مهرجان الرياض للكتاب", [0, 1])
    corpus = corpus_of("المهرجان", "المهرجان", "المهرجان", "رياض", "رياض", "رياض")
    assert v.drop_article(q, corpus, KNOW, RNG) == {1: "رياض"}
    assert v.add_article(q, corpus, KNOW, RNG) == {0: "المهرجان"}
    # a word whose ال belongs to it (المانيا) keeps it
    assert v.drop_article(query("المانيا تفوز", [0, 1]), corpus, KNOW, RNG) is None


def test_hamza_variants():
    q = query("مسؤول أمني في صنعاء", [0, 1, 3])
    assert v.bare_alef(q) == {1: "امني"}
    assert v.drop_final_hamza(q) == {3: "صنعا"}
    assert v.swap_hamza_seat(q) == {0: "مسئول"}


def test_nisba_variants_use_the_gazetteer_row():
    place = query("وفد إلى ليبيا", [0, 2])
    assert v.nisba_variant("ة")(place, None, KNOW, RNG) == {2: "الليبية"}
    assert v.nisba_variant("ون")(place, None, KNOW, RNG) == {2: "الليبيون"}
    assert v.nisba_to_place(place, None, KNOW, RNG) is None
    nisba = query("الوفد الليبي يصل", [0, 1])
    assert v.nisba_to_place(nisba, None, KNOW, RNG) == {1: "ليبيا"}
    assert v.nisba_variant("")(nisba, None, KNOW, RNG) is None


def test_month_variants_follow_the_shared_table():
    q = query("معرض في سبتمبر", [0, 2], kind="month")
    assert v.month_in("levant_iraq")(q, None, KNOW, RNG) == {2: "أيلول"}
    assert v.month_in("maghreb")(q, None, KNOW, RNG) == {2: "شتنبر"}
    assert v.month_in("egypt_gulf")(q, None, KNOW, RNG) is None   # already that system
    # أب is "father", not the month آب
    assert KNOW.month("آب") == "8" and KNOW.month("أب") is None


def test_typos_change_one_letter_of_the_longest_word():
    q = query("افتتاح المستشفى", [0, 1])
    for kind in ("neighbour key", "dropped letter", "doubled letter"):
        changed = v.typo(kind)(q, None, KNOW, random.Random(3))
        (i, typed), = changed.items()
        assert i == 1 and typed != "المستشفى"
        assert abs(len(typed) - len("المستشفى")) <= 1
    neighbours = v._neighbours("ب")
    assert set(neighbours) == {"ي", "ل"}


def test_digits_and_word_ends():
    q = query("فوز 2023 على مستشفى المدينة", [0, 1, 3, 4])
    assert v.other_digits(q) == {1: "٢٠٢٣"}
    assert v.yeh_teh(q) == {3: "مستشفي", 4: "المدينه"}


def test_quoted_variants_reword_a_headline_span():
    q = query("انطلاق مهرجان الربيع الثقافي", [1, 2])
    assert v.quoted("as written")(q, None, KNOW, RNG) == '"انطلاق مهرجان الربيع"'
    assert v.quoted("swapped")(q, None, KNOW, RNG) == '"مهرجان انطلاق الربيع"'
    assert v.quoted("middle left out")(q, None, KNOW, RNG) == '"انطلاق الربيع"'


def test_every_variant_is_compared_with_the_same_targets_canonical_queries():
    cases = [v.Case("c1", "x", "d1", "canonical", "general", "c1"),
             v.Case("c2", "y", "d2", "canonical", "general", "c2"),
             v.Case("c1/00", "x'", "d1", "typo", "dropped letter", "c1")]
    run = {"c1": ["d1"], "c2": ["z", "d2"], "c1/00": ["z", "d1"]}
    rows = {r["variant"]: r for r in v.score(cases, run)}
    assert rows["all canonical queries"]["mrr"] == pytest.approx(0.75)
    assert rows["every variant query (control aside)"]["mrr"] == pytest.approx(0.5)
    typo = rows["dropped letter"]
    assert (typo["queries"], typo["canonical"], typo["mrr"]) == (1, 1.0, 0.5)
    assert typo["ratio"] == pytest.approx(0.5)
    assert v.class_summary(list(rows.values())) == {"typo": 0.5}


def test_typos_are_split_by_whether_the_mistyped_word_is_a_word_of_its_own():
    # القناة is a word the corpus spells (القناعة with its ع dropped); المفاضات is not.
    corpus = corpus_of("القناعة كنز", "القناة الرياضية", "المفاوضات في جنيف")
    cases = [v.Case("c1", "القناعة كنز", "a0", "canonical", "general", "c1"),
             v.Case("c2", "المفاوضات جنيف", "a2", "canonical", "general", "c2"),
             v.Case("c1/t", "القناة كنز", "a0", "typo", "dropped letter", "c1"),
             v.Case("c2/t", "المفاضات جنيف", "a2", "typo", "dropped letter", "c2")]
    assert v.mistyped_word(cases[2], cases[0]) == "القناة"
    assert v.mistyped_word(cases[0], cases[0]) is None
    run = {"c1": ["a0"], "c2": ["a2"], "c1/t": ["a1", "a0"], "c2/t": ["x", "y", "z", "a2"]}
    [row] = v.typo_split(cases, run, corpus)
    variant, queries, real, real_ratio, other_ratio, best = row
    assert (variant, queries, real) == ("dropped letter", 2, 1)
    assert real_ratio == pytest.approx(0.5) and other_ratio == pytest.approx(0.25)
    # The non-word typo counts as found first (its canonical rank); the real word stays as typed.
    assert best == pytest.approx((0.5 + 1.0) / 2)


@pytest.mark.slow
@pytest.mark.shared_data
def test_variants_quick_runs(tmp_path):
    if not data_available("saudinewsnet"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "variants.py"), "--quick", "--no-peers",
         "--work", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "## Query variants (benchmarks/variants.py)" in out
    for cls in ("canonical", "article", "hamza", "typo", "quoted"):
        assert f"| {cls} |" in out
    assert "| class | lowest ratio | target ≥ 0.95 |" in out
    assert "| variant | queries | real-word typos |" in out
