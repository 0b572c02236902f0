"""Compact postings (arsearch._whoosh._CompactPostingsWriter): the same
Whoosh 3 format, written smaller.

The rules tested, each against an index written the way Whoosh 2.7 writes
(the module's settings put back to Whoosh's: nothing inlined, protocol 2,
every block compressed, Whoosh's own ``Positions`` format):
- a posting list of at most ``INLINE_MAX`` postings is kept in the term
  dictionary, and longer ones in blocks;
- positions are written as varints (``CompactPositions``), and read back
  as written;
- every term's postings (documents, frequencies, positions) are the same,
  read through Whoosh's own matchers, after commits and after a merge;
- searches, phrase searches included, give the same hits and scores;
- the index is smaller;
- plain Whoosh reads the new index (its own searcher, a phrase query).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import arsearch
from arsearch import _whoosh
from arsearch.index import schema

WORDS = ("مطر جنيف مفاوضات الرياض ليبيا سوق نفط وزير حكومة انتخابات قطار ميناء مدرسة "
         "مستشفى جامعة طريق مصنع زراعة سياحة معرض").split()


def made_up_word(rng: random.Random) -> str:
    return "كلمة" + "".join(rng.choice("بتثجحخدذرزسشصضطظعغفقكلمنهوي") for _ in range(5))


def articles(n: int, seed: int = 5) -> list[dict[str, str]]:
    """Articles over a skewed vocabulary, so that some lists take several
    blocks; plus words of a few articles each (from a pool, sometimes twice
    in one article) and one word of its own per article, so that there are
    lists of one posting and of a few, with more than one position."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) for i in range(len(WORDS))]
    pool = [made_up_word(rng) for _ in range(n // 2)]
    out = []
    for i in range(n):
        body = rng.choices(WORDS, weights, k=rng.randint(5, 60))
        body += [made_up_word(rng)] + rng.choices(pool, k=rng.randint(1, 3))
        rng.shuffle(body)
        out.append({"id": f"a{i}", "headline": " ".join(rng.choices(WORDS, weights, k=4)),
                    "body": " ".join(body)})
    return out


def build(path: Path, docs: list[dict[str, str]], *, optimize: bool = False) -> arsearch.Index:
    ix = arsearch.Index(path)
    for start in range(0, len(docs), 150):       # several commits, several segments
        ix.add(docs[start:start + 150])
    if optimize:
        ix.optimize()
    return ix


def all_postings(ix: arsearch.Index) -> dict[tuple[str, bytes], list[tuple]]:
    """Every term's postings, read by Whoosh's own matchers, keyed by article id."""
    wix = ix._opened.whoosh_index
    out: dict[tuple[str, bytes], list[tuple]] = {}
    with wix.reader() as reader:
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        for fieldname, text in reader.all_terms():
            fmt = wix.schema[fieldname].format
            m = reader.postings(fieldname, text)
            got = []
            while m.is_active():
                positions = (tuple(m.value_as("positions")) if fmt.supports("positions")
                             else None)
                got.append((ids[m.id()], m.weight(), positions))
                m.next()
            out[(fieldname, text)] = sorted(got)
    return out


def inlined_lengths(ix: arsearch.Index) -> tuple[set[int], set[int]]:
    """The document frequencies of inlined and of block-written lists."""
    inlined, blocks = set(), set()
    with ix._opened.whoosh_index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for _, info in leaf._terms.items():
                (inlined if info.is_inlined() else blocks).add(info.doc_frequency())
    return inlined, blocks


def index_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


QUERIES = ["مطر", "جنيف مفاوضات", '"وزير حكومة"', "ليبيا سوق نفط", "معرض", "الرياض"]


def hits(ix: arsearch.Index, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [ix.search_ids(q, limit=30) for q in queries]


@pytest.fixture(scope="module")
def docs() -> list[dict[str, str]]:
    return articles(600)


def test_short_lists_are_inlined_and_long_ones_written_in_blocks(tmp_path, docs) -> None:
    ix = build(tmp_path / "ix", docs)
    inlined, blocks = inlined_lengths(ix)
    assert inlined == set(range(1, _whoosh.INLINE_MAX + 1))
    assert min(blocks) > _whoosh.INLINE_MAX
    # Weights are left out of an inlined list when all are 1.0, and kept
    # when a word is seen twice in an article.
    with ix._opened.whoosh_index.reader() as reader:
        lists = [info.inlined_postings() for leaf, _ in reader.leaf_readers()
                 for _, info in leaf._terms.items() if info.is_inlined()]
    assert any(weights is None for _, weights, _ in lists)
    assert any(weights is not None and max(weights) > 1.0 for _, weights, _ in lists)


@pytest.mark.parametrize("optimize", [False, True], ids=["commits", "merged"])
def test_every_posting_and_every_score_is_what_whoosh_27_writes(tmp_path, docs, optimize,
                                                                 monkeypatch) -> None:
    compact = build(tmp_path / "compact", docs, optimize=optimize)
    with monkeypatch.context() as m:
        m.setattr(_whoosh, "INLINE_MAX", 0)
        m.setattr(_whoosh, "BLOCK_PICKLE_PROTOCOL", 2)
        m.setattr(_whoosh, "_MIN_COMPRESSED_BLOCK", 0)
        m.setattr(schema, "CompactPositions", _whoosh.formats.Positions)
        plain = build(tmp_path / "plain", docs, optimize=optimize)
        assert inlined_lengths(plain)[0] == set()          # the baseline inlines nothing
        assert type(plain._opened.whoosh_index.schema["body"].format) is _whoosh.formats.Positions
        expected_postings = all_postings(plain)
        expected_hits = hits(plain, QUERIES)
    assert all_postings(compact) == expected_postings
    assert hits(compact, QUERIES) == expected_hits
    assert any(expected_hits)
    assert index_bytes(tmp_path / "compact") < 0.9 * index_bytes(tmp_path / "plain")


def test_positions_are_written_as_varints_and_read_back() -> None:
    fmt = _whoosh.CompactPositions()
    rng = random.Random(11)
    for _ in range(500):
        positions = sorted(rng.sample(range(rng.choice([20, 127, 128, 300, 70_000])),
                                      rng.randint(1, 19)))
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)
    assert fmt.encode([5]) == bytes([1, 5])                   # one byte of count, one of gap
    assert fmt.encode([5, 200]) == bytes([2, 5, 195 & 0x7F | 0x80, 1])   # 195 takes two


def test_plain_whoosh_reads_the_compact_index(tmp_path, docs) -> None:
    from whoosh import query

    ix = build(tmp_path / "ix", docs)
    wix = ix._opened.whoosh_index
    schema = wix.schema
    rare = next(w for w in docs[7]["body"].split() if w.startswith("كلمة")
                and all(w not in d["body"] for d in docs if d is not docs[7]))
    with wix.searcher() as searcher:
        def found(q: query.Query) -> set[str]:
            return {searcher.stored_fields(n)["id"] for n in searcher.search(q, limit=None).docs()}

        # A word of one article: its list is inlined in the term dictionary.
        (exact,) = [t.text for t in schema["body_exact"].analyzer(rare)]
        assert found(query.Term("body_exact", exact)) == {docs[7]["id"]}
        # A phrase of common words: read from blocks, with positions.
        stems = [t.text for t in schema["body"].analyzer(" ".join(docs[3]["body"].split()[:2]))
                 if not t.text.startswith("=")]
        assert len(stems) == 2
        assert docs[3]["id"] in found(query.Phrase("body", stems))


def raw_term_dictionaries(ix: arsearch.Index) -> list[dict[bytes, bytes]]:
    """Each segment's term dictionary as stored: key bytes → term info bytes."""
    with ix._opened.whoosh_index.reader() as reader:
        return [dict(leaf._terms._tindex.items()) for leaf, _ in reader.leaf_readers()]


@pytest.mark.parametrize("optimize", [False, True], ids=["commits", "merged"])
def test_short_lists_inlined_directly_are_the_postings_writers_bytes(tmp_path, docs, optimize,
                                                                     monkeypatch) -> None:
    direct = raw_term_dictionaries(build(tmp_path / "direct", docs, optimize=optimize))
    monkeypatch.setattr(_whoosh, "_DIRECT_INLINE", False)
    written = raw_term_dictionaries(build(tmp_path / "written", docs, optimize=optimize))
    assert len(direct) == len(written) == (1 if optimize else 4)
    assert direct == written
    assert sum(map(len, written)) > 1000
