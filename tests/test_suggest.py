"""Spelling suggestions ("did you mean"), through the public API:
``Index.suggest``, ``Results.suggestion``, the results' text and HTML, and
``arsearch search``. Every sentence of the corpus below was written for
these tests."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arsearch
from arsearch import QueryError, SpellingParams
from arsearch.cli import main
from arsearch.index.suggest import EditCosts

WIRE, COAST, PAPER = "وكالة الجسر", "إذاعة الساحل", "صحيفة الواحة"
# id, headline, body, source
ROWS = [
    ("m1", "افتتاح المستشفى الجديد في المدينة",
     "افتتح وزير الصحة المستشفى الجديد، وهو يضم مئتي سرير وقسماً للطوارئ.", PAPER),
    ("m2", "المستشفى يستقبل أول المرضى", "استقبل المستشفى أمس أول المرضى بعد أسبوع من الافتتاح.",
     WIRE),
    ("s1", "مفاوضات السلام تستأنف في جنيف", "تستأنف مفاوضات السلام الأسبوع المقبل بحضور الوسطاء.",
     PAPER),
    ("s2", "الوسطاء متفائلون بالسلام", "قال الوسطاء إن مفاوضات السلام تتقدم ببطء.", WIRE),
    ("w1", "الجيش يعرض سلاح الدفاع الجوي", "عرض الجيش سلاح الدفاع الجوي الجديد في استعراض كبير.",
     WIRE),
    ("w2", "صفقة سلاح جديدة للجيش", "وقع الجيش صفقة سلاح مع شركة أجنبية.", PAPER),
    ("w3", "تدريب على سلاح المدفعية", "تدرب الجنود على سلاح المدفعية.", WIRE),
    ("b1", "البحر هادئ اليوم", "البحر هادئ والرياح خفيفة على الساحل.", COAST),
    ("b2", "الصيادون يعودون إلى البحر", "عاد الصيادون إلى البحر بعد العاصفة.", COAST),
    ("b4", "موسم الصيد", "يبدأ الصيادون موسم الصيد في الربيع.", COAST),
    ("b3", "رحلة في البحر", "رحلة بحرية للطلاب في البحر الأحمر.", COAST),
    ("r1", "نتائج البحث العلمي", "نشرت الجامعة نتائج البحث العلمي.", PAPER),
    ("r2", "جائزة البحث", "فاز فريق البحث بالجائزة.", PAPER),
    ("x1", "Reuters: الأسواق تتراجع", "قالت Reuters إن الأسواق تراجعت.", WIRE),
    ("x2", "الأسواق والنفط", "تراجع النفط بحسب Reuters.", WIRE),
    ("u1", "قصيدة نادرة", "عثر الباحثون على قصيدة منسية.", PAPER),
]
ARTICLES = [dict(zip(("id", "headline", "body", "source"), row)) for row in ROWS]


@pytest.fixture(scope="module")
def ix():
    index = arsearch.Index()
    index.add(ARTICLES)
    yield index
    index.close()


# A misspelled word is corrected ---------------------------------------------

@pytest.mark.parametrize(("typed", "meant"), [
    ("المستسفى", "المستشفى"),    # ش typed as the key next to it
    ("المستشفي", None),          # ى written ي: normalization handles it, no typo
    ("المسشتفى", "المستشفى"),    # two letters swapped
    ("المستشفىى", "المستشفى"),   # a letter typed twice
    ("المستفى", "المستشفى"),     # a letter missing
    ("المستشقفى", "المستشفى"),   # a letter too many
    ("مفاوضاث", "مفاوضات"),      # ث for ت
    ("الصيادوم", "الصيادون"),    # a neighbouring key
])
def test_a_misspelled_word_is_corrected_to_the_indexed_word(ix, typed, meant):
    assert ix.suggest(typed) == meant


@pytest.mark.parametrize(("typed", "meant"), [
    # Two known words typed without the space before the second one's ال
    # (suggest.ARTICLE, Speller._article_split).
    ("البحرالأحمر", "البحر الأحمر"),
    ("رحلةالبحر", "رحلة البحر"),
    ("فيالبحر", "في البحر"),                  # a stopword first: still two words
    ("البحرالفلاني", None),                 # the second part is in no article
    ("البحرالاحمر والساحل", "البحر الاحمر والساحل"),
])
def test_two_words_typed_together_are_split_before_the_article(ix, typed, meant):
    assert ix.suggest(typed) == meant


def test_a_split_word_finds_the_article_holding_both_words(ix):
    results = ix.search("رحلة في البحرالأحمر")
    assert results.corrected == "رحلة في البحر الأحمر"
    assert results.ids[0] == "b3"


def test_search_results_carry_the_suggestion(ix):
    results = ix.search("افتتاح المستسفى")
    assert results.suggestion == "افتتاح المستشفى"
    # The corrected query finds the articles the misspelled word missed.
    assert {"m1", "m2"} <= set(ix.search(results.suggestion).ids)
    assert ix.search(results.suggestion).suggestion is None


def test_the_correction_keeps_the_users_diacritics_and_spelling(ix):
    assert ix.suggest("المُستسفى") == "المُستشفى"
    assert ix.suggest("مفاوضاث السلام") == "مفاوضات السلام"


def test_a_latin_word_is_corrected_in_its_own_case(ix):
    assert ix.suggest("Reutres النفط") == "Reuters النفط"


# A correct query gets no suggestion ------------------------------------------

@pytest.mark.parametrize("query", [
    "المستشفى الجديد", "مفاوضات السلام في جنيف", "البحر", "البحث العلمي", "Reuters",
    "", "   ", "في على", "2024", '"سلاح المدفعية"'])
def test_a_correct_query_gets_no_suggestion(ix, query):
    assert ix.suggest(query) is None
    assert ix.search(query).suggestion is None


def test_a_word_in_the_index_is_never_changed_for_a_commoner_one(ix):
    # البحث (research, 2 articles) is one letter from البحر (the sea, 3).
    assert ix.suggest("البحث") is None
    assert ix.suggest("نتائج البحث") is None


def test_min_df_keeps_words_seen_too_rarely_out_of_suggestions():
    # قصيدة is in one article, in its headline and its body: that counts
    # as one article, so min_df=2 leaves it out until a second one has it.
    strict = arsearch.Index(spelling=SpellingParams(min_df=2))
    strict.add(ARTICLES)
    assert strict.suggest("قسيدة") is None
    strict.add({"id": "u2", "headline": "قصيدة جديدة", "body": ""})
    assert strict.suggest("قسيدة") == "قصيدة"


def test_a_word_seen_once_is_suggested_by_default(ix):
    assert ix.suggest("قسيدة") == "قصيدة"


@pytest.mark.parametrize("query", [
    "زززززز",          # nothing close in the index
    "سلا",             # too short to guess
    "المستشفى 20245",  # numbers are never corrected
    "qwxzv",
])
def test_no_suggestion_when_nothing_is_close(ix, query):
    assert ix.suggest(query) is None


def test_a_misspelled_stopword_is_left_alone(ix):
    # لمادا is لماذا ("why") misspelled; search drops it anyway.
    assert ix.suggest("لمادا البحر") is None


def test_an_empty_index_suggests_nothing():
    assert arsearch.Index().suggest("المستسفى") is None


# The rest of the query is kept as written ------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ('"مفاوضاث السلام" جنيف', '"مفاوضات السلام" جنيف'),
    ("headline:المستسفى -البحر", "headline:المستشفى -البحر"),
    ('المستسفى source:"صحيفة الواحة"', 'المستشفى source:"صحيفة الواحة"'),
    ("البحر OR المستسفى", "البحر OR المستشفى"),
    ("  المستسفى،  الجديد؟ ", "  المستشفى،  الجديد؟ "),
    ("«مفاوضاث» المستسفى", "«مفاوضات» المستشفى"),
])
def test_multi_word_queries_keep_the_correct_words_and_the_syntax(ix, query, expected):
    assert ix.suggest(query) == expected


def test_exclusions_and_filters_are_left_as_written(ix):
    assert ix.suggest("-المستسفى") is None
    assert ix.suggest("البحر -المستسفى") is None
    assert ix.suggest("source:المستسفى") is None
    assert ix.suggest("tag:المستسفى البحر") is None


def test_the_other_words_choose_between_equally_close_words(ix):
    # سلاب is one letter from both سلام (peace) and سلاح (weapon).
    assert ix.suggest("مفاوضات سلاب") == "مفاوضات سلام"
    assert ix.suggest("الجيش سلاب") == "الجيش سلاح"


def test_a_field_prefix_corrects_against_that_field_only(ix):
    # العاصفة ("the storm") is in a body, in no headline.
    assert ix.suggest("body:العاسفة") == "body:العاصفة"
    assert ix.suggest("العاسفة") == "العاصفة"
    assert ix.suggest("headline:العاسفة") is None


# Output ------------------------------------------------------------------------

def test_results_show_the_suggestion_in_text_repr_and_html(ix):
    results = ix.search("المستسفى", correct=False)
    assert "did you mean: المستشفى" in str(results)
    assert "did you mean 'المستشفى'" in repr(results)
    html = results._repr_html_()
    assert "هل تقصد" in html and "المستشفى" in html
    quiet = ix.search("المستشفى")
    assert "did you mean" not in str(quiet) + repr(quiet)
    assert "هل تقصد" not in quiet._repr_html_()


def test_the_suggestion_is_worked_out_when_first_read():
    index = arsearch.Index()
    index.add(ARTICLES)
    results = index.search("المستسفى", correct=False)
    unread = index.search("المستسفى", correct=False)
    assert results.suggestion == "المستشفى"
    index.close()
    assert results.suggestion == "المستشفى"  # read before the close: kept
    assert unread.suggestion is None          # first read after it: none to give
    assert unread.ids == results.ids


def test_the_html_escapes_the_suggestion(ix):
    html = ix.search("<b>المستسفى</b>")._repr_html_()
    assert "&lt;b&gt;المستشفى&lt;/b&gt;" in html and "<b>المستشفى" not in html


def test_the_cli_prints_did_you_mean(tmp_path):
    target = str(tmp_path / "ix")
    with arsearch.Index(target) as built:
        built.add(ARTICLES)
    out = io.StringIO()
    assert main(["search", "المستسفى الجديد", "--index", target, "--no-correct"],
                out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[1] == "did you mean: المستشفى الجديد"
    out = io.StringIO()
    assert main(["search", "المستسفى الجديد", "--index", target], out=out) == 0
    assert out.getvalue().splitlines()[1] == "showing results for: المستشفى الجديد"
    out = io.StringIO()
    assert main(["search", "المستسفى", "--index", target, "--json"], out=out) == 0
    assert json.loads(out.getvalue())["suggestion"] == "المستشفى"
    out = io.StringIO()
    assert main(["search", "المستشفى", "--index", target, "--json"], out=out) == 0
    assert json.loads(out.getvalue())["suggestion"] is None
    out = io.StringIO()
    main(["search", "المستشفى", "--index", target], out=out)
    assert "did you mean" not in out.getvalue()


# Settings ------------------------------------------------------------------

def test_thresholds_can_be_changed_per_index():
    strict = arsearch.Index(spelling=SpellingParams(min_df=5))
    strict.add(ARTICLES)
    assert strict.suggest("المستسفى") is None
    uniform = arsearch.Index(spelling=SpellingParams(costs=EditCosts(keyboard=1, confusable=1)))
    uniform.add(ARTICLES)
    assert uniform.suggest("المستسفى") == "المستشفى"


def test_a_bad_spelling_setting_is_a_settings_error():
    with pytest.raises(arsearch.SettingsError):
        arsearch.Index(spelling={"min_df": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("setting", [
    {"min_df": -1}, {"min_letters": 2.5}, {"alternatives": True}, {"rare_df": "2"},
    {"cost_weight": -1.0}, {"unseen_ratio": float("nan")}, {"quiet_margin": float("inf")},
    {"correction_boost": 0}, {"correction_boost": 1.5}, {"quiet_weight": -0.7},
    {"quiet_doubts": "yes"}, {"joins": 1}, {"costs": None}])
def test_a_spelling_setting_out_of_range_is_a_settings_error(setting):
    name = next(iter(setting))
    with pytest.raises(arsearch.SettingsError, match=f"SpellingParams.{name} must be"):
        SpellingParams(**setting)


# Bad input -----------------------------------------------------------------

@pytest.mark.parametrize("query", [None, 5, b"\xd8\xa8", ["المستسفى"], object()])
def test_a_query_that_is_not_a_string_is_a_query_error(ix, query: Any):
    with pytest.raises(QueryError):
        ix.suggest(query)


def test_a_query_over_10000_characters_is_a_query_error(ix):
    with pytest.raises(QueryError):
        ix.suggest("المستسفى " * 1200)


@pytest.mark.parametrize("query", ["\ud800", "المستسفى\ud800", "\u200f", "x" * 10_000,
                                   "المستسفى" * 1100, "ـــــ", "ﷺ", "ﻻﻻﻻﻻ", '"', "-", "OR",
                                   "headline:", "nosuchfield:المستسفى", "مستسفى " * 1250])
def test_edge_queries_give_a_string_or_none(ix, query):
    suggestion = ix.suggest(query)
    assert suggestion is None or isinstance(suggestion, str)


def test_a_long_query_of_unknown_words_is_bounded(ix):
    # At most MAX_SUSPECTS words are looked at; the rest are kept as written.
    query = " ".join(["المستسفى"] * 40)
    suggestion = ix.suggest(query)
    assert suggestion is not None
    assert suggestion.count("المستشفى") == 10 and suggestion.count("المستسفى") == 30


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(query=st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from(list("المستشفىبحرسلاحمفاوضاتـًٌ ءئؤ\"«»-:OR")), max_size=40),
    st.lists(st.sampled_from(["المستسفى", "البحر", "-سلاب", '"مفاوضاث', "headline:", "tag:",
                              "source:", "OR", "ﻻ", "\u0640", "١٢", "Reutres"]),
             max_size=8).map(" ".join)))
def test_any_query_string_gives_a_string_none_or_query_error(ix, query):
    try:
        suggestion = ix.suggest(query)
    except QueryError:
        return
    assert suggestion is None or isinstance(suggestion, str)
    results = ix.search(query)
    assert results.suggestion == suggestion
    if suggestion is not None:
        assert suggestion != query
        # A suggestion only rewrites words: searching it never fails.
        ix.search(suggestion)


def test_a_query_words_frequency_counted_from_its_postings_is_the_same(tmp_path):
    # The speller counts the query's own words from their postings (which
    # the search reads next); any other word from the term dictionary. Both
    # agree, in segments with and without deletions.
    ix = arsearch.Index(tmp_path / "ix")
    ix.add([{"id": str(i), "headline": "مطر غزير" if i % 2 else "رياح قوية",
             "body": "هطل مطر على المدينة"} for i in range(6)], batch_size=2)
    ix.delete("1")
    with ix._reading() as snap:
        assert len(snap._segments) > 1 and any(s.live is not None for s in snap._segments)
        for field, term in [("headline", "مطر"), ("body", "مطر"), ("headline", "رياح"),
                            ("headline", "=غزير"), ("body", "ثلج")]:
            fresh = snap.doc_frequency(field, term)
            snap._doc_frequencies.clear()
            assert snap.doc_frequency(field, term, read_postings=True) == fresh, (field, term)
            snap._doc_frequencies.clear()
        assert snap.doc_frequency("headline", "مطر") == 2     # 3 and 5: 1 was deleted
    ix.close()
