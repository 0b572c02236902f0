"""Tests of the scale benchmark (``benchmarks/scale.py``): its ``--quick``
run reports every system and measure and leaves complete indexes, and its
parts (the article stream, the corpus cache, the id digest, the process-tree
sampler, the targets) behave as documented. They check behaviour only,
never a time."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import scale  # noqa: E402
from benchmarks.common import data_available, write_section  # noqa: E402

import arsearch  # noqa: E402

needs_data = pytest.mark.skipif(not data_available("saudinewsnet", "arwiki_qa"),
                                reason="../shared/data is absent (set ARSEARCH_DATA)")

BUILD_KEYS = {"wall_s", "cpu_s", "process_wall_s", "process_cpu_s", "articles_per_s",
              "index_bytes", "tree_peak_rss_mb", "tree_max_processes", "added"}
SEARCH_KEYS = {"open_ms", "first_query_ms", "p50_ms", "p95_ms", "p99_ms", "queries",
               "no_hit", "search_rss_mb", "doc_count", "id_digest", "complete"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One ``--quick`` run (indexes kept, Whoosh and tantivy committing
    every 100 articles so that they merge segments)."""
    if not data_available("saudinewsnet", "arwiki_qa"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    tmp = tmp_path_factory.mktemp("scale")
    out, report = tmp / "scale.json", tmp / "report.md"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--quick",
                           "--work", str(tmp / "work"), "--json", str(out), "--out", str(report),
                           "--keep", "--commit-every", "100"],
                          cwd=tmp, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {"payload": json.loads(out.read_text("utf-8")), "report": report.read_text("utf-8"),
            "stdout": done.stdout, "work": tmp / "work"}


@pytest.mark.slow
@pytest.mark.shared_data
def test_quick_run_measures_every_system_and_size(quick_run: dict) -> None:
    payload = quick_run["payload"]
    assert payload["systems"] == scale.available_systems()
    assert payload["sizes"] == list(scale.QUICK_SIZES)
    assert len(payload["queries"]) == scale.QUICK_QUERIES == len(set(payload["queries"]))
    assert payload["warmup"] not in payload["queries"]
    orders = [payload["results"][str(n)]["order"] for n in scale.QUICK_SIZES]
    assert orders[1] == scale.rotated(orders[0], 1) and sorted(orders[0]) == \
        sorted(payload["systems"])
    for n in scale.QUICK_SIZES:
        for system in payload["systems"]:
            build = payload["results"][str(n)][system]["build"]
            search = payload["results"][str(n)][system]["search"]
            assert BUILD_KEYS <= build.keys() and SEARCH_KEYS <= search.keys()
            assert build["added"] == n and search["doc_count"] == n and search["complete"]
            assert search["id_digest"] == payload["results"][str(n)]["expected_id_digest"]
            assert search["queries"] == scale.QUICK_QUERIES
            assert build["index_bytes"] > 0 and build["tree_peak_rss_mb"] > 0
            assert build["tree_max_processes"] >= 1 and search["search_rss_mb"] > 0
            assert 0 < search["p50_ms"] <= search["p95_ms"] <= search["p99_ms"]
            assert build["process_cpu_s"] >= build["cpu_s"] > 0
    targets = {t["target"] for t in payload["targets"]}
    assert {"query p50 / tantivy's", "query p95 / tantivy's", "build wall / tantivy's",
            "build CPU / plain Whoosh's", "articles/s at 200k / at 15k",
            "peak build RSS (process tree)", "search-process RSS after the queries",
            "index bytes / tantivy's", "every article present after the build"} == targets


@pytest.mark.slow
@pytest.mark.shared_data
def test_quick_run_leaves_every_article_in_each_index(quick_run: dict) -> None:
    """Reopen the kept indexes: each holds exactly the first N articles of
    the corpus the run generated."""
    work = quick_run["work"]
    corpus = scale.CorpusCache(work, scale.QUICK_REAL)
    for n in scale.QUICK_SIZES:
        expected = [a["id"] for a in scale.read_articles(corpus.articles, n)]
        assert len(set(expected)) == n
        assert sum(i.startswith("syn-") for i in expected) == n - scale.QUICK_REAL
        with arsearch.Index(work / "indexes" / f"arsearch-{n}", create=False) as ix:
            assert len(ix) == n and sorted(ix.ids()) == sorted(expected)
        for system in quick_run["payload"]["systems"]:
            opened = scale.OPENERS[system](work / "indexes" / f"{system}-{n}", {"headline": 3.0})
            assert opened.count() == n and sorted(opened.ids()) == sorted(expected)
            opened.close()


