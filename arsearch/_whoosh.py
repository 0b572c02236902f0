"""The one place arsearch imports Whoosh.

Every other module takes Whoosh names from here, so moving to a Whoosh fork
means changing this file only. Only the stable 2.7 API surface is used:
``fields``, ``analysis`` (Tokenizer, Filter, Token), ``scoring.BM25F``,
``query``, ``index``/``writing``/``filedb`` and ``sorting``. The ISRI-based
``LanguageAnalyzer("ar")``, Whoosh's highlighter and its multiprocessing
writer are deliberately not used.

Whoosh 2.7.4 predates Python 3.8 and its modules trigger SyntaxWarnings and
DeprecationWarnings when they are compiled or used; :func:`quiet` keeps them
away from arsearch's users.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Suppress the warnings Whoosh emits about its own code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        yield


with quiet():
    import whoosh
    from whoosh import fields, query, scoring, sorting
    from whoosh.analysis import (Analyzer, CompositeAnalyzer, Filter, RegexTokenizer,
                                 StandardAnalyzer, Token, Tokenizer)
    from whoosh.filedb.filestore import FileStorage, RamStorage
    from whoosh.index import EmptyIndexError, IndexError as WhooshIndexError, LockError
    from whoosh.index import FileIndex
    from whoosh.index import exists_in as index_exists_in

WHOOSH_VERSION = whoosh.versionstring()

__all__ = [
    "Analyzer", "CompositeAnalyzer", "EmptyIndexError", "FileIndex", "FileStorage", "Filter",
    "LockError", "RamStorage", "RegexTokenizer", "StandardAnalyzer", "Token", "Tokenizer", "WHOOSH_VERSION",
    "WhooshIndexError", "fields", "index_exists_in", "query", "quiet", "scoring", "sorting",
]
