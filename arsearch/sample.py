"""The sample corpus bundled with arsearch: 168 short Arabic news articles
written for this project (fictional outlets, varied topics and dates, with
the noise of real news text: partial diacritics, hamza variants, clitics,
English hashtags, URLs). It powers ``arsearch demo`` and notebooks.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SAMPLE_FILE = "sample_articles.jsonl"


def load_sample() -> list[dict[str, Any]]:
    """The sample articles as dicts, ready for :meth:`Index.add`.

    >>> articles = load_sample()
    >>> len(articles) >= 150, sorted(articles[0])
    (True, ['body', 'date', 'headline', 'id', 'source', 'tags', 'url'])
    """
    text = resources.files("arsearch").joinpath("data", SAMPLE_FILE).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
