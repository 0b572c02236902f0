"""The exceptions of a sharded index, and importing Ray (an optional
dependency: ``pip install "arsearch[cluster]"``)."""

from __future__ import annotations

from typing import Any

from ..errors import ArsearchError


class ClusterUnavailableError(ArsearchError, ImportError):
    """Ray is not installed, or the Ray cluster cannot be reached."""


class ShardUnavailableError(ArsearchError, RuntimeError):
    """A shard did not answer: its actor died and Ray could not restart it,
    its node is gone, or it did not answer in time.

    ``shard`` is the shard's number (from 0), ``path`` its directory, and
    ``missing`` every shard that did not answer (``shard`` is the first of
    them). After a failed bulk load, ``committed`` counts the articles every
    shard committed before the failure (they are kept).
    """

    def __init__(self, message: str, *, shard: int, path: str | None = None,
                 missing: tuple[int, ...] = (), committed: int | None = None):
        super().__init__(message)
        self.shard = shard
        self.path = path
        self.missing = missing or (shard,)
        self.committed = committed

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (str(self), self.shard, self.path, self.missing, self.committed))


def _rebuild(message: str, shard: int, path: str | None, missing: tuple[int, ...],
             committed: int | None) -> ShardUnavailableError:
    return ShardUnavailableError(message, shard=shard, path=path, missing=missing,
                                 committed=committed)


def import_ray() -> Any:
    """The ``ray`` module, or a clear error saying how to install it."""
    try:
        import ray
    except ImportError as e:
        raise ClusterUnavailableError(
            f"a sharded index runs on Ray, which is not installed ({e}); install it with "
            "pip install \"arsearch[cluster]\"") from None
    return ray


__all__ = ["ClusterUnavailableError", "ShardUnavailableError", "import_ray"]
