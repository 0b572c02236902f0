"""The writer's posting buffer (arsearch._whoosh._PostingBuffer): postings
are kept grouped by term, and a batch whose postings pass the writer's
memory limit is written out in sorted runs to temporary files, merged term
by term at the end. The rules tested: however many runs a batch spills, the
segment written holds exactly the postings, positions included, of the same
batch kept in memory; and it holds what Whoosh's own writer (its sorting
pool, a posting at a time) writes for the same documents.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import arsearch
import arsearch._whoosh as seam
from arsearch._whoosh import term_dictionary

WORDS = "مطر جنيف مفاوضات الرياض ليبيا سوق نفط وزير حكومة قطار ميناء مدرسة جامعة".split()


def articles(n: int) -> list[dict[str, str]]:
    rng = random.Random(5)
    return [{"id": f"a{i}", "headline": " ".join(rng.choices(WORDS, k=3)),
             "body": " ".join(rng.choices(WORDS, k=rng.randint(3, 40)))} for i in range(n)]


def every_posting(path: Path) -> dict[tuple[str, bytes], list[tuple[Any, ...]]]:
    """Each term's postings (document, weight, value) in the index's one segment."""
    out = {}
    with arsearch.Index(path) as ix:
        reader = ix._opened.whoosh_index.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert len(leaves) == 1
        leaf = leaves[0]
        for fieldname, tbytes in term_dictionary(leaf, ix._opened.schema.names()):
            m = leaf.postings(fieldname, tbytes)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out[(fieldname, tbytes)] = postings
        reader.close()
    return out


@pytest.mark.parametrize("buffer_mb", [0.002, 0.05])
def test_spilled_runs_give_the_postings_of_an_in_memory_buffer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, buffer_mb: float) -> None:
    batch = articles(400)
    with arsearch.Index(tmp_path / "memory", workers=1) as ix:
        ix.add(batch)
    spilled_runs: list[int] = []
    spill = seam._PostingBuffer._spill

    def counted_spill(self: Any) -> None:
        spill(self)
        spilled_runs.append(len(self.runs))

    monkeypatch.setattr(seam, "WRITER_BUFFER_MB", buffer_mb)
    monkeypatch.setattr(seam._PostingBuffer, "_spill", counted_spill)
    with arsearch.Index(tmp_path / "spilled", workers=1) as ix:
        ix.add(batch)
    # 0.002 MB: hundreds of runs; 0.05: a few.
    assert max(spilled_runs) > (100 if buffer_mb < 0.01 else 2)
    memory, spilled = every_posting(tmp_path / "memory"), every_posting(tmp_path / "spilled")
    assert len(memory) > 30
    assert spilled == memory


def test_the_buffer_writes_what_whooshs_sorting_pool_writes(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    batch = articles(300)
    with arsearch.Index(tmp_path / "buffer", workers=1) as ix:
        ix.add(batch)
    # Whoosh's own add_document and flush: every posting through its pool.
    monkeypatch.setattr(seam._SegmentWriter, "add_document", seam.SegmentWriter.add_document)

    def pooled_postings(writer: Any, lengths: Any) -> None:
        writer.fieldwriter.add_postings(writer.schema, lengths, writer.pool.iter_postings())

    monkeypatch.setattr(seam, "_write_buffered_postings", pooled_postings)
    with arsearch.Index(tmp_path / "pool", workers=1) as ix:
        ix.add(batch)
    buffered, pooled = every_posting(tmp_path / "buffer"), every_posting(tmp_path / "pool")
    assert len(pooled) > 30
    assert buffered == pooled


def test_a_writer_refuses_whooshs_add_reader(tmp_path: Path) -> None:
    with arsearch.Index(tmp_path / "ix", workers=1) as ix:
        ix.add(articles(5))
        whoosh_ix = ix._opened.whoosh_index
        writer = seam.unlocked_writer(whoosh_ix)
        try:
            with pytest.raises(NotImplementedError):
                writer.add_reader(whoosh_ix.reader())
        finally:
            writer.cancel()
