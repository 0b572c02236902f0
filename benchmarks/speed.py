"""Indexing and search speed of arsearch against plain Whoosh.

On SaudiNewsNet (10,981 articles, ~38 MB), in one run:

* **build**: ``arsearch.Index(dir).add(articles)`` against plain Whoosh with
  ``StandardAnalyzer`` on an equivalent schema, committed the way arsearch
  commits (a writer and a commit for each batch of ``DEFAULT_BATCH_SIZE``
  articles, ``add_document``; ``--whoosh-update`` adds a build with
  ``update_document``). Each build runs in its own subprocess, which loads
  the articles first, then times the build and reports its peak RSS; the
  engines alternate, median of ``--repeat``. Target: arsearch time /
  Whoosh time ≤ 1.3.
* **analyzer** MB/s (from :mod:`benchmarks.analyzer_speed`);
* **index size** on disk;
* **query latency**: the first 1,000 ``arwiki_qa`` questions against the
  *mixed* index (arwiki_qa + saudinewsnet), ``Index.search(q, limit=10)``,
  median and p95 (target median < 20 ms), and plain Whoosh (BM25F, OR
  group, headline + body) on the same documents as a reference;
* **batch size**: arsearch build throughput with ``Index.add(batch_size=…)``.

``--profile`` adds a cProfile of one arsearch build (top functions by
cumulative and by own time, and own time per package).

    python benchmarks/speed.py                # full run (about half an hour)
    python benchmarks/speed.py --quick        # a few hundred articles (the test suite)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.analyzer_speed import analyzer_table, field_texts, measure_analyzers, verdict
from benchmarks.common import (REPO, add_standard_args, changed_code_warning, code_fingerprint,
                               iter_corpus, run_conditions, markdown_table, memory_mb, percentile,
                               publish, read_queries, report_header, require_data, whoosh_schema)

warnings.simplefilter("ignore", SyntaxWarning)  # Whoosh 2.7's own code
warnings.simplefilter("ignore", DeprecationWarning)

import arsearch  # noqa: E402  (after the warning filters)
from arsearch.index.index import DEFAULT_BATCH_SIZE  # noqa: E402
from arsearch.index.parallel import default_workers  # noqa: E402

NEWS = "saudinewsnet"
QA = "arwiki_qa"
ENGINES = ("arsearch", "arsearch_serial", "whoosh")
ENGINE_LABELS = {"arsearch": "arsearch Index",
                 "arsearch_serial": "arsearch Index, workers=1 (one process)",
                 "whoosh": "Whoosh StandardAnalyzer",
                 "whoosh_update": "Whoosh StandardAnalyzer, update_document"}
TARGET_BUILD_RATIO = 1.3
TARGET_MEDIAN_MS = 20.0
BATCH_SIZES = (500, 2000, 5000, 10000)
QUICK_DOCS = 200
QUICK_QUERIES = 50
PROFILE_TOP = 25
SECTION_TITLE = "Speed (benchmarks/speed.py)"
MB = 1e6


# Building ---------------------------------------------------------------

def build_arsearch(path: Path, articles: list[dict[str, Any]], batch_size: int,
                   workers: int | None = None) -> None:
    """Index ``articles`` with arsearch into a new index at ``path``."""
    with arsearch.Index(path, workers=workers) as ix:
        ix.add(articles, batch_size=batch_size)


def build_arsearch_serial(path: Path, articles: list[dict[str, Any]], batch_size: int) -> None:
    """:func:`build_arsearch` in this process alone, without worker processes."""
    build_arsearch(path, articles, batch_size, workers=1)


def build_whoosh(path: Path, articles: list[dict[str, Any]], batch_size: int,
                 update: bool = False) -> None:
    """Index ``articles`` with plain Whoosh, committing as arsearch does: a
    writer and a commit for each batch. ``add_document`` for each article, or
    with ``update``, ``update_document`` (which opens a searcher over every
    segment for each article)."""
    from whoosh import index

    ix = index.create_in(str(path), whoosh_schema())
    for start in range(0, len(articles), batch_size):
        writer = ix.writer()
        write = writer.update_document if update else writer.add_document
        for article in articles[start:start + batch_size]:
            write(**article)
        writer.commit()


def build_whoosh_update(path: Path, articles: list[dict[str, Any]], batch_size: int) -> None:
    """:func:`build_whoosh` with ``update_document``."""
    build_whoosh(path, articles, batch_size, update=True)


BUILDERS: dict[str, Callable[[Path, list[dict[str, Any]], int], None]] = {
    "arsearch": build_arsearch, "arsearch_serial": build_arsearch_serial,
    "whoosh": build_whoosh, "whoosh_update": build_whoosh_update}


def load_articles(corpora: Iterable[str], limit: int | None) -> list[dict[str, Any]]:
    """The articles of each corpus (the first ``limit`` of each), in order."""
    return [a for name in corpora for a in iter_corpus(name, limit)]


def directory_size(path: Path) -> int:
    """Bytes of the files in ``path``."""
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def segment_count(path: Path) -> int:
    """Segments of the Whoosh index at ``path``."""
    from whoosh import index

    with index.open_dir(str(path)).reader() as reader:
        return len(list(reader.leaf_readers()))


def child_build(engine: str, corpora: list[str], limit: int | None, batch_size: int,
                path: Path) -> dict[str, Any]:
    """Build one index in this (child) process: load the articles, then time
    the build alone. Peak RSS includes the loaded articles, so the RSS
    before the build is reported too."""
    articles = load_articles(corpora, limit)
    megabytes = sum(len(a["headline"].encode()) + len(a["body"].encode()) for a in articles) / MB
    rss_before = memory_mb("VmRSS")
    start = time.perf_counter()
    BUILDERS[engine](path, articles, batch_size)
    seconds = time.perf_counter() - start
    return {"engine": engine, "docs": len(articles), "megabytes": megabytes,
            "batch_size": batch_size, "seconds": seconds, "docs_per_s": len(articles) / seconds,
            "size_bytes": directory_size(path), "segments": segment_count(path),
            "rss_before_mb": rss_before, "peak_rss_mb": memory_mb("VmHWM")}


def run_build(engine: str, corpora: list[str], limit: int | None, batch_size: int,
              path: Path | None = None) -> dict[str, Any]:
    """Build an index in a fresh subprocess and return its numbers. The
    index is built into ``path`` (kept) or a temporary folder (removed)."""
    target = path or Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
    target.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child-build", engine,
               "--corpora", ",".join(corpora), "--batch-size", str(batch_size),
               "--index-dir", str(target)]
    if limit is not None:
        command += ["--docs", str(limit)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{engine} build failed:\n{done.stderr}")
        return json.loads(done.stdout.splitlines()[-1])
    finally:
        if path is None:
            shutil.rmtree(target, ignore_errors=True)


def compare_builds(limit: int | None, repeat: int,
                   engines: Iterable[str] = ENGINES) -> dict[str, list[dict[str, Any]]]:
    """``repeat`` builds of each engine on the news corpus, alternating."""
    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    for _ in range(repeat):
        for engine in runs:
            runs[engine].append(run_build(engine, [NEWS], limit, DEFAULT_BATCH_SIZE))
    return runs


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers of a series of builds: medians of time and memory,
    with the fastest and slowest times."""
    seconds = [r["seconds"] for r in runs]
    first = runs[0]
    median = statistics.median(seconds)
    return {**first, "seconds": median, "docs_per_s": first["docs"] / median,
            "min_seconds": min(seconds), "max_seconds": max(seconds), "runs": len(runs),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
            "rss_before_mb": statistics.median(r["rss_before_mb"] for r in runs)}


