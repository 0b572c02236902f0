"""Behaviour of arsearch.Index as a store: opening, adding (shapes, upserts,
batches, validation, what a failed batch leaves behind), dates, get/delete/len/in,
reopening from disk, and indexing what the readers produce."""

from __future__ import annotations

import datetime as dt

import pytest

import arsearch
from arsearch import Article, DocumentError, Index

RAIN = {"id": "rain", "headline": "أمطار غزيرة تغمر شوارع البلدة",
        "body": "غمرت الأمطار الغزيرة شوارع البلدة القديمة ليلة أمس.",
        "date": "2023-09-26T10:30:00", "source": "صحيفة الأفق", "tags": ["طقس", "بلديات"],
        "url": "https://example.org/rain", "author": "قسم المحليات", "views": 42,
        "extra_info": {"section": "محليات", "ranks": [1, 2]}}
BRIDGE = {"id": "bridge", "headline": "افتتاح جسر للمشاة فوق الوادي",
          "body": "افتتحت البلدية جسراً جديداً للمشاة يربط الحيين."}


def ok(n: int | str, word: str = "خبر") -> dict:
    return {"id": str(n), "headline": f"{word} قصير", "body": "نص قصير للتجربة."}


# ---------------------------------------------------------------- opening


def test_index_without_path_is_in_memory_and_empty():
    with Index() as ix:
        assert ix.path is None
        assert len(ix) == 0
        assert ix.search("خبر").total == 0


@pytest.mark.parametrize("existing_empty_dir", [False, True])
def test_a_new_or_empty_path_gets_a_new_index(tmp_path, existing_empty_dir):
    target = tmp_path / "ix"
    if existing_empty_dir:
        target.mkdir()
    with Index(target) as ix:
        assert ix.path == target
        assert len(ix) == 0
        ix.add(BRIDGE)
    assert target.is_dir() and any(target.iterdir())


def test_reopening_from_disk_keeps_every_field(tmp_path):
    with Index(tmp_path / "ix") as ix:
        ix.add([RAIN, Article(id="art", headline="مقال من كائن", extra={"lang": "ar"}), BRIDGE])
        ix.delete("bridge")
        before = {i: ix.get(i) for i in ix.ids()}
    with Index(tmp_path / "ix") as again:
        assert len(again) == 2
        assert {i: again.get(i) for i in again.ids()} == before
        rain = again.get("rain")
        assert rain["date"] == dt.datetime(2023, 9, 26, 10, 30)
        assert rain["tags"] == ["طقس", "بلديات"]
        assert rain["source"] == "صحيفة الأفق"
        assert rain["url"] == "https://example.org/rain"
        assert rain["author"] == "قسم المحليات" and rain["views"] == 42
        assert rain["extra_info"] == {"section": "محليات", "ranks": [1, 2]}
        assert again.get("art")["lang"] == "ar"
        assert again.search("الأمطار").ids == ["rain"]
        assert again.search("جسر").total == 0
        assert "bridge" not in again


def test_two_handles_on_one_directory_see_each_others_commits(tmp_path):
    with Index(tmp_path / "ix") as writer, Index(tmp_path / "ix") as reader:
        writer.add(RAIN)
        assert reader.search("الأمطار").ids == ["rain"]
        reader.delete("rain")
        assert len(writer) == 0


@pytest.mark.parametrize("layout", ["missing_dir_no_create", "file", "foreign_dir"])
def test_paths_that_cannot_hold_an_index_are_refused(tmp_path, layout):
    if layout == "missing_dir_no_create":
        target, kwargs = tmp_path / "absent", {"create": False}
    elif layout == "file":
        target, kwargs = tmp_path / "notes.txt", {}
        target.write_text("ليست فهرساً", encoding="utf-8")
    else:
        target, kwargs = tmp_path, {}
        (tmp_path / "something.txt").write_text("ملف آخر", encoding="utf-8")
    with pytest.raises(arsearch.IndexOpenError) as info:
        Index(target, **kwargs)
    assert str(target) in str(info.value)


def test_a_closed_index_refuses_to_work():
    ix = Index()
    ix.close()
    with pytest.raises(arsearch.IndexClosedError):
        ix.search("خبر")


# ---------------------------------------------------------------- add: shapes


