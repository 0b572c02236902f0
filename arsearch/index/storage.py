"""Where an index lives: in memory or in a directory.

This module turns every way opening an index can fail into an
:class:`~arsearch.errors.IndexOpenError` that says what to do, and works
around two Whoosh storage traps:

* ``RamStorage`` puts every writer's temporary files in one fixed folder,
  ``/tmp/MAIN.tmp``, shared by all processes on the machine, so two
  in-memory indexes committing at once delete each other's files.
  :class:`PrivateRamStorage` gives each index a folder of its own.
* ``FileStorage`` renames the new table of contents into place but never
  flushes the directory, so a power cut could forget a commit that had
  returned. :class:`DurableFileStorage` flushes files and the directory.

A writer killed mid-commit leaves unreferenced files behind; Whoosh removes
segment files at the next commit and :func:`remove_stale_files` the
half-written tables of contents Whoosh never removes. The table of contents
is replaced atomically, so a reader only ever sees a complete commit.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._whoosh import EmptyIndexError, FileIndex, FileStorage, RamStorage, fields, quiet
from ..errors import IndexLockedError, IndexOpenError, SchemaMismatchError
from .schema import schema_pipeline

#: Written next to the Whoosh files: marks the directory as an arsearch index.
META_FILE = "arsearch.json"
#: Bumped when the on-disk layout changes incompatibly.
FORMAT_VERSION = 1
#: Whoosh's write lock: ``FileIndex.lock("WRITELOCK")`` on the index "MAIN".
WRITE_LOCK = "MAIN_WRITELOCK"


class PrivateRamStorage(RamStorage):
    """In-memory storage whose writers keep their temporary files in a
    folder private to this index."""

    def __init__(self) -> None:
        super().__init__()
        self._tempdir: str | None = None

    def temp_storage(self, name: str | None = None) -> FileStorage:
        # One private parent folder per index, removed with the index, and
        # Whoosh's per-writer folder inside it (the writer removes that one
        # when it finishes). A new mkdtemp per call, as before, leaked an
        # empty /tmp/arsearch-* folder at every commit: Whoosh asks twice per
        # writer and removes only the first.
        if self._tempdir is None:
            self._tempdir = tempfile.mkdtemp(prefix="arsearch-")
            weakref.finalize(self, shutil.rmtree, self._tempdir, ignore_errors=True)
        return FileStorage(os.path.join(self._tempdir, name or "writer.tmp")).create()


class DurableFileStorage(FileStorage):
    """File storage that flushes each file to disk (fsync) when it is closed,
    so a commit that returned survives a power cut, not only a killed
    process.

    Segment files are read through the file, not mapped into memory:
    Whoosh 2.7 maps a segment and then copies each file inside it (the
    postings, the term dictionary) into a ``BytesIO``, so every reader
    held a private copy of the whole index. A writer opens one at each
    commit (to find the ids it replaces), and a search process one per
    commit it sees; a 50,000-article load peaked at 2.2 GB that way. Read
    through the file, the pages live in the operating system's cache,
    shared and reclaimable."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        kwargs.setdefault("supports_mmap", False)
        super().__init__(path, **kwargs)

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any):
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        inner_onclose = f.onclose

        def onclose(sfile: Any) -> None:
            # A failed flush or fsync fails the commit (Whoosh closes every
            # file of a commit before it renames the new table of contents
            # into place), so a commit never reports success for data that
            # may not be on disk; the previous commit stays as it was.
            sfile.file.flush()
            os.fsync(sfile.file.fileno())
            if inner_onclose:
                inner_onclose(sfile)

        f.onclose = onclose
        return f

    def temp_storage(self, name: str | None = None) -> FileStorage:
        # Whoosh gives every writer of an index the same temporary folder,
        # MAIN.tmp, and each removes it when it finishes; the workers of a
        # parallel load would delete each other's files. One folder per
        # process, named after it so remove_stale_files() can tell a dead
        # writer's folder from a live one; a writer that runs beside the
        # process's others (a background merge) gets one of its own
        # (private_temp_folder).
        name = getattr(_private_temp, "name", None) or f"{TEMP_PREFIX}{os.getpid()}.tmp"
        return FileStorage(os.path.join(self.folder, name)).create()

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        # Whoosh commits by renaming the new table of contents into place;
        # the rename is only on disk once the directory is flushed too.
        super().rename_file(oldname, newname, safe=safe)
        try:
            _fsync_dir(self.folder)
        except OSError as e:
            # The rename is done: the commit is visible and must complete
            # (and clean up); the writer reports the failed flush after it.
            self.unflushed.append(e)

    @property
    def unflushed(self) -> list[OSError]:
        """Directory flushes that failed after a rename, not yet reported."""
        found = self.__dict__.get("_unflushed")
        if found is None:
            found = self.__dict__["_unflushed"] = []
        return found


def _fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Flush a directory's entries (a rename or a new file) to disk.

    Errors are raised, not ignored: after a commit's rename, a failed flush
    means the commit may not survive a power cut, and the writer reports it
    (see :meth:`DurableFileStorage.rename_file`)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno in _FSYNC_UNSUPPORTED:
            return    # a file system that cannot flush directories at all
        raise
    finally:
        os.close(fd)


