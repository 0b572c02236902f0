"""Sharded indexes on the command line.

``arsearch index SOURCES --index ROOT --shards N [--address A]`` builds a
sharded index on a Ray cluster; ``search``, ``more-like``, ``stats`` and
``index`` recognise a sharded root by its manifest and open it as a
:class:`~arsearch.ShardedIndex`, so every command works on either kind. The
commands themselves (:mod:`arsearch.cli`) only call :func:`open_index`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import SettingsError
from ..index import Index
from .routing import is_sharded_root

#: The commands that open an index, and whether they may create one.
INDEX_COMMANDS = {"index": True, "search": False, "more-like": False, "stats": False}


def add_cluster_arguments(subparsers: Any) -> None:
    """Add ``--address`` to the commands that open an index, and
    ``--shards``/``--placement`` to ``index``."""
    for name, parser in subparsers.choices.items():
        if name not in INDEX_COMMANDS:
            continue
        group = parser.add_argument_group("sharded index (Ray; pip install \"arsearch[cluster]\")")
        if name == "index":
            group.add_argument("--shards", type=int, metavar="N",
                               help="build a sharded index of N shards, each in a Ray actor "
                                    "(an existing sharded root keeps its own count)")
            group.add_argument("--placement", choices=["resources"],
                               help="'resources': shard K runs on the node started with "
                                    "ray start --resources='{\"arsearch_shard_K\": 1}'")
        group.add_argument("--address", metavar="ADDRESS",
                           help="the Ray cluster: 'auto' or HOST:PORT (default: start a local "
                                "one)")


def open_index(args: argparse.Namespace, *, create: bool) -> Any:
    """The index ``args.index`` names: a :class:`~arsearch.ShardedIndex`
    for a sharded root (or with ``--shards``), else an :class:`~arsearch.Index`."""
    shards = getattr(args, "shards", None)
    address = getattr(args, "address", None)
    placement = getattr(args, "placement", None)
    if shards is not None or is_sharded_root(args.index):
        from .sharded import ShardedIndex

        return ShardedIndex(args.index, shards=shards, address=address, placement=placement,
                            create=create)
    if address is not None or placement is not None:
        raise SettingsError(
            f"{args.index} is not a sharded index: --address and --placement apply to sharded "
            "indexes (build one with arsearch index SOURCES --index ROOT --shards N)")
    return Index(args.index, create=create)


__all__ = ["add_cluster_arguments", "open_index"]
