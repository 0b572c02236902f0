"""The article index and its query API, on Whoosh.

Depends on :mod:`arsearch.analysis`; knows nothing of the command line.
The layout follows the architecture:

==============  ==============================================================
``index``       :class:`Index`, the facade: settings, add, delete, search,
                more_like, facets, stats
``request``     one validated :class:`SearchRequest` for every kind of search
``query``       the query language, parsed and analysed
``ranking``     BM25F over arrays, and the collection statistics it uses
``snapshot``    an immutable, reference-counted view of one commit: the only
                code that reads Whoosh readers, matchers, stored fields and
                columns
``writing``     locks, batches, segments and commits
``parallel``    worker processes that write segments of a bulk load
``storage``     where an index lives (memory or a directory), and opening it
``schema``      the fields and how each is indexed
``results``,    what a search returns, and its snippets
``snippets``
``suggest``     spelling suggestions
==============  ==============================================================
"""

from .index import Index
from .query import ParsedQuery, parse_query
from .ranking import CollectionStats, RankingParams
from .request import SearchRequest
from .results import Hit, Results
from .suggest import SpellingParams

__all__ = ["CollectionStats", "Hit", "Index", "ParsedQuery", "RankingParams", "Results",
           "SearchRequest", "SpellingParams", "parse_query"]
