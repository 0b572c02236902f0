"""The ``arsearch`` command line: index, search, more-like, stats, analyze, demo.

A thin layer over the Python API: every command calls the same functions a
Python user would, and errors are arsearch's own messages, never tracebacks.
A command never reports success for a wrong or empty result: it exits
non-zero with a message naming the cause (see the exit codes in
``docs/cli.md``).
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from . import __version__
from .analysis import explain
from .article import ARTICLE_FIELDS, Article, to_article
from .dates import parse_date_details
from .errors import (ArsearchError, DateError, DocumentError, FieldMappingError, QueryError,
                     SettingsError)
from .cluster.cli import add_cluster_arguments, open_index
from .index import Index, Results
from .index.query import MAX_QUERY_CHARS
from .progress import progress_bar
from .readers import Records, read_articles
from .readers.fields import DEFAULT_FIELDS, MAX_KEYS_SHOWN, FieldMap
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

#: How many reasons for skipped records the summary of ``index --skip-errors`` shows.
SKIPPED_SHOWN = 5


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
    if results.corrected:
        out.write(f"showing results for: {style.rtl(results.corrected)}\n")
    elif results.suggestion:
        out.write(f"did you mean: {style.rtl(results.suggestion)}\n")
    note = results.relaxed_note()
    if note:
        out.write(note + "\n")
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


def _check_page(results: Results, what: str) -> None:
    """A page past the last is an error that says how many pages there are."""
    if results.past_last_page:
        raise QueryError(
            f"page {results.page} is past the last page: {_count(results.total, what)} make "
            f"{_count(results.pages, 'page')} of {results.limit}")


# Messages --------------------------------------------------------------------


def describe(error: ArsearchError) -> str:
    """An error as the command line words it: a wrong field mapping names
    the ``--field`` option that fixes it; the rest keep their message."""
    if not isinstance(error, FieldMappingError):
        return str(error)
    noun = error.noun
    shown = ", ".join(error.available[:MAX_KEYS_SHOWN]) + (
        ", …" if len(error.available) > MAX_KEYS_SHOWN else "")
    listed = f"its {noun}s are: {shown}" if error.available else f"it has no {noun}s"
    if error.key is not None:
        where = (f"{error.source} has no column {error.key!r}" if noun == "column"
                 else f"no record of {error.source} has the key {error.key!r}")
        message = f"--field {error.field}={error.key}: {where} ({listed})"
        if error.guess in DEFAULT_FIELDS.get(error.field or "", ()):
            message += (f"; without this --field, {error.field} is read from {error.guess!r}, "
                        "which it has")
        elif error.guess:
            message += f"; did you mean --field {error.field}={error.guess}?"
        return message
    if error.field == "id":
        lacking = f"no {noun} of {error.source} is an article id ('id')"
        needed = ["id"]
    else:
        lacking = (f"no {noun} of {error.source} is an article headline or body ('headline', "
                   "'title', 'body', 'text', 'content')")
        needed = ["headline", "body"]
    # The field missing first (with a placeholder if no column looks like it),
    # then every other field a column looks like.
    fix = {field: error.hints.get(field, noun.upper()) for field in needed}
    fix.update({field: key for field, key in error.hints.items() if field not in fix})
    fix = {field: fix[field] for field in ARTICLE_FIELDS if field in fix}
    options = " ".join(f"--field {field}={key}" for field, key in fix.items())
    return f"{lacking}; {listed}. Name the {noun}s to read, e.g. {options}"


# Indexing ------------------------------------------------------------------


def _field_map(pairs: list[str] | None) -> dict[str, str | None] | None:
    if not pairs:
        return None
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        field, sep, key = pair.partition("=")
        if not sep or not field.strip():
            raise SettingsError(f"--field takes FIELD=KEY (for example headline=title, or "
                                f"author= to leave a key out), got {pair!r}")
        mapping[field.strip()] = key.strip() or None
    try:
        FieldMap(mapping)
    except SettingsError as e:
        raise SettingsError(str(e).replace(" in fields ", " in --field ")) from None
    return mapping


class _Feed:
    """The articles :meth:`Index.add` takes from the readers, validated here
    so that the command can count what was skipped and why; the progress
    bar moves when :meth:`Index.add` reports a committed batch.
    """

    def __init__(self, records: Records, first: dict[str, Any] | None, *, skip: bool,
                 bad_dates: str, total: int | None, show: bool):
        self.records = records
        self.first = first
        self.skip = skip
        self.bad_dates = bad_dates
        self.given = 0                  # articles handed to Index.add
        self.invalid: list[DocumentError] = []
        self.invalid_count = 0
        self.bar = progress_bar(total, desc="indexing", unit=" articles", file=sys.stderr,
                                dynamic_ncols=True, mininterval=0.5) if show else None

    def articles(self) -> Iterator[Article]:
        reader_skips = 0
        ahead = [] if self.first is None else [self.first]
        for position, raw in enumerate(itertools.chain(ahead, self.records)):
            try:
                article = to_article(raw, position, bad_dates=self.bad_dates)  # type: ignore[arg-type]
            except DocumentError as e:
                if not self.skip:
                    raise
                self.invalid_count += 1
                if len(self.invalid) < SKIPPED_SHOWN:
                    self.invalid.append(e)
                self._shrink(1)
                continue
            if self.records.skip_count > reader_skips:
                self._shrink(self.records.skip_count - reader_skips)
                reader_skips = self.records.skip_count
            self.given += 1
            yield article

    def committed(self, count: int) -> None:
        """Index.add committed ``count`` more articles."""
        if self.bar is not None:
            self.bar.update(count)

    def _shrink(self, skipped: int) -> None:
        if self.bar is not None and self.bar.total is not None:
            self.bar.total = max(self.bar.total - skipped, self.bar.n)
            self.bar.refresh()

    def finish(self, written: int) -> None:
        if self.bar is not None:
            self.bar.total = max(written, self.bar.n)
            self.bar.update(written - self.bar.n)
            self.bar.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    @property
    def skipped(self) -> int:
        return self.records.skip_count + self.invalid_count

    def errors(self) -> list[DocumentError]:
        """The first errors of the skipped items, the reader's first."""
        return (list(self.records.skipped[:SKIPPED_SHOWN]) + self.invalid)[:SKIPPED_SHOWN]


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    skip = args.skip_errors
    records = read_articles(*args.sources, errors="skip" if skip else "raise",
                            fields=_field_map(args.field), extra=not args.no_extra)
    show = not args.quiet and sys.stderr.isatty()
    # The first record is read before the index is opened, so that input
    # that gives no articles (a wrong --field, a CSV without article
    # columns, an empty file) leaves no new index directory behind.
    try:
        first = next(records, None)
    except FieldMappingError:
        raise
    except DocumentError as e:
        raise _Stopped(e, 0) from None
    sources = " ".join(args.sources)
    if first is None:
        if records.skip_count:
            _report_skipped(records.skip_count, records.skipped)
            raise ArsearchError(f"nothing indexed: everything read from {sources} was "
                                "skipped (the reasons are above)")
        raise ArsearchError(f"nothing indexed: {sources} holds no articles")
    with open_index(args, create=True) as ix:
        batch_size = args.batch_size or ix.batch_size
        feed = _Feed(records, first, skip=skip,
                     bad_dates="drop" if args.drop_bad_dates else "raise",
                     total=records.count_records() if show else None,
                     show=show)
        before = len(ix)
        try:
            written = ix.add(feed.articles(), errors="raise", batch_size=batch_size,
                             on_commit=feed.committed)
        except DocumentError as e:
            feed.close()
            if isinstance(e, FieldMappingError):   # the file, not a record: no skipping helps
                raise
            # Index.add committed every article before the broken one.
            raise _Stopped(e, feed.given) from None
        except BaseException:
            feed.close()
            raise
        feed.finish(written)
        after = len(ix)
    if written == 0:
        _report_skipped(feed.skipped, feed.errors())
        raise ArsearchError(f"nothing indexed: everything read from {sources} was "
                            "skipped (the reasons are above)")
    out.write(f"indexed {_count(written, 'article')} into {args.index} "
              f"({_count(after, 'article')} in the index, {after - before:+d})\n")
    if feed.skipped:
        _report_skipped(feed.skipped, feed.errors())
    return 0


