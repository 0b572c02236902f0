"""Which shard holds an article, and the manifest that makes a directory a
sharded index.

Articles are routed by a stable hash of their id: the first 8 bytes of the
BLAKE2b digest of the id's UTF-8 bytes, as a big-endian integer, modulo the
number of shards. It is the same on every machine, in every process and in
every Python version (Python's own ``hash()`` of a string changes from one
process to the next), so an upsert or a delete reaches the one shard that
holds the article.

>>> shard_of("article-1", 4), shard_of(1, 4) == shard_of("1", 4)
(2, True)

A sharded root is a directory holding the manifest
(:data:`MANIFEST_FILE`) and one ordinary arsearch index directory per shard
(``shard-000``, ``shard-001``, …). The manifest records the shard count and
the routing version, so a root is recognised and reopened with the routing
its articles were added with.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IndexOpenError, SettingsError

#: The manifest of a sharded root.
MANIFEST_FILE = "arsearch-shards.json"
#: Written into each shard's index directory: which shard of which index it is.
SHARD_FILE = "arsearch-shard.json"
#: Identifies the manifest's format.
MANIFEST_FORMAT = "arsearch-sharded-index"
MANIFEST_VERSION = 1
#: The routing function's version: bumped if it ever changes, so that an old
#: root is not reopened with a routing that puts its articles elsewhere.
ROUTING_VERSION = 1
ROUTING = {"hash": "blake2b", "digest_bytes": 8, "reduce": "mod", "version": ROUTING_VERSION}
#: Most shards one index may have.
MAX_SHARDS = 1024


def shard_of(article_id: str | int, shards: int) -> int:
    """The shard (0 to ``shards - 1``) that holds the article ``article_id``.

    An integer id routes as its decimal string, as :class:`arsearch.Index`
    stores it.
    """
    data = str(article_id).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shard_dir_name(shard: int) -> str:
    return f"shard-{shard:03d}"


def check_shard_count(shards: Any) -> int:
    if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
        raise SettingsError(f"shards must be an integer from 1 to {MAX_SHARDS}, got {shards!r}")
    return shards


@dataclass
class Manifest:
    """What ``arsearch-shards.json`` holds."""

    shards: int
    index_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    directories: list[str] = field(default_factory=list)
    #: ``None``, ``"resources"``, or one node (address or id) per shard.
    placement: str | list[str] | None = None
    #: Whether every shard's directory was created (a root whose creation was
    #: interrupted is finished when it is opened again).
    complete: bool = False

    def __post_init__(self) -> None:
        if not self.directories:
            self.directories = [shard_dir_name(k) for k in range(self.shards)]

    def to_json(self) -> dict[str, Any]:
        return {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "id": self.index_id,
                "shards": self.shards, "routing": ROUTING, "directories": self.directories,
                "placement": self.placement, "complete": self.complete}

    @classmethod
    def from_json(cls, data: Any, where: Path) -> Manifest:
        def damaged(why: str) -> IndexOpenError:
            return IndexOpenError(f"{where} is not a valid sharded-index manifest ({why}); "
                                  "restore it from a backup")

        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise damaged("unknown format")
        if data.get("version") != MANIFEST_VERSION:
            raise IndexOpenError(f"{where} was written in manifest version "
                                 f"{data.get('version')!r}; this arsearch reads version "
                                 f"{MANIFEST_VERSION}")
        routing = data.get("routing")
        if not isinstance(routing, dict) or routing.get("version") != ROUTING_VERSION:
            raise IndexOpenError(
                f"{where} routes articles with routing version "
                f"{routing.get('version') if isinstance(routing, dict) else routing!r}; this "
                f"arsearch routes with version {ROUTING_VERSION}, which would look for its "
                "articles in other shards. Open it with the arsearch version that built it")
        shards, directories = data.get("shards"), data.get("directories")
        if (isinstance(shards, bool) or not isinstance(shards, int) or shards < 1
                or not isinstance(directories, list) or len(directories) != shards
                or not all(isinstance(d, str) and d for d in directories)):
            raise damaged("shard count and directories disagree")
        placement = data.get("placement")
        if not (placement is None or placement == "resources" or (
                isinstance(placement, list) and all(isinstance(p, str) for p in placement))):
            raise damaged("bad placement")
        return cls(shards=shards, index_id=str(data.get("id") or ""), directories=directories,
                   placement=placement, complete=bool(data.get("complete")))


def manifest_path(root: str | os.PathLike[str]) -> Path:
    return Path(root) / MANIFEST_FILE


def is_sharded_root(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is the root of a sharded index (holds a manifest)."""
    return manifest_path(Path(path).expanduser()).is_file()


def read_manifest(root: Path) -> Manifest | None:
    """The manifest of ``root``, or ``None`` when it has none."""
    where = manifest_path(root)
    try:
        text = where.read_text("utf-8")
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IndexOpenError(f"cannot read {where}: {e.strerror or e}") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise IndexOpenError(f"{where} is damaged ({e}); restore it from a backup") from None
    return Manifest.from_json(data, where)


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write the manifest atomically (a new file renamed into place, flushed)."""
    where = manifest_path(root)
    tmp = where.with_name(where.name + ".new")
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(manifest.to_json(), ensure_ascii=False, indent=2))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, where)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise IndexOpenError(f"cannot write {where}: {e.strerror or e}") from None


def shard_paths(root: Path, manifest: Manifest) -> list[Path]:
    return [root / d for d in manifest.directories]


def check_paths(paths: Sequence[Any]) -> list[Path]:
    """Explicit shard directories, as absolute paths (a shard actor's working
    directory is not the caller's)."""
    out = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)):
            raise SettingsError(f"shard paths must be strings or paths, got {type(p).__name__}")
        out.append(Path(p).expanduser().absolute())
    if not out:
        raise SettingsError("a sharded index needs at least one shard path")
    if len(set(out)) != len(out):
        raise SettingsError("two shards cannot share one directory")
    return out


__all__ = ["MANIFEST_FILE", "MAX_SHARDS", "Manifest", "ROUTING_VERSION", "SHARD_FILE",
           "is_sharded_root", "read_manifest", "shard_of", "write_manifest"]