#: fsync of a directory is refused by some file systems (some network and
#: FUSE mounts) that flush on their own; that is not a failed flush.
_FSYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF}


@dataclass
class OpenedIndex:
    """A Whoosh index together with what arsearch knows about it."""

    whoosh_index: FileIndex
    path: Path | None
    meta: dict[str, Any]
    created: bool
    #: The schema stored in the index (read once, at open).
    schema: fields.Schema


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
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, ensure_ascii=False, indent=2))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path / META_FILE)
    _fsync_dir(path)


#: Whoosh's table of contents, ``_MAIN_<generation>.toc``.
_TOC_NAME = re.compile(r"^_MAIN_[0-9]+\.toc$")
#: A table of contents a killed writer left half-written (Whoosh writes
#: ``_MAIN_<generation>.toc.<time>`` and renames it; it never removes one
#: that was not renamed).
_TOC_TEMP_NAME = re.compile(r"^_MAIN_[0-9]+\.toc\.[0-9.]+$")
#: Files that do not make a directory "not empty": ours, and what Whoosh
#: leaves after a crash while the index was being created.
_LEFTOVER_NAMES = {META_FILE, META_FILE + ".new", WRITE_LOCK, "MAIN.tmp"}
#: Writers' temporary folders, ``MAIN.<pid>.tmp`` and ``MAIN.<pid>-<n>.tmp``
#: (see :meth:`DurableFileStorage.temp_storage`).
TEMP_PREFIX = "MAIN."
_TEMP_DIR_NAME = re.compile(r"^MAIN\.([0-9]+)(?:-[0-9]+)?\.tmp$")
#: A segment's postings file being written (see
#: :mod:`arsearch.index.postingfile`): ``arsearch-postings-<pid>-<segment>.tmp``.
_POSTINGS_TEMP_NAME = re.compile(r"^arsearch-postings-([0-9]+)-MAIN_[0-9a-z]+\.tmp$")
#: A segment file, ``MAIN_<id>.<ext>``.
_SEGMENT_NAME = re.compile(r"^MAIN_[0-9a-z]+\.[A-Za-z0-9_.]+$")

_private_temp = threading.local()
_private_numbers = itertools.count(1)


@contextlib.contextmanager
def private_temp_folder() -> Iterator[None]:
    """Writers made in this block, in this thread, keep their temporary
    files (the posting pool, the per-document columns) in a folder of their
    own, ``MAIN.<pid>-<n>.tmp``, which each removes when it finishes. For a
    writer that runs beside the process's other writers (a background
    merge): the process's shared folder is removed by whichever of those
    finishes first, from under the others."""
    _private_temp.name = f"{TEMP_PREFIX}{os.getpid()}-{next(_private_numbers)}.tmp"
    try:
        yield
    finally:
        del _private_temp.name


def _has_index(path: Path) -> bool:
    # Whoosh's exists_in() opens the index to find out, so a damaged table
    # of contents raised pickle and struct errors from there, past the
    # handlers of _open_whoosh(). Looking for the file is enough.
    return any(_TOC_NAME.match(p.name) for p in path.iterdir())


def _is_leftover(name: str) -> bool:
    return (name in _LEFTOVER_NAMES or bool(_TOC_TEMP_NAME.match(name))
            or bool(_TEMP_DIR_NAME.match(name)))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is not ours to signal
        return True
    return True


def remove_stale_files(path: Path) -> None:
    """Remove the half-written tables of contents, and the temporary folders
    and postings files of writers that were killed. Only call it holding
    the write lock: the current writer's own temporary file has the same
    form."""
    for p in path.iterdir():
        if _TOC_TEMP_NAME.match(p.name):
            try:
                p.unlink()
            except OSError:
                pass
        elif (m := _TEMP_DIR_NAME.match(p.name)) and not _process_alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
        elif (m := _POSTINGS_TEMP_NAME.match(p.name)) and not _process_alive(int(m.group(1))):
            try:
                p.unlink()
            except OSError:
                pass


def _open_whoosh(storage: FileStorage, path: Path) -> tuple[FileIndex, fields.Schema]:
    """The Whoosh index in ``path`` and its stored schema. A commit by another
    process can remove the table of contents between listing and reading
    it; that is retried."""
    for attempt in range(20):
        try:
            with quiet():
                ix = storage.open_index()
                return ix, ix.schema
        except FileNotFoundError as e:
            last: OSError = e
            time.sleep(0.01 * (attempt + 1))
        except OSError as e:
            last = e
            break
        except EmptyIndexError:
            raise IndexOpenError(
                f"{path} has no index (its table of contents is missing); rebuild it with "
                "`arsearch index`") from None
        except Exception as e:  # noqa: BLE001
            # Whatever a damaged or foreign table of contents makes the
            # unpickler or Whoosh raise (pickle, struct, EOF, type, index,
            # even memory errors for a garbage length).
            raise SchemaMismatchError(
                f"{path} holds an index arsearch cannot read ({type(e).__name__}: {e}); it was "
                "written by another program or another version, or it is damaged. Restore it "
                "from a backup or rebuild it with `arsearch index` into a new directory"
            ) from None
    raise IndexOpenError(f"cannot read the index in {path}: {last.strerror or last}")


