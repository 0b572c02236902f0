"""arsearch: Arabic full-text search for Python.

>>> import arsearch
>>> ix = arsearch.Index()                                  # in memory
>>> ix.add([{"id": "1", "headline": "وزير الخارجية يصل إلى القاهرة",
...          "body": "وصل وزيرُ الخارجية إلى القاهرة للقاء نظيره المصري."}])
1
>>> hit = ix.search("وَزير الخارجيه")[0]
>>> hit.id, hit.snippet
('1', 'وصل <mark>وزيرُ</mark> <mark>الخارجية</mark> إلى القاهرة للقاء نظيره المصري.')
"""

from .analysis import (ArabicAnalyzer, ArabicNormalizer, Light10Stemmer, NoStemmer,
                       SnowballArabicStemmer, analyze, explain, light_stem, normalize, tokenize)
from .article import Article
from .dates import ParsedDate, parse_date, parse_date_details
from .errors import (ArsearchError, DateError, DocumentError, FieldMappingError,
                     IndexClosedError, IndexLockedError, IndexOpenError, IndexWriteError,
                     MissingDependencyError, QueryError, SchemaMismatchError, SettingsError)
from .index import CollectionStats, Hit, Index, RankingParams, Results, SpellingParams
from .readers import (read_article_text, read_articles, read_csv, read_html, read_json,
                      read_jsonl)
from .sample import load_sample

__version__ = "0.1.0"

#: Exported from :mod:`arsearch.cluster` when first used, so that importing
#: arsearch loads none of it (a ShardedIndex imports Ray when it opens).
_CLUSTER_NAMES = ("ShardUnavailableError", "ShardedIndex", "ShardedResults")


def __getattr__(name: str) -> object:
    if name in _CLUSTER_NAMES:
        from . import cluster

        return getattr(cluster, name)
    raise AttributeError(f"module 'arsearch' has no attribute {name!r}")

__all__ = [
    "ArabicAnalyzer", "ArabicNormalizer", "Article", "ArsearchError", "CollectionStats",
    "DateError",
    "DocumentError", "FieldMappingError", "Hit", "Index", "IndexClosedError", "IndexLockedError",
    "IndexOpenError", "IndexWriteError", "Light10Stemmer", "MissingDependencyError", "NoStemmer",
    "ParsedDate", "QueryError", "RankingParams", "Results", "SchemaMismatchError",
    "SettingsError", "ShardUnavailableError", "ShardedIndex", "ShardedResults",
    "SnowballArabicStemmer", "SpellingParams", "analyze", "explain",
    "light_stem", "load_sample", "normalize", "parse_date", "parse_date_details",
    "read_article_text", "read_articles", "read_csv", "read_html", "read_json", "read_jsonl",
    "tokenize",
]
