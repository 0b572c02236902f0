"""Queries as people type them (issue 9): a misspelled word is searched with
its correction, a hamza seat or final hamza written either way finds the
other, and a quoted title worded differently still finds its article.

Every article here is written for these tests.
"""

from __future__ import annotations

import functools
import io

import pytest

import arsearch
from arsearch.cli import main as cli_main
from arsearch.errors import QueryError
from arsearch.index.query import Correction, parse_query, spelling_variants
from arsearch.index.suggest import SpellingParams

#: A small news archive: one article per subject, and some filler that
#: shares their common words.
ARTICLES: list[dict] = [
    {"id": "talks", "headline": "المفاوضات تبدأ في جنيف بين الوفدين",
     "body": "بدأت المفاوضات صباح اليوم في جنيف بحضور ممثلين عن الطرفين وسط تفاؤل حذر."},
    {"id": "official", "headline": "مسؤول في البلدية يعلن خطة للطرق",
     "body": "قال مسؤول إن الخطة تشمل رصف الشوارع الرئيسية خلال العام المقبل."},
    {"id": "sanaa", "headline": "أمطار غزيرة على صنعاء",
     "body": "شهدت صنعاء أمطارا غزيرة أمس وأغلقت بعض الطرق في وسط المدينة."},
    {"id": "novel", "headline": "رواية حدائق الليل الطويل تفوز بجائزة الكتاب",
     "body": "فازت رواية حدائق الليل الطويل بجائزة الكتاب لهذا العام بعد منافسة قوية."},
    {"id": "garden", "headline": "افتتاح حدائق جديدة في الحي الشرقي",
     "body": "افتتحت البلدية حدائق عامة جديدة، ويبقى الليل موعد الزوار المفضل في الصيف "
             "الطويل حين تشتد الحرارة نهارا."},
    {"id": "desert", "headline": "عاصفة رملية تعبر الصحراء",
     "body": "عبرت عاصفة رملية الصحراء الغربية وأوقفت حركة الشاحنات على الطريق الدولي."},
    {"id": "weather", "headline": "الطقس غدا معتدل في معظم المناطق",
     "body": "يتوقع أن يكون الطقس معتدلا مع رياح خفيفة وأمطار متفرقة على المرتفعات."},
]


@pytest.fixture
def ix(make_index):
    return make_index(ARTICLES)


# Misspelled words ------------------------------------------------------------

def test_a_misspelled_word_finds_the_article_and_says_so(ix):
    results = ix.search("المفاوضاث")
    assert results.ids == ["talks"]
    assert results.corrected == "المفاوضات"
    assert results.suggestion == "المفاوضات"
    assert "showing results for: المفاوضات" in str(results)
    assert "showing results for 'المفاوضات'" in repr(results)
    assert "عرض نتائج" in results._repr_html_()


def test_correct_false_searches_the_words_as_typed(ix):
    results = ix.search("المفاوضاث", correct=False)
    assert results.ids == [] and results.corrected is None
    # The correction is still offered, as "did you mean".
    assert results.suggestion == "المفاوضات"
    assert "did you mean: المفاوضات" in str(results)


def test_the_correction_weighs_below_the_word_as_typed(ix):
    # جنيف is spelled right: the corrected word adds, and does not replace it.
    results = ix.search("جنيف المفاوضاث")
    assert results.ids == ["talks"]
    assert results.corrected == "جنيف المفاوضات"
    parsed = parse_query("المفاوضاث", ix.pipeline,
                         corrections=ix.corrections("المفاوضاث"), correction_boost=0.8)
    typed = {t.text for t in parse_query("المفاوضاث", ix.pipeline).terms}
    assert {t.text: t.boost for t in parsed.terms if t.text not in typed}
    assert {t.boost for t in parsed.terms if t.text not in typed} == {0.8}
    assert {t.boost for t in parsed.terms if t.text in typed} == {1.0}


