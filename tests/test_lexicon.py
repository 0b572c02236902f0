"""The lexicon (arsearch/analysis/lexicon/*.tsv): a test per class of table
entry, each citing the rule of its table's header, the analyzer setting that
turns it on and off (and keeps indexes built without it as they were), and
property tests that conflation is symmetric between articles and queries and
idempotent on normalized text."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arsearch
from arsearch import analyze, normalize
from arsearch.analysis import ArabicAnalyzer, TermPipeline
from arsearch.analysis import lexicon as lx
from arsearch.analysis.lexicon import (DEFAULT_TABLES, Lexicon, LexiconError, month_names,
                                       month_terms, places, plural_forms, plurals,
                                       protected_names)
from arsearch.errors import SettingsError

PIPE = TermPipeline()                       # the defaults: every default table
NO_LEXICON = TermPipeline(lexicon=False)
LEXICON = Lexicon()


def term(word: str, pipeline: TermPipeline = PIPE, query: bool = False) -> str:
    """The first (stem or lexicon) term of one word."""
    return pipeline(word, query)[0]


# ---------------------------------------------------------------------------
# months.tsv


GREGORIAN = [m for m in month_names() if not m.hijri and m.conflate and " " not in m.spelling]


@pytest.mark.parametrize("row", GREGORIAN, ids=[f"{m.month}-{m.system}-{m.spelling}"
                                                 for m in GREGORIAN])
def test_every_naming_system_gives_a_month_one_term(row):
    """months.tsv, conflate=yes: every Gregorian spelling of a month is
    indexed as the month's first egypt_gulf spelling."""
    expected = normalize(month_terms()[row.month])
    written = row.spelling
    assert term(written) == expected
    assert term(written, query=True) == expected


def test_syriac_and_maghrebi_names_meet_the_gregorian_loan():
    # the example: أيلول and سبتمبر find the same articles
    assert term("أيلول") == term("سبتمبر") == term("شتنبر") == "سبتمبر"
    assert term("جويلية") == term("تموز") == term("يوليو") == term("يوليوز")
    assert term("أوت") == term("غشت") == term("أغسطس")


HIJRI = [m for m in month_names() if m.hijri and m.conflate and " " not in m.spelling]


@pytest.mark.parametrize("row", HIJRI, ids=[m.spelling for m in HIJRI])
def test_hijri_months_keep_terms_of_their_own(row):
    """months.tsv, system hijri: a Hijri month is its own term, never a
    Gregorian month's (رمضان is not a fixed month of the solar year)."""
    gregorian = {normalize(t) for k, t in month_terms().items() if not k.startswith("h")}
    assert term(row.spelling) == normalize(row.spelling)
    assert term(row.spelling) not in gregorian


def test_hijri_months_keep_one_term_with_proclitics():
    # months.tsv notes: the stemmer alone cuts the month once a proclitic is on it
    assert term("لشعبان", NO_LEXICON) == term("لشعب", NO_LEXICON)
    assert term("برمضان", NO_LEXICON) != term("رمضان", NO_LEXICON)
    assert term("لشعبان") == term("شعبان") == "شعبان" != term("لشعب")
    assert term("برمضان") == term("لرمضان") == term("رمضان")


def test_august_with_madda_only():
    """months.tsv, conflate=as-written: آب is August only with its madda;
    أب and اب are "father" and keep their stem."""
    august = term("أغسطس")
    assert term("آب") == term("وآب") == august
    assert term("آبَ") == august                 # diacritics do not matter
    for father in ("أب", "اب", "الأب"):
        assert term(father) != august
    assert term("أب") == term("أب", NO_LEXICON)


@pytest.mark.parametrize("spelling", [m.spelling for m in month_names() if not m.conflate
                                      and not m.spelling.isascii()])
def test_month_spellings_marked_no_are_left_to_the_stemmer(spelling):
    """months.tsv, conflate=no (ماي, جوان, محرم, صفر): also common words or
    names, so the stemmer's term stands."""
    assert LEXICON.get(normalize(spelling), spelling) is None
    assert PIPE(spelling) == NO_LEXICON(spelling)


def test_two_word_month_names_are_not_conflated():
    # months.tsv header: only one-word spellings are conflated
    assert LEXICON.get(normalize("تشرين")) is None
    assert LEXICON.get(normalize("كانون")) is None


def test_dates_parse_from_the_same_table():
    """arsearch.dates reads months.tsv: every spelling the analyzer knows is
    a month the date parser knows, with the same number."""
    from arsearch.dates import MONTHS
    for m in month_names():
        if not m.hijri:
            assert MONTHS[normalize(m.spelling).casefold()] == int(m.month), m


