"""Behaviour of the ``arsearch`` command line, run in-process through
``arsearch.cli.main(argv, out=...)``, plus one real subprocess."""

from __future__ import annotations

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


def test_index_skip_errors_reports_what_was_skipped(tmp_path, fixtures_dir, capsys):
    code, out = run("index", str(fixtures_dir / "broken.jsonl"), "--index",
                    str(tmp_path / "ix"), "--quiet", "--skip-errors")
    assert code == 0
    assert out.startswith("indexed 3 articles")
    err = capsys.readouterr().err
    assert err.count("skipped: ") == 3
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
    ["search", "خبر", "--index", "{index}", "--limit", "0"],
    ["search", "خبر", "--index", "{index}", "--page", "0"],
    ["search", "خبر", "--index", "{index}", "--since", "ليس تاريخاً"],
    ["index", "{tmp}/nothing.jsonl", "--index", "{tmp}/new", "--quiet"],
    ["index", "{fixtures}/broken.jsonl", "--index", "{tmp}/new", "--quiet"],
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
