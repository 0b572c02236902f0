"""Load benchmark: a large index written in batches while another process
searches it.

The writer (this process) adds ``--articles`` synthetic articles to an
on-disk index, one ``Index.add`` call per batch of ``--batch-size``. A
second process opens the same index and searches it in a loop for as long
as the writer runs. The report gives:

* search latency p50 / p95 during the write (the reader reopens the index
  after each commit, as any reader does; that time is included);
* the writer's memory: RSS at the start, at the end and its peak (RSS
  read after each batch);
* write throughput (articles per second of ``add()``);
* the final count, which must equal the number of articles added, and the
  counts the reader saw, which must only ever be committed counts, never
  falling. The script exits 1 when either check fails.

The articles are synthetic and seeded: words drawn, with their frequencies,
from the vocabulary of arsearch's own bundled sample
(:func:`arsearch.load_sample`), so the benchmark needs no outside data.
Each article carries a unique code word (:func:`article_code`) that finds
it and only it.

    python benchmarks/load.py                  # 200,000 articles
    python benchmarks/load.py --quick          # 1,000 articles (the test suite)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (environment, markdown_table, memory_mb, percentile,
                               report_header, save_json, write_section)

import arsearch  # noqa: E402

SEED = 20240601
ARTICLES = 200_000
BATCH_SIZE = 2_000
QUICK_ARTICLES = 1_000
QUICK_BATCH_SIZE = 200
QUERY_COUNT = 60
SECTION_TITLE = "Load (benchmarks/load.py)"
MB = 1e6

# Letters no Arabic prefix or suffix rule strips and no normalization
# folds: a code word built from them stays one distinct term.
_CODE_LETTERS = "جحخدذرزشصضطظعغقث"
_WORD = re.compile(r"[\u0621-\u064a\u0660-\u0669]+")


# Synthetic articles ------------------------------------------------------

def article_code(n: int) -> str:
    """The code word of article ``n``: six letters, unique for n < 16**5."""
    letters = []
    for _ in range(5):
        n, digit = divmod(n, 16)
        letters.append(_CODE_LETTERS[digit])
    return "ث" + "".join(reversed(letters))


@lru_cache(maxsize=1)
def vocabulary() -> tuple[list[str], list[int], list[str], list[str]]:
    """Words of the bundled sample with their cumulative counts, and its
    sources and tags."""
    counts: Counter[str] = Counter()
    sources, tags = set(), set()
    for a in arsearch.load_sample():
        counts.update(_WORD.findall(a["headline"] + " " + a["body"]))
        if a.get("source"):
            sources.add(a["source"])
        tags.update(a.get("tags") or ())
    words = sorted(counts)
    cumulative, total = [], 0
    for w in words:
        total += counts[w]
        cumulative.append(total)
    return words, cumulative, sorted(sources), sorted(tags)


def synthetic_article(n: int, seed: int = SEED, body_words: tuple[int, int] = (60, 140),
                      ) -> dict[str, Any]:
    """Article number ``n``, the same for the same ``n`` and ``seed`` in any
    process: sample words in sentences, a date, a source, tags and the
    article's :func:`article_code` in its body."""
    words, cumulative, sources, tags = vocabulary()
    rng = random.Random(seed * 1_000_003 + n)
    headline = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(5, 10)))
    body = rng.choices(words, cum_weights=cumulative, k=rng.randint(*body_words))
    body.insert(rng.randrange(len(body) + 1), article_code(n))
    sentences = [" ".join(body[i:i + 12]) + rng.choice(("،", ".", ".")) for i in
                 range(0, len(body), 12)]
    return {
        "id": f"a{n:07d}",
        "headline": headline,
        "body": " ".join(sentences),
        "date": (datetime(2015, 1, 1) + timedelta(days=n % 3650)).date().isoformat(),
        "source": rng.choice(sources),
        "tags": rng.sample(tags, k=rng.randint(0, 2)),
    }