# ---------------------------------------------------------------------------
# places.tsv

ARAB_LEAGUE = ("SA", "EG", "IQ", "SY", "JO", "LB", "PS", "KW", "QA", "BH", "AE", "OM", "YE",
               "SD", "LY", "TN", "DZ", "MA", "MR", "SO", "DJ", "KM")


def test_every_arab_league_state_and_its_capital_is_listed():
    rows = {p.id: p for p in places()}
    for code in ARAB_LEAGUE:
        assert rows[code].kind == "country", code
        capitals = [p for p in places() if p.kind == "capital" and p.country == code]
        assert len(capitals) == 1, code


def test_large_countries_are_listed():
    ids = {p.id for p in places()}
    for code in ("US", "CN", "IN", "RU", "GB", "FR", "DE", "JP", "BR", "TR", "IR", "PK", "ID",
                 "NG", "ET"):
        assert code in ids


NISBA_CASES = [
    # (rule of places.tsv, form, country whose term it gets)
    ("masculine", "ليبي", "ليبيا"), ("masculine with ال", "الليبي", "ليبيا"),
    ("feminine ة", "الليبية", "ليبيا"), ("feminine written with ه", "الليبيه", "ليبيا"),
    ("plural ون", "الليبيون", "ليبيا"), ("plural ين", "الليبيين", "ليبيا"),
    ("feminine plural ات", "الليبيات", "ليبيا"), ("dual ان", "الليبيان", "ليبيا"),
    ("dual تان", "الليبيتان", "ليبيا"), ("dual تين", "الليبيتين", "ليبيا"),
    ("accusative ا", "مصريا", "مصر"), ("nisba of a name with ال", "العراقية", "العراق"),
    ("a second spelling", "الأميركية", "أمريكا"), ("feminine equals the name", "السعودية",
                                                     "السعودية"),
    ("city nisba", "الدمشقي", "دمشق"), ("group nisba", "الحوثيين", "حوثي"),
]


@pytest.mark.parametrize("rule, form, place", NISBA_CASES, ids=[c[0] for c in NISBA_CASES])
def test_nisba_forms_meet_their_place(rule, form, place):
    """places.tsv, nisbas: each listed nisba is inflected by rule and every
    form is indexed as the place's term."""
    assert term(form) == term(place) == normalize(place)
    assert term(form, query=True) == normalize(place)


PROCLITIC_CASES = [("و", "وليبيا"), ("ف", "فليبيا"), ("ب", "بليبيا"), ("ك", "كليبيا"),
                   ("ل", "لليبيا"), ("وب", "وبليبيا"), ("ول", "ولليبيا"), ("فب", "فبمصر"),
                   ("و + ال", "والرياض"), ("ب + ال", "بالرياض"), ("ل + ال written لل", "للرياض"),
                   ("و + ل + ال", "وللرياض"), ("و + nisba", "والليبيون")]


@pytest.mark.parametrize("rule, form", PROCLITIC_CASES, ids=[c[0] for c in PROCLITIC_CASES])
def test_listed_forms_take_proclitics(rule, form):
    """places.tsv: every form takes و ف ب ك ل and their pairs; ل before ال
    is written لل."""
    place = "الرياض" if "رياض" in form else "مصر" if "مصر" in form else "ليبيا"
    assert term(form) == normalize(place)


def test_a_name_with_the_article_is_also_found_without_it_unless_excluded():
    """places.tsv, names and except: البحرين is found typed as بحرين; رياض
    (gardens, a given name) is excluded, so it is not الرياض, and الرياضة
    (sport) is another word (the issue's رياض example)."""
    assert term("بحرين") == term("البحرين") == "البحرين"
    assert term("الرياض") == "الرياض"
    assert LEXICON.get("رياض") is None and LEXICON.get("برياض") is None
    assert term("الرياضة") != term("الرياض")
    assert term("الرياضة") == term("الرياضة", NO_LEXICON)
    # without the table, Riyadh and sport were one stem
    assert term("الرياض", NO_LEXICON) == term("الرياضة", NO_LEXICON)


def test_libya_and_its_nisbas_were_two_stems_before_the_table():
    # the issue: ليبيا and الليبي/الليبية found different articles
    assert term("ليبيا", NO_LEXICON) != term("الليبية", NO_LEXICON)
    assert term("ليبيا") == term("الليبية") == term("الليبي") == term("الليبيون")


