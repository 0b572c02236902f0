"""The parts of a sharded index that need no Ray: routing ids to shards, the
manifest of a sharded root, partial results, the CLI's choice of index, and
that arsearch never imports Ray unless a ShardedIndex opens."""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter

import pytest

import arsearch
from arsearch.cli import build_parser
from arsearch.cluster import ShardedResults, is_sharded_root, shard_of
from arsearch.cluster.cli import open_index
from arsearch.cluster.routing import (MANIFEST_FILE, Manifest, check_paths, read_manifest,
                                      write_manifest)

# --------------------------------------------------------------------------
# Routing


# Pinned: these must never change, or a sharded index built before would
# look for its articles in the wrong shards (the routing version in the
# manifest would have to change with them).
PINNED = {("article-1", 2): 0, ("article-1", 4): 2, ("42", 3): 0, ("خبر-٧", 5): 2,
          ("syn-0000001", 2): 0, ("x", 1): 0, ("مقال", 3): 1,
          ("syn-0000002", 3): 1}


@pytest.mark.parametrize(("key", "expected"), PINNED.items())
def test_routing_is_pinned(key, expected):
    article_id, shards = key
    assert shard_of(article_id, shards) == expected


def test_routing_is_blake2b_of_the_utf8_id_modulo_the_shard_count():
    for article_id in ["a", "مقال ١", "syn-0000123", "😀"]:
        digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
        for shards in (1, 2, 3, 7, 64):
            assert shard_of(article_id, shards) == int.from_bytes(digest, "big") % shards


def test_integer_ids_route_as_their_string():
    # Index stores the id 7 as "7"; get(7) and get("7") must reach one shard.
    assert all(shard_of(i, 5) == shard_of(str(i), 5) for i in range(200))


def test_routing_is_the_same_in_another_process():
    ids = [f"id-{i}" for i in range(50)] + ["مقال"]
    code = ("import json, sys; from arsearch.cluster import shard_of; "
            "print(json.dumps([shard_of(i, 7) for i in json.loads(sys.argv[1])]))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(ids)], capture_output=True,
                         text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert json.loads(out.stdout) == [shard_of(i, 7) for i in ids]


def test_routing_spreads_ids_evenly():
    counts = Counter(shard_of(f"article-{i}", 4) for i in range(8000))
    assert set(counts) == {0, 1, 2, 3}
    assert max(counts.values()) - min(counts.values()) < 300   # about 2000 each


def test_an_id_with_a_lone_surrogate_routes_without_error():
    # Index rejects such ids, but get() and `in` must answer, not crash.
    assert 0 <= shard_of("bad\ud800", 3) < 3


# --------------------------------------------------------------------------
# The manifest


def test_manifest_round_trips_and_marks_the_root(tmp_path):
    root = tmp_path / "root"
    assert not is_sharded_root(root)
    manifest = Manifest(shards=3, placement="resources")
    write_manifest(root, manifest)
    assert is_sharded_root(root)
    again = read_manifest(root)
    assert again == manifest
    assert again.directories == ["shard-000", "shard-001", "shard-002"]
    data = json.loads((root / MANIFEST_FILE).read_text("utf-8"))
    assert data["routing"]["hash"] == "blake2b" and data["routing"]["version"] == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"format": "other"}, "unknown format"),
    ({"version": 99}, "manifest version 99"),
    ({"routing": {"version": 2}}, "routing version 2"),
    ({"shards": 3}, "shard count and directories disagree"),
    ({"placement": 7}, "bad placement"),
])
def test_a_damaged_or_foreign_manifest_is_refused_with_a_reason(tmp_path, change, message):
    write_manifest(tmp_path, Manifest(shards=2))
    path = tmp_path / MANIFEST_FILE
    data = json.loads(path.read_text("utf-8"))
    data.update(change)
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(arsearch.IndexOpenError, match=message):
        read_manifest(tmp_path)


