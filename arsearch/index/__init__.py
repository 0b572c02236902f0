"""The article index and its query API, on Whoosh.

Depends on :mod:`arsearch.analysis`; knows nothing of the command line.
"""

from .index import Index
from .query import ParsedQuery, parse_query
from .ranking import RankingParams
from .results import Hit, Results
from .suggest import SpellingParams

__all__ = ["Hit", "Index", "ParsedQuery", "RankingParams", "Results", "SpellingParams",
           "parse_query"]