def synthetic_articles(start: int, count: int, seed: int = SEED, **kwargs: Any,
                       ) -> Iterator[dict[str, Any]]:
    """Articles ``start`` to ``start + count - 1``."""
    for n in range(start, start + count):
        yield synthetic_article(n, seed, **kwargs)


def search_queries(count: int = QUERY_COUNT, seed: int = SEED) -> list[str]:
    """One- to three-word queries from the sample vocabulary (frequent and
    rare words alike)."""
    words = vocabulary()[0]
    rng = random.Random(seed)
    return [" ".join(rng.sample(words, k=rng.randint(1, 3))) for _ in range(count)]


# The reader process -------------------------------------------------------

def search_loop(index: Path, stop: Path, out: Path) -> None:
    """Search ``index`` until ``stop`` exists; write the latencies (ms), the
    counts seen and any errors to ``out`` as JSON."""
    ix = arsearch.Index(index, create=False)
    queries = search_queries()
    latencies: list[float] = []
    counts: list[int] = []
    errors: list[str] = []
    (out.parent / (out.name + ".ready")).touch()
    i = 0
    while not stop.exists():
        query = queries[i % len(queries)]
        i += 1
        try:
            t0 = time.perf_counter()
            ix.search(query, limit=10)
            latencies.append((time.perf_counter() - t0) * 1000)
            counts.append(len(ix))
        except Exception as e:  # a reader must never fail: report it
            errors.append(f"{type(e).__name__}: {e}")
    out.write_text(json.dumps({"latencies_ms": latencies, "counts": counts,
                               "errors": errors[:20], "error_count": len(errors)}), "utf-8")


# The writer ---------------------------------------------------------------