def test_a_correctly_spelled_query_is_not_corrected(ix):
    for query in ("المفاوضات في جنيف", "أمطار صنعاء", "رواية حدائق الليل"):
        results = ix.search(query)
        assert results.corrected is None, query
        assert ix.corrections(query) == (), query


def test_a_rare_typo_is_corrected_toward_a_much_commoner_word(make_index):
    # الحوثين (one letter missing) is in one article, الحوثيين in 25.
    articles = [{"id": f"c{i}", "headline": f"الحوثيين في الخبر رقم {i}"} for i in range(25)]
    articles.append({"id": "typo", "headline": "خبر عن الحوثين كتب على عجل"})
    plain = make_index(articles, spelling=SpellingParams(rare_df=0))
    assert plain.search("الحوثين").corrected is None
    rare = make_index(articles, spelling=SpellingParams(rare_df=2))
    results = rare.search("الحوثين", limit=30)
    assert results.corrected == "الحوثيين"
    assert results.total == 26 and results.ids[0] == "typo"    # the word as typed first
    assert rare.search("الحوثين", correct=False).total == 1


def test_a_typo_that_stems_like_another_word_is_corrected(make_index):
    # Rule SpellingParams.unseen_ratio: مرحيات (مسرحيات with its س dropped)
    # stems to مرح, which one article holds, but no article spells it so;
    # the stem of مسرحيات, one edit away, is in six.
    articles = [{"id": f"play{i}", "headline": f"مسرحيات جديدة على خشبة المسرح رقم {i}"}
                for i in range(6)]
    articles.append({"id": "fun", "headline": "أجواء من المرح في حديقة الحي"})
    articles.append({"id": "actors", "headline": "نقابة الفنانين المسرحيين تنتخب رئيسها"})
    ix = make_index(articles)
    results = ix.search("مرحيات", limit=10)
    assert results.corrected == "مسرحيات"
    assert set(results.ids) == {"fun", *(f"play{i}" for i in range(6))}
    assert ix.search("مرحيات", correct=False).ids == ["fun"]
    off = make_index(articles, spelling=SpellingParams(unseen_ratio=0))
    assert off.search("مرحيات").corrected is None
    # A form no article spells, of a word the index knows, is not a typo:
    # المسرحيين, one edit away, has its stem.
    results = ix.search("المسرحيون")
    assert results.corrected is None and results.ids == ["actors"]


# Words searched quietly (SpellingParams.alternatives, quiet_doubts) ---------

def _quiet(ix, query):
    return [(c.word, c.suggestion) for c in ix.corrections(query) if c.quiet]


def test_the_runner_up_corrections_are_searched_but_not_shown(make_index):
    # Rule SpellingParams.alternatives: التونية is one edit from التقنية (a
    # letter replaced) and from التونسية (a letter dropped). The commoner
    # word is the correction shown; the other is searched quietly beside it.
    articles = [{"id": f"tech{i}", "headline": f"التقنية الحديثة في المدارس رقم {i}"}
                for i in range(8)]
    articles += [{"id": f"tun{i}", "headline": f"الكرة التونسية تستعد للموسم رقم {i}"}
                 for i in range(2)]
    ix = make_index(articles)
    results = ix.search("التونية", limit=20)
    assert results.corrected == "التقنية"
    # Found, but never above what "showing results for" names.
    assert set(results.ids[-2:]) == {"tun0", "tun1"} and len(results.ids) == 10
    assert _quiet(ix, "التونية") == [("التونية", "التونسية")]
    alone = make_index(articles, spelling=SpellingParams(alternatives=0))
    assert not {"tun0", "tun1"} & set(alone.search("التونية", limit=20).ids)
    assert alone.search("التونية").corrected == "التقنية"


