"""The stream of records every reader returns, and what the readers share:
checking paths, opening files, and telling text from binary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, Union

from ..errors import DocumentError, SettingsError

#: How many skipped items a :class:`Records` keeps in ``skipped``.
MAX_SKIPPED_KEPT = 1000

PathArg = Union[str, "os.PathLike[str]"]
ErrorSink = Callable[[DocumentError], None]

BOM = "\ufeff"
_ERROR_MODES = ("raise", "skip")

#: The first bytes of files that are not text, and what they are. A CSV or
#: JSON file that starts with one of these was saved in the wrong format.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook or an OpenDocument "
                    "spreadsheet?); save it as 'CSV UTF-8' first"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (an Excel .xls workbook?); save it "
                          "as 'CSV UTF-8' first"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first (gunzip)"),
    (b"BZh", "bzip2-compressed; decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed; decompress it first (unxz)"),
    (b"%PDF", "a PDF document, not text"),
    (b"\xff\xfe", "UTF-16 text (as Excel's 'Unicode Text' saves it); re-save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text; re-save it as UTF-8"),
)


class Records(Iterator[dict[str, Any]]):
    """The lazy stream of article records a reader returns.

    Iterate it (once) to get the records. With ``errors="skip"``, the items
    that were dropped are reported here:

    ``skipped``
        the :class:`~arsearch.DocumentError` of each dropped line, row or
        file, in input order (the first :data:`MAX_SKIPPED_KEPT` of them);
    ``skip_count``
        how many were dropped in all.

    Both grow while iterating, so a progress display can watch them. The open
    file is closed when the stream is exhausted, on :meth:`close`, or at the
    end of a ``with`` block. :meth:`count_records` counts the records ahead,
    for a progress bar's total.
    """

    def __init__(self, errors: str = "raise"):
        self.errors = check_errors(errors)
        self.skipped: list[DocumentError] = []
        self.skip_count = 0
        self._gen: Iterator[dict[str, Any]] = iter(())
        self._counter: Callable[[], int | None] = lambda: None

    def _report(self, err: DocumentError) -> None:
        """Raise ``err`` (``errors="raise"``) or record it as skipped."""
        if self.errors == "raise":
            raise err
        self.skip_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(err)

    def count_records(self) -> int | None:
        """How many records the sources hold, by a quick pass over them that
        builds no records and checks nothing (a line count for JSON Lines,
        a row count for CSV, one per saved page): a total for a progress
        bar. Broken records are counted too. ``None`` when reading
        standard input, which cannot be read twice.
        """
        return self._counter()

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> dict[str, Any]:
        return next(self._gen)

    def close(self) -> None:
        """Stop reading and close the underlying file."""
        close = getattr(self._gen, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} errors={self.errors!r} skip_count={self.skip_count}>"


def check_errors(errors: str) -> str:
    if errors not in _ERROR_MODES:
        raise SettingsError(f"errors must be 'raise' or 'skip', got {errors!r}")
    return errors


def is_stdin(path: Any) -> bool:
    return isinstance(path, str) and path == "-"


def check_file(path: PathArg) -> str:
    """The path as a str, once it is known to be an existing file."""
    if not isinstance(path, (str, os.PathLike)):
        raise SettingsError(f"expected a path, got {type(path).__name__}")
    name = os.fspath(path)
    if not isinstance(name, str):
        raise SettingsError(f"expected a str path, got {type(name).__name__}")
    if os.path.isdir(name):
        raise DocumentError(f"{name} is a folder, not a file (use read_articles for folders)")
    if not os.path.exists(name):
        raise DocumentError(f"no such file: {name}")
    return name


class _StdinBinary:
    """Standard input as a binary line source that is not closed after use."""

    def __enter__(self) -> IO[bytes]:
        return sys.stdin.buffer

    def __exit__(self, *exc: object) -> None:
        return None


def open_binary(path: PathArg, name: str) -> Any:
    if is_stdin(path):
        return _StdinBinary()
    try:
        return open(path, "rb")
    except OSError as e:
        raise DocumentError(f"cannot read {name}: {e.strerror or e}") from e


def binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is, when it is not UTF-8 text
    (``None`` when it may be text)."""
    for signature, kind in BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\x00" in head:
        return "binary data, not text"
    return None


def check_text_start(head: bytes, name: str) -> None:
    """Raise :class:`~arsearch.DocumentError` when a file starting with
    ``head`` is binary (a workbook, an archive, UTF-16 text)."""
    kind = binary_kind(head)
    if kind is not None:
        raise DocumentError(f"{name} is not a UTF-8 text file: it looks like {kind}")


def not_utf8(where: str, err: UnicodeDecodeError | None, *, record: Any = None) -> DocumentError:
    detail = f" (byte {err.start})" if err is not None else ""
    return DocumentError(f"not UTF-8 text{detail}; re-save the file as UTF-8 (Arabic files "
                         "saved by Excel or older tools are often Windows-1256: "
                         "iconv -f WINDOWS-1256 -t UTF-8 converts them)",
                         record=where if record is None else record)
