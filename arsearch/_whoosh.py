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
    from whoosh.writing import MERGE_SMALL, SegmentWriter

WHOOSH_VERSION = whoosh.versionstring()


def unlocked_writer(ix: FileIndex, **kwargs: object) -> SegmentWriter:
    """A writer that does not take the index's write lock: for a worker of a
    parallel load, whose parent holds the lock."""
    return SegmentWriter(ix, _lk=False, **kwargs)


def finish_segment(writer: SegmentWriter) -> object:
    """Write out a sub-writer's documents as a finished segment, without
    committing, and return the segment for the parent's commit. This is the
    protocol Whoosh's own multiprocessing writer uses with its sub-writers;
    it is kept here, in the one module that touches Whoosh internals."""
    segment = writer._finalize_segment()
    writer._finish()
    return segment

__all__ = [
    "Analyzer", "CompositeAnalyzer", "EmptyIndexError", "FileIndex", "FileStorage", "Filter",
    "LockError", "MERGE_SMALL", "RamStorage", "RegexTokenizer", "SegmentWriter",
    "StandardAnalyzer", "Token", "Tokenizer", "WHOOSH_VERSION", "WhooshIndexError", "fields",
    "finish_segment", "index_exists_in", "query", "quiet", "scoring", "sorting",
    "unlocked_writer",
]
