"""Cluster benchmark: one ``arsearch.Index`` against a ``ShardedIndex`` of N
shards on a local Ray cluster (N actors), on the same articles.

Each system runs in a subprocess of its own (``--child``), which builds the
index from the article stream, reopens it (the sharded index with new
actors, in new processes) and runs the queries. Measured:

* build wall time, and build CPU time of the whole process tree: the
  build process and every process under it (for the sharded index, Ray's
  GCS and raylet and the shard actors, all started by the build process;
  each process's own and its reaped children's CPU, from ``/proc``, before
  and after the build). With ``--address`` (a cluster elsewhere) the tree
  is not local: the CPU is then the driver's plus what each shard actor
  reports of its own process;
* for the sharded index, the time to start Ray and to open the shards
  (not part of the build);
* peak RSS of the process tree during the build (sampled every 0.1 s);
* query latency p50/p95 of ``search_ids(q, limit=10)`` (both phases of a
  sharded search), of ``search(q, limit=10)`` (hits with snippets), and of
  the first phase alone (``term_statistics(q)``: the statistics round trip
  a sharded search adds);
* that the two give the same top 10 for every query: ids in the same order
  and scores within 1e-9 (the script exits 1 if not), and that each index
  holds exactly the articles added (count and a digest of every id).

The articles and queries are those of ``benchmarks/scale.py`` (its
synthetic corpus, cached in its work folder, and its query mix).

    python benchmarks/cluster.py                    # 200,000 articles, 2 shards
    python benchmarks/cluster.py --n 15000          # a smaller run
    python benchmarks/cluster.py --shards 4 --address auto   # a running cluster
    python benchmarks/cluster.py --quick            # a few hundred articles (tests)
    python benchmarks/cluster.py --render benchmarks/results/cluster.json  # report again

Results: JSON in ``benchmarks/results/cluster.json`` (``--json``), and a
section of ``docs/scaling.md`` (``--out``; none with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (DATA, REPO, changed_code_warning, code_fingerprint,
                               command_line, environment, markdown_table, percentile,
                               require_data, run_conditions, save_json, write_section)
from benchmarks.scale import (NEWS, QA, QUICK_REAL, REAL_ALL, SEED, CorpusCache, TreeSampler,
                              directory_bytes, id_digest, make_queries, read_articles)
from benchmarks.scale import WORK as SCALE_WORK

DEFAULT_ARTICLES = 200_000
QUICK_ARTICLES = 300
QUERY_COUNT = 600
QUICK_QUERIES = 20
DEFAULT_SHARDS = 2
HEADLINE_POOL = 15_000
SYSTEMS = ("single", "sharded")
WORK = REPO / "benchmarks" / ".work" / "cluster"
DOCS = REPO / "docs" / "scaling.md"
SECTION_TITLE = "Measured on this machine (benchmarks/cluster.py)"
#: Scores of the two systems may differ by at most this much.
TOLERANCE = 1e-9
MB = 1e6


# CPU of a process tree ------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of ``root`` and all its descendants now: each process's
    own time and that of the children it reaped (``/proc/<pid>/stat``
    utime, stime, cutime, cstime). A process that ends between two calls is
    counted in its parent's reaped time, so differences stay exact."""
    total = 0
    for pid in TreeSampler(root).tree():
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])
    return total / _TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The children ----------------------------------------------------------------

def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1000


