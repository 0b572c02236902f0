"""Bad input: a bad record gets a DocumentError naming the record and the
field, or the treatment ``arsearch.article`` documents, and never costs the
index what it held; a bad query or search option gets a QueryError, never a
traceback from inside Whoosh."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arsearch
from arsearch import ArsearchError, DateError, DocumentError, QueryError, Results

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import reliability_child as child  # noqa: E402

from benchmarks.load import article_code, vocabulary  # noqa: E402

# Bad records --------------------------------------------------------------

# (record, the field DocumentError names); the record is the sixth of its
# batch (position 5), so a record without a usable id is named by position.
REJECTED = {
    "missing id": ({"headline": "خبر"}, "id"),
    "None id": ({"id": None, "headline": "خبر"}, "id"),
    "empty id": ({"id": "", "headline": "خبر"}, "id"),
    "blank id": ({"id": " \t", "headline": "خبر"}, "id"),
    "float id": ({"id": 1.5}, "id"),
    "id with a lone surrogate": ({"id": "x\ud800"}, "id"),
    "id with a control character": ({"id": "x\x00y"}, "id"),
    "number headline": ({"id": "bad", "headline": 5}, "headline"),
    "list body": ({"id": "bad", "body": ["نص"]}, "body"),
    "bytes headline": ({"id": "bad", "headline": "خبر".encode()}, "headline"),
    "bytes body": ({"id": "bad", "body": b"text"}, "body"),
    "unparseable date": ({"id": "bad", "date": "the day after tomorrow"}, "date"),
    "date of the wrong type": ({"id": "bad", "date": 20230926}, "date"),
    "tags not a list": ({"id": "bad", "tags": 7}, "tags"),
    "a tag not a string": ({"id": "bad", "tags": ["ok", None]}, "tags"),
    "an extra field that is not JSON": ({"id": "bad", "photo": object()}, "photo"),
    "not a mapping": (["id", "bad"], None),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_a_rejected_record_is_named_and_everything_before_it_is_kept(case: str) -> None:
    record, field = REJECTED[case]
    ix = arsearch.Index()
    ix.add(child.articles(100, 4))
    before = child.articles(0, 5)  # one batch of 3 committed, 2 pending, then the bad one
    after = child.articles(5, 3)
    with pytest.raises(DocumentError) as info:
        ix.add([*before, record, *after], batch_size=3)
    error = info.value
    expected_record = 5 if field in ("id", None) else "bad"  # no usable id: its position
    assert error.record == expected_record
    assert error.field == field
    assert repr(expected_record) in str(error)
    if field:
        assert repr(field) in str(error)
    if case == "unparseable date":
        assert isinstance(error, DateError)
    # The docstring's promise: every record before the bad one is committed
    # (the pending part of the batch too), the bad one and those after are not.
    assert sorted(ix.ids()) == sorted(a["id"] for a in child.articles(100, 4) + before)
    assert len(ix) == 9
    for n in range(5):
        assert ix.search_ids(article_code(n))[0][0] == f"a{n:07d}"
    assert "bad" not in ix


@pytest.mark.parametrize("case", list(REJECTED))
def test_with_errors_skip_a_rejected_record_is_left_out_and_the_rest_added(case: str) -> None:
    record, _ = REJECTED[case]
    ix = arsearch.Index()
    articles = child.articles(0, 6)
    assert ix.add([*articles[:3], record, *articles[3:]], errors="skip", batch_size=2) == 6
    assert sorted(ix.ids()) == sorted(a["id"] for a in articles)


@pytest.mark.parametrize("articles", [None, 5, "خبر", b"bytes", 2.5])
def test_add_refuses_what_is_not_articles(articles: Any) -> None:
    ix = arsearch.Index()
    ix.add(child.articles(0, 2))
    with pytest.raises(DocumentError, match="add\\(\\) takes an article"):
        ix.add(articles)
    assert len(ix) == 2


@pytest.mark.parametrize("batch_size", [0, -1, "10", 2.5, True])
def test_a_bad_batch_size_is_refused_before_anything_is_written(batch_size: Any) -> None:
    ix = arsearch.Index()
    with pytest.raises(ArsearchError, match="batch_size"):
        ix.add(child.articles(0, 2), batch_size=batch_size)
    with pytest.raises(ArsearchError, match="batch_size"):
        arsearch.Index(batch_size=batch_size)
    assert len(ix) == 0


@pytest.mark.parametrize("lock_timeout", ["10", -1, float("nan"), None])
def test_a_bad_lock_timeout_is_refused(lock_timeout: Any) -> None:
    with pytest.raises(ArsearchError, match="lock_timeout"):
        arsearch.Index(lock_timeout=lock_timeout)


def test_repaired_fields_are_stored_as_documented() -> None:
    """None becomes "", lone surrogates U+FFFD, control characters other
    than tab and line breaks are removed; unknown fields are kept in
    ``extra`` and returned by get()."""
    ix = arsearch.Index()
    ix.add([
        {"id": "none", "headline": None, "body": None, "source": None, "url": None,
         "tags": None, "date": None},
        {"id": "dirty", "headline": "مطر\ud800 غزير", "body": "سطر\x00 أول\x07\nسطر\tثان\x9f",
         "source": "الأفق\x1b"},
        {"id": "extra", "headline": "خبر", "lang": "ar", "meta": {"words": [1, 2]}, "n": None},
    ])
    none = ix.get("none")
    assert (none["headline"], none["body"], none["source"], none["url"], none["tags"],
            none["date"]) == ("", "", "", "", [], None)
    dirty = ix.get("dirty")
    assert dirty["headline"] == "مطر\ufffd غزير"
    assert dirty["body"] == "سطر أول\nسطر\tثان"
    assert dirty["source"] == "الأفق"
    assert ix.search("غزير").ids == ["dirty"]
    extra = ix.get("extra")
    assert (extra["lang"], extra["meta"], extra["n"]) == ("ar", {"words": [1, 2]}, None)
    assert ix.search("ar").ids == []  # extra fields are stored, not searched


def test_an_unparseable_date_can_be_dropped_instead() -> None:
    ix = arsearch.Index()
    assert ix.add({"id": "d", "headline": "خبر", "date": "not a date"}, bad_dates="drop") == 1
    assert ix.get("d")["date"] is None


def test_ten_thousand_tags_are_stored_and_each_one_filters() -> None:
    ix = arsearch.Index()
    tags = [f"وسم{n}" for n in range(10_000)]
    ix.add([{"id": "many", "headline": "خبر", "tags": tags},
            {"id": "one", "headline": "خبر", "tags": ["وسم5"]}])
    assert ix.get("many")["tags"] == tags
    assert ix.search("خبر", tags="وسم9999").ids == ["many"]
    assert sorted(ix.search("خبر", tags="وسم5").ids) == ["many", "one"]


@pytest.mark.slow
def test_a_20_mb_body_is_indexed_and_searchable() -> None:
    words = vocabulary()[0]
    body = " ".join(words * (20_000_000 // len(" ".join(words).encode()) + 1))
    body += " " + article_code(99_999)
    assert len(body.encode()) >= 20_000_000
    ix = arsearch.Index()
    ix.add(child.articles(0, 3))
    ix.add({"id": "huge", "headline": "نص طويل جدا", "body": body})
    assert len(ix) == 4
    assert ix.get("huge")["body"] == body
    hits = ix.search(article_code(99_999))
    assert hits.ids == ["huge"] and article_code(99_999) in hits[0].snippet


# Bad queries ----------------------------------------------------------------

SYNTAX = ['"', "«", "»", "-", ":", "(", ")", "*", "?", "؟", "OR", "AND", "NOT", "+", "^", "~",
          "\\", "/", "[", "]", "{", "}", "headline:", "body:", "source:", "tag:", "tags:",
          "date:", "id:", "url:", "extra:", "nosuchfield:", "_stored_body:", "*:"]
CONTROLS = ["\u200f", "\u200e", "\u202b", "\u202e", "\u2067", "\u061c", "\ufeff", "\u200d",
            "\x00", "\x07", "\x1b", "\x7f", "\x85", "\n", "\t", "\r", "\u0640", "\u064b"]
WORDS = vocabulary()[0][:400]

tokens = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(CONTROLS),
    st.sampled_from(WORDS),
    st.text(max_size=12),  # any Unicode, any category
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
)
queries = st.one_of(
    st.lists(tokens, max_size=25).map("".join),
    st.lists(tokens, max_size=25).map(" ".join),
    # Huge inputs, up to and past the 10,000-character limit.
    st.builds(lambda t, n: (t or "x") * n, tokens, st.integers(1, 12_000)).map(
        lambda q: q[:12_000]),
)


@pytest.fixture(scope="module")
def ix() -> arsearch.Index:
    index = arsearch.Index()
    index.add(arsearch.load_sample())
    index.add(child.articles(0, 50))
    return index


def run_search(ix: arsearch.Index, query: Any, **options: Any) -> Results | QueryError:
    """``search()``'s outcome: Results or QueryError, and nothing else."""
    try:
        results = ix.search(query, **options)
    except QueryError as e:
        return e
    assert isinstance(results, Results)
    assert len(results) <= options.get("limit", 10)
    for hit in results:
        assert hit.id in ix
    return results