def run(articles: int, batch_size: int, workdir: Path) -> dict[str, Any]:
    index = workdir / "index"
    stop, out = workdir / "stop", workdir / "reader.json"
    ix = arsearch.Index(index, batch_size=batch_size)
    reader = subprocess.Popen([sys.executable, __file__, "--search-loop", str(index), str(stop),
                               str(out)])
    try:
        ready = out.parent / (out.name + ".ready")
        deadline = time.monotonic() + 120
        while not ready.exists():
            if reader.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the search process did not start")
            time.sleep(0.05)
        load_before = os.getloadavg()[0]
        rss_start = memory_mb("VmRSS")
        rss_peak = rss_start
        add_seconds = 0.0
        committed = [0]
        t_start = time.perf_counter()
        for start in range(0, articles, batch_size):
            batch = list(synthetic_articles(start, min(batch_size, articles - start)))
            t0 = time.perf_counter()
            ix.add(batch)
            add_seconds += time.perf_counter() - t0
            # Every id is new: the count after this commit. (Asking len(ix)
            # here would keep a searcher open in the writer, and a Whoosh
            # searcher holds a copy of every segment's terms and postings,
            # which would count as the writer's memory.)
            committed.append(start + len(batch))
            rss_peak = max(rss_peak, memory_mb("VmRSS"))
        wall = time.perf_counter() - t_start
        rss_end = memory_mb("VmRSS")
    finally:
        stop.touch()
        reader.wait(timeout=600)
    seen = json.loads(out.read_text("utf-8")) if out.exists() else {
        "latencies_ms": [], "counts": [], "errors": ["no report from the search process"],
        "error_count": 1}
    final = arsearch.Index(index, create=False)
    final_count = len(final)
    spot_ok = spot_check(final, articles)
    counts = seen["counts"]
    allowed = set(committed)
    reader_ok = (seen["error_count"] == 0 and all(c in allowed for c in counts)
                 and all(a <= b for a, b in zip(counts, counts[1:])))
    latencies = seen["latencies_ms"] or [float("nan")]
    return {
        "articles": articles,
        "batch_size": batch_size,
        "commits": len(committed) - 1,
        "final_count": final_count,
        "count_ok": final_count == articles,
        "spot_check_ok": spot_ok,
        "add_seconds": add_seconds,
        "wall_seconds": wall,
        "articles_per_s": articles / add_seconds if add_seconds else 0.0,
        "searches": len(seen["latencies_ms"]),
        "search_p50_ms": percentile(latencies, 50),
        "search_p95_ms": percentile(latencies, 95),
        "search_max_ms": max(latencies),
        "reader_counts_seen": len(set(counts)),
        "reader_ok": reader_ok,
        "reader_errors": seen["errors"],
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "rss_peak_mb": max(rss_peak, rss_end),
        "index_mb": sum(p.stat().st_size for p in index.iterdir() if p.is_file()) / MB,
        # The machine's 1-minute load average before and after: other work
        # running at the same time slows both processes down.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def spot_check(ix: arsearch.Index, articles: int, k: int = 200) -> bool:
    """Whether ``k`` sampled articles are each found, alone, by their code
    word, and stored whole."""
    for n in random.Random(SEED).sample(range(articles), k=min(k, articles)):
        doc_id = f"a{n:07d}"
        stored = ix.get(doc_id)
        if ([d for d, _ in ix.search_ids(article_code(n), limit=2)] != [doc_id]
                or stored is None or stored["body"] != synthetic_article(n)["body"]):
            return False
    return True


def report(result: dict[str, Any]) -> str:
    rows = [
        ["articles added / final count", f"{result['articles']:,} / {result['final_count']:,}"],
        ["batch size / commits", f"{result['batch_size']:,} / {result['commits']:,}"],
        ["add() time, s", f"{result['add_seconds']:.1f}"],
        ["throughput, articles/s", f"{result['articles_per_s']:.0f}"],
        ["searches during the write", f"{result['searches']:,}"],
        ["search p50, ms", f"{result['search_p50_ms']:.1f}"],
        ["search p95, ms", f"{result['search_p95_ms']:.1f}"],
        ["search max, ms", f"{result['search_max_ms']:.1f}"],
        ["writer RSS start / end / peak after a batch, MB",
         f"{result['rss_start_mb']:.0f} / {result['rss_end_mb']:.0f} / "
         f"{result['rss_peak_mb']:.0f}"],
        ["index size, MB", f"{result['index_mb']:.0f}"],
        ["machine load average before / after", " / ".join(map(str, result["load_average"]))],
        ["200 sampled articles found by their code word and stored whole",
         "yes" if result["spot_check_ok"] else "NO"],
        ["reader saw only committed, non-decreasing counts",
         "yes" if result["reader_ok"] else f"NO {result['reader_errors']}"],
    ]
    verdict = "PASS: every article added is in the index" if ok(result) else "FAIL"
    return "\n".join([report_header(SECTION_TITLE), "", markdown_table(["measure", "value"], rows),
                      "", verdict, ""])


def ok(result: dict[str, Any]) -> bool:
    return result["count_ok"] and result["spot_check_ok"] and result["reader_ok"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ARTICLES:,} articles in batches of {QUICK_BATCH_SIZE}")
    parser.add_argument("--out", help="also write the report section into this markdown file")
    parser.add_argument("--json", help="where to save the JSON results "
                        "(default benchmarks/results/load.json)")
    parser.add_argument("--workdir", help="folder for the index (default: a temporary one, "
                        "removed afterwards)")
    parser.add_argument("--search-loop", nargs=3, metavar=("INDEX", "STOP", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.search_loop:
        search_loop(*(Path(p) for p in args.search_loop))
        return 0
    articles = args.articles or (QUICK_ARTICLES if args.quick else ARTICLES)
    batch_size = args.batch_size or (QUICK_BATCH_SIZE if args.quick else BATCH_SIZE)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="arsearch-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = run(articles, batch_size, workdir)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    section = report(result)
    print(section)
    if args.out:
        write_section(args.out, section)
    payload = {"environment": environment(), **result}
    if args.json:
        Path(args.json).write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
    else:
        save_json("load-quick" if args.quick else "load", payload)
    return 0 if ok(result) else 1


if __name__ == "__main__":
    sys.exit(main())
