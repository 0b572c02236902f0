"""Scale benchmark: arsearch, tantivy and plain Whoosh side by side, from
15,000 articles to a million.

For each size the script builds an index with each system, in the same
run, alternating (the order of the systems rotates from one size to the
next), and measures:

* build wall and CPU time, children included, each build in its own
  subprocess (``--child-build``);
* the index's bytes on disk;
* peak RSS of the building process tree (arsearch's bulk load runs worker
  processes), sampled from ``/proc`` every 0.1 s and summed over the tree;
* in a fresh process (``--child-search``): the time to open the index and
  to run a first query, then p50/p95/p99 over a fixed set of queries
  (default 600), and the search process's RSS after them;
* that the index holds every article: its count and a digest of all its
  ids must equal those of the corpus (the script exits 1 if not).

The systems:

* **arsearch**: ``arsearch.Index(path)`` with default settings, one
  ``add()`` of the article stream; queries by ``Index.search_ids(q,
  limit=10)``.
* **tantivy** (the ``bench`` extra): ``headline`` and ``body`` indexed with
  tantivy's whitespace tokenizer from ``" ".join(arsearch.analyze(text))``,
  so both engines index the same terms; the analysis runs in the build
  process and counts in its time. The original article is stored, as
  arsearch stores it. Queries: ``arsearch.analyze(q, query=True)`` through
  tantivy's query parser over headline and body (OR, headline boosted as
  arsearch boosts it), top 10 with their stored ids.
* **whoosh**: plain Whoosh 2.7, ``StandardAnalyzer`` on headline and body,
  the same fields stored; queries through ``MultifieldParser`` with
  ``OrGroup`` (wildcards off, so ``؟`` is not a wildcard), BM25F, top 10
  ids. Its analysis differs from arsearch's, so its latencies are given for
  reference only.

Whoosh and tantivy commit every ``--commit-every`` articles (default:
arsearch's own batch size), so every system makes the same number of
commits.

The corpus: the real SaudiNewsNet articles (10,981) first, then synthetic
articles, each a deterministic recombination of real text from
``saudinewsnet`` and ``arwiki_qa``: the headline of one record, paragraphs
of others (as many as a real article drawn at random has; its date and
source), a new id, seeded by the article's number. Term statistics stay
those of real Arabic text, though the vocabulary stops growing once every
paragraph has been used. The stream is generated once into
``<work>/corpus-*.jsonl`` (``benchmarks/.work`` is ignored by git), grown
when a larger size asks for it, and read line by line by each build, so no
process holds the corpus in memory. Each index of size N is built from the
first N articles.

The queries (the same for every system and size): half ``arwiki_qa``
questions (``queries.tsv`` and ``queries_native.tsv``), half two-word
queries from headlines of the articles that every index in the run holds,
shuffled with a fixed seed.

    python benchmarks/scale.py                         # 15k, 50k, 200k
    python benchmarks/scale.py --n 1000000 --systems arsearch,tantivy
    python benchmarks/scale.py --sizes 200000 --reuse  # rerun queries on kept indexes
    python benchmarks/scale.py --quick                 # a few hundred articles (tests)

Results: the JSON in ``benchmarks/results/scale.json`` (``--json`` to
choose) and a section of ``docs/benchmarks.md`` (``--out``, ``--no-docs``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (DATA, REPO, changed_code_warning, code_fingerprint,
                               command_line, environment, iter_corpus, markdown_table,
                               memory_mb, percentile, read_queries, require_data, run_conditions,
                               save_json, whoosh_schema, write_section)

warnings.simplefilter("ignore", SyntaxWarning)  # Whoosh 2.7's own code
warnings.simplefilter("ignore", DeprecationWarning)

NEWS = "saudinewsnet"
QA = "arwiki_qa"
SYSTEMS = ("arsearch", "tantivy", "whoosh")
LABELS = {"arsearch": "arsearch", "tantivy": "tantivy, same analysis",
          "whoosh": "plain Whoosh 2.7"}
DEFAULT_SIZES = (15_000, 50_000, 200_000)
QUICK_SIZES = (200, 400)
QUICK_REAL = 150
QUERY_COUNT = 600
QUICK_QUERIES = 60
#: Headline queries come from the first articles of the stream, at most
#: this many (the articles every index of a default run holds).
HEADLINE_POOL = 15_000
#: ``--real`` default: every SaudiNewsNet article (there are 10,981).
REAL_ALL = 1_000_000_000
SEED = 20260412
GENERATOR_VERSION = 1
SAMPLE_INTERVAL = 0.1
SECTION_TITLE = "Scale (benchmarks/scale.py)"
WORK = REPO / "benchmarks" / ".work" / "scale"
DOCS = REPO / "docs" / "benchmarks.md"
MB = 1e6

# The targets of issue 12 (see evaluate_targets).
TARGET_P50_TANTIVY = 10.0
TARGET_P95_TANTIVY = 20.0
TARGET_BUILD_WALL_TANTIVY = 5.0
TARGET_BUILD_CPU_WHOOSH = 1.2
TARGET_RATE_KEPT = 0.8
TARGET_RSS_MB = 600.0
TARGET_BYTES_TANTIVY = 2.5


# The article stream -------------------------------------------------------

@dataclass
class SourcePool:
    """Real text to recombine: every headline (news titles and Wikipedia
    titles), every paragraph, and the shape of every real news article
    (paragraph count, date, source)."""

    headlines: list[str]
    paragraphs: list[str]
    templates: list[tuple[int, str | None, str | None]]

    @classmethod
    def load(cls) -> SourcePool:
        headlines: list[str] = []
        paragraphs: list[str] = []
        templates: list[tuple[int, str | None, str | None]] = []
        for name in (NEWS, QA):
            for record in iter_corpus(name):
                if record["headline"]:
                    headlines.append(record["headline"])
                parts = paragraphs_of(record["body"])
                paragraphs.extend(parts)
                if name == NEWS and parts:
                    templates.append((len(parts), record.get("date"), record.get("source")))
        return cls(headlines, paragraphs, templates)


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def synthetic_article(pool: SourcePool, n: int, seed: int = SEED) -> dict[str, Any]:
    """Article number ``n`` of the stream past the real ones: the same for
    the same ``n`` and ``seed`` in any process."""
    rng = random.Random(seed * 1_000_003 + n)
    count, date, source = pool.templates[rng.randrange(len(pool.templates))]
    article: dict[str, Any] = {
        "id": f"syn-{n:07d}",
        "headline": pool.headlines[rng.randrange(len(pool.headlines))],
        "body": "\n".join(pool.paragraphs[rng.randrange(len(pool.paragraphs))]
                          for _ in range(count)),
    }
    if date:
        article["date"] = date
    if source:
        article["source"] = source
    return article


def article_stream(start: int, real: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Articles ``start``, ``start + 1``, … without end: the first ``real``
    SaudiNewsNet articles as they are, then synthetic ones."""
    n = start
    for article in itertools.islice(iter_corpus(NEWS, real), start, None):
        yield article
        n += 1
    pool = SourcePool.load()
    for m in itertools.count(n):
        yield synthetic_article(pool, m, seed)


