"""Shared fixtures for the index, search, results and CLI behaviour tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import arsearch

# Property tests draw the same examples on every run, so a run cannot fail
# on a case the previous run never drew. HYPOTHESIS_PROFILE=explore draws
# fresh ones (turn what it finds into an @example).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

FIXTURES_DIR = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``tests/fixtures``: akhbar.jsonl, akhbar.csv, broken.jsonl, text/*.txt."""
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def sample_articles() -> list[dict]:
    return arsearch.load_sample()


@pytest.fixture(scope="session")
def sample_index(sample_articles):
    """The bundled sample corpus, indexed once in memory. Read-only: tests
    must not add to it or delete from it."""
    ix = arsearch.Index()
    ix.add(sample_articles)
    yield ix
    ix.close()


@pytest.fixture
def make_index():
    """``make_index(articles=(), **Index_kwargs)``: a fresh in-memory index,
    closed after the test."""
    made: list[arsearch.Index] = []

    def make(articles=(), **kwargs) -> arsearch.Index:
        ix = arsearch.Index(**kwargs)
        made.append(ix)
        if articles:
            ix.add(articles)
        return ix

    yield make
    for ix in made:
        ix.close()