def _generator(records):
    yield from records


ADD_SHAPES = {
    "single_dict": lambda: RAIN,
    "single_article": lambda: Article(id="rain", headline=RAIN["headline"], body=RAIN["body"]),
    "list_of_dicts": lambda: [RAIN, BRIDGE],
    "tuple_mixed": lambda: (Article(id="bridge", headline=BRIDGE["headline"]), RAIN),
    "generator": lambda: _generator([RAIN, BRIDGE]),
}


@pytest.mark.parametrize("shape", ADD_SHAPES)
def test_add_accepts_records_in_every_shape(make_index, shape):
    ix = make_index()
    given = ADD_SHAPES[shape]()
    expected = 1 if isinstance(given, (dict, Article)) else 2
    assert ix.add(given) == expected
    assert len(ix) == expected
    assert "rain" in ix
    assert ix.search("الأمطار").ids == ["rain"]


@pytest.mark.parametrize("given", [5, None, "مجرد نص", b"bytes"])
def test_add_refuses_what_is_neither_a_record_nor_an_iterable_of_them(make_index, given):
    ix = make_index()
    with pytest.raises(DocumentError):
        ix.add(given)
    assert len(ix) == 0


def test_add_nothing_writes_nothing(make_index):
    ix = make_index()
    assert ix.add([]) == 0
    assert ix.add(_generator([])) == 0
    assert len(ix) == 0


def test_an_integer_id_is_stored_as_a_string(make_index):
    ix = make_index([{"id": 7, "headline": "عنوان برقم"}])
    assert "7" in ix and 7 in ix
    assert ix.get(7)["id"] == "7"
    assert ix.search("عنوان").ids == ["7"]


# ---------------------------------------------------------------- add: upserts


def test_adding_an_existing_id_replaces_the_article(make_index):
    ix = make_index([ok("a", "قطارات")])
    ix.add(ok("a", "طائرات"))
    assert len(ix) == 1
    assert ix.get("a")["headline"] == "طائرات قصير"
    assert ix.search("قطارات").total == 0
    assert ix.search("طائرات").ids == ["a"]


def test_within_one_batch_the_last_version_of_an_id_wins(make_index):
    ix = make_index()
    ix.add([ok("a", "قطارات"), ok("b"), ok("a", "سفن"), ok("a", "طائرات")])
    assert len(ix) == 2
    assert ix.get("a")["headline"] == "طائرات قصير"
    assert ix.search("قطارات").total == 0 and ix.search("سفن").total == 0


def test_a_long_generator_is_committed_in_batches(make_index):
    ix = make_index()
    n = 5000

    def articles():
        for i in range(n):
            yield {"id": f"g{i}", "headline": f"نشرة رقم {i}",
                   "body": "حدث نادر جداً" if i in (3, 2500, 4999) else "يوم عادي"}
        # An id from the first batch again, in a later batch: it replaces.
        yield {"id": "g0", "headline": "نشرة معدلة", "body": "تصحيح متأخر"}

    written = ix.add(articles(), batch_size=2500)
    assert written == n + 1
    assert len(ix) == n
    assert sorted(ix.search("نادر").ids) == ["g2500", "g3", "g4999"]
    assert ix.search("تصحيح").ids == ["g0"]
    assert ix.get("g0")["headline"] == "نشرة معدلة"
    assert ix.search("نشرة", limit=1).total == n


# ---------------------------------------------------------------- add: validation