def open_memory(schema: fields.Schema, meta: dict[str, Any]) -> OpenedIndex:
    with quiet():
        ix = PrivateRamStorage().create_index(schema)
    return OpenedIndex(ix, None, dict(meta), True, schema)


def acquire_lock(lock: Any, timeout: float) -> bool:
    """Take a Whoosh lock (a file lock, or a threading lock in memory),
    waiting up to ``timeout`` seconds; whether it was taken. Polls without
    blocking: Whoosh's own ``try_for`` calls ``acquire()`` with no
    argument, which on a threading lock blocks for ever, timeout or not."""
    deadline = time.monotonic() + timeout
    while not lock.acquire(False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def open_directory(path: str | os.PathLike[str], schema: fields.Schema, meta: dict[str, Any],
                   *, create: bool, lock_timeout: float = 30.0) -> OpenedIndex:
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
            path.mkdir(parents=True, exist_ok=True)  # another process may create it too
        except OSError as e:
            raise IndexOpenError(f"cannot create the index directory {path}: "
                                 f"{e.strerror or e}") from None

    storage = DurableFileStorage(str(path))
    if not _has_index(path):
        created = _create(storage, path, schema, meta, create, lock_timeout)
        if created is not None:
            return created
    stored_meta = _read_meta(path)
    if stored_meta is None:
        raise SchemaMismatchError(
            f"{path} holds a Whoosh index that arsearch did not write; open it with Whoosh, "
            "or index your articles into a new directory with `arsearch index`")
    version = stored_meta.get("format")
    if version != FORMAT_VERSION:
        raise SchemaMismatchError(
            f"{path} was written in arsearch index format {version!r}; this version reads "
            f"format {FORMAT_VERSION}. Rebuild the index with `arsearch index`")
    ix, stored_schema = _open_whoosh(storage, path)
    if schema_pipeline(stored_schema) is None:
        raise SchemaMismatchError(
            f"{path} holds an index with another schema (fields "
            f"{sorted(stored_schema.names())}); rebuild it with `arsearch index` into a new "
            "directory")
    return OpenedIndex(ix, path, stored_meta, False, stored_schema)


def _refuse_unless_empty(path: Path, allow_index_files: bool) -> None:
    # Before taking the lock, Whoosh's own files may be another process
    # creating the index right now; under the lock they may not.
    if not all(_is_leftover(p.name) or (allow_index_files and (
            _SEGMENT_NAME.match(p.name) or _TOC_NAME.match(p.name))) for p in path.iterdir()):
        raise IndexOpenError(
            f"{path} is not an index and is not empty; choose a new or empty directory "
            "for the index")


def _create(storage: FileStorage, path: Path, schema: fields.Schema, meta: dict[str, Any],
            create: bool, lock_timeout: float) -> OpenedIndex | None:
    """Create a new index in ``path``, holding the write lock: two processes
    creating one at once each deleted the other's first table of contents
    (one of them failed, or lost its first commit). ``None`` when another
    process created the index meanwhile: open that one."""
    if not create:
        # Opening only: a directory of other files is not an index, which is
        # what to say (not "choose a new or empty directory", a creation hint).
        others = sorted(p.name for p in path.iterdir() if not _is_leftover(p.name))
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            raise IndexOpenError(
                f"{path} is not an arsearch index (it holds {shown}); give the directory of "
                f"an index, or build one with `arsearch index SOURCES --index NEW_DIR`")
        raise IndexOpenError(
            f"no index in {path}; create one with `arsearch index SOURCES --index {path}`")
    _refuse_unless_empty(path, allow_index_files=True)  # before making a lock file in it
    if not os.access(path, os.W_OK):
        raise IndexOpenError(f"cannot create an index in {path}: the directory is read-only")
    lock = storage.lock(WRITE_LOCK)
    try:
        if not acquire_lock(lock, lock_timeout):
            raise IndexLockedError(
                f"another process held {path} for more than {lock_timeout:g} s while "
                "creating the index; try again later, or pass a larger lock_timeout")
        try:
            if _has_index(path):
                return None
            _refuse_unless_empty(path, allow_index_files=False)
            # arsearch.json first: a process killed between the two steps
            # then leaves a directory that counts as empty, not a Whoosh
            # index without arsearch.json, which was refused as "not
            # written by arsearch" at every later open.
            _write_meta(path, {"format": FORMAT_VERSION, **meta})
            with quiet():
                ix = storage.create_index(schema)
        finally:
            lock.release()
    except OSError as e:
        if isinstance(e, IndexOpenError | IndexLockedError):
            raise
        raise IndexOpenError(f"cannot create an index in {path}: {e.strerror or e}") from None
    return OpenedIndex(ix, path, {"format": FORMAT_VERSION, **meta}, True, schema)