def child(args: argparse.Namespace) -> dict[str, Any]:
    """Build, reopen and query one system in this (child) process."""
    import arsearch

    spec = json.loads(args.queries_file.read_text("utf-8"))
    index_dir: Path = args.index_dir
    shutil.rmtree(index_dir, ignore_errors=True)
    result: dict[str, Any] = {"system": args.child, "articles": args.articles}
    me = os.getpid()
    local = args.address is None

    def open_index(create: bool) -> Any:
        if args.child == "single":
            return arsearch.Index(index_dir, create=create, batch_size=args.batch_size)
        return arsearch.ShardedIndex(index_dir, shards=args.shards if create else None,
                                     address=args.address, batch_size=args.batch_size,
                                     create=create)

    if args.child == "sharded":
        import ray

        (_, result["ray_start_ms"]) = timed(lambda: ray.init(
            address=args.address or "local", include_dashboard=False, log_to_driver=False,
            logging_level=logging.WARNING))
    ix, result["open_new_ms"] = timed(lambda: open_index(True))
    actors_before = _actor_cpu(ix)
    sampler = TreeSampler(me)
    sampler.start()
    tree_before, own_before = tree_cpu_seconds(me), own_cpu_seconds()
    start = time.perf_counter()
    result["added"] = ix.add(read_articles(args.corpus, args.articles))
    result["build_wall_s"] = time.perf_counter() - start
    result["build_cpu_s"] = (tree_cpu_seconds(me) - tree_before if local else
                             own_cpu_seconds() - own_before
                             + _actor_cpu(ix) - actors_before)
    result["build_driver_cpu_s"] = own_cpu_seconds() - own_before
    if actors_before:
        result["build_shard_cpu_s"] = _actor_cpu(ix) - actors_before
    sampler.stop()
    result["build_tree_peak_rss_mb"] = sampler.peak_mb if local else None
    result["tree_processes"] = sampler.max_processes if local else None
    ix.close()
    result["index_bytes"] = directory_bytes(index_dir) if local else None

    ix, result["open_ms"] = timed(lambda: open_index(False))
    _, result["first_query_ms"] = timed(lambda: ix.search_ids(spec["warmup"], limit=10))
    tops, ids_ms, search_ms, phase1_ms = {}, [], [], []
    for q in spec["queries"]:
        pairs, ms = timed(lambda: ix.search_ids(q, limit=10))
        tops[q] = pairs
        ids_ms.append(ms)
    for q in spec["queries"]:
        search_ms.append(timed(lambda: ix.search(q, limit=10))[1])
    if args.child == "sharded":
        for q in spec["queries"]:
            phase1_ms.append(timed(lambda: ix.term_statistics(q))[1])
    result.update(latency("ids", ids_ms))
    result.update(latency("search", search_ms))
    if phase1_ms:
        result.update(latency("phase1", phase1_ms))
    result["doc_count"] = len(ix)
    result["id_digest"] = id_digest(ix.ids())
    result["top"] = tops
    ix.close()
    return result


def _actor_cpu(ix: Any) -> float:
    """CPU seconds the shard actors report of their own processes (0 for
    an Index)."""
    if not hasattr(ix, "actor"):
        return 0.0
    import ray

    usage = ray.get([ix.actor(k).process_usage.remote() for k in range(ix.shards)])
    return sum(u["cpu_s"] for u in usage)


def latency(name: str, values: list[float]) -> dict[str, float]:
    return {f"{name}_p50_ms": percentile(values, 50), f"{name}_p95_ms": percentile(values, 95),
            f"{name}_mean_ms": sum(values) / len(values)}