def test_a_word_one_edit_from_a_stopword_is_searched_quietly(make_index):
    # Rule SpellingParams.quiet_doubts: ادمام is أمام (a stopword) with a
    # letter added, or الدمام with its ل dropped. Which is meant is unsure,
    # so nothing is shown; the city is searched quietly.
    articles = [{"id": f"dmm{i}", "headline": f"أمطار على الدمام رقم {i}"} for i in range(3)]
    articles.append({"id": "other", "headline": "افتتاح معرض الكتاب"})
    ix = make_index(articles)
    results = ix.search("ادمام")
    assert results.corrected is None
    assert set(results.ids) == {"dmm0", "dmm1", "dmm2"}
    assert ix.search("ادمام", correct=False).ids == []
    off = make_index(articles, spelling=SpellingParams(quiet_doubts=False))
    assert off.search("ادمام").ids == [] and _quiet(off, "ادمام") == []


def test_an_unseen_spelling_with_no_commoner_neighbour_is_searched_quietly(make_index):
    # Rule SpellingParams.quiet_doubts: البحرن (البحرين with its ي dropped)
    # stems to بحر, the sea, in ten articles; البحرين is in three, too few
    # to correct to (unseen_ratio 3), but it is searched quietly.
    articles = [{"id": f"sea{i}", "headline": f"رحلة في البحر رقم {i}"} for i in range(10)]
    articles += [{"id": f"bh{i}", "headline": f"البحرين تستضيف المؤتمر رقم {i}"}
                 for i in range(3)]
    ix = make_index(articles)
    results = ix.search("البحرن", limit=20)
    assert results.corrected is None
    assert {"bh0", "bh1", "bh2"} <= set(results.ids)
    off = make_index(articles, spelling=SpellingParams(quiet_doubts=False))
    assert not {"bh0", "bh1", "bh2"} & set(off.search("البحرن", limit=20).ids)


def test_a_word_read_behind_a_proclitic_is_corrected_quietly():
    # Rule SpellingParams.proclitic_ratio: لظافة reads as ل and ظافة, a stem
    # one article holds but none spells so; لنظافة (ن dropped) has a stem in
    # ten. Not shown, as the reading may be right; searched quietly.
    from arsearch.analysis import TermPipeline
    from arsearch.index.suggest import Speller
    df = {"ظاف": 1, "لنظاف": 10, "=لنظافه": 10}
    speller = Speller(TermPipeline(), lambda f, t: df.get(t, 0) if f == "body" else 0)
    [fix] = speller.corrections("لظافة", rare=True)
    assert (fix.suggestion, fix.quiet) == ("لنظافة", True)
    assert speller.suggest("لظافة") is None
    for params in (SpellingParams(quiet_doubts=False), SpellingParams(proclitic_ratio=20)):
        speller = Speller(TermPipeline(), lambda f, t: df.get(t, 0) if f == "body" else 0,
                          params)
        assert speller.corrections("لظافة", rare=True) == []


def test_a_form_the_lexicon_lists_is_never_a_suspect():
    # أيلول (September, Levantine) is a lexicon form of the month's term,
    # which 40 articles hold; none spells أيلول itself. It is a word, not a
    # typo: neither corrected nor searched quietly as ايلوك, one edit away.
    from arsearch.analysis import TermPipeline
    from arsearch.index.suggest import Speller
    df = {"سبتمبر": 40, "=سبتمبر": 40, "ايل": 5, "=ايلوك": 5}
    speller = Speller(TermPipeline(), lambda f, t: df.get(t, 0) if f == "body" else 0)
    assert speller.corrections("أيلول", rare=True) == []
    # A spelling no article uses of a stem outside the lexicon is searched
    # quietly, with the same figures: البحرن (بحر, the sea) as البحرين.
    df = {"بحر": 40, "=البحر": 40, "البحرين": 5, "=البحرين": 5}
    speller = Speller(TermPipeline(), lambda f, t: df.get(t, 0) if f == "body" else 0)
    assert [(c.suggestion, c.quiet) for c in speller.corrections("البحرن", rare=True)] \
        == [("البحرين", True)]


