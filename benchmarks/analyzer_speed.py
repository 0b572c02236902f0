"""Analyzer throughput: ``arsearch.ArabicAnalyzer()`` against Whoosh's
``StandardAnalyzer()`` on the SaudiNewsNet articles (headline and body).

Both analyzers run in the same process, interleaved (arsearch cold, Whoosh,
arsearch warm, Whoosh, per repetition), and every token is consumed with
``positions=True, chars=True``, one call per field as indexing makes them.

arsearch caches the terms of each surface form it has seen, so a pass is
*cold* when it uses a fresh analyzer (its cache fills during the pass: what
indexing a new corpus costs) and *warm* when the same analyzer reads the
texts a second time. The target ratio (arsearch time / Whoosh time, ≤ 1.5)
is judged on cold passes. MB means 10⁶ bytes of UTF-8 text.

    python benchmarks/analyzer_speed.py            # all 10,981 articles, 3 repetitions
    python benchmarks/analyzer_speed.py --quick    # a few hundred articles, 1 repetition
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (add_standard_args, changed_code_warning, code_fingerprint,
                               environment, iter_corpus, markdown_table, publish,
                               report_header, require_data, run_conditions)

warnings.simplefilter("ignore", SyntaxWarning)  # Whoosh 2.7's own code
warnings.simplefilter("ignore", DeprecationWarning)

CORPUS = "saudinewsnet"
TARGET_RATIO = 1.5
QUICK_DOCS = 200
SECTION_TITLE = "Analyzer speed (benchmarks/analyzer_speed.py)"

Analyzer = Callable[..., Iterable[Any]]


def field_texts(limit: int | None = None) -> list[str]:
    """The non-empty headline and body texts of the corpus, one per field."""
    return [text for article in iter_corpus(CORPUS, limit)
            for text in (article["headline"], article["body"]) if text]


def text_megabytes(texts: Iterable[str]) -> float:
    """Size of ``texts`` in MB (10⁶ bytes) of UTF-8."""
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def arsearch_analyzer() -> Analyzer:
    """A fresh arsearch analyzer (its term cache empty)."""
    import arsearch

    return arsearch.ArabicAnalyzer()


def whoosh_analyzer() -> Analyzer:
    """A fresh Whoosh ``StandardAnalyzer``."""
    from whoosh.analysis import StandardAnalyzer

    return StandardAnalyzer()


def timed_pass(analyzer: Analyzer, texts: list[str]) -> tuple[float, int]:
    """Seconds to run ``analyzer`` over ``texts`` consuming every token, and
    how many tokens it yielded."""
    tokens = 0
    start = time.perf_counter()
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True, mode="index"):
            tokens += 1
    return time.perf_counter() - start, tokens


def measure_analyzers(texts: list[str], repeat: int) -> dict[str, Any]:
    """Time both analyzers over ``texts``, ``repeat`` times, interleaved.

    Returns the raw seconds of every pass and, for each of ``arsearch_cold``,
    ``arsearch_warm`` and ``whoosh``, the median seconds, MB/s and tokens/s,
    with the ratios to Whoosh."""
    passes: dict[str, list[float]] = {"arsearch_cold": [], "arsearch_warm": [], "whoosh": []}
    tokens: dict[str, int] = {}
    for _ in range(repeat):
        ours = arsearch_analyzer()
        for name, analyzer in (("arsearch_cold", ours), ("whoosh", whoosh_analyzer()),
                               ("arsearch_warm", ours), ("whoosh", whoosh_analyzer())):
            seconds, count = timed_pass(analyzer, texts)
            passes[name].append(seconds)
            tokens[name] = count
    mb = text_megabytes(texts)
    result: dict[str, Any] = {"texts": len(texts), "megabytes": mb, "repeat": repeat,
                              "passes": passes}
    for name, seconds in passes.items():
        median = statistics.median(seconds)
        result[name] = {"seconds": median, "mb_per_s": mb / median, "tokens": tokens[name],
                        "tokens_per_s": tokens[name] / median}
    whoosh_seconds = result["whoosh"]["seconds"]
    result["ratio_cold"] = result["arsearch_cold"]["seconds"] / whoosh_seconds
    result["ratio_warm"] = result["arsearch_warm"]["seconds"] / whoosh_seconds
    result["first_pass_seconds"] = passes["arsearch_cold"][0]
    return result


def verdict(ratio: float, target: float) -> str:
    """``met`` or ``missed`` for a time ratio against its target."""
    return "met" if ratio <= target else "missed"


def analyzer_table(result: dict[str, Any]) -> str:
    """The markdown table (and ratio line) of :func:`measure_analyzers`."""
    rows = []
    labels = {"arsearch_cold": ("arsearch ArabicAnalyzer", "cold: fresh analyzer, first pass"),
              "arsearch_warm": ("arsearch ArabicAnalyzer", "warm: same analyzer, second pass"),
              "whoosh": ("Whoosh StandardAnalyzer", "(no cache)")}
    for name, (analyzer, kind) in labels.items():
        r = result[name]
        ratio = r["seconds"] / result["whoosh"]["seconds"]
        rows.append([analyzer, kind, f"{r['mb_per_s']:.2f}", f"{r['tokens_per_s']:,.0f}",
                     f"{r['tokens']:,}", f"{r['seconds']:.2f}", f"{ratio:.2f}"])
    table = markdown_table(["analyzer", "pass", "MB/s", "tokens/s", "tokens", "median s",
                            "time / Whoosh"], rows)
    return "\n".join([
        f"{result['texts']:,} field texts, {result['megabytes']:.1f} MB of UTF-8; "
        f"median of {result['repeat']} interleaved repetition(s).", "", table, "",
        f"Ratio arsearch / Whoosh time, cold: **{result['ratio_cold']:.2f}** "
        f"(target ≤ {TARGET_RATIO}: {verdict(result['ratio_cold'], TARGET_RATIO)}); "
        f"warm: {result['ratio_warm']:.2f}. First arsearch pass of the run: "
        f"{result['first_pass_seconds']:.2f} s. PyStemmer installed: "
        f"{environment()['pystemmer']}."])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_standard_args(parser, f"{QUICK_DOCS} articles, 1 repetition", "analyzer_speed")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.docs = 1, args.docs or QUICK_DOCS
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    require_data(CORPUS)
    fingerprint = code_fingerprint()
    conditions = run_conditions(fingerprint)
    result = measure_analyzers(field_texts(args.docs), args.repeat)
    report = "\n\n".join([report_header(SECTION_TITLE), conditions, analyzer_table(result),
                           *changed_code_warning(fingerprint)])
    publish(report, args, "analyzer_speed", result)


if __name__ == "__main__":
    main()
