"""The spelling-suggestion benchmark: its typo model on words written for
this test, and a ``--quick`` smoke run on the real question sets when
``../shared/data`` is there. Nothing here is timed."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import data_available  # noqa: E402
from benchmarks.suggest import NEAR, typo  # noqa: E402


def test_a_typo_is_one_edit_of_a_known_kind():
    rng = random.Random(7)
    kinds = set()
    for _ in range(400):
        made = typo("المستشفى", rng)
        if made is None:
            continue
        wrong, kind = made
        kinds.add(kind)
        assert wrong != "المستشفى" or kind == "insert"
        assert abs(len(wrong) - len("المستشفى")) <= 1
        if kind == "transpose":
            assert sorted(wrong) == sorted("المستشفى")
    assert kinds == {"substitute", "delete", "insert", "transpose"}


def test_a_substitution_uses_a_neighbouring_key_or_a_sound_alike_letter():
    rng = random.Random(3)
    for _ in range(300):
        made = typo("صبر", rng)
        if made and made[1] == "substitute":
            wrong = made[0]
            i = next(i for i, (a, b) in enumerate(zip("صبر", wrong)) if a != b)
            assert wrong[i] in NEAR["صبر"[i]]
    assert {"ض", "ث", "س", "ش"} <= NEAR["ص"]  # the keys around it (س and ث sound alike too)
    assert "ظ" in NEAR["ض"] and "ذ" in NEAR["ز"]


def test_the_same_seed_makes_the_same_typos():
    words = ["الحكومة", "المفاوضات", "الطاقة", "الشمسية"]
    first = [typo(w, random.Random(11)) for w in words]
    assert first == [typo(w, random.Random(11)) for w in words]


@pytest.mark.slow
@pytest.mark.shared_data
def test_suggest_quick_runs_both_question_sets(tmp_path):
    if not data_available("arwiki_qa", "quranqa23"):
        pytest.skip("../shared/data is absent (set ARSEARCH_DATA)")
    report = tmp_path / "report.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "suggest.py"), "--quick", "--ablate", "costs",
         "--out", str(report)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.strip() == report.read_text("utf-8").strip()
    assert out.startswith("## Spelling suggestions (benchmarks/suggest.py)")
    for key in ("| set | setting | questions | mistyped | corrected | wrong | none | "
                "precision | false alarms |",
                "| arwiki_qa | default |", "| quranqa23 | default |",
                "| arwiki_qa | uniform edit costs |",
                "| set | nDCG original | nDCG mistyped | nDCG mistyped+suggestion |",
                "| set | mistake | cases | corrected | wrong | none |"):
        assert key in out
    rows = [line.split(" | ") for line in out.splitlines()
            if line.startswith("| arwiki_qa | default |")]
    questions, mistyped = int(rows[0][2]), int(rows[0][3])
    assert 0 < mistyped <= questions <= 150
    rates = [float(x) for x in rows[0][4:7]]
    assert sum(rates) == pytest.approx(1.0, abs=0.002)
    assert rates[0] > 0  # some mistyped words are corrected