BAD_RECORDS = {
    "missing_id": ({"headline": "بلا معرف"}, 0, "id"),
    "none_id": ({"id": None, "headline": "معرف فارغ"}, 0, "id"),
    "empty_id": ({"id": "", "headline": "معرف فارغ"}, 0, "id"),
    "blank_id": ({"id": "   ", "headline": "معرف من فراغات"}, 0, "id"),
    "float_id": ({"id": 3.5, "headline": "معرف عشري"}, 0, "id"),
    "bool_id": ({"id": True, "headline": "معرف منطقي"}, 0, "id"),
    "bytes_headline": ({"id": "x", "headline": "عنوان".encode()}, "x", "headline"),
    "int_body": ({"id": "x", "body": 12}, "x", "body"),
    "list_source": ({"id": "x", "source": ["الأفق"]}, "x", "source"),
    "bytes_url": ({"id": "x", "url": b"https://example.org"}, "x", "url"),
    "int_tags": ({"id": "x", "tags": 5}, "x", "tags"),
    "non_str_tag": ({"id": "x", "tags": ["طقس", 3]}, "x", "tags"),
    "object_extra": ({"id": "x", "views": object()}, "x", "views"),
    "set_extra": ({"id": "x", "labels": {"أ", "ب"}}, "x", "labels"),
    "bytes_extra": ({"id": "x", "raw": b"\x00\x01"}, "x", "raw"),
    "bad_date": ({"id": "x", "date": "يوم ما قريباً"}, "x", "date"),
    "impossible_date": ({"id": "x", "date": "2023-02-30"}, "x", "date"),
    "int_date": ({"id": "x", "date": 20230926}, "x", "date"),
    "not_a_mapping": ("مجرد نص", 0, None),
}


@pytest.mark.parametrize("case", BAD_RECORDS)
def test_invalid_records_raise_document_error_naming_record_and_field(make_index, case):
    record, where, field = BAD_RECORDS[case]
    ix = make_index()
    with pytest.raises(DocumentError) as info:
        ix.add([record])
    assert isinstance(info.value, arsearch.ArsearchError)
    assert info.value.record == where
    assert info.value.field == field
    if field is not None:
        assert repr(field) in str(info.value)
    assert len(ix) == 0


def test_a_record_without_id_is_named_by_its_position(make_index):
    ix = make_index()
    with pytest.raises(DocumentError) as info:
        ix.add([ok(1), ok(2), {"headline": "الثالث بلا معرف"}, ok(4)])
    assert (info.value.record, info.value.field) == (2, "id")


def test_a_bad_date_error_is_a_date_error(make_index):
    with pytest.raises(arsearch.DateError) as info:
        make_index().add({"id": "d", "date": "غداً"})
    assert (info.value.record, info.value.field) == ("d", "date")


# ---------------------------------------------------------------- add: failed batches

BATCH = [ok("p1", "قطارات"), ok("p2", "سفن"),
         {"id": "p3", "headline": "طائرات متأخرة", "date": "ليس تاريخاً"},
         ok("p4", "دراجات")]


@pytest.mark.parametrize("batch_size", [1, 2, 3, None])
@pytest.mark.parametrize("as_generator", [False, True])
def test_a_failed_add_keeps_the_records_before_the_bad_one(make_index, batch_size,
                                                          as_generator):
    ix = make_index()
    records = _generator(BATCH) if as_generator else list(BATCH)
    with pytest.raises(DocumentError) as info:
        ix.add(records, batch_size=batch_size)
    assert (info.value.record, info.value.field) == ("p3", "date")
    assert sorted(ix.ids()) == ["p1", "p2"]
    assert ix.search("قطارات").ids == ["p1"]
    assert ix.search("سفن").ids == ["p2"]
    for later, word in (("p3", "طائرات"), ("p4", "دراجات")):
        assert later not in ix
        assert ix.search(word).total == 0


def test_errors_skip_leaves_out_only_the_bad_records(make_index):
    ix = make_index()
    assert ix.add(BATCH + [{"headline": "بلا معرف"}], errors="skip") == 3
    assert sorted(ix.ids()) == ["p1", "p2", "p4"]
    assert ix.search("دراجات").ids == ["p4"]


def test_bad_dates_drop_keeps_the_article_without_a_date(make_index):
    ix = make_index()
    assert ix.add(BATCH, bad_dates="drop") == 4
    assert ix.get("p3")["date"] is None
    assert ix.search("طائرات").ids == ["p3"]
    # Only dates are forgiven: other broken fields still raise.
    with pytest.raises(DocumentError) as info:
        ix.add({"id": "p5", "headline": b"bytes", "date": "ليس تاريخاً"}, bad_dates="drop")
    assert info.value.field == "headline"


@pytest.mark.parametrize("option", [{"errors": "ignore"}, {"bad_dates": "keep"}])
def test_unknown_add_options_are_refused(make_index, option):
    with pytest.raises(arsearch.ArsearchError):
        make_index().add(ok(1), **option)