@pytest.mark.slow
@pytest.mark.shared_data
def test_quick_report_has_the_tables(quick_run: dict) -> None:
    report = quick_run["report"]
    assert report.startswith("## Scale (benchmarks/scale.py)")
    assert "Command: `python benchmarks/scale.py --quick" in report
    assert report.strip() in quick_run["stdout"]
    for key in ("### Targets (issue 12)", "| target (arsearch) | articles | measured | target |",
                "### 200 articles", "### 400 articles", "### arsearch across sizes",
                "| build CPU, s (children included) |", "| query p99, ms |",
                "| peak RSS of the build process tree, MB |",
                "| search-process RSS after the queries, MB |",
                "| documents in the index (every id checked) | 200 (all) |",
                "| every article present after the build | 400 | yes |  | met |"):
        assert key in report
    if "tantivy" in quick_run["payload"]["systems"]:
        assert "| arsearch / tantivy | arsearch / whoosh |" in report


@pytest.mark.slow
@pytest.mark.shared_data
def test_reuse_runs_the_queries_again_on_kept_indexes(quick_run: dict, tmp_path: Path) -> None:
    out = tmp_path / "again.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--quick",
                           "--work", str(quick_run["work"]), "--json", str(out), "--reuse",
                           "--commit-every", "100", "--sizes", "200"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    again = json.loads(out.read_text("utf-8"))["results"]["200"]
    first = quick_run["payload"]["results"]["200"]
    for system in quick_run["payload"]["systems"]:
        assert again[system]["build"]["reused"] and not first[system]["build"]["reused"]
        assert again[system]["build"]["wall_s"] == first[system]["build"]["wall_s"]
        assert again[system]["search"]["doc_count"] == 200 and again[system]["search"]["complete"]
    assert "Reused indexes" in done.stdout


@pytest.mark.slow
@pytest.mark.shared_data
def test_render_writes_the_same_report_from_the_saved_results(quick_run: dict,
                                                               tmp_path: Path) -> None:
    saved = tmp_path / "scale.json"
    saved.write_text(json.dumps(quick_run["payload"]), "utf-8")
    doc = tmp_path / "bench.md"
    doc.write_text("# Benchmarks\n\n## Load\n\nl\n\n## Caveats\n\nc\n", "utf-8")
    assert scale.main(["--render", str(saved), "--out", str(doc)]) == 0
    text = doc.read_text("utf-8")
    assert text.startswith("# Benchmarks\n\n## Load\n\nl\n\n## Scale (benchmarks/scale.py)")
    assert text.endswith("\n## Caveats\n\nc\n")
    assert quick_run["report"].strip() in text


@needs_data
@pytest.mark.shared_data
def test_corpus_cache_grows_as_a_prefix_and_recovers_a_cut(tmp_path: Path) -> None:
    cache = scale.CorpusCache(tmp_path, real=5)
    cache.ensure(8, log=lambda _: None)
    first = list(scale.read_articles(cache.articles, 8))
    assert [a["id"] for a in first[5:]] == ["syn-0000005", "syn-0000006", "syn-0000007"]
    assert [a["id"] for a in first[:5]] == [
        a["id"] for a in scale.iter_corpus("saudinewsnet", 5)]
    # An interrupted generation leaves bytes past the last complete count:
    # they are cut off before the cache grows.
    with open(cache.articles, "ab") as f:
        f.write(b'{"id": "half-writ')
    cache.ensure(12, log=lambda _: None)
    grown = list(scale.read_articles(cache.articles, 100))
    assert len(grown) == cache.count() == 12 and grown[:8] == first
    assert grown[11] == scale.synthetic_article(scale.SourcePool.load(), 11)
    assert cache.id_digest(12) == scale.id_digest(a["id"] for a in grown)


@needs_data
@pytest.mark.shared_data
def test_synthetic_articles_recombine_real_text() -> None:
    pool = scale.SourcePool.load()
    article = scale.synthetic_article(pool, 123_456)
    assert article == scale.synthetic_article(pool, 123_456)
    assert article != scale.synthetic_article(pool, 123_457)
    assert article["id"] == "syn-0123456"
    assert article["headline"] in pool.headlines
    paragraphs = set(pool.paragraphs)
    assert all(p in paragraphs for p in article["body"].split("\n"))
    with arsearch.Index() as ix:  # a valid arsearch article
        assert ix.add(article) == 1


@needs_data
@pytest.mark.shared_data
def test_queries_are_fixed_and_mixed() -> None:
    headlines = ["وصل وزير الخارجية إلى القاهرة", "افتتاح مستشفى جديد في المدينة المنورة"]
    queries, warmup = scale.make_queries(headlines, 20, seed=7)
    assert (queries, warmup) == scale.make_queries(headlines, 20, seed=7)
    assert len(queries) == len(set(queries)) == 20 and warmup not in queries
    two_word = [q for q in queries if len(q.split()) == 2 and
                any(all(w in h.split() for w in q.split()) for h in headlines)]
    assert len(two_word) >= 10
    assert all(scale.tantivy_query_terms(arsearch.analyze(q, query=True)) for q in queries)


