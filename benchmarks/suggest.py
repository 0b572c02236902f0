"""Spelling-suggestion benchmark: does "did you mean" restore a mistyped word?

For every question of a real question set (data in ../shared/data, see its
README), one content word is mistyped, with a fixed seed, the way people
mistype Arabic: a letter deleted, a letter inserted (a key next to a
neighbouring letter, or a letter typed twice), a letter replaced by a key
next to it on the Arabic keyboard or by a letter that sounds alike (ض/ظ,
ذ/ز/د, س/ص/ث, ت/ط, ح/ه/خ, ق/ك/غ/ع), or two neighbouring letters swapped.
Only mistakes that change what the analyzer makes of the word count (a
typo that normalization or stemming undoes needs no correction); the word
is one whose stem is in the index, so restoring it is possible. The
question's corpus is indexed with arsearch (equal field weights, as in
``benchmarks/relevance.py``) and ``Index.suggest`` is asked about the
mistyped question and about the original one.

Reported, per question set:

* **corrected**: the suggestion restores the mistyped word (the word in
  its place analyses to the original word's stems);
* **wrong**: a suggestion that does not; **none**: no suggestion;
  **precision**: corrected / (corrected + wrong);
* **false alarms**: a suggestion for an original, correct question;
* **nDCG@10** of the original questions, the mistyped ones, the mistyped
  ones with the suggestion applied when there is one, and the original
  ones with their (false-alarm) suggestions applied;
* **latency**: ``Index.suggest`` time over ``Index.search_ids(limit=10)``
  time for the same query in the same run, median and p95 (a ratio; the
  machine's speed cancels out).

Thresholds were tuned on arwiki_qa only; quranqa23 (classical text, MSA
questions) is the held-out check. ``--ablate`` adds rows for other
settings (uniform edit costs, other thresholds) on the same typos.

    python benchmarks/suggest.py              # arwiki_qa and quranqa23
    python benchmarks/suggest.py --quick      # a few hundred documents (the test suite)
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (changed_code_warning, code_fingerprint, iter_corpus,
                               markdown_table, percentile, publish, read_qrels, read_queries,
                               report_header, require_data, run_conditions)
from benchmarks.relevance import EQUAL, evaluate

import arsearch  # noqa: E402
from arsearch.analysis import explain  # noqa: E402
from arsearch.analysis.pipeline import EXACT_MARK  # noqa: E402
from arsearch.index.suggest import UNIFORM, SpellingParams  # noqa: E402

SETS = ("arwiki_qa", "quranqa23")
SEED = 2024

# The typo model. Written out here, independently of arsearch's edit costs,
# from the standard Arabic (101) keyboard: row by row, left to right as the
# keys sit (ى and ة as typed; the لا key left out).
KEYS = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤر ىةوزظ")
SOUND_ALIKE = ("ضظ", "ذزد", "سصث", "تط", "حهخ", "قكغع")
#: Share of each kind of mistake.
KINDS = (("substitute", 0.4), ("delete", 0.2), ("insert", 0.2), ("transpose", 0.2))


def _near_keys() -> dict[str, set[str]]:
    near: dict[str, set[str]] = {}
    for r, row in enumerate(KEYS):
        for i, key in enumerate(row):
            around = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if r > 0:
                around += [KEYS[r - 1][j] for j in (i, i + 1) if j < len(KEYS[r - 1])]
            if r + 1 < len(KEYS):
                around += [KEYS[r + 1][j] for j in (i - 1, i) if 0 <= j < len(KEYS[r + 1])]
            near.setdefault(key, set()).update(k for k in around if k != " ")
    for group in SOUND_ALIKE:
        for a in group:
            near.setdefault(a, set()).update(b for b in group if b != a)
    near.pop(" ", None)
    return near


NEAR = _near_keys()


def typo(word: str, rng: random.Random) -> tuple[str, str] | None:
    """One realistic mistake in ``word`` (its letters as written), and its
    kind; ``None`` when the drawn mistake cannot be made in this word."""
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    n = len(word)
    i = rng.randrange(n)
    if kind == "substitute":
        near = sorted(NEAR.get(word[i], ()))
        return (word[:i] + rng.choice(near) + word[i + 1:], kind) if near else None
    if kind == "delete":
        return word[:i] + word[i + 1:], kind
    if kind == "insert":
        j = rng.randrange(n + 1)
        beside = word[j - 1] if j > 0 and (j == n or rng.random() < 0.5) else word[min(j, n - 1)]
        # A letter typed twice, or a key next to the letter beside it.
        pool = [beside] + sorted(NEAR.get(beside, ()))
        return word[:j] + rng.choice(pool) + word[j:], kind
    if n < 2:
        return None
    i = rng.randrange(n - 1)
    if word[i] == word[i + 1]:
        return None
    return word[:i] + word[i + 1] + word[i] + word[i + 2:], kind


def word_stems(text: str, ix: arsearch.Index, position: int) -> tuple[str, ...] | None:
    """The stems of the ``position``-th token of ``text`` (exact forms left
    out); ``None`` when the text has fewer tokens."""
    tokens = explain(text, pipeline=ix.pipeline, query=True)
    if position >= len(tokens):
        return None
    return tuple(t for t in tokens[position].terms if not t.startswith(EXACT_MARK))


@dataclass
class Case:
    qid: str
    original: str
    mistyped: str | None = None
    kind: str = ""
    #: The mistyped word analyses to a stem the index holds (a real-word error).
    real_word: bool = False
    #: Which token of the question was mistyped.
    position: int = 0

    def restored(self, suggestion: str, ix: arsearch.Index) -> bool:
        """Whether ``suggestion`` gives the mistyped word its original stems."""
        return (word_stems(suggestion, ix, self.position)
                == word_stems(self.original, ix, self.position))


def corrupt(queries: list[tuple[str, str]], ix: arsearch.Index, vocabulary: set[str],
            seed: int) -> list[Case]:
    """One case per question; ``mistyped`` is ``None`` when no content word
    of the question could be mistyped so that its analysis changes.
    ``vocabulary`` holds every term of the indexed documents."""
    rng = random.Random(seed)
    known = vocabulary.__contains__
    cases = []
    for qid, text in queries:
        case = Case(qid, text)
        words = [(i, t) for i, t in enumerate(explain(text, pipeline=ix.pipeline, query=True))
                 if t.kind == "arabic" and len(t.normalized) >= 3 and len(t.terms) >= 1
                 and known(t.terms[0]) and t.original.isalpha()]
        rng.shuffle(words)
        for position, tok in words:
            for _ in range(10):
                made = typo(tok.original, rng)
                if made is None:
                    continue
                wrong, kind = made
                terms = ix.pipeline.compute(wrong, True)
                if not terms or terms[0] == tok.terms[0]:
                    continue  # a stopword now, or the analyzer undoes the mistake
                case.mistyped = text[:tok.start] + wrong + text[tok.end:]
                case.position = position
                case.kind = kind
                case.real_word = known(terms[0])
                break
            if case.mistyped:
                break
        cases.append(case)
    return cases


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def measure(ix: arsearch.Index, cases: list[Case], qrels: dict[str, dict[str, int]],
            params: SpellingParams, with_ranking: bool) -> dict[str, Any]:
    """Suggestion quality (and, ``with_ranking``, nDCG and latency) of one
    setting over the cases."""
    ix.spelling = params
    typed = [c for c in cases if c.mistyped]
    out: dict[str, Any] = {"questions": len(cases), "mistyped": len(typed)}
    verdicts: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    suggested: dict[str, str] = {}
    for c in typed:
        s = ix.suggest(c.mistyped)
        if s is None:
            verdict = "none"
        elif c.restored(s, ix):
            verdict = "corrected"
        else:
            verdict = "wrong"
        verdicts[verdict] += 1
        by_kind.setdefault(c.kind, Counter())[verdict] += 1
        if c.real_word:
            by_kind.setdefault("real word", Counter())[verdict] += 1
        if s is not None:
            suggested[c.qid] = s
    alarms: dict[str, str] = {}
    for c in cases:
        s = ix.suggest(c.original)
        if s is not None:
            alarms[c.qid] = s
    n = max(len(typed), 1)
    out.update({k: verdicts[k] / n for k in ("corrected", "wrong", "none")})
    given = verdicts["corrected"] + verdicts["wrong"]
    out["precision"] = verdicts["corrected"] / given if given else 0.0
    out["real_word"] = sum(c.real_word for c in typed) / n
    out["false_alarms"] = len(alarms) / max(len(cases), 1)
    out["by_kind"] = {k: {"cases": sum(v.values()), **{x: v[x] / max(sum(v.values()), 1)
                                                       for x in ("corrected", "wrong", "none")}}
                      for k, v in sorted(by_kind.items())}
    out["examples"] = {"wrong": [(c.original, c.mistyped, suggested[c.qid]) for c in typed
                                 if c.qid in suggested
                                 and not c.restored(suggested[c.qid], ix)][:8],
                       "false_alarms": [(c.original, alarms[c.qid]) for c in cases
                                        if c.qid in alarms][:8]}
    if not with_ranking:
        return out

    def ndcg(texts: dict[str, str]) -> float:
        run = {q: [d for d, _ in ix.search_ids(t, limit=100)] for q, t in texts.items()}
        return evaluate(run, qrels, texts)["ndcg@10"]

    out["ndcg"] = {
        "original": ndcg({c.qid: c.original for c in typed}),
        "mistyped": ndcg({c.qid: c.mistyped for c in typed}),
        "mistyped, suggestion applied": ndcg({c.qid: suggested.get(c.qid, c.mistyped)
                                              for c in typed}),
        "original, suggestion applied": ndcg({c.qid: alarms.get(c.qid, c.original)
                                              for c in typed}),
    }
    # Each query is searched and suggested for twice, in both orders, so
    # that neither always runs on a warmer cache.
    timings: dict[str, tuple[list[float], list[float]]] = {}
    for label, texts in (("mistyped", [c.mistyped for c in typed]),
                         ("original", [c.original for c in typed])):
        suggest_time, search_time = [], []
        for text in texts + texts[::-1]:
            first_search = len(search_time) % 2 == 0
            if first_search:
                search_time.append(timed(lambda: ix.search_ids(text, limit=10))[1])
            suggest_time.append(timed(lambda: ix.suggest(text))[1])
            if not first_search:
                search_time.append(timed(lambda: ix.search_ids(text, limit=10))[1])
        timings[label] = (suggest_time, search_time)
    suggest_time, search_time = timings["mistyped"]
    original_time, original_search = timings["original"]
    out["latency"] = {
        "suggest/search median (mistyped)": statistics.median(suggest_time)
        / statistics.median(search_time),
        "suggest/search p95 (mistyped)": percentile(suggest_time, 95)
        / percentile(search_time, 95),
        "suggest/search median (original)": statistics.median(original_time)
        / statistics.median(original_search),
        "suggest/search p95 (original)": percentile(original_time, 95)
        / percentile(original_search, 95),
        # For the JSON only: absolute times depend on the machine.
        "ms": {label: {"suggest median": 1000 * statistics.median(su),
                       "search median": 1000 * statistics.median(se)}
               for label, (su, se) in timings.items()},
    }
    # How many results the mistyped questions still find: words combine
    # with OR, so the total rarely tells that a word was not found.
    totals = [ix.search(c.mistyped, limit=1).total for c in typed]
    out["mistyped with fewer than 10 results"] = sum(t < 10 for t in totals) / n
    return out


def variants(names: list[str]) -> list[tuple[str, SpellingParams]]:
    """The default settings, then one row per ``--ablate`` setting."""
    base = SpellingParams()
    rows = [("default", base)]
    if "costs" in names:
        rows.append(("uniform edit costs", replace(base, costs=UNIFORM)))
    if "weight" in names:
        rows += [(f"cost_weight {w:g}", replace(base, cost_weight=w))
                 for w in (0.0, 1.0, 2.0, 3.0, 5.0) if w != base.cost_weight]
    if "context" in names:
        rows += [(f"context_weight {w:g}", replace(base, context_weight=w))
                 for w in (0.0, 0.5, 2.0) if w != base.context_weight]
    if "min_df" in names:
        rows += [(f"min_df {m}", replace(base, min_df=m)) for m in (1, 2, 3, 5) if m != base.min_df]
    if "letters" in names:
        rows += [(f"min_letters {m}", replace(base, min_letters=m))
                 for m in (3, 4, 5) if m != base.min_letters]
    return rows


def load(name: str, quick: bool) -> tuple[arsearch.Index, set[str], list[tuple[str, str]],
                                           dict[str, dict[str, int]]]:
    """The set's corpus indexed in memory, its vocabulary (every term of its
    documents), its questions and judgments (``quick``: the first 300
    documents and up to 150 questions about them)."""
    docs = list(iter_corpus(name, 300 if quick else None))
    ix = arsearch.Index(weights=EQUAL)
    ix.add(docs, batch_size=5000)
    vocabulary = {t for d in docs for t in arsearch.analyze(f"{d['headline']} {d['body']}",
                                                           pipeline=ix.pipeline)}
    qrels = read_qrels(name)
    queries = [(q, t) for q, t in read_queries(name) if q in qrels]
    if quick:
        ids = {d["id"] for d in docs}
        queries = [(q, t) for q, t in queries if set(qrels[q]) & ids][:150]
    return ix, vocabulary, queries, qrels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", choices=SETS, help="question set(s) (default: both)")
    ap.add_argument("--quick", action="store_true",
                    help="a few hundred documents and questions (for the test suite)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"typo seed (default {SEED})")
    ap.add_argument("--ablate", default="",
                    help="comma list of: costs, weight, context, min_df, letters (or 'all')")
    ap.add_argument("--examples", action="store_true",
                    help="print some wrong suggestions and false alarms")
    ap.add_argument("--out", help="write the report as a section of this markdown file")
    ap.add_argument("--json", action="store_true",
                    help="save the raw numbers to benchmarks/results/suggest.json")
    args = ap.parse_args(argv)
    sets = args.set or list(SETS)
    require_data(*sets)
    names = (["costs", "weight", "context", "min_df", "letters"] if args.ablate == "all"
             else [a for a in args.ablate.split(",") if a])
    fingerprint = code_fingerprint()

    quality: list[list[Any]] = []
    ranking: list[list[Any]] = []
    kinds: list[list[Any]] = []
    examples: list[str] = []
    raw: dict[str, Any] = {}
    for name in sets:
        ix, vocabulary, queries, qrels = load(name, args.quick)
        cases = corrupt(queries, ix, vocabulary, args.seed)
        for label, params in variants(names):
            m = measure(ix, cases, qrels, params, with_ranking=label == "default")
            raw[f"{name} | {label}"] = m
            quality.append([name, label, m["questions"], m["mistyped"], m["corrected"],
                            m["wrong"], m["none"], m["precision"], m["false_alarms"]])
            if label != "default":
                continue
            n, lat = m["ndcg"], m["latency"]
            ranking.append([name, n["original"], n["mistyped"], n["mistyped, suggestion applied"],
                            n["original, suggestion applied"],
                            f"{lat['suggest/search median (mistyped)']:.2f}",
                            f"{lat['suggest/search p95 (mistyped)']:.2f}",
                            f"{lat['suggest/search median (original)']:.2f}",
                            f"{m['mistyped with fewer than 10 results']:.1%}"])
            kinds += [[name, kind, k["cases"], k["corrected"], k["wrong"], k["none"]]
                      for kind, k in m["by_kind"].items()]
            if args.examples:
                examples.append(f"\n{name}, wrong suggestions (original → mistyped → suggested):")
                examples += [f"- {o} → {t} → {s}" for o, t, s in m["examples"]["wrong"]]
                examples.append(f"\n{name}, false alarms (original → suggested):")
                examples += [f"- {o} → {s}" for o, s in m["examples"]["false_alarms"]]
        ix.close()

    lines = [report_header("Spelling suggestions (benchmarks/suggest.py)"), "",
             run_conditions(fingerprint), "",
             f"One content word of each question mistyped (seed {args.seed}); rates over the "
             "mistyped questions, false alarms over all the original questions.", "",
             markdown_table(["set", "setting", "questions", "mistyped", "corrected", "wrong",
                             "none", "precision", "false alarms"], quality), "",
             "precision: corrected / (corrected + wrong).", "",
             "### Ranking and latency (default setting)", "",
             "nDCG@10 over the mistyped questions' originals, the mistyped questions, the mistyped "
             "questions with the suggestion applied, and the originals with any (false-alarm) "
             "suggestion applied. Latency: `Index.suggest` time / `Index.search_ids(limit=10)` "
             "time.", "",
             markdown_table(["set", "nDCG original", "nDCG mistyped", "nDCG mistyped+suggestion",
                             "nDCG original+suggestion", "suggest/search median",
                             "suggest/search p95", "suggest/search median (original)",
                             "mistyped with < 10 results"], ranking), "",
             "### By kind of mistake (default setting)", "",
             "`real word`: the mistyped word is itself a word of the index (also counted under "
             "its kind).", "",
             markdown_table(["set", "mistake", "cases", "corrected", "wrong", "none"], kinds),
             *examples, *changed_code_warning(fingerprint)]
    publish("\n".join(lines), args, "suggest" + ("-quick" if args.quick else ""), {"sets": raw})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