def test_unknown_fields_are_stored_returned_and_not_searched(make_index):
    ix = make_index([RAIN])
    got = ix.get("rain")
    assert got["author"] == "قسم المحليات"
    assert got["views"] == 42
    assert got["extra_info"] == {"section": "محليات", "ranks": [1, 2]}
    assert ix.search("المحليات").total == 0


# ---------------------------------------------------------------- dates

SEPT_26 = dt.datetime(2023, 9, 26)


@pytest.mark.parametrize("raw, expected", [
    ("2023-09-26", SEPT_26),
    ("2023-09-26T10:30:00", SEPT_26.replace(hour=10, minute=30)),
    ("2023-09-26T10:30:00Z", SEPT_26.replace(hour=10, minute=30)),
    ("2023-09-26T10:30:00+03:00", SEPT_26.replace(hour=7, minute=30)),
    (dt.datetime(2023, 9, 26, 8, 15), SEPT_26.replace(hour=8, minute=15)),
    (dt.date(2023, 9, 26), SEPT_26),
    ("26th, September 2023 GMT", SEPT_26),
    ("26 سبتمبر 2023", SEPT_26),
    ("26 أيلول 2023", SEPT_26),
    ("٢٦ سبتمبر ٢٠٢٣", SEPT_26),
    ("٢٦ أيلول ٢٠٢٣", SEPT_26),
    ("الثلاثاء 26 سبتمبر (أيلول) 2023", SEPT_26),
    ("3 كانون الثاني 2024", dt.datetime(2024, 1, 3)),
    ("26/09/2023", SEPT_26),
    ("", None),
    (None, None),
])
def test_dates_in_many_forms_are_stored_as_datetimes(make_index, raw, expected):
    ix = make_index([{"id": "d", "headline": "موعد الافتتاح", "date": raw}])
    assert ix.get("d")["date"] == expected
    assert ix.search("الافتتاح")[0].date == expected


# ---------------------------------------------------------------- get / delete / len / in


def test_get_returns_a_dict_or_none(make_index):
    ix = make_index([BRIDGE])
    assert ix.get("bridge") == {"id": "bridge", "headline": BRIDGE["headline"],
                                "body": BRIDGE["body"], "date": None, "source": "",
                                "tags": [], "url": ""}
    assert ix.get("nope") is None
    assert ix.get(None) is None


def test_delete_reports_whether_the_article_was_there(make_index):
    ix = make_index([RAIN, BRIDGE])
    assert len(ix) == 2
    assert ix.delete("rain") is True
    assert ix.delete("rain") is False
    assert ix.delete("never-added") is False
    assert len(ix) == 1
    assert "rain" not in ix and "bridge" in ix
    assert ix.get("rain") is None
    assert ix.search("الأمطار").total == 0
    assert ix.search("جسر").ids == ["bridge"]


@pytest.mark.parametrize("key", ["nope", "", None, 3.5, ["rain"]])
def test_membership_of_unknown_or_odd_keys_is_false(make_index, key):
    assert key not in make_index([RAIN])


# ---------------------------------------------------------------- the sample corpus


def test_the_sample_corpus_indexes_without_error(sample_articles, sample_index):
    assert len(sample_articles) >= 150
    assert len({a["id"] for a in sample_articles}) == len(sample_articles)
    assert len(sample_index) == len(sample_articles)
    assert all(sample_index.get(a["id"])["headline"] == a["headline"]
               for a in sample_articles)


# ---------------------------------------------------------------- readers -> index


def test_jsonl_reader_feeds_the_index(make_index, fixtures_dir):
    ix = make_index()
    assert ix.add(arsearch.read_jsonl(fixtures_dir / "akhbar.jsonl")) == 8
    assert len(ix) == 8
    # title/text and content/keywords columns became headline/body and tags.
    assert ix.search("المكتبة").ids == ["j2"]
    assert ix.search("جبلية").ids == ["j3"]
    assert ix.search("", tags="كهرباء").ids == ["j3"]
    assert ix.search("", source="الأخبار المحلية").ids == ["j1"]
    assert ix.get("j1")["date"] == dt.datetime(2024, 1, 15)


