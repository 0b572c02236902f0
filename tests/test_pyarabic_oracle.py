"""pyarabic as a test oracle (it is GPL: used by the tests only, never by arsearch).

Where pyarabic's helpers implement part of our spec, we must agree with
them; where they fall into the documented traps, we must deliberately differ.
"""

from __future__ import annotations

import pytest

from arsearch import ArabicNormalizer, normalize

araby = pytest.importorskip("pyarabic.araby")

# Words with harakat, tanween, shadda and sukun only (no U+0670, no letters
# our other rules rewrite), so pyarabic's strip_tashkeel covers the spec.
TASHKEEL_WORDS = ["كَتَبَ", "مُدَرِّسٌ", "مِنْ", "شُكْرًا", "يَدْرُسُونَ", "قَلَمٍ", "سَمِعَ", "الشَّمْسُ"]
TATWEEL_WORDS = ["الســـلام", "جميـــل", "كـتـاب", "مـــدرس"]
LIGATURES = ["ﻻ", "ﻷ", "ﻹ", "ﻵ"]              # isolated forms: pyarabic handles these
FINAL_LIGATURES = ["ﻼ", "ﻸ", "ﻺ", "ﻶ"]        # final forms: pyarabic leaves them


@pytest.mark.parametrize("word", TASHKEEL_WORDS)
def test_agrees_with_strip_tashkeel(word):
    assert ArabicNormalizer(steps=["diacritics"])(word) == araby.strip_tashkeel(word)
    assert normalize(word) == araby.strip_tashkeel(word)


@pytest.mark.parametrize("word", TATWEEL_WORDS)
def test_agrees_with_strip_tatweel(word):
    assert ArabicNormalizer(steps=["tatweel"])(word) == araby.strip_tatweel(word)
    assert normalize(word) == araby.strip_tatweel(word)


@pytest.mark.parametrize("ligature", LIGATURES)
def test_agrees_with_normalize_ligature_after_alef_folding(ligature):
    # pyarabic drops the hamza/madda of ﻷ ﻹ ﻵ; NFKC keeps it and our alef rule folds it
    assert normalize(ligature) == araby.normalize_ligature(ligature) == "لا"


@pytest.mark.parametrize("ligature", FINAL_LIGATURES)
def test_folds_final_form_ligatures_that_normalize_ligature_leaves(ligature):
    assert araby.normalize_ligature(ligature) == ligature
    assert normalize(ligature) == "لا"


@pytest.mark.parametrize("word, ours", [
    pytest.param("مؤتمر", "مؤتمر", id="hamza-on-waw"),
    pytest.param("سئل", "سئل", id="hamza-on-yeh"),
    pytest.param("أحمد", "احمد", id="hamza-on-alef"),
    pytest.param("إسلام", "اسلام", id="hamza-under-alef"),
])
def test_differs_from_normalize_hamza(word, ours):
    """pyarabic's normalize_hamza turns أ إ ؤ ئ into a bare ء."""
    assert "ء" in araby.normalize_hamza(word)
    assert normalize(word) == ours
    assert "ء" not in normalize(word)


@pytest.mark.parametrize("word, ours", [
    pytest.param("فى", "في", id="fi"),
    pytest.param("على", "علي", id="ala"),
    pytest.param("مستشفى", "مستشفي", id="mustashfa"),
])
def test_differs_from_normalize_alef_on_alef_maqsura(word, ours):
    """pyarabic's normalize_alef maps ى to ا, so فى becomes فا."""
    assert araby.normalize_alef(word).endswith("ا")
    assert normalize(word) == ours


@pytest.mark.parametrize("word, ours", [
    pytest.param("هٰذا", "هذا", id="hadha"),
    pytest.param("الرَّحْمٰنِ", "الرحمن", id="rahman"),
    pytest.param("لٰكِن", "لكن", id="lakin"),
])
def test_differs_from_strip_tashkeel_on_superscript_alef(word, ours):
    """pyarabic's strip_tashkeel leaves U+0670 (superscript alef) in place."""
    assert "\u0670" in araby.strip_tashkeel(word)
    assert normalize(word) == ours
