"""Shared helpers of the benchmark scripts: where the real data lives, how
to read it, and how to print and save a results table.

The collections in ``../shared/data`` (seen from the repository root) were
written by others; they are read in place and never copied into the repo.
Set ``ARSEARCH_DATA`` to use another location.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import math
import platform
import resource
import shlex
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ARSEARCH_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "benchmarks" / "results"


def data_available(*names: str) -> bool:
    """Whether every named collection is there (tests skip when not)."""
    return all((DATA / n / "corpus.jsonl").exists() for n in names)


def require_data(*names: str) -> None:
    """Exit with a clear message when a named collection is missing."""
    missing = [n for n in names if not (DATA / n / "corpus.jsonl").exists()]
    if missing:
        sys.exit(f"benchmark data not found: {', '.join(str(DATA / n) for n in missing)} "
                 "(set ARSEARCH_DATA to the folder holding the collections)")


def iter_corpus(name: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Records of ``DATA/name/corpus.jsonl`` as arsearch articles: title as
    headline (HTML entities decoded; SaudiNewsNet has ``&quot;``), text as
    body, and the other fields where they exist."""
    with open(DATA / name / "corpus.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                return
            r = json.loads(line)
            article = {"id": r["id"], "headline": html.unescape(r.get("title") or ""),
                       "body": r.get("text") or ""}
            for key in ("source", "url"):
                if r.get(key):
                    article[key] = r[key]
            if r.get("date"):
                article["date"] = r["date"]
            yield article


def read_queries(name: str, file: str = "queries.tsv") -> list[tuple[str, str]]:
    out = []
    with open(DATA / name / file, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                qid, text = line.split("\t", 1)
                out.append((qid, text))
    return out


def read_qrels(name: str, file: str = "qrels.txt") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(DATA / name / file, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and int(parts[3]) > 0:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def whoosh_schema() -> Any:
    """Plain Whoosh schema equivalent to arsearch's article fields (the
    baseline of the speed and scale benchmarks)."""
    from whoosh import fields
    from whoosh.analysis import StandardAnalyzer

    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        headline=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StandardAnalyzer(), stored=True),
        date=fields.STORED(), source=fields.STORED(), url=fields.STORED())


def environment() -> dict[str, str]:
    """Versions and machine, for the report."""
    import whoosh

    import arsearch

    try:
        import Stemmer  # noqa: F401
        pystemmer = "yes"
    except ImportError:
        pystemmer = "no"
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "arsearch": arsearch.__version__,
        "whoosh": whoosh.versionstring(),
        "pystemmer": pystemmer,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3f}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def save_json(name: str, payload: Any) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), "utf-8")
    return path


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def command_line(argv: list[str] | None = None) -> str:
    """The command that produced a report, as it could be typed again from
    the repository root."""
    args = list(sys.argv if argv is None else argv)
    script = Path(args[0]).resolve()
    if script.is_relative_to(REPO):
        args[0] = str(script.relative_to(REPO))
    return "python " + " ".join(shlex.quote(a) for a in args)


def report_header(title: str) -> str:
    """A report section's heading, command line and versions (with the date)."""
    env = environment()
    return "\n".join([f"## {title}", "", f"Command: `{command_line()}`", "",
                      markdown_table(list(env), [list(env.values())])])


def write_section(path: str | os.PathLike[str], section: str,
                  before: str | None = None) -> None:
    """Put a markdown ``section`` (starting with its ``## `` heading) into
    ``path``: it replaces a section with the same heading, up to the next
    ``## `` heading, or goes in front of the heading line ``before`` (when
    there is one), or is appended."""
    target = Path(path)
    heading = section.splitlines()[0]
    lines = target.read_text("utf-8").splitlines() if target.exists() else []
    new = section.rstrip("\n").splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        lines[start:end] = new + ([""] if end < len(lines) else [])
    elif before is not None and before in lines:
        at = lines.index(before)
        lines[at:at] = new + [""]
    else:
        lines += ([""] if lines else []) + new
    target.write_text("\n".join(lines) + "\n", "utf-8")


def memory_mb(field: str) -> float:
    """``VmHWM`` (peak RSS) or ``VmRSS`` of this process, in MB (10⁶ bytes);
    the peak from ``getrusage`` where ``/proc`` is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux: KiB


def code_fingerprint() -> str:
    """A short hash of arsearch's source files, to tell whether the code
    under test changed while a benchmark ran."""
    digest = hashlib.sha1()
    for path in sorted((REPO / "arsearch").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run_conditions(fingerprint: str) -> str:
    """What a timing depends on besides the code: the machine's load average
    (other processes slow a benchmark down and add noise) and which arsearch
    source was measured (``fingerprint``, from :func:`code_fingerprint`)."""
    try:
        one, five, fifteen = os.getloadavg()
        load = f"{one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"
    except OSError:
        load = "unavailable"
    return (f"Load average at start (1/5/15 min): {load}. arsearch source: `{fingerprint}` "
            "(hash of arsearch/**/*.py at start).")


def add_standard_args(parser: argparse.ArgumentParser, quick: str, json_name: str) -> None:
    """The options every benchmark script has: ``--quick`` (described by
    ``quick``), ``--repeat``, ``--docs``, ``--out`` and ``--json``."""
    parser.add_argument("--quick", action="store_true", help=f"{quick} (for the test suite)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--docs", type=int, default=None,
                        help="use the first N articles of each corpus")
    parser.add_argument("--out", help="write the report as a section of this markdown file")
    parser.add_argument("--json", action="store_true",
                        help=f"save the raw numbers to benchmarks/results/{json_name}.json")


def publish(report: str, args: argparse.Namespace, json_name: str,
            payload: dict[str, Any]) -> None:
    """Print ``report``, write it to ``args.out`` and the raw ``payload`` to
    JSON when asked."""
    print(report)
    if args.out:
        write_section(args.out, report)
    if args.json:
        path = save_json(json_name, {"env": environment(), "args": vars(args), **payload})
        print(f"\nraw numbers: {path}")


def changed_code_warning(fingerprint: str) -> list[str]:
    """A warning for the report if arsearch's code is no longer the one
    ``code_fingerprint()`` gave at the start of the run."""
    if code_fingerprint() == fingerprint:
        return []
    return ["**Warning: arsearch's source changed while this benchmark ran: the numbers may "
            "mix code versions or not match the current code. Run it again.**"]