def run_child(arguments: list[str], log_path: Path) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    with open(log_path, "wb") as err:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, cwd=REPO)
    if done.returncode != 0:
        tail = log_path.read_text("utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(arguments[:2])} exited with {done.returncode}; its log "
                           f"({log_path}) ends:\n{tail}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


# The run ---------------------------------------------------------------------

def compare(single: dict[str, Any], sharded: dict[str, Any]) -> dict[str, Any]:
    """How many queries got the same top 10 from both (ids in order, scores
    within :data:`TOLERANCE`), and the largest score difference seen."""
    same, largest, differing = 0, 0.0, []
    for q, expected in single["top"].items():
        got = sharded["top"][q]
        ids_equal = [i for i, _ in got] == [i for i, _ in expected]
        diff = max((abs(a[1] - b[1]) for a, b in zip(expected, got)), default=0.0)
        largest = max(largest, diff)
        if ids_equal and diff <= TOLERANCE:
            same += 1
        else:
            differing.append(q)
    return {"queries": len(single["top"]), "same": same, "max_score_difference": largest,
            "differing": differing[:10]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    corpus = CorpusCache(args.corpus_work, args.real, args.seed)
    corpus.ensure(args.n)
    headlines = corpus.headlines(min(args.n, HEADLINE_POOL))
    queries, warmup = make_queries(headlines, args.queries, args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    queries_file = args.work / "queries.json"
    queries_file.write_text(json.dumps({"queries": queries, "warmup": warmup},
                                       ensure_ascii=False), "utf-8")
    fingerprint = code_fingerprint()
    expected = corpus.id_digest(args.n)
    results: dict[str, Any] = {}
    for system in SYSTEMS:
        print(f"{system}: building {args.n:,} articles"
              + (f" into {args.shards} shards" if system == "sharded" else ""), flush=True)
        load = os.getloadavg()[0]
        index_dir = args.work / f"{system}-{args.n}"
        result = run_child(["--child", system, "--corpus", str(corpus.articles),
                            "--articles", str(args.n), "--index-dir", str(index_dir),
                            "--queries-file", str(queries_file), "--shards", str(args.shards),
                            "--batch-size", str(args.batch_size),
                            *(["--address", args.address] if args.address else [])],
                           args.work / f"{system}.log")
        result["load_before"] = load
        result["complete"] = (result["doc_count"] == args.n
                              and result["id_digest"] == expected)
        results[system] = result
        print(f"  {result['build_wall_s']:.1f} s wall, {result['build_cpu_s']:.1f} CPU-s, "
              f"search_ids p50 {result['ids_p50_ms']:.2f} ms, p95 {result['ids_p95_ms']:.2f} ms"
              f"{'' if result['complete'] else ' — NOT the articles added'}", flush=True)
        if not args.keep:
            shutil.rmtree(index_dir, ignore_errors=True)
    return {"env": environment(), "command": command_line(),
            "conditions": run_conditions(fingerprint), "fingerprint": fingerprint,
            "articles": args.n, "shards": args.shards, "queries": len(queries),
            "batch_size": args.batch_size, "address": args.address, "results": results,
            "exactness": compare(results["single"], results["sharded"]),
            "code_changed": bool(changed_code_warning(fingerprint))}


# Report ----------------------------------------------------------------------

ROWS = [
    ("build wall, s", "build_wall_s", 1),
    ("build CPU, s (whole process tree, Ray's processes included)", "build_cpu_s", 1),
    ("  of which the build process (reading, validating, routing)", "build_driver_cpu_s", 1),
    ("  of which the shard actors", "build_shard_cpu_s", 1),
    ("build rate, articles/s", "rate", 0),
    ("peak RSS of the process tree during the build, MB", "build_tree_peak_rss_mb", 0),
    ("index on disk, MB", "index_mb", 0),
    ("start Ray, ms (not in the build)", "ray_start_ms", 0),
    ("open a new index, ms (actors started)", "open_new_ms", 0),
    ("reopen the index, ms", "open_ms", 0),
    ("first query after reopening, ms", "first_query_ms", 1),
    ("search_ids p50, ms", "ids_p50_ms", 2),
    ("search_ids p95, ms", "ids_p95_ms", 2),
    ("search (hits, snippets) p50, ms", "search_p50_ms", 2),
    ("search (hits, snippets) p95, ms", "search_p95_ms", 2),
    ("phase 1 alone (statistics round trip) p50, ms", "phase1_p50_ms", 2),
    ("phase 1 alone p95, ms", "phase1_p95_ms", 2),
    ("machine load (1 min) before the run", "load_before", 2),
]


def _value(result: dict[str, Any], key: str, n: int) -> float | None:
    if key == "rate":
        return n / result["build_wall_s"]
    if key == "index_mb":
        return None if result.get("index_bytes") is None else result["index_bytes"] / MB
    return result.get(key)


def report(payload: dict[str, Any]) -> str:
    n, shards = payload["articles"], payload["shards"]
    single, sharded = payload["results"]["single"], payload["results"]["sharded"]
    rows = []
    for label, key, digits in ROWS:
        a, b = _value(single, key, n), _value(sharded, key, n)
        if a is None and b is None:
            continue
        ratio = f"{b / a:.2f}×" if a and b is not None and key != "load_before" else ""
        rows.append([label, "–" if a is None else f"{a:,.{digits}f}",
                     "–" if b is None else f"{b:,.{digits}f}", ratio])
    counts = [f"{r['doc_count']:,} ({'all' if r['complete'] else '**NOT all**'})"
              for r in (single, sharded)]
    rows.append(["documents in the index (every id checked)", *counts, ""])
    exact = payload["exactness"]
    share = sharded.get("phase1_p50_ms", 0) / sharded["ids_p50_ms"] \
        if sharded.get("ids_p50_ms") else None
    env = payload["env"]
    parts = [
        f"## {SECTION_TITLE}",
        f"Command: `{payload['command']}`",
        markdown_table(list(env), [list(env.values())]),
        payload["conditions"],
        (f"{n:,} articles of the `benchmarks/scale.py` corpus; {payload['queries']} queries "
         f"of its mix, each run once after one first query. One `arsearch.Index` against a "
         f"`ShardedIndex` of {shards} shards ({shards} Ray actors"
         + (" on a local Ray cluster started by the build process" if not payload["address"]
            else f" on the cluster at `{payload['address']}`")
         + f"), both with default settings and {payload['batch_size']:,} articles per commit "
         "(per shard for the sharded index). Each runs in a fresh process; the sharded index "
         "is reopened with new actors before its queries. Timings on this shared 2-core "
         "machine are indicative only."),
        markdown_table(["measure", "1 Index", f"ShardedIndex, {shards} shards",
                        "sharded / single"], rows),
        (f"Same top 10 (ids in order, scores within {TOLERANCE:g}) for "
         f"**{exact['same']} of {exact['queries']}** queries; largest score difference "
         f"{exact['max_score_difference']:.3g}."
         + (f" The statistics round trip is {share:.0%} of a sharded `search_ids` at the "
            "median." if share is not None else "")),
    ]
    if payload.get("code_changed"):
        parts += changed_code_warning("")
    return "\n\n".join(parts) + "\n"


# Command line ----------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None,
                        help=f"articles (default {DEFAULT_ARTICLES:,})")
    parser.add_argument("--shards", type=int, default=DEFAULT_SHARDS,
                        help=f"shards of the sharded index (default {DEFAULT_SHARDS})")
    parser.add_argument("--address", default=None,
                        help="a running Ray cluster ('auto', HOST:PORT); default: a local one")
    parser.add_argument("--queries", type=int, default=None,
                        help=f"queries timed (default {QUERY_COUNT})")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="articles per commit (default: arsearch's)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ARTICLES} articles, {QUICK_REAL} real, {QUICK_QUERIES} "
                             "queries (for the test suite)")
    parser.add_argument("--real", type=int, default=None,
                        help="real saudinewsnet articles at the start of the stream "
                             "(default all)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--work", type=Path, default=None,
                        help=f"folder for the indexes (default {WORK})")
    parser.add_argument("--corpus-work", type=Path, default=None,
                        help=f"folder of the corpus cache (default scale.py's, {SCALE_WORK})")
    parser.add_argument("--keep", action="store_true", help="keep the built indexes")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to save the results (default benchmarks/results/"
                             "cluster.json, cluster-quick.json with --quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="markdown file to write the report section into (default "
                             "docs/scaling.md, none with --quick)")
    parser.add_argument("--no-docs", action="store_true", help="do not write a markdown file")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only render the report of a saved run (its JSON) again")
    # Internal: one system in a subprocess (see run_child).
    parser.add_argument("--child", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--articles", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch_size is None:
        from arsearch.index.writing import DEFAULT_BATCH_SIZE

        args.batch_size = DEFAULT_BATCH_SIZE
    if args.child:
        return args
    if args.render:
        args.out = None if args.no_docs else args.out or DOCS
        return args
    if args.n is None:
        args.n = QUICK_ARTICLES if args.quick else DEFAULT_ARTICLES
    if args.queries is None:
        args.queries = QUICK_QUERIES if args.quick else QUERY_COUNT
    if args.real is None:
        args.real = QUICK_REAL if args.quick else REAL_ALL
    for name in ("n", "shards", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.queries < 2:
        parser.error("--queries must be at least 2")
    if args.work is None:
        args.work = WORK.with_name("cluster-quick") if args.quick else WORK
    if args.corpus_work is None:
        args.corpus_work = SCALE_WORK.with_name("scale-quick") if args.quick else SCALE_WORK
    args.work, args.corpus_work = args.work.resolve(), args.corpus_work.resolve()
    if args.out is None and not args.quick:
        args.out = DOCS
    if args.no_docs:
        args.out = None
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child(args)
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if args.render:
        section = report(json.loads(args.render.read_text("utf-8")))
        print(section)
        if args.out:
            write_section(args.out, section)
        return 0
    try:
        import ray  # noqa: F401
    except ImportError:
        sys.exit("Ray is not installed: pip install -e '.[cluster]'")
    require_data(NEWS, QA)
    with open(DATA / NEWS / "corpus.jsonl", "rb") as f:
        args.real = min(args.real, sum(1 for _ in f))
    try:
        payload = run(args)
    except RuntimeError as e:
        print(f"cluster benchmark failed: {e}", file=sys.stderr)
        return 1
    section = report(payload)
    print(section)
    if args.out:
        write_section(args.out, section)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
        print(f"raw numbers: {args.json}")
    else:
        print(f"raw numbers: {save_json('cluster-quick' if args.quick else 'cluster', payload)}")
    ok = payload["exactness"]["same"] == payload["exactness"]["queries"] and all(
        r["complete"] for r in payload["results"].values())
    if not ok:
        print("FAIL: the sharded index did not give one index's results, or an index does not "
              "hold exactly the articles added", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
