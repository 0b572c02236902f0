"""Smoke tests of the speed benchmarks: each script runs with ``--quick`` and
prints its tables. They check behaviour only; the scripts measure, these
tests never time anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from arsearch.index.writing import DEFAULT_BATCH_SIZE

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import data_available, percentile, write_section  # noqa: E402


def run_quick(script: str, tmp_path: Path, *extra: str) -> tuple[str, str]:
    """Run ``benchmarks/<script> --quick --out FILE``; its stdout and FILE."""
    if not data_available("saudinewsnet", "arwiki_qa"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    out = tmp_path / "report.md"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), "--quick",
                           "--out", str(out), *extra],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout, out.read_text("utf-8")


@pytest.mark.slow
@pytest.mark.shared_data
def test_analyzer_speed_quick(tmp_path: Path) -> None:
    stdout, report = run_quick("analyzer_speed.py", tmp_path)
    assert report.strip() == stdout.strip()
    assert report.startswith("## Analyzer speed (benchmarks/analyzer_speed.py)")
    assert "Command: `python benchmarks/analyzer_speed.py --quick --out" in report
    for key in ("| date | python | arsearch | whoosh | pystemmer | machine |",
                "| analyzer | pass | MB/s | tokens/s | tokens | median s | time / Whoosh |",
                "| arsearch ArabicAnalyzer | cold: fresh analyzer, first pass |",
                "| arsearch ArabicAnalyzer | warm: same analyzer, second pass |",
                "| Whoosh StandardAnalyzer |", "Ratio arsearch / Whoosh time, cold:",
                "PyStemmer installed:"):
        assert key in report


@pytest.mark.slow
@pytest.mark.shared_data
def test_speed_quick(tmp_path: Path) -> None:
    stdout, report = run_quick("speed.py", tmp_path, "--batch-sizes", "500,2000", "--profile")
    assert report.startswith("## Speed (benchmarks/speed.py)")
    for key in ("Load average at start", "arsearch source: `",
                f"### Index build: saudinewsnet, 200 articles, batch size {DEFAULT_BATCH_SIZE}",
                "| engine | build s (median) | min–max s | docs/s |",
                "| arsearch Index |", "| Whoosh StandardAnalyzer |",
                "Build time arsearch / Whoosh:",
                "### Analyzer throughput", "| analyzer | pass | MB/s |",
                "### Query latency: mixed index (400 documents",
                "first 50 arwiki_qa questions",
                "| engine | median ms | p95 ms |", "arsearch median:",
                "### arsearch build by batch size",
                "| batch_size | build s | docs/s |", "| 500 |", "| 2,000 |",
                "### Profile of one arsearch build", "| own time in | s | share |",
                "top 25 by cumulative", "top 25 by tottime", "arsearch/index/index.py"):
        assert key in stdout
        assert key in report


def test_write_section_replaces_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "bench.md"
    doc.write_text("# Benchmarks\n\n## A\n\nold a\n\n## B\n\nb\n", "utf-8")
    write_section(doc, "## A\n\nnew a")
    write_section(doc, "## C\n\nc")
    write_section(doc, "## C\n\nc2")
    assert doc.read_text("utf-8") == "# Benchmarks\n\n## A\n\nnew a\n\n## B\n\nb\n\n## C\n\nc2\n"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0
