"""Behaviour of Index.search and friends: ranking, Arabic variants, query
syntax, filters, pagination, malformed queries, more_like and facets."""

from __future__ import annotations

import datetime as dt

import pytest

from arsearch import Index, QueryError

# ---------------------------------------------------------------- a small corpus

CORPUS = [
    {"id": "neg", "headline": "استئناف المفاوضات بين الوفدين في العاصمة",
     "body": "عاد الوفدان إلى طاولة المفاوضات بعد توقف دام شهرين."},
    {"id": "uae", "headline": "وفد تجاري يزور الإمارات الأسبوع المقبل",
     "body": "يبحث الوفد في الإمارات فرص الاستثمار في الموانئ."},
    {"id": "hosp", "headline": "افتتاح مستشفى للأطفال في الحي الشرقي",
     "body": "يضم المستشفى الجديد قسماً للطوارئ ومئة سرير."},
    {"id": "pm", "headline": "رئيس الوزراء يتفقد مشروع السكك الحديدية",
     "body": "تفقد رئيس الوزراء صباح اليوم أعمال مد السكك في الشمال."},
    {"id": "solar", "headline": "الطاقة الشمسية تضيء قرى الجبل",
     "body": "ركبت الجمعية ألواحاً للطاقة الشمسية فوق أسطح المدارس.",
     "source": "صحيفة الأفق", "tags": ["طاقة", "قرى"], "date": "2023-05-01"},
    {"id": "wind", "headline": "مزرعة للرياح والطاقة الشمسية على الساحل",
     "body": "تجمع المحطة توربينات الرياح مع ألواح الطاقة الشمسية.",
     "source": "وكالة المدار", "tags": ["طاقة"], "date": "2023-06-01"},
    {"id": "reversed", "headline": "الشمسية والطاقة كلمتان متباعدتان",
     "body": "هذا النص يذكر الشمسية أولاً ثم يذكر الطاقة بعد كلمات.",
     "source": "الأفق", "tags": ["لغة"], "date": "2023-07-01"},
    {"id": "factory", "headline": "وزير الصناعة يزور المصنع الجديد",
     "body": "قال الوزير إن المصنع سيوفر ألف وظيفة للشباب.",
     "source": "صحيفة الأفق", "tags": ["صناعة", "سياسة"], "date": "2023-08-01"},
    {"id": "farm", "headline": "موسم الزراعة يبدأ مبكراً",
     "body": "بدأ المزارعون زراعة القمح بعد الأمطار الأولى.",
     "source": "وكالة المدار", "tags": ["زراعة"], "date": "2023-09-01"},
]


@pytest.fixture(scope="module")
def corpus():
    ix = Index()
    ix.add(CORPUS)
    yield ix
    ix.close()


# ---------------------------------------------------------------- ranking

NEUTRAL_HEADLINE = "خبر عاجل من مراسلنا هناك"            # five words
NEUTRAL_BODY = "ذكر شهود أن الحادث وقع قرب السوق المركزي ظهراً"


def _headline_body_pair(word: str) -> list[dict]:
    """Two articles of equal field lengths: ``word`` once in the headline
    of one, once in the body of the other, in place of a neutral word."""
    head_words, body_words = NEUTRAL_HEADLINE.split(), NEUTRAL_BODY.split()
    return [
        {"id": "in_headline", "headline": " ".join([word] + head_words[1:]),
         "body": NEUTRAL_BODY},
        {"id": "in_body", "headline": NEUTRAL_HEADLINE,
         "body": " ".join([word] + body_words[1:])},
    ] + [{"id": f"other{i}", "headline": NEUTRAL_HEADLINE, "body": NEUTRAL_BODY}
         for i in range(4)]


@pytest.mark.parametrize("word", ["الفيضانات", "البرلمان", "القمح"])
def test_a_headline_match_beats_an_equally_strong_body_match(make_index, word):
    ix = make_index(_headline_body_pair(word))
    results = ix.search(word)
    assert results.ids == ["in_headline", "in_body"]
    assert results[0].score > results[1].score
    # Per-query weights can turn it round.
    assert ix.search(word, weights={"headline": 1.0, "body": 5.0}).ids == ["in_body",
                                                                           "in_headline"]