def test_a_manifest_that_is_not_json_is_refused(tmp_path):
    (tmp_path / MANIFEST_FILE).write_text("{not json", "utf-8")
    with pytest.raises(arsearch.IndexOpenError, match="damaged"):
        read_manifest(tmp_path)


def test_shard_paths_are_made_absolute_and_distinct(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_paths(["a", "b"]) == [tmp_path / "a", tmp_path / "b"]
    with pytest.raises(arsearch.SettingsError, match="share one directory"):
        check_paths(["a", str(tmp_path / "a")])
    with pytest.raises(arsearch.SettingsError, match="at least one"):
        check_paths([])


# --------------------------------------------------------------------------
# Partial results


def test_complete_results_print_as_an_index_s_do(sample_index):
    hits = list(sample_index.search("المفاوضات"))
    plain = arsearch.Results(hits, query="المفاوضات", total=len(hits), page=1, limit=10)
    sharded = ShardedResults(hits, query="المفاوضات", total=len(hits), page=1, limit=10)
    assert not sharded.partial and sharded.missing_shards == ()
    assert str(sharded) == str(plain) and repr(sharded) == repr(plain)
    assert sharded.ids == plain.ids and sharded.to_dicts() == plain.to_dicts()
    assert isinstance(sharded, arsearch.Results)


def test_partial_results_say_which_shards_are_missing(sample_index):
    hits = list(sample_index.search("المفاوضات"))[:2]
    r = ShardedResults(hits, query="المفاوضات", total=2, page=1, limit=10,
                       missing_shards=[3, 1])
    assert r.partial and r.missing_shards == (1, 3)
    lines = str(r).splitlines()
    assert lines[1] == "PARTIAL: shards 1, 3 did not answer; their articles are missing"
    assert "PARTIAL" in repr(r) and r.ids == [h.id for h in hits]


# --------------------------------------------------------------------------
# Imports and the command line


def test_importing_arsearch_and_its_cli_does_not_import_ray():
    code = ("import sys, arsearch, arsearch.cli, arsearch.cluster; "
            "assert arsearch.ShardedIndex is arsearch.cluster.ShardedIndex; "
            "print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_without_ray_a_sharded_index_says_how_to_install_it(tmp_path):
    # Ray hidden, as on an installation without the cluster extra.
    code = ("import sys; sys.modules['ray'] = None; import arsearch\n"
            "try:\n"
            f"    arsearch.ShardedIndex({str(tmp_path / 'root')!r}, shards=2)\n"
            "except arsearch.ArsearchError as e:\n"
            "    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ClusterUnavailableError")
    assert 'pip install "arsearch[cluster]"' in out.stdout
    assert not (tmp_path / "root").exists()


def test_cli_opens_a_plain_index_unless_the_root_is_sharded(tmp_path):
    parser = build_parser()
    args = parser.parse_args(["search", "مطر", "--index", str(tmp_path / "plain")])
    with arsearch.Index(tmp_path / "plain") as ix:
        ix.add({"id": "1", "headline": "مطر"})
    with open_index(args, create=False) as ix:
        assert isinstance(ix, arsearch.Index) and len(ix) == 1


def test_cli_refuses_cluster_options_for_a_plain_index(tmp_path):
    args = build_parser().parse_args(["search", "مطر", "--index", str(tmp_path),
                                      "--address", "auto"])
    with pytest.raises(arsearch.SettingsError, match="not a sharded index"):
        open_index(args, create=False)


def test_cli_index_command_takes_the_shard_options():
    args = build_parser().parse_args(["index", "a.jsonl", "--index", "root", "--shards", "3",
                                      "--address", "auto", "--placement", "resources"])
    assert (args.shards, args.address, args.placement) == (3, "auto", "resources")
    assert isinstance(args, argparse.Namespace)
    for command in (["search", "q"], ["more-like", "1"], ["stats"]):
        parsed = build_parser().parse_args([*command, "--index", "r", "--address", "h:1"])
        assert parsed.address == "h:1" and not hasattr(parsed, "shards")
