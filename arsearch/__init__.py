"""arsearch: Arabic full-text search for Python."""

from .analysis import (ArabicAnalyzer, ArabicNormalizer, Light10Stemmer, NoStemmer,
                       SnowballArabicStemmer, analyze, explain, light_stem, normalize, tokenize)
from .errors import (ArsearchError, DateError, DocumentError, IndexClosedError, IndexLockedError,
                     IndexOpenError, QueryError, SchemaMismatchError)

__version__ = "0.1.0"