@pytest.mark.parametrize("weights", [{"title": 1.0}, {"headline": -1.0}, {"body": "x"}])
def test_bad_per_query_weights_are_query_errors(corpus, weights):
    with pytest.raises(QueryError):
        corpus.search("الطاقة", weights=weights)


def test_documents_matching_more_query_words_rank_higher(make_index):
    ix = make_index([
        {"id": "once", "headline": "محصول القمح والشعير وفير"},
        {"id": "both", "headline": "محصول القمح والذرة وفير"},
        {"id": "twice", "headline": "محصول القمح والقمح وفير"},
    ] + [{"id": f"x{i}", "headline": "محصول التفاح والعنب وفير"} for i in range(3)])
    assert ix.search("القمح الذرة").ids == ["both", "twice", "once"]


VARIANTS = {
    "neg": ["المفاوضات", "بالمفاوضات", "والمفاوضات", "المفاوضاتِ", "للمفاوضات",
            "فالمفاوضات", "المُفاوَضات", "المفاوضـات"],
    "uae": ["الإمارات", "الامارات", "الأمارات", "والإمارات", "بالامارات"],
    "hosp": ["مستشفى", "مستشفي", "مُسْتَشْفى", "المستشفى", "للمستشفي"],
}


@pytest.mark.parametrize("query, expected", [(q, i) for i, qs in VARIANTS.items() for q in qs])
def test_clitic_hamza_and_diacritic_variants_find_the_same_article(corpus, query, expected):
    assert corpus.search(query).ids == [expected]


@pytest.mark.parametrize("query", ["من هو رئيس الوزراء؟", "رئيس الوزراء؟", "الوزراء؟",
                                   "ما هو مشروع السكك الحديدية ؟"])
def test_a_question_mark_does_not_break_matching(corpus, query):
    assert corpus.search(query).ids[:1] == ["pm"]


# ---------------------------------------------------------------- query syntax


@pytest.mark.parametrize("query, expected", [
    # plain words: the control for the cases below
    ("الطاقة الشمسية", {"solar", "wind", "reversed"}),
    # phrases: the words together, in any order (phrase_slop 1)
    ('"الطاقة الشمسية"', {"solar", "wind", "reversed"}),
    ("«الطاقة الشمسية»", {"solar", "wind", "reversed"}),
    ('"الشمسية الطاقة"', {"solar", "wind", "reversed"}),
    ('"الطاقة تضيء"', {"solar"}),                  # a word left out
    ('"الطاقة قرى"', {"solar", "wind", "reversed"}),   # two words apart: read as words
    # a phrase no article holds is read as its words (see the phrase tests)
    ('"الطاقة المصنع"', {"solar", "wind", "reversed", "factory"}),
    # exclusion
    ("الطاقة", {"solar", "wind", "reversed"}),
    ("الطاقة -الرياح", {"solar", "reversed"}),
    ('الطاقة -"توربينات الرياح"', {"solar", "reversed"}),
    ('الطاقة -"الطاقة الرياح"', {"solar", "wind", "reversed"}),
    # OR
    ("القمح OR المصنع", {"farm", "factory"}),
    ("OR", set()),
    # field prefixes
    ("headline:المصنع", {"factory"}),
    ("headline:وظيفة", set()),
    ("body:وظيفة", {"factory"}),
    ("body:الزراعة", {"farm"}),
    ("Headline:المصنع", {"factory"}),
    # source:
    ("source:الأفق", {"reversed"}),
    ('source:"صحيفة الأفق"', {"solar", "factory"}),
    ('source:"صحيفة الافق" الطاقة', {"solar"}),
    ('source:"وكالة الأفق"', set()),
    ("source:المدار", set()),
    # tag:
    ("tag:طاقة", {"solar", "wind"}),
    ("tag:طاقة tag:قرى", {"solar"}),
    ("الطاقة tag:زراعة", set()),
    ("tag:صحة", set()),
])
def test_query_syntax(corpus, query, expected):
    results = corpus.search(query, limit=50)
    assert set(results.ids) == expected
    assert results.total == len(expected)


@pytest.mark.parametrize("query, expected", [
    ('"الطاقة الشمسية"', {"solar", "wind"}),
    ('"الشمسية الطاقة"', {"reversed"}),
    ('"الطاقة تضيء"', set()),
])
def test_an_exact_phrase_keeps_its_words_next_to_each_other_in_order(corpus, query, expected):
    results = corpus.search(query, limit=50, phrase_slop=0, relax_phrases=False)
    assert set(results.ids) == expected