@pytest.mark.parametrize("query", ["", " ", "\u200f", "x" * 10_000, "x" * 10_001,
                                   "مطر " * 3000, '"', "«", "-", "OR", "nosuchfield:مطر",
                                   "\ud800", "headline:", "(((("])
def test_edge_queries_give_results_or_query_error(ix: arsearch.Index, query: str) -> None:
    run_search(ix, query)


@pytest.mark.parametrize(("query", "options"), [
    ("مطر", {}), ("-مطر", {}), ("", {"since": "2000-01-01"}), ('"مطر غزير"', {"tags": "طقس"})])
def test_an_empty_index_gives_empty_results(query: str, options: dict[str, Any]) -> None:
    results = arsearch.Index().search(query, **options)
    assert isinstance(results, Results) and results.total == 0 and results.ids == []


def test_a_query_over_10000_characters_is_a_query_error(ix: arsearch.Index) -> None:
    assert isinstance(run_search(ix, "مطر " * 2600), QueryError)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries)
def test_any_query_string_gives_results_or_query_error(ix: arsearch.Index, query: str) -> None:
    run_search(ix, query)
    try:
        pairs = ix.search_ids(query)
    except QueryError:
        return
    assert all(isinstance(doc_id, str) and isinstance(score, float) for doc_id, score in pairs)