def test_id_digest_is_order_independent_and_sees_duplicates() -> None:
    ids = [f"a{i}" for i in range(100)]
    assert scale.id_digest(ids) == scale.id_digest(reversed(ids))
    assert scale.id_digest(ids) != scale.id_digest(ids[:-1] + ["a0"])
    assert scale.id_digest(ids) != scale.id_digest(ids + ["a0"])


def test_tantivy_query_terms_drop_what_the_parser_reads_as_syntax() -> None:
    assert scale.tantivy_query_terms(["وفد", "=الوفد", "AND", "a:b", "(x", "2017"]) == \
        ["وفد", "=الوفد", "2017"]


def test_sampler_sums_the_memory_of_a_process_tree(tmp_path: Path) -> None:
    """A child that starts a grandchild holding 80 MB: the sampled peak of
    the tree counts the grandchild's memory and both processes."""
    ready = tmp_path / "ready"
    grandchild = f"b = b'x' * 80_000_000; open({str(ready)!r}, 'w').close(); " \
                 "import time; time.sleep(1.5)"
    child = textwrap.dedent(f"""
        import subprocess, sys
        subprocess.run([sys.executable, "-c", {grandchild!r}], check=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child])
    sampler = scale.TreeSampler(proc.pid, interval=0.05)
    sampler.start()
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.wait(timeout=60)
    sampler.stop()
    assert proc.returncode == 0
    assert sampler.max_processes == 2
    assert sampler.peak_mb >= 80


def test_rotation_gives_each_system_each_place() -> None:
    systems = ["arsearch", "tantivy", "whoosh"]
    orders = [scale.rotated(systems, turn) for turn in range(3)]
    assert orders[1] == ["tantivy", "whoosh", "arsearch"]
    for place in range(3):
        assert sorted(order[place] for order in orders) == systems


def _payload(values: dict[int, dict[str, dict[str, dict[str, float]]]]) -> dict:
    return {"results": {str(n): systems for n, systems in values.items()}}


def test_targets_are_met_missed_or_not_measured() -> None:
    def system(wall: float, cpu: float, p50: float, p95: float, size: float, rss: float,
               rate: float) -> dict:
        return {"build": {"wall_s": wall, "cpu_s": cpu, "index_bytes": size,
                          "tree_peak_rss_mb": rss, "articles_per_s": rate},
                "search": {"p50_ms": p50, "p95_ms": p95, "search_rss_mb": rss,
                           "complete": True}}

    payload = _payload({
        15_000: {"arsearch": system(10, 10, 1, 1, 100, 500, 300),
                 "tantivy": system(5, 5, 1, 1, 100, 100, 3000)},
        50_000: {"arsearch": system(60, 130, 12, 10, 300, 700, 250),
                 "tantivy": system(10, 20, 1, 1, 100, 100, 5000),
                 "whoosh": system(100, 100, 5, 5, 200, 300, 500)},
    })
    targets = scale.evaluate_targets(payload)

    def find(name: str, n: int) -> dict:
        return next(t for t in targets if t["target"] == name and t["size"] == n)

    assert find("query p50 / tantivy's", 50_000)["met"] is False       # 12× > 10×
    assert find("query p95 / tantivy's", 50_000)["met"] is True        # 10× ≤ 20×
    assert find("query p50 / tantivy's", 200_000)["met"] is None       # not run
    assert find("build wall / tantivy's", 50_000)["value"] == pytest.approx(6.0)
    assert find("build CPU / plain Whoosh's", 50_000)["met"] is False  # 1.3×
    assert find("articles/s at 200k / at 15k", 200_000)["met"] is None
    assert find("peak build RSS (process tree)", 15_000)["met"] is True
    assert find("peak build RSS (process tree)", 50_000)["met"] is False
    assert find("index bytes / tantivy's", 50_000)["value"] == pytest.approx(3.0)
    assert find("every article present after the build", 15_000)["met"] is True
    table = scale.targets_table(targets)
    assert "| build CPU / plain Whoosh's | 50,000 | 1.30× | ≤ 1.2× | **not met** |" in table
    assert "| peak build RSS (process tree) | 15,000 | 500 MB | ≤ 600 MB | met |" in table
    assert "| query p50 / tantivy's | 200,000 | – | ≤ 10× | not measured |" in table


def test_write_section_goes_before_a_given_heading(tmp_path: Path) -> None:
    doc = tmp_path / "bench.md"
    doc.write_text("# B\n\n## Load\n\nl\n\n## Caveats\n\nc\n", "utf-8")
    write_section(doc, "## Scale\n\ns", before="## Caveats")
    write_section(doc, "## Scale\n\ns2", before="## Caveats")
    assert doc.read_text("utf-8") == "# B\n\n## Load\n\nl\n\n## Scale\n\ns2\n\n## Caveats\n\nc\n"