# ---------------------------------------------------------------- filters

MARKET = [
    {"id": "a", "headline": "ارتفاع الأسعار في السوق", "source": "صحيفة الأفق",
     "tags": ["اقتصاد", "أسواق"], "date": "2023-09-10"},
    {"id": "b", "headline": "هدوء حركة السوق اليوم", "source": "وكالة المدار",
     "tags": ["اقتصاد"], "date": "2023-09-20T15:00:00"},
    {"id": "c", "headline": "إغلاق السوق القديم للترميم", "source": "الأفق",
     "tags": ["أسواق"], "date": "2023-09-30T23:30:00"},
    {"id": "d", "headline": "السوق الشعبي يعود للعمل", "source": "صحيفة  الافق",
     "date": "2023-10-01"},
    {"id": "e", "headline": "جولة في السوق بلا موعد", "source": "وكالة المدار"},
]


@pytest.fixture(scope="module")
def market():
    ix = Index()
    ix.add(MARKET)
    yield ix
    ix.close()


FILTER_CASES = [
    ({"source": "صحيفة الأفق"}, {"a", "d"}),
    ({"source": "صحيفة الافق"}, {"a", "d"}),
    ({"source": ["الأفق", "وكالة المدار"]}, {"b", "c", "e"}),
    ({"tags": "اقتصاد"}, {"a", "b"}),
    ({"tags": ["اقتصاد", "أسواق"]}, {"a"}),
    ({"tags": "اسواق"}, {"a", "c"}),
    ({"since": "2023-09-20"}, {"b", "c", "d"}),
    ({"since": dt.date(2023, 9, 20)}, {"b", "c", "d"}),
    ({"until": "2023-09-30"}, {"a", "b", "c"}),
    ({"until": "2023-09-29"}, {"a", "b"}),
    ({"until": dt.date(2023, 9, 30)}, {"a", "b", "c"}),
    ({"until": "٣٠ أيلول ٢٠٢٣"}, {"a", "b", "c"}),
    ({"until": dt.datetime(2023, 9, 30)}, {"a", "b"}),
    ({"since": "2023-09-20", "until": "2023-09-20"}, {"b"}),
    ({"since": dt.datetime(2023, 9, 20, 15), "until": dt.datetime(2023, 9, 20, 15)}, {"b"}),
    ({"since": "2023-10-01", "until": "2023-09-01"}, set()),
    ({"source": "صحيفة الأفق", "since": "2023-09-15"}, {"d"}),
    ({"source": "وكالة المدار", "tags": "اقتصاد", "until": "2023-09-25"}, {"b"}),
    ({"source": "نشرة غير موجودة"}, set()),
]


@pytest.mark.parametrize("kwargs, expected", FILTER_CASES)
def test_filters(market, kwargs, expected):
    assert set(market.search("السوق", **kwargs).ids) == expected


def _newest_first(hits) -> bool:
    keys = [(h.date is not None, h.date or dt.datetime.min) for h in hits]
    return keys == sorted(keys, reverse=True)


@pytest.mark.parametrize("kwargs, expected", FILTER_CASES)
@pytest.mark.parametrize("query", ["", "من", "-الترميم"])
def test_a_query_without_words_lists_the_filtered_articles_newest_first(market, query, kwargs,
                                                                        expected):
    results = market.search(query, limit=50, **kwargs)
    expected = expected - ({"c"} if query == "-الترميم" else set())
    assert set(results.ids) == expected
    assert results.total == len(expected)
    assert _newest_first(results)


def test_undated_articles_come_last_when_listing(market):
    assert market.search("", source="وكالة المدار").ids == ["b", "e"]


@pytest.mark.parametrize("empty", [[], ()])
def test_empty_filter_lists_do_not_filter(market, empty):
    assert market.search("السوق", source=empty, tags=empty).total == len(MARKET)


@pytest.mark.parametrize("query", ["من", "من هو", "؟", "ِ ُ ّ", "OR"])
def test_a_query_whose_words_all_vanish_finds_nothing(market, query):
    results = market.search(query)
    assert results.total == 0 and len(results) == 0 and results.pages == 0


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_lists_every_article_newest_first(market, query):
    results = market.search(query, limit=100)
    assert results.total == len(MARKET)
    dates = [h.date for h in results if h.date is not None]
    assert dates == sorted(dates, reverse=True)
    assert market.facets(query, "source") and sum(market.facets(query, "source").values()) <= len(MARKET)


