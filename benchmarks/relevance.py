"""Relevance benchmark: does arsearch find the right Arabic article?

Tasks (data in ../shared/data, see its README):

* ``mixed``   arwiki_qa paragraphs + SaudiNewsNet articles (~13,000 documents),
              2,400 real questions; broken down by ARCD, XQuAD and MLQA.
* ``native``  the ``mixed`` index with 483 native TyDi QA questions (asked before
              any answer was looked for, so they do not copy the paragraph's words).
* ``quranqa`` Qur'an QA 2023 passages, 148 expert-judged questions.
* ``news``    SIMULATED known-item search: a fixed-seed sample of SaudiNewsNet
              articles, each queried by 2–4 of its own distinctive words drawn
              from the headline or the body; the article is the one relevant
              document. It measures what the headline weight is worth.

Systems, in the same run: arsearch (with the settings given by the flags),
plain Whoosh ``StandardAnalyzer`` (BM25F, OR), SQLite FTS5 (``unicode61
remove_diacritics 2``, ``bm25()`` with the same field weights) and, when
installed, tantivy with its Arabic Snowball stemmer.

Metrics: MRR@10, nDCG@10 and Recall@100 over every judged query (no result
scores 0).

Examples::

    python benchmarks/relevance.py                       # all tasks, defaults, peers
    python benchmarks/relevance.py --task mixed --ablate stemmer,weights
    python benchmarks/relevance.py --quick               # smoke test, seconds

Indexes are cached under benchmarks/.work/ (keyed by task and analyzer
settings); ``--rebuild`` ignores the cache.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import math
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (REPO, data_available, environment, iter_corpus,  # noqa: E402
                               markdown_table, read_qrels, read_queries, require_data,
                               save_json)

import arsearch  # noqa: E402
from arsearch.analysis import lexicon  # noqa: E402
from arsearch.analysis.normalization import RULE_ORDER  # noqa: E402
from arsearch.analysis.stemming import STEMMERS  # noqa: E402
from arsearch.index.ranking import RankingParams  # noqa: E402
from arsearch.index.suggest import SpellingParams  # noqa: E402

#: Where built indexes are cached between runs (``--work`` changes it).
WORK = REPO / "benchmarks" / ".work"
DEPTH = 100
SUBSETS = {"arcd": "ARCD", "xquad_ar": "XQuAD", "mlqa_ar_dev": "MLQA"}

#: Lucene 8.8.1 ArabicAnalyzer + BM25 on exactly these tasks (from the issue).
LUCENE = {
    "mixed": {"ndcg@10": 0.674, "mrr@10": 0.633, "recall@100": 0.910},
    "mixed/ARCD": {"ndcg@10": 0.703, "mrr@10": 0.649, "recall@100": 0.939},
    "mixed/XQuAD": {"ndcg@10": 0.735, "mrr@10": 0.700, "recall@100": 0.948},
    "mixed/MLQA": {"ndcg@10": 0.495, "mrr@10": 0.458, "recall@100": 0.785},
    "quranqa": {"ndcg@10": 0.288, "mrr@10": 0.346, "recall@100": 0.549},
    # ../shared/data/README.md: equal field weights, as the task is scored here.
    "native": {"ndcg@10": 0.906, "mrr@10": 0.893, "recall@100": 0.971},
}

# --------------------------------------------------------------------------
# Tasks


@dataclass
class Task:
    name: str
    corpora: tuple[str, ...]
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]
    #: Field weights the task is judged with (equal for the Wikipedia and
    #: Qur'an tasks, whose titles are shared or absent; arsearch's default
    #: for the news task).
    weights: dict[str, float] | None
    simulated: bool = False
    limit: int | None = None
    #: The task whose index this one searches (``native`` searches ``mixed``'s).
    index_of: str | None = None

    @property
    def index_name(self) -> str:
        return self.index_of or self.name

    def documents(self) -> Iterator[dict[str, Any]]:
        for name in self.corpora:
            yield from iter_corpus(name, self.limit)


EQUAL = {"headline": 1.0, "body": 1.0}


def mixed_task(quick: bool) -> Task:
    queries = read_queries("arwiki_qa")
    qrels = read_qrels("arwiki_qa")
    if quick:
        queries = queries[:40]
    return Task("mixed", ("arwiki_qa", "saudinewsnet"), queries, qrels, EQUAL,
                limit=300 if quick else None)


def native_task(quick: bool) -> Task:
    """The mixed index, searched with arwiki_qa's native (TyDi QA) questions."""
    queries = read_queries("arwiki_qa", "queries_native.tsv")
    qrels = read_qrels("arwiki_qa", "qrels_native.txt")
    if quick:
        queries = queries[:40]
    return Task("native", ("arwiki_qa", "saudinewsnet"), queries, qrels, EQUAL,
                limit=300 if quick else None, index_of="mixed")


