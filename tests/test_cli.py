"""Behaviour of the ``arsearch`` command line, run in-process through
``arsearch.cli.main(argv, out=...)``, plus one real subprocess."""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import subprocess
import sys

import pytest

import arsearch
from arsearch.cli import DEMO_QUERIES, main

FIXTURE_COUNTS = {"akhbar.jsonl": 8, "akhbar.csv": 6, "text": 5}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, fixtures_dir):
    """An index built by ``arsearch index`` from the JSONL, CSV and text fixtures."""
    target = tmp_path_factory.mktemp("cli") / "ix"
    code, out = run("index", str(fixtures_dir / "akhbar.jsonl"), str(fixtures_dir / "akhbar.csv"),
                    str(fixtures_dir / "text"), "--index", str(target), "--quiet")
    assert code == 0, out
    assert out.startswith(f"indexed {sum(FIXTURE_COUNTS.values())} articles into {target}")
    return target


# ---------------------------------------------------------------- index


@pytest.mark.parametrize("source", list(FIXTURE_COUNTS))
def test_index_files_and_folders(tmp_path, fixtures_dir, source):
    target = tmp_path / "ix"
    code, out = run("index", str(fixtures_dir / source), "--index", str(target), "--quiet")
    assert code == 0
    n = FIXTURE_COUNTS[source]
    assert out == f"indexed {n} articles into {target} ({n} articles in the index, +{n})\n"
    with arsearch.Index(target) as ix:
        assert len(ix) == n


def test_indexing_again_updates_in_place(tmp_path, fixtures_dir):
    target = str(tmp_path / "ix")
    run("index", str(fixtures_dir / "akhbar.csv"), "--index", target, "--quiet")
    code, out = run("index", str(fixtures_dir / "akhbar.csv"), str(fixtures_dir / "akhbar.jsonl"),
                    "--index", target, "--quiet", "--batch-size", "3")
    assert code == 0
    assert "(14 articles in the index, +8)" in out


def test_index_skip_errors_prints_a_summary(tmp_path, fixtures_dir, capsys):
    code, out = run("index", str(fixtures_dir / "broken.jsonl"), "--index",
                    str(tmp_path / "ix"), "--quiet", "--skip-errors")
    assert code == 0
    assert out.startswith("indexed 3 articles")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "skipped 3 records:"
    assert len(lines) == 4 and all(line.startswith("  record ") for line in lines[1:])
    assert "broken.jsonl:3" in err and "b5" in err


# ---------------------------------------------------------------- search


def test_search_prints_ranked_hits(index_dir):
    code, out = run("search", "البرلمان", "--index", str(index_dir))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1 result (page 1 of 1)"
    assert "البرلمان يناقش قانون الإيجارات الجديد" in out
    assert "[j1]" in out
    assert "[البرلمان]" in out                      # matches marked, no ANSI codes in a file
    assert "\033[" not in out and "\u200f" not in out
    assert "https://example.com/news/j1" in out