@pytest.mark.parametrize("kwargs", [{"since": "ليس تاريخاً"}, {"until": "2023-13-45"},
                                    {"source": 5}, {"tags": [1]}, {"since": 20230101}])
def test_bad_filter_values_are_query_errors(market, kwargs):
    with pytest.raises(QueryError):
        market.search("السوق", **kwargs)


def test_an_explicit_midnight_until_is_not_stretched_to_the_end_of_the_day(market):
    assert set(market.search("السوق", until="2023-09-30T00:00:00").ids) == {"a", "b"}


# ---------------------------------------------------------------- pagination


@pytest.fixture(scope="module")
def paged():
    ix = Index()
    ix.add([{"id": f"p{i:02d}", "headline": " ".join(["قطار"] * (1 + i % 4) + [f"رحلة{i}"]),
             "body": "وصل القطار إلى المحطة." if i % 3 else "غادر الركاب المحطة."}
            for i in range(23)])
    yield ix
    ix.close()


@pytest.mark.parametrize("limit", [1, 5, 7, 23, 50])
def test_pages_do_not_overlap_and_cover_every_hit(paged, limit):
    everything = paged.search("قطار", limit=100)
    assert everything.total == 23
    first = paged.search("قطار", limit=limit)
    assert first.total == 23
    assert first.pages == -(-23 // limit)
    collected = []
    for page in range(1, first.pages + 1):
        results = paged.search("قطار", limit=limit, page=page)
        assert (results.page, results.total, results.pages) == (page, 23, first.pages)
        assert len(results) == min(limit, 23 - (page - 1) * limit)
        assert [h.rank for h in results] == list(range((page - 1) * limit + 1,
                                                       (page - 1) * limit + len(results) + 1))
        collected += results.ids
    assert collected == everything.ids


@pytest.mark.parametrize("page", [4, 5, 1000])
def test_a_page_past_the_end_is_empty_not_an_error(paged, page):
    results = paged.search("قطار", limit=10, page=page)
    assert len(results) == 0 and list(results) == []
    assert results.total == 23 and results.pages == 3 and results.page == page


@pytest.mark.parametrize("kwargs", [
    {"limit": 0}, {"limit": -3}, {"limit": 1001}, {"limit": 2.5}, {"limit": "10"},
    {"limit": True}, {"limit": None}, {"page": 0}, {"page": -1}, {"page": 1.0},
    {"page": "2"}, {"page": True},
])
def test_bad_limit_or_page_is_a_query_error(paged, kwargs):
    with pytest.raises(QueryError):
        paged.search("قطار", **kwargs)


def test_search_ids_gives_the_same_ranking_as_search(paged):
    for page in (1, 2):
        full = paged.search("قطار المحطة", limit=5, page=page)
        assert paged.search_ids("قطار المحطة", limit=5, page=page) == [
            (h.id, h.score) for h in full]


# ---------------------------------------------------------------- malformed queries


@pytest.mark.parametrize("query, finds_solar", [
    ('"الطاقة', True), ('الطاقة"', True), ("«الطاقة", True), ('"الطاقة «الشمسية', True),
    ("الطاقة -", True), ("- الطاقة", True), ("-", False), ("--الطاقة", None),
    ("OR OR", False), ("OR الطاقة OR", True), ("الطاقة OR OR", True),
    (":", False), ("::الطاقة", True), ("source:", False), ("tag:", False),
    ("headline:", False), ("source: الطاقة", True), ("foo:الطاقة", True),
    ("a:b:c", False), ('"', False), ('""', False), ("«»", False), ('-"', False),
    ('-""', False), ("من هو", False), ("ِ َ ُ ّ", False), ("؟؟؟", False), ("*", False),
    ("الطاق*", True), ("الطاقة~2", True), ("(الطاقة", True), ("[الطاقة]", True),
    ("الطاقة^3", True), ("NOT AND", False), ("\\", False), ("\x00الطاقة", True),
    ("\n\t", True), ("الطاقة" + "\u200f", True), ("{}()[]", False),
])
def test_malformed_queries_never_raise(corpus, query, finds_solar):
    results = corpus.search(query)
    assert results.total >= len(results)
    if finds_solar is not None:
        assert ("solar" in results.ids) is finds_solar


def test_a_query_of_10000_characters_is_accepted(corpus):
    query = ("الطاقة الشمسية " * 700)[:10_000]
    assert len(query) == 10_000
    assert set(corpus.search(query).ids) == {"solar", "wind", "reversed"}


def test_a_query_of_10001_characters_is_refused_clearly(corpus):
    with pytest.raises(QueryError, match="10,001 characters.*10,000"):
        corpus.search("ب" * 10_001)


def test_a_10000_character_query_of_ordinary_prose_is_accepted(sample_index,
                                                               sample_articles):
    prose = " ".join(a["body"] for a in sample_articles)
    query = prose.translate({ord(c): " " for c in '"«»“”„'})[:10_000]
    assert sample_index.search(query).total > 0


@pytest.mark.parametrize("query", [None, 5, b"\xd8\xa7", ["الطاقة"], ("الطاقة",)])
def test_a_query_that_is_not_a_string_is_a_query_error(corpus, query):
    with pytest.raises(QueryError, match="query must be a string"):
        corpus.search(query)


# ---------------------------------------------------------------- more_like

RAILWAY = [
    {"id": article_id, "headline": headline, "body": body}
    for article_id, headline, body in (
        ("rail1", "تدشين خط القطار السريع بين المدينتين",
         "دشنت الهيئة خط القطار السريع الذي يختصر الرحلة بين المدينتين إلى ساعة."),
        ("rail2", "القطار السريع ينقل ألف راكب في يومه الأول",
         "نقل القطار السريع ألف راكب بين المدينتين في أول أيام التشغيل."),
        ("rail3", "تذاكر مخفضة لركاب القطار السريع",
         "أعلنت الهيئة تذاكر مخفضة للطلاب على خط القطار السريع."),
        ("bread1", "ارتفاع سعر الخبز في المخابز",
         "رفعت المخابز سعر الخبز بعد زيادة أسعار الطحين."),
        ("bread2", "دعم حكومي للطحين لخفض سعر الخبز",
         "قررت الحكومة دعم الطحين كي يعود سعر الخبز إلى سابق عهده."),
        ("bread3", "المخابز تمدد ساعات العمل",
         "مددت المخابز ساعات عملها لتلبية الطلب على الخبز."),
    )
]


@pytest.mark.parametrize("article_id", ["rail1", "bread2"])
def test_more_like_finds_related_articles_and_never_the_article_itself(make_index,
                                                                      article_id):
    ix = make_index(RAILWAY)
    results = ix.more_like(article_id)
    topic = article_id[:-1]
    assert article_id not in results.ids
    assert set(results.ids[:2]) == {f"{topic}{n}" for n in (1, 2, 3)} - {article_id}


def test_more_like_never_returns_the_article_itself_on_the_sample(sample_index,
                                                                 sample_articles):
    for article in sample_articles[::20]:
        results = sample_index.more_like(article["id"], limit=10)
        assert len(results) > 0
        assert article["id"] not in results.ids


@pytest.mark.parametrize("article_id", ["no-such-id", "", None])
def test_more_like_an_unknown_id_is_a_query_error(corpus, article_id):
    with pytest.raises(QueryError):
        corpus.more_like(article_id)


# ---------------------------------------------------------------- facets


def test_facets_count_sources_and_tags(corpus):
    assert corpus.facets("الطاقة", "source") == {"صحيفة الأفق": 1, "وكالة المدار": 1,
                                                 "الأفق": 1}
    assert corpus.facets("الطاقة", "tags") == {"طاقة": 2, "قرى": 1, "لغة": 1}
    assert corpus.facets("الطاقة -الرياح", "tags", source="صحيفة الأفق") == {"طاقة": 1,
                                                                            "قرى": 1}


@pytest.mark.parametrize("query, kwargs", [
    ("الطاقة", {}), ("المياه", {}), ("الانتخابات البرلمان", {}), ('"الطاقة الشمسية"', {}),
    ("الطاقة -الرياح", {}), ("السياحة", {"since": "2023-01-01"}),
    ("", {"tags": "اقتصاد"}), ("المدينة", {"source": ["صحيفة الأفق", "وكالة المدار"]}),
])
def test_source_facets_add_up_to_the_total(sample_index, query, kwargs):
    total = sample_index.search(query, **kwargs).total
    assert total > 0
    facets = sample_index.facets(query, "source", **kwargs)
    assert sum(facets.values()) == total
    assert list(facets.values()) == sorted(facets.values(), reverse=True)
    for tag, count in list(sample_index.facets(query, "tags", **kwargs).items())[:3]:
        extra_tags = [t for t in (kwargs.get("tags"), tag) if t]
        assert sample_index.search(query, **{**kwargs, "tags": extra_tags}).total == count


@pytest.mark.parametrize("field", ["date", "headline", "tag"])
def test_facets_on_other_fields_are_query_errors(corpus, field):
    with pytest.raises(QueryError):
        corpus.facets("الطاقة", field)


def test_the_name_ali_is_searchable_although_the_particle_ala_is_a_stopword(make_index):
    # YEH_HOMOGRAPHS: علي (Ali) and على ("on") fold to the same letters.
    ix = make_index([
        {"id": "ali", "headline": "اللاعب علي يسجل هدفين", "body": "سجل علي هدفين في المباراة."},
        {"id": "ala", "headline": "الفريق يفوز على منافسه", "body": "فاز الفريق على الضيوف."},
        {"id": "ali-hafs", "headline": "المطرب علي يغني", "body": "غنى عليٌّ في المهرجان."},
    ])
    assert sorted(ix.search("علي").ids) == ["ali", "ali-hafs"]
    assert ix.search("على").ids == []
    assert ix.search("الفريق على").ids == ["ala"]


def test_a_tag_filter_matches_words_inside_a_tag_kept_whole(make_index):
    # A saved page's "كلمات دلالية" line without separators is one tag.
    ix = make_index([
        {"id": "q1", "headline": "هزة أرضية", "tags": ["زلزال المغرب الحوز"]},
        {"id": "q2", "headline": "هزة ثانية", "tags": ["زلزال"]},
        {"id": "q3", "headline": "طقس", "tags": ["أمطار المغرب"]},
    ])
    assert ix.search("", tags="زلزال المغرب").ids == ["q1"]
    assert set(ix.search("tag:المغرب").ids) == {"q1", "q3"}
    assert set(ix.search("", tags="المغرب").ids) == {"q1", "q3"}
    # A whole tag means that tag, as its facet counts it.
    assert ix.search("", tags="زلزال").ids == ["q2"]
    assert ix.facets("", "tags")["زلزال"] == 1
    assert set(ix.search("هزة -tag:المغرب").ids) == {"q2"}
    # Words that are in no tag match nothing, not everything.
    assert ix.search("", tags="بركان").ids == []


def test_until_with_a_time_of_day_ends_there(make_index):
    ix = make_index([
        {"id": "early", "headline": "خبر", "date": "2023-09-26T21:00:00"},
        {"id": "late", "headline": "خبر", "date": "2023-09-26T23:00:00"},
    ])
    assert ix.search("خبر", until="26 سبتمبر 2023 الساعة 10 مساءً").ids == ["early"]
    assert set(ix.search("خبر", until="26 سبتمبر 2023").ids) == {"early", "late"}


def test_facets_over_many_articles_count_exactly_without_reading_each(make_index, monkeypatch):
    from arsearch.index.snapshot import Snapshot

    spelling = ["صحيفة الأفق", "صحيفة الأفق", "صحيفة الافق", "وكالة المدار"]
    articles = [{"id": f"f{i}", "headline": "خبر عن الطقس", "source": spelling[i % 4],
                 "tags": ["طقس", "أمطار"] if i % 2 else ["طقس"]} for i in range(300)]
    ix = make_index(articles)
    exact = ix.facets("الطقس", "source")
    monkeypatch.setattr("arsearch.index.index.FACET_EXACT_SPELLINGS", 50)
    reads: list[int] = []
    stored = Snapshot.stored
    monkeypatch.setattr(Snapshot, "stored", lambda self, d: reads.append(d) or stored(self, d))
    # One bucket for both spellings, shown in the commonest, counted exactly.
    assert ix.facets("الطقس", "source") == exact == {"صحيفة الأفق": 225, "وكالة المدار": 75}
    assert ix.facets("الطقس", "tags") == {"طقس": 300, "أمطار": 150}
    assert ix.facets("", "source", tags="أمطار") == {"صحيفة الأفق": 75, "وكالة المدار": 75}
    assert len(reads) < 300          # a sample per value, not every article
