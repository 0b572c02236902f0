"""Golden tests for the Arabic analyzer.

Every expected value below was written from the specification (the issue
that defines ``normalize``, ``light_stem``, the tokenizer, the stopword
lists and ``ArabicAnalyzer``), not copied from the code's output. Rows are
grouped by the rule they cite, and each row's ``id`` names that rule.

The big tables pin tokenization, normalization, stopwords and Light10
stems, so they run through an explicit Light10 pipeline without exact forms
(:data:`LIGHT10`), whatever the defaults are. The analyzer's defaults (the
``light10-snowball`` stemmer and exact forms) have their own group below
(``DEFAULT_ANALYZE_CASES`` and the tests after it).
"""

from __future__ import annotations

import pickle
import unicodedata
import warnings

import pytest
import snowballstemmer

import arsearch
from arsearch import (ArabicAnalyzer, ArabicNormalizer, Light10Stemmer, analyze, explain,
                      light_stem, normalize, tokenize)
from arsearch.analysis import (LIGHT10_PREFIXES, LIGHT10_SUFFIXES, NORMALIZATION_RULES,
                               RULE_ORDER, TermPipeline, arabic_query_stopwords,
                               arabic_stopwords, english_stopwords)
from arsearch.analysis.lexicon import Lexicon

LEXICON = Lexicon()

with warnings.catch_warnings():
    # Whoosh 2.7.4 predates Python 3.8 and warns about its own code.
    warnings.simplefilter("ignore")
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.qparser import QueryParser


def terms(analyzer, text, **kwargs):
    return [t.text for t in analyzer(text, **kwargs)]


#: The settings the big golden tables were written for: exact Light10 and
#: one term per word, without the lexicon (tests/test_lexicon.py has its own). Pass ``**LIGHT10_OPTIONS`` to ``ArabicAnalyzer`` and
#: ``pipeline=LIGHT10`` to ``analyze``/``explain``.
LIGHT10_OPTIONS = {"stemmer": "light10", "exact_forms": False, "lexicon": False}
LIGHT10 = TermPipeline(**LIGHT10_OPTIONS)


# ---------------------------------------------------------------------------
# Normalization: hand-written examples, at least one per rule.
# The id of each row starts with the rule (a key of NORMALIZATION_RULES, or
# "nfkc") that it cites; test_every_rule_has_a_handwritten_example checks it.
# ---------------------------------------------------------------------------

NORMALIZE_CASES = [
    # diacritics: harakat, tanween, shadda, sukun, superscript alef (U+064B–U+065F, U+0670)
    pytest.param("كَتَبَ", "كتب", id="diacritics-fatha"),
    pytest.param("الطالبُ", "الطالب", id="diacritics-damma"),
    pytest.param("المدينةِ", "المدينه", id="diacritics-kasra"),
    pytest.param("شكراً جزيلاً", "شكرا جزيلا", id="diacritics-tanween-fath"),
    pytest.param("كتابٌ وقلمٍ", "كتاب وقلم", id="diacritics-tanween-damm-kasr"),
    pytest.param("مدرّس", "مدرس", id="diacritics-shadda"),
    pytest.param("مِنْ", "من", id="diacritics-sukun"),
    pytest.param("هٰذا", "هذا", id="diacritics-superscript-alef-U+0670"),
    pytest.param("الرَّحْمٰنِ", "الرحمن", id="diacritics-all-marks-together"),
    pytest.param("سمع\u0655", "سمع", id="diacritics-hamza-below-U+0655"),
    # quranic_marks
    pytest.param("قال\u06D6", "قال", id="quranic_marks-small-high-ligature-U+06D6"),
    pytest.param("الرحيم\u06DA", "الرحيم", id="quranic_marks-small-high-jeem-U+06DA"),
    pytest.param("محمد\u0610", "محمد", id="quranic_marks-sallallahou-U+0610"),
    pytest.param("الكتاب\u06ED", "الكتاب", id="quranic_marks-small-low-meem-U+06ED"),
    # tatweel
    pytest.param("الســـلام", "السلام", id="tatweel-inside-word"),
    pytest.param("جميـــل", "جميل", id="tatweel-long-run"),
    # alef: أ إ آ ٱ → ا
    pytest.param("أحمد", "احمد", id="alef-hamza-above"),
    pytest.param("إسلام", "اسلام", id="alef-hamza-below"),
    pytest.param("آمن", "امن", id="alef-madda"),
    pytest.param("ٱلله", "الله", id="alef-wasla"),
    # hamza on waw and yeh is kept (pyarabic's normalize_hamza removes it)
    pytest.param("مؤتمر", "مؤتمر", id="alef-keeps-hamza-on-waw"),
    pytest.param("سئل", "سئل", id="alef-keeps-hamza-on-yeh"),
    pytest.param("سماء", "سماء", id="alef-keeps-bare-hamza"),
    # alef_maqsura: ى → ي (not ا)
    pytest.param("على", "علي", id="alef_maqsura-ala"),
    pytest.param("مستشفى", "مستشفي", id="alef_maqsura-word-final"),
    pytest.param("فى", "في", id="alef_maqsura-fi-not-fa"),
    # teh_marbuta: ة → ه
    pytest.param("مدرسة", "مدرسه", id="teh_marbuta-final"),
    pytest.param("هيئة", "هيئه", id="teh_marbuta-keeps-hamza-on-yeh"),
    # persian_letters: look-alikes typed on Persian/Urdu keyboards
    pytest.param("کتاب", "كتاب", id="persian_letters-keheh"),
    pytest.param("ڪتاب", "كتاب", id="persian_letters-swash-kaf"),
    pytest.param("ایران", "ايران", id="persian_letters-farsi-yeh"),
    pytest.param("مدرسہ", "مدرسه", id="persian_letters-heh-goal"),
    pytest.param("ھذا", "هذا", id="persian_letters-heh-doachashmee"),
    pytest.param("ۀ", "ه", id="persian_letters-heh-with-yeh-above"),
    # digits: Arabic-Indic and Extended Arabic-Indic → ASCII
    pytest.param("٢٠٢٣", "2023", id="digits-arabic-indic"),
    pytest.param("۱۴۰۲", "1402", id="digits-extended-arabic-indic"),
    pytest.param("٠١٢٣٤٥٦٧٨٩", "0123456789", id="digits-all-ten"),
    pytest.param("٣٫٥", "3.5", id="digits-decimal-separator"),
    pytest.param("١٬٠٠٠", "1,000", id="digits-thousands-separator"),
    # format_controls: zero-width and bidi controls
    pytest.param("سلا\u200bم", "سلام", id="format_controls-zwsp"),
    pytest.param("سلا\u200cم", "سلام", id="format_controls-zwnj"),
    pytest.param("سلا\u200dم", "سلام", id="format_controls-zwj"),
    pytest.param("\u200fمرحبا\u200e", "مرحبا", id="format_controls-rlm-lrm"),
    pytest.param("\u202bعربي\u202c", "عربي", id="format_controls-embedding-pop"),
    pytest.param("\u2067نص\u2069", "نص", id="format_controls-isolates"),
    pytest.param("\ufeffنص", "نص", id="format_controls-bom"),
    # nfkc: presentation forms and ligatures
    pytest.param("ﻻ", "لا", id="nfkc-lam-alef-ligature"),
    pytest.param("ﻷن", "لان", id="nfkc-lam-alef-hamza-ligature-then-alef"),
    pytest.param("ﻹ", "لا", id="nfkc-lam-alef-hamza-below-ligature"),
    pytest.param("ﺍﻟﺴﻼﻡ", "السلام", id="nfkc-presentation-forms"),
    pytest.param("ﷲ", "الله", id="nfkc-allah-ligature"),
    pytest.param("ﷺ", "صلي الله عليه وسلم", id="nfkc-salla-ligature-expands-to-words"),
    pytest.param("ا\u0654حمد", "احمد", id="nfkc-composes-decomposed-hamza-then-alef"),
    # deleting an invisible control must not leave text that NFKC would still change
    pytest.param("cafe\u200b\u0301", "caf\u00e9", id="nfkc-recomposes-after-deleting-control"),
    # whole texts: spacing, Latin and punctuation are kept
    pytest.param("إِلى مُسْتَشْفَى المدينةِ", "الي مستشفي المدينه", id="combined-sentence"),
    pytest.param("  نص  ", "  نص  ", id="combined-keeps-spacing"),
    pytest.param("Hello World، 42", "Hello World، 42", id="combined-latin-untouched"),
    pytest.param("", "", id="combined-empty"),
]