def test_search_json(index_dir):
    code, out = run("search", "المياه", "--index", str(index_dir), "--json", "--limit", "2")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "المياه"
    assert data["total"] >= 3 and data["pages"] == -(-data["total"] // 2)
    assert data["page"] == 1 and len(data["hits"]) == 2
    hit = data["hits"][0]
    assert {"id", "score", "headline", "snippet", "date", "source", "tags", "url"} <= set(hit)


@pytest.mark.parametrize("options, expected", [
    (["--source", "شركة المياه"], ["c4"]),
    (["--source", "شركة المياه", "--source", "مكتب المدينة"], ["c1", "c4"]),
    (["--tag", "تعليم"], ["c5", "j6"]),
    (["--tag", "تعليم", "--tag", "علوم"], ["c5"]),
    (["--since", "2024-03-02", "--until", "2024-03-04"], ["asaar-albun", "c2", "c3", "c4"]),
])
def test_search_filters(index_dir, options, expected):
    code, out = run("search", "", "--index", str(index_dir), "--json", "--limit", "50",
                    *options)
    assert code == 0
    assert sorted(h["id"] for h in json.loads(out)["hits"]) == expected


def test_search_pages(index_dir):
    pages = [json.loads(run("search", "المياه", "--index", str(index_dir), "--json",
                            "--limit", "1", "--page", str(p))[1]) for p in (1, 2, 3)]
    ids = [h["id"] for page in pages for h in page["hits"]]
    assert len(ids) == len(set(ids)) == 3


# ---------------------------------------------------------------- stats, analyze, more-like


def test_stats(index_dir):
    code, out = run("stats", "--index", str(index_dir))
    assert code == 0
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["articles"] == "19"
    code, out = run("stats", "--index", str(index_dir), "--json")
    data = json.loads(out)
    assert data["articles"] == 19
    assert data["top_sources"]["هيئة الأرصاد"] == 1
    assert data["newest"].startswith("2024-05-05")


def test_analyze_shows_original_normalized_and_stem():
    code, out = run("analyze", "بالمفاوضاتِ والإمارات")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["original", "normalized", "stem", "kind"]
    for word in ("بالمفاوضاتِ", "والإمارات"):
        stem = arsearch.analyze(word)[0]
        assert any(row.split()[:3] == [word, arsearch.normalize(word), stem] for row in rows)


def test_analyze_json_and_stopwords():
    code, out = run("analyze", "من المستشفى", "--json")
    assert code == 0
    tokens = json.loads(out)
    assert [t["original"] for t in tokens] == ["من", "المستشفى"]
    assert tokens[0]["terms"] == [] and tokens[1]["terms"] == arsearch.analyze("المستشفى")
    code, out = run("analyze", "من المستشفى")
    assert "(stopword)" in out


def test_more_like(index_dir):
    code, out = run("more-like", "j6", "--index", str(index_dir), "--json")
    assert code == 0
    ids = [h["id"] for h in json.loads(out)]
    assert ids and "j6" not in ids
    code, out = run("more-like", "j6", "--index", str(index_dir))
    assert code == 0 and "[j6]" not in out


# ---------------------------------------------------------------- demo


def test_demo_runs_every_example_query():
    code, out = run("demo")
    assert code == 0
    assert f"{len(arsearch.load_sample())} sample articles indexed" in out
    for query, why in DEMO_QUERIES:
        assert f"query: {query}" in out and why in out
    assert out.count("result") >= len(DEMO_QUERIES)


def test_demo_with_a_query():
    code, out = run("demo", "الطاقة الشمسية", "--limit", "2")
    assert code == 0
    assert "query: الطاقة الشمسية" in out
    assert out.count("\n  1. ") == 1 and out.count("\n  2. ") == 1 and "\n  3. " not in out
    assert "«" in out


@pytest.mark.slow
def test_demo_in_a_real_subprocess():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "arsearch.cli", "demo"], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "sample articles indexed in memory" in done.stdout
    assert all(f"query: {q}" in done.stdout for q, _ in DEMO_QUERIES)
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("argv", [
    ["search", "خبر", "--index", "{tmp}/missing"],
    ["search", "خبر", "--index", "{tmp}/empty"],
    ["stats", "--index", "{tmp}/missing"],
    ["more-like", "j1", "--index", "{tmp}/missing"],
    ["more-like", "no-such-id", "--index", "{index}"],
    ["search", "خبر", "--index", "{index}", "--since", "ليس تاريخاً"],
    ["index", "{tmp}/nothing.jsonl", "--index", "{tmp}/new", "--quiet"],
    ["index", "{fixtures}/akhbar.jsonl", "--index", "{fixtures}/akhbar.csv", "--quiet"],
])
def test_errors_exit_1_with_a_message_and_no_traceback(tmp_path, index_dir, fixtures_dir,
                                                       capsys, argv):
    (tmp_path / "empty").mkdir()
    argv = [a.format(tmp=tmp_path, index=index_dir, fixtures=fixtures_dir) for a in argv]
    code, out = run(*argv)
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("arsearch: error: ")
    assert "Traceback" not in err and "Traceback" not in out
    assert len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- every exit path
#
# Each test runs a command as a user would, and checks the exit code and that
# the message names the cause (the file, the line, the key, the fix).


