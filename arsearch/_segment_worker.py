"""Entry point of a bulk-indexing worker process (see
:mod:`arsearch.index.parallel`): ``python -m arsearch._segment_worker``.

A module of its own, which nothing imports, so running it does not import
it twice.
"""

import sys

from arsearch.index.parallel import serve

if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
