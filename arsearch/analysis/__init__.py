"""Arabic text analysis: tokenize, normalize, drop stopwords, light-stem.

Independent of the index: everything here works on plain strings, and
:func:`ArabicAnalyzer` plugs the same pipeline into any Whoosh schema.
"""

from .analyzer import (AnalyzedToken, ArabicAnalyzer, ArabicChain, ArabicTermFilter, ArabicTokenizer,
                       KeywordAnalyzer, ValueFilter, analyze, default_pipeline, explain,
                       normalize_value)
from .lexicon import Lexicon
from .normalization import NORMALIZATION_RULES, RULE_ORDER, ArabicNormalizer, normalize
from .pipeline import TermPipeline
from .stemming import (LIGHT10_PREFIXES, LIGHT10_SUFFIXES, Light10Stemmer, NoStemmer,
                       SnowballArabicStemmer, get_stemmer, light_stem)
from .stopwords import arabic_query_stopwords, arabic_stopwords, english_stopwords
from .tokenizer import RawToken, tokenize

__all__ = [
    "AnalyzedToken", "ArabicAnalyzer", "ArabicChain", "KeywordAnalyzer", "ValueFilter", "normalize_value", "ArabicNormalizer", "ArabicTermFilter", "ArabicTokenizer",
    "LIGHT10_PREFIXES", "LIGHT10_SUFFIXES", "Lexicon", "Light10Stemmer", "NORMALIZATION_RULES", "NoStemmer",
    "RULE_ORDER", "RawToken", "SnowballArabicStemmer", "TermPipeline", "analyze",
    "arabic_query_stopwords", "arabic_stopwords", "default_pipeline", "english_stopwords",
    "explain", "get_stemmer", "light_stem", "normalize", "tokenize",
]
