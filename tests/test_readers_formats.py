"""Readers, continued: .json files, strict CSV, long cells, extra fields, the
key check, binary files, folders that hold files arsearch cannot read,
saved HTML pages, and counting records for a progress bar."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path

import pytest

import arsearch
from arsearch.errors import (DocumentError, FieldMappingError, MissingDependencyError,
                             SettingsError)
from arsearch.readers import (KEY_CHECK_WINDOW, read_article_text, read_articles, read_csv,
                              read_html, read_json, read_jsonl)

FIXTURES = Path(__file__).parent / "fixtures"
HTML = FIXTURES / "html"


def article(n: int, **extra) -> dict:
    return {"id": f"n{n}", "headline": f"خبر رقم {n}", "body": "نص قصير عن المدينة.", **extra}


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------- .json files

def test_json_array_object_and_wrapper(tmp_path):
    array = write_json(tmp_path / "array.json", [article(1), article(2)])
    assert [r["id"] for r in read_json(array)] == ["n1", "n2"]
    one = write_json(tmp_path / "one.json", article(3, images=[{"src": "a.jpg"}]))
    # one article object, even with a list of objects inside it
    assert [r["id"] for r in read_json(one)] == ["n3"]
    wrapped = write_json(tmp_path / "wrapped.json", {"count": 2, "articles": [article(4),
                                                                             article(5)]})
    assert [r["id"] for r in read_json(wrapped)] == ["n4", "n5"]


def test_json_file_holding_json_lines_is_read_as_json_lines(tmp_path):
    p = write_jsonl(tmp_path / "lines.json", [article(1), article(2)])
    assert [r["id"] for r in read_json(p)] == ["n1", "n2"]


def test_json_broken_items_are_named_by_index(tmp_path):
    p = write_json(tmp_path / "mixed.json", [article(1), "نص", article(2)])
    with pytest.raises(DocumentError, match=r"mixed.json\[1\]'.*JSON string"):
        list(read_json(p))
    records = read_json(p, errors="skip")
    assert [r["id"] for r in records] == ["n1", "n2"]
    assert records.skipped[0].record.endswith("mixed.json[1]")


@pytest.mark.parametrize("content, message", [
    ('[{"id": "a", "headline": "خبر"', "not valid JSON: Expecting ',' delimiter .*line 1"),
    ('"نص فقط"', "holds a JSON string, not an article"),
    ("", "not valid JSON"),
])
def test_json_file_level_errors(tmp_path, content, message):
    p = tmp_path / "bad.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError, match=message):
        list(read_json(p))
    assert list(read_json(p, errors="skip")) == []


def test_read_articles_reads_json_files_in_a_folder(tmp_path):
    write_json(tmp_path / "1.json", article(1))
    write_json(tmp_path / "2.json", [article(2), article(3)])
    assert [r["id"] for r in read_articles(tmp_path)] == ["n1", "n2", "n3"]


# ---------------------------------------------------------------- strict CSV

def test_csv_unclosed_quote_is_an_error_naming_its_line(tmp_path):
    p = tmp_path / "open.csv"
    p.write_text('id,headline\nc1,"خبر لا ينتهي\nc2,خبر ثان\nc3,خبر ثالث\n', encoding="utf-8")
    with pytest.raises(DocumentError, match="quoted cell opened on line 2 is never closed") \
            as info:
        list(read_csv(p))
    assert info.value.record.endswith("open.csv:2")
    # skipping cannot save the rows the open quote swallowed: it says so
    records = read_csv(p, errors="skip")
    assert list(records) == []
    assert "the rest of the file was not read" in str(records.skipped[0])


def test_csv_unclosed_quote_after_good_rows(tmp_path):
    p = tmp_path / "late.csv"
    p.write_text('id,headline\nc1,خبر أول\nc2,"خبر لا ينتهي\nc3,خبر ثالث\n', encoding="utf-8")
    records = read_csv(p, errors="skip")
    assert [r["id"] for r in records] == ["c1"]
    assert records.skipped[0].record.endswith("late.csv:3")


def test_csv_text_after_a_closing_quote_is_an_error(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,headline\nc1,"خبر" زائد\nc2,خبر سليم\n', encoding="utf-8")
    with pytest.raises(DocumentError, match="malformed CSV"):
        list(read_csv(p))
    records = read_csv(p, errors="skip")
    assert [r["id"] for r in records] == ["c2"]


def test_csv_cell_of_150_kb(tmp_path):
    body = "نص طويل جداً عن المدينة. " * 6500
    assert len(body.encode("utf-8")) > 150_000
    p = tmp_path / "long.csv"
    p.write_text(f'id,headline,body\nl1,خبر طويل,"{body}"\n', encoding="utf-8")
    [record] = read_csv(p)
    assert record["body"] == body


@pytest.mark.parametrize("head, what", [
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel .xls"),
    (b"\xff\xfei\x00d\x00", "UTF-16"),
    (b"\x1f\x8b\x08\x00", "gzip"),
    (b"id,headline\x00\x01\x02", "binary data"),
])
def test_binary_files_are_refused_saying_what_they_look_like(tmp_path, head, what):
    for name, reader in (("x.csv", read_csv), ("x.jsonl", read_jsonl), ("x.json", read_json)):
        p = tmp_path / name
        p.write_bytes(head + b"\n" + b"\x00" * 20)
        with pytest.raises(DocumentError, match=f"not a UTF-8 text file: it looks like .*{what}"):
            list(reader(p))


def test_csv_in_windows_1256_says_so_with_the_fix(tmp_path):
    p = tmp_path / "legacy.csv"
    p.write_bytes("id,headline\nw1,خبر قديم\n".encode("cp1256"))
    with pytest.raises(DocumentError, match="not UTF-8.*Windows-1256.*iconv"):
        list(read_csv(p))


# ---------------------------------------------------------------- extra fields

def test_extra_fields_pass_through_and_can_be_named_or_dropped(tmp_path):
    p = write_jsonl(tmp_path / "x.jsonl", [article(1, author="سلمى", writer="ليلى",
                                                   category="محليات", views=3)])
    [record] = read_jsonl(p)
    assert (record["author"], record["category"], record["views"]) == ("سلمى", "محليات", 3)
    [record] = read_jsonl(p, fields={"author": "writer", "category": None})
    assert record["author"] == "ليلى" and "category" not in record and "writer" not in record
    [record] = read_jsonl(p, extra=False)
    assert set(record) == {"id", "headline", "body"}
    [record] = read_jsonl(p, extra=False, fields={"writer": "writer"})
    assert set(record) == {"id", "headline", "body", "writer"}


def test_csv_extra_columns(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,headline,الكاتب,القسم,\nc1,خبر,سلمى,,بلا عنوان\n", encoding="utf-8")
    [record] = read_csv(p)
    # empty cells and columns without a header are left out
    assert record == {"id": "c1", "headline": "خبر", "الكاتب": "سلمى"}


def test_extra_fields_round_trip_through_the_index(tmp_path):
    p = write_jsonl(tmp_path / "x.jsonl", [article(1, author="سلمى", rating=4.5,
                                                   place={"city": "طنجة"})])
    with arsearch.Index() as ix:
        ix.add(read_jsonl(p))
        stored = ix.get("n1")
        assert (stored["author"], stored["rating"], stored["place"]) == ("سلمى", 4.5,
                                                                         {"city": "طنجة"})


def test_the_alias_not_chosen_is_not_an_extra(tmp_path):
    p = write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "headline": "خبر", "title": "عنوان"}])
    assert next(read_jsonl(p)) == {"id": "a", "headline": "خبر"}
    # once title is not an alias any more, it is the record's own key
    assert next(read_jsonl(p, fields={"headline": "headline"})) == {
        "id": "a", "headline": "خبر", "title": "عنوان"}


@pytest.mark.parametrize("fields", [{"": "x"}, {"author": ""}, {"author": 3}, ["id"]])
def test_bad_field_mappings_fail_at_call_time(tmp_path, fields):
    p = write_jsonl(tmp_path / "x.jsonl", [article(1)])
    with pytest.raises(SettingsError):
        read_jsonl(p, fields=fields)


# ---------------------------------------------------------------- the key check

def test_a_mapped_key_no_record_has_is_refused_with_the_keys_there_are(tmp_path):
    p = write_jsonl(tmp_path / "snn.jsonl", [{"id": f"s{i}", "title": "عنوان", "text": "نص"}
                                             for i in range(50)])
    with pytest.raises(FieldMappingError) as info:
        next(read_jsonl(p, fields={"headline": "titel"}))
    e = info.value
    assert (e.field, e.key, e.guess) == ("headline", "titel", "title")
    assert e.available == ("id", "title", "text")
    assert "no record of" in str(e) and "snn.jsonl" in str(e)
    assert "keys: id, title, text" in str(e) and "did you mean 'title'" in str(e)
    # whatever errors says: the mapping is wrong, not a record
    with pytest.raises(FieldMappingError):
        list(read_jsonl(p, fields={"id": "ident"}, errors="skip"))


def test_nothing_is_given_out_before_the_check(tmp_path):
    p = write_jsonl(tmp_path / "x.jsonl", [article(i) for i in range(3)])
    records = read_jsonl(p, fields={"headline": "titel"})
    with pytest.raises(FieldMappingError):
        next(records)


def test_a_key_found_later_in_the_window_passes(tmp_path):
    rows = [article(i) for i in range(20)] + [article(20, author="سلمى")]
    p = write_jsonl(tmp_path / "x.jsonl", rows)
    records = list(read_jsonl(p, fields={"writer": "author"}))
    assert len(records) == 21 and records[-1]["writer"] == "سلمى"


def test_the_check_gives_up_after_its_window(tmp_path):
    rows = [article(i) for i in range(KEY_CHECK_WINDOW + 5)] + [article(0, author="سلمى")]
    p = write_jsonl(tmp_path / "x.jsonl", rows)
    with pytest.raises(FieldMappingError, match=f"none of the first {KEY_CHECK_WINDOW} records"):
        next(read_jsonl(p, fields={"writer": "author"}))


def test_records_without_ids_or_text_are_refused(tmp_path):
    no_ids = write_jsonl(tmp_path / "a.jsonl", [{"ident": "1", "title": "خبر"}])
    with pytest.raises(FieldMappingError, match="no record of .*a.jsonl has an id") as info:
        list(read_jsonl(no_ids))
    assert info.value.guess == "ident"        # a key that looks like an id
    no_text = write_jsonl(tmp_path / "b.jsonl", [{"id": "1", "titre": "خبر", "matn": "نص"}])
    with pytest.raises(FieldMappingError, match="has a headline or a body"):
        list(read_jsonl(no_text))
    # ids the caller sets: leave id out of the mapping
    assert list(read_jsonl(no_ids, fields={"id": None})) == [{"headline": "خبر",
                                                                "ident": "1"}]


def test_csv_header_check(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("المعرف,العنوان,النص\n1,خبر,نص\n", encoding="utf-8")
    with pytest.raises(FieldMappingError, match="has no id column") as info:
        next(read_csv(p))
    assert info.value.hints == {"id": "المعرف", "headline": "العنوان", "body": "النص"}
    with pytest.raises(FieldMappingError, match="has no headline or body column"):
        next(read_csv(p, fields={"id": "المعرف"}))
    with pytest.raises(FieldMappingError, match="no such column") as info:
        next(read_csv(p, fields={"id": "المعرف", "headline": "العنوان", "body": "المتن"}))
    assert info.value.key == "المتن"
    [record] = read_csv(p, fields={"id": "المعرف", "headline": "العنوان", "body": "النص"})
    assert record == {"id": "1", "headline": "خبر", "body": "نص"}


# ---------------------------------------------------------------- folders

def test_a_folder_with_files_arsearch_cannot_read_is_an_error_at_once(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [article(1)])
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "README").write_text("ملاحظات\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="cannot read 2 files") as info:
        read_articles(tmp_path)
    message = str(info.value)
    assert "notes.docx (unsupported extension '.docx')" in message
    assert "README (no extension)" in message and ".jsonl" in message
    records = read_articles(tmp_path, errors="skip")
    assert records.skip_count == 2               # reported before anything is read
    assert [r["id"] for r in records] == ["n1"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that apply to this user")
def test_a_file_without_read_permission_is_named(tmp_path):
    p = write_jsonl(tmp_path / "secret.jsonl", [article(1)])
    p.chmod(0)
    with pytest.raises(DocumentError, match="secret.jsonl .permission denied"):
        read_articles(tmp_path)


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DocumentError, match="a folder with no file to read"):
        read_articles(tmp_path / "empty")


def test_count_records_counts_ahead_without_reading_twice(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)])
    (tmp_path / "a.jsonl").write_text((tmp_path / "a.jsonl").read_text("utf-8") + "\n{كسر\n",
                                      encoding="utf-8")
    write_json(tmp_path / "b.json", [article(3), article(4), article(5)])
    (tmp_path / "c.csv").write_text('id,headline\nc1,"خبر\nفي سطرين"\nc2,خبر\n',
                                    encoding="utf-8")
    (tmp_path / "d.txt").write_text("عنوان\nنص\n", encoding="utf-8")
    records = read_articles(tmp_path, errors="skip")
    assert records.count_records() == 3 + 3 + 2 + 1      # the broken line counts too
    assert len(list(records)) == 8
    assert read_csv(tmp_path / "c.csv").count_records() == 2
    assert read_jsonl("-").count_records() is None


# ---------------------------------------------------------------- HTML pages

def test_html_page_with_metadata_navigation_and_read_also():
    record = read_html(HTML / "tahliya.html")
    assert record == {
        "id": "tahliya",
        "headline": "افتتاح محطة لتحلية المياه في المدينة الساحلية",
        "body": "افتتحت البلدية صباح اليوم محطة جديدة لتحلية مياه البحر تكفي حاجة خمسين ألف "
                "أسرة، بعد عامين من أعمال البناء.\n\nوقال مدير المشروع إن المحطة تعمل بالطاقة "
                "الشمسية في ساعات النهار، مما يخفض كلفة التشغيل إلى النصف تقريباً.\n\nويتوقع "
                "السكان أن تنتهي أزمة انقطاع المياه التي تكررت في الأحياء المرتفعة خلال الصيف "
                "الماضي.",
        "date": "2024-05-12T09:30:00+0300",
        "source": "صحيفة الأفق",
        "tags": ["مياه", "تحلية", "بيئة"],
        "url": "https://example.com/news/tahliya",
    }
    page = (HTML / "tahliya.html").read_text(encoding="utf-8")
    # menus, the "read also" list, the most-read box and the footer are on the page...
    for chrome in ("الرئيسية", "حملة لتنظيف الشاطئ", "الأكثر قراءة", "جميع الحقوق"):
        assert chrome in page
        assert chrome not in json.dumps(record, ensure_ascii=False)   # ...but not read


def test_html_page_in_windows_1256_with_furniture_lines():
    raw = (HTML / "qitar.html").read_bytes()
    assert b"windows-1256" in raw and "قطار".encode("cp1256") in raw
    record = read_html(HTML / "qitar.html")
    assert record["headline"] == "وصول أول قطار كهربائي إلى المحطة الجنوبية"
    assert record["date"] == "3 مارس 2024 الساعة 10:15 صباحاً"
    assert record["source"] == "وكالة أنباء المدينة"
    assert record["tags"] == ["النقل العام"]          # one tag line without separators
    assert record["body"].startswith("وصل صباح أمس") and "موقف جديد" not in record["body"]
    assert arsearch.parse_date(record["date"]) == arsearch.parse_date("2024-03-03 10:15")


def test_html_without_article_text_is_a_broken_record():
    with pytest.raises(DocumentError, match="no article text found") as info:
        read_html(HTML / "links-only.html")
    assert info.value.record == "links-only"


def test_html_folder_passes_over_the_saved_page_files_folder():
    assert (HTML / "tahliya_files").is_dir()
    records = read_articles(HTML, errors="skip")
    assert [r["id"] for r in records] == ["qitar", "tahliya"]
    assert [e.record for e in records.skipped] == ["links-only"]


def test_html_from_a_string_or_bytes():
    page = (HTML / "tahliya.html").read_bytes()
    from_bytes = read_html(page)
    from_text = read_html(page.decode("utf-8"))
    assert from_bytes["id"].startswith("html-") and from_bytes == from_text
    assert from_bytes["headline"] == read_html(HTML / "tahliya.html")["headline"]


def test_html_pages_index_and_search():
    with arsearch.Index() as ix:
        ix.add(read_articles(HTML, errors="skip"))
        assert ix.search("تحلية مياه البحر").ids[0] == "tahliya"
        assert ix.search("", tags="النقل العام").ids == ["qitar"]


def test_without_trafilatura_html_needs_the_extra(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_trafilatura(name, *args, **kwargs):
        if name == "trafilatura" or name.startswith("trafilatura."):
            raise ImportError("No module named 'trafilatura'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_trafilatura)
    with pytest.raises(MissingDependencyError, match=r"pip install 'arsearch\[html\]'"):
        read_html(HTML / "tahliya.html")
    # a folder with pages says so at once, before reading anything
    with pytest.raises(MissingDependencyError, match="trafilatura"):
        read_articles(HTML)
    assert isinstance(MissingDependencyError("x"), ImportError)
    # text pages still read without it
    (tmp_path / "a.txt").write_text("عنوان\nنص\n", encoding="utf-8")
    assert read_article_text(tmp_path / "a.txt")["headline"] == "عنوان"
