"""Smoke test of the load benchmark: ``benchmarks/load.py --quick`` runs in a
subprocess (a writer and a searching reader), exits 0 and reports every
measure. It checks behaviour only, never a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.load import article_code, synthetic_article  # noqa: E402

KEYS = ("articles", "final_count", "count_ok", "spot_check_ok", "reader_ok", "searches",
        "search_p50_ms", "search_p95_ms", "rss_start_mb", "rss_end_mb", "rss_peak_mb",
        "articles_per_s", "add_seconds", "commits", "environment")


@pytest.mark.slow
def test_load_quick(tmp_path: Path) -> None:
    out, report = tmp_path / "load.json", tmp_path / "report.md"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "load.py"), "--quick",
                           "--json", str(out), "--out", str(report)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text("utf-8"))
    assert set(KEYS) <= set(result)
    assert result["final_count"] == result["articles"] == 1000
    assert result["count_ok"] and result["spot_check_ok"] and result["reader_ok"]
    assert result["searches"] > 0
    assert result["rss_peak_mb"] >= result["rss_start_mb"] > 0
    text = report.read_text("utf-8")
    assert text.startswith("## Load (benchmarks/load.py)")
    for key in ("| articles added / final count | 1,000 / 1,000 |", "| search p50, ms |",
                "| search p95, ms |", "| writer RSS start / end / peak after a batch, MB |",
                "| throughput, articles/s |", "PASS: every article added is in the index"):
        assert key in text
    assert text.strip() in done.stdout


def test_synthetic_articles_are_deterministic_and_coded() -> None:
    first, again = synthetic_article(41), synthetic_article(41)
    assert first == again
    assert first["id"] == "a0000041" and article_code(41) in first["body"]
    assert synthetic_article(42)["body"] != first["body"]
    assert len({article_code(n) for n in range(0, 16**5, 997)}) == len(range(0, 16**5, 997))
