"""Where an index lives: in memory or in a directory.

This module turns every way opening an index can fail into an
:class:`~arsearch.errors.IndexOpenError` that says what to do, and works
around two Whoosh storage traps:

* ``RamStorage`` puts every writer's temporary files in one fixed folder,
  ``/tmp/MAIN.tmp``, shared by all processes on the machine, so two
  in-memory indexes committing at once delete each other's files.
  :class:`PrivateRamStorage` gives each writer a folder of its own.

A writer killed mid-commit leaves unreferenced files behind; Whoosh removes
them at the next commit, and the table of contents is replaced atomically,
so a reader only ever sees a complete commit.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._whoosh import (EmptyIndexError, FileIndex, FileStorage, RamStorage, WhooshIndexError,
                       fields, index_exists_in, quiet)
from ..errors import IndexOpenError, SchemaMismatchError
from .schema import schema_pipeline

#: Written next to the Whoosh files: marks the directory as an arsearch index.
META_FILE = "arsearch.json"
#: Bumped when the on-disk layout changes incompatibly.
FORMAT_VERSION = 1


class PrivateRamStorage(RamStorage):
    """In-memory storage whose writers each get a private temporary folder."""

    def temp_storage(self, name: str | None = None) -> FileStorage:
        folder = tempfile.mkdtemp(prefix="arsearch-")
        return FileStorage(folder).create()


class DurableFileStorage(FileStorage):
    """File storage that flushes each file to disk (fsync) when it is closed,
    so a commit that returned survives a power cut, not only a killed
    process."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any):
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        inner_onclose = f.onclose

        def onclose(sfile: Any) -> None:
            try:
                sfile.file.flush()
                os.fsync(sfile.file.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            if inner_onclose:
                inner_onclose(sfile)

        f.onclose = onclose
        return f


@dataclass
class OpenedIndex:
    """A Whoosh index together with what arsearch knows about it."""

    whoosh_index: FileIndex
    path: Path | None
    meta: dict[str, Any]
    created: bool


def _read_meta(path: Path) -> dict[str, Any] | None:
    meta_path = path / META_FILE
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise IndexOpenError(
            f"{meta_path} is damaged ({e}); restore it from a backup or rebuild the index "
            "with `arsearch index`") from None
    if not isinstance(meta, dict):
        raise IndexOpenError(f"{meta_path} is damaged; rebuild the index with `arsearch index`")
    return meta


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path / (META_FILE + ".new")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path / META_FILE)


def _open_whoosh(storage: FileStorage, path: Path) -> FileIndex:
    try:
        with quiet():
            return storage.open_index()
    except EmptyIndexError:
        raise IndexOpenError(
            f"{path} has no index (its table of contents is missing); rebuild it with "
            "`arsearch index`") from None
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, ValueError,
            TypeError, WhooshIndexError, IndexError, KeyError) as e:
        raise SchemaMismatchError(
            f"{path} holds an index arsearch cannot read ({type(e).__name__}: {e}); it was "
            "written by another program or another version. Rebuild it with "
            "`arsearch index` into a new directory") from None
    except OSError as e:
        raise IndexOpenError(f"cannot read the index in {path}: {e.strerror or e}") from None


def open_memory(schema: fields.Schema, meta: dict[str, Any]) -> OpenedIndex:
    with quiet():
        ix = PrivateRamStorage().create_index(schema)
    return OpenedIndex(ix, None, dict(meta), True)


def open_directory(path: str | os.PathLike[str], schema: fields.Schema, meta: dict[str, Any],
                   *, create: bool) -> OpenedIndex:
    """Open the arsearch index in ``path``, or create one there.

    A missing or empty directory gets a new index when ``create`` is true.
    Anything else that is not an arsearch index is refused with a message
    that says why and what to do.
    """
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise IndexOpenError(f"{path} is a file, not an index directory; choose a directory")
    if not path.exists():
        if not create:
            raise IndexOpenError(
                f"no index at {path}: the directory does not exist; create one with "
                f"`arsearch index SOURCES --index {path}` or arsearch.Index({str(path)!r})")
        try:
            path.mkdir(parents=True)
        except OSError as e:
            raise IndexOpenError(f"cannot create the index directory {path}: "
                                 f"{e.strerror or e}") from None

    storage = DurableFileStorage(str(path))
    has_whoosh = index_exists_in(str(path))
    stored_meta = _read_meta(path)

    if has_whoosh:
        if stored_meta is None:
            raise SchemaMismatchError(
                f"{path} holds a Whoosh index that arsearch did not write; open it with Whoosh, "
                "or index your articles into a new directory with `arsearch index`")
        version = stored_meta.get("format")
        if version != FORMAT_VERSION:
            raise SchemaMismatchError(
                f"{path} was written in arsearch index format {version!r}; this version reads "
                f"format {FORMAT_VERSION}. Rebuild the index with `arsearch index`")
        ix = _open_whoosh(storage, path)
        if schema_pipeline(ix.schema) is None:
            raise SchemaMismatchError(
                f"{path} holds an index with another schema (fields "
                f"{sorted(ix.schema.names())}); rebuild it with `arsearch index` into a new "
                "directory")
        return OpenedIndex(ix, path, stored_meta, False)

    if any(p.name != META_FILE for p in path.iterdir()):
        raise IndexOpenError(
            f"{path} is not an index and is not empty; choose a new or empty directory "
            "for the index")
    if not create:
        raise IndexOpenError(
            f"no index in {path}; create one with `arsearch index SOURCES --index {path}`")
    if not os.access(path, os.W_OK):
        raise IndexOpenError(f"cannot create an index in {path}: the directory is read-only")
    try:
        with quiet():
            ix = storage.create_index(schema)
        _write_meta(path, {"format": FORMAT_VERSION, **meta})
    except OSError as e:
        raise IndexOpenError(f"cannot create an index in {path}: {e.strerror or e}") from None
    return OpenedIndex(ix, path, {"format": FORMAT_VERSION, **meta}, True)