def build_table(summary: dict[str, dict[str, Any]]) -> str:
    rows = []
    for engine, s in summary.items():
        rows.append([ENGINE_LABELS[engine], f"{s['seconds']:.1f}",
                     f"{s['min_seconds']:.1f}–{s['max_seconds']:.1f}", f"{s['docs_per_s']:.0f}",
                     f"{s['megabytes'] / s['seconds']:.2f}", f"{s['size_bytes'] / MB:.1f}",
                     s["segments"], f"{s['peak_rss_mb']:.0f}",
                     f"{s['peak_rss_mb'] - s['rss_before_mb']:.0f}"])
    return markdown_table(["engine", "build s (median)", "min–max s", "docs/s", "text MB/s",
                           "index MB", "segments", "peak RSS MB", "peak − RSS before build MB"],
                          rows)


def batch_size_runs(limit: int | None, sizes: Iterable[int]) -> list[dict[str, Any]]:
    """One arsearch build of the news corpus for each batch size."""
    return [run_build("arsearch", [NEWS], limit, size) for size in sizes]


def batch_table(runs: list[dict[str, Any]]) -> str:
    rows = [[f"{r['batch_size']:,}", f"{r['seconds']:.1f}", f"{r['docs_per_s']:.0f}",
             r["segments"], f"{r['size_bytes'] / MB:.1f}", f"{r['peak_rss_mb']:.0f}"]
            for r in runs]
    return markdown_table(["batch_size", "build s", "docs/s", "segments", "index MB",
                           "peak RSS MB"], rows)