class CorpusCache:
    """The article stream written to ``<work>/corpus-s<seed>-r<real>.jsonl``
    (one article a line) with its ids in ``.ids``; a ``.meta.json`` records
    how many complete articles they hold, so an interrupted generation is
    cut back and continued."""

    def __init__(self, work: Path, real: int, seed: int = SEED):
        self.real, self.seed = real, seed
        stem = work / f"corpus-s{seed}-r{real}"
        self.articles = stem.with_suffix(".jsonl")
        self.ids = stem.with_suffix(".ids")
        self.meta = stem.with_suffix(".meta.json")

    def _identity(self) -> dict[str, Any]:
        sources = {name: (DATA / name / "corpus.jsonl").stat().st_size for name in (NEWS, QA)}
        return {"generator": GENERATOR_VERSION, "seed": self.seed, "real": self.real,
                "sources": sources}

    def _state(self) -> dict[str, Any]:
        try:
            meta = json.loads(self.meta.read_text("utf-8"))
        except (OSError, ValueError):
            return {"count": 0, "bytes": 0, "id_bytes": 0}
        if meta.get("identity") != self._identity():
            return {"count": 0, "bytes": 0, "id_bytes": 0}
        return meta

    def count(self) -> int:
        return self._state()["count"]

    def ensure(self, n: int, log: Callable[[str], None] = print) -> None:
        """Make the cache hold at least ``n`` articles."""
        state = self._state()
        have = state["count"]
        if have >= n:
            return
        log(f"generating articles {have:,} to {n - 1:,} into {self.articles}")
        self.articles.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(self.articles, "ab") as articles, open(self.ids, "ab") as ids:
            articles.truncate(state["bytes"])
            ids.truncate(state["id_bytes"])
            for article in itertools.islice(article_stream(have, self.real, self.seed),
                                            n - have):
                articles.write(json.dumps(article, ensure_ascii=False).encode() + b"\n")
                ids.write(article["id"].encode() + b"\n")
            for f in (articles, ids):
                f.flush()
                os.fsync(f.fileno())
            state = {"identity": self._identity(), "count": n, "bytes": articles.tell(),
                     "id_bytes": ids.tell()}
        tmp = self.meta.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), "utf-8")
        os.replace(tmp, self.meta)
        log(f"generated {n - have:,} articles in {time.perf_counter() - started:.0f} s")

    def headlines(self, n: int) -> list[str]:
        return [article["headline"] for article in read_articles(self.articles, n)]

    def id_digest(self, n: int) -> str:
        """:func:`id_digest` of the first ``n`` ids."""
        with open(self.ids, encoding="utf-8") as f:
            return id_digest(line.rstrip("\n") for line in itertools.islice(f, n))


PROGRESS_EVERY = 100_000


def read_articles(path: Path, n: int, progress_every: int = PROGRESS_EVERY
                  ) -> Iterator[dict[str, Any]]:
    """The first ``n`` articles of a corpus file, one line at a time. Every
    ``progress_every`` articles a line goes to stderr (the build's log) with
    the time and memory so far, so that a long build cut short still leaves
    its figures."""
    started = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        for read, line in enumerate(itertools.islice(f, n), 1):
            yield json.loads(line)
            if read % progress_every == 0:
                print(f"{read:,} articles read after {time.perf_counter() - started:.0f} s, "
                      f"{cpu_seconds():.0f} CPU-s; RSS {memory_mb('VmRSS'):.0f} MB, "
                      f"peak {memory_mb('VmHWM'):.0f} MB", file=sys.stderr, flush=True)


def id_digest(ids: Iterable[str]) -> str:
    """An order-independent digest of a collection of ids (their count and
    the sum of their hashes), to check that an index holds exactly them."""
    total, count = 0, 0
    for article_id in ids:
        total += int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=8).digest(),
                                "big")
        count += 1
    return f"{count}:{total % 2**64:016x}"


# Queries ------------------------------------------------------------------

_WORD = re.compile(r"[\u0621-\u064a]{3,}")


