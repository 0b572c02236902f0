"""The ``arsearch`` command line: index, search, stats, analyze, demo.

A thin layer over the Python API: every command calls the same functions a
Python user would, and errors are arsearch's own messages, never tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from . import __version__
from .analysis import explain
from .cluster.cli import add_cluster_arguments, open_index
from .errors import ArsearchError, SettingsError
from .index import Index, Results
from .readers import read_articles
from .sample import load_sample

# A right-to-left mark starting a line makes a terminal that implements the
# Unicode bidi algorithm lay the line out right to left; other terminals
# ignore it. It is only written to terminals, never into files or pipes.
RLM = "\u200f"

#: Queries ``arsearch demo`` runs when given none, and what each shows.
DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    ("الفيضانات", "headline ranking: the article with the word in its headline comes first"),
    ("الامارات", "normalization: written without hamza, it finds الإمارات too"),
    ("المفاوضات", "clitics: والمفاوضات، بالمفاوضات، للمفاوضات match as well"),
    ("مُستشفى", "diacritics and ى/ي: finds مستشفى and مستشفي alike"),
    ('"الطاقة الشمسية" -الرياح', "a quoted phrase, and a word left out"),
)


class _Style:
    """How output is decorated: ANSI emphasis and RTL marks on a terminal,
    plain text elsewhere, with matches in [brackets] (not «», which Arabic
    text uses for quotations)."""

    def __init__(self, stream: TextIO):
        tty = stream.isatty()
        color = tty and "NO_COLOR" not in os.environ
        self.mark = ("\033[1;33m", "\033[0m") if color else ("[", "]")
        self.dim = ("\033[2m", "\033[0m") if color else ("", "")
        self.bold = ("\033[1m", "\033[0m") if color else ("", "")
        self.rtl_mark = RLM if tty else ""

    def rtl(self, line: str) -> str:
        return self.rtl_mark + line


def print_results(results: Results, out: TextIO, style: _Style) -> None:
    pages = max(results.pages, 1)
    out.write(f"{_count(results.total, 'result')} (page {results.page} of {pages})\n")
    if results.suggestion:
        out.write(f"did you mean: {style.rtl(results.suggestion)}\n")
    for hit in results:
        headline = hit.headline_passage.render(*style.bold, escape=False) or hit.id
        out.write(f"\n{hit.rank:>3}. {style.rtl(headline)}\n")
        meta = " · ".join(x for x in (hit.source, hit.date.date().isoformat() if hit.date else "",
                                      "، ".join(hit.tags)) if x)
        dim_open, dim_close = style.dim
        out.write(f"     {style.rtl(meta)}  {dim_open}[{hit.id}] {hit.score:.2f}{dim_close}\n"
                  if meta else f"     {dim_open}[{hit.id}] {hit.score:.2f}{dim_close}\n")
        snippet = hit.snippet_text(*style.mark)
        if snippet:
            out.write(f"     {style.rtl(snippet)}\n")
        if hit.url:
            out.write(f"     {hit.url}\n")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# Commands ------------------------------------------------------------------


def _field_map(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        field, sep, key = pair.partition("=")
        if not sep or not field or not key:
            raise SettingsError(f"--field takes FIELD=KEY (for example headline=title), got {pair!r}")
        mapping[field.strip()] = key.strip()
    return mapping


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    records = read_articles(*args.sources, errors="skip" if args.skip_errors else "raise",
                            fields=_field_map(args.field))
    with open_index(args, create=True) as ix:
        before = len(ix)
        written = ix.add(records, progress=not args.quiet and sys.stderr.isatty(),
                         errors="skip" if args.skip_errors else "raise",
                         bad_dates="drop" if args.drop_bad_dates else "raise",
                         batch_size=args.batch_size)
        after = len(ix)
    out.write(f"indexed {_count(written, 'article')} into {args.index} "
              f"({_count(after, 'article')} in the index, {after - before:+d})\n")
    for err in records.skipped:
        sys.stderr.write(f"skipped: {err}\n")
    if records.skip_count > len(records.skipped):
        sys.stderr.write(f"… and {records.skip_count - len(records.skipped)} more skipped\n")
    return 0


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    with open_index(args, create=False) as ix:
        results = ix.search(args.query, limit=args.limit, page=args.page, source=args.source,
                            tags=args.tag, since=args.since, until=args.until)
        if args.json:
            _json({"query": args.query, "suggestion": results.suggestion, "total": results.total,
                   "page": results.page, "pages": results.pages, "hits": results.to_dicts()}, out)
        else:
            print_results(results, out, _Style(out))
    return 0


def cmd_more_like(args: argparse.Namespace, out: TextIO) -> int:
    with open_index(args, create=False) as ix:
        results = ix.more_like(args.id, limit=args.limit)
        if args.json:
            _json(results.to_dicts(), out)
        else:
            print_results(results, out, _Style(out))
    return 0


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    with open_index(args, create=False) as ix:
        stats = ix.stats()
        stats["top_sources"] = dict(list(ix.facets("", "source").items())[:10])
    if args.json:
        _json(stats, out)
        return 0
    width = max(len(k) for k in stats)

    def show(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
        if isinstance(value, list):
            return " ".join(map(str, value))
        return str(value)

    for key, value in stats.items():
        out.write(f"{key:<{width}}  {show(value)}\n")
    return 0


def cmd_analyze(args: argparse.Namespace, out: TextIO) -> int:
    text = args.text if args.text != "-" else sys.stdin.read()
    tokens = explain(text, query=args.query)
    if args.json:
        _json([{"original": t.original, "normalized": t.normalized, "terms": list(t.terms),
                "kind": t.kind, "start": t.start, "end": t.end} for t in tokens], out)
        return 0
    rows = [("original", "normalized", "stem", "kind")]
    rows += [(t.original, t.normalized, " ".join(t.terms) or "(stopword)", t.kind)
             for t in tokens]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        out.write("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)).rstrip() + "\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    articles = load_sample()
    ix = Index()
    ix.add(articles)
    style = _Style(out)
    out.write(f"arsearch {__version__} demo: {len(ix)} sample articles indexed in memory.\n")
    queries = [(args.query, "")] if args.query else list(DEMO_QUERIES)
    for query, why in queries:
        out.write(f"\n{'=' * 72}\nquery: {style.rtl(query)}\n")
        if why:
            out.write(f"shows: {why}\n")
        print_results(ix.search(query, limit=args.limit), out, style)
    if not args.query:
        out.write("\nTry your own: arsearch demo \"كلمات البحث\"\n")
    return 0


# Parser --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arsearch", description="Arabic full-text search: index and search news articles.")
    p.add_argument("--version", action="version", version=f"arsearch {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("index", help="add articles from JSONL, CSV/TSV or text files (or folders)")
    s.add_argument("sources", nargs="+", help="files or folders; '-' reads JSONL from stdin")
    s.add_argument("--index", required=True, metavar="DIR", help="index directory")
    s.add_argument("--batch-size", type=int, default=None, help="articles per commit")
    s.add_argument("--field", action="append", metavar="FIELD=KEY",
                   help="read an article field from another JSON key or CSV column "
                        "(repeatable), e.g. --field headline=title --field body=content")
    s.add_argument("--skip-errors", action="store_true",
                   help="skip broken records instead of stopping at the first")
    s.add_argument("--drop-bad-dates", action="store_true",
                   help="keep articles whose date cannot be parsed, without a date")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", help="search an index")
    s.add_argument("query")
    s.add_argument("--index", required=True, metavar="DIR")
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--page", type=int, default=1)
    s.add_argument("--source", action="append", help="only this source (repeatable: any of)")
    s.add_argument("--tag", action="append", help="only with this tag (repeatable: all of)")
    s.add_argument("--since", help="earliest date, e.g. 2023-09-01")
    s.add_argument("--until", help="latest date (inclusive)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("more-like", help="articles related to one article")
    s.add_argument("id")
    s.add_argument("--index", required=True, metavar="DIR")
    s.add_argument("--limit", type=int, default=5)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_more_like)

    s = sub.add_parser("stats", help="what an index holds")
    s.add_argument("--index", required=True, metavar="DIR")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("analyze", help="show how text is tokenized, normalized and stemmed")
    s.add_argument("text", help="Arabic text, or '-' for stdin")
    s.add_argument("--query", action="store_true", help="analyse as a query (drops question words)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_analyze)

    s = sub.add_parser("demo", help="search the bundled sample articles")
    s.add_argument("query", nargs="?", help="your own query (default: a few examples)")
    s.add_argument("--limit", type=int, default=3)
    s.set_defaults(func=cmd_demo)
    add_cluster_arguments(sub)
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, out))
    except ArsearchError as e:
        sys.stderr.write(f"arsearch: error: {e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("arsearch: interrupted; everything committed before is kept\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