# Searching --------------------------------------------------------------

def timed_queries(search: Callable[[str], int], queries: list[str],
                  warmup: str) -> dict[str, Any]:
    """Run ``warmup`` once (it opens the index), then time each query once.
    ``search`` returns the number of hits."""
    start = time.perf_counter()
    search(warmup)
    first_ms = (time.perf_counter() - start) * 1000
    latencies, empty = [], 0
    for q in queries:
        start = time.perf_counter()
        hits = search(q)
        latencies.append((time.perf_counter() - start) * 1000)
        empty += hits == 0
    return {"queries": len(queries), "median_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95), "mean_ms": statistics.fmean(latencies),
            "max_ms": max(latencies), "first_ms": first_ms, "no_hit": empty,
            "latencies_ms": latencies}


def arsearch_latency(path: Path, queries: list[str], warmup: str) -> dict[str, Any]:
    """Latency of ``Index.search(q, limit=10)`` (hits with snippets)."""
    with arsearch.Index(path, create=False) as ix:
        return timed_queries(lambda q: len(ix.search(q, limit=10)), queries, warmup)


def whoosh_latency(path: Path, queries: list[str], warmup: str) -> dict[str, Any]:
    """Latency of plain Whoosh: BM25F, the question parsed as an OR group
    over headline and body, top 10 with their stored ids (no snippets)."""
    from whoosh import index, qparser, scoring

    ix = index.open_dir(str(path))
    parser = qparser.MultifieldParser(["headline", "body"], ix.schema, group=qparser.OrGroup)
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        def search(q: str) -> int:
            return len([hit["id"] for hit in searcher.search(parser.parse(q), limit=10)])

        return timed_queries(search, queries, warmup)


def latency_table(latency: dict[str, dict[str, Any]]) -> str:
    rows = [[ENGINE_LABELS[e], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}",
             f"{r['mean_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['first_ms']:.0f}",
             f"{r['no_hit']}"] for e, r in latency.items()]
    return markdown_table(["engine", "median ms", "p95 ms", "mean ms", "max ms",
                           "first query ms (opens index)", "queries with no hit"], rows)