@pytest.mark.parametrize("text, expected", NORMALIZE_CASES)
def test_normalize_golden(text, expected):
    assert normalize(text) == expected


def test_every_rule_has_a_handwritten_example():
    cited = {p.id.split("-", 1)[0] for p in NORMALIZE_CASES}
    missing = set(RULE_ORDER) - cited
    assert not missing, f"normalization rules without a golden example: {sorted(missing)}"


RULE_ENTRIES = [
    pytest.param(rule, char, repl, id=f"{rule}-U+{ord(char):04X}")
    for rule, table in NORMALIZATION_RULES.items()
    for char, repl in table.items()
]


@pytest.mark.parametrize("rule, char, repl", RULE_ENTRIES)
def test_rule_table_entry_alone(rule, char, repl):
    """Each entry of NORMALIZATION_RULES, applied by its own rule only."""
    assert ArabicNormalizer(steps=[rule])(f"ب{char}ب") == f"ب{repl}ب"


@pytest.mark.parametrize("rule, char, repl", RULE_ENTRIES)
def test_rule_table_entry_in_full_normalize(rule, char, repl):
    """Each entry of NORMALIZATION_RULES, inside a word, with every rule on."""
    assert normalize(f"ت{char}ت") == f"ت{repl}ت"
    assert normalize(char) == repl


def _cps(*ranges):
    return {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}