def quranqa_task(quick: bool) -> Task:
    queries = read_queries("quranqa23")
    qrels = read_qrels("quranqa23")
    if quick:
        queries = queries[:20]
    return Task("quranqa", ("quranqa23",), queries, qrels, EQUAL, limit=None)


_AR_WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\u064B-\u0652\u0640]+")


def news_task(quick: bool, *, n: int = 300, seed: int = 2023, headline_share: float = 0.5) -> Task:
    """SIMULATED known-item queries over SaudiNewsNet.

    For each sampled article, 2–4 words (seeded) are drawn from its headline
    (with probability ``headline_share``) or from its body words that are not
    in the headline. Candidates are the article's surface words of at least
    four letters whose document frequency in the collection is between 2 and
    200; the draw is among the ten rarest. Words keep their original
    spelling, so the systems' analysis still has work to do.
    """
    limit = 1500 if quick else None
    docs = list(iter_corpus("saudinewsnet", limit))
    df: Counter[str] = Counter()
    words_of: dict[str, tuple[list[str], list[str]]] = {}
    for d in docs:
        head = _AR_WORD.findall(d["headline"])
        body = _AR_WORD.findall(d["body"])
        words_of[d["id"]] = (head, body)
        df.update(set(head) | set(body))
    rng = random.Random(seed)
    sample = rng.sample(docs, min(n if not quick else 30, len(docs)))
    queries, qrels = [], {}
    for i, d in enumerate(sample):
        head, body = words_of[d["id"]]
        from_headline = rng.random() < headline_share
        pool = head if from_headline else [w for w in body if w not in set(head)]
        cands = sorted({w for w in pool if len(w) >= 4 and 2 <= df[w] <= 200},
                       key=lambda w: (df[w], w))[:10]
        if len(cands) < 2:
            continue
        k = min(len(cands), rng.randint(2, 4))
        words = rng.sample(cands, k)
        qid = f"news-{i:03d}-{'h' if from_headline else 'b'}"
        queries.append((qid, " ".join(words)))
        qrels[qid] = {d["id"]: 1}
    return Task("news", ("saudinewsnet",), queries, qrels, None, simulated=True, limit=limit)


@functools.lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """A hash of the files that decide what arsearch indexes: the analysis
    package (code and word lists) and the schema."""
    digest = hashlib.sha1()
    package = REPO / "arsearch"
    files = [p for p in sorted((package / "analysis").rglob("*")) if p.is_file()
             and p.suffix in (".py", ".txt", ".tsv")] + [package / "index" / "schema.py"]
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


TASKS: dict[str, Callable[[bool], Task]] = {"mixed": mixed_task, "native": native_task,
                                             "quranqa": quranqa_task, "news": news_task}

# --------------------------------------------------------------------------
# Metrics


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]],
             qids: Iterable[str]) -> dict[str, float]:
    """MRR@10, nDCG@10 and Recall@100 averaged over ``qids`` (judged queries)."""
    qids = [q for q in qids if q in qrels]
    if not qids:
        return {"mrr@10": 0.0, "ndcg@10": 0.0, "recall@100": 0.0, "queries": 0}
    mrr = ndcg = recall = 0.0
    for q in qids:
        rel = qrels[q]
        ranked = run.get(q, [])
        for i, d in enumerate(ranked[:10]):
            if d in rel:
                mrr += 1.0 / (i + 1)
                break
        dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg if idcg else 0.0
        recall += len(set(ranked[:DEPTH]) & set(rel)) / len(rel)
    n = len(qids)
    return {"mrr@10": mrr / n, "ndcg@10": ndcg / n, "recall@100": recall / n, "queries": n}