def fail(capsys, *argv: str, code: int = 1) -> str:
    """Run a command that must fail; its stderr, after checking that it
    printed nothing on stdout and no traceback."""
    got, out = run(*argv)
    err = capsys.readouterr().err
    assert got == code, (got, out, err)
    assert out == ""
    assert "Traceback" not in err
    if code == 1:
        assert "arsearch: error: " in err
    return err


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return str(path)


def jsonl(path, records) -> str:
    return write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


SNN = [{"id": f"s{i}", "title": f"عنوان الخبر {i}", "text": "نص الخبر عن المدينة.",
        "date": "2024-01-0%d" % (i % 9 + 1)} for i in range(30)]


def test_index_field_naming_a_key_no_record_has(tmp_path, capsys):
    snn = jsonl(tmp_path / "snn.jsonl", SNN)
    err = fail(capsys, "index", snn, "--index", str(tmp_path / "ix"), "--quiet",
               "--field", "headline=titel")
    assert "--field headline=titel: no record of" in err and "snn.jsonl" in err
    assert "its keys are: id, title, text, date" in err
    assert "without this --field, headline is read from 'title', which it has" in err
    assert not (tmp_path / "ix").exists()           # no index made for nothing
    own = jsonl(tmp_path / "own.jsonl", [{"id": "o1", "titre": "عنوان", "matn": "نص"}])
    err = fail(capsys, "index", own, "--index", str(tmp_path / "ix"), "--quiet",
               "--field", "headline=titr", "--field", "body=matn")
    assert "did you mean --field headline=titre?" in err


def test_index_field_naming_a_column_a_csv_lacks(tmp_path, capsys):
    csv = write(tmp_path / "akhbar.csv", "id,title,text\nc1,عنوان,نص\n")
    err = fail(capsys, "index", csv, "--index", str(tmp_path / "ix"), "--quiet",
               "--field", "body=txt")
    assert "--field body=txt: " in err and "akhbar.csv has no column 'txt'" in err
    assert "its columns are: id, title, text" in err
    assert "without this --field, body is read from 'text'" in err


def test_index_id_field_typo_with_skip_errors_is_no_success(tmp_path, capsys):
    snn = jsonl(tmp_path / "snn.jsonl", SNN)
    err = fail(capsys, "index", snn, "--index", str(tmp_path / "ix"), "--quiet",
               "--field", "id=ident", "--skip-errors")
    lines = err.splitlines()
    # a summary, not one line per record
    assert lines[0] == "skipped 1 record:" and len(lines) == 3
    assert "--field id=ident: no record of" in lines[1]
    assert "without this --field, id is read from 'id', which it has" in lines[1]
    assert lines[2].startswith("arsearch: error: nothing indexed: everything read from")


def test_index_csv_without_article_columns_shows_the_fix(tmp_path, capsys):
    csv = write(tmp_path / "akhbar.csv", "المعرف,العنوان,النص,التاريخ\n1,خبر,نص,2024-01-01\n")
    err = fail(capsys, "index", csv, "--index", str(tmp_path / "ix"), "--quiet")
    assert "no column of" in err and "akhbar.csv is an article id" in err
    assert "its columns are: المعرف, العنوان, النص, التاريخ" in err
    assert ("--field id=المعرف --field headline=العنوان --field body=النص "
            "--field date=التاريخ") in err
    code, out = run("index", csv, "--index", str(tmp_path / "ix"), "--quiet",
                    "--field", "id=المعرف", "--field", "headline=العنوان", "--field", "body=النص",
                    "--field", "date=التاريخ")
    assert code == 0 and out.startswith("indexed 1 article ")


def test_index_csv_with_an_unclosed_quote_names_the_line(tmp_path, capsys):
    csv = write(tmp_path / "open.csv", 'id,title\nc1,"عنوان لا ينتهي\nc2,ثان\nc3,ثالث\n')
    err = fail(capsys, "index", csv, "--index", str(tmp_path / "ix"), "--quiet")
    assert "open.csv:2" in err and "quoted cell opened on line 2 is never closed" in err
    assert "nothing was indexed" in err