def test_quiet_corrections_weigh_below_a_shown_one(ix):
    quiet = Correction(0, 5, "حدايق", "حدائق", quiet=True, weight=0.7)
    parsed = parse_query("حدايق", ix.pipeline, corrections=[quiet], correction_boost=0.6)
    typed = {t.text for t in parse_query("حدايق", ix.pipeline).terms}
    assert {round(t.boost, 6) for t in parsed.terms if t.text not in typed} == {0.42}
    results = ix.search("حدايق", correct=[quiet])
    assert results.corrected is None and set(results.ids) == {"novel", "garden"}


@pytest.mark.parametrize("weight", [0, -0.5, 1.5, float("nan"), "0.5", True])
def test_a_given_correction_with_a_bad_weight_is_a_query_error(ix, weight):
    with pytest.raises(QueryError, match="weight"):
        ix.search("حدايق", correct=[Correction(0, 5, "حدايق", "حدائق", quiet=True, weight=weight)])


def test_given_corrections_are_applied_as_given(ix):
    fix = Correction(0, 5, "حدايق", "حدائق")
    results = ix.search("حدايق", correct=[fix])
    assert results.corrected == "حدائق"
    assert set(results.ids) == {"novel", "garden"}


@pytest.mark.parametrize("options", [{"correct": "yes"}, {"correct": None},
                                     {"correct": [("المفاوضاث", "المفاوضات")]},
                                     {"relax_phrases": "no"}, {"relax_phrases": 1}])
def test_bad_options_are_query_errors(ix, options):
    with pytest.raises(QueryError):
        ix.search("المفاوضات", **options)
    with pytest.raises(QueryError):
        ix.search_ids("المفاوضات", **options)


# Spelling variants -------------------------------------------------------------

@pytest.mark.parametrize("typed, target", [
    ("مسئول", "official"),      # ئ for ؤ
    ("مسؤول", "official"),
    ("صنعا", "sanaa"),          # final hamza after alef dropped
    ("صنعاء", "sanaa"),
    ("الصحرا", "desert"),
    ("صحراء", "desert"),
])
def test_hamza_spellings_find_each_other(ix, typed, target):
    assert ix.search(typed, correct=False).ids == [target]
    # Another spelling of a known word is not a misspelling.
    results = ix.search(typed)
    assert results.ids == [target] and results.corrected is None


def test_variants_work_both_ways(make_index):
    ix = make_index([{"id": "a", "headline": "المسئول عن الملف"},
                     {"id": "b", "headline": "زار صنعا أمس"},
                     {"id": "c", "headline": "رحلة إلى الصحرا الكبرى"}])
    assert ix.search("المسؤول", correct=False).ids == ["a"]
    assert ix.search("صنعاء", correct=False).ids == ["b"]
    assert ix.search("الصحراء", correct=False).ids == ["c"]


def test_without_variants_a_spelling_finds_only_itself(make_index):
    ix = make_index(ARTICLES, spelling=SpellingParams(variants=False))
    assert ix.search("الصحرا", correct=False).ids == []
    assert ix.search("مسئول", correct=False).ids == []
    # (صنعا is found anyway: the lexicon lists it as a spelling of صنعاء.)


def test_spelling_variants_are_symmetric():
    for word in ("مسؤول", "مسئول", "صنعا", "صنعاء", "الوزراء", "سائل", "رؤية"):
        for other in spelling_variants(word):
            assert word in spelling_variants(other), (word, other)
    assert spelling_variants("كتاب") == ()


def test_a_variant_counts_as_one_word(ix):
    # مسئول and مسؤول are one term: an article holding both gains nothing
    # over one holding either twice.
    terms = parse_query("مسؤول", ix.pipeline, variants=True).terms
    assert len(terms) == 2          # the stem and the exact form, each with its variant
    assert all(t.variants for t in terms)


# Two words written as one -----------------------------------------------------
# Two neighbouring query words that articles write as one word are searched
# as that word too (SpellingParams.joins, Speller.joins), silently: the
# query is shown as typed.

