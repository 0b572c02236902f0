"""Tests for arsearch.readers: JSON Lines, CSV/TSV, saved text pages, folders."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsearch.errors import ArsearchError, DocumentError, FieldMappingError
from arsearch.readers import (ARTICLE_FIELDS, MAX_SKIPPED_KEPT, Records, read_article_text,
                              read_articles, read_csv, read_jsonl)

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = FIXTURES / "text"


def write_jsonl(path: Path, records: list, *, raw_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    for i, line in (raw_lines or {}).items():
        lines.insert(i, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def article(n: int) -> dict:
    return {"id": f"n{n}", "headline": f"خبر رقم {n}", "body": "نص قصير عن المدينة."}


def all_values(record: dict) -> str:
    return " ".join(" ".join(v) if isinstance(v, list) else str(v) for v in record.values())


# ---------------------------------------------------------------- read_jsonl

def test_jsonl_fixture_with_default_field_names():
    records = list(read_jsonl(FIXTURES / "akhbar.jsonl"))
    assert [r["id"] for r in records] == [f"j{i}" for i in range(1, 9)]
    by_id = {r["id"]: r for r in records}
    assert by_id["j1"] == {
        "id": "j1", "headline": "البرلمان يناقش قانون الإيجارات الجديد",
        "body": "بدأ البرلمان مناقشة مشروع قانون ينظم العلاقة بين المالكين والمستأجرين.",
        "date": "2024-01-15", "source": "الأخبار المحلية", "tags": ["سياسة", "برلمان"],
        "url": "https://example.com/news/j1"}
    # title/text and content/keywords are read as headline/body and body/tags
    assert by_id["j2"] == {"id": "j2", "headline": "افتتاح مكتبة عامة في الضاحية الغربية",
                           "body": "افتُتحت مكتبة عامة تضم عشرين ألف كتاب وقاعة للمطالعة.",
                           "date": "2024-01-16"}
    assert by_id["j3"]["body"].startswith("بدأ تشغيل محطة شمسية")
    assert by_id["j3"]["tags"] == ["طاقة", "شمس", "كهرباء"]
    # other keys are kept as extra fields, after the article fields; null values are dropped
    assert by_id["j5"] == {"id": "j5", "headline": "سباق للدراجات الهوائية في وسط المدينة",
                           "body": "شارك مئتا متسابق في سباق الدراجات السنوي.",
                           "author": "محرر الرياضة", "views": 120}
    assert list(by_id["j5"])[-2:] == ["author", "views"]
    # "headline" wins over "title" when both are present
    assert by_id["j7"]["headline"] == "عنوان الخبر الرئيسي"
    # the Hijri-looking date is passed through untouched
    assert by_id["j8"]["date"] == "1445-07-10"


def test_jsonl_keys_come_out_in_article_field_order_then_extras():
    for record in read_jsonl(FIXTURES / "akhbar.jsonl"):
        fields = [f for f in ARTICLE_FIELDS if f in record]
        assert list(record)[:len(fields)] == fields
        assert not set(list(record)[len(fields):]) & set(ARTICLE_FIELDS)
    assert all(set(r) <= set(ARTICLE_FIELDS) for r in read_jsonl(FIXTURES / "akhbar.jsonl",
                                                                  extra=False))


def test_jsonl_bom_and_blank_lines(tmp_path):
    assert (FIXTURES / "akhbar.jsonl").read_bytes().startswith(b"\xef\xbb\xbf")
    first = next(read_jsonl(FIXTURES / "akhbar.jsonl"))
    assert first["id"] == "j1"          # the BOM did not break the first line
    p = tmp_path / "two.jsonl"
    # blank and whitespace-only lines, CRLF endings, and a second BOM from cat'ed files
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(article(1)).encode() + b"\r\n\r\n   \r\n\t\n"
                  + b"\xef\xbb\xbf" + json.dumps(article(2)).encode() + b"\r\n\n")
    assert [r["id"] for r in read_jsonl(p)] == ["n1", "n2"]


def test_jsonl_explicit_mapping_overrides_only_the_named_fields(tmp_path):
    p = write_jsonl(tmp_path / "m.jsonl", [
        {"id": "m1", "headline": "قديم", "title": "العنوان الصحيح", "matn": "نص الخبر",
         "date": "2024-05-01", "tags": ["اقتصاد"], "link": "https://example.com/m1"}])
    [record] = read_jsonl(p, fields={"headline": "title", "body": "matn", "url": "link",
                                     "tags": None})
    assert record == {"id": "m1", "headline": "العنوان الصحيح", "body": "نص الخبر",
                      "date": "2024-05-01", "url": "https://example.com/m1"}


def test_jsonl_mapping_with_arabic_keys(tmp_path):
    p = write_jsonl(tmp_path / "ar.jsonl", [
        {"المعرف": "x1", "العنوان": "سوق الكتب المستعملة", "النص": "يفتح السوق كل خميس.",
         "الوسوم": "كتب، أسواق"}])
    [record] = read_jsonl(p, fields={"id": "المعرف", "headline": "العنوان", "body": "النص",
                                     "tags": "الوسوم"})
    assert record == {"id": "x1", "headline": "سوق الكتب المستعملة",
                      "body": "يفتح السوق كل خميس.", "tags": ["كتب", "أسواق"]}


def test_jsonl_bad_arguments_fail_at_call_time(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    with pytest.raises(ValueError, match="did you mean 'headline'"):
        read_jsonl(p, fields={"headlin": "title"})
    with pytest.raises(ValueError, match="did you mean 'tags'"):
        read_jsonl(p, fields={"tag": "keywords"})
    with pytest.raises(ValueError, match="errors"):
        read_jsonl(p, errors="ignore")
    with pytest.raises(TypeError):
        read_jsonl(p, fields={"headline": 3})


@pytest.mark.parametrize("tags, expected", [
    (["سياسة", "برلمان"], ["سياسة", "برلمان"]),
    ("طاقة، شمس، كهرباء", ["طاقة", "شمس", "كهرباء"]),
    ("تعليم, مدارس", ["تعليم", "مدارس"]),
    ("الأمم المتحدة، حقوق الإنسان", ["الأمم المتحدة", "حقوق الإنسان"]),
    # no separator: the whole string is one tag (spaces collapsed)
    ("زراعة  مياه\tري", ["زراعة مياه ري"]),
    ("زلزال المغرب", ["زلزال المغرب"]),
    ("طاقة | نفط ; غاز؛ كهرباء", ["طاقة", "نفط", "غاز", "كهرباء"]),
    ("طاقة\nنفط", ["طاقة", "نفط"]),
    ("#طاقة #نفط_وغاز", ["طاقة", "نفط وغاز"]),
    (" سياحة ،، آثار ، ", ["سياحة", "آثار"]),
    (["  رياضة ", "", None, 2024], ["رياضة", "2024"]),
    (["صحة", "صحة", "غذاء"], ["صحة", "غذاء"]),
    ("", []),
])
def test_jsonl_tag_forms(tmp_path, tags, expected):
    p = write_jsonl(tmp_path / "t.jsonl", [{**article(1), "tags": tags}])
    [record] = read_jsonl(p)
    assert record["tags"] == expected


def test_keywords_key_is_read_as_tags(tmp_path):
    p = write_jsonl(tmp_path / "k.jsonl", [{**article(1), "keywords": "بيئة، مناخ"}])
    assert next(read_jsonl(p))["tags"] == ["بيئة", "مناخ"]


def test_jsonl_errors_raise_names_file_and_line():
    path = FIXTURES / "broken.jsonl"
    records = read_jsonl(path)
    assert next(records)["id"] == "b1"
    with pytest.raises(DocumentError) as info:
        next(records)
    assert info.value.record == f"{path}:3"
    assert f"broken.jsonl:3" in str(info.value)
    assert "not valid JSON" in str(info.value)


def test_jsonl_non_object_line_raises_with_its_line(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)],
                    raw_lines={1: '"مجرد نص"'})
    with pytest.raises(DocumentError, match=r"a\.jsonl:2.*not a JSON object"):
        list(read_jsonl(p))


def test_jsonl_errors_skip_reports_every_skipped_line():
    path = FIXTURES / "broken.jsonl"
    records = read_jsonl(path, errors="skip")
    assert isinstance(records, Records)
    assert [r["id"] for r in records] == ["b1", "b3", "b4"]
    assert records.skip_count == 3
    assert [e.record for e in records.skipped] == [f"{path}:3", f"{path}:5", "b5"]
    assert all(isinstance(e, DocumentError) for e in records.skipped)
    bad_tags = records.skipped[2]
    assert bad_tags.field == "tags" and "broken.jsonl:7" in str(bad_tags)


def test_skipped_list_is_capped_but_count_is_not(tmp_path):
    p = tmp_path / "junk.jsonl"
    p.write_text("لا\n" * (MAX_SKIPPED_KEPT + 5) + json.dumps(article(1)) + "\n",
                 encoding="utf-8")
    records = read_jsonl(p, errors="skip")
    assert [r["id"] for r in records] == ["n1"]
    assert records.skip_count == MAX_SKIPPED_KEPT + 5
    assert len(records.skipped) == MAX_SKIPPED_KEPT


def test_jsonl_non_utf8_line(tmp_path):
    p = tmp_path / "cp1256.jsonl"
    p.write_bytes(json.dumps(article(1)).encode() + b"\n"
                  + json.dumps({"id": "w", "headline": "خبر"}, ensure_ascii=False)
                  .encode("cp1256") + b"\n" + json.dumps(article(3)).encode() + b"\n")
    with pytest.raises(DocumentError, match=r"cp1256\.jsonl:2.*UTF-8"):
        list(read_jsonl(p))
    records = read_jsonl(p, errors="skip")
    assert [r["id"] for r in records] == ["n1", "n3"]
    assert records.skipped[0].record == f"{p}:2"


def test_jsonl_missing_file_or_folder_fails_at_call_time(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_jsonl(tmp_path / "absent.jsonl")
    with pytest.raises(ArsearchError, match="folder"):
        read_jsonl(tmp_path)


def test_jsonl_accepts_str_and_pathlike(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    assert list(read_jsonl(str(p))) == list(read_jsonl(p)) == [article(1)]


def test_jsonl_dash_reads_stdin(monkeypatch):
    data = "\ufeff" + json.dumps(article(1), ensure_ascii=False) + "\n\n" \
        + json.dumps(article(2), ensure_ascii=False) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8"))))
    assert [r["id"] for r in read_jsonl("-")] == ["n1", "n2"]


# ---------------------------------------------------------------- streaming

def test_jsonl_streams_a_large_file_lazily(tmp_path):
    p = tmp_path / "big.jsonl"
    line = json.dumps({"id": "x", "title": "سطر", "text": "نص"}, ensure_ascii=False) + "\n"
    with open(p, "w", encoding="utf-8") as fh:
        for _ in range(200_000):
            fh.write(line)
        fh.write("{هذا السطر الأخير ليس JSON\n")
    records = read_jsonl(p)             # errors="raise": reading to the end would fail
    assert isinstance(records, Iterator) and iter(records) is records
    first = list(itertools.islice(records, 3))
    assert first == [{"id": "x", "headline": "سطر", "body": "نص"}] * 3
    records.close()
    assert next(records, None) is None  # closed: no more records
    with pytest.raises(DocumentError, match="big.jsonl:200001"):
        for _ in read_jsonl(p):
            pass


def test_reader_opens_nothing_until_iterated(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    records = read_jsonl(p)
    p.unlink()                          # checked at call time, opened lazily
    with pytest.raises(DocumentError, match="cannot read"):
        next(records)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX FIFO")
@pytest.mark.parametrize("reader", [read_jsonl, read_csv])
def test_records_arrive_before_the_input_ends(tmp_path, reader):
    """A FIFO whose writer stays open: a reader that read to EOF first would hang."""
    fifo = tmp_path / ("feed.jsonl" if reader is read_jsonl else "feed.csv")
    os.mkfifo(fifo)
    if reader is read_jsonl:
        lines = [json.dumps(article(i), ensure_ascii=False) + "\n" for i in range(3)]
    else:
        lines = ["id,headline,body\n"] + [f"n{i},خبر رقم {i},نص\n" for i in range(3)]
    release = threading.Event()

    def write():
        with open(fifo, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
                fh.flush()
            release.wait(20)            # keep the pipe open: no EOF yet

    got: list = []

    def read():
        records = reader(fifo)
        got.extend(itertools.islice(records, 3))
        records.close()

    writer = threading.Thread(target=write, daemon=True)
    consumer = threading.Thread(target=read, daemon=True)
    writer.start()
    consumer.start()
    consumer.join(10)
    finished_before_eof = not consumer.is_alive()
    ids = [r["id"] for r in got]
    release.set()                       # let the writer close the pipe in any case
    writer.join(10)
    consumer.join(10)
    assert finished_before_eof, "the reader waited for the end of the input"
    assert ids == ["n0", "n1", "n2"]


# ---------------------------------------------------------------- read_csv

def test_csv_fixture():
    records = list(read_csv(FIXTURES / "akhbar.csv"))
    assert [r["id"] for r in records] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    by_id = {r["id"]: r for r in records}
    assert by_id["c1"] == {
        "id": "c1", "headline": "افتتاح جسر جديد فوق النهر",
        "body": "افتُتح الجسر الجديد أمام السيارات، ويختصر الطريق بين الضفتين، "
                "كما يضم ممراً للمشاة.",
        "date": "2024-03-01", "source": "مكتب المدينة", "tags": ["نقل", "جسور"],
        "url": "https://example.com/c1"}
    # a quoted cell keeps its newline, and Arabic commas are not cell separators
    assert by_id["c2"]["body"] == ("انطلقت الحملة صباح السبت.\n"
                                   "وشارك فيها طلاب المدارس، والمتطوعون، وموظفو البلدية.")
    assert by_id["c3"]["body"] == "يقدم المهرجان, بحسب منظميه, أكثر من خمسين طبقاً."
    assert by_id["c3"]["tags"] == ["طعام", "تراث"]
    # empty cells are left out
    assert by_id["c6"] == {"id": "c6", "headline": "تمديد ساعات عمل الحدائق العامة",
                           "body": "تفتح الحدائق حتى منتصف الليل خلال الصيف."}


def test_csv_bom_does_not_hide_the_first_column():
    assert (FIXTURES / "akhbar.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert next(read_csv(FIXTURES / "akhbar.csv"))["id"] == "c1"


def test_csv_mapping_arabic_headers_and_tab_delimiter(tmp_path):
    p = tmp_path / "a.tsv"
    p.write_text("الرقم\t العنوان \tالنص\tملاحظات\n"
                 "t1\tموسم قطاف الزيتون\t\"بدأ الموسم مبكراً،\tهذا العام\"\tلا تنشر\n",
                 encoding="utf-8")
    [record] = read_csv(p, delimiter="\t",
                        fields={"id": "الرقم", "headline": "العنوان", "body": "النص"})
    assert record == {"id": "t1", "headline": "موسم قطاف الزيتون",
                      "body": "بدأ الموسم مبكراً،\tهذا العام", "ملاحظات": "لا تنشر"}


def test_csv_mapping_to_a_missing_column_is_an_error(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("id,title\nx,عنوان\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="'matn'") as info:
        list(read_csv(p, fields={"body": "matn"}, errors="skip"))
    assert info.value.field == "body"


def test_csv_without_any_article_column_is_an_error(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("الاسم,العمر\nسعاد,30\n", encoding="utf-8")
    with pytest.raises(FieldMappingError, match="has no id column") as info:
        list(read_csv(p))
    assert info.value.available == ("الاسم", "العمر")


def test_csv_row_with_too_many_cells(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text('id,headline,body\n'
                 'r1,عنوان أول,"نص\nعلى سطرين"\n'
                 'r2,عنوان ثان,نص فيه, فاصلة غير محمية\n'
                 'r3,عنوان ثالث,نص سليم\n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"bad\.csv:4.*4 cells") as info:
        list(read_csv(p))
    assert info.value.record == f"{p}:4"    # r1 spans lines 2 and 3
    records = read_csv(p, errors="skip")
    assert [r["id"] for r in records] == ["r1", "r3"]
    assert [e.record for e in records.skipped] == [f"{p}:4"]


def test_csv_trailing_empty_cells_and_short_rows_are_fine(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("id,headline,body\nr1,عنوان,نص,,\nr2,عنوان فقط\n\n", encoding="utf-8")
    assert list(read_csv(p)) == [{"id": "r1", "headline": "عنوان", "body": "نص"},
                                 {"id": "r2", "headline": "عنوان فقط"}]


def test_csv_non_utf8_row(tmp_path):
    p = tmp_path / "excel.csv"
    p.write_bytes("id,headline\nr1,صحيح\n".encode("utf-8") + "r2,خطأ\n".encode("cp1256")
                  + "r3,صحيح أيضا\n".encode("utf-8"))
    with pytest.raises(DocumentError, match=r"excel\.csv:3.*UTF-8"):
        list(read_csv(p))
    records = read_csv(p, errors="skip")
    assert [r["id"] for r in records] == ["r1", "r3"]


def test_csv_bad_delimiter():
    with pytest.raises(ValueError):
        read_csv(FIXTURES / "akhbar.csv", delimiter=";;")


# ---------------------------------------------------------------- read_article_text

EXPECTED_TEXTS = {
    "maarad-alkitab": {
        "id": "maarad-alkitab",
        "headline": "افتتاح الدورة الجديدة لمعرض الكتاب في المدينة",
        "body": "افتُتِحَت صباح اليوم الدورة الجديدة لمعرض الكتاب بمشاركة مئة وعشرين دار نشر "
                "من بلدان عربية وأجنبية.\n\n"
                "وقال مدير المعرض إنّ برنامج هذا العام يضم ندوات عن الترجمة وأدب الطفل، إلى "
                "جانب أمسيات شعرية يومية.\n\n"
                "ويستمر المعرض عشرة أيام، ويُفتح للزوار من العاشرة صباحاً حتى التاسعة مساءً.",
        "date": "2024-02-11 09:30",
        "source": "وكالة الأنباء المحلية",
        "tags": ["ثقافة", "كتب", "معارض"],
    },
    "taqs-amtar": {
        "id": "taqs-amtar",
        "headline": "توقعات بأمطار غزيرة على المناطق الساحلية",
        "body": "حذّرت هيئة الأرصاد من أمطار غزيرة تبدأ مساء الأربعاء وتستمر حتى صباح الجمعة."
                "\n\nودعت الهيئة السائقين إلى تجنّب الطرق المنخفضة، مشيرةً إلى احتمال تشكّل "
                "سيول في الأودية.",
        "date": "الثلاثاء ١٢ مارس ٢٠٢٤",
        "source": "هيئة الأرصاد",
    },
    "nihai-alkas": {
        "id": "nihai-alkas",
        "headline": "الفريق الأزرق يحرز لقب الكأس بعد ركلات الترجيح",
        "body": "أحرز الفريق الأزرق لقب الكأس بعد فوزه بركلات الترجيح إثر تعادل مثير بهدفين "
                "لمثلهما.\n\nوتألّق حارس المرمى الشاب بتصدّيه لركلتين، ليقود فريقه إلى أول لقب "
                "منذ تسع سنوات.\n\n#CupFinal #BlueTeam",
        "date": "05/05/2024",
        "source": "القسم الرياضي",
        "tags": ["كرة القدم", "الكأس", "ركلات الترجيح"],
    },
    "asaar-albun": {
        "id": "asaar-albun",
        "headline": "ارتفاع أسعار البن في الأسواق العالمية",
        "body": "ارتفعت أسعار البن للشهر الثالث على التوالي بسبب موجة جفاف أصابت مناطق الزراعة."
                "\n\nويتوقع التجار أن تنعكس الزيادة على أسعار المقاهي خلال الصيف.",
        "date": "الأحد 3 مارس 2024",
        "source": "نشرة الأسواق",
        "tags": ["اقتصاد", "أسعار", "قهوة"],
    },
    "hamlat-almashi": {
        "id": "hamlat-almashi",
        "headline": "حملة لتشجيع المشي اليومي بين الموظفين",
        "body": "أطلقت البلدية حملة تدعو الموظفين إلى المشي ثلاثين دقيقة يومياً.",
        "tags": ["صحة", "رياضة"],
    },
}

#: A word that only occurs in each fixture's "read also" teaser.
TEASER_WORDS = {"maarad-alkitab": "الإسفنج", "taqs-amtar": "البحيرة", "asaar-albun": "العسل",
                "hamlat-almashi": "الكورنيش"}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEXTS))
def test_text_fixture(name):
    record = read_article_text(TEXTS / f"{name}.txt")
    assert record == EXPECTED_TEXTS[name]
    assert list(record) == [f for f in ARTICLE_FIELDS if f in record]


@pytest.mark.parametrize("name", sorted(TEASER_WORDS))
def test_teaser_of_another_article_is_never_read(name):
    path = TEXTS / f"{name}.txt"
    assert TEASER_WORDS[name] in path.read_text(encoding="utf-8-sig")   # the word is there...
    record = read_article_text(path)
    assert TEASER_WORDS[name] not in all_values(record)                 # ...but not read


def test_text_fixture_files_use_the_intended_layouts():
    raw = (TEXTS / "asaar-albun.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "المصـــدر" in (TEXTS / "taqs-amtar.txt").read_text(encoding="utf-8")


def test_text_accepts_str_path_pathlike_and_text():
    path = TEXTS / "nihai-alkas.txt"
    expected = EXPECTED_TEXTS["nihai-alkas"]
    assert read_article_text(str(path)) == expected
    assert read_article_text(path) == expected
    from_text = read_article_text(path.read_text(encoding="utf-8"))
    assert {k: v for k, v in from_text.items() if k != "id"} == \
        {k: v for k, v in expected.items() if k != "id"}


def test_text_id_is_a_stable_hash():
    text = "عنوان قصير\nفقرة واحدة فقط.\n"
    record = read_article_text(text)
    assert record["id"] == "text-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    assert read_article_text(text)["id"] == record["id"]
    assert read_article_text(text.replace("\n", "\r\n"))["id"] == record["id"]
    assert read_article_text("عنوان آخر\nفقرة واحدة فقط.\n")["id"] != record["id"]


def body_of(*lines: str) -> dict:
    return read_article_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("label", [
    "تاريخ النشر:", "تاريخ النشر :", "تاريـــخ النشر:", "تَارِيخُ النَّشْرِ:",
    "تاريخ النشر：", "\u200fتاريخ  النشر:", "- تاريخ النشر:",
])
def test_date_label_variants(label):
    record = body_of("عنوان الخبر", f"{label} 2024-06-01 10:15", "فقرة الخبر.")
    assert record["date"] == "2024-06-01 10:15"
    assert record["body"] == "فقرة الخبر."


@pytest.mark.parametrize("label", [
    "المصدر:", "المصـدر :", "المَصْدَر：", "• المصدر:", "ألمصدر:",
])
def test_source_label_variants(label):
    record = body_of("عنوان الخبر", "فقرة الخبر.", f"{label} إذاعة المدينة")
    assert record["source"] == "إذاعة المدينة"
    assert record["body"] == "فقرة الخبر."


@pytest.mark.parametrize("label", [
    "كلمات دلالية:", "كلمات دلاليه:", "كلمـات دلاليّة：", "الكلمات الدلالية:",
    "كَلِمَاتٌ دَلَالِيَّةٌ :", "كلمات مفتاحية:",
])
def test_tags_label_variants(label):
    record = body_of("عنوان الخبر", "فقرة الخبر.", f"{label} نقل، قطارات")
    assert record["tags"] == ["نقل", "قطارات"]
    assert record["body"] == "فقرة الخبر."


@pytest.mark.parametrize("teaser", [
    "إقرأ أيضاً:", "إقرأ أيضاً", "اقرأ أيضا:", "اقرأ أيضا", "إقرأ أيضا", "اقرا ايضا",
    "اقرا ايضا:", "إقـرأ أيضـاً :", "اقرأ أيضًا：", "اقْرَأْ أَيْضاً", "» اقرأ أيضاً:",
    "اقرأ أيضاً: الإسفنج في المتحف", "اقرأ أيضاً الإسفنج في المتحف",
])
def test_teaser_label_variants_end_the_article(teaser):
    record = body_of("عنوان الخبر", "فقرة الخبر.", "المصدر: الموقع",
                     teaser, "صيادو الإسفنج يعودون إلى الميناء", "فقرة عن الإسفنج.",
                     "المصدر: موقع آخر", "كلمات دلالية: بحر")
    assert record == {"id": record["id"], "headline": "عنوان الخبر", "body": "فقرة الخبر.",
                      "source": "الموقع"}


def test_teaser_right_after_the_body_without_furniture():
    record = body_of("عنوان الخبر", "الفقرة الأولى.", "الفقرة الثانية.", "اقرأ أيضا",
                     "عنوان الإسفنج", "نص الإسفنج.")
    assert record["body"] == "الفقرة الأولى.\n\nالفقرة الثانية."
    assert "الإسفنج" not in all_values(record)


def test_words_like_labels_inside_the_body_stay_in_the_body():
    record = body_of("السياحة في الجبال",
                     "المصدر الرئيسي للدخل في القرية هو السياحة.",
                     "ويمكن للزوار أن يقرؤوا أيضاً لوحات عن تاريخ المنطقة.",
                     "اقرأ أيضاتك: ليست عبارة الإحالة.",
                     "تاريخ النشر الأول للكتاب كان قديماً.")
    assert record["body"].split("\n\n") == [
        "المصدر الرئيسي للدخل في القرية هو السياحة.",
        "ويمكن للزوار أن يقرؤوا أيضاً لوحات عن تاريخ المنطقة.",
        "اقرأ أيضاتك: ليست عبارة الإحالة.",
        "تاريخ النشر الأول للكتاب كان قديماً."]
    assert "date" not in record and "source" not in record


def test_furniture_in_any_order_and_page_chrome_after_it():
    record = body_of("عنوان", "", "فقرة أولى.", "", "فقرة ثانية.", "",
                     "كلمات دلالية: أ، ب", "شارك الخبر", "المصدر: مراسلنا",
                     "تاريخ النشر: أمس", "جميع الحقوق محفوظة")
    assert record == {"id": record["id"], "headline": "عنوان",
                      "body": "فقرة أولى.\n\nفقرة ثانية.", "date": "أمس",
                      "source": "مراسلنا", "tags": ["أ", "ب"]}


def test_furniture_before_the_body_does_not_end_it():
    record = body_of("عنوان", "المصدر: مراسلنا", "تاريخ النشر: اليوم", "فقرة أولى.",
                     "فقرة ثانية.")
    assert record["source"] == "مراسلنا" and record["date"] == "اليوم"
    assert record["body"] == "فقرة أولى.\n\nفقرة ثانية."


def test_labels_alone_take_the_next_lines():
    record = body_of("عنوان", "تاريخ النشر", "الخميس", "فقرة.", "كلمات دلالية:",
                     "مدن", "قرى، أرياف", "", "المصدر:", "مكتب الأخبار")
    assert record["date"] == "الخميس"
    assert record["tags"] == ["مدن", "قرى", "أرياف"]
    assert record["source"] == "مكتب الأخبار"
    assert record["body"] == "فقرة."


@pytest.mark.parametrize("tags, expected", [
    ("كلمات دلالية: سفر طيران", ["سفر طيران"]),
    ("كلمات دلالية: زلزال المغرب | إعادة الإعمار", ["زلزال المغرب", "إعادة الإعمار"]),
    ("كلمات دلالية: سفر؛ طيران", ["سفر", "طيران"]),
    ("كلمات دلالية: سفر، طيران مدني", ["سفر", "طيران مدني"]),
    ("كلمات دلالية: سفر, طيران", ["سفر", "طيران"]),
    ("كلمات دلالية: #سفر #Travel", ["سفر", "Travel"]),
    ("كلمات دلالية: سفر، سفر", ["سفر"]),
])
def test_text_tag_separators(tags, expected):
    assert body_of("عنوان", "فقرة.", tags)["tags"] == expected


def test_text_without_furniture_or_body():
    assert body_of("عنوان وحده") == {"id": body_of("عنوان وحده")["id"], "headline": "عنوان وحده"}


@pytest.mark.parametrize("text", [
    "\n\n   \n",
    "\n".join(["المصدر: مراسلنا", "كلمات دلالية: شيء", ""]),
    "\n".join(["إقرأ أيضاً:", "عنوان خبر آخر", "نص خبر آخر", ""]),
])
def test_text_without_a_headline_raises(text):
    with pytest.raises(DocumentError, match="no headline") as info:
        read_article_text(text)
    assert info.value.record.startswith("text-")


def test_text_file_errors(tmp_path):
    with pytest.raises(DocumentError, match="no such file"):
        read_article_text("لا-يوجد.txt")
    with pytest.raises(DocumentError, match="no such file"):
        read_article_text(tmp_path / "absent.txt")
    empty = tmp_path / "faregh.txt"
    empty.write_text("\ufeff\n\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no headline") as info:
        read_article_text(empty)
    assert info.value.record == "faregh"
    legacy = tmp_path / "qadim.txt"
    legacy.write_bytes("عنوان قديم\nنص قديم\n".encode("cp1256"))
    with pytest.raises(DocumentError, match="UTF-8"):
        read_article_text(legacy)


# ---------------------------------------------------------------- read_articles

def make_tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".cache").mkdir()
    (root / "a" / "2.txt").write_text("خبر أ-2\nنص.\n", encoding="utf-8")
    (root / "a" / "1.txt").write_text("خبر أ-1\nنص.\n", encoding="utf-8")
    (root / "a" / "z.tsv").write_text("id\theadline\ntsv1\tخبر من ملف مفصول بجدولة\n",
                                      encoding="utf-8")
    write_jsonl(root / "a.JSONL", [{"id": "jl1", "title": "خبر من jsonl"}])
    write_jsonl(root / "b" / "x.ndjson", [{"id": "nd1", "title": "خبر من ndjson"},
                                          {"id": "nd2", "title": "خبر ثان من ndjson"}])
    (root / "c.csv").write_text("id,title\ncsv1,خبر من csv\n", encoding="utf-8")
    (root / "data.json").write_text('[{"id": "js1", "title": "خبر من json"}]',
                                    encoding="utf-8")
    (root / "Thumbs.db").write_bytes(b"\x00\x01")
    (root / ".cache" / "hidden.txt").write_text("خبر مخفي\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("خبر مخفي آخر\n", encoding="utf-8")


def test_folders_are_walked_in_sorted_order_and_dispatched_by_extension(tmp_path):
    make_tree(tmp_path)
    ids = [r["id"] for r in read_articles(tmp_path)]
    # root entries sorted by name: a/ a.JSONL b/ c.csv data.json (hidden entries and
    # Thumbs.db passed over); a .txt found in a folder is named by its path inside the folder
    assert ids == ["a/1", "a/2", "tsv1", "jl1", "nd1", "nd2", "csv1", "js1"]


def test_text_files_with_one_name_in_two_subfolders_keep_distinct_ids(tmp_path):
    for folder in ("2023", "2024"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "flood.txt").write_text(
            f"فيضانات عام {folder}\n\nهطلت أمطار غزيرة على المدينة.\n", encoding="utf-8")
    assert [r["id"] for r in read_articles(tmp_path)] == ["2023/flood", "2024/flood"]


def test_read_articles_maps_fields_of_jsonl_and_csv(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"id": "j", "titre": "عنوان"}\n', encoding="utf-8")
    (tmp_path / "y.csv").write_text("id,titre\nc,عنوان آخر\n", encoding="utf-8")
    records = list(read_articles(tmp_path, fields={"headline": "titre"}))
    assert [(r["id"], r["headline"]) for r in records] == [("j", "عنوان"), ("c", "عنوان آخر")]


def test_read_articles_keeps_the_order_of_its_sources(tmp_path):
    make_tree(tmp_path)
    ids = [r["id"] for r in read_articles(tmp_path / "c.csv", tmp_path / "a",
                                          str(tmp_path / "b" / "x.ndjson"))]
    assert ids == ["csv1", "1", "2", "tsv1", "nd1", "nd2"]


def test_read_articles_on_the_fixture_folders():
    texts = list(read_articles(TEXTS))
    assert [r["id"] for r in texts] == sorted(EXPECTED_TEXTS)
    assert texts == [EXPECTED_TEXTS[name] for name in sorted(EXPECTED_TEXTS)]
    assert [r["id"] for r in read_articles(FIXTURES / "akhbar.csv")][0] == "c1"


def test_read_articles_rejects_bad_sources_before_reading(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "notes.md").write_text("# ملاحظات\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="unsupported extension '.md'"):
        read_articles(tmp_path / "c.csv", tmp_path / "notes.md")
    with pytest.raises(ArsearchError, match="no such file or folder"):
        read_articles(tmp_path / "a", tmp_path / "absent")


def test_read_articles_errors_raise_and_skip(tmp_path):
    (tmp_path / "1-good.txt").write_text("خبر جيد\nنص.\n", encoding="utf-8")
    (tmp_path / "2-empty.txt").write_text("\n\n", encoding="utf-8")
    (tmp_path / "3-broken.jsonl").write_text(
        json.dumps({"id": "ok", "title": "سليم"}) + "\n{كسر\n", encoding="utf-8")
    (tmp_path / "4-nocols.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "5-last.txt").write_text("خبر أخير\nنص.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no headline"):
        list(read_articles(tmp_path))
    records = read_articles(tmp_path, errors="skip")
    assert [r["id"] for r in records] == ["1-good", "ok", "5-last"]
    assert records.skip_count == 3
    assert [e.record for e in records.skipped[:2]] == \
        ["2-empty", f"{tmp_path / '3-broken.jsonl'}:2"]
    assert "has no id column" in str(records.skipped[2])


def test_read_articles_dash_is_jsonl_on_stdin(monkeypatch):
    data = json.dumps({"id": "s1", "title": "من المدخل القياسي"}, ensure_ascii=False) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8"))))
    assert list(read_articles("-")) == [{"id": "s1", "headline": "من المدخل القياسي"}]


def test_records_context_manager_and_repr(tmp_path):
    p = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)])
    with read_jsonl(p, errors="skip") as records:
        assert next(records)["id"] == "n1"
    assert next(records, None) is None
    assert "skip" in repr(records)