def test_csv_reader_feeds_the_index(make_index, fixtures_dir):
    ix = make_index()
    assert ix.add(arsearch.read_csv(fixtures_dir / "akhbar.csv")) == 6
    assert ix.search("المتطوعون").ids == ["c2"]          # second line of a quoted cell
    assert ix.search("الأكلات", source="القسم الثقافي").ids == ["c3"]
    assert ix.get("c6")["date"] is None


TEXT_PAGES = {
    # file: (a word of its body, a word only in its "read also" teaser, date)
    "asaar-albun": ("البن", "العسل", dt.datetime(2024, 3, 3)),
    "hamlat-almashi": ("الموظفين", "الكورنيش", None),
    "maarad-alkitab": ("الترجمة", "الإسفنج", dt.datetime(2024, 2, 11, 9, 30)),
    "taqs-amtar": ("الأرصاد", "البحيرة", dt.datetime(2024, 3, 12)),
}


@pytest.mark.parametrize("name", TEXT_PAGES)
def test_text_pages_index_without_their_read_also_teasers(make_index, fixtures_dir, name):
    body_word, teaser_word, date = TEXT_PAGES[name]
    ix = make_index([arsearch.read_article_text(p)
                     for p in sorted((fixtures_dir / "text").glob("*.txt"))])
    assert len(ix) == 5
    assert name in ix.search(body_word).ids
    assert ix.search(teaser_word).total == 0
    assert ix.get(name)["date"] == date


def test_text_page_tags_are_filterable(make_index, fixtures_dir):
    ix = make_index([arsearch.read_article_text(fixtures_dir / "text" / "nihai-alkas.txt")])
    assert ix.search("الكأس", tags=["كرة القدم", "ركلات الترجيح"]).ids == ["nihai-alkas"]
    assert ix.get("nihai-alkas")["date"] == dt.datetime(2024, 5, 5)


def test_a_folder_of_mixed_files_with_skipped_errors(make_index, fixtures_dir):
    records = arsearch.read_articles(fixtures_dir, errors="skip")
    ix = make_index()
    # akhbar.jsonl, akhbar.csv, text/*.txt, the good lines of broken.jsonl, html/*.html
    assert ix.add(records) == 8 + 6 + 5 + 3 + 2
    assert records.skip_count == 3 + 1          # html/links-only.html has no article
    assert {"b1", "b3", "b4", "html/qitar"} <= set(ix.ids())


def test_records_before_a_broken_line_of_a_reader_are_committed(make_index, fixtures_dir):
    ix = make_index()
    with pytest.raises(DocumentError) as info:
        ix.add(arsearch.read_jsonl(fixtures_dir / "broken.jsonl"))
    assert str(info.value.record).endswith("broken.jsonl:3")
    assert ix.ids() == ["b1"]


def test_stats_read_dates_and_sources_without_reading_every_article(make_index, monkeypatch):
    from arsearch.index.snapshot import Snapshot

    ix = make_index([
        {"id": "1", "headline": "أ", "date": "2021-03-04", "source": "الأفق"},
        {"id": "2", "headline": "ب", "date": "2023-09-26T10:30:00", "source": "الافق"},
        {"id": "3", "headline": "ج", "source": "المدار"},
        {"id": "4", "headline": "د", "date": "2019-01-01", "source": "الرصيف"},
    ] + [{"id": f"x{i}", "headline": "هـ", "source": "المدار"} for i in range(20)])
    ix.delete("4")                      # a deleted article counts for nothing
    stored = Snapshot.stored
    reads: list[int] = []

    def counted(self, docnum):
        reads.append(docnum)
        return stored(self, docnum)

    def refuse(*args, **kwargs):
        raise AssertionError("stats() read every stored article")

    monkeypatch.setattr(Snapshot, "stored", counted)
    monkeypatch.setattr(Snapshot, "iter_stored", refuse)
    stats = ix.stats()
    assert stats["articles"] == 23
    assert stats["oldest"] == "2021-03-04T00:00:00"
    assert stats["newest"] == "2023-09-26T10:30:00"
    assert stats["sources"] == 2        # الأفق and الافق are one source
    assert list(stats["source_counts"].values()) == [21, 2]
    assert next(iter(stats["source_counts"])) == "المدار"
    assert len(reads) <= stats["sources"]   # one article a source, for its spelling