class _Stopped(ArsearchError):
    """A broken record stopped ``arsearch index`` (without --skip-errors)."""

    def __init__(self, error: DocumentError, committed: int):
        super().__init__(describe(error))
        self.committed = committed


def _report_skipped(count: int, errors: Sequence[ArsearchError]) -> None:
    """The summary of ``--skip-errors``: how many, and the first reasons."""
    lines = [f"skipped {_count(count, 'record')}:"]
    lines += [f"  {describe(e)}" for e in errors[:SKIPPED_SHOWN]]
    if count > SKIPPED_SHOWN:
        lines.append(f"  … and {count - SKIPPED_SHOWN} more")
    sys.stderr.write("\n".join(lines) + "\n")


# Searching -----------------------------------------------------------------


def _check_dates(since: str | None, until: str | None) -> None:
    """``--since`` later than ``--until`` selects nothing: say so."""
    if since is None or until is None:
        return
    try:
        start = parse_date_details(since)
        end = parse_date_details(until)
    except DateError:
        return          # the index names the one it cannot read
    if start.when is None or end.when is None:
        return
    last = end.when
    if not end.has_time:
        last = last.replace(hour=23, minute=59, second=59, microsecond=999999)
    if start.when > last:
        raise QueryError(f"--since {since} is later than --until {until}: no article can be "
                         "in that range; swap them")