@pytest.mark.parametrize("content, cause", [
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00", "Excel .xlsx workbook"),
    ("id,title\nw1,خبر قديم\n".encode("cp1256"), "not UTF-8"),
    ("id,title\nu1,خبر\n".encode("utf-16"), "UTF-16"),
])
def test_index_binary_or_legacy_csv_says_so(tmp_path, capsys, content, cause):
    (tmp_path / "x.csv").write_bytes(content)
    err = fail(capsys, "index", str(tmp_path / "x.csv"), "--index", str(tmp_path / "ix"),
               "--quiet")
    assert cause in err and "x.csv" in err


def test_index_nothing_to_index_is_an_error(tmp_path, capsys):
    empty = write(tmp_path / "empty.jsonl", "\n\n")
    err = fail(capsys, "index", empty, "--index", str(tmp_path / "ix"), "--quiet")
    assert "nothing indexed" in err and "empty.jsonl holds no articles" in err
    assert not (tmp_path / "ix").exists()
    (tmp_path / "folder").mkdir()
    err = fail(capsys, "index", str(tmp_path / "folder"), "--index", str(tmp_path / "ix"),
               "--quiet")
    assert "folder with no file to read" in err


def test_index_folder_of_json_files(tmp_path, capsys):
    folder = tmp_path / "jsondir"
    folder.mkdir()
    for i in range(3):
        write(folder / f"{i}.json", json.dumps(SNN[i], ensure_ascii=False))
    code, out = run("index", str(folder), "--index", str(tmp_path / "ix"), "--quiet")
    assert code == 0 and out.startswith("indexed 3 articles")


def test_index_folder_with_files_it_cannot_read(tmp_path, capsys):
    folder = tmp_path / "akhbar"
    folder.mkdir()
    jsonl(folder / "a.jsonl", SNN[:2])
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    err = fail(capsys, "index", str(folder), "--index", str(tmp_path / "ix"), "--quiet")
    assert "cannot read 1 file" in err and "report.pdf (unsupported extension '.pdf')" in err
    code, out = run("index", str(folder), "--index", str(tmp_path / "ix"), "--quiet",
                    "--skip-errors")
    assert code == 0 and out.startswith("indexed 2 articles")
    err = capsys.readouterr().err
    assert err.startswith("skipped 1 record:") and "report.pdf" in err


def test_index_stops_at_a_broken_record_and_says_what_was_kept(tmp_path, fixtures_dir, capsys):
    err = fail(capsys, "index", str(fixtures_dir / "broken.jsonl"), "--index",
               str(tmp_path / "ix"), "--quiet")
    first, second = err.splitlines()
    assert "broken.jsonl:3" in first and "not valid JSON" in first
    assert second == ("arsearch: the 1 article read before it is indexed; --skip-errors skips "
                      "broken records")
    assert arsearch.Index(tmp_path / "ix").ids() == ["b1"]


def test_index_skip_summary_is_capped(tmp_path, capsys):
    rows = [{"id": f"r{i}", "headline": "خبر", "date": "ليس تاريخاً"} for i in range(12)]
    rows.append({"id": "ok", "headline": "خبر سليم"})
    code, out = run("index", jsonl(tmp_path / "d.jsonl", rows), "--index", str(tmp_path / "ix"),
                    "--quiet", "--skip-errors")
    err = capsys.readouterr().err
    assert code == 0 and out.startswith("indexed 1 article ")
    lines = err.splitlines()
    assert lines[0] == "skipped 12 records:" and lines[-1] == "  … and 7 more"
    assert len(lines) == 7 and "could not parse date" in lines[1]


def test_index_every_record_skipped_is_an_error(tmp_path, capsys):
    rows = [{"id": f"r{i}", "headline": "خبر", "date": "الأسبوع الماضي"} for i in range(3)]
    err = fail(capsys, "index", jsonl(tmp_path / "d.jsonl", rows), "--index",
               str(tmp_path / "ix"), "--quiet", "--skip-errors")
    assert err.startswith("skipped 3 records:")
    assert "nothing indexed: everything read from" in err and "d.jsonl was skipped" in err