@pytest.mark.parametrize("name, typed", [("صنعاء", "صنعا"), ("كربلاء", "كربلا"),
                                         ("سيناء", "سينا"), ("الزرقاء", "الزرقا")])
def test_a_final_hamza_after_alef_may_be_left_out(name, typed):
    """places.tsv: a name ending in اء is also recognised without its hamza."""
    assert term(typed) == term(name) == normalize(name)
    # the صنعا: without the table it stems like صنع "made"
    if typed == "صنعا":
        assert term(typed, NO_LEXICON) == term("صنع", NO_LEXICON)


@pytest.mark.parametrize("plural, place", [("الأتراك", "تركيا"), ("أتراك", "تركيا"),
                                           ("الروس", "روسيا"), ("الألمان", "ألمانيا")])
def test_broken_plurals_meet_their_place(plural, place):
    """places.tsv, plurals: listed broken plurals, with and without ال."""
    assert term(plural) == normalize(place)


def test_excluded_forms_stay_out():
    """places.tsv, except: bare تركي is a given name (names.tsv), while
    التركي and التركية are Turkish."""
    assert term("التركية") == term("تركيا")
    assert term("تركي") == "تركي" != term("تركيا")
    # compared normalized: excluding إمارات also excludes امارات
    assert LEXICON.get("امارات") is None and term("الامارات") == term("الإمارات")


@pytest.mark.parametrize("word", ["الاقتصادي", "العربي", "الرياضي", "الإسلامية", "مالي",
                                  "القمر", "قمري", "الخبر", "قاهرة", "مغرب", "جزائر"])
def test_no_generic_nisba_rule(word):
    """places.tsv header: only listed forms conflate; a word ending in ي or
    ية that is not in the table is left to the stemmer, as are the forms the
    notes leave out (مالي "financial", القمر "the moon", الخبر "the news",
    قاهرة "overwhelming", مغرب "sunset", جزائر "islands")."""
    assert LEXICON.get(normalize(word)) is None
    assert PIPE(word) == NO_LEXICON(word)


def test_no_two_rows_claim_a_form():
    """Building a lexicon checks it; a table that claims one form twice is
    refused."""
    lexicon = Lexicon()
    assert len(lexicon) > 10_000
    with pytest.raises(LexiconError):
        lexicon._add("سبتمبر", ["ليبيا"], "test", False)


# ---------------------------------------------------------------------------
# names.tsv

NAMES = protected_names()


@pytest.mark.parametrize("row", NAMES, ids=[n.name for n in NAMES])
def test_protected_names_are_indexed_whole(row):
    """names.tsv: each name is its own term, which the stemmer would change."""
    name = normalize(row.name)
    assert PIPE(row.name) == (name, "=" + name)
    assert term("و" + row.name) == name
    assert term(row.name, NO_LEXICON) != name


def test_faisal_is_not_arrives():
    # names.tsv header: فيصل would be يصل "arrives"
    assert term("فيصل", NO_LEXICON) == term("يصل", NO_LEXICON)
    assert term("فيصل") != term("يصل")
    assert term("لفيصل") == "فيصل"


def test_a_surname_with_the_article_needs_it_unless_another_spelling_is_listed():
    # names.tsv header: a name that starts with ال is only recognised with it ...
    assert term("البشير") == term("للبشير") == "البشير"
    assert LEXICON.get("بشير") is None
    # ... unless the also column lists the spelling without it
    assert term("سيسي") == term("السيسي") == "السيسي"


# ---------------------------------------------------------------------------
# plurals.tsv

PLURALS = plurals()
WITH_PLURALS = TermPipeline(lexicon=lx.TABLES)


@pytest.mark.parametrize("row", PLURALS, ids=[p.plural for p in PLURALS])
def test_a_broken_plural_meets_its_singular(row):
    """plurals.tsv: a plural is indexed as its singular's stem, with and
    without ال; without the table the stemmer keeps them apart."""
    singular = term(row.singular, WITH_PLURALS)
    assert term(row.plural, WITH_PLURALS) == singular
    assert term("ال" + row.plural, WITH_PLURALS) == singular
    assert term(row.plural, NO_LEXICON) != term(row.singular, NO_LEXICON)


