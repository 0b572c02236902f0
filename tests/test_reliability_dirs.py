"""Directories that are not a usable arsearch index: each one gets an
IndexOpenError (or its subclass SchemaMismatchError) saying what to do,
never a pickle, struct or Whoosh exception, and the directory is left as it
was."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest
from whoosh import fields, index as whoosh_index

import arsearch
from arsearch import IndexOpenError, SchemaMismatchError

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
import reliability_child as child  # noqa: E402


def open_fails(path: Path, error: type[IndexOpenError], match: str, **kwargs) -> str:
    """Opening ``path`` (and reading it) raises ``error`` whose message
    matches ``match``, shows no Whoosh traceback, and changes no file."""
    before = listing(path)
    with pytest.raises(IndexOpenError) as info:
        len(arsearch.Index(path, **kwargs))
    assert isinstance(info.value, error), info.value
    message = str(info.value)
    assert re.search(match, message, re.IGNORECASE), message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None
    assert listing(path) == before
    return message


def listing(path: Path) -> dict[str, bytes] | None:
    if not path.exists():
        return None
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """A good arsearch index of 10 articles, in two segments."""
    path = tmp_path / "index"
    with arsearch.Index(path) as ix:
        ix.add(child.articles(0, 10), batch_size=5)
    return path


def test_a_directory_holding_other_files_is_not_taken(tmp_path: Path) -> None:
    other = tmp_path / "photos"
    other.mkdir()
    (other / "notes.txt").write_text("mine", "utf-8")
    open_fails(other, IndexOpenError, "not an index and is not empty; choose a new or empty")


def test_a_whoosh_index_of_another_schema_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "whoosh"
    plain.mkdir()
    whoosh_index.create_in(str(plain), fields.Schema(title=fields.TEXT(stored=True)))
    open_fails(plain, SchemaMismatchError, "arsearch did not write.*new directory")
    # Even with an arsearch.json beside it, the schema gives it away.
    (plain / "arsearch.json").write_text(json.dumps({"format": 1}), "utf-8")
    open_fails(plain, SchemaMismatchError, r"another schema \(fields \['title'\]\); rebuild")


@pytest.mark.parametrize("meta", [{"format": 2}, {"format": "1"}, {}])
def test_an_index_of_another_format_version_is_refused(index: Path, meta: dict) -> None:
    stored = json.loads((index / "arsearch.json").read_text("utf-8"))
    stored.pop("format")
    (index / "arsearch.json").write_text(json.dumps({**stored, **meta}), "utf-8")
    open_fails(index, SchemaMismatchError, f"format {meta.get('format')!r};.*Rebuild")


def test_a_missing_directory_is_not_created_with_create_false(tmp_path: Path) -> None:
    open_fails(tmp_path / "nowhere", IndexOpenError, "does not exist; create one", create=False)
    assert not (tmp_path / "nowhere").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    open_fails(empty, IndexOpenError, "no index in .*create one", create=False)


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "index.txt"
    file.write_text("not a directory", "utf-8")
    open_fails(file, IndexOpenError, "is a file, not an index directory")


@pytest.mark.parametrize("content", [b'{"format": 1,', b"[1, 2]", b"", b"\xff\xfe\x00garbage",
                                     b'"format"'])
def test_a_damaged_arsearch_json_is_reported(index: Path, content: bytes) -> None:
    (index / "arsearch.json").write_bytes(content)
    open_fails(index, IndexOpenError, "arsearch.json is damaged.*rebuild")


def _toc(index: Path) -> Path:
    (toc,) = index.glob("_MAIN_*.toc")
    return toc


def test_a_truncated_table_of_contents_is_reported_at_any_length(index: Path) -> None:
    toc = _toc(index)
    data = toc.read_bytes()
    # Every length through the header and the start of the schema, then
    # about 200 more up to one byte short.
    for length in sorted({*range(64), *range(64, len(data), max(1, len(data) // 200)),
                          len(data) - 1}):
        toc.write_bytes(data[:length])
        open_fails(index, IndexOpenError, "restore it from a backup or rebuild")
    toc.write_bytes(data)
    assert len(arsearch.Index(index)) == 10


@pytest.mark.parametrize("seed", range(20))
def test_a_garbage_table_of_contents_is_reported(index: Path, seed: int) -> None:
    toc = _toc(index)
    rng = random.Random(seed)
    data = bytearray(toc.read_bytes())
    if seed == 0:
        data = bytearray(len(data))  # all zeros
    elif seed < 10:
        data = bytearray(rng.randbytes(len(data)))
    else:  # the header kept, the pickled schema and segments damaged
        for _ in range(8):
            data[rng.randrange(20, len(data))] = rng.randrange(256)
    toc.write_bytes(bytes(data))
    try:
        ix = arsearch.Index(index)
        # A damage the checks cannot see may leave a readable index; it must
        # then behave as one.
        ix.search("مطر")
        len(ix)
    except IndexOpenError as e:
        assert "rebuild" in str(e) or "Rebuild" in str(e)


@pytest.mark.parametrize("damage", ["missing", "truncated", "zeros"])
def test_a_damaged_segment_file_is_reported(index: Path, damage: str) -> None:
    segment = sorted(index.glob("MAIN_*.seg"))[0]
    if damage == "missing":
        segment.unlink()
    elif damage == "truncated":
        segment.write_bytes(segment.read_bytes()[:100])
    else:
        segment.write_bytes(bytes(segment.stat().st_size))
    open_fails(index, IndexOpenError, "damaged or missing: restore it from a backup or rebuild")
