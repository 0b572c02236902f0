"""Indexes written by earlier releases keep opening.

``tests/compat/index-0.1.0`` was written by arsearch 0.1.0 from the first
30 articles of the bundled sample (two batches, then one deletion). Its
schema pickles arsearch's analysis classes by their module paths, so this
test fails if a class moves without an alias at its old path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import arsearch

FIXTURE = Path(__file__).parent / "compat" / "index-0.1.0"


@pytest.fixture
def old_index(tmp_path: Path) -> Path:
    copy = tmp_path / "index-0.1.0"
    shutil.copytree(FIXTURE, copy)
    return copy


def test_an_index_built_by_release_0_1_0_opens_and_searches(old_index: Path) -> None:
    sample = arsearch.load_sample()[:30]
    ix = arsearch.Index(old_index, create=False)
    assert len(ix) == 29                       # the first article was deleted
    assert sample[0]["id"] not in ix
    for article in sample[1:]:
        stored = ix.get(article["id"])
        assert stored["headline"] == article["headline"]
        assert stored["body"] == article["body"]
        # Each article is found by its own headline, first.
        assert ix.search(article["headline"]).ids[0] == article["id"]
    assert ix.stats()["analyzer"]["stemmer"] == "light10-snowball"


def test_an_index_built_by_release_0_1_0_takes_new_articles(old_index: Path) -> None:
    ix = arsearch.Index(old_index, create=False, workers=1)
    ix.add({"id": "new-1", "headline": "افتتاح جسر جديد فوق النهر", "body": "افتتح الجسر اليوم."})
    ix.optimize()
    ix.close()
    ix = arsearch.Index(old_index, create=False)
    assert len(ix) == 30
    assert ix.search("الجسر").ids == ["new-1"]