JOINED: list[dict] = [
    {"id": "fb1", "headline": "فيسبوك تطلق خدمة جديدة للرسائل",
     "body": "أعلنت شركة فيسبوك اليوم عن خدمة جديدة للرسائل بين المستخدمين."},
    {"id": "fb2", "headline": "مستخدمو فيسبوك في المنطقة يتزايدون",
     "body": "يتزايد عدد مستخدمي فيسبوك في المنطقة عاما بعد عام."},
    {"id": "fb3", "headline": "صفحة الفيسبوك الرسمية للوزارة",
     "body": "نشرت الوزارة البيان على صفحتها في الفيسبوك مساء أمس."},
    {"id": "book", "headline": "معرض بوك للكتب المستعملة",
     "body": "يفتتح معرض بوك أبوابه للزوار في نهاية الأسبوع."},
    {"id": "face", "headline": "متجر الفيس للأزياء يفتح فرعا جديدا",
     "body": "افتتح متجر الفيس فرعه الجديد في السوق القديم."},
    {"id": "old1", "headline": "جولة في المدينة القديمة",
     "body": "تضم المدينة القديمة أسواقا وبيوتا من الحجر."},
    {"id": "typo", "headline": "ملف عن المدينةالقديمة", "body": "كتب الملف على عجل."},
    *({"id": f"car{i}", "headline": f"سيارة جديدة في المعرض رقم {i}",
       "body": "عرضت الشركة سيارة كهربائية جديدة."} for i in range(3)),
]


@pytest.fixture
def joined(make_index):
    return make_index(JOINED)


def test_two_words_written_as_one_find_the_one_word(joined):
    results = joined.search("الفيس بوك", limit=10)
    assert {"fb1", "fb2", "fb3"} <= set(results.ids)
    # The words as typed count too, and the query is shown as typed.
    assert {"face", "book"} <= set(results.ids)
    assert results.corrected is None and results.suggestion is None
    assert joined.corrections("الفيس بوك") == (
        Correction(0, 9, "الفيس بوك", "الفيسبوك", joined=True),)


def test_joined_words_weigh_as_a_correction(joined):
    # The joined word's terms weigh correction_boost, the typed words 1.
    fixes = joined.corrections("الفيس بوك")
    parsed = parse_query("الفيس بوك", joined.pipeline, corrections=fixes,
                         correction_boost=0.6)
    typed = {t.text for t in parse_query("الفيس بوك", joined.pipeline).terms}
    assert {t.boost for t in parsed.terms if t.text not in typed} == {0.6}
    assert parsed.corrections == fixes


def test_joins_are_off_with_correct_false_or_the_setting(joined, make_index):
    assert not {"fb1", "fb2", "fb3"} & set(joined.search("الفيس بوك", correct=False).ids)
    off = make_index(JOINED, spelling=SpellingParams(joins=False))
    assert off.corrections("الفيس بوك") == ()
    assert not {"fb1", "fb2", "fb3"} & set(off.search("الفيس بوك").ids)


@pytest.mark.parametrize("query", [
    "الفيس، بوك",          # a comma between them: two separate words
    "-الفيس بوك",          # an exclusion is left as written
    "المدينة القديمة",     # the joined spelling is in one article only: a typo
    "سي أر",               # too short: سيار is another word (car)
    "في سبوك",             # a stopword is never joined
])
def test_words_are_not_joined_without_reason(joined, query):
    assert [c for c in joined.corrections(query) if c.joined] == []


# Quoted phrases ---------------------------------------------------------------
# A quoted phrase matches its words in any order, at most phrase_slop (1)
# words apart (RankingParams.phrase_slop); one that no article holds is read
# as its words (relax_phrases).

