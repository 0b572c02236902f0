"""The results of a sharded search: :class:`~arsearch.Results`, which may be
marked partial.

>>> r = ShardedResults([], query="مطر", total=0, page=1, limit=10, missing_shards=[1])
>>> r.partial, r.missing_shards
(True, (1,))
>>> print(r)
0 results for 'مطر'
PARTIAL: shard 1 did not answer; its articles are missing
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..index import Hit, Results


class ShardedResults(Results):
    """:class:`~arsearch.Results` of a :class:`~arsearch.ShardedIndex`.

    ``missing_shards`` lists the shards that did not answer a search made
    with ``partial=True`` (a search without it raises
    :class:`~arsearch.cluster.ShardUnavailableError` instead); ``partial``
    is true when there are any. The hits of a partial page come from the
    other shards, ranked with their statistics alone, and ``total`` counts
    their matches only.
    """

    def __init__(self, hits: Sequence[Hit], *, query: str, total: int, page: int, limit: int,
                 suggestion: str | None = None,
                 suggest: Callable[[], str | None] | None = None,
                 missing_shards: Iterable[int] = (), corrected: str | None = None,
                 relaxed_phrases: Sequence[str] = ()):
        super().__init__(hits, query=query, total=total, page=page, limit=limit,
                         suggestion=suggestion, suggest=suggest, corrected=corrected,
                         relaxed_phrases=relaxed_phrases)
        self.missing_shards: tuple[int, ...] = tuple(sorted(missing_shards))

    @property
    def partial(self) -> bool:
        return bool(self.missing_shards)

    def _missing_note(self) -> str:
        names = ", ".join(map(str, self.missing_shards))
        if len(self.missing_shards) == 1:
            return f"shard {names} did not answer; its articles are missing"
        return f"shards {names} did not answer; their articles are missing"

    def __repr__(self) -> str:
        base = super().__repr__()
        if not self.partial:
            return base
        return base[:-1] + f", PARTIAL: {self._missing_note()}>"

    def __str__(self) -> str:
        text = super().__str__()
        if not self.partial:
            return text
        first, _, rest = text.partition("\n")
        note = f"PARTIAL: {self._missing_note()}"
        return f"{first}\n{note}" + (f"\n{rest}" if rest else "")


__all__ = ["ShardedResults"]