any_value = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10**20), st.floats(allow_nan=True),
    st.text(max_size=12), st.binary(max_size=4), st.dates(), st.datetimes(),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=6), st.binary(max_size=3)),
             max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.sampled_from(
        ["headline", "body"])), st.one_of(st.none(), st.integers(-2, 5), st.floats(),
                                          st.text(max_size=3)), max_size=3),
    st.builds(object), st.just(date(2021, 1, 1)), st.just(datetime(2022, 5, 1)),
)
OPTIONS = ("limit", "page", "since", "until", "source", "tags", "weights")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=st.dictionaries(st.sampled_from(OPTIONS), any_value, min_size=1),
       query=st.one_of(st.sampled_from(["مطر", "", "الحكومة -مطر"]), any_value))
def test_search_options_of_any_type_give_results_or_query_error(
        ix: arsearch.Index, options: dict[str, Any], query: Any) -> None:
    run_search(ix, query, **options)


@pytest.mark.parametrize(("option", "value"), [
    ("limit", "10"), ("limit", 2.5), ("limit", 0), ("limit", None), ("limit", True),
    ("page", "2"), ("page", -1), ("since", 2023), ("until", b"2023-01-01"), ("since", "غدا"),
    ("source", 5), ("tags", [1, 2]), ("weights", 5), ("weights", [1.0]),
    ("weights", {"headline": "heavy"}), ("weights", {"nosuchfield": 1.0}),
    ("weights", {"body": float("nan")}),
])
def test_each_wrong_option_is_a_query_error(ix: arsearch.Index, option: str, value: Any) -> None:
    with pytest.raises(QueryError):
        ix.search("مطر", **{option: value})