@pytest.mark.parametrize("rule, form, singular", [
    ("an attached pronoun", "أسعارها", "سعر"),
    ("ة written ت before a pronoun", "أسلحتهم", "سلاح"),
    ("ى written ا before a pronoun", "قتلاهم", "قتيل"),
    ("a final ء written ؤ before a pronoun", "أعضاؤها", "عضو"),
    ("a final ء written ئ before a pronoun", "أعضائها", "عضو"),
    ("the accusative alef", "أسعارا", "سعر"),
    ("a proclitic before ال", "بالأدوية", "دواء"),
    ("ل before ال", "للأطفال", "طفل"),
    ("a conjunction and a preposition", "وللأطفال", "طفل"),
    ("a proclitic before a pronoun form", "وأبناؤهم", "ابن"),
], ids=lambda v: v if " " in str(v) else None)
def test_plural_forms_follow_the_header_rules(rule, form, singular):
    assert term(form, WITH_PLURALS) == term(singular, WITH_PLURALS)


def test_the_plural_forms_generated_by_rule():
    assert plural_forms("أسعار")[:3] == ["أسعار", "الأسعار", "أسعاره"]
    assert "أسعارا" in plural_forms("أسعار")
    # no accusative alef after ة, ء, ى or ي (أسلحةا is no word)
    assert not any(f.endswith("ا") and not f.endswith(("ها", "هما", "نا"))
                   for p in ("أسلحة", "أعضاء", "قتلى", "أراضي") for f in plural_forms(p))


@pytest.mark.parametrize("word", ["كتب", "أشهر", "أسهم", "آثار", "أنهار", "قصور", "قادة", "أسرى",
                                  "علماء", "نساء", "أمهات", "وسائل"])
def test_plurals_the_header_leaves_out(word):
    """plurals.tsv header: a plural that is also a common word of another
    meaning (كتب "wrote", أشهر "most famous" ...), or whose singular's stem
    is another word (علماء, since عالم is also "world"), is not listed."""
    assert Lexicon(["plurals"]).singular(normalize(word)) is None
    assert WITH_PLURALS(word) == NO_LEXICON(word)


def test_a_plurals_term_is_its_singular_stemmed_by_the_analyzers_stemmer():
    unstemmed = TermPipeline(lexicon=["plurals"], stemmer="none")
    assert term("الأسعار", unstemmed) == normalize("سعر")
    assert term("المدارس", unstemmed) == normalize("مدرسة")
    snowball = TermPipeline(lexicon=["plurals"], stemmer="snowball")
    assert term("المدارس", snowball) == term("مدرسة", snowball)
    # the exact form goes with it, so the very spelling searched for ranks first
    assert WITH_PLURALS("الأسعار") == (term("سعر", WITH_PLURALS), "=الاسعار")


def test_a_plural_form_that_another_table_claims_is_refused():
    lexicon = Lexicon(lx.TABLES)
    with pytest.raises(LexiconError):
        lexicon._add("سعر", ["ليبيا"], "test", False, lexicon._singulars)
    with pytest.raises(LexiconError):
        lexicon._add("ليبيا", ["أسعار"], "test", False, lexicon._forms)


def test_a_malformed_plural_row_is_refused(monkeypatch):
    monkeypatch.setattr(lx, "_rows", lambda name: iter([["أسعار"]]))
    lx.plurals.cache_clear()
    try:
        with pytest.raises(LexiconError):
            lx.plurals()
    finally:
        monkeypatch.undo()
        lx.plurals.cache_clear()


PLURAL_FORMS = sorted(Lexicon(["plurals"]).singulars)
DIACRITICS_AND_TATWEEL = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0640"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PLURAL_FORMS), st.lists(st.sampled_from(DIACRITICS_AND_TATWEEL), max_size=3))
def test_plural_conflation_is_symmetric_and_idempotent(form, marks):
    singular = Lexicon(["plurals"]).singulars[form]
    expected = term(singular, WITH_PLURALS)
    written = form[0] + "".join(marks) + form[1:]
    # article and query alike, written with marks or normalized first
    assert term(written, WITH_PLURALS) == expected
    assert term(written, WITH_PLURALS, query=True) == expected
    assert term(normalize(written), WITH_PLURALS) == expected


# ---------------------------------------------------------------------------
# The setting, and indexes built before it


def test_the_setting_chooses_tables():
    assert TermPipeline(lexicon=True).lexicon_tables == DEFAULT_TABLES
    assert TermPipeline(lexicon=False).lexicon is None
    months_only = TermPipeline(lexicon=["months"])
    assert months_only.lexicon_tables == ("months",)
    assert term("أيلول", months_only) == "سبتمبر"
    assert term("فيصل", months_only) == term("فيصل", NO_LEXICON)
    with pytest.raises(SettingsError):
        TermPipeline(lexicon=["planets"])
    assert TermPipeline(lexicon=["months"]) != TermPipeline(lexicon=False)