def test_index_keeps_extra_fields_unless_told(tmp_path, capsys):
    rows = [dict(SNN[0], author="سلمى", category="محليات")]
    src = jsonl(tmp_path / "x.jsonl", rows)
    assert run("index", src, "--index", str(tmp_path / "a"), "--quiet")[0] == 0
    assert arsearch.Index(tmp_path / "a").get("s0")["author"] == "سلمى"
    assert run("index", src, "--index", str(tmp_path / "b"), "--quiet", "--no-extra")[0] == 0
    assert "author" not in arsearch.Index(tmp_path / "b").get("s0")
    assert run("index", src, "--index", str(tmp_path / "c"), "--quiet",
               "--field", "writer=author", "--field", "category=")[0] == 0
    stored = arsearch.Index(tmp_path / "c").get("s0")
    assert stored["writer"] == "سلمى" and "category" not in stored and "author" not in stored


@pytest.mark.parametrize("field, cause", [
    ("headlin=title", "'headlin' in --field is not an article field; did you mean 'headline'?"),
    ("headline", "--field takes FIELD=KEY"),
])
def test_index_bad_field_option(tmp_path, capsys, field, cause):
    src = jsonl(tmp_path / "x.jsonl", SNN[:1])
    err = fail(capsys, "index", src, "--index", str(tmp_path / "ix"), "--field", field)
    assert cause in err


def test_index_html_pages(tmp_path, fixtures_dir, capsys):
    code, out = run("index", str(fixtures_dir / "html"), "--index", str(tmp_path / "ix"),
                    "--quiet", "--skip-errors")
    assert code == 0 and out.startswith("indexed 2 articles")
    assert "links-only" in capsys.readouterr().err