@pytest.mark.parametrize("query", [
    '"الليل الطويل حدائق"',              # words swapped
    '"حدائق الطويل"',                    # the middle word left out
    'من كتب رواية "الليل الطويل في الحدائق"؟',    # a question quoting it from memory
])
def test_a_title_quoted_from_memory_matches_as_a_phrase(ix, query):
    results = ix.search(query)
    # garden holds the same words, too far apart to hold the phrase.
    assert results.ids == ["novel"], results.ids
    assert results.relaxed_phrases == ()
    phrase = query[query.index('"') + 1:query.rindex('"')]
    # Asked for exactly, no article holds it: it is read as its words.
    exact = ix.search(query, phrase_slop=0)
    assert exact.ids[0] == "novel" and exact.relaxed_phrases == (phrase,)


def test_a_phrase_with_a_word_the_title_lacks_is_read_as_its_words(ix):
    results = ix.search('"حدائق الليل القصير"')
    assert results.ids[0] == "novel", results.ids
    assert results.relaxed_phrases == ("حدائق الليل القصير",)
    assert 'no article has the phrase "حدائق الليل القصير"' in str(results)
    assert "لا مقالات تحوي العبارة" in results._repr_html_()


def test_phrase_slop_counts_the_words_between(make_index):
    ix = make_index([{"id": "near", "headline": "حدائق عامة الليل"},
                     {"id": "far", "headline": "حدائق عامة جديدة الليل"}])
    search = functools.partial(ix.search_ids, relax_phrases=False)
    assert [d for d, _ in search('"حدائق الليل"', phrase_slop=0)] == []
    assert [d for d, _ in search('"حدائق الليل"')] == ["near"]
    assert [d for d, _ in search('"الليل حدائق"')] == ["near"]       # any order
    assert sorted(d for d, _ in search('"حدائق الليل"', phrase_slop=2)) == ["far", "near"]


@pytest.mark.parametrize("slop", [-1, 1.5, True, "1", 21])
def test_a_bad_phrase_slop_is_a_query_error(ix, slop):
    with pytest.raises(QueryError, match="phrase_slop"):
        ix.search('"حدائق الليل"', phrase_slop=slop)


def test_articles_holding_the_phrase_words_together_rank_first(ix):
    # Read as words, garden holds all three, far apart; novel holds them
    # near each other (swapped, so not as the exact phrase asked for).
    results = ix.search('"الطويل الليل حدائق"', phrase_slop=0)
    assert results.ids[:2] == ["novel", "garden"]
    assert results[0].score > results[1].score


def test_relax_phrases_false_keeps_the_hard_phrase(ix):
    results = ix.search('"حدائق الليل القصير"', relax_phrases=False)
    assert results.ids == [] and results.total == 0
    assert results.relaxed_phrases == ()
    assert ix.search('"الليل الطويل حدائق"', relax_phrases=False, phrase_slop=0).ids == []
    assert ix.search('"الليل الطويل حدائق"', relax_phrases=False).ids == ["novel"]


def test_a_phrase_that_matches_is_not_relaxed(ix):
    results = ix.search('"حدائق الليل الطويل"')
    assert results.ids == ["novel"] and results.relaxed_phrases == ()
    # relax_phrases=True reads it as words, its articles first.
    relaxed = ix.search('"حدائق الليل الطويل"', relax_phrases=True)
    assert relaxed.ids[0] == "novel" and "garden" in relaxed.ids
    assert relaxed.relaxed_phrases == ("حدائق الليل الطويل",)


def test_a_phrase_is_not_relaxed_past_the_filters(make_index):
    ix = make_index([dict(a, source="الأفق" if a["id"] == "novel" else "المدار")
                     for a in ARTICLES])
    # The phrase matches, but not in the source asked for: relaxed there.
    results = ix.search('"حدائق الليل الطويل"', source="المدار")
    assert results.ids == ["garden"] and results.relaxed_phrases


def test_facets_follow_the_phrase(make_index):
    ix = make_index([dict(a, source="الأفق") for a in ARTICLES])
    assert ix.facets('"الليل الطويل حدائق"', "source") == {"الأفق": 1}
    assert ix.facets('"حدائق الليل القصير"', "source") == {"الأفق": 2}     # relaxed
    assert ix.facet_spellings('"الليل الطويل حدائق"', "source", phrase_slop=0,
                              relax_phrases=False) == {}


