"""A sharded index on a Ray cluster: :class:`ShardedIndex`, with the API of
:class:`arsearch.Index` and exactly its ranking.

Importing this package does not import Ray; opening a :class:`ShardedIndex`
does (``pip install "arsearch[cluster]"``).

==============  ==============================================================
``sharded``     :class:`ShardedIndex`: routing writes, two-phase searches,
                merging the shards' answers
``actor``       :class:`ShardActor`: one shard's :class:`arsearch.Index` in a
                Ray actor
``routing``     which shard holds an id; the manifest of a sharded root
``results``     :class:`ShardedResults`, results that may be partial
``errors``      :class:`ShardUnavailableError`, :class:`ClusterUnavailableError`
``cli``         ``arsearch index --shards N``, and sharded roots in the CLI
==============  ==============================================================
"""

from .errors import ClusterUnavailableError, ShardUnavailableError
from .results import ShardedResults
from .routing import is_sharded_root, shard_of
from .sharded import ShardedIndex

__all__ = ["ClusterUnavailableError", "ShardUnavailableError", "ShardedIndex", "ShardedResults",
           "is_sharded_root", "shard_of"]