def test_index_html_without_trafilatura_names_the_extra(tmp_path, fixtures_dir, capsys,
                                                          monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_trafilatura(name, *args, **kwargs):
        if name.startswith("trafilatura"):
            raise ImportError("No module named 'trafilatura'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_trafilatura)
    err = fail(capsys, "index", str(fixtures_dir / "html"), "--index", str(tmp_path / "ix"))
    assert "pip install 'arsearch[html]'" in err


def test_index_progress_counts_committed_articles(tmp_path, monkeypatch):
    """The bar's total is counted first; it moves by whole committed batches,
    never past what is committed, and ends at the number indexed."""
    import arsearch.cli as cli

    rows = [dict(SNN[0], id=f"p{i}") for i in range(25)] + [{"id": "bad", "date": "x"}]
    src = jsonl(tmp_path / "p.jsonl", rows)
    seen = []
    real_add = arsearch.Index.add

    def spying_add(self, articles, **kw):
        def watch():
            for article in articles:
                seen.append((bars[0].n, len(self)))   # shown vs committed, before each take
                yield article
        return real_add(self, watch(), **kw)

    bars = []
    real_bar = cli.progress_bar

    def recording_bar(*a, **kw):
        bars.append(real_bar(*a, **{**kw, "file": io.StringIO()}))
        return bars[-1]

    monkeypatch.setattr(arsearch.Index, "add", spying_add)
    monkeypatch.setattr(cli, "progress_bar", recording_bar)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    code, out = run("index", src, "--index", str(tmp_path / "ix"), "--batch-size", "10",
                    "--skip-errors")
    assert code == 0 and out.startswith("indexed 25 articles")
    bar = bars[0]
    assert bar.n == bar.total == 25                  # 26 counted, the bad one taken off
    assert all(shown <= committed for shown, committed in seen)
    assert {shown for shown, _ in seen} == {0, 10, 20}


# ---------------------------------------------------------------- search and more-like paths


def test_search_query_starting_with_a_dash(index_dir):
    code, out = run("search", "-المياه", "--index", str(index_dir), "--json", "--limit", "50")
    assert code == 0
    ids = {h["id"] for h in json.loads(out)["hits"]}
    with_water = {h["id"] for h in json.loads(run("search", "المياه", "--index", str(index_dir),
                                                  "--json", "--limit", "50")[1])["hits"]}
    assert ids and not ids & with_water
    assert run("search", "--index", str(index_dir), "--json", "--", "-المياه")[1] == \
        run("search", "-المياه", "--index", str(index_dir), "--json")[1]


def test_search_page_past_the_last(index_dir, capsys):
    err = fail(capsys, "search", "المياه", "--index", str(index_dir), "--page", "9")
    assert "page 9 is past the last page: 3 results make 1 page of 10" in err


def test_search_since_after_until(index_dir, capsys):
    err = fail(capsys, "search", "", "--index", str(index_dir), "--since", "2024-05-01",
               "--until", "2024-04-01")
    assert "--since 2024-05-01 is later than --until 2024-04-01" in err
    # the same day is a range: --until without a time means the whole day
    assert run("search", "", "--index", str(index_dir), "--since", "2024-03-02 10:00",
               "--until", "2024-03-02")[0] == 0


def test_search_too_long_a_query_points_to_more_like_text(index_dir, capsys):
    err = fail(capsys, "search", "كلمة " * 3000, "--index", str(index_dir))
    assert "15,000 characters" in err and "more-like --text" in err
    assert "Index.more_like_text" in err


def test_search_a_directory_that_is_not_an_index(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    err = fail(capsys, "search", "خبر", "--index", str(tmp_path / "notes"))
    assert "is not an arsearch index (it holds todo.txt)" in err
    assert "choose a new or empty directory" not in err


@pytest.mark.parametrize("argv, cause", [
    (["search", "خبر", "--index", "{index}", "--limit", "0"], "--limit: must be at least 1"),
    (["search", "خبر", "--index", "{index}", "--page", "0"], "--page: must be at least 1"),
    (["search", "خبر", "--index", "{index}", "--page", "x"], "expected a whole number"),
    (["index", "{index}", "--index", "{index}", "--batch-size", "0"], "must be at least 1"),
    (["demo", "--limit", "0"], "--limit: must be at least 1"),
    (["more-like", "--index", "{index}"], "give the id of an article, or --text"),
    (["more-like", "j1", "--text", "نص", "--index", "{index}"], "not both"),
])
def test_usage_errors_exit_2_before_anything_is_printed(index_dir, capsys, argv, cause):
    argv = [a.format(index=index_dir) for a in argv]
    with pytest.raises(SystemExit) as info:
        run(*argv)
    captured = capsys.readouterr()
    assert info.value.code == 2 and captured.out == ""
    assert cause in captured.err


def test_more_like_pages(index_dir, capsys):
    ix = arsearch.Index(index_dir)
    first = [h["id"] for h in json.loads(run("more-like", "j6", "--index", str(index_dir),
                                             "--json", "--limit", "2")[1])]
    if "page" in inspect.signature(ix.more_like).parameters:
        code, out = run("more-like", "j6", "--index", str(index_dir), "--json", "--limit", "2",
                        "--page", "2")
        second = [h["id"] for h in json.loads(out)]
        assert code == 0 and second and not set(first) & set(second)
        err = fail(capsys, "more-like", "j6", "--index", str(index_dir), "--page", "99")
        assert "page 99 is past the last page" in err
    else:       # until Index.more_like takes page=
        err = fail(capsys, "more-like", "j6", "--index", str(index_dir), "--page", "2")
        assert "cannot page related articles yet" in err


def test_more_like_text(index_dir, capsys, monkeypatch):
    ix = arsearch.Index(index_dir)
    text = "انقطاع المياه عن الأحياء بسبب أعمال الصيانة"
    if hasattr(ix, "more_like_text"):
        code, out = run("more-like", "--text", text, "--index", str(index_dir), "--json")
        assert code == 0 and json.loads(out)
    else:       # until Index.more_like_text exists
        err = fail(capsys, "more-like", "--text", text, "--index", str(index_dir))
        assert "needs Index.more_like_text" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO("   "))
    err = fail(capsys, "more-like", "--text", "-", "--index", str(index_dir))
    assert "--text is empty" in err


def test_help_documents_queries_starting_with_a_dash():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        with contextlib.redirect_stdout(out):
            main(["search", "--help"])
    assert "arsearch search -word" in " ".join(out.getvalue().split())