def breakdown(task: Task, run: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Scores for the whole task and, for ``mixed``, per question set."""
    qids = [q for q, _ in task.queries]
    out = {task.name: evaluate(run, task.qrels, qids)}
    if task.name == "mixed":
        for prefix, label in SUBSETS.items():
            sub = [q for q in qids if q.startswith(prefix + "/")]
            if sub:
                out[f"mixed/{label}"] = evaluate(run, task.qrels, sub)
    return out

# --------------------------------------------------------------------------
# arsearch


@dataclass(frozen=True)
class AnalyzerConfig:
    """Analyzer settings of an arsearch index; the defaults are arsearch's."""

    stemmer: str = "light10-snowball"
    stopwords: bool = True
    normalize: tuple[str, ...] | None = None
    exact_forms: bool = True
    #: Lexicon tables (see arsearch.analysis.lexicon); ``None``: the default ones.
    lexicon: tuple[str, ...] | None = None

    def key(self) -> str:
        """The cached index's name: these settings and the analysis code and
        data that produced its terms (a changed stopword list or stemmer
        rebuilds it)."""
        settings: list[Any] = [self.stemmer, self.stopwords, self.normalize, self.exact_forms]
        if self.lexicon is not None:
            settings.append(list(self.lexicon))
        raw = json.dumps([*settings, analysis_fingerprint()])
        return hashlib.sha1(raw.encode()).hexdigest()[:10]

    def label(self) -> str:
        parts = [f"stemmer={self.stemmer}"]
        if not self.stopwords:
            parts.append("stopwords=off")
        if not self.exact_forms:
            parts.append("no exact forms")
        if self.normalize is not None:
            missing = [s for s in RULE_ORDER if s not in self.normalize]
            parts.append("without " + ",".join(missing) if missing else "all steps")
        if self.lexicon is not None:
            parts.append("lexicon=" + (",".join(self.lexicon) or "none"))
        return " ".join(parts)


@contextlib.contextmanager
def lexicon_tables(tables: tuple[str, ...] | None) -> Iterator[None]:
    """Build new indexes with these lexicon tables. ``Index()`` takes no
    lexicon argument (a new index gets the default tables), so the default
    is swapped while the index is created; the tables are then pickled with
    its analyzer, and reopening it needs nothing."""
    if tables is None:
        yield
        return
    saved = lexicon.DEFAULT_TABLES
    lexicon.DEFAULT_TABLES = tables
    try:
        yield
    finally:
        lexicon.DEFAULT_TABLES = saved


def arsearch_index(task: Task, cfg: AnalyzerConfig, rebuild: bool,
                   work: Path = WORK) -> arsearch.Index:
    """Build (or reuse from the work folder) the arsearch index of a task."""
    path = work / f"{task.index_name}{'-quick' if task.limit else ''}-{cfg.key()}"
    done = path / "BUILT"
    if rebuild and path.exists():
        shutil.rmtree(path)
    if not done.exists():
        if path.exists():
            shutil.rmtree(path)
        t0 = time.perf_counter()
        with lexicon_tables(cfg.lexicon):
            ix = arsearch.Index(path, stemmer=cfg.stemmer, stopwords=cfg.stopwords,
                                normalize=cfg.normalize, exact_forms=cfg.exact_forms)
        n = ix.add(task.documents(), batch_size=5000)
        ix.optimize()
        done.write_text(f"{n} documents in {time.perf_counter() - t0:.1f} s\n")
        return ix
    return arsearch.Index(path, create=False)


@dataclass(frozen=True)
class SearchConfig:
    """How queries are read (issue 9's features): the spelling settings
    (variants, which words are corrected and how much a correction weighs),
    whether misspelled words are corrected, and whether a quoted phrase that
    matches nothing is read as its words (``None``: arsearch's default)."""

    spelling: SpellingParams = field(default_factory=SpellingParams)
    correct: bool = True
    relax_phrases: bool | None = None

    def label(self) -> str:
        s, d = self.spelling, SpellingParams()
        parts = []
        if not self.correct:
            parts.append("correct=off")
        elif (s.rare_df, s.correction_boost) != (d.rare_df, d.correction_boost):
            parts.append(f"rare_df={s.rare_df} correction_boost={s.correction_boost:g}")
        if self.correct and s.unseen_ratio != d.unseen_ratio:
            parts.append(f"unseen_ratio={s.unseen_ratio:g}")
        if s.variants != d.variants:
            parts.append(f"variants={'on' if s.variants else 'off'}")
        if self.correct and s.joins != d.joins:
            parts.append(f"joins={'on' if s.joins else 'off'}")
        if self.relax_phrases is False:
            parts.append("relax_phrases=off")
        return " ".join(parts)


def run_arsearch(ix: arsearch.Index, task: Task, params: RankingParams,
                 search: SearchConfig | None = None) -> dict[str, list[str]]:
    search = search or SearchConfig()
    ix.ranking = params
    ix.spelling = search.spelling
    run = {}
    for qid, text in task.queries:
        run[qid] = [doc_id for doc_id, _ in ix.search_ids(
            text, limit=DEPTH, correct=search.correct, relax_phrases=search.relax_phrases)]
    return run

# --------------------------------------------------------------------------
# Peers


def run_whoosh_standard(task: Task) -> dict[str, list[str]]:
    """Plain Whoosh: StandardAnalyzer, BM25F, OR over headline and body,
    the query built from analysed terms (so ؟ is not a wildcard)."""
    from whoosh import fields, query, scoring
    from whoosh.analysis import StandardAnalyzer
    from whoosh.filedb.filestore import FileStorage

    analyzer = StandardAnalyzer()
    schema = fields.Schema(id=fields.ID(unique=True, stored=True),
                           headline=fields.TEXT(analyzer=analyzer),
                           body=fields.TEXT(analyzer=analyzer))
    # On disk: Whoosh's RamStorage shares /tmp/MAIN.tmp between processes.
    with tempfile.TemporaryDirectory(prefix="bench-whoosh-") as tmp:
        ix = FileStorage(tmp).create_index(schema)
        with ix.writer(limitmb=256) as w:
            for d in task.documents():
                w.add_document(id=d["id"], headline=d["headline"], body=d["body"])
        weights = task.weights or {"headline": 1.0, "body": 1.0}
        run = {}
        with ix.searcher(weighting=scoring.BM25F()) as s:
            for qid, text in task.queries:
                terms = list(dict.fromkeys(t.text for t in analyzer(text)))
                q = query.Or([query.Term(f, t, boost=weights[f]) for t in terms for f in weights])
                run[qid] = [h["id"] for h in s.search(q, limit=DEPTH)] if terms else []
    return run


_FTS_TOKEN = re.compile(r"\w+")


def run_fts5(task: Task) -> dict[str, list[str]]:
    """SQLite FTS5, unicode61 tokenizer removing diacritics, bm25() with the
    same field weights, OR query."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, headline, body, "
               "tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   ((d["id"], d["headline"], d["body"]) for d in task.documents()))
    w = task.weights or {"headline": 1.0, "body": 1.0}
    run = {}
    for qid, text in task.queries:
        tokens = list(dict.fromkeys(_FTS_TOKEN.findall(text)))
        if not tokens:
            run[qid] = []
            continue
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        rows = db.execute(
            f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, {w['headline']}, "
            f"{w['body']}) LIMIT {DEPTH}", (match,)).fetchall()
        run[qid] = [r[0] for r in rows]
    return run


def run_tantivy(task: Task) -> dict[str, list[str]] | None:
    """tantivy with its Arabic Snowball stemmer (the ``bench`` extra)."""
    try:
        import tantivy
    except ImportError:
        return None
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("arabic"))
                .build())
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("headline", tokenizer_name="ar")
    sb.add_text_field("body", tokenizer_name="ar")
    schema = sb.build()
    ix = tantivy.Index(schema)
    ix.register_tokenizer("ar", analyzer)
    writer = ix.writer(heap_size=200_000_000, num_threads=1)
    for d in task.documents():
        writer.add_document(tantivy.Document(id=d["id"], headline=d["headline"], body=d["body"]))
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    searcher = ix.searcher()
    w = task.weights or {"headline": 1.0, "body": 1.0}
    run = {}
    for qid, text in task.queries:
        terms = list(dict.fromkeys(analyzer.analyze(text)))
        clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(schema, f, t), w[f])) for t in terms for f in w]
        if not clauses:
            run[qid] = []
            continue
        hits = searcher.search(tantivy.Query.boolean_query(clauses), DEPTH).hits
        run[qid] = [searcher.doc(addr)["id"][0] for _, addr in hits]
    return run


PEERS: dict[str, Callable[[Task], dict[str, list[str]] | None]] = {
    "whoosh StandardAnalyzer": run_whoosh_standard,
    "SQLite FTS5": run_fts5,
    "tantivy (Snowball ar)": run_tantivy,
}

# --------------------------------------------------------------------------
# Ablations


@dataclass
class Variant:
    label: str
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    params: RankingParams | None = None  # None: the task's default params
    search: SearchConfig | None = None  # None: the run's


def features_off(search: SearchConfig) -> SearchConfig:
    """``search`` with every feature of issue 9 off (corrections, spelling
    variants, relaxed phrases)."""
    return replace(search, correct=False, relax_phrases=False,
                   spelling=replace(search.spelling, variants=False))


def ranking_off(params: RankingParams) -> RankingParams:
    """``params`` with issue 9's ranking features off, as main ranked before
    it: no headline clause or coverage, headline b 0.75, exact phrases."""
    return replace(params, headline_clause=0.0, headline_coverage=0.0, phrase_slop=0,
                   b={**params.b, "headline": 0.75})


def ablations(names: list[str], a0: AnalyzerConfig, base: RankingParams,
              search: SearchConfig | None = None) -> list[Variant]:
    """One variant per setting, each differing from ``a0``/``base`` in one thing."""
    out: list[Variant] = []
    search = search or SearchConfig()

    def ranked(label: str, params: RankingParams) -> Variant:
        return Variant(label, a0, params)

    if "stemmer" in names:
        out += [Variant(f"stemmer={s}", replace(a0, stemmer=s))
                for s in ("light10-snowball", "light10", "snowball", "none") if s != a0.stemmer]
    if "exact" in names:
        out.append(Variant(f"exact forms {'off' if a0.exact_forms else 'on'}",
                           replace(a0, exact_forms=not a0.exact_forms)))
    if "stopwords" in names:
        out.append(Variant("stopwords off", replace(a0, stopwords=False)))
    if "lexicon" in names:
        chosen = a0.lexicon if a0.lexicon is not None else lexicon.DEFAULT_TABLES
        out.append(Variant("lexicon off", replace(a0, lexicon=())))
        for table in lexicon.TABLES:
            if table in chosen:
                out.append(Variant(f"lexicon without {table}", replace(
                    a0, lexicon=tuple(t for t in chosen if t != table))))
            else:
                out.append(Variant(f"lexicon with {table}", replace(
                    a0, lexicon=tuple(t for t in lexicon.TABLES if t in chosen or t == table))))
    if "normalize" in names:
        for step in RULE_ORDER:
            out.append(Variant(f"without {step}", replace(
                a0, normalize=tuple(s for s in RULE_ORDER if s != step))))
    if "weights" in names:
        for wh in (1.0, 1.25, 1.5, 2.0, 3.0):
            out.append(ranked(f"headline weight {wh}", replace(
                base, weights={"headline": wh, "body": 1.0})))
    if "bm25" in names:
        for k1 in (0.9, 1.2, 1.5):
            for b in (0.5, 0.75, 0.9):
                out.append(ranked(f"k1={k1} b={b}", replace(
                    base, k1=k1, b={"headline": base.b["headline"], "body": b})))
        for hb in (0.3, 0.5, 0.9):
            out.append(ranked(f"headline b={hb}", replace(
                base, b={"headline": hb, "body": base.b["body"]})))
    if "combine" in names:
        for c in (0.0, 0.25, 0.5, 1.0, 2.0):
            out.append(ranked(f"OR, coordination {c}", replace(base, coordination=c)))
        for c in (0.5, 1.0):  # the bonus for short, keyword-like queries only
            out.append(ranked(f"OR, coordination {c} for queries of <=4 terms",
                              replace(base, coordination=c, coordination_max_terms=4)))
        # Documents with every word first, then the rest: AND without losing recall.
        out.append(ranked("AND first", replace(base, coordination=1e9)))
    if "proximity" in names:
        for p in (0.0, 0.05, 0.1, 0.2, 0.4):
            out.append(ranked(f"proximity {p}", replace(base, proximity=p)))
    if "features" in names:
        # Issue 9's features: all off, then each on alone, then the grid of
        # each feature's setting (the others as the run has them).
        off = features_off(search)
        plain = ranking_off(base)
        out.append(Variant("features off", a0, plain, off))
        for hc in (0.1, 0.15, 0.2, 0.25, 0.5):
            out.append(Variant(f"features off + headline_clause {hc}", a0,
                               replace(plain, headline_clause=hc), off))
        out.append(Variant("features off + corrections", a0, plain, replace(off, correct=True)))
        out.append(Variant("features off + variants", a0, plain,
                           replace(off, spelling=replace(off.spelling, variants=True))))
        out.append(Variant("features off + relaxed phrases", a0, plain,
                           replace(off, relax_phrases=None)))
        out.append(Variant("features off + headline b 1.0", a0,
                           replace(plain, b={**plain.b, "headline": 1.0}), off))
        for cover in (0.2, 0.3):
            out.append(Variant(f"features off + headline_coverage {cover}", a0,
                               replace(plain, headline_coverage=cover), off))
        for slop in (1, 2):
            out.append(Variant(f"features off + phrase_slop {slop}", a0,
                               replace(plain, phrase_slop=slop), off))
        for slop in (0, 2):
            out.append(Variant(f"phrase_slop {slop}", a0, replace(base, phrase_slop=slop),
                               search))
        for hc in (0.0, 0.1, 0.25, 0.5):
            out.append(Variant(f"headline_clause {hc}", a0, replace(base, headline_clause=hc),
                               search))
        for cover in (0.0, 0.2, 0.3):
            out.append(Variant(f"headline_coverage {cover}", a0,
                               replace(base, headline_coverage=cover), search))
        out.append(Variant("headline b 0.75", a0, replace(base, b={**base.b, "headline": 0.75}),
                           search))
        for boost, rare in ((0.6, 0), (0.8, 0), (1.0, 0), (0.8, 2), (0.8, 5)):
            if True:
                out.append(Variant(f"correction_boost {boost} rare_df {rare}", a0, base, replace(
                    search, correct=True, spelling=replace(
                        search.spelling, correction_boost=boost, rare_df=rare))))
    return out

# --------------------------------------------------------------------------
# Main


def task_params(task: Task, base: RankingParams) -> RankingParams:
    return base.with_weights(task.weights) if task.weights else base


def ablation_table(tasks: dict[str, dict[str, dict[str, float]]]) -> str:
    """One row per arsearch variant, one nDCG@10 column per task, from the
    ``{task: {"system | part": metrics}}`` results of a run."""
    rows: dict[str, dict[str, float]] = {}
    for tname, results in tasks.items():
        for key, m in results.items():
            system, part = key.rsplit(" | ", 1)
            if part != tname or not system.startswith("arsearch"):
                continue
            # The main row's label carries the task's headline weight; one row for all.
            label = system[len("arsearch: "):] if system.startswith("arsearch: ") \
                else "defaults"
            rows.setdefault(label, {})[tname] = m["ndcg@10"]
    names = list(tasks)
    return markdown_table(["variant", *names],
                          [[label, *(by.get(t, "") for t in names)] for label, by in rows.items()])


def add_search_flags(ap: argparse.ArgumentParser) -> None:
    """The flags of issue 9's features (see :func:`search_config`)."""
    ap.add_argument("--headline-clause", type=float,
                    help="weight of the headline-only BM25 clause (0: off)")
    ap.add_argument("--headline-coverage", type=float,
                    help="RankingParams.headline_coverage: score times 1 + this times the "
                         "share of the headline's words the query holds (0: off)")
    ap.add_argument("--no-correct", action="store_true",
                    help="search misspelled words as typed only")
    ap.add_argument("--rare-df", type=int, help="SpellingParams.rare_df")
    ap.add_argument("--correction-boost", type=float, help="SpellingParams.correction_boost")
    ap.add_argument("--unseen-ratio", type=float, help="SpellingParams.unseen_ratio")
    ap.add_argument("--no-variants", action="store_true",
                    help="no spelling variants (ؤ/ئ, final hamza after alef)")
    ap.add_argument("--no-joins", action="store_true",
                    help="never search two neighbouring words as one (الفيس بوك, فيسبوك)")
    ap.add_argument("--no-relax", action="store_true",
                    help="quoted phrases always filter, even when they match nothing")
    ap.add_argument("--phrase-slop", type=int,
                    help="RankingParams.phrase_slop: words allowed between a quoted phrase's "
                         "words, in any order (0: next to each other, in order)")
    ap.add_argument("--features-off", action="store_true",
                    help="every feature of issue 9 off (the baseline): headline clause and "
                         "coverage 0 (unless --headline-clause, --headline-coverage), headline "
                         "b 0.75, no corrections, no variants, phrases exact (unless "
                         "--phrase-slop) and never relaxed")


def feature_params(args: argparse.Namespace, params: RankingParams) -> RankingParams:
    """``params`` with the headline clause, headline coverage and phrase slop
    the flags ask for (each of ``--headline-clause``, ``--headline-coverage``
    and ``--phrase-slop`` wins over ``--features-off``)."""
    if args.features_off:
        params = ranking_off(params)
    if args.headline_clause is not None:
        params = replace(params, headline_clause=args.headline_clause)
    if args.headline_coverage is not None:
        params = replace(params, headline_coverage=args.headline_coverage)
    if args.phrase_slop is not None:
        params = replace(params, phrase_slop=args.phrase_slop)
    return params


def search_config(args: argparse.Namespace) -> SearchConfig:
    """The :class:`SearchConfig` the flags ask for."""
    spelling = SpellingParams()
    if args.rare_df is not None:
        spelling = replace(spelling, rare_df=args.rare_df)
    if args.correction_boost is not None:
        spelling = replace(spelling, correction_boost=args.correction_boost)
    if args.unseen_ratio is not None:
        spelling = replace(spelling, unseen_ratio=args.unseen_ratio)
    if args.no_variants:
        spelling = replace(spelling, variants=False)
    if args.no_joins:
        spelling = replace(spelling, joins=False)
    search = SearchConfig(spelling, correct=not args.no_correct,
                          relax_phrases=False if args.no_relax else None)
    return features_off(search) if args.features_off else search


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", action="append", choices=sorted(TASKS),
                    help="task(s) to run (default: all)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke mode: a few hundred documents and queries")
    ap.add_argument("--no-peers", action="store_true", help="skip Whoosh/FTS5/tantivy")
    ap.add_argument("--ablate", default="",
                    help="comma list of: stemmer, exact, stopwords, lexicon, normalize, weights, "
                         "bm25, combine, proximity, features (or 'all')")
    ap.add_argument("--stemmer", default="light10-snowball",
                    choices=sorted(STEMMERS))
    ap.add_argument("--no-exact-forms", action="store_true",
                    help="do not index each word's unstemmed form next to its stem")
    ap.add_argument("--no-stopwords", action="store_true")
    ap.add_argument("--lexicon", default=None,
                    help="comma list of lexicon tables for the main index ('none' for none; "
                         "default: arsearch's default tables)")
    ap.add_argument("--headline-weight", type=float, default=None,
                    help="override the headline weight of every task")
    ap.add_argument("--k1", type=float)
    ap.add_argument("--b", type=float, help="body b")
    ap.add_argument("--headline-b", type=float)
    ap.add_argument("--coordination", type=float)
    ap.add_argument("--proximity", type=float)
    add_search_flags(ap)
    ap.add_argument("--rebuild", action="store_true", help="ignore cached indexes")
    ap.add_argument("--work", type=Path, default=WORK,
                    help=f"folder for cached indexes (default {WORK.relative_to(REPO)})")
    ap.add_argument("--json", action="store_true", help="save raw results in benchmarks/results")
    args = ap.parse_args(argv)

    tasks = args.task or ["mixed", "native", "quranqa", "news"]
    need = {"mixed": ("arwiki_qa", "saudinewsnet"), "native": ("arwiki_qa", "saudinewsnet"),
            "quranqa": ("quranqa23",), "news": ("saudinewsnet",)}
    require_data(*{c for t in tasks for c in need[t]})
    names = (["stemmer", "exact", "stopwords", "lexicon", "normalize", "weights", "bm25",
              "combine", "proximity", "features"]
             if args.ablate == "all" else [a for a in args.ablate.split(",") if a])

    base = RankingParams()
    overrides: dict[str, Any] = {}
    if args.k1 is not None:
        overrides["k1"] = args.k1
    if args.b is not None or args.headline_b is not None:
        overrides["b"] = {"headline": args.headline_b if args.headline_b is not None
                          else base.b["headline"],
                          "body": args.b if args.b is not None else base.b["body"]}
    if args.coordination is not None:
        overrides["coordination"] = args.coordination
    if args.proximity is not None:
        overrides["proximity"] = args.proximity
    base = feature_params(args, replace(base, **overrides))
    search = search_config(args)
    main_cfg = AnalyzerConfig(
        stemmer=args.stemmer, stopwords=not args.no_stopwords, exact_forms=not args.no_exact_forms,
        lexicon=None if args.lexicon is None else tuple(
            t for t in args.lexicon.split(",") if t and t != "none"))

    command = f"python benchmarks/relevance.py {' '.join(argv or sys.argv[1:])}".strip()
    print(f"command: {command}")
    print("environment: " + ", ".join(f"{k} {v}" for k, v in environment().items()))
    report: dict[str, Any] = {"command": command, "environment": environment(), "tasks": {},
                              "tables": {}}
    for tname in tasks:
        task = TASKS[tname](args.quick)
        label = f"{task.name} (SIMULATED known-item)" if task.simulated else task.name
        print(f"\n## {label}: {len(task.queries)} queries")
        rows: list[list[Any]] = []
        results: dict[str, Any] = {}

        def record(system: str, run: dict[str, list[str]] | None, seconds: float) -> None:
            if run is None:
                return
            for part, m in breakdown(task, run).items():
                rows.append([system, part, m["ndcg@10"], m["mrr@10"], m["recall@100"],
                             m["queries"], f"{seconds:.0f}s"])
                results[f"{system} | {part}"] = m
                if part == task.name:  # progress, while the rest runs
                    print(f"  {system}: nDCG@10 {m['ndcg@10']:.3f}", file=sys.stderr, flush=True)

        params = task_params(task, base)
        if args.headline_weight is not None:
            params = params.with_weights({"headline": args.headline_weight})
        t0 = time.perf_counter()
        ix = arsearch_index(task, main_cfg, args.rebuild, args.work)
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        extra = "".join(f", {x}" for x in (
            f"headline_clause={params.headline_clause:g}",
            f"headline_coverage={params.headline_coverage:g}" if params.headline_coverage else "",
            search.label()) if x)
        record(f"arsearch ({main_cfg.label()}, w_h={params.weights['headline']:g}{extra})",
               run_arsearch(ix, task, params, search), time.perf_counter() - t0 + build)
        for variant in ablations(names, main_cfg, params, search):
            vix = ix if variant.analyzer == main_cfg else arsearch_index(
                task, variant.analyzer, args.rebuild, args.work)
            t0 = time.perf_counter()
            record(f"arsearch: {variant.label}",
                   run_arsearch(vix, task, variant.params or params, variant.search or search),
                   time.perf_counter() - t0)
        if not args.no_peers:
            for peer, fn in PEERS.items():
                t0 = time.perf_counter()
                record(peer, fn(task), time.perf_counter() - t0)
        if not args.quick and task.name in ("mixed", "native", "quranqa"):
            for part, m in LUCENE.items():
                if part.split("/")[0] == task.name:
                    rows.append(["Lucene 8.8.1 ArabicAnalyzer (reference)", part,
                                 m["ndcg@10"], m["mrr@10"], m["recall@100"], "", ""])
        rows.sort(key=lambda r: (r[1], -r[2] if isinstance(r[2], float) else 0))
        table = markdown_table(["system", "part", "nDCG@10", "MRR@10", "R@100", "queries", "time"],
                               rows)
        print(table)
        report["tasks"][task.name] = results
        report["tables"][task.name] = table
    if names:
        report["ablation_table"] = ablation_table(report["tasks"])
        print("\n## Ablations: nDCG@10 by task\n\n" + report["ablation_table"])
    if args.json:
        # One file per kind of run, so an ablation run never overwrites the main table.
        name = "-".join(["relevance", *tasks] + (["ablate"] if names else [])
                        + (["quick"] if args.quick else []))
        print(f"\nsaved {save_json(name, report)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
