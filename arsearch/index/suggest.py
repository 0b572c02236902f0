"""Spelling suggestions ("did you mean") for query words the index does not know.

A query word is a suspect when its stem is in no article of the index. For
a suspect, every string one edit away from its normalized form is tried: a
letter deleted, inserted or replaced, or two neighbouring letters swapped.
A candidate counts when the index holds it as a word: its unstemmed *exact form* (``=word``, see
:data:`~arsearch.analysis.pipeline.EXACT_MARK`), or, for a word that is its
own stem, the stem. Candidates are ranked by how common they are, by how
well they go with the query's other words (the rarest of them found in one
article with the candidate), and by what the edit costs: an edit an Arabic
typist makes easily costs less (:class:`EditCosts`): keys next to each
other on the Arabic keyboard, letters that sound alike (ض/ظ, س/ص/ث, ت/ط …),
hamza seats (ئ/ؤ/ء), a doubled letter, two letters swapped. Normalization
already folds أ/إ/آ/ا, ى/ي and ة/ه, so those are never typos.

The corrected query keeps everything the user wrote (other words, quotes,
``-exclusions``, ``field:`` prefixes, diacritics and hamza spellings of the
corrected word where the edit allows) and only replaces misspelled words.

Candidates are looked up in the index's own term dictionary, one lookup
each (a few hundred a suspect word, a few milliseconds), so no word list is
held in memory. Whoosh's ``terms_within`` was measured and not used: it
builds its Levenshtein automaton in pure Python (about 3 ms a word for one
edit, 35 ms for two), knows no transpositions or edit weights, and on an
index of several segments scans every term of the field.

>>> import arsearch
>>> ix = arsearch.Index()
>>> _ = ix.add([{"id": "1", "headline": "افتتاح المستشفى الجديد في المدينة"},
...             {"id": "2", "headline": "المستشفى يستقبل المرضى"}])
>>> ix.suggest("المستسفى الجديد")
'المستشفى الجديد'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..analysis import TermPipeline, tokenize
from ..analysis.pipeline import EXACT_MARK
from ..errors import SettingsError
from .query import Correction, apply_corrections, query_items, spelling_variants
from .ranking import bm25_idf

#: Rows of the standard Arabic (101) keyboard, as normalized letters; a space
#: stands for the لا key. Keys next to each other (in a row, or touching in
#: the rows above and below) are easy to hit by mistake.
KEYBOARD_ROWS: tuple[str, ...] = ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤر يهوزظ")

#: Letters Arabic writers confuse because they sound alike, or because the
#: hamza's seat is a matter of spelling convention.
CONFUSABLE: tuple[str, ...] = ("ضظ", "ضد", "ذزد", "سصث", "تط", "حهخ", "قكغع", "ءئؤ", "ئي",
                               "ؤو", "ءا")

#: Latin letters an edit may use (Latin words are lower-cased by analysis).
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: Letters (and pairs) written joined to the next word: ل ب ك ف س, and و or ف
#: before one of them. A word the index knows, with one of these in front,
#: is not a typo, even when the stemmer does not strip it.
PROCLITICS: tuple[str, ...] = ("ل", "ب", "ك", "ف", "س", "ول", "وب", "وك", "فل", "فب", "فك")

#: The definite article: an unknown word holding it inside may be two words
#: typed without the space between them (:meth:`Speller._article_split`).
ARTICLE = "ال"

#: Longest word (in letters) that is looked at.
MAX_WORD_LETTERS = 30
#: How many of a candidate's articles are checked for the query's other words.
MAX_FIT_DOCS = 2000
#: Words of a query (the first ones) that can be the context of a correction.
MAX_QUERY_WORDS = 64
#: At most this many of the query's other words are the context of a correction.
MAX_CONTEXT_WORDS = 8
#: At most this many words of one query are looked at for corrections.
MAX_SUSPECTS = 10
#: Two words are searched joined only if at least this many articles hold
#: the joined word's stem: one article's typo is not a spelling.
MIN_JOINED_ARTICLES = 2
#: ... and only if the joined word has at least this many letters: two short
#: words joined are too often another word (سي أر and سيار, car).
MIN_JOINED_LETTERS = 5


def _keyboard_neighbours(rows: Iterable[str]) -> frozenset[tuple[str, str]]:
    rows = list(rows)
    pairs: set[tuple[str, str]] = set()

    def touch(a: str, b: str) -> None:
        if a != " " and b != " " and a != b:
            pairs.update({(a, b), (b, a)})

    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            if i + 1 < len(row):
                touch(key, row[i + 1])
            if r + 1 < len(rows):
                # Each row is shifted right by half a key: key i of the row
                # below sits under keys i and i+1 of this row.
                below = rows[r + 1]
                for j in (i - 1, i):
                    if 0 <= j < len(below):
                        touch(key, below[j])
    return frozenset(pairs)


def _group_pairs(groups: Iterable[str]) -> frozenset[tuple[str, str]]:
    return frozenset((a, b) for g in groups for a in g for b in g if a != b)


@dataclass(frozen=True)
class EditCosts:
    """What each kind of single edit costs; 1.0 is an arbitrary change.

    :attr:`UNIFORM` prices every edit at 1 (plain Damerau-Levenshtein);
    the default prices the mistakes Arabic typists make more often lower.

    >>> costs = EditCosts()
    >>> costs.substitute("ص", "س") < costs.substitute("ص", "ض") < costs.substitute("ص", "م")
    True
    """

    #: Any letter for any other.
    other: float = 1.0
    #: A letter for a key next to it (:data:`KEYBOARD_ROWS`).
    keyboard: float = 0.8
    #: A letter for one that sounds alike, or another hamza seat (:data:`CONFUSABLE`).
    confusable: float = 0.6
    #: A letter too many, or a letter missing.
    insert: float = 1.0
    delete: float = 1.0
    #: A letter typed twice, or once where it is doubled.
    doubled: float = 0.7
    #: Two neighbouring letters swapped.
    transpose: float = 0.8
    neighbours: frozenset[tuple[str, str]] = field(
        default=_keyboard_neighbours(KEYBOARD_ROWS), repr=False)
    confusables: frozenset[tuple[str, str]] = field(
        default=_group_pairs(CONFUSABLE), repr=False)

    def substitute(self, typed: str, meant: str) -> float:
        cost = self.other
        if (typed, meant) in self.neighbours:
            cost = min(cost, self.keyboard)
        if (typed, meant) in self.confusables:
            cost = min(cost, self.confusable)
        return cost


#: Every edit costs 1: the baseline the Arabic-aware costs are measured against.
UNIFORM = EditCosts(keyboard=1.0, confusable=1.0, doubled=1.0, transpose=1.0)


@dataclass(frozen=True)
class SpellingParams:
    """When a word is corrected, and to what. The defaults were tuned on the
    arwiki_qa questions and checked on quranqa23 (``benchmarks/suggest.py``).
    """

    #: A suggested word must be spelled that way in at least this many
    #: articles. On a large archive, 2 keeps words seen once (often typos
    #: themselves) out of suggestions. (A word whose stem is in some
    #: article is corrected only as ``rare_df`` and ``unseen_ratio`` say.)
    min_df: int = 1
    #: Shorter words (in letters, after normalization) are not corrected:
    #: too many real words are one edit away from them.
    min_letters: int = 4
    #: Score of a candidate: ``log(document frequency) + context_weight *
    #: fit - cost_weight * edit cost``, where ``fit`` is the summed idf of the
    #: query's other words found in the best article holding the candidate.
    cost_weight: float = 5.0
    context_weight: float = 1.0
    costs: EditCosts = field(default_factory=EditCosts)
    #: When searching (not for :meth:`Index.suggest`), a word whose stem is
    #: in at most this many articles (counted per field) is also checked:
    #: it is corrected when a word one edit away is in at least
    #: ``rare_ratio`` times as many (الحوثين, a typo that happens to be in a
    #: few articles, against الحوثيين). 0 checks only unknown words: the
    #: default, as 2 to 6 also corrected 4 to 10% of the real questions of
    #: the relevance benchmark, about half of them wrongly (ريشتر → يشتر).
    rare_df: int = 0
    rare_ratio: float = 20.0
    #: When searching, a word whose stem is known but whose own spelling is
    #: in no article is a suspect too (مرحيات, مسرحيات with its س dropped,
    #: stems to مرح): it is corrected toward a word one edit away whose stem
    #: is in at least ``unseen_ratio`` times as many (0: off). 3 measured
    #: best among 1, 3 and 10 on the typo variants, with mixed, native and
    #: quranqa unchanged or better; it corrects 2.7% of the native questions
    #: (1.2% without), about half of them real typos.
    unseen_ratio: float = 3.0
    #: A correction is searched beside the word as typed, its terms
    #: weighted this much (the typed word weighs 1). 0.6 measured best on
    #: quranqa and the typo variants among 0.6, 0.8 and 1.0.
    correction_boost: float = 0.6
    #: Search each word in its other common spellings too (the other hamza
    #: seat, a final hamza after alef written or dropped; see
    #: :func:`~arsearch.index.query.spelling_variants`).
    variants: bool = True
    #: When searching, two neighbouring words that articles also write as
    #: one word (الفيس بوك, فيسبوك; عبد الله, عبدالله) are searched as that
    #: word too, weighted ``correction_boost`` (:meth:`Speller.joins`).
    joins: bool = True
    #: When searching, some words are also searched quietly: not shown as
    #: corrected, their terms weighted ``quiet_weight`` times a
    #: correction's. Beside a corrected word, up to ``alternatives`` other
    #: candidates scoring within ``quiet_margin`` of the best (التونية is
    #: corrected to التقنية and searched as التونسية too). With
    #: ``quiet_doubts``, words that may well be typos but are not corrected
    #: are searched as their best candidates (and alternatives): a known
    #: stem behind a proclitic that no article spells so (بالور, for بالصور,
    #: toward a word whose stem is in ``proclitic_ratio`` times as many
    #: articles), a word one edit from a stopword (ادمام, for الدمام), and a
    #: spelling no article uses of a known stem with no neighbour
    #: ``unseen_ratio`` times commoner (البحرن, for البحرين). Chosen on the
    #: typo variants (a dropped letter 0.792 → 0.854 of the canonical
    #: queries) and quranqa (0.7 the largest weight that costs it nothing).
    alternatives: int = 4
    quiet_margin: float = 4.0
    quiet_weight: float = 0.7
    quiet_doubts: bool = True
    proclitic_ratio: float = 3.0

    def __post_init__(self) -> None:
        def bad(name: str, what: str) -> SettingsError:
            return SettingsError(f"SpellingParams.{name} must be {what}, "
                                 f"got {getattr(self, name)!r}")

        def number(value: object) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value)

        for name in ("min_df", "min_letters", "rare_df", "alternatives"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad(name, "a whole number of 0 or more")
        for name in ("cost_weight", "context_weight", "rare_ratio", "unseen_ratio",
                     "quiet_margin", "proclitic_ratio"):
            if not number(getattr(self, name)) or getattr(self, name) < 0:
                raise bad(name, "a number of 0 or more")
        for name in ("correction_boost", "quiet_weight"):
            if not number(getattr(self, name)) or not 0 < getattr(self, name) <= 1:
                raise bad(name, "a number above 0 and at most 1")
        for name in ("variants", "joins", "quiet_doubts"):
            if not isinstance(getattr(self, name), bool):
                raise bad(name, "True or False")
        if not isinstance(self.costs, EditCosts):
            raise bad("costs", "an EditCosts")


class _Edit(NamedTuple):
    """One edit of a normalized word: ``kind`` is ``"delete"``,
    ``"insert"``, ``"substitute"`` or ``"transpose"``, at letter ``at``."""

    kind: str
    at: int
    letter: str = ""

    def apply(self, letters: list[str]) -> list[str]:
        i = self.at
        if self.kind == "delete":
            return letters[:i] + letters[i + 1:]
        if self.kind == "insert":
            return letters[:i] + [self.letter] + letters[i:]
        if self.kind == "substitute":
            return letters[:i] + [self.letter] + letters[i + 1:]
        return letters[:i] + [letters[i + 1], letters[i]] + letters[i + 2:]


def single_edits(word: str, alphabet: str, costs: EditCosts) -> dict[str, tuple[float, _Edit]]:
    """Every string one edit from ``word`` (letters from ``alphabet``), with
    the cheapest cost of reaching it and that edit.

    >>> sorted(single_edits("ab", "ab", UNIFORM))
    ['a', 'aa', 'aab', 'aba', 'abb', 'b', 'ba', 'bab', 'bb']
    """
    best: dict[str, tuple[float, _Edit]] = {}

    def offer(candidate: str, cost: float, edit: _Edit) -> None:
        if candidate != word and (candidate not in best or cost < best[candidate][0]):
            best[candidate] = (cost, edit)

    n = len(word)
    for i in range(n):
        doubled = (i > 0 and word[i - 1] == word[i]) or (i + 1 < n and word[i + 1] == word[i])
        offer(word[:i] + word[i + 1:], costs.doubled if doubled else costs.delete,
              _Edit("delete", i))
        if i + 1 < n and word[i] != word[i + 1]:
            offer(word[:i] + word[i + 1] + word[i] + word[i + 2:], costs.transpose,
                  _Edit("transpose", i))
        for letter in alphabet:
            if letter != word[i]:
                offer(word[:i] + letter + word[i + 1:], costs.substitute(word[i], letter),
                      _Edit("substitute", i, letter))
    for i in range(n + 1):
        for letter in alphabet:
            doubled = (i > 0 and word[i - 1] == letter) or (i < n and word[i] == letter)
            offer(word[:i] + letter + word[i:], costs.doubled if doubled else costs.insert,
                  _Edit("insert", i, letter))
    return best


def arabic_alphabet(pipeline: TermPipeline) -> str:
    """The Arabic letters a word can hold after ``pipeline``'s normalization
    (without alef variants, ى and ة when those are folded)."""
    letters = {pipeline.normalizer(chr(c)) for c in range(0x0621, 0x064B)}
    return "".join(sorted(ch for ch in letters if len(ch) == 1 and ch.isalpha()
                          and ch != "\u0640"))


_MEDIAL_FORM = {"ة": "ه", "ى": "ي"}
_MEDIAL = re.compile("[ةى](?=[\u0621-\u064A])")


def respell(original: str, edit: _Edit, corrected: str,
            normalize: Callable[[str], str]) -> str:
    """The user's own spelling of a word with ``edit`` applied, keeping its
    diacritics, hamza and ة spellings; ``corrected`` (the normalized
    correction) when the edit cannot be placed in the original.

    >>> from arsearch.analysis import ArabicNormalizer
    >>> respell("مَدرصة", _Edit("substitute", 3, "س"), "مدرسه", ArabicNormalizer())
    'مَدرسة'
    >>> respell("أطةل", _Edit("delete", 1), "اهل", ArabicNormalizer())
    'أهل'
    """
    # Where each normalized letter comes from in the original: every
    # character must normalize to one letter or to nothing (a diacritic).
    starts: list[int] = []
    for i, ch in enumerate(original):
        folded = normalize(ch)
        if len(folded) > 1:
            return corrected
        if folded:
            starts.append(i)
    if not starts:
        return corrected
    # Each letter keeps the marks that follow it.
    spans = [original[s:e] for s, e in zip(starts, starts[1:] + [len(original)])]
    head = original[:starts[0]]
    letter = edit.letter
    if edit.kind in ("substitute", "insert") and original[starts[min(edit.at, len(starts) - 1)]
                                                          ].isupper():
        letter = letter.upper()
    respelled = head + "".join(_Edit(edit.kind, edit.at, letter).apply(spans))
    # ة and ى end a word; inside one (a letter that followed them was
    # deleted, or they were the typo) they are written ه and ي.
    respelled = _MEDIAL.sub(lambda m: _MEDIAL_FORM[m.group()], respelled)
    ok = normalize(respelled)
    return respelled if ok == corrected or ok.lower() == corrected else corrected


class Speller:
    """Suggests corrections against one snapshot of an index.

    :param pipeline: the index's analysis pipeline.
    :param doc_frequency: ``(field, term) -> number of articles``.
    :param documents: ``(field, term) -> the articles holding it`` (any
        hashable ids), to prefer words that go with the rest of the query;
        without it, only frequency and edit cost count.
    :param params: thresholds and edit costs.
    :param doc_count: articles in the index (for the idf of context words).
    :param word_frequency: ``doc_frequency`` for the stems of the query's
        own words (default: ``doc_frequency``): a snapshot counts them from
        their postings, which the search reads next anyway.
    :param may_hold: ``(field, terms) -> whether each may be in the
        field`` (``False``: surely in no article), to rule out most
        candidates at once before counting the others
        (:meth:`Snapshot.may_hold <arsearch.index.snapshot.Snapshot.may_hold>`).
    """

    def __init__(self, pipeline: TermPipeline, doc_frequency: Callable[[str, str], int],
                 params: SpellingParams | None = None,
                 documents: Callable[[str, str], Iterable[object]] | None = None,
                 doc_count: int = 1,
                 word_frequency: Callable[[str, str], int] | None = None,
                 may_hold: Callable[[str, Sequence[str]], Sequence[bool]] | None = None):
        self.pipeline = pipeline
        self._may_hold = may_hold
        self.params = params or SpellingParams()
        self._df = doc_frequency
        self._word_df = word_frequency or doc_frequency
        self._documents = documents
        self._doc_sets: dict[tuple[str, tuple[str, ...]], set[object]] = {}
        self.doc_count = max(doc_count, 1)
        self._alphabet = arabic_alphabet(pipeline)
        self._seen: dict[tuple[str, tuple[str, ...]], int] = {}

    def frequency(self, term: str, fields: tuple[str, ...], *, word: bool = False) -> int:
        """How many of ``fields`` of all articles hold ``term`` (an article
        with the word in its headline and its body counts twice); ``word``:
        the stem (or spelled form) of one of the query's own words."""
        key = (term, fields)
        found = self._seen.get(key)
        if found is None:
            df = self._word_df if word else self._df
            found = self._seen[key] = sum(df(f, term) for f in fields)
        return found

    def corrections(self, query: str, *, rare: bool = False) -> list[Correction]:
        """The words of ``query`` to correct, in order. Words in exclusions
        (``-word``) and ``source:``/``tag:`` values are left as written.
        With ``rare``, words the index knows but holds rarely are corrected
        too, toward a much commoner neighbour (``SpellingParams.rare_df``)."""
        words: list[tuple[int, int, str, tuple[str, ...]]] = []
        for item in query_items(query):
            if item.negated or item.target in ("source", "tags"):
                continue
            for offset, text in item.pieces:
                words += [(offset + t.start, offset + t.end, text[t.start:t.end], item.fields)
                          for t in tokenize(text) if t.kind in ("arabic", "word")]
        # The words the index knows are the context a correction should fit.
        known = {}
        for _, _, word, fields in words[:MAX_QUERY_WORDS]:
            found = self._stem(self.pipeline.normalizer(word).lower())
            if found is not None and self.frequency(found[0], fields, word=True):
                known[found[0]] = fields
        out: list[Correction] = []
        suspects = 0
        for start, end, word, fields in words:
            if suspects >= MAX_SUSPECTS:
                break
            verdict, quiet = self._judge(word, fields, known, rare)
            if verdict is None and not quiet:
                continue
            suspects += 1
            if verdict:
                out.append(Correction(start, end, word, verdict))
            out += [Correction(start, end, word, q, quiet=True, weight=w) for q, w in quiet]
        if rare and self.params.joins:
            out += self.joins(query, words[:MAX_QUERY_WORDS])
        return out

    def joins(self, query: str, words: Sequence[tuple[int, int, str, tuple[str, ...]]]
              ) -> list[Correction]:
        """Neighbouring words of ``query`` that articles write as one word:
        ``words`` are its words as ``(start, end, text, fields)``. Two words
        are joined when only spaces separate them, neither is a stopword,
        and the joined word (:data:`MIN_JOINED_LETTERS` letters or more) is
        a word of its own: a stem unlike either word's, in
        :data:`MIN_JOINED_ARTICLES` articles or more and in as many as the
        rarer word's stem at least, and spelled that way in some article.
        الفيس بوك → الفيسبوك, but not المدينة القديمة → المدينةالقديمة, a
        typo in one article.

        >>> from arsearch.analysis import TermPipeline
        >>> df = {"فيس": 40, "بوك": 50, "يسب": 180, "=الفيسبوك": 3}
        >>> speller = Speller(TermPipeline(), lambda f, t: df.get(t, 0) if f == "body" else 0)
        >>> words = [(0, 5, "الفيس", ("body",)), (6, 9, "بوك", ("body",))]
        >>> [(c.word, c.suggestion) for c in speller.joins("الفيس بوك", words)]
        [('الفيس بوك', 'الفيسبوك')]
        """
        out = []
        stop = self.pipeline.query_stopwords
        normalize = self.pipeline.normalizer
        for (start, end, a, fields), (b_start, b_end, b, b_fields) in zip(words, words[1:]):
            gap = query[end:b_start]
            if fields != b_fields or not gap or not gap.isspace():
                continue
            na, nb = normalize(a).lower(), normalize(b).lower()
            if (na in stop or nb in stop or na.isascii() != nb.isascii()
                    or len(na) + len(nb) < MIN_JOINED_LETTERS):
                continue
            stem_a, stem_b, joined = self._stem(na), self._stem(nb), self._stem(na + nb)
            if stem_a is None or stem_b is None or joined is None \
                    or joined[0] in (stem_a[0], stem_b[0]):
                continue
            if self._may_hold is not None and not any(
                    self._may_hold(f, [joined[1]])[0] for f in fields):
                continue
            rarer = min(self.frequency(stem_a[0], fields, word=True),
                        self.frequency(stem_b[0], fields, word=True))
            if not self.frequency(joined[1], fields) or self.frequency(joined[0], fields) < rarer \
                    or not self._in_articles(joined[0], fields, MIN_JOINED_ARTICLES):
                continue
            out.append(Correction(start, b_end, query[start:b_end], a + b, joined=True))
        return out

    def suggest(self, query: str) -> str | None:
        """``query`` with its misspelled words corrected, or ``None`` when
        there is nothing to correct."""
        return apply_corrections(query, self.corrections(query))

    def _docs(self, term: str, fields: tuple[str, ...]) -> set[object]:
        key = (term, fields)
        found = self._doc_sets.get(key)
        if found is None:
            found = set()
            if self._documents is not None:
                for f in fields:
                    found.update(self._documents(f, term))
            self._doc_sets[key] = found
        return found

    def _in_articles(self, term: str, fields: tuple[str, ...], n: int) -> bool:
        """Whether at least ``n`` articles hold ``term`` in one of ``fields``
        (:meth:`frequency` counts an article once per field)."""
        if self._documents is None or any(self._df(f, term) >= n for f in fields):
            return True  # without documents, frequency() is the best count there is
        return len(self._docs(term, fields)) >= n

    def _context(self, others: dict[str, tuple[str, ...]]) -> list[tuple[set[object], float]]:
        """The articles of the query's other known words, each with its idf
        (``log(1 + articles / its articles)``): the rarest
        :data:`MAX_CONTEXT_WORDS`, which say the most about the topic."""
        weights = []
        for other, other_fields in others.items():
            docs = self._docs(other, other_fields)
            if docs:
                weights.append((docs, math.log1p(self.doc_count / len(docs))))
        return sorted(weights, key=lambda dw: -dw[1])[:MAX_CONTEXT_WORDS]

    def _fit(self, stem: str, fields: tuple[str, ...],
             context: list[tuple[set[object], float]]) -> float:
        """How well a candidate goes with the rest of the query: the most
        idf any one article holding it gets from the context words."""
        best = 0.0
        for n, d in enumerate(self._docs(stem, fields)):
            if n >= MAX_FIT_DOCS:
                break
            best = max(best, sum(w for docs, w in context if d in docs))
        return best

    def _stem(self, word: str) -> tuple[str, str] | None:
        """``(stem, the term holding the word's own spelling)`` of one word,
        or ``None`` for a stopword or a token that is not one word."""
        terms = self.pipeline.compute(word, True)
        stems = [t for t in terms if not t.startswith(EXACT_MARK)]
        if len(stems) != 1 or len(terms) > 2:
            return None
        exact = [t for t in terms if t.startswith(EXACT_MARK)]
        return stems[0], exact[0] if exact else stems[0]

    def _known(self, word: str, fields: tuple[str, ...], spelled: bool = False) -> bool:
        """Whether ``word`` (normalized) is a stopword or a word the index
        holds: its stem, or with ``spelled`` this very spelling."""
        if word in self.pipeline.query_stopwords:
            return True
        found = self._stem(word)
        return found is not None and self.frequency(found[spelled], fields) > 0

    def _reading(self, word: str, fields: tuple[str, ...], spelled: bool
                 ) -> tuple[float, set[str]]:
        """How an unknown ``word`` reads other than as a typo, for
        :meth:`_judge`: ``(inf, set())`` when it surely does (a known word
        behind a proclitic the stemmer left, لعمان, but not لمغرب, which is
        more likely المغرب mistyped; two stopwords written together, ماهو),
        ``(0, set())`` when it does not. With ``spelled``, a known stem
        behind a proclitic counts as sure only if some article spells the
        word behind the proclitic so; otherwise the result is the articles
        of the likeliest such stem and those stems (بالور: ب and الور, whose
        stem is known but spelled so nowhere). (A misspelled stopword, لمادا,
        is recognised by :meth:`_judge`.)"""
        stop = self.pipeline.query_stopwords
        best, stems = 0.0, set()
        for c in PROCLITICS:
            rest = word[len(c):]
            if not word.startswith(c) or not self._known(rest, fields):
                continue
            # Unless it is the article with its alef dropped: لمغرب for المغرب.
            if word.startswith("ل") and self._known("ا" + word, fields, spelled=True):
                return 0.0, set()
            found = self._stem(rest)
            if found is None or not spelled or self._known(rest, fields, spelled=True):
                return math.inf, set()
            stems.add(found[0])
            best = max(best, self.frequency(found[0], fields))
        if best:
            return best, stems
        return (math.inf if any(word[:i] in stop and word[i:] in stop
                                for i in range(2, len(word) - 1)) else 0.0), set()

    def _candidates(self, edits: dict[str, tuple[float, _Edit]], own_stem: str,
                    fields: tuple[str, ...]
                    ) -> list[tuple[str, float, _Edit, tuple[str, str]]]:
        """The edits of a word that are other words, each with its cost,
        edit and ``(stem, spelled term)``; without those that ``may_hold``
        says no article spells so."""
        found = []
        for candidate, (cost, edit) in self._spellable(edits, fields):
            stem = self._stem(candidate)
            if stem is not None and stem[0] != own_stem:
                found.append((candidate, cost, edit, stem))
        if self._may_hold is None or not found:
            return found
        spelled = [stem[1] for *_, stem in found]
        held = [False] * len(found)
        for f in fields:
            held = [a or bool(b) for a, b in zip(held, self._may_hold(f, spelled))]
        return [c for c, h in zip(found, held) if h]

    def _spellable(self, edits: dict[str, tuple[float, _Edit]], fields: tuple[str, ...]
                   ) -> list[tuple[str, tuple[float, _Edit]]]:
        """The edits that some article may spell, asked of the term filters
        before any is stemmed (which costs more): with exact forms indexed,
        the term spelling an Arabic word is its exact form, or the word
        itself when it is its own stem (:meth:`TermPipeline.compute`). Edits
        the normalizer would change are kept, for :meth:`_candidates` to
        judge."""
        items = list(edits.items())
        if self._may_hold is None or not self.pipeline.exact_forms or not items:
            return items
        normalize = self.pipeline.normalizer
        probe = [i for i, (c, _) in enumerate(items)
                 if c and "\u0621" <= c[0] <= "\u06FF" and normalize(c) == c]
        terms = [EXACT_MARK + items[i][0] for i in probe] + [items[i][0] for i in probe]
        held = np.zeros(len(terms), dtype=bool)
        for f in fields:
            held |= np.asarray(self._may_hold(f, terms), dtype=bool)
        ruled_out = {i for i, a, b in zip(probe, held[:len(probe)], held[len(probe):])
                     if not (a or b)}
        return [item for i, item in enumerate(items) if i not in ruled_out]

    def _article_split(self, word: str, fields: tuple[str, ...]) -> int | None:
        """Where an unknown ``word`` is two known words typed without the
        space before the second one's article (البحرالميت, منالمدينة):
        the position of that ال, the first one that works, or ``None``."""
        for at in range(2, len(word) - 3):
            if (word.startswith(ARTICLE, at) and self._known(word[:at], fields)
                    and self._known(word[at:], fields, spelled=True)):
                return at
        return None

    def correct(self, word: str, fields: tuple[str, ...],
                known: dict[str, tuple[str, ...]] | None = None, *,
                rare: bool = False) -> str | None:
        """The correction of one word as written: ``None`` when the word is
        not a suspect (known to the index, a stopword, a number, too short),
        ``""`` for a suspect with no good correction. ``known`` maps the
        stems of the query's other known words to their fields. With
        ``rare``, a known word in at most ``rare_df`` articles is a suspect
        too, and is corrected only toward a word ``rare_ratio`` times
        commoner (``None`` otherwise); so is a known stem that no article
        spells this way, toward a stem ``unseen_ratio`` times commoner."""
        return self._judge(word, fields, known, rare)[0]

    def _judge(self, word: str, fields: tuple[str, ...],
               known: dict[str, tuple[str, ...]] | None, rare: bool
               ) -> tuple[str | None, list[tuple[str, float]]]:
        """:meth:`correct`'s verdict on one word, and the spellings to search
        quietly beside it with their weights (``SpellingParams.alternatives``
        and ``quiet_doubts``; only with ``rare``, which searching sets)."""
        p = self.params
        normalized = self.pipeline.normalizer(word)
        latin = normalized.isascii()
        if latin:
            if not normalized.isalpha():
                return None, []
            normalized = normalized.lower()
        elif not all("\u0621" <= ch <= "\u06FF" for ch in normalized):
            return None, []  # neither Arabic nor Latin letters: no alphabet to edit with
        if not (p.min_letters <= len(normalized) <= MAX_WORD_LETTERS) or " " in normalized:
            return None, []
        own = self._stem(normalized)
        if own is None:
            return None, []
        own_df = self.frequency(own[0], fields)
        # The word's own spelling is searched too (its exact form), so its
        # postings are read anyway: count from them, as for its stem.
        unseen = bool(rare and own_df and p.unseen_ratio
                      and not self.frequency(own[1], fields, word=True))
        if own_df and not (rare and own_df <= p.rare_df) and not unseen:
            return None, []
        lexicon = self.pipeline.lexicon
        if unseen and lexicon is not None and (lexicon.get(normalized, word) is not None
                                               or lexicon.singular(normalized) is not None):
            return None, []  # a form the lexicon lists (البحرينيون), spelled in an article or not
        doubts = bool(rare and p.quiet_doubts)
        reading, read_stems = self._reading(normalized, fields, doubts and p.proclitic_ratio > 0)
        if reading == math.inf:
            return None, []
        if p.variants and (unseen or not own_df) and any(
                self._known(v, fields, spelled=unseen) for v in spelling_variants(normalized)):
            return None, []  # another spelling of the word, which search finds (مسئول, مسؤول)
        if not own_df and not latin:
            at = self._article_split(normalized, fields)
            if at is not None:
                return respell(word, _Edit("insert", at, " "),
                               f"{normalized[:at]} {normalized[at:]}", self.pipeline.normalizer), []
        alphabet = LATIN_LETTERS if latin else self._alphabet
        others = {k: v for k, v in (known or {}).items() if k != own[0]}
        context = self._context(others) if self._documents is not None else []
        edits = single_edits(normalized, alphabet, p.costs)
        stop = self.pipeline.query_stopwords
        # One edit from a stopword: usually that stopword mistyped (الدي).
        near_stopword = any(candidate in stop for candidate in edits)
        if near_stopword and not doubts:
            return None, []  # a misspelled stopword, which search drops anyway
        quiet_only = bool(reading) or near_stopword
        scored: list[tuple[float, float, str, _Edit, int]] = []
        weak: list[tuple[float, float, str, _Edit, int]] = []
        for candidate, cost, edit, found in self._candidates(edits, own[0], fields):
            df = self.frequency(found[1], fields)
            ratio = p.unseen_ratio if unseen else p.rare_ratio
            if df < p.min_df:
                continue
            commoner = not own_df or self.frequency(found[0], fields) >= ratio * own_df
            if not commoner and not (unseen and doubts):
                continue
            if len(fields) > 1 and not self._in_articles(found[1], fields, p.min_df):
                continue
            if reading and (found[0] in read_stems
                            or self.frequency(found[0], fields) < p.proclitic_ratio * reading):
                continue
            score = math.log(df) - p.cost_weight * cost
            if context:
                score += p.context_weight * self._fit(found[0], fields, context)
            (scored if commoner else weak).append((-score, cost, candidate, edit, df))
        if not scored and weak:
            scored, quiet_only = weak, True  # no neighbour commoner enough to correct to
        if not scored:
            return (None if own_df or reading else ""), []
        scored.sort(key=lambda k: k[:3])
        best = scored[0]
        fix = respell(word, best[3], best[2], self.pipeline.normalizer)
        runners_up = [k for k in scored[1:1 + p.alternatives] if k[0] <= best[0] + p.quiet_margin] \
            if rare else []
        if quiet_only:  # searched, never shown
            return None, [(respell(word, k[3], k[2], self.pipeline.normalizer), p.quiet_weight)
                          for k in [best, *runners_up]]
        # A rarer runner-up weighs no more than the correction shown (by
        # BM25's idf), so the results lead with what "showing results for"
        # names. (A frequency counts each field: at most every article.)
        n = self.doc_count
        shown = bm25_idf(min(best[4], n), n)
        return fix, [(respell(word, k[3], k[2], self.pipeline.normalizer),
                      p.quiet_weight * min(1.0, shown / bm25_idf(min(k[4], n), n)))
                     for k in runners_up]


__all__ = ["CONFUSABLE", "Correction", "EditCosts", "KEYBOARD_ROWS", "SpellingParams", "Speller",
           "UNIFORM", "arabic_alphabet", "respell", "single_edits"]