def make_queries(headlines: list[str], count: int, seed: int = SEED) -> tuple[list[str], str]:
    """``count`` queries and one warm-up query (not among them): half
    arwiki_qa questions, half two words of a headline (content words:
    arsearch's analysis keeps a term of each), shuffled."""
    import arsearch

    rng = random.Random(seed)
    questions = [text for name in ("queries.tsv", "queries_native.tsv")
                 for _, text in read_queries(QA, name)]
    questions = [q for q in dict.fromkeys(questions)
                 if tantivy_query_terms(arsearch.analyze(q, query=True))]
    picked = rng.sample(questions, count // 2 + 1)
    warmup, chosen = picked[0], picked[1:]
    seen: set[str] = set(chosen)
    attempts = 0
    while len(chosen) < count:
        attempts += 1
        if attempts > 100 * count:
            raise ValueError(f"{len(headlines)} headlines do not give {count - count // 2} "
                             "distinct two-word queries")
        words = [w for w in _WORD.findall(rng.choice(headlines))
                 if arsearch.analyze(w, query=True)]
        words = list(dict.fromkeys(words))
        if len(words) < 2:
            continue
        first, second = sorted(rng.sample(range(len(words)), 2))
        query = f"{words[first]} {words[second]}"
        if query not in seen:
            seen.add(query)
            chosen.append(query)
    rng.shuffle(chosen)
    return chosen, warmup


_TANTIVY_TERM = re.compile(r"=?\w+")
_TANTIVY_OPERATORS = {"AND", "OR", "NOT", "IN", "TO"}


def tantivy_query_terms(terms: list[str]) -> list[str]:
    """The analysed terms tantivy's query parser takes as plain terms."""
    return [t for t in terms if _TANTIVY_TERM.fullmatch(t) and t not in _TANTIVY_OPERATORS]


# Measuring a process tree -------------------------------------------------

class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants from
    ``/proc`` until :meth:`stop`; ``peak_mb`` is the largest sum seen."""

    def __init__(self, root: int, interval: float = SAMPLE_INTERVAL):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_mb = 0.0
        self.max_processes = 0
        self.samples = 0
        self._parents: dict[int, int] = {}
        self._stop_event = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def _parent(self, pid: int) -> int | None:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                return int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return None

    def tree(self) -> list[int]:
        """The root and its descendants now."""
        try:
            pids = {int(p) for p in os.listdir("/proc") if p.isdigit()}
        except OSError:
            return [self.root]
        for pid in list(self._parents):
            if pid not in pids:
                del self._parents[pid]
        for pid in pids - self._parents.keys():
            parent = self._parent(pid)
            if parent is not None:
                self._parents[pid] = parent
        children: dict[int, list[int]] = {}
        for pid, parent in self._parents.items():
            children.setdefault(parent, []).append(pid)
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        return tree

    def sample(self) -> None:
        total, alive = 0, 0
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * self._page
                alive += 1
            except (OSError, IndexError, ValueError):
                continue
        self.samples += 1
        self.peak_mb = max(self.peak_mb, total / MB)
        self.max_processes = max(self.max_processes, alive)


def run_child(arguments: list[str], log_path: Path,
              interval: float = SAMPLE_INTERVAL) -> dict[str, Any]:
    """Run this script with ``arguments`` in a subprocess; its JSON result
    (its last line of output) with the process tree's wall time, CPU time
    (``wait4``: the child and every descendant it waited for) and peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    with open(log_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        output = proc.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        sampler.stop()
    if proc.returncode != 0:
        tail = log_path.read_text("utf-8", errors="replace")[-3000:]
        raise ChildFailed(f"{' '.join(arguments[:2])} exited with {proc.returncode}; "
                          f"its log ({log_path}) ends:\n{tail}")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result.update(process_wall_s=wall, process_cpu_s=usage.ru_utime + usage.ru_stime,
                  tree_peak_rss_mb=sampler.peak_mb, tree_max_processes=sampler.max_processes,
                  rss_samples=sampler.samples)
    return result


def peak_of_tree(build: dict[str, Any]) -> dict[str, Any]:
    """Settle a build's ``tree_peak_rss_mb``: the sampled peak of the sum,
    but never below the exact peak of a single process in the tree (the
    build process's VmHWM, its largest child's ``ru_maxrss``), which a
    0.1 s sample can miss."""
    build.setdefault("sampled_tree_peak_rss_mb", build["tree_peak_rss_mb"])
    build["tree_peak_rss_mb"] = max(build["sampled_tree_peak_rss_mb"],
                                    build.get("own_peak_rss_mb", 0.0),
                                    build.get("largest_child_peak_rss_mb", 0.0))
    return build


class ChildFailed(RuntimeError):
    """A build or search subprocess failed."""


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def directory_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# The systems: building ----------------------------------------------------

def build_arsearch(path: Path, articles: Iterable[dict[str, Any]], commit_every: int,
                   optimize: bool = False) -> int:
    """``arsearch.Index(path).add(articles)`` with default settings
    (``commit_every`` is arsearch's own batch size)."""
    import arsearch

    with arsearch.Index(path) as ix:
        added = ix.add(articles)
        if optimize:
            ix.optimize()
    return added


def build_whoosh(path: Path, articles: Iterable[dict[str, Any]], commit_every: int,
                 optimize: bool = False) -> int:
    """Plain Whoosh: a default writer for each ``commit_every`` articles,
    ``add_document``, commit (Whoosh's default merge policy)."""
    from whoosh import index

    ix = index.create_in(str(path), whoosh_schema())
    added = 0
    stream = iter(articles)
    while batch := list(itertools.islice(stream, commit_every)):
        writer = ix.writer()
        for article in batch:
            writer.add_document(**article)
        writer.commit()
        added += len(batch)
    ix.close()
    return added


def tantivy_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("headline", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    # The article as given (what arsearch and Whoosh store), not indexed.
    builder.add_bytes_field("article", stored=True, indexed=False)
    return builder.build()


def build_tantivy(path: Path, articles: Iterable[dict[str, Any]], commit_every: int,
                  optimize: bool = False) -> int:
    """tantivy fed with arsearch's analysis: each field's terms joined by
    spaces, under the whitespace tokenizer. Default writer (its own
    threads), a commit every ``commit_every`` articles, then the background
    merges are waited for."""
    import tantivy

    import arsearch

    ix = tantivy.Index(tantivy_schema(), path=str(path), reuse=False)
    writer = ix.writer()
    added = 0
    for article in articles:
        writer.add_document(tantivy.Document(
            id=article["id"],
            headline=" ".join(arsearch.analyze(article["headline"])),
            body=" ".join(arsearch.analyze(article["body"])),
            article=json.dumps(article, ensure_ascii=False).encode()))
        added += 1
        if added % commit_every == 0:
            writer.commit()
    writer.commit()
    writer.garbage_collect_files()
    writer.wait_merging_threads()
    return added


def import_system(system: str) -> None:
    """Import what ``system`` needs, and only that (a plain Whoosh process
    does not load arsearch)."""
    modules = {"arsearch": ["arsearch"], "tantivy": ["tantivy", "arsearch"],
               "whoosh": ["whoosh.index", "whoosh.qparser"]}[system]
    for module in modules:
        __import__(module)


BUILDERS: dict[str, Callable[..., int]] = {
    "arsearch": build_arsearch, "tantivy": build_tantivy, "whoosh": build_whoosh}


def child_build(system: str, corpus: Path, n: int, index_dir: Path, commit_every: int,
                optimize: bool) -> dict[str, Any]:
    """Build one index in this (child) process from the first ``n``
    articles of ``corpus``, read as the build goes. Times the build alone
    (imports done before)."""
    import_system(system)  # imports are not part of the build
    index_dir.mkdir(parents=True, exist_ok=True)
    rss_before = memory_mb("VmRSS")
    cpu_start, start = cpu_seconds(), time.perf_counter()
    added = BUILDERS[system](index_dir, read_articles(corpus, n), commit_every, optimize)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    return {"system": system, "articles": n, "added": added, "wall_s": wall, "cpu_s": cpu,
            "rss_before_mb": rss_before, "own_peak_rss_mb": memory_mb("VmHWM"),
            "largest_child_peak_rss_mb":
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / MB}


# The systems: searching ---------------------------------------------------

@dataclass
class Opened:
    """An open index: ``search(q)`` gives the ids of the top 10; ``count``
    and ``ids`` read what it holds."""

    search: Callable[[str], list[str]]
    count: Callable[[], int]
    ids: Callable[[], Iterable[str]]
    close: Callable[[], None]


def open_arsearch(path: Path, boosts: dict[str, float]) -> Opened:
    """arsearch with its own weights (``boosts`` are what the peers get)."""
    import arsearch

    ix = arsearch.Index(path, create=False)
    return Opened(search=lambda q: [doc_id for doc_id, _ in ix.search_ids(q, limit=10)],
                  count=lambda: len(ix), ids=ix.ids, close=ix.close)


def open_whoosh(path: Path, boosts: dict[str, float]) -> Opened:
    from whoosh import index, qparser, scoring

    ix = index.open_dir(str(path))
    parser = qparser.MultifieldParser(["headline", "body"], ix.schema, group=qparser.OrGroup,
                                      fieldboosts=boosts)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    searcher = ix.searcher(weighting=scoring.BM25F())

    def search(q: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(q), limit=10)]

    return Opened(search=search, count=searcher.doc_count,
                  ids=lambda: searcher.reader().field_terms("id"), close=searcher.close)


def open_tantivy(path: Path, boosts: dict[str, float]) -> Opened:
    import tantivy

    import arsearch

    ix = tantivy.Index.open(str(path))
    searcher = ix.searcher()

    def search(q: str) -> list[str]:
        terms = tantivy_query_terms(arsearch.analyze(q, query=True))
        if not terms:
            return []
        query = ix.parse_query(" ".join(terms), ["headline", "body"], field_boosts=boosts)
        return [searcher.doc(address)["id"][0]
                for _, address in searcher.search(query, 10, count=False).hits]

    def ids() -> Iterator[str]:
        # Every term of the id field (one per article: the raw tokenizer),
        # repeated as many times as documents hold it.
        for term, frequency in searcher.terms_with_prefix("id", ""):
            for _ in range(frequency):
                yield term

    return Opened(search=search, count=lambda: searcher.num_docs, ids=ids, close=lambda: None)


OPENERS: dict[str, Callable[[Path, dict[str, float]], Opened]] = {
    "arsearch": open_arsearch, "tantivy": open_tantivy, "whoosh": open_whoosh}


def child_search(system: str, index_dir: Path, queries_file: Path) -> dict[str, Any]:
    """In this fresh process: open the index, time a first query, then
    each query once; then this process's RSS; then what the index holds."""
    import_system(system)  # imports are not part of opening
    spec = json.loads(queries_file.read_text("utf-8"))
    start = time.perf_counter()
    opened = OPENERS[system](index_dir, spec["boosts"])
    open_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    opened.search(spec["warmup"])
    first_ms = (time.perf_counter() - start) * 1000
    latencies, no_hit = [], 0
    for q in spec["queries"]:
        start = time.perf_counter()
        hits = opened.search(q)
        latencies.append((time.perf_counter() - start) * 1000)
        no_hit += not hits
    rss_after, peak = memory_mb("VmRSS"), memory_mb("VmHWM")
    count = opened.count()
    digest = id_digest(opened.ids())
    opened.close()
    return {"system": system, "open_ms": open_ms, "first_query_ms": first_ms,
            "queries": len(latencies), "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95), "p99_ms": percentile(latencies, 99),
            "mean_ms": sum(latencies) / len(latencies), "max_ms": max(latencies),
            "no_hit": no_hit, "search_rss_mb": rss_after, "search_peak_rss_mb": peak,
            "doc_count": count, "id_digest": digest}


# The harness --------------------------------------------------------------

def rotated(systems: list[str], turn: int) -> list[str]:
    k = turn % len(systems)
    return systems[k:] + systems[:k]


def available_systems() -> list[str]:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return [s for s in SYSTEMS if s != "tantivy"]
    return list(SYSTEMS)


def versions() -> dict[str, str]:
    from importlib import metadata

    env = environment()
    try:
        env["tantivy"] = metadata.version("tantivy")
    except metadata.PackageNotFoundError:
        env["tantivy"] = "not installed"
    return env


class Run:
    """One run of the benchmark: builds and searches, results saved after
    each step."""

    def __init__(self, args: argparse.Namespace, log: Callable[[str], None] = print):
        self.args, self.log = args, log
        self.work: Path = args.work
        self.indexes = self.work / "indexes"
        self.logs = self.work / "logs"
        for d in (self.indexes, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.corpus = CorpusCache(self.work, args.real, args.seed)

    def build(self, system: str, n: int) -> dict[str, Any]:
        index_dir = self.indexes / f"{system}-{n}"
        saved = index_dir.with_suffix(".build.json")
        if self.args.reuse and saved.exists() and index_dir.is_dir():
            build = json.loads(saved.read_text("utf-8"))
            if build.get("identity") == self.build_identity(n):
                self.log(f"  {system}: reusing the index built {build['built_at']}")
                return {**build, "reused": True}
        shutil.rmtree(index_dir, ignore_errors=True)
        saved.unlink(missing_ok=True)
        self.log(f"  {system}: building {n:,} articles")
        load = os.getloadavg()[0]
        build = run_child(["--child-build", system, "--corpus", str(self.corpus.articles),
                           "--articles", str(n), "--index-dir", str(index_dir),
                           "--commit-every", str(self.args.commit_every),
                           *(["--arsearch-optimize"] if self.args.arsearch_optimize else [])],
                          self.logs / f"build-{system}-{n}.log", self.args.sample_interval)
        peak_of_tree(build)
        build.update(index_bytes=directory_bytes(index_dir), load_before=load,
                     articles_per_s=n / build["wall_s"], reused=False,
                     built_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     identity=self.build_identity(n), fingerprint=code_fingerprint())
        saved.write_text(json.dumps(build, indent=2), "utf-8")
        self.log(f"  {system}: {build['wall_s']:.1f} s wall, {build['cpu_s']:.1f} CPU-s, "
                 f"{build['index_bytes'] / MB:.0f} MB, peak tree RSS "
                 f"{build['tree_peak_rss_mb']:.0f} MB")
        return build

    def build_identity(self, n: int) -> dict[str, Any]:
        return {"seed": self.args.seed, "real": self.args.real, "articles": n,
                "generator": GENERATOR_VERSION, "commit_every": self.args.commit_every,
                "arsearch_optimize": self.args.arsearch_optimize}

    def search(self, system: str, n: int, queries_file: Path,
               expected_digest: str) -> dict[str, Any]:
        index_dir = self.indexes / f"{system}-{n}"
        load = os.getloadavg()[0]
        result = run_child(["--child-search", system, "--index-dir", str(index_dir),
                            "--queries-file", str(queries_file)],
                           self.logs / f"search-{system}-{n}.log", self.args.sample_interval)
        result["complete"] = (result["doc_count"] == n and result["id_digest"] == expected_digest)
        result["load_before"] = load
        self.log(f"  {system}: p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms, "
                 f"first query {result['first_query_ms']:.0f} ms, search RSS "
                 f"{result['search_rss_mb']:.0f} MB, {result['doc_count']:,} documents"
                 f"{'' if result['complete'] else ' — NOT the articles added'}")
        return result

    def discard(self, system: str, n: int) -> None:
        if self.args.keep:
            return
        index_dir = self.indexes / f"{system}-{n}"
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.with_suffix(".build.json").unlink(missing_ok=True)


def run(args: argparse.Namespace, save: Callable[[dict[str, Any]], Any],
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every size and system; ``save(payload)`` is called after each
    step, so a long run that stops keeps what it measured."""
    bench = Run(args, log)
    sizes = args.sizes
    bench.corpus.ensure(max(sizes), log)
    headlines = bench.corpus.headlines(min(min(sizes), HEADLINE_POOL))
    queries, warmup = make_queries(headlines, args.queries, args.seed)
    queries_file = args.work / "queries.json"
    import arsearch

    # The peers weight the headline as arsearch does by default.
    boosts = {f: float(w) for f, w in arsearch.RankingParams().weights.items()}
    queries_file.write_text(json.dumps({"queries": queries, "warmup": warmup, "boosts": boosts},
                                       ensure_ascii=False), "utf-8")
    fingerprint = code_fingerprint()
    payload: dict[str, Any] = {
        "env": versions(), "command": command_line(), "conditions": run_conditions(fingerprint),
        "fingerprint": fingerprint,
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "systems": args.systems, "sizes": sizes, "commit_every": args.commit_every,
        "queries": queries, "warmup": warmup, "results": {}}
    for turn, n in enumerate(sizes):
        # Plain Whoosh past --whoosh-max: its own merging makes a 200,000
        # article build take hours, and no target compares with it there.
        systems = [s for s in args.systems
                   if s != "whoosh" or not args.whoosh_max or n <= args.whoosh_max]
        order = rotated(systems, turn)
        expected = bench.corpus.id_digest(n)
        per_size: dict[str, Any] = {"order": order, "expected_id_digest": expected}
        payload["results"][str(n)] = per_size
        log(f"{n:,} articles ({', '.join(order)})")
        for system in order:
            build = bench.build(system, n)
            search = bench.search(system, n, queries_file, expected)
            per_size[system] = {"build": build, "search": search}
            bench.discard(system, n)
            save(payload)
    payload["targets"] = evaluate_targets(payload)
    payload["code_changed"] = bool(changed_code_warning(fingerprint))
    save(payload)
    return payload


# Targets and report -------------------------------------------------------

def metric(payload: dict[str, Any], n: int, system: str, part: str, key: str) -> float | None:
    try:
        return payload["results"][str(n)][system][part][key]
    except KeyError:
        return None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def evaluate_targets(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 12 at each size it applies to: the measured
    value, its limit, and whether it is met (``None``: not measured in this
    run, e.g. a size or a system left out)."""
    sizes = [int(n) for n in payload["results"]]
    rows: list[dict[str, Any]] = []

    def add(target: str, n: int | None, value: float | None, limit: float,
            at_most: bool = True, unit: str = "×") -> None:
        met = None if value is None else (value <= limit if at_most else value >= limit)
        rows.append({"target": target, "size": n, "value": value, "limit": limit,
                     "unit": unit, "at_most": at_most, "met": met})

    def get(n: int, system: str, part: str, key: str) -> float | None:
        return metric(payload, n, system, part, key)

    for n in (50_000, 200_000):
        add("query p50 / tantivy's", n, ratio(get(n, "arsearch", "search", "p50_ms"),
                                              get(n, "tantivy", "search", "p50_ms")),
            TARGET_P50_TANTIVY)
        add("query p95 / tantivy's", n, ratio(get(n, "arsearch", "search", "p95_ms"),
                                              get(n, "tantivy", "search", "p95_ms")),
            TARGET_P95_TANTIVY)
    add("build wall / tantivy's", 50_000, ratio(get(50_000, "arsearch", "build", "wall_s"),
                                                get(50_000, "tantivy", "build", "wall_s")),
        TARGET_BUILD_WALL_TANTIVY)
    add("build CPU / plain Whoosh's", 50_000, ratio(get(50_000, "arsearch", "build", "cpu_s"),
                                                    get(50_000, "whoosh", "build", "cpu_s")),
        TARGET_BUILD_CPU_WHOOSH)
    add("articles/s at 200k / at 15k", 200_000,
        ratio(get(200_000, "arsearch", "build", "articles_per_s"),
              get(15_000, "arsearch", "build", "articles_per_s")), TARGET_RATE_KEPT,
        at_most=False)
    for n in sizes:
        add("peak build RSS (process tree)", n,
            get(n, "arsearch", "build", "tree_peak_rss_mb"), TARGET_RSS_MB, unit=" MB")
    add("search-process RSS after the queries", 200_000,
        get(200_000, "arsearch", "search", "search_rss_mb"), TARGET_RSS_MB, unit=" MB")
    for n in sizes:
        add("index bytes / tantivy's", n, ratio(get(n, "arsearch", "build", "index_bytes"),
                                                get(n, "tantivy", "build", "index_bytes")),
            TARGET_BYTES_TANTIVY)
    for n in sizes:
        complete = get(n, "arsearch", "search", "complete")
        rows.append({"target": "every article present after the build", "size": n,
                     "value": complete, "limit": None, "unit": "", "at_most": None,
                     "met": complete})
    return rows


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


@dataclass(frozen=True)
class Measure:
    """A row of a size's table: where the value is (divided by the value
    at ``over`` if given), how it is shown, and whether a ratio between
    systems means anything."""

    label: str
    part: str
    key: str
    digits: int
    scale: float = 1.0
    compare: bool = True
    over: str | None = None

    def value(self, payload: dict[str, Any], n: int, system: str) -> float | None:
        value = metric(payload, n, system, self.part, self.key)
        if self.over is not None:
            return ratio(value, metric(payload, n, system, self.part, self.over))
        return None if value is None else value * self.scale


MEASURES = [
    Measure("build wall, s", "build", "wall_s", 1),
    Measure("build CPU, s (children included)", "build", "cpu_s", 1),
    Measure("build rate, articles/s", "build", "articles_per_s", 0),
    Measure("index on disk, MB", "build", "index_bytes", 0, scale=1 / MB),
    Measure("peak RSS of the build process tree, MB", "build", "tree_peak_rss_mb", 0),
    Measure("peak RSS of the build's main process alone (VmHWM), MB", "build",
            "own_peak_rss_mb", 0),
    Measure("processes in the build tree (most at once)", "build", "tree_max_processes", 0,
            compare=False),
    Measure("open the index, ms (fresh process)", "search", "open_ms", 1),
    Measure("first query after opening, ms", "search", "first_query_ms", 1),
    Measure("first query / the system's own p50", "search", "first_query_ms", 1,
            over="p50_ms", compare=False),
    Measure("query p50, ms", "search", "p50_ms", 2),
    Measure("query p95, ms", "search", "p95_ms", 2),
    Measure("query p99, ms", "search", "p99_ms", 2),
    Measure("queries with no hit", "search", "no_hit", 0, compare=False),
    Measure("search-process RSS after the queries, MB", "search", "search_rss_mb", 0),
    Measure("machine load (1 min) before the build", "build", "load_before", 2, compare=False),
    Measure("machine load (1 min) before the queries", "search", "load_before", 2,
            compare=False),
]


def size_table(payload: dict[str, Any], n: int) -> str:
    systems = [s for s in SYSTEMS if s in payload["systems"]]
    peers = [p for p in ("tantivy", "whoosh") if p in systems and "arsearch" in systems]
    header = ["measure", *(LABELS[s] for s in systems),
              *(f"arsearch / {p}" for p in peers)]
    rows = []
    for m in MEASURES:
        values = {s: m.value(payload, n, s) for s in systems}
        if all(v is None for v in values.values()):
            continue  # not measured by the run that saved these results
        rows.append([m.label, *(fmt(values[s], m.digits) for s in systems),
                     *(fmt_ratio(ratio(values["arsearch"], values[p])) if m.compare else ""
                       for p in peers)])
    counts = []
    for s in systems:
        search = payload["results"][str(n)].get(s, {}).get("search", {})
        if not search:
            counts.append("–")
        else:
            mark = "all" if search["complete"] else "**NOT all**"
            counts.append(f"{search['doc_count']:,} ({mark})")
    rows.append(["documents in the index (every id checked)", *counts, *([""] * len(peers))])
    return markdown_table(header, rows)


def growth_table(payload: dict[str, Any]) -> str:
    sizes = [int(n) for n in payload["results"]]
    base = sizes[0]
    base_rate = metric(payload, base, "arsearch", "build", "articles_per_s")
    rows = []
    for n in sizes:
        rate = metric(payload, n, "arsearch", "build", "articles_per_s")
        rows.append([f"{n:,}", fmt(rate, 0), fmt_ratio(ratio(rate, base_rate)),
                     fmt(metric(payload, n, "arsearch", "build", "tree_peak_rss_mb"), 0),
                     fmt(metric(payload, n, "arsearch", "search", "search_rss_mb"), 0),
                     fmt(metric(payload, n, "arsearch", "search", "p95_ms"), 2),
                     fmt_ratio(ratio(metric(payload, n, "arsearch", "search", "p95_ms"),
                                     metric(payload, n, "tantivy", "search", "p95_ms")))])
    return markdown_table(["articles", "arsearch articles/s", f"rate / rate at {base:,}",
                           "peak build RSS MB", "search RSS MB", "p95 ms", "p95 / tantivy's"],
                          rows)


def targets_table(targets: list[dict[str, Any]]) -> str:
    rows = []
    for t in targets:
        if t["limit"] is None:
            value = "–" if t["value"] is None else "yes" if t["value"] else "NO"
            limit = ""
        elif t["unit"] == "×":
            value = fmt_ratio(t["value"])
            limit = ("≤ " if t["at_most"] else "≥ ") + f"{t['limit']:g}×"
        else:
            value = "–" if t["value"] is None else f"{t['value']:,.0f}{t['unit']}"
            limit = ("≤ " if t["at_most"] else "≥ ") + f"{t['limit']:g}{t['unit']}"
        met = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        rows.append([t["target"], f"{t['size']:,}" if t["size"] else "", value, limit, met])
    return markdown_table(["target (arsearch)", "articles", "measured", "target", ""], rows)


def report(payload: dict[str, Any], title: str = SECTION_TITLE) -> str:
    env = payload["env"]
    sizes = [int(n) for n in payload["results"]]
    args = payload["args"]
    parts = [
        f"## {title}", f"Command: `{payload['command']}`",
        markdown_table(list(env), [list(env.values())]),
        payload["conditions"],
        (f"Corpus: the first {args['real']:,} real `saudinewsnet` articles, then synthetic "
         f"ones recombined from `saudinewsnet` and `arwiki_qa` text (seed {args['seed']}); an "
         f"index of N articles holds the first N. Systems alternate, their order rotating "
         f"from one size to the next; every build and every search runs in a fresh "
         f"subprocess. Whoosh and tantivy commit every {payload['commit_every']:,} articles, "
         f"arsearch's own batch size"
         f"{'; arsearch runs optimize() after its load' if args['arsearch_optimize'] else ''}. "
         f"Build times include reading the articles from a JSON-lines file; tantivy's include "
         f"arsearch's analysis of every field in Python. Queries: {len(payload['queries'])} "
         f"(half arwiki_qa questions, half two words of a headline), each run once after "
         f"one first query, top 10 ids. Plain Whoosh analyses differently "
         f"(`StandardAnalyzer`, OR over its own tokens), so its query times are a reference, "
         f"not a like-for-like comparison."),
        ("Peak build RSS is the sum of the RSS of the build process and its descendants, "
         f"sampled from /proc every {args['sample_interval']:g} s (and never less than the "
         "exact peak of one of its processes: VmHWM, ru_maxrss); build CPU is that of the "
         "whole process tree (`wait4`); search RSS is the search process's VmRSS after its "
         "queries. Every index is reopened after its queries and must hold exactly the "
         "articles added: their count and a digest of all their ids."),
        "Timings on this shared machine are indicative"
        + (" (the load average before each step is in the tables)" if any(
            "load_before" in per_size[s]["build"] for per_size in payload["results"].values()
            for s in per_size["order"] if s in per_size) else "")
        + "; the ratios, taken in the same run, are what the targets compare.",
        "### Targets (issue 12)", targets_table(payload.get("targets", [])),
    ]
    for n in sizes:
        per_size = payload["results"][str(n)]
        note = f"Order in this run: {', '.join(per_size['order'])}."
        reused = [f"{s} (built {per_size[s]['build']['built_at']})" for s in per_size["order"]
                  if s in per_size and per_size[s]["build"].get("reused")]
        if reused:
            note += (f" Reused indexes, whose build figures come from the run that built "
                     f"them: {', '.join(reused)}.")
        parts += [f"### {n:,} articles", note, size_table(payload, n)]
    if len(sizes) > 1 and "arsearch" in payload["systems"]:
        parts += ["### arsearch across sizes", growth_table(payload)]
    if payload.get("code_changed"):
        parts += changed_code_warning("")
    return "\n\n".join(parts) + "\n"


def all_complete(payload: dict[str, Any]) -> bool:
    return all(per_size[s]["search"]["complete"] for per_size in payload["results"].values()
               for s in payload["systems"] if s in per_size)


# Command line -------------------------------------------------------------

def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 15000,50000")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", "--n", dest="sizes", type=parse_sizes, default=None,
                        help="articles per index, comma-separated (default 15000,50000,200000)")
    parser.add_argument("--systems", default=None,
                        help=f"comma-separated, among {', '.join(SYSTEMS)} (default: all "
                             "installed)")
    parser.add_argument("--whoosh-max", type=int, default=50_000,
                        help="build plain Whoosh only up to this many articles (default "
                             "50,000, where the build-CPU target compares with it; 0: no limit)")
    parser.add_argument("--queries", type=int, default=None,
                        help=f"queries timed (default {QUERY_COUNT})")
    parser.add_argument("--work", type=Path, default=None,
                        help=f"folder for the corpus cache and the indexes (default {WORK})")
    parser.add_argument("--keep", action="store_true", help="keep the built indexes")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse indexes kept by an earlier run (implies --keep): only "
                             "the queries run again")
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes {','.join(map(str, QUICK_SIZES))}, {QUICK_REAL} real "
                             f"articles, {QUICK_QUERIES} queries (for the test suite)")
    parser.add_argument("--commit-every", type=int, default=None,
                        help="Whoosh and tantivy commit after this many articles (default: "
                             "arsearch's batch size)")
    parser.add_argument("--arsearch-optimize", action="store_true",
                        help="call Index.optimize() after arsearch's load (counted in its build)")
    parser.add_argument("--real", type=int, default=None,
                        help="real saudinewsnet articles at the start of the stream "
                             "(default all)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample-interval", type=float, default=SAMPLE_INTERVAL,
                        help="seconds between RSS samples of a process tree")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to save the results (default benchmarks/results/scale.json, "
                             "scale-quick.json with --quick)")
    parser.add_argument("--out", type=Path, default=None,
                        help="markdown file to write the report section into (default "
                             "docs/benchmarks.md, none with --quick)")
    parser.add_argument("--no-docs", action="store_true", help="do not write a markdown file")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only render the report of a saved run (its JSON) again")
    parser.add_argument("--title", default=SECTION_TITLE,
                        help="the report section's heading (a run with another heading "
                             "keeps the default section)")
    # Internal: one build or one search in a subprocess (see run_child).
    parser.add_argument("--child-build", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--child-search", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--articles", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_build or args.child_search:
        return args
    if args.render:
        args.out = None if args.no_docs else args.out or DOCS
        return args
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.queries is None:
        args.queries = QUICK_QUERIES if args.quick else QUERY_COUNT
    if args.real is None:
        args.real = QUICK_REAL if args.quick else REAL_ALL
    if args.real < 0:
        parser.error("--real must be at least 0")
    if args.queries < 2:
        parser.error("--queries must be at least 2")
    available = available_systems()
    if args.systems is None:
        args.systems = available
        if "tantivy" not in available:
            print("tantivy is not installed (pip install -e '.[bench]'): measuring without it",
                  file=sys.stderr)
    else:
        args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
        unknown = [s for s in args.systems if s not in SYSTEMS]
        if unknown or not args.systems:
            parser.error(f"--systems takes names among {', '.join(SYSTEMS)}")
        if "tantivy" in args.systems and "tantivy" not in available:
            parser.error("tantivy is not installed: pip install -e '.[bench]'")
    if args.work is None:
        args.work = WORK.with_name("scale-quick") if args.quick else WORK
    args.work = args.work.resolve()
    args.keep = args.keep or args.reuse
    if args.commit_every is None:
        import arsearch

        with arsearch.Index() as ix:
            args.commit_every = ix.batch_size
    if args.commit_every < 1:
        parser.error("--commit-every must be at least 1")
    if args.out is None and not args.quick:
        args.out = DOCS
    if args.no_docs:
        args.out = None
    return args


def publish_report(payload: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the report and write it into ``args.out`` (before its
    Caveats section, if it is new there)."""
    section = report(payload, args.title)
    print(section)
    if args.out:
        write_section(args.out, section, before="## Caveats")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_build:
        print(json.dumps(child_build(args.child_build, args.corpus, args.articles,
                                     args.index_dir, args.commit_every, args.arsearch_optimize)))
        return 0
    if args.child_search:
        print(json.dumps(child_search(args.child_search, args.index_dir, args.queries_file)))
        return 0
    if args.render:
        payload = json.loads(args.render.read_text("utf-8"))
        for per_size in payload["results"].values():
            for system in per_size["order"]:
                if system in per_size:
                    peak_of_tree(per_size[system]["build"])
        payload["targets"] = evaluate_targets(payload)
        publish_report(payload, args)
        return 0
    require_data(NEWS, QA)
    with open(DATA / NEWS / "corpus.jsonl", "rb") as f:
        args.real = min(args.real, sum(1 for _ in f))

    def save(payload: dict[str, Any]) -> Path:
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
            return args.json
        return save_json("scale-quick" if args.quick else "scale", payload)

    try:
        payload = run(args, save)
    except ChildFailed as e:
        print(f"scale benchmark failed: {e}", file=sys.stderr)
        return 1
    publish_report(payload, args)
    print(f"raw numbers: {save(payload)}")
    if not all_complete(payload):
        print("FAIL: an index does not hold exactly the articles added (see the table)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