SPEC_DELETED = {
    "diacritics": _cps((0x064B, 0x065F), (0x0670, 0x0670)),
    "tatweel": {"\u0640"},
    "format_controls": _cps((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069),
                            (0xFEFF, 0xFEFF)),
}
SPEC_MAPPED = {
    "alef": {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"},
    "alef_maqsura": {"ى": "ي"},
    "teh_marbuta": {"ة": "ه"},
    "persian_letters": {"ک": "ك", "ی": "ي", "ہ": "ه"},
    "digits": {**{chr(0x0660 + i): str(i) for i in range(10)},
               **{chr(0x06F0 + i): str(i) for i in range(10)}},
}


@pytest.mark.parametrize("rule", sorted(SPEC_DELETED), ids=lambda r: f"spec-deletes-{r}")
def test_rule_table_covers_spec_deletions(rule):
    table = NORMALIZATION_RULES[rule]
    for char in SPEC_DELETED[rule]:
        assert table.get(char) == "", f"U+{ord(char):04X} should be deleted by {rule}"


@pytest.mark.parametrize("rule", sorted(SPEC_MAPPED), ids=lambda r: f"spec-maps-{r}")
def test_rule_table_covers_spec_mappings(rule):
    table = NORMALIZATION_RULES[rule]
    for char, repl in SPEC_MAPPED[rule].items():
        assert table.get(char) == repl, f"U+{ord(char):04X} should map to {repl!r} in {rule}"


def test_hamza_letters_are_in_no_rule():
    for rule, table in NORMALIZATION_RULES.items():
        assert "ؤ" not in table and "ئ" not in table and "ء" not in table, rule


def test_rule_order_runs_nfkc_first_then_every_table_rule():
    assert RULE_ORDER[0] == "nfkc"
    assert set(RULE_ORDER[1:]) == set(NORMALIZATION_RULES)


def test_normalizer_subset_of_steps():
    only_diacritics = ArabicNormalizer(steps=["diacritics"])
    assert only_diacritics("أُكتوبر") == "أكتوبر"          # alef no longer folded
    assert only_diacritics("مدرسةٌ") == "مدرسة"            # nor teh marbuta
    assert ArabicNormalizer(steps=["alef"])("أُكتوبر") == "اُكتوبر"
    assert ArabicNormalizer(steps=[])("أُكتوبر") == "أُكتوبر"
    assert ArabicNormalizer()("أُكتوبر") == normalize("أُكتوبر") == "اكتوبر"


def test_normalizer_rejects_unknown_step():
    with pytest.raises(ValueError, match="unknown normalization step"):
        ArabicNormalizer(steps=["diacritics", "lowercase"])


# ---------------------------------------------------------------------------
# Light10: every affix, removed, just at its length guard and just below it.
# Rows are (affix, case, word, expected); the word is already normalized
# except in the ة / ية rows, which must run on un-normalized text to be seen.
# ---------------------------------------------------------------------------

WAW = "و"
LIGHT10_AFFIX_CASES = [
    # step 1: leading و, removed when at least 3 letters remain
    (WAW, "at-limit", "وقال", "قال"),
    (WAW, "at-limit", "وزير", "زير"),        # Light10's known over-stem: exactly 3 remain
    (WAW, "below-limit", "وعد", "وعد"),
    (WAW, "below-limit", "ولد", "ولد"),
    # step 2: one article, removed when at least 2 letters remain
    ("ال", "removed", "الكتاب", "كتاب"),
    ("ال", "at-limit", "الجو", "جو"),
    ("ال", "below-limit", "الف", "الف"),
    # وال can only be seen after step 1 has taken a first و
    ("وال", "removed", "ووالسلام", "سلام"),
    ("وال", "at-limit", "ووالده", "ده"),
    ("وال", "below-limit", "ووالد", "والد"),
    ("بال", "removed", "بالمفاوضات", "مفاوض"),
    ("بال", "at-limit", "بالدم", "دم"),
    ("بال", "below-limit", "بالغ", "بالغ"),
    ("كال", "removed", "كالبحر", "بحر"),
    ("كال", "at-limit", "كالسم", "سم"),
    ("كال", "below-limit", "كالح", "كالح"),
    ("فال", "removed", "فالعلاقات", "علاق"),
    ("فال", "at-limit", "فالحل", "حل"),
    ("فال", "below-limit", "فالج", "فالج"),
    ("لل", "removed", "للقاء", "قاء"),
    ("لل", "at-limit", "للحق", "حق"),
    ("لل", "below-limit", "لله", "لل"),     # لل kept (1 would remain); then ه goes
    # step 3: suffixes, each removed when at least 2 letters remain
    ("ها", "removed", "كتابها", "كتاب"),
    ("ها", "at-limit", "منها", "من"),
    ("ها", "below-limit", "بها", "بها"),
    ("ان", "removed", "كتابان", "كتاب"),
    ("ان", "at-limit", "بيان", "بي"),
    ("ان", "below-limit", "كان", "كان"),
    ("ات", "removed", "معلمات", "معلم"),
    ("ات", "at-limit", "بنات", "بن"),
    ("ات", "below-limit", "بات", "بات"),
    ("ون", "removed", "معلمون", "معلم"),
    ("ون", "at-limit", "عيون", "عي"),
    ("ون", "below-limit", "لون", "لون"),
    ("ين", "removed", "معلمين", "معلم"),
    ("ين", "at-limit", "سنين", "سن"),
    ("ين", "below-limit", "دين", "دين"),
    ("يه", "removed", "عربيه", "عرب"),
    ("يه", "at-limit", "فقيه", "فق"),
    ("يه", "below-limit", "ميه", "مي"),      # يه kept (1 would remain); then ه goes
    ("ية", "removed", "عربية", "عرب"),
    ("ية", "at-limit", "رؤية", "رؤ"),
    ("ية", "below-limit", "نية", "ني"),      # ية kept; then ة goes
    ("ه", "removed", "كتابه", "كتاب"),
    ("ه", "at-limit", "كره", "كر"),
    ("ه", "below-limit", "له", "له"),
    ("ة", "removed", "مدرسة", "مدرس"),
    ("ة", "at-limit", "سنة", "سن"),
    ("ة", "below-limit", "ثة", "ثة"),
    ("ي", "removed", "كتابي", "كتاب"),
    ("ي", "at-limit", "علي", "عل"),
    ("ي", "below-limit", "في", "في"),
]


@pytest.mark.parametrize("word, expected", [
    pytest.param(word, expected, id=f"light10-affix-{affix}-{case}-{word}")
    for affix, case, word, expected in LIGHT10_AFFIX_CASES
])
def test_light10_affix_golden(word, expected):
    assert Light10Stemmer()(word) == expected


def test_every_light10_affix_has_guard_cases():
    by_affix: dict[str, set[str]] = {}
    for affix, case, _, _ in LIGHT10_AFFIX_CASES:
        by_affix.setdefault(affix, set()).add(case)
    for affix in (WAW, *LIGHT10_PREFIXES, *LIGHT10_SUFFIXES):
        cases = by_affix.get(affix, set())
        assert "below-limit" in cases and cases & {"removed", "at-limit"}, affix


def test_light10_affix_tables_are_exactly_the_published_lists():
    assert LIGHT10_PREFIXES == ("ال", "وال", "بال", "كال", "فال", "لل")
    assert LIGHT10_SUFFIXES == ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


LIGHT_STEM_CASES = [
    # the suffix list is walked once, in order: several suffixes may go ...
    pytest.param("سياراتها", "سيار", id="light10-walk-ha-then-at"),
    pytest.param("مصريين", "مصر", id="light10-walk-yn-then-y"),
    pytest.param("كيانها", "كي", id="light10-walk-ha-then-an"),
    # ... but a suffix earlier in the list is not looked at again
    pytest.param("امتحانه", "امتحان", id="light10-walk-once-an-not-revisited"),
    pytest.param("سياراته", "سيارات", id="light10-walk-once-at-not-revisited"),
    # only one article is removed
    pytest.param("الالتزام", "التزام", id="light10-one-article-only"),
    # و then an article, then suffixes: the difference from Lucene
    pytest.param("والكتاب", "كتاب", id="light10-waw-then-al"),
    pytest.param("وبالمفاوضات", "مفاوض", id="light10-waw-then-bal-unlike-lucene"),
    pytest.param("وللقاء", "قاء", id="light10-waw-then-ll-unlike-lucene"),
    pytest.param("والمعلمون", "معلم", id="light10-waw-al-and-suffix"),
    # light_stem normalizes first
    pytest.param("وَالْمُعَلِّمُونَ", "معلم", id="light10-normalizes-diacritics-first"),
    pytest.param("بالأخبار", "اخبار", id="light10-normalizes-alef-first"),
    pytest.param("مدرسة", "مدرس", id="light10-teh-marbuta-folded-then-h"),
    pytest.param("عربية", "عرب", id="light10-yeh-teh-marbuta-folded-then-yh"),
    pytest.param("المستشفى", "مستشف", id="light10-alef-maqsura-folded-then-y"),
    pytest.param("الســـلام", "سلام", id="light10-tatweel-removed-first"),
    # words too short for any rule
    pytest.param("", "", id="light10-empty"),
    pytest.param("و", "و", id="light10-single-waw"),
    pytest.param("ي", "ي", id="light10-single-yeh"),
]


@pytest.mark.parametrize("word, expected", LIGHT_STEM_CASES)
def test_light_stem_golden(word, expected):
    assert light_stem(word) == expected


def _one_prefix_stem(word: str) -> str:
    """Prefix handling of Lucene's ArabicStemmer: the first matching prefix
    of ال وال بال كال فال لل و, removed once; then Light10's suffixes."""
    for prefix in ("ال", "وال", "بال", "كال", "فال", "لل", "و"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    for suffix in LIGHT10_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@pytest.mark.parametrize("word, light10, one_prefix", [
    pytest.param("وبالمفاوضات", "مفاوض", "بالمفاوض", id="waw-bal"),
    pytest.param("وللقاء", "قاء", "للقاء", id="waw-ll"),
    pytest.param("وكالبحر", "بحر", "كالبحر", id="waw-kal"),
])
def test_light10_differs_from_lucene_one_prefix_stemmer(word, light10, one_prefix):
    assert _one_prefix_stem(word) == one_prefix
    assert light_stem(word) == light10 != one_prefix


# ---------------------------------------------------------------------------
# analyze(): stopwords, mixed text, hashtags, URLs, e-mails, digits,
# diacritics and tatweel inside words, ligatures, news sentences.
# ---------------------------------------------------------------------------

ANALYZE_CASES = [
    # empty and whitespace-only text
    pytest.param("", [], id="empty-text"),
    pytest.param("   \n\t  ", [], id="whitespace-only"),
    pytest.param("\u00a0\u2003\u3000", [], id="unicode-spaces-only"),
    pytest.param("، ؛ ؟ « » “ ”", [], id="punctuation-only"),
    pytest.param("َ ُ ـــ \u200f", [], id="marks-tatweel-controls-only"),
    # Arabic stopwords, normalized like the text
    pytest.param("إلى", [], id="stopword-ila-hamza"),
    pytest.param("الى", [], id="stopword-ila-bare-alef"),
    pytest.param("إلي", [], id="stopword-ila-yeh"),
    pytest.param("إِلَى", [], id="stopword-ila-diacritics"),
    pytest.param("ذهب إلى السوق", ["ذهب", "سوق"], id="stopword-ila-in-sentence"),
    # YEH_HOMOGRAPHS (arsearch/analysis/pipeline.py): written with ي, these are
    # other words (Ali, automatic, governor) and are indexed; with ى, particles.
    pytest.param("اتصل علي بسلمى", ["اتصل", "عل", "بسلم"],
                 id="yeh-homograph-ali-kept"),
    pytest.param("جلس على الكرسي", ["جلس", "كرس"], id="yeh-homograph-ala-dropped"),
    pytest.param("عَلَى", [], id="yeh-homograph-ala-diacritics-dropped"),
    pytest.param("وعلي", ["عل"], id="yeh-homograph-and-ali-kept"),
    pytest.param("تعلم آلي", ["تعلم", "ال"], id="yeh-homograph-automatic-kept"),
    pytest.param("والي الولاية", ["ال", "ولا"],
                 id="yeh-homograph-governor-kept"),
    pytest.param("وإلى", [], id="yeh-homograph-wa-ila-dropped"),
    pytest.param("إلي", [], id="yeh-homograph-hamza-alef-is-the-particle"),
    pytest.param("هذا هو الكتاب الذي قرأته", ["كتاب", "قرات"], id="stopword-demonstrative-relative"),
    pytest.param("قد كان في المدينة", ["مدين"], id="stopword-particles-aux"),
    # English stopwords for Latin tokens, case-folded
    pytest.param("The report of the UN", ["report", "un"], id="stopword-english"),
    # question words are kept when indexing (they are dropped only from queries)
    pytest.param("متى وصل الوفد", ["مت", "وصل", "وفد"], id="question-word-kept-when-indexing"),
    pytest.param("كيف هل أين كم ماذا لماذا", ["كيف", "هل", "اين", "كم", "ماذا", "لماذا"],
                 id="question-words-all-kept-when-indexing"),
    # Latin words: case-folded, Snowball English stems
    pytest.param("Reports", ["report"], id="latin-casefold-and-stem"),
    pytest.param("RUNNING", ["run"], id="latin-upper-stemmed"),
    pytest.param("أعلنت Microsoft عن Windows جديد", ["اعلنت", "microsoft", "window", "جديد"],
                 id="mixed-arabic-english"),
    pytest.param("قال Biden إن", ["قال", "biden"], id="mixed-name-and-stopword"),
    # hashtags and handles
    pytest.param("#Libya", ["libya"], id="hashtag-latin"),
    pytest.param("#ليبيا", ["ليبيا"], id="hashtag-arabic"),
    pytest.param("#عاجل_ليبيا", ["عاجل", "ليبيا"], id="hashtag-underscore-separates"),
    pytest.param("@AlJazeera", ["aljazeera"], id="handle-latin"),
    # URLs and e-mail addresses stay one token
    pytest.param("https://www.spa.gov.sa/news/2023?id=5", ["spa.gov.sa"], id="url-https-host"),
    pytest.param("www.aljazeera.net/news/politics", ["aljazeera.net"], id="url-www-host"),
    pytest.param("pic.twitter.com/AbC123", ["pic.twitter.com"], id="url-bare-host-path"),
    pytest.param("(https://example.com/a/b).", ["example.com"], id="url-in-brackets"),
    pytest.param("المصدر: https://bbc.com/arabic/123، وغيره", ["مصدر", "bbc.com", "غير"],
                 id="url-followed-by-arabic-comma"),
    pytest.param("https://ar.wikipedia.org/wiki/ليبيا", ["ar.wikipedia.org"],
                 id="url-arabic-path"),
    pytest.param("www.example.com،والخبر", ["example.com", "خبر"],
                 id="url-ended-by-arabic-comma-without-space"),
    pytest.param("انظر bbc.com/news؛والتفاصيل؟", ["انظر", "bbc.com", "تفاصيل"],
                 id="url-ended-by-arabic-semicolon-without-space"),
    pytest.param("info@example.com", ["info@example.com"], id="email-whole"),
    pytest.param("راسلونا على News.Desk@Example.org", ["راسلونا", "news.desk@example.org"],
                 id="email-casefolded-in-sentence"),
    # digits kept; Arabic-Indic → ASCII
    pytest.param("عام ٢٠٢٣", ["عام", "2023"], id="digits-arabic-indic"),
    pytest.param("۱۴۰۲", ["1402"], id="digits-extended-arabic-indic"),
    pytest.param("2023", ["2023"], id="digits-ascii"),
    pytest.param("١٬٠٠٠ دينار", ["1000", "دينار"], id="digits-thousands-separator-dropped"),
    pytest.param("٣٫٥ مليون", ["3.5", "مل"], id="digits-decimal-kept"),
    pytest.param("٢٠٢٣م", ["2023", "م"], id="digits-then-letter-split"),
    # diacritics, tatweel and invisible controls inside a word never split it
    pytest.param("كَتَبَ", ["كتب"], id="inword-diacritics-one-token"),
    pytest.param("الطالبُ المُجْتَهِدُ", ["طالب", "مجتهد"], id="inword-diacritics-two-words"),
    pytest.param("الســـلام", ["سلام"], id="inword-tatweel"),
    pytest.param("مـــدرســـة", ["مدرس"], id="inword-tatweel-several"),
    pytest.param("سلا\u200cم", ["سلام"], id="inword-zwnj"),
    pytest.param("\u200fالسلام\u200f", ["سلام"], id="inword-rlm-around"),
    # Arabic punctuation separates tokens
    pytest.param("قال،ثم؛هل؟نعم", ["قال", "هل"], id="punct-comma-semicolon-question"),
    pytest.param("«السلام» “الحرب”", ["سلام", "حرب"], id="punct-guillemets-quotes"),
    # presentation-form ligatures
    pytest.param("ﻻعب", ["لاعب"], id="ligature-lam-alef-in-word"),
    pytest.param("ﻻ", [], id="ligature-lam-alef-is-stopword-la"),
    pytest.param("ﻷن", [], id="ligature-lam-alef-hamza-is-stopword-lian"),
    pytest.param("ﺍﻟﺴﻼﻡ", ["سلام"], id="ligature-presentation-forms"),
    # ﷺ expands under NFKC to صلى الله عليه وسلم: الله → له, عليه is a stopword
    pytest.param("ﷺ", ["صل", "له", "سلم"], id="ligature-salla-expands"),
    pytest.param("محمد ﷺ قال", ["محمد", "صل", "له", "سلم", "قال"], id="ligature-salla-in-sentence"),
    # news-like sentences with clitics
    pytest.param("والقوات", ["قو"], id="news-wal-plus-at"),
    pytest.param("بالمفاوضات", ["مفاوض"], id="news-bal-plus-at"),
    pytest.param("للقاء", ["قاء"], id="news-ll"),
    pytest.param("فالعلاقات", ["علاق"], id="news-fal-plus-at"),
    pytest.param("انسحبت القوات من المدينة بعد المفاوضات", ["انسحبت", "قو", "مدين", "مفاوض"],
                 id="news-sentence-withdrawal"),
    pytest.param("وأكد الوزير أن العلاقات بين البلدين قوية",
                 ["اكد", "وزير", "علاق", "بين", "بلد", "قو"], id="news-sentence-relations"),
    pytest.param("والتقى الوفد بالمفاوضين للقاء فالعلاقات مهمة",
                 ["تق", "وفد", "مفاوض", "قاء", "علاق", "مهم"], id="news-sentence-all-clitics"),
    pytest.param("مُسْتَشْفَى المدينةِ في ١٥ أُكتوبر ٢٠٢٣",
                 ["مستشف", "مدين", "15", "اكتوبر", "2023"], id="news-sentence-date"),
]


@pytest.mark.parametrize("text, expected", ANALYZE_CASES)
def test_analyze_golden(text, expected):
    assert analyze(text, pipeline=LIGHT10) == expected


def test_salla_ligature_analyses_like_the_words_it_stands_for():
    assert analyze("ﷺ", pipeline=LIGHT10) == analyze("صلى الله عليه وسلم", pipeline=LIGHT10)
    assert analyze("ﷺ") == analyze("صلى الله عليه وسلم")


QUERY_CASES = [
    pytest.param("متى وصل الوفد", ["وصل", "وفد"], id="query-drops-mata"),
    pytest.param("كيف انتهت الحرب", ["انتهت", "حرب"], id="query-drops-kayfa"),
    pytest.param("هل انتهت الحرب؟", ["انتهت", "حرب"], id="query-drops-hal"),
    pytest.param("أين تقع ليبيا", ["تقع", "ليبيا"], id="query-drops-ayna"),
    pytest.param("اين تقع ليبيا", ["تقع", "ليبيا"], id="query-drops-ayna-bare-alef"),
    pytest.param("كم عدد السكان", ["عدد", "سك"], id="query-drops-kam"),
    pytest.param("ماذا قال الوزير", ["قال", "وزير"], id="query-drops-madha"),
    pytest.param("لماذا استقال الوزير", ["استقال", "وزير"], id="query-drops-limadha"),
    pytest.param("متي", [], id="query-drops-mata-with-yeh"),
    pytest.param("إلى متى", [], id="query-drops-stopword-and-question-word"),
]


@pytest.mark.parametrize("text, expected", QUERY_CASES)
def test_analyze_query_golden(text, expected):
    assert analyze(text, pipeline=LIGHT10, query=True) == expected


# ---------------------------------------------------------------------------
# The default analyzer: the light10-snowball stemmer and exact forms.
# light10-snowball is (1) a leading و when >= 3 letters remain, (2) one
# article ال وال بال كال فال لل when >= 2 remain, (3) the plural ات when
# >= 2 remain, (4) Snowball Arabic. An Arabic word whose stem differs from
# its normalized form also gives "=" + normalized form, right after the
# stem; stopwords, Latin words, numbers, URLs and e-mails never do.
# ---------------------------------------------------------------------------

_SNOWBALL_ARABIC = snowballstemmer.stemmer("arabic").stemWord


def _reference_default_stem(word: str) -> str:
    """light10-snowball written out from its description, independently of
    arsearch's stemmers, for one normalized word."""
    if word.startswith("و") and len(word) - 1 >= 3:
        word = word[1:]
    for prefix in ("ال", "وال", "بال", "كال", "فال", "لل"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    if word.endswith("ات") and len(word) - 2 >= 2:
        word = word[:-2]
    # Snowball's own normalization may undo ours: its output is normalized
    return normalize(_SNOWBALL_ARABIC(word)) or word


DEFAULT_ANALYZE_CASES = [
    # an exact form only where the stem differs, right after its stem
    pytest.param("كتاب", ["كتاب"], id="default-no-exact-form-when-stem-is-the-word"),
    pytest.param("وصل الوفد", ["وصل", "وفد", "=الوفد"],
                 id="default-exact-form-only-where-stem-differs"),
    pytest.param("وَالكِتَابُ", ["كتاب", "=والكتاب"],
                 id="default-exact-form-is-normalized-not-surface"),
    # clitics: Light10's two prefix steps, which Snowball alone lacks
    pytest.param("والكتاب", ["كتاب", "=والكتاب"], id="default-clitic-waw-then-al"),
    pytest.param("فالعلاقات", ["علاق", "=فالعلاقات"], id="default-clitic-fal-and-plural-at"),
    pytest.param("بالمفاوضات", ["مفاوض", "=بالمفاوضات"], id="default-clitic-bal-and-plural-at"),
    pytest.param("وبالمفاوضات", ["مفاوض", "=وبالمفاوضات"], id="default-clitic-waw-then-bal"),
    pytest.param("للقاء", ["قاء", "=للقاء"], id="default-clitic-ll"),
    # what Snowball adds: pronoun suffixes, verb affixes, accusative alef
    pytest.param("كتابهم", ["كتاب", "=كتابهم"], id="default-pronoun-suffix-hum"),
    pytest.param("سيذهبون", ["يذهب", "=سيذهبون"], id="default-verb-future-sa-and-suffix-una"),
    pytest.param("شعيبا", ["شعيب", "=شعيبا"], id="default-accusative-alef"),
    # Snowball's name trap (ف cut off): the exact form keeps the name whole
    pytest.param("فلاديمير", ["لاديمير", "=فلاديمير"],
                 id="default-name-trap-exact-form-keeps-name"),
    # ... unless the name is in the lexicon (places.tsv, names.tsv): then it is whole
    pytest.param("فرنسا", ["فرنسا", "=فرنسا"], id="default-lexicon-name-is-its-own-term"),
    pytest.param("الفرنسية", ["فرنسا", "=الفرنسيه"], id="default-lexicon-nisba-meets-its-place"),
    # the feminine plural ات and the singular ة give one stem
    pytest.param("المفاوضات مفاوضة", ["مفاوض", "=المفاوضات", "مفاوض", "=مفاوضه"],
                 id="default-plural-at-and-singular-same-stem-mufawada"),
    pytest.param("السيارات سيارة", ["سيار", "=السيارات", "سيار", "=سياره"],
                 id="default-plural-at-and-singular-same-stem-sayyara"),
    pytest.param("طالبات طالبة", ["طالب", "=طالبات", "طالب", "=طالبه"],
                 id="default-plural-at-and-singular-same-stem-taliba"),
    # ات guard: removed while 2 letters remain (قوات; Snowball alone gives
    # قوا), kept when only 1 would (بات: the word is its own stem)
    pytest.param("الشركات", ["شرك", "=الشركات"], id="default-plural-at-removed-three-remain"),
    pytest.param("القوات", ["قو", "=القوات"], id="default-plural-at-removed-two-remain"),
    pytest.param("بات", ["بات"], id="default-plural-at-kept-one-would-remain"),
    # stopwords give no term at all, not even an exact form
    pytest.param("إلى في على من الكتاب", ["كتاب", "=الكتاب"],
                 id="default-stopwords-no-exact-form"),
    pytest.param("التي كانت عليه وفي", [], id="default-stopwords-that-would-stem-give-nothing"),
    # Latin words, numbers, URLs and e-mails: no exact form, even when the
    # term differs from the text (case, English stem, separators, host)
    pytest.param("Reports RUNNING #Libya", ["report", "run", "libya"],
                 id="default-latin-no-exact-form"),
    pytest.param("٢٠٢٣ ١٬٠٠٠ ٣٫٥", ["2023", "1000", "3.5"], id="default-numbers-no-exact-form"),
    pytest.param("News.Desk@Example.org www.aljazeera.net/news",
                 ["news.desk@example.org", "aljazeera.net"], id="default-email-url-no-exact-form"),
    pytest.param("أعلنت Microsoft عن Windows ٢٠٢٣",
                 ["اعلن", "=اعلنت", "microsoft", "window", "2023"], id="default-mixed-text"),
    # question words are indexed, with their exact forms
    pytest.param("متى وصل الوفد", ["مت", "=متي", "وصل", "وفد", "=الوفد"],
                 id="default-question-word-indexed-with-exact-form"),
    # ﷺ expands to words: each gets its own exact form, عليه none
    pytest.param("ﷺ", ["صل", "=صلي", "له", "=الله", "سلم", "=وسلم"],
                 id="default-ligature-each-word-its-exact-form"),
    pytest.param("أعلنت الحكومة أن والقوات انسحبت بعد المفاوضات",
                 ["اعلن", "=اعلنت", "حكوم", "=الحكومه", "قو", "=والقوات", "انسحب", "=انسحبت",
                  "مفاوض", "=المفاوضات"], id="default-news-sentence"),
]


@pytest.mark.parametrize("text, expected", DEFAULT_ANALYZE_CASES)
def test_default_analyze_golden(text, expected):
    assert analyze(text) == expected
    assert analyze(text, pipeline=TermPipeline()) == expected
    # without exact forms: the same stems, one term per word
    no_exact = [t for t in expected if not t.startswith("=")]
    assert analyze(text, pipeline=TermPipeline(exact_forms=False)) == no_exact


@pytest.mark.parametrize("text", [p.values[0] for p in DEFAULT_ANALYZE_CASES],
                         ids=[p.id for p in DEFAULT_ANALYZE_CASES])
def test_default_terms_follow_the_written_out_recipe(text):
    """Each token's terms, recomputed from the rules with
    :func:`_reference_default_stem` (Snowball is the only shared code)."""
    stop = arabic_stopwords()
    for tok in explain(text):
        if tok.kind != "arabic":
            assert not any(t.startswith("=") for t in tok.terms), tok
            continue
        expected: list[str] = []
        for word in tok.normalized.split():
            if word in stop:
                continue
            # the lexicon comes before the stemmer (tests/test_lexicon.py)
            lexical = LEXICON.get(word)
            stem = lexical or _reference_default_stem(word)
            # a lexicon term always has its exact form beside it
            expected += [stem] if stem == word and not lexical else [stem, "=" + word]
        assert list(tok.terms) == expected, tok


DEFAULT_QUERY_CASES = [
    pytest.param("متى انسحبت القوات", ["انسحب", "=انسحبت", "قو", "=القوات"],
                 id="default-query-drops-mata-keeps-exact-forms"),
    pytest.param("كيف تعمل الشركات", ["تعمل", "شرك", "=الشركات"],
                 id="default-query-drops-kayfa-keeps-exact-forms"),
    pytest.param("هل وصل الوفد؟", ["وصل", "وفد", "=الوفد"],
                 id="default-query-drops-hal-keeps-exact-forms"),
    pytest.param("لماذا استقال الوزير", ["استقال", "زير", "=الوزير"],
                 id="default-query-drops-limadha-keeps-exact-forms"),
    pytest.param("إلى متى", [], id="default-query-stopword-and-question-word-give-nothing"),
]


@pytest.mark.parametrize("text, expected", DEFAULT_QUERY_CASES)
def test_default_analyze_query_golden(text, expected):
    assert analyze(text, query=True) == expected


def test_default_explain_reports_exact_forms():
    tokens = explain("وَالكتابُ إلى Reports كتاب")
    assert [(t.original, t.kind, t.normalized, t.terms, t.stopword) for t in tokens] == [
        ("وَالكتابُ", "arabic", "والكتاب", ("كتاب", "=والكتاب"), False),
        ("إلى", "arabic", "الي", (), True),
        ("Reports", "word", "Reports", ("report",), False),
        ("كتاب", "arabic", "كتاب", ("كتاب",), False),
    ]


def test_default_whoosh_exact_forms_share_their_stems_position():
    a = ArabicAnalyzer()
    text = "ذهب الوفد إلى المدينة"
    toks = [(t.text, t.pos, t.startchar, t.endchar)
            for t in a(text, positions=True, chars=True)]
    assert toks == [("ذهب", 0, 0, 3), ("وفد", 1, 4, 9), ("=الوفد", 1, 4, 9),
                    ("مدين", 2, 14, 21), ("=المدينه", 2, 14, 21)]
    toks = [(t.text, t.pos) for t in a("والكتاب كتابهم", positions=True, start_pos=5)]
    assert toks == [("كتاب", 5), ("=والكتاب", 5), ("كتاب", 6), ("=كتابهم", 6)]


def test_default_whoosh_query_mode_has_no_exact_forms():
    a = ArabicAnalyzer()
    toks = [(t.text, t.pos) for t in a("ذهب متى الوفد إلى المدينة", mode="query", positions=True)]
    assert toks == [("ذهب", 0), ("وفد", 1), ("مدين", 2)]
    assert terms(a, "المفاوضات مفاوضة فرنسا", mode="query") == ["مفاوض", "مفاوض", "فرنسا"]
    # so Whoosh's query parser sees one term per word
    schema = Schema(body=TEXT(analyzer=a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser = QueryParser("body", schema)
        assert str(parser.parse("بالمفاوضات")) == "body:مفاوض"
        assert str(parser.parse('"الوفد إلى المدينة"')) == 'body:"وفد مدين"'


def test_default_whoosh_phrase_matches_across_exact_forms_and_stopwords():
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=ArabicAnalyzer()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ix = RamStorage().create_index(schema)
        with ix.writer() as w:
            w.add_document(id="1", body="وصل الوفد إلى المدينة بعد المفاوضات")
        with ix.searcher() as s:
            parser = QueryParser("body", ix.schema)
            assert [h["id"] for h in s.search(parser.parse('"الوفد المدينة"'))] == ["1"]
            assert [h["id"] for h in s.search(parser.parse('"وفد في مدينة"'))] == ["1"]
            assert [h["id"] for h in s.search(parser.parse('"المدينة الوفد"'))] == []


# ---------------------------------------------------------------------------
# Offsets: text[start:end] is the whole original word.
# ---------------------------------------------------------------------------

OFFSET_CASES = [
    pytest.param("كَتَبَ الطالبُ", ["كَتَبَ", "الطالبُ"], id="offsets-diacritics"),
    pytest.param("الســـلام عليكم", ["الســـلام", "عليكم"], id="offsets-tatweel"),
    pytest.param("قال، «نعم».", ["قال", "نعم"], id="offsets-punctuation-excluded"),
    pytest.param("زار https://ex.com/a، أمس", ["زار", "https://ex.com/a", "أمس"],
                 id="offsets-url-whole-without-trailing-comma"),
    pytest.param("وَالقُوّات ﷺ", ["وَالقُوّات", "ﷺ"], id="offsets-ligature-original"),
    pytest.param("\u200fمرحبا\u200f", ["\u200fمرحبا\u200f"], id="offsets-controls-inside-token"),
    pytest.param("#Libya info@x.org.", ["Libya", "info@x.org"], id="offsets-hashtag-email"),
    pytest.param("٢٠٢٣م", ["٢٠٢٣", "م"], id="offsets-digits-original-script"),
    pytest.param("ﻻعب أُكتوبر", ["ﻻعب", "أُكتوبر"], id="offsets-presentation-form"),
]


@pytest.mark.parametrize("text, originals", OFFSET_CASES)
def test_offsets_map_back_to_original_words(text, originals):
    tokens = explain(text)
    assert [t.original for t in tokens] == originals
    assert [text[t.start:t.end] for t in tokens] == originals
    raw = list(tokenize(text))
    assert [(r.start, r.end) for r in raw] == [(t.start, t.end) for t in tokens]
    chars = [(t.startchar, t.endchar) for t in ArabicAnalyzer(stopwords=False)(text, chars=True)]
    # a ligature that expands to several terms gives each the ligature's span
    assert sorted(set(chars)) == [(t.start, t.end) for t in tokens]


def test_explain_reports_normalized_form_terms_and_stopwords():
    tokens = explain("وَالقُوّات إلى #Libya", pipeline=LIGHT10)
    assert [(t.original, t.kind, t.normalized, t.terms, t.stopword) for t in tokens] == [
        ("وَالقُوّات", "arabic", "والقوات", ("قو",), False),
        ("إلى", "arabic", "الي", (), True),
        ("Libya", "word", "Libya", ("libya",), False),
    ]


def test_whoosh_positions_are_renumbered_over_stopwords():
    a = ArabicAnalyzer(**LIGHT10_OPTIONS)
    toks = [(t.text, t.pos) for t in a("ذهب الوفد إلى المدينة", positions=True)]
    assert toks == [("ذهب", 0), ("وفد", 1), ("مدين", 2)]
    # two stopwords in a row leave no gap either
    toks = [(t.text, t.pos) for t in a("ذهب الوفد في إلى المدينة", positions=True)]
    assert toks == [("ذهب", 0), ("وفد", 1), ("مدين", 2)]
    # numbering starts at start_pos
    toks = [(t.text, t.pos) for t in a("الوفد إلى المدينة", positions=True, start_pos=7)]
    assert toks == [("وفد", 7), ("مدين", 8)]


# ---------------------------------------------------------------------------
# Stopword lists as data
# ---------------------------------------------------------------------------

def test_stopword_lists_are_normalized_data():
    ar = arabic_stopwords()
    assert "الي" in ar and "إلى" not in ar
    assert all(normalize(w) == w for w in ar)
    assert all(normalize(w) == w for w in arabic_query_stopwords())
    assert {"متي", "كيف", "هل", "اين", "كم", "ماذا", "لماذا"} <= arabic_query_stopwords()
    assert not {"متي", "كيف", "هل", "اين", "كم", "ماذا", "لماذا"} & ar
    en = english_stopwords()
    assert {"the", "of", "and"} <= en and all(w == w.lower() for w in en)


# ---------------------------------------------------------------------------
# ArabicAnalyzer options
# ---------------------------------------------------------------------------

OPTION_TEXT = "والقوات بالمفاوضات في أُكتوبر Reports the"
L10 = LIGHT10_OPTIONS
OPTION_CASES = [
    # defaults: light10-snowball (و, ال, ات, then Snowball: قو; بال, ات,
    # then Snowball: مفاوض), and each stemmed word's normalized form right
    # after its stem.
    # اكتوبر is a lexicon term (months.tsv), so its exact form goes with it
    # although the two are equal; the Latin word gets no exact form.
    pytest.param({}, ["قو", "=والقوات", "مفاوض", "=بالمفاوضات", "اكتوبر", "=اكتوبر", "report"],
                 id="option-defaults"),
    pytest.param({"stemmer": "light10-snowball", "exact_forms": True},
                 ["قو", "=والقوات", "مفاوض", "=بالمفاوضات", "اكتوبر", "=اكتوبر", "report"],
                 id="option-defaults-spelled-out"),
    pytest.param({"exact_forms": False}, ["قو", "مفاوض", "اكتوبر", "report"],
                 id="option-exact-forms-off"),
    pytest.param({**L10}, ["قو", "مفاوض", "اكتوبر", "report"],
                 id="option-stemmer-light10"),
    pytest.param({"stemmer": "light10"},
                 ["قو", "=والقوات", "مفاوض", "=بالمفاوضات", "اكتوبر", "=اكتوبر", "report"],
                 id="option-stemmer-light10-with-exact-forms"),
    # Snowball keeps و in front of ال (documented trap)
    pytest.param({"stemmer": "snowball", "exact_forms": False},
                 ["والقوا", "مفاوض", "اكتوبر", "report"], id="option-stemmer-snowball"),
    pytest.param({"stemmer": "snowball"},
                 ["والقوا", "=والقوات", "مفاوض", "=بالمفاوضات", "اكتوبر", "=اكتوبر",
                  "report"], id="option-stemmer-snowball-with-exact-forms"),
    # without stemming the stem is the normalized word: no exact forms, but
    # for the lexicon term
    pytest.param({"stemmer": "none"}, ["والقوات", "بالمفاوضات", "اكتوبر", "=اكتوبر", "report"],
                 id="option-stemmer-none"),
    pytest.param({"stemmer": None}, ["والقوات", "بالمفاوضات", "اكتوبر", "=اكتوبر", "report"],
                 id="option-stemmer-None"),
    pytest.param({"stemmer": lambda w: w[::-1], "exact_forms": False, "lexicon": False},
                 ["تاوقلاو", "تاضوافملاب", "ربوتكا", "report"], id="option-stemmer-callable"),
    # the lexicon (on by default) takes precedence over any stemmer
    pytest.param({"stemmer": lambda w: w[::-1], "exact_forms": False},
                 ["تاوقلاو", "تاضوافملاب", "اكتوبر", "report"],
                 id="option-stemmer-callable-lexicon-first"),
    pytest.param({"stemmer": lambda w: w[::-1], "lexicon": False},
                 ["تاوقلاو", "=والقوات", "تاضوافملاب", "=بالمفاوضات", "ربوتكا", "=اكتوبر",
                  "report"], id="option-stemmer-callable-with-exact-forms"),
    pytest.param({**L10, "stopwords": False}, ["قو", "مفاوض", "في", "اكتوبر", "report", "the"],
                 id="option-stopwords-off"),
    pytest.param({"stopwords": False},
                 ["قو", "=والقوات", "مفاوض", "=بالمفاوضات", "في", "اكتوبر", "=اكتوبر", "report",
                  "the"], id="option-stopwords-off-with-defaults"),
    pytest.param({**L10, "stopwords": ["أكتوبر", "The"]}, ["قو", "مفاوض", "في", "report"],
                 id="option-stopwords-custom-normalized"),
    pytest.param({**L10, "normalize": ["diacritics"]}, ["قو", "مفاوض", "أكتوبر", "report"],
                 id="option-normalize-only-diacritics-keeps-hamza"),
    pytest.param({"normalize": ["alef"], "stemmer": "none"},
                 ["والقوات", "بالمفاوضات", "اُكتوبر", "report"],
                 id="option-normalize-only-alef-keeps-diacritics"),
    pytest.param({**L10, "latin_stemmer": None}, ["قو", "مفاوض", "اكتوبر", "reports"],
                 id="option-latin-stemmer-off"),
]


@pytest.mark.parametrize("options, expected", OPTION_CASES)
def test_arabic_analyzer_options(options, expected):
    assert terms(ArabicAnalyzer(**options), OPTION_TEXT) == expected


@pytest.mark.parametrize("steps", [
    pytest.param(["diacritics"], id="stopwords-with-only-diacritics"),
    pytest.param([], id="stopwords-with-no-normalization"),
    pytest.param(["nfkc", "diacritics", "tatweel"], id="stopwords-without-alef-folding"),
])
def test_stopword_lists_follow_the_analyzers_normalization_steps(steps):
    """The lists are normalized like the text: with fewer steps, a stopword
    written exactly as in the list is still dropped."""
    a = ArabicAnalyzer(normalize=steps, **LIGHT10_OPTIONS)
    assert terms(a, "ذهب إلى السوق على عجل") == ["ذهب", "سوق", "عجل"]
    assert terms(a, "أين السوق", mode="query") == ["سوق"]
    assert terms(a, "أين السوق") == ["أين", "سوق"]
    # with the default stemmer and exact forms: the stopwords leave no term
    # at all (no exact form either); السوق gets its exact form
    d = ArabicAnalyzer(normalize=steps)
    assert terms(d, "ذهب إلى السوق على عجل") == ["ذهب", "سوق", "=السوق", "عجل"]
    assert terms(d, "أين السوق", mode="query") == ["سوق"]


def test_query_stopwords_only_in_query_mode():
    a = ArabicAnalyzer(**LIGHT10_OPTIONS)
    assert terms(a, "متى وصل") == ["مت", "وصل"]
    assert terms(a, "متى وصل", mode="query") == ["وصل"]
    assert terms(ArabicAnalyzer(query_stopwords=False, **LIGHT10_OPTIONS), "متى وصل",
                 mode="query") == ["مت", "وصل"]
    custom = ArabicAnalyzer(query_stopwords=["كيف"], **LIGHT10_OPTIONS)
    assert terms(custom, "كيف متى في", mode="query") == ["مت"]
    # defaults: a question word is indexed, exact form included (متي → مت
    # by Snowball), and dropped from queries, exact form included
    d = ArabicAnalyzer()
    assert terms(d, "متى وصل") == ["مت", "=متي", "وصل"]
    assert terms(d, "متى وصل", mode="query") == ["وصل"]
    assert terms(ArabicAnalyzer(query_stopwords=False), "متى وصل", mode="query") == ["مت", "وصل"]
    assert terms(ArabicAnalyzer(query_stopwords=["كيف"]), "كيف متى في", mode="query") == ["مت"]


def test_unknown_stemmer_is_rejected():
    with pytest.raises(ValueError, match="unknown stemmer"):
        ArabicAnalyzer(stemmer="porter")
    with pytest.raises(TypeError):
        ArabicAnalyzer(stemmer=42)


def test_analyze_matches_whoosh_analyzer_on_golden_texts():
    """Index mode gives analyze()'s terms, exact forms included; query
    mode gives analyze(query=True)'s terms without the exact forms."""
    cases = ANALYZE_CASES + QUERY_CASES + DEFAULT_ANALYZE_CASES + DEFAULT_QUERY_CASES
    l10 = ArabicAnalyzer(**LIGHT10_OPTIONS)
    default = ArabicAnalyzer()
    for param in cases:
        text = param.values[0]
        assert terms(l10, text) == analyze(text, pipeline=LIGHT10), param.id
        assert terms(l10, text, mode="query") == analyze(text, pipeline=LIGHT10, query=True)
        assert terms(default, text) == analyze(text), param.id
        assert terms(default, text, mode="query") == [
            t for t in analyze(text, query=True) if not t.startswith("=")], param.id


# ---------------------------------------------------------------------------
# ArabicAnalyzer in a real Whoosh in-memory index
# ---------------------------------------------------------------------------

DOCS = {
    "clitic": "أعلنت الحكومة أن والقوات انسحبت بعد المفاوضات",
    "hamza": "عقد المؤتمر في أكتوبر بحضور الأمين العام",
    "diacritic": "كَتَبَ الطالبُ الدرسَ على السَّبُّورة",
    "tatweel": "وصلت رســـالة من المســـتشفى",
    "latin": "Microsoft Reports new results",
    "digits": "بلغ عدد السكان ٢٠٢٣ نسمة",
}

WHOOSH_CASES = [
    pytest.param("القوات", "clitic", id="whoosh-clitic-waw-al"),
    pytest.param("بالمفاوضات", "clitic", id="whoosh-clitic-bal"),
    pytest.param("اكتوبر", "hamza", id="whoosh-hamza-query-without-hamza"),
    pytest.param("والأمين", "hamza", id="whoosh-hamza-plus-clitic"),
    pytest.param("مؤتمر", "hamza", id="whoosh-hamza-on-waw-kept-both-sides"),
    pytest.param("كتب", "diacritic", id="whoosh-diacritics-in-document"),
    pytest.param("السبورة", "diacritic", id="whoosh-shadda-and-teh-marbuta"),
    pytest.param("رسالة المستشفي", "tatweel", id="whoosh-tatweel-and-alef-maqsura"),
    pytest.param("report", "latin", id="whoosh-latin-stem-and-case"),
    pytest.param("2023", "digits", id="whoosh-digits-arabic-indic-in-document"),
    pytest.param("متى انسحبت القوات", "clitic", id="whoosh-query-drops-question-word"),
]


@pytest.fixture(scope="module")
def whoosh_index():
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=ArabicAnalyzer()))
    storage = RamStorage()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ix = storage.create_index(schema)
        with ix.writer() as w:
            for doc_id, body in DOCS.items():
                w.add_document(id=doc_id, body=body)
        # reopen: the schema, analyzer included, comes back out of a pickle
        reopened = storage.open_index()
    assert reopened.schema["body"].analyzer == ArabicAnalyzer()
    return reopened


@pytest.mark.parametrize("query, doc_id", WHOOSH_CASES)
def test_whoosh_index_finds_variant(whoosh_index, query, doc_id):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = QueryParser("body", whoosh_index.schema).parse(query)
        with whoosh_index.searcher() as s:
            hits = [h["id"] for h in s.search(q)]
    assert hits == [doc_id]


def test_whoosh_index_with_hamza_folding_off_does_not_match():
    a = ArabicAnalyzer(normalize=["diacritics"], stemmer="none")
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=a))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ix = RamStorage().create_index(schema)
        with ix.writer() as w:
            w.add_document(id="1", body="عُقِدَ في أكتوبر")
        with ix.searcher() as s:
            parser = QueryParser("body", ix.schema)
            assert [h["id"] for h in s.search(parser.parse("أكتوبر"))] == ["1"]
            assert [h["id"] for h in s.search(parser.parse("اكتوبر"))] == []
            assert [h["id"] for h in s.search(parser.parse("عقد"))] == ["1"]


# ---------------------------------------------------------------------------
# Pickling (Whoosh stores the schema, analyzer included, by pickle)
# ---------------------------------------------------------------------------

PICKLE_TEXT = "وَالقُوّات بالمفاوضات إلى أُكتوبر ﷺ #Libya Reports ٢٠٢٣"


@pytest.mark.parametrize("options", [
    pytest.param({}, id="pickle-defaults"),
    pytest.param({**LIGHT10_OPTIONS}, id="pickle-light10-no-exact-forms"),
    pytest.param({"exact_forms": False}, id="pickle-exact-forms-off"),
    pytest.param({"stemmer": "snowball"}, id="pickle-snowball"),
    pytest.param({"latin_stemmer": None}, id="pickle-latin-stemmer-off"),
    pytest.param({"stemmer": "none", "stopwords": False}, id="pickle-no-stem-no-stop"),
    pytest.param({"stopwords": ["أكتوبر"], "normalize": ["diacritics", "alef"]},
                 id="pickle-custom-stopwords-and-steps"),
])
def test_analyzer_survives_pickle(options):
    a = ArabicAnalyzer(**options)
    before = terms(a, PICKLE_TEXT)
    b = pickle.loads(pickle.dumps(a))
    assert terms(b, PICKLE_TEXT) == before
    assert terms(b, PICKLE_TEXT, mode="query") == terms(a, PICKLE_TEXT, mode="query")
    assert [(t.text, t.pos) for t in b(PICKLE_TEXT, positions=True)] == \
        [(t.text, t.pos) for t in a(PICKLE_TEXT, positions=True)]
    assert b == a
    assert b.items[-1].pipeline.exact_forms == a.items[-1].pipeline.exact_forms


@pytest.mark.parametrize("options, other", [
    pytest.param({}, {"exact_forms": False}, id="exact-forms"),
    pytest.param({}, {"stemmer": "light10"}, id="stemmer"),
    pytest.param({}, {"latin_stemmer": None}, id="latin-stemmer"),
    pytest.param({}, {"stopwords": False}, id="stopwords"),
    pytest.param({}, {"normalize": ["diacritics"]}, id="normalize"),
])
def test_analyzers_that_give_different_terms_are_not_equal(options, other):
    """Whoosh compares schemas (analyzers included) by equality."""
    a, b = ArabicAnalyzer(**options), ArabicAnalyzer(**{**options, **other})
    text = PICKLE_TEXT + " كتابهم سيذهبون"     # stems that Light10 leaves alone
    assert terms(a, text) != terms(b, text)
    assert a != b
    assert ArabicAnalyzer(**options) == a and ArabicAnalyzer(**{**options, **other}) == b


def test_pickle_does_not_carry_the_term_cache():
    a = ArabicAnalyzer()
    fresh_size = len(pickle.dumps(a))
    letters = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = [a1 + a2 + a3 + a4 for a1 in letters[:12] for a2 in letters[:12]
             for a3 in letters[:6] for a4 in "اتن"]
    text = " ".join("وال" + w for w in words)
    # every word loses و and ال, so each gives its stem and its exact form
    out = terms(a, text)
    assert out[1::2] == ["=وال" + w for w in words]
    assert len(out) == 2 * len(words) and not any(t.startswith("=") for t in out[::2])
    pipeline = a.items[-1].pipeline
    assert len(pipeline._cache) >= 2000      # the cache really was filled
    used = pickle.dumps(a)
    assert len(used) == fresh_size
    assert len(used) < 10_000
    restored = pickle.loads(used)
    assert restored.items[-1].pipeline._cache == {}
    assert terms(restored, text) == terms(a, text)


def test_fresh_pipeline_and_default_pipeline_agree():
    p = TermPipeline()
    for param in ANALYZE_CASES:
        text = param.values[0]
        assert analyze(text, pipeline=p) == analyze(text), param.id


def test_public_api_is_exported_from_package_root():
    for name in ("normalize", "light_stem", "analyze", "explain", "ArabicAnalyzer", "tokenize"):
        assert callable(getattr(arsearch, name))
    assert unicodedata.is_normalized("NFKC", normalize("ﻻ ﷺ ﺍ"))
