"""The cluster benchmark (``benchmarks/cluster.py``): its ``--quick`` run
measures both systems, finds the sharded index's top 10 equal to one
index's for every query, and writes its report; its CPU accounting of a
process tree is right. Behaviour only, never a time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import cluster  # noqa: E402
from benchmarks.common import data_available  # noqa: E402


def test_tree_cpu_counts_children_alive_and_reaped():
    # A child that burns CPU and exits: while it runs, it is counted as
    # itself; once reaped, in this process's children's time.
    before = cluster.tree_cpu_seconds(cluster.os.getpid())
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nend = time.process_time() + 0.6\n"
                              "while time.process_time() < end: pass\n"
                              "time.sleep(30)"])
    try:
        deadline = time.monotonic() + 120   # a guard against hanging, on a loaded machine
        while cluster.tree_cpu_seconds(cluster.os.getpid()) - before < 0.5:
            assert time.monotonic() < deadline, "the child's CPU was never counted"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()
    assert cluster.tree_cpu_seconds(cluster.os.getpid()) - before >= 0.5


def test_exactness_compares_ids_in_order_and_scores():
    single = {"top": {"q1": [["a", 2.0], ["b", 1.0]], "q2": [["c", 1.0]], "q3": [["d", 1.0]]}}
    sharded = {"top": {"q1": [["a", 2.0], ["b", 1.0 + 1e-12]], "q2": [["c", 1.1]],
                       "q3": [["e", 1.0]]}}
    result = cluster.compare(single, sharded)
    assert result["same"] == 1 and result["queries"] == 3
    assert result["differing"] == ["q2", "q3"]
    assert result["max_score_difference"] == pytest.approx(0.1)


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.cluster
def test_quick_run_measures_both_and_finds_the_same_results(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed; the cluster benchmark needs the "
                                      "cluster extra: pip install -e \".[test,cluster]\"")
    if not data_available("saudinewsnet", "arwiki_qa"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    out, report = tmp_path / "cluster.json", tmp_path / "report.md"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "cluster.py"), "--quick",
                           "--work", str(tmp_path / "work"), "--json", str(out),
                           "--out", str(report), "--batch-size", "150"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    payload = json.loads(out.read_text("utf-8"))
    assert payload["articles"] == cluster.QUICK_ARTICLES and payload["shards"] == 2
    exact = payload["exactness"]
    assert exact["queries"] == cluster.QUICK_QUERIES == exact["same"]
    for system in cluster.SYSTEMS:
        result = payload["results"][system]
        assert result["complete"] and result["added"] == cluster.QUICK_ARTICLES
        assert result["build_cpu_s"] > 0 and result["build_wall_s"] > 0
        assert 0 < result["ids_p50_ms"] <= result["ids_p95_ms"]
        assert 0 < result["search_p50_ms"] <= result["search_p95_ms"]
    sharded = payload["results"]["sharded"]
    assert 0 < sharded["phase1_p50_ms"] <= sharded["phase1_p95_ms"]
    # Three batches of 150 articles over two shards: the shards did the work.
    assert sharded["build_shard_cpu_s"] > sharded["build_driver_cpu_s"]
    assert sharded["tree_processes"] > payload["results"]["single"]["tree_processes"]
    text = report.read_text("utf-8")
    assert text.startswith(f"## {cluster.SECTION_TITLE}")
    assert f"for **{cluster.QUICK_QUERIES} of {cluster.QUICK_QUERIES}** queries" in text
    assert "phase 1 alone (statistics round trip) p50, ms" in text
    assert not (tmp_path / "work" / f"sharded-{cluster.QUICK_ARTICLES}").exists()
