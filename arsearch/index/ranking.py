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

Scoring is term-at-a-time over arrays: a term's postings in each field
(read once per segment and cached, see :mod:`arsearch.index.snapshot`) are
combined into its BM25F pseudo-frequency and added to a score array with a
few vectorized operations, instead of one Python step per posting.

The collection statistics a score depends on (document count, each term's
document frequency, the fields' average lengths) are a value of their own,
:class:`CollectionStats`. A search normally takes them from the index it
runs on; a sharded index gathers them from every shard first and ranks each
shard with the sums, so every shard scores exactly as one index holding all
the articles would (Elasticsearch's ``dfs_query_then_fetch``).

On top of BM25F:

* a coordination bonus rewards documents that match more of the query's
  words (``coordination``);
* a proximity bonus rewards documents where consecutive query words appear
  next to each other (``proximity``), computed for the best candidates only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from .schema import TEXT_FIELDS
from .snapshot import TermSource


@dataclass(frozen=True)
class RankingParams:
    """Ranking settings. Defaults were chosen on the tuning query sets; see
    ``docs/benchmarks.md``.

    ``weights`` and ``b`` are per field; ``k1`` is BM25's saturation point.
    """

    weights: Mapping[str, float] = field(
        default_factory=lambda: {"headline": 3.0, "body": 1.0})
    #: Length normalization per field. Headlines are normalized fully (1.0,
    #: chosen on the native questions with ``headline_coverage``): a short
    #: headline that a word names outranks a long one that mentions it.
    b: Mapping[str, float] = field(default_factory=lambda: {"headline": 1.0, "body": 0.75})
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
    #: Weight of a headline-only BM25 clause added beside BM25F: each query
    #: word found in a headline also adds this times its BM25 score in the
    #: headline alone (its own idf among headlines, headline length
    #: normalization). BM25F saturates a word's headline and body
    #: occurrences together, so a paragraph that names a question's subject
    #: in its title gains little over one that repeats the word in its
    #: body; the clause lets the named subject win, as the per-field sum of
    #: Lucene's BooleanQuery does, without giving up BM25F. 0 turns it off.
    #: 0.2 was chosen on the native questions (nDCG@10 +0.023, the largest
    #: weight that costs the mixed task no more than 0.005; see
    #: docs/benchmarks.md).
    headline_clause: float = 0.2
    #: Weight of the headline's coverage: a document's score is multiplied
    #: by ``1 + headline_coverage * share``, where ``share`` is the part of
    #: its headline's words that the query holds (1 when the query names the
    #: whole headline: "من هو إيمانويل كانت؟" and the article إيمانويل كانت).
    #: A question names its subject, and the subject's own article should
    #: lead; a headline that merely contains one query word among many gains
    #: little. It depends on the document alone, so shards agree. 0 turns
    #: it off. 0.25 was chosen on the native questions (with headline b
    #: 1.0 and the plurals table: nDCG@10 0.9328 at 0.2 → 0.9344), the
    #: largest weight that costs mixed no more than 0.005 against no
    #: coverage (0.7924 → 0.7883; 0.3: 0.7857); quranqa, the news task and
    #: the variants move by 0.002 at most (docs/benchmarks.md).
    headline_coverage: float = 0.25
    #: How loosely a quoted phrase matches (Lucene's phrase slop, read in
    #: words): 0 asks for its words next to each other and in order; ``n``
    #: lets them stand in any order, up to ``n`` other words apart (a title
    #: quoted from memory: two words swapped, or one left out). 1 was chosen
    #: on the variants benchmark (a quoted headline with its middle word left
    #: out: 0.631 → 0.794 MRR@10, its words unquoted 0.775) and costs nothing
    #: on native, mixed or quranqa (docs/benchmarks.md).
    phrase_slop: int = 1

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
    #: Other spellings of the same term (مسئول for مسؤول), searched as one
    #: term with it: a document holding any of them matches, their
    #: frequencies add up, and the document frequency counts the documents
    #: holding any of them (Lucene's SynonymQuery).
    variants: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        """The term and its variants."""
        return (self.text, *self.variants) if self.variants else (self.text,)


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



#: A term as its document frequency is counted: its text and the fields it
#: is searched in (a document holding it in any of them counts once).
TermKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class CollectionStats:
    """The collection statistics BM25F needs for a query's terms.

    Every figure counts live documents only: ``doc_count`` documents,
    ``field_lengths`` the total length of each field, and
    ``doc_frequencies`` the documents holding each term. They depend only
    on which articles an index holds (not on its history of commits,
    merges and deletions), so the statistics of several indexes (shards)
    add up with :meth:`combine` to exactly those of one index holding all
    their articles.

    >>> a = CollectionStats(2, {"headline": 6, "body": 20}, {("مطر", ("body",)): 1})
    >>> b = CollectionStats(3, {"headline": 9, "body": 40}, {("مطر", ("body",)): 2})
    >>> total = CollectionStats.combine([a, b])
    >>> total.doc_count, total.avg_length("body"), total.doc_frequency(("مطر", ("body",)))
    (5, 12.0, 3)
    """

    doc_count: int
    field_lengths: Mapping[str, int]
    doc_frequencies: Mapping[TermKey, int]

    @classmethod
    def combine(cls, parts: Iterable[CollectionStats]) -> CollectionStats:
        parts = list(parts)
        lengths: dict[str, int] = {}
        dfs: dict[TermKey, int] = {}
        for p in parts:
            for name, n in p.field_lengths.items():
                lengths[name] = lengths.get(name, 0) + n
            for key, n in p.doc_frequencies.items():
                dfs[key] = dfs.get(key, 0) + n
        return cls(sum(p.doc_count for p in parts), lengths, dfs)

    def avg_length(self, fieldname: str) -> float:
        if not self.doc_count:
            return 1.0
        return (self.field_lengths.get(fieldname, 0) / self.doc_count) or 1.0

    def doc_frequency(self, key: TermKey) -> int:
        return self.doc_frequencies.get(key, 0)

    def idf(self, df: int) -> float:
        return bm25_idf(df, self.doc_count)


def bm25_idf(df: int, doc_count: int) -> float:
    """Lucene's BM25 idf of a term in ``df`` of ``doc_count`` documents:
    never negative, even for words in most documents.

    >>> round(bm25_idf(1, 100), 3), round(bm25_idf(100, 100), 3)
    (4.21, 0.005)
    """
    n = max(doc_count, 1)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def term_key(term: QueryTerm) -> TermKey:
    """How ``term``'s document frequency is keyed in :class:`CollectionStats`:
    its text (with its variants, joined by NUL) and its fields."""
    if term.variants:
        return ("\0".join(term.texts), term.fields)
    return (term.text, term.fields)


def headline_term(term: QueryTerm) -> QueryTerm:
    """The term of ``term``'s headline clause: the same word, searched in
    the headline only (its document frequency is counted among headlines)."""
    return replace(term, fields=("headline",))


class _Part(NamedTuple):
    """One part of a score: see :meth:`Ranker._weighted`."""

    term: QueryTerm
    weight: float
    ids: np.ndarray
    tf: np.ndarray
    #: Whether the part counts as a matched word (for coordination).
    counted: bool


@dataclass(frozen=True)
class Ranked:
    """Documents a query matched (after filters), with their scores, and
    how many it matched in all. Every matched document is listed, except
    after :meth:`Ranker.top`, which leaves out documents that cannot reach
    the top ``k``."""

    docnums: np.ndarray
    scores: np.ndarray
    total: int = -1

    def __post_init__(self) -> None:
        if self.total < 0:
            object.__setattr__(self, "total", len(self.docnums))

    def __len__(self) -> int:
        return len(self.docnums)


class Ranker:
    """Scores the documents of one snapshot (a :class:`TermSource`) for a
    list of query terms."""

    def __init__(self, source: TermSource):
        self.source = source
        self.doc_count = max(source.doc_count, 1)
        self._scratch: np.ndarray | None = None
        self._seen: np.ndarray | None = None

    # Term statistics ---------------------------------------------------

    def _frequencies(self, term: QueryTerm, params: RankingParams,
                     stats: CollectionStats | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents holding ``term`` in any of its fields (ascending)
        and the term's BM25F pseudo-frequency in each: the sum over fields of
        ``weight * tf / (1 - b + b * length / avg_length)``."""
        parts = []
        for fieldname in term.fields:
            w = params.weights.get(fieldname, 0.0)
            if w <= 0:
                continue
            b = params.b.get(fieldname, 0.75)
            avg = (stats.avg_length(fieldname) if stats is not None
                   else self._avg_length(fieldname))
            scale = b / avg
            for text in term.texts:
                found = self.source.postings(fieldname, text)
                if found is not None:
                    parts.append((found.docnums,
                                  w * found.frequencies / (1.0 - b + scale * found.lengths)))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return self._union(parts)

    def _union(self, parts: list[tuple[np.ndarray, np.ndarray]]
               ) -> tuple[np.ndarray, np.ndarray]:
        """The per-document sums of several fields' contributions, added in
        field order (as the plain reference does), over the union of their
        documents; O(postings), with two scratch arrays indexed by document
        number that are left zeroed for the next term."""
        if self._scratch is None:
            self._scratch = np.zeros(self.source.doc_count_all)
            self._seen = np.zeros(self.source.doc_count_all, dtype=bool)
        scratch, seen = self._scratch, self._seen
        union = []
        for ids, values in parts:
            scratch[ids] += values
            union.append(ids[~seen[ids]])
            seen[ids] = True
        docs = np.concatenate(union)
        sums = scratch[docs]
        scratch[docs] = 0.0
        seen[docs] = False
        return docs, sums

    def _avg_length(self, fieldname: str) -> float:
        n = self.source.doc_count
        return (self.source.field_length(fieldname) / n) or 1.0 if n else 1.0

    def statistics(self, terms: Sequence[QueryTerm],
                   params: RankingParams | None = None) -> CollectionStats:
        """This index's statistics for ``terms``: what each shard of a
        sharded index reports before ranking. A term's document frequency
        counts the documents holding it in any of its fields that ``params``
        weighs above 0 (all of them without ``params``), as ranking does."""
        dfs: dict[TermKey, int] = {}
        if params is not None and params.headline_clause and params.weights.get("headline", 0.0):
            terms = [*terms, *(headline_term(t) for t in terms if "headline" in t.fields)]
        for term in terms:
            key = term_key(term)
            if key in dfs:
                continue
            fields = [f for f in term.fields if params is None or params.weights.get(f, 0.0) > 0]
            if len(fields) == 1 and not term.variants:
                dfs[key] = self.source.doc_frequency(fields[0], term.text)
            else:       # documents holding it in several fields count once
                probe = RankingParams(weights={f: 1.0 for f in fields})
                found = self._frequencies(term, probe, None) if fields else None
                dfs[key] = 0 if found is None else len(found[0])
        return CollectionStats(self.source.doc_count,
                               {f: self.source.field_length(f) for f in TEXT_FIELDS}, dfs)

    def idf(self, df: int) -> float:
        return bm25_idf(df, self.doc_count)

    # Scoring -----------------------------------------------------------

    def score(self, terms: Sequence[QueryTerm], params: RankingParams,
              stats: CollectionStats | None = None) -> Ranked:
        """BM25F scores, with the coordination bonus, of every matching document."""
        n_docs = self.source.doc_count_all
        scores = np.zeros(n_docs)
        hit = np.zeros(n_docs, dtype=bool)
        coordinate = self._coordinates(terms, params)
        matched = np.zeros(n_docs, dtype=np.int32) if coordinate else None
        k1 = params.k1
        for part in self._weighted(terms, params, stats):
            ids, tf = part.ids, part.tf
            if matched is not None and part.counted and not part.term.exact:
                matched[ids] += 1
            scores[ids] += part.weight * tf / (k1 + tf)
            hit[ids] = True
        docnums = np.flatnonzero(hit)
        if matched is not None:
            n = len({t.text for t in terms if not t.exact})
            c = params.coordination / (n - 1)
            scores[docnums] *= 1.0 + c * (matched[docnums] - 1)
        cover = self._headline_cover(terms, params)
        if cover is not None:
            scores[cover[0]] *= cover[1]
        return Ranked(docnums, scores[docnums])

    def _headline_cover(self, terms: Sequence[QueryTerm], params: RankingParams
                        ) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents whose headline holds a query word, and the factor
        ``1 + headline_coverage * share`` of each (see
        :attr:`RankingParams.headline_coverage`): ``share`` is the sum of
        the query words' frequencies in the headline over its length, at
        most 1. Each distinct word counts once; its spelling variants count
        with it."""
        weight = params.headline_coverage
        if not weight or params.weights.get("headline", 0.0) <= 0:
            return None
        seen: set[str] = set()
        parts = []
        for term in terms:
            if term.exact or "headline" not in term.fields or term.text in seen:
                continue
            seen.add(term.text)
            for text in term.texts:
                found = self.source.postings("headline", text)
                if found is not None:
                    parts.append((found.docnums,
                                  found.frequencies / np.maximum(found.lengths, 1.0)))
        if not parts:
            return None
        ids, share = parts[0] if len(parts) == 1 else self._union(parts)
        return ids, 1.0 + weight * np.minimum(share, 1.0)

    def _weighted(self, terms: Sequence[QueryTerm], params: RankingParams,
                  stats: CollectionStats | None) -> Iterator[_Part]:
        """The parts of the score, each a term's documents, its
        pseudo-frequency in each and its weight, adding ``weight * tf / (k1
        + tf)`` to a document's score: for every matching term its BM25F
        part, of weight ``idf * boost * (k1 + 1)`` (times ``exact_weight``
        for an exact form), and, with ``headline_clause``, its headline
        clause (see :func:`headline_term`)."""
        clause = params.headline_clause if params.weights.get("headline", 0.0) > 0 else 0.0
        # The clause is plain BM25 of the headline: weight 1, the ranking's
        # own headline b and k1.
        headline_only = replace(params, weights={"headline": 1.0}) if clause else params
        for term in terms:
            yield from self._term_part(term, params, stats, 1.0, True)
            if clause and "headline" in term.fields:
                yield from self._term_part(headline_term(term), headline_only, stats, clause,
                                           False)

    def _term_part(self, term: QueryTerm, params: RankingParams,
                   stats: CollectionStats | None, scale: float, counted: bool,
                   ) -> Iterator[_Part]:
        found = self._frequencies(term, params, stats)
        if found is None:
            return
        ids, tf = found
        df = stats.doc_frequency(term_key(term)) if stats is not None else len(ids)
        idf = stats.idf(df) if stats is not None else self.idf(df)
        weight = idf * term.boost * (params.k1 + 1.0) * scale
        if term.exact:
            weight *= params.exact_weight
        yield _Part(term, weight, ids, tf, counted)

    def score_bound(self, terms: Sequence[QueryTerm], params: RankingParams,
                    stats: CollectionStats | None = None) -> float:
        """A number no document's score for ``terms`` reaches: the sum of
        the weights of the parts (each adds less than its weight), times
        the largest coordination and proximity factors. It depends on the
        statistics only, so every shard of a sharded index gets the same."""
        if stats is None:
            stats = self.statistics(terms, params)
        clause = params.headline_clause if params.weights.get("headline", 0.0) > 0 else 0.0
        total = 0.0
        for term in terms:
            parts = [(term, 1.0)]
            if clause and "headline" in term.fields:
                parts.append((headline_term(term), clause))
            for part, scale in parts:
                df = stats.doc_frequency(term_key(part))
                if df:
                    weight = stats.idf(df) * part.boost * (params.k1 + 1.0) * scale
                    total += weight * params.exact_weight if part.exact else weight
        if self._coordinates(terms, params):
            total *= max(1.0, 1.0 + params.coordination)
        if params.weights.get("headline", 0.0) > 0:
            total *= 1.0 + max(params.headline_coverage, 0.0)
        return total * (1.0 + max(params.proximity, 0.0))

    @staticmethod
    def _coordinates(terms: Sequence[QueryTerm], params: RankingParams) -> bool:
        n = len({t.text for t in terms if not t.exact})
        return bool(params.coordination) and n > 1 and (
            params.coordination_max_terms is None or n <= params.coordination_max_terms)

    def proximity_bonus(self, terms: Sequence[QueryTerm], candidates: Sequence[int],
                        params: RankingParams) -> dict[int, float]:
        """For each candidate, the share of adjacent query-word pairs found
        next to each other (in query order) in any text field."""
        words = [t for t in terms if not t.exact]
        pairs = [(a, b) for a, b in zip(words, words[1:])
                 if b.position == a.position + 1 and a.text != b.text]
        if not pairs or not len(candidates):
            return {}
        positions: dict[tuple[str, str], dict[int, frozenset[int]]] = {}
        for text in {t.text for pair in pairs for t in pair}:
            for fieldname in TEXT_FIELDS:
                positions[(fieldname, text)] = self.source.positions(fieldname, text, candidates)
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
                bonus[int(d)] = count / len(pairs)
        return bonus

    def rank(self, terms: Sequence[QueryTerm], params: RankingParams,
             allowed: np.ndarray | None = None, excluded: np.ndarray | None = None,
             stats: CollectionStats | None = None) -> Ranked:
        """Final scores of every matching document, after filters.

        ``allowed`` and ``excluded`` are document numbers (``None``: no
        filter); ``stats`` replaces this index's own statistics (see
        :class:`CollectionStats`)."""
        ranked = self.score(terms, params, stats)
        keep = _keep_mask(ranked.docnums, allowed, excluded, self.source.doc_count_all)
        if keep is not None:
            ranked = Ranked(ranked.docnums[keep], ranked.scores[keep])
        if params.proximity and len(ranked) and len(terms) > 1:
            depth = min(params.proximity_depth, len(ranked))
            order = np.argsort(-ranked.scores, kind="stable")[:depth]
            top = ranked.docnums[order]
            best = float(ranked.scores[order[0]])
            bonus = self.proximity_bonus(terms, top.tolist(), params)
            if bonus:
                scores = ranked.scores.copy()
                index = {int(d): i for i, d in enumerate(ranked.docnums)}
                for d, fraction in bonus.items():
                    scores[index[d]] += params.proximity * best * fraction
                ranked = Ranked(ranked.docnums, scores)
        return ranked


    def top(self, terms: Sequence[QueryTerm], params: RankingParams, k: int,
            allowed: np.ndarray | None = None, excluded: np.ndarray | None = None,
            stats: CollectionStats | None = None) -> Ranked:
        """The documents that may be among the ``k`` best, with their scores
        (the same as :meth:`rank` gives them, to rounding), and the number of
        matching documents: dynamic pruning in the manner of MaxScore
        (Turtle and Flood, 1995), term at a time over arrays.

        Each term's upper bound is the largest score it gives any document.
        Terms are added in decreasing order of bound; once the bounds of the
        terms still to come add up to less than the ``k``-th best score so
        far, no document outside the current candidates can reach the top
        ``k``, and the remaining terms (the common words, with long posting
        lists and small bounds) are added to the candidates only.
        :meth:`rank`, which scores every match, is the reference it is
        tested against."""
        if params.proximity or self._coordinates(terms, params) or k < 1:
            return self.rank(terms, params, allowed, excluded, stats)
        n_docs = self.source.doc_count_all
        k1 = params.k1
        keep = _dense_keep(allowed, excluded, n_docs)
        parts = []
        for part in self._weighted(terms, params, stats):
            most = float(part.tf.max())
            parts.append((part.weight * most / (k1 + most), part.weight, part.ids, part.tf))
        parts.sort(key=lambda part: -part[0])
        # The headline's coverage multiplies a document's final score by at
        # most ``most_factor``: a sum not yet multiplied is a lower bound of
        # the final score (a safe threshold), and the bounds still to come
        # are multiplied by the largest factor.
        cover = self._headline_cover(terms, params)
        most_factor = float(cover[1].max()) if cover is not None else 1.0
        scores = np.zeros(n_docs)
        hit = np.zeros(n_docs, dtype=bool)
        remaining = sum(part[0] for part in parts)
        threshold = 0.0
        candidates: np.ndarray | None = None        # set once pruning starts
        for bound, weight, ids, tf in parts:
            remaining -= bound
            hit[ids] = True
            if candidates is not None:
                inside = candidates[ids]
                ids, tf = ids[inside], tf[inside]
                scores[ids] += weight * tf / (k1 + tf)
                continue
            scores[ids] += weight * tf / (k1 + tf)
            kept = scores[ids] if keep is None else scores[ids[keep[ids]]]
            if len(kept) >= k:
                # The k-th best among these documents is at most the k-th
                # best of all: a safe threshold, found without a full scan.
                threshold = max(threshold, float(np.partition(kept, len(kept) - k)[len(kept) - k]))
            if remaining * most_factor < threshold - SCORE_TOLERANCE:
                candidates = scores > 0.0
        if cover is not None:
            scores[cover[0]] *= cover[1]
        matched = hit if keep is None else hit & keep
        total = int(np.count_nonzero(matched))
        if candidates is not None:
            matched &= candidates
        docnums = np.flatnonzero(matched)
        return Ranked(docnums, scores[docnums], total)


def _dense_keep(allowed: np.ndarray | None, excluded: np.ndarray | None,
                size: int) -> np.ndarray | None:
    """A mask of the documents the filters let through (``None``: all)."""
    if allowed is None and (excluded is None or not len(excluded)):
        return None
    if allowed is None:
        keep = np.ones(size, dtype=bool)
    else:
        keep = np.zeros(size, dtype=bool)
        keep[allowed] = True
    if excluded is not None and len(excluded):
        keep[excluded] = False
    return keep


def _keep_mask(docnums: np.ndarray, allowed: np.ndarray | None, excluded: np.ndarray | None,
               size: int) -> np.ndarray | None:
    if allowed is None and (excluded is None or not len(excluded)):
        return None
    keep = np.ones(len(docnums), dtype=bool)
    if allowed is not None:
        mask = np.zeros(size, dtype=bool)
        mask[allowed] = True
        keep &= mask[docnums]
    if excluded is not None and len(excluded):
        mask = np.zeros(size, dtype=bool)
        mask[excluded] = True
        keep &= ~mask[docnums]
    return keep


#: Scores are compared (and returned) rounded to this many decimals. The
#: same score summed in another order (a pruned ranking adds its terms in
#: another order, and so does each shard of a sharded index) can differ in
#: its last bit; rounded, equal scores stay equal and their ties are broken
#: by article id everywhere.
SCORE_DECIMALS = 9
#: What pruning leaves as margin, so that no document whose rounded score
#: could tie the k-th best is dropped.
SCORE_TOLERANCE = 10.0 ** -SCORE_DECIMALS


def comparable_scores(scores: np.ndarray) -> np.ndarray:
    """``scores`` rounded to :data:`SCORE_DECIMALS` decimals.

    >>> comparable_scores(np.array([11.517858082884173, 11.517858082884175])).tolist()
    [11.517858083, 11.517858083]
    """
    return np.round(scores, SCORE_DECIMALS)


def top_documents(docnums: np.ndarray, keys: np.ndarray, offset: int, count: int,
                  ids_of: Callable[[Sequence[int]], list[str]],
                  scores: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The ``count`` best documents after skipping ``offset``: highest key
    (score) first, ties broken by article id, so that pages are stable and
    the same in one index as across the shards of a sharded index.

    Only the documents whose key ties with another one in the page (or at
    its edge) have their ids read. The pairs carry ``scores`` (the keys
    without them): ranking orders by :func:`comparable_scores` and returns
    the scores as summed.
    """
    values = keys if scores is None else scores
    wanted = offset + count
    if not len(docnums) or wanted <= offset:
        return []
    if len(docnums) > wanted:
        # Everything scoring at least the wanted-th best key, ties included.
        threshold = np.partition(keys, len(keys) - wanted)[len(keys) - wanted]
        candidates = np.flatnonzero(keys >= threshold)
    else:
        candidates = np.arange(len(docnums))
    order = candidates[np.argsort(-keys[candidates], kind="stable")]
    sorted_keys = keys[order]
    # Runs of equal keys reaching into the page are ordered by article id.
    result: list[tuple[int, float]] = []
    i = 0
    while i < len(order) and len(result) < wanted:
        j = i + 1
        while j < len(order) and sorted_keys[j] == sorted_keys[i]:
            j += 1
        run = order[i:j]
        if len(run) > 1:
            ids = ids_of(docnums[run].tolist())
            run = run[sorted(range(len(run)), key=ids.__getitem__)]
        result.extend((int(docnums[r]), float(values[r])) for r in run)
        i = j
    return result[offset:wanted]
