"""BM25F ranking over the headline and body.

Whoosh's own BM25F model scores each field separately and adds the results,
so a word in both headline and body is counted twice, with Whoosh's
``log(N/(df+1))+1`` idf. This ranker implements BM25F as Robertson and
Zaragoza define it: a term's frequency is first combined across fields,
each field weighted and length-normalized with its own ``b``, and only the
sum is saturated with ``k1``. That keeps a headline match ahead of a body
match without letting a long headline-and-body match run away, which is what
news and Wikipedia-style collections (many paragraphs sharing one title)
both need.

Scoring is term-at-a-time over Whoosh postings, per index segment. Field
lengths are read once per segment and cached, since segments never change.

On top of BM25F:

* a coordination bonus rewards documents that match more of the query's
  words (``coordination``);
* a proximity bonus rewards documents where consecutive query words appear
  next to each other (``proximity``), computed for the best candidates only.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .schema import TEXT_FIELDS


@dataclass(frozen=True)
class RankingParams:
    """Ranking settings. Defaults were chosen on the tuning query sets; see
    ``docs/benchmarks.md``.

    ``weights`` and ``b`` are per field; ``k1`` is BM25's saturation point.
    """

    weights: Mapping[str, float] = field(
        default_factory=lambda: {"headline": 3.0, "body": 1.0})
    b: Mapping[str, float] = field(default_factory=lambda: {"headline": 0.75, "body": 0.75})
    k1: float = 1.2
    #: Score multiplier ``1 + coordination * (matched - 1) / (terms - 1)``.
    coordination: float = 0.0
    #: Apply the coordination bonus only to queries of at most this many
    #: distinct terms (keyword queries); ``None`` applies it to all.
    coordination_max_terms: int | None = None
    #: Bonus per adjacent pair of query words, relative to the top score.
    proximity: float = 0.0
    #: How many top candidates get the proximity pass.
    proximity_depth: int = 100
    #: Weight of an exact (unstemmed) match relative to a stem match, for
    #: indexes built with exact forms.
    exact_weight: float = 0.25

    def with_weights(self, weights: Mapping[str, float] | None) -> RankingParams:
        if not weights:
            return self
        return replace(self, weights={**self.weights, **weights})


@dataclass(frozen=True)
class QueryTerm:
    """One analysed query word: its term, the fields it is searched in, its
    position in the query (for proximity), and its weight."""

    text: str
    fields: tuple[str, ...] = TEXT_FIELDS
    position: int = 0
    boost: float = 1.0
    #: The unstemmed form of the word at ``position`` (indexed when the
    #: analyzer's ``exact_forms`` is on); it adds ``exact_weight`` of a score.
    exact: bool = False


def check_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """Validate a ``{"headline": w, "body": w}`` mapping; raises ValueError."""
    if not isinstance(weights, Mapping):
        raise ValueError(f"weights must be a mapping such as {{'headline': 3.0, 'body': 1.0}}, "
                         f"got {type(weights).__name__}")
    out = {}
    for name, value in weights.items():
        if name not in TEXT_FIELDS:
            raise ValueError(f"unknown field {name!r} in weights; use {list(TEXT_FIELDS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value) and value >= 0):
            raise ValueError(f"weight of {name!r} must be a number >= 0, got {value!r}")
        out[name] = float(value)
    return out


class SegmentCache:
    """What the ranker reads from each segment, read once: field lengths,
    and the postings of recently used terms as compact arrays.

    Segments never change once written, so entries survive commits.
    Deletions do change what a segment's postings return, so postings are
    keyed by the segment's live document count too. Entries of segments
    merged away are dropped by :meth:`retain`.
    """

    def __init__(self, max_postings: int = 4_000_000) -> None:
        self.max_postings = max_postings
        self._lengths: dict[tuple[str, str], array] = {}
        self._postings: OrderedDict[tuple[str, int, str, str], tuple[array, array]] = OrderedDict()
        self._held = 0

    @staticmethod
    def _segment_id(leaf: Any) -> str:
        segment = leaf.segment()
        return segment.segment_id() if segment is not None else str(id(leaf))

    def lengths(self, leaf: Any, fieldname: str) -> array:
        key = (self._segment_id(leaf), fieldname)
        lens = self._lengths.get(key)
        if lens is None:
            dfl = leaf.doc_field_length
            lens = array("f", (dfl(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())))
            self._lengths[key] = lens
        return lens

    def postings(self, leaf: Any, fieldname: str, text: str) -> tuple[array, array] | None:
        """``(docnums, frequencies)`` of a term in one segment, or ``None``."""
        key = (self._segment_id(leaf), leaf.doc_count(), fieldname, text)
        hit = self._postings.get(key)
        if hit is not None:
            self._postings.move_to_end(key)
            return hit
        if (fieldname, text) not in leaf:
            return None
        ids, tfs = array("l"), array("f")
        m = leaf.postings(fieldname, text)
        while m.is_active():
            ids.append(m.id())
            tfs.append(m.weight())
            m.next()
        self._postings[key] = (ids, tfs)
        self._held += len(ids)
        while self._held > self.max_postings and len(self._postings) > 1:
            _, (old, _) = self._postings.popitem(last=False)
            self._held -= len(old)
        return ids, tfs

    def retain(self, leaves: Iterable[Any]) -> None:
        live = {self._segment_id(leaf) for leaf in leaves}
        for key in [k for k in self._lengths if k[0] not in live]:
            del self._lengths[key]
        for key in [k for k in self._postings if k[0] not in live]:
            self._held -= len(self._postings.pop(key)[0])


class Ranker:
    """Scores documents of one searcher snapshot for a list of query terms."""

    def __init__(self, searcher: Any, cache: SegmentCache):
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        cache.retain(leaf for leaf, _ in self.leaves)
        self._cache = cache
        self.doc_count = max(searcher.doc_count(), 1)
        self.avg_length = {
            f: (searcher.field_length(f) / searcher.doc_count_all()) or 1.0
            if searcher.doc_count_all() else 1.0 for f in TEXT_FIELDS}

    # Term statistics ---------------------------------------------------

    def field_tfs(self, term: QueryTerm, params: RankingParams) -> dict[int, float]:
        """The BM25F pseudo-frequency of ``term`` in every document holding it:
        ``sum over fields of weight * tf / (1 - b + b * length / avg_length)``."""
        tfs: dict[int, float] = {}
        get = tfs.get
        cache = self._cache
        for fieldname in term.fields:
            w = params.weights.get(fieldname, 0.0)
            if w <= 0:
                continue
            b = params.b.get(fieldname, 0.75)
            scale = b / self.avg_length[fieldname]
            for leaf, base in self.leaves:
                found = cache.postings(leaf, fieldname, term.text)
                if found is None:
                    continue
                lens = cache.lengths(leaf, fieldname)
                for docnum, tf in zip(*found):
                    d = base + docnum
                    tfs[d] = get(d, 0.0) + w * tf / (1.0 - b + scale * lens[docnum])
        return tfs

    def idf(self, df: int) -> float:
        # Lucene's BM25 idf: never negative, even for words in most documents.
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))

    # Scoring -----------------------------------------------------------

    def score(self, terms: Sequence[QueryTerm], params: RankingParams) -> dict[int, float]:
        """BM25F scores, with the coordination bonus, of every matching document."""
        scores: dict[int, float] = {}
        matched: dict[int, int] = {}
        k1 = params.k1
        for term in terms:
            tfs = self.field_tfs(term, params)
            if not tfs:
                continue
            weight = self.idf(len(tfs)) * term.boost * (k1 + 1.0)
            sget, mget = scores.get, matched.get
            if term.exact:
                weight *= params.exact_weight
                for d, tf in tfs.items():
                    scores[d] = sget(d, 0.0) + weight * tf / (k1 + tf)
                continue
            for d, tf in tfs.items():
                scores[d] = sget(d, 0.0) + weight * tf / (k1 + tf)
                matched[d] = mget(d, 0) + 1
        n = len({t.text for t in terms if not t.exact})
        if params.coordination and n > 1 and (
                params.coordination_max_terms is None or n <= params.coordination_max_terms):
            c = params.coordination / (n - 1)
            for d, m in matched.items():
                scores[d] *= 1.0 + c * (m - 1)
        return scores

    def proximity_bonus(self, terms: Sequence[QueryTerm], candidates: Sequence[int],
                        params: RankingParams) -> dict[int, float]:
        """For each candidate, the number of adjacent query-word pairs found
        next to each other (in query order) in any text field."""
        words = [t for t in terms if not t.exact]
        pairs = [(a, b) for a, b in zip(words, words[1:])
                 if b.position == a.position + 1 and a.text != b.text]
        if not pairs or not candidates:
            return {}
        wanted = set(candidates)
        positions: dict[tuple[str, str], dict[int, frozenset[int]]] = {}
        for text in {t.text for pair in pairs for t in pair}:
            for fieldname in TEXT_FIELDS:
                found: dict[int, frozenset[int]] = {}
                for leaf, base in self.leaves:
                    if (fieldname, text) not in leaf:
                        continue
                    matcher = leaf.postings(fieldname, text)
                    size = leaf.doc_count_all()
                    for docnum in sorted(d - base for d in wanted if 0 <= d - base < size):
                        if not matcher.is_active():
                            break
                        if matcher.id() < docnum:
                            matcher.skip_to(docnum)
                            if not matcher.is_active():
                                break
                        if matcher.id() == docnum:
                            found[base + docnum] = frozenset(matcher.value_as("positions"))
                positions[(fieldname, text)] = found
        bonus: dict[int, float] = {}
        for d in candidates:
            count = 0
            for a, b in pairs:
                for fieldname in TEXT_FIELDS:
                    pa = positions.get((fieldname, a.text), {}).get(d)
                    pb = positions.get((fieldname, b.text), {}).get(d)
                    if pa and pb and any(p + 1 in pb for p in pa):
                        count += 1
                        break
            if count:
                bonus[d] = count / len(pairs)
        return bonus

    def rank(self, terms: Sequence[QueryTerm], params: RankingParams,
             allowed: set[int] | None = None, excluded: set[int] | None = None,
             ) -> dict[int, float]:
        """Final scores of every matching document, after filters."""
        scores = self.score(terms, params)
        if allowed is not None:
            scores = {d: s for d, s in scores.items() if d in allowed}
        if excluded:
            scores = {d: s for d, s in scores.items() if d not in excluded}
        if params.proximity and scores and len(terms) > 1:
            depth = params.proximity_depth
            top = heapq.nlargest(depth, scores, key=scores.__getitem__)
            best = scores[top[0]]
            for d, fraction in self.proximity_bonus(terms, top, params).items():
                scores[d] += params.proximity * best * fraction
        return scores


def top_documents(scores: Mapping[int, float], offset: int, count: int) -> list[tuple[int, float]]:
    """The ``count`` best documents after skipping ``offset``; ties broken by
    document number so pages are stable."""
    best = heapq.nsmallest(offset + count, scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return best[offset:]