def _check_query_length(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(query):,} characters long; at most {MAX_QUERY_CHARS:,} are "
            "allowed. To find the articles most like a text, pass it to more-like: arsearch "
            "more-like --text - --index DIR < text.txt (in Python, Index.more_like_text(text))")


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    _check_query_length(args.query)
    _check_dates(args.since, args.until)
    with open_index(args, create=False) as ix:
        results = ix.search(args.query, limit=args.limit, page=args.page, source=args.source,
                            tags=args.tag, since=args.since, until=args.until,
                            correct=not args.no_correct,
                            relax_phrases=False if args.exact_phrases else None,
                            phrase_slop=0 if args.exact_phrases else None)
        _check_page(results, "result")
        if args.json:
            _json({"query": args.query, "suggestion": results.suggestion,
                   "corrected": results.corrected,
                   "relaxed_phrases": list(results.relaxed_phrases), "total": results.total,
                   "page": results.page, "pages": results.pages, "hits": results.to_dicts()}, out)
        else:
            print_results(results, out, _Style(out))
    return 0


def _accepts(method: Any, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def cmd_more_like(args: argparse.Namespace, out: TextIO) -> int:
    with open_index(args, create=False) as ix:
        if args.text is not None:
            text = sys.stdin.read() if args.text == "-" else args.text
            if not text.strip():
                raise QueryError("--text is empty: give the text to find articles like")
            like_text = getattr(ix, "more_like_text", None)
            if like_text is None:
                raise ArsearchError("finding articles like a text needs Index.more_like_text, "
                                    "which this version of arsearch does not have yet")
            results = like_text(text, limit=args.limit, page=args.page)
        else:
            if args.page != 1 and not _accepts(ix.more_like, "page"):
                raise ArsearchError("this version of arsearch cannot page related articles "
                                    "yet: use --limit to see more of them")
            options = {"page": args.page} if args.page != 1 else {}
            results = ix.more_like(args.id, limit=args.limit, **options)
        _check_page(results, "related article")
        if args.json:
            _json(results.to_dicts(), out)
        else:
            print_results(results, out, _Style(out))
    return 0


# Other commands --------------------------------------------------------------


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    with open_index(args, create=False) as ix:
        stats = ix.stats()
        # stats() counted the sources already; show the ten largest.
        stats["top_sources"] = dict(list(stats.pop("source_counts").items())[:10])
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


class ArgumentParser(argparse.ArgumentParser):
    """argparse, except that a word starting with a single ``-`` that is no
    option of the command is an argument: ``arsearch search "-الحوثيين"``
    searches for articles without the word, as the query syntax says.
    (``--`` still ends the options, as usual.)"""

    def _parse_optional(self, arg_string: str) -> Any:
        if (len(arg_string) > 1 and arg_string[0] == "-" and arg_string[1] != "-"
                and arg_string not in self._option_string_actions):
            return None         # a positional argument
        return super()._parse_optional(arg_string)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


QUERY_HELP = ("words, \"phrases\", -word to leave out, OR, headline:/body:, source:\"…\", tag:…; "
              "a query starting with '-' works as it is (arsearch search -word), and "
              "'--' before the query also ends the options")


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="arsearch", description="Arabic full-text search: index and search news articles.")
    p.add_argument("--version", action="version", version=f"arsearch {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser(
        "index", help="add articles from JSON Lines, JSON, CSV/TSV, text or HTML files (or "
                      "folders)",
        description="Add articles to an index (created if needed). Exits with 1, naming "
                    "the cause, when nothing was indexed, a --field names a key no record "
                    "has, a file is malformed or a folder holds files it cannot read.")
    s.add_argument("sources", nargs="+", help="files or folders (.jsonl, .ndjson, .json, .csv, "
                                              ".tsv, .txt, .html, .htm); '-' reads JSON Lines "
                                              "from stdin")
    s.add_argument("--index", required=True, metavar="DIR", help="index directory")
    s.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
                   help="articles per commit")
    s.add_argument("--field", action="append", metavar="FIELD=KEY",
                   help="read a field from another JSON key or CSV column (repeatable), e.g. "
                        "--field headline=title --field body=content; a name that is not an "
                        "article field keeps an extra field (--field author=writer), and "
                        "FIELD= leaves a key out")
    s.add_argument("--no-extra", action="store_true",
                   help="store only the article fields, not the other keys and columns")
    s.add_argument("--skip-errors", action="store_true",
                   help="skip broken records and unreadable files instead of stopping at the "
                        "first, and print a summary; exits with 1 when every record was "
                        "skipped")
    s.add_argument("--drop-bad-dates", action="store_true",
                   help="keep articles whose date cannot be parsed, without a date")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("search", help="search an index")
    s.add_argument("query", help=QUERY_HELP)
    s.add_argument("--index", required=True, metavar="DIR")
    s.add_argument("--limit", type=positive_int, default=10, metavar="N",
                   help="hits per page (default 10)")
    s.add_argument("--page", type=positive_int, default=1, metavar="N")
    s.add_argument("--source", action="append", help="only this source (repeatable: any of)")
    s.add_argument("--tag", action="append", help="only with this tag (repeatable: all of)")
    s.add_argument("--since", help="earliest date, e.g. 2023-09-01")
    s.add_argument("--until", help="latest date (inclusive)")
    s.add_argument("--no-correct", action="store_true",
                   help="search misspelled words as typed only (by default a misspelled word "
                        "is searched with its correction too)")
    s.add_argument("--exact-phrases", action="store_true",
                   help="a quoted phrase matches only its words next to each other, in "
                        "order, and always filters, even when no article holds it (by default "
                        "its words may stand a word apart, in any order, and a phrase no "
                        "article holds is searched as its words)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("more-like", help="articles related to one article, or to a text")
    s.add_argument("id", nargs="?", help="the id of an indexed article")
    s.add_argument("--text", metavar="TEXT",
                   help="instead of an id: a text (a pasted article, say); '-' reads it from "
                        "stdin")
    s.add_argument("--index", required=True, metavar="DIR")
    s.add_argument("--limit", type=positive_int, default=5, metavar="N")
    s.add_argument("--page", type=positive_int, default=1, metavar="N")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_more_like, subparser=s)

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
    s.add_argument("--limit", type=positive_int, default=3, metavar="N")
    s.set_defaults(func=cmd_demo)
    add_cluster_arguments(sub)
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.command == "more-like" and (args.id is None) == (args.text is None):
        args.subparser.error("give either the id of an article or --text, not both" if args.id
                             else "give the id of an article, or --text TEXT")
    try:
        return int(args.func(args, out))
    except _Stopped as e:
        sys.stderr.write(f"arsearch: error: {e}\n")
        n = e.committed
        before = (f"the {_count(n, 'article')} read before it {'is' if n == 1 else 'are'} "
                  "indexed" if n else "nothing was indexed")
        sys.stderr.write(f"arsearch: {before}; --skip-errors skips broken records\n")
        return 1
    except ArsearchError as e:
        sys.stderr.write(f"arsearch: error: {describe(e)}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("arsearch: interrupted; everything committed before is kept\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