# Command line ----------------------------------------------------------------

def test_the_cli_shows_corrections_and_relaxed_phrases(tmp_path):
    path = tmp_path / "ix"
    with arsearch.Index(path) as ix:
        ix.add(ARTICLES)

    def run(*argv: str) -> str:
        out = io.StringIO()
        assert cli_main(list(argv), out=out) == 0
        return out.getvalue()

    text = run("search", 'المفاوضاث "حدائق الليل القصير"', "--index", str(path))
    assert 'showing results for: المفاوضات "حدائق الليل القصير"' in text
    assert 'no article has the phrase "حدائق الليل القصير"' in text
    text = run("search", "المفاوضاث", "--index", str(path), "--no-correct")
    assert "did you mean: المفاوضات" in text and text.startswith("0 results")
    assert run("search", '"الليل الطويل حدائق"', "--index", str(path)).startswith("1 result")
    text = run("search", '"الليل الطويل حدائق"', "--index", str(path), "--exact-phrases")
    assert text.startswith("0 results")
    data = run("search", 'المفاوضاث "حدائق الليل القصير"', "--index", str(path), "--json")
    assert '"corrected": "المفاوضات \\"حدائق الليل القصير\\""' in data
    assert '"relaxed_phrases": [' in data


# The named subject ---------------------------------------------------------------

#: A question names its subject; the subject's own article (its headline is
#: the name) should lead an article that only repeats the name in its body.
SUBJECT_ARTICLES: list[dict] = [
    {"id": "kant", "headline": "إيمانويل كانت",
     "body": "فيلسوف ألماني عاش في كونيغسبرغ، وكتب نقد العقل المحض."},
    {"id": "lecture", "headline": "محاضرة عن الفلسفة الألمانية في الجامعة",
     "body": "تحدث المحاضر عن إيمانويل كانت وهيغل، وقال إن كتب إيمانويل كانت ما زالت "
             "تدرس، وإن إيمانويل كانت غير طريقة التفكير في المعرفة."},
    {"id": "river", "headline": "نهر النيل يفيض في الصيف",
     "body": "يفيض النيل كل صيف فيروي الأراضي الزراعية على ضفتيه."},
]


def test_the_article_whose_headline_the_question_names_leads(make_index):
    ix = make_index(SUBJECT_ARTICLES)
    assert ix.search_ids("من هو إيمانويل كانت؟")[0][0] == "kant"


def test_headline_coverage_raises_the_named_subject(make_index):
    from dataclasses import replace
    ix = make_index(SUBJECT_ARTICLES)
    assert ix.ranking.headline_coverage > 0

    def kant_over_lecture(coverage: float) -> float:
        ix.ranking = replace(ix.ranking, headline_coverage=coverage)
        scores = dict(ix.search_ids("إيمانويل كانت"))
        return scores["kant"] / scores["lecture"]

    default = ix.ranking.headline_coverage
    # The whole headline is in the query: kant's score is multiplied by
    # 1 + coverage; lecture's headline holds no query word.
    assert kant_over_lecture(default) == pytest.approx(
        kant_over_lecture(0.0) * (1 + default), rel=1e-9)


def test_a_headline_partly_named_gains_its_share(make_index):
    from dataclasses import replace
    ix = make_index(SUBJECT_ARTICLES)
    ix.ranking = replace(ix.ranking, headline_coverage=0.0)
    plain = dict(ix.search_ids("النيل الزراعية"))["river"]
    ix.ranking = replace(ix.ranking, headline_coverage=1.0)
    covered = dict(ix.search_ids("النيل الزراعية"))["river"]
    # One headline word of four (نهر النيل يفيض الصيف; في is a stopword).
    assert covered == pytest.approx(plain * 1.25, rel=1e-9)
