"""Behaviour of search results (Results, Hit, JSON and HTML output) and of
snippets: what they show, what they mark, and that they are deterministic."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest

from arsearch import Hit, Results

NEWS = [
    {"id": "n1", "headline": "افتتاح <b>سوق</b> الكتب & المجلات",
     "body": "افتُتح سوق الكتب المستعملة في الساحة. <script>alert('x')</script> وقال البائعون "
             "إن السوق سيفتح كل جمعة.",
     "date": "2024-02-03T08:00:00", "source": "صحيفة الأفق", "tags": ["ثقافة", "كتب"],
     "url": 'https://example.org/a?x=1&y="2"'},
    {"id": "n2", "headline": "حملة لتنظيف الشاطئ", "body": "شارك متطوعون في تنظيف الشاطئ وسوق السمك.",
     "source": "وكالة المدار"},
    {"id": "n3", "headline": "عنوان بلا نص يذكر السوق"},
]


@pytest.fixture(scope="module")
def results_of():
    from arsearch import Index

    ix = Index()
    ix.add(NEWS)
    yield lambda query, **kw: ix.search(query, **kw)
    ix.close()


# ---------------------------------------------------------------- Results and Hit


def test_results_is_a_sequence_of_hits(results_of):
    results = results_of("السوق")
    assert isinstance(results, Results)
    assert len(results) == 3 and results.total == 3
    assert (results.page, results.pages) == (1, 1)
    hits = list(results)
    assert all(isinstance(h, Hit) for h in hits)
    assert [h.id for h in hits] == results.ids == [results[i].id for i in range(3)]
    assert sorted(results.ids) == ["n1", "n2", "n3"]
    assert [h.rank for h in hits] == [1, 2, 3]
    scores = [h.score for h in hits]
    assert all(isinstance(s, float) and s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_hit_carries_the_article_fields(results_of):
    hit = next(h for h in results_of("الكتب") if h.id == "n1")
    assert hit.headline == NEWS[0]["headline"]
    assert hit.date == dt.datetime(2024, 2, 3, 8, 0)
    assert hit.source == "صحيفة الأفق"
    assert tuple(hit.tags) == ("ثقافة", "كتب")
    assert hit.url == NEWS[0]["url"]
    assert "<mark>" in hit.snippet


def test_a_hit_without_optional_fields(results_of):
    hit = next(h for h in results_of("السوق") if h.id == "n3")
    assert (hit.date, hit.source, tuple(hit.tags), hit.url, hit.snippet) == (None, "", (), "",
                                                                              "")


def test_to_dicts_is_json_ready(results_of):
    results = results_of("السوق")
    dicts = results.to_dicts()
    assert json.loads(json.dumps(dicts, ensure_ascii=False)) == dicts
    assert [d["id"] for d in dicts] == results.ids
    by_id = {d["id"]: d for d in dicts}
    assert by_id["n1"]["date"] == "2024-02-03T08:00:00"
    assert by_id["n1"]["tags"] == ["ثقافة", "كتب"]
    assert by_id["n3"]["date"] is None
    for d in dicts:
        assert {"id", "score", "headline", "snippet", "date", "source", "tags",
                "url"} <= set(d)
        assert "<mark>" not in d["snippet"]


def test_html_rendering_is_rtl_and_escapes_article_text(results_of):
    page = results_of("الكتب")._repr_html_()
    assert 'dir="rtl"' in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>سوق</b>" not in page and "&lt;b&gt;" in page
    assert "<mark>الكتب</mark> &amp; المجلات" in page   # only query words are marked
    assert 'href="https://example.org/a?x=1&amp;y=&quot;2&quot;"' in page
    assert "<mark>" in page


def test_html_of_no_results_is_still_rtl(results_of):
    page = results_of("الطائرات")._repr_html_()
    assert 'dir="rtl"' in page and "<li" not in page


def test_text_rendering_lists_every_hit(results_of):
    results = results_of("السوق")
    text = str(results)
    assert "3" in text.splitlines()[0]
    for hit in results:
        assert hit.headline in text and hit.id in text
    assert "السوق" in repr(results)


# ---------------------------------------------------------------- snippets: marks

SURFACE_CASES = [
    # (body, query, the exact text that must be marked)
    ("أكد الوسيط أن الطرفين ملتزمان بالمفاوضاتِ حتى النهاية.", "المفاوضات", "بالمفاوضاتِ"),
    ("أكد الوسيط أن الطرفين ملتزمان بالمفاوضاتِ حتى النهاية.", "والمفاوضات", "بالمفاوضاتِ"),
    ("نُقل المصاب إلى المُستشفى القريب على عجل.", "مستشفي", "المُستشفى"),
    ("هبطت الطائرة في الإمارات فجر اليوم.", "الامارات", "الإمارات"),
    ("استؤنفت المفاوضـــات أمس بعد انقطاع.", "المفاوضات", "المفاوضـــات"),
    ("تنتهي الخطة الوطنية عام 2050 تقريباً.", "٢٠٥٠", "2050"),
    ("انتشر وسم #الإسكان في الشبكات.", "إسكان", "الإسكان"),
]


@pytest.mark.parametrize("body, query, surface", SURFACE_CASES)
def test_snippets_mark_the_original_surface_form(make_index, body, query, surface):
    ix = make_index([{"id": "s", "headline": "عنوان عام", "body": body}])
    hit = ix.search(query)[0]
    assert f"<mark>{surface}</mark>" in hit.snippet
    assert hit.snippet.count("<mark>") == 1
    assert hit.snippet_text() == body.replace(surface, f"[{surface}]")


def test_every_occurrence_of_every_query_word_is_marked(make_index):
    body = "زار الوزير المعرض، ثم عاد الوزيرُ إلى المعرضِ مساءً مع وفد."
    ix = make_index([{"id": "s", "headline": "زيارة", "body": body}])
    hit = ix.search("الوزير المعرض")[0]
    assert hit.snippet_text("«", "»") == (
        "زار «الوزير» «المعرض»، ثم عاد «الوزيرُ» إلى «المعرضِ» مساءً مع وفد.")


def test_snippet_html_is_escaped_but_snippet_text_is_not(make_index):
    body = "قال البائع إن <b>السوق</b> & الساحة مزدحمان."
    hit = make_index([{"id": "s", "headline": "زحام", "body": body}]).search("السوق")[0]
    assert hit.snippet == "قال البائع إن &lt;b&gt;<mark>السوق</mark>&lt;/b&gt; &amp; الساحة مزدحمان."
    assert hit.snippet_text() == "قال البائع إن <b>[السوق]</b> & الساحة مزدحمان."


# ---------------------------------------------------------------- snippets: passages

FILLER = "وتحدث المشاركون عن شؤون الحياة اليومية في الأحياء القديمة للمدينة. " * 6


def test_a_snippet_is_a_short_passage_around_the_match(make_index):
    body = FILLER + "ثم أعلن المحافظ أن الجسر الجديد سيفتتح في الربيع. " + FILLER
    hit = make_index([{"id": "s", "headline": "أخبار", "body": body}]).search("الجسر")[0]
    plain = hit.snippet_text("", "")
    assert "<mark>الجسر</mark>" in hit.snippet
    assert len(plain) < 300 < len(body)
    assert plain.startswith("…") and plain.endswith("…")
    assert "أعلن المحافظ أن الجسر" in plain


def test_the_snippet_prefers_the_passage_with_the_most_query_words(make_index):
    body = ("بدأ الحديث عن الطاقة في الصباح. " + FILLER
            + "ثم انتقل النقاش إلى الرياح وإنتاج الطاقة منها على الساحل. " + FILLER)
    hit = make_index([{"id": "s", "headline": "ندوة", "body": body}]).search("الطاقة الرياح")[0]
    assert "<mark>الرياح</mark> وإنتاج <mark>الطاقة</mark>" in hit.snippet
    assert "بدأ الحديث" not in hit.snippet


def test_a_headline_only_match_shows_the_start_of_the_body_unmarked(make_index):
    ix = make_index([{"id": "s", "headline": "مهرجان الزيتون السنوي",
                      "body": "تستعد القرية لاستقبال الزوار في نهاية الأسبوع."}])
    hit = ix.search("الزيتون")[0]
    assert hit.snippet == "تستعد القرية لاستقبال الزوار في نهاية الأسبوع."


def test_snippets_are_one_line(make_index):
    body = "سطر أول عن القمح.\n\nسطر ثان عن القمح\tمع   فراغات."
    hit = make_index([{"id": "s", "headline": "حصاد", "body": body}]).search("القمح")[0]
    assert "\n" not in hit.snippet and "\t" not in hit.snippet and "  " not in hit.snippet


@pytest.mark.parametrize("size", range(30, 80, 3))
def test_a_passage_never_starts_or_ends_inside_a_word(size):
    from arsearch.analysis import TermPipeline
    from arsearch.index.snippets import best_passage

    pipeline = TermPipeline()
    body = ("وصل الرجل إلى المدينة بعد رحلة طويلة عبر الصحراء والجبال والوديان "
            "ثم التقى الوزير في مكتبه وتحدثا عن مشروعات الري والزراعة في القرى الجنوبية")
    passage = best_passage(body, set(pipeline("الوزير")), pipeline, size=size)
    start = body.index(passage.text)
    end = start + len(passage.text)
    assert start == 0 or body[start - 1] == " "
    assert end == len(body) or body[end] == " "
    assert passage.cut_start == (start > 0)
    assert "الوزير" in passage.text


def test_a_passage_near_the_start_starts_at_the_first_word():
    from arsearch.analysis import TermPipeline
    from arsearch.index.snippets import best_passage

    pipeline = TermPipeline()
    body = "وصل الرجل المدينة صباحاً والتقى المحافظ في مكتبه"
    # the window would start one letter into وصل (…صل الرجل): it starts at the text's start
    passage = best_passage(body, set(pipeline("المدينة")), pipeline, size=45)
    assert passage.render("[", "]", escape=False).startswith("وصل الرجل")


# ---------------------------------------------------------------- Arabic counts, bidi, extras

@pytest.mark.parametrize("n, text", [
    (0, "لا نتائج"), (1, "نتيجة واحدة"), (2, "نتيجتان"), (3, "3 نتائج"), (10, "10 نتائج"),
    (11, "11 نتيجة"), (99, "99 نتيجة"), (100, "100 نتيجة"), (101, "101 نتيجة"),
    (102, "102 نتيجة"), (103, "103 نتائج"), (110, "110 نتائج"), (111, "111 نتيجة"),
    (1000, "1000 نتيجة"), (2005, "2005 نتائج"),
])
def test_arabic_result_counts(n, text):
    from arsearch.index.results import arabic_count

    assert arabic_count(n) == text
    page = Results([], query="مطر", total=n, page=1, limit=10)._repr_html_()
    assert f">{text} · " in page


def _hit(headline: str = "عنوان", body: str = "", **kw) -> Hit:
    from arsearch.index.snippets import Passage

    fields = dict(id="h1", score=1.5, headline=headline, date=None, source="", tags=(),
                  url="", rank=1, passage=Passage(body, ()),
                  headline_passage=Passage(headline, ()))
    fields.update(kw)
    return Hit(**fields)


def test_notebook_view_isolates_latin_runs_and_shows_iso_dates():
    body = "كتب @OilDesk: ارتفع خام Brent إلى 90 دولاراً."
    hit = _hit("تغريدة من #OPEC: الإنتاج ثابت", body, source="@Wire:",
               date=dt.datetime(2023, 9, 26, 22, 15))
    page = Results([hit], query="النفط", total=1, page=1, limit=10)._repr_html_()
    assert "<bdi>@OilDesk:</bdi> ارتفع خام Brent" in page
    assert "<bdi>#OPEC:</bdi>" in page and "<bdi>@Wire:</bdi>" in page
    assert '<time dir="ltr" datetime="2023-09-26T22:15:00">2023-09-26</time>' in page
    assert hit.snippet == "كتب <bdi>@OilDesk:</bdi> ارتفع خام Brent إلى 90 دولاراً."
    assert hit.snippet_text() == body                      # plain text is left alone


def test_isolation_nests_with_marks_and_escapes():
    from arsearch.index.snippets import Passage

    text = "قال @Desk_1: <السوق> & #Bread"
    html = Passage(text, ((4, 11), (14, 19))).render(isolate=True)
    assert html == ("قال <bdi><mark>@Desk_1</mark>:</bdi> &lt;<mark>السوق</mark>&gt; &amp; "
                    "<bdi>#Bread</bdi>")


def test_hit_extra_fields_in_dicts_and_notebook():
    hit = _hit(extra={"author": "سلمى", "views": 120, "sections": ["محليات", "اقتصاد"]})
    assert hit.to_dict()["extra"] == {"author": "سلمى", "views": 120,
                                      "sections": ["محليات", "اقتصاد"]}
    assert _hit().to_dict()["extra"] == {} and _hit().extra == {}
    page = Results([hit], query="", total=1, page=1, limit=10)._repr_html_()
    assert "author: سلمى" in page and "views: 120" in page and "sections: محليات، اقتصاد" in page
    hash(hit)                                               # still hashable


def test_a_page_past_the_last_says_so():
    results = Results([], query="مطر", total=12, page=3, limit=10)
    assert results.past_last_page and results.pages == 2
    assert "page 3 is past the last page (2)" in str(results)
    assert "الصفحة 3 بعد الأخيرة (2)" in results._repr_html_()
    assert not Results([], query="مطر", total=0, page=3, limit=10).past_last_page


# ---------------------------------------------------------------- determinism

SNIPPET_QUERIES = ["المفاوضات", "الطاقة الشمسية", "مستشفى", "الامارات", "المياه الجوفية",
                   '"الذكاء الاصطناعي"']

SNIPPET_SCRIPT = textwrap.dedent("""
    import json, sys
    import arsearch
    ix = arsearch.Index()
    ix.add(arsearch.load_sample())
    queries = json.loads(sys.argv[1])
    out = {q: [[h.id, h.snippet] for h in ix.search(q, limit=10)] for q in queries}
    print(json.dumps(out, ensure_ascii=False, sort_keys=True))
""")


def _snippets_in_a_fresh_process(tmp_path, seed: str) -> dict:
    script = tmp_path / "snippets.py"
    script.write_text(SNIPPET_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(script), json.dumps(SNIPPET_QUERIES)],
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_snippets_are_identical_in_separate_processes(tmp_path, sample_index):
    first = _snippets_in_a_fresh_process(tmp_path, "1")
    second = _snippets_in_a_fresh_process(tmp_path, "2024")
    assert first == second
    here = {q: [[h.id, h.snippet] for h in sample_index.search(q, limit=10)]
            for q in SNIPPET_QUERIES}
    assert first == here
    assert all(first[q] for q in SNIPPET_QUERIES)
    assert sum("<mark>" in s for hits in first.values() for _, s in hits) > 20


def test_extra_fields_reach_the_hits(make_index):
    ix = make_index([{"id": "e1", "headline": "سوق الكتب", "author": "سلمى", "views": 7}])
    assert ix.get("e1")["author"] == "سلمى"
    hit = ix.search("الكتب")[0]
    assert dict(hit.extra) == {"author": "سلمى", "views": 7}
    assert ix.search("الكتب").to_dicts()[0]["extra"] == {"author": "سلمى", "views": 7}
