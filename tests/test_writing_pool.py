"""The writer's posting pool (arsearch._whoosh._ChunkedPostingPool): a batch
whose postings pass the writer's memory limit is sorted in runs spilled to
temporary files, a list of postings per pickle. The rule tested: however
many runs a batch spills (past 128, Whoosh first merges runs into runs),
the segment written holds exactly the postings, positions included, of the
same batch sorted in memory.
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


@pytest.mark.parametrize("pool_mb", [0.002, 0.05])
def test_spilled_runs_give_the_postings_of_an_in_memory_sort(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_mb: float) -> None:
    batch = articles(400)
    with arsearch.Index(tmp_path / "memory", workers=1) as ix:
        ix.add(batch)
    spilled_runs: list[int] = []
    save = seam._ChunkedPostingPool.save

    def counted_save(self: Any) -> None:
        save(self)
        spilled_runs.append(len(self.runs))

    monkeypatch.setattr(seam, "WRITER_POOL_MB", pool_mb)
    monkeypatch.setattr(seam._ChunkedPostingPool, "save", counted_save)
    with arsearch.Index(tmp_path / "spilled", workers=1) as ix:
        ix.add(batch)
    # 0.002 MB: hundreds of runs, merged into fewer first; 0.05: a few.
    assert max(spilled_runs) > (128 if pool_mb < 0.01 else 2)
    memory, spilled = every_posting(tmp_path / "memory"), every_posting(tmp_path / "spilled")
    assert len(memory) > 30
    assert spilled == memory