def measure_latency(limit: int | None,
                    n_queries: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Build the mixed index (the first ``limit`` documents of each corpus)
    once per engine, then time the first ``n_queries`` questions."""
    questions = [text for _, text in read_queries(QA)]
    queries, warmup = questions[:n_queries], questions[n_queries % len(questions)]
    measure = {"arsearch": arsearch_latency, "whoosh": whoosh_latency}
    builds, latency = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-mixed-") as tmp:
        for engine in measure:
            path = Path(tmp) / engine
            builds[engine] = run_build(engine, [QA, NEWS], limit, DEFAULT_BATCH_SIZE, path)
            latency[engine] = measure[engine](path, queries, warmup)
    return builds, latency


# Profiling --------------------------------------------------------------

def package_of(filename: str) -> str:
    """Which code a profiled function belongs to: arsearch, whoosh, or the
    rest (standard library, builtins, other packages)."""
    parts = Path(filename).parts
    for package in ("arsearch", "whoosh", "snowballstemmer", "Stemmer"):
        if package in parts or any(p.startswith(package + ".") for p in parts):
            return package
    return "builtins" if filename == "~" else "stdlib/other"


def profile_build(limit: int | None, batch_size: int) -> str:
    """cProfile of one arsearch build (in this process), as text."""
    articles = load_articles([NEWS], limit)
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        profiler.enable()
        build_arsearch(Path(tmp), articles, batch_size)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    for order in ("cumulative", "tottime"):
        out.write(f"\n### top {PROFILE_TOP} by {order}\n")
        stats.sort_stats(order).print_stats(PROFILE_TOP)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += row[2]  # tottime
    rows = [[p, f"{t:.1f}", f"{100 * t / total:.0f}%"]
            for p, t in sorted(by_package.items(), key=lambda kv: -kv[1])]
    text = out.getvalue()
    for prefix in (str(REPO), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]):
        text = text.replace(prefix + "/", "")  # shorter, machine-independent paths
    return "\n".join([f"Profiled arsearch build: {len(articles):,} articles, "
                      f"{total:.1f} s under cProfile.", "",
                      markdown_table(["own time in", "s", "share"], rows), "",
                      "```", text.strip(), "```"])


# Report -----------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_standard_args(parser, f"{QUICK_DOCS} articles per corpus, 1 repetition, "
                              f"{QUICK_QUERIES} queries", "speed")
    parser.add_argument("--queries", type=int, default=1000,
                        help="questions timed (default 1000)")
    parser.add_argument("--batch-sizes", default=",".join(map(str, BATCH_SIZES)),
                        help="arsearch batch sizes to compare (comma-separated; '' skips)")
    parser.add_argument("--whoosh-update", action="store_true",
                        help="also time Whoosh with update_document (slow: it opens a "
                             "searcher for each article)")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile one arsearch build")
    # Internal: one build in a subprocess (see run_build).
    parser.add_argument("--child-build", choices=list(BUILDERS), help=argparse.SUPPRESS)
    parser.add_argument("--corpora", default=NEWS, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.docs = 1, args.docs or QUICK_DOCS
        args.queries = min(args.queries, QUICK_QUERIES)
    if args.repeat < 1 or args.queries < 1:
        parser.error("--repeat and --queries must be at least 1")
    try:
        args.batch_sizes = [int(s) for s in args.batch_sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--batch-sizes takes comma-separated integers")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child_build:
        result = child_build(args.child_build, args.corpora.split(","), args.docs,
                             args.batch_size, Path(args.index_dir))
        print(json.dumps(result))
        return
    require_data(NEWS, QA)
    fingerprint = code_fingerprint()
    conditions = run_conditions(fingerprint)

    builds = compare_builds(args.docs, args.repeat)
    if args.whoosh_update:
        builds["whoosh_update"] = [run_build("whoosh_update", [NEWS], args.docs,
                                             DEFAULT_BATCH_SIZE)]
    summary = {e: median_run(runs) for e, runs in builds.items()}
    ratio = summary["arsearch"]["seconds"] / summary["whoosh"]["seconds"]
    serial_ratio = summary["arsearch_serial"]["seconds"] / summary["whoosh"]["seconds"]
    analyzers = measure_analyzers(field_texts(args.docs), args.repeat)
    mixed, latency = measure_latency(args.docs, args.queries)
    batches = batch_size_runs(args.docs, args.batch_sizes)
    profile = profile_build(args.docs, DEFAULT_BATCH_SIZE) if args.profile else None

    docs = summary["arsearch"]["docs"]
    arsearch_ms = latency["arsearch"]["median_ms"]
    sections = [
        report_header(SECTION_TITLE), conditions,
        f"### Index build: {NEWS}, {docs:,} articles, batch size {DEFAULT_BATCH_SIZE}",
        f"Median of {args.repeat} build(s) per engine (the update_document row: one build), "
        "alternating, each in its own subprocess after loading the articles. Whoosh: a "
        "writer and a commit per batch, `add_document` into the new index. arsearch "
        "validates each record, checks the batch's ids against the index, fsyncs each file "
        "it writes and indexes more fields (date, source, tags; stores extra).",
        build_table(summary),
        f"Build time arsearch / Whoosh: **{ratio:.2f}** with the default "
        f"{default_workers()} worker process(es) on {os.cpu_count()} cores (target ≤ "
        f"{TARGET_BUILD_RATIO}: {verdict(ratio, TARGET_BUILD_RATIO)}); "
        f"{serial_ratio:.2f} in one process (`workers=1`).",
        "### Analyzer throughput", analyzer_table(analyzers),
        f"### Query latency: mixed index ({mixed['arsearch']['docs']:,} documents: "
        f"{QA} + {NEWS}), first {args.queries:,} {QA} questions, limit 10",
        "Each question run once after one warm-up question. arsearch hits include "
        "snippets; Whoosh returns stored ids only (BM25F, `MultifieldParser` over "
        "headline + body, `OrGroup`).",
        latency_table(latency),
        f"arsearch median: **{arsearch_ms:.1f} ms** (target < {TARGET_MEDIAN_MS:g} ms: "
        f"{'met' if arsearch_ms < TARGET_MEDIAN_MS else 'missed'}).",
    ]
    if batches:
        sections += [f"### arsearch build by batch size ({docs:,} articles, one build each)",
                     batch_table(batches)]
    if profile:
        sections += ["### Profile of one arsearch build", profile]
    elif ratio > TARGET_BUILD_RATIO:
        sections.append("Build target missed: run again with `--profile` to see where "
                        "the time goes.")
    sections += changed_code_warning(fingerprint)
    publish("\n\n".join(sections), args, "speed",
            {"builds": builds, "build_ratio": ratio, "serial_build_ratio": serial_ratio, "analyzers": analyzers,
             "mixed_builds": mixed, "latency": latency, "batch_sizes": batches})


if __name__ == "__main__":
    main()