def test_the_analyzer_takes_the_setting():
    assert [t.text for t in ArabicAnalyzer(lexicon=False)("فيصل")] == ["يصل", "=فيصل"]
    assert [t.text for t in ArabicAnalyzer()("فيصل")] == ["فيصل", "=فيصل"]


def test_a_lexicon_word_always_has_its_exact_form():
    """A lexicon term stands for many spellings, so the word's exact form is
    indexed beside it even when the two are equal: an article with the very
    spelling searched for ranks above one with another form of the place."""
    assert PIPE("ليبيا") == ("ليبيا", "=ليبيا")
    assert PIPE("الليبية") == ("ليبيا", "=الليبيه")
    assert TermPipeline(exact_forms=False)("ليبيا") == ("ليبيا",)
    # query mode keeps them too (arsearch's parser scores exact forms)
    assert PIPE("ليبيا", query=True) == ("ليبيا", "=ليبيا")


def test_pickled_pipelines_keep_their_tables():
    for setting in (True, False, ["places"]):
        pipeline = TermPipeline(lexicon=setting)
        copy = pickle.loads(pickle.dumps(pipeline))
        assert copy == pipeline and copy.lexicon_tables == pipeline.lexicon_tables


def test_a_pipeline_saved_before_the_lexicon_analyses_without_it():
    """An index built by a release without the lexicon pickled its
    pipeline's settings without a ``lexicon`` key: it must keep analysing
    queries the way it analysed its articles, so the key defaults to off."""
    old_state = dict(TermPipeline(lexicon=False).__getstate__())
    del old_state["lexicon"]
    restored = TermPipeline.__new__(TermPipeline)
    restored.__setstate__(old_state)
    assert restored.lexicon is None
    assert restored("فيصل") == NO_LEXICON("فيصل")


def test_an_index_built_before_the_lexicon_still_finds_its_articles(tmp_path, monkeypatch):
    """End to end: an index whose schema was pickled by the previous release
    (analyzer without the lexicon) is reopened, and a query for a protected
    name is analysed as its articles were."""
    articles = [{"id": "1", "headline": "وصل فيصل إلى جدة", "body": "زيارة قصيرة"},
                {"id": "2", "headline": "يصل القطار غدا", "body": "موعد جديد"}]
    old_getstate = TermPipeline.__getstate__

    def previous_release_state(self):
        state = dict(old_getstate(self))
        del state["lexicon"]
        return state

    with monkeypatch.context() as patch:
        patch.setattr(lx, "DEFAULT_TABLES", ())
        patch.setattr(TermPipeline, "__getstate__", previous_release_state)
        old = arsearch.Index(tmp_path / "old", workers=1)
        old.add(articles)
        old.close()
    reopened = arsearch.Index(tmp_path / "old", create=False)
    try:
        assert reopened.pipeline.lexicon is None
        # as before the lexicon: فيصل and يصل share a stem, both articles match
        assert {h.id for h in reopened.search("فيصل")} == {"1", "2"}
    finally:
        reopened.close()
    new = arsearch.Index(tmp_path / "new", workers=1)
    try:
        new.add(articles)
        assert [h.id for h in new.search("فيصل")] == ["1"]
    finally:
        new.close()


# ---------------------------------------------------------------------------
# Properties: symmetric and idempotent

FORMS = sorted(LEXICON.forms)
MARKS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0640"]


@st.composite
def written_forms(draw):
    """A lexicon form as a writer might put it: diacritics or tatweel after
    some letters."""
    form = draw(st.sampled_from(FORMS))
    out = []
    for ch in form:
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(MARKS)))
    return form, "".join(out)


@settings(max_examples=300, deadline=None)
@given(written_forms())
def test_conflation_is_symmetric_between_articles_and_queries(pair):
    form, written = pair
    expected = LEXICON.forms[form]
    assert term(written) == expected
    assert term(written, query=True) == expected
    # in context, too: the query's term is among the article's terms
    article = analyze(f"قال {written} أمس")
    assert set(t for t in analyze(written, query=True) if not t.startswith("=")) <= set(article)


@settings(max_examples=300, deadline=None)
@given(written_forms())
def test_conflation_is_idempotent_on_normalized_text(pair):
    form, written = pair
    expected = LEXICON.forms[form]
    # normalizing first changes nothing ...
    assert term(normalize(written)) == term(written) == expected
    # ... and a term, analysed again, is itself
    assert term(expected) == expected


@pytest.mark.parametrize("table", [t for t in lx.TABLES if t != "plurals"])
def test_every_term_is_a_fixed_point(table):
    lexicon = Lexicon([table])
    for value in lexicon.terms:
        assert lexicon.get(value) == value, value
