"""Golden tests for the Arabic analyzer.

Every expected value below was written from the specification (the issue
that defines ``normalize``, ``light_stem``, the tokenizer, the stopword
lists and ``ArabicAnalyzer``), not copied from the code's output. Rows are
grouped by the rule they cite, and each row's ``id`` names that rule.
"""

from __future__ import annotations

import pickle
import unicodedata
import warnings

import pytest

import arsearch
from arsearch import (ArabicAnalyzer, ArabicNormalizer, Light10Stemmer, analyze, explain,
                      light_stem, normalize, tokenize)
from arsearch.analysis import (LIGHT10_PREFIXES, LIGHT10_SUFFIXES, NORMALIZATION_RULES,
                               RULE_ORDER, TermPipeline, arabic_query_stopwords,
                               arabic_stopwords, english_stopwords)

with warnings.catch_warnings():
    # Whoosh 2.7.4 predates Python 3.8 and warns about its own code.
    warnings.simplefilter("ignore")
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.qparser import QueryParser


def terms(analyzer, text, **kwargs):
    return [t.text for t in analyzer(text, **kwargs)]


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
    assert analyze(text) == expected


def test_salla_ligature_analyses_like_the_words_it_stands_for():
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
    assert analyze(text, query=True) == expected


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
    tokens = explain("وَالقُوّات إلى #Libya")
    assert [(t.original, t.kind, t.normalized, t.terms, t.stopword) for t in tokens] == [
        ("وَالقُوّات", "arabic", "والقوات", ("قو",), False),
        ("إلى", "arabic", "الي", (), True),
        ("Libya", "word", "Libya", ("libya",), False),
    ]


def test_whoosh_positions_are_renumbered_over_stopwords():
    toks = [(t.text, t.pos) for t in ArabicAnalyzer()("ذهب الوفد إلى المدينة", positions=True)]
    assert toks == [("ذهب", 0), ("وفد", 1), ("مدين", 2)]


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
OPTION_CASES = [
    pytest.param({}, ["قو", "مفاوض", "اكتوبر", "report"], id="option-defaults"),
    pytest.param({"stemmer": "light10"}, ["قو", "مفاوض", "اكتوبر", "report"],
                 id="option-stemmer-light10"),
    # Snowball keeps و in front of ال (documented trap)
    pytest.param({"stemmer": "snowball"}, ["والقوا", "مفاوض", "اكتوبر", "report"],
                 id="option-stemmer-snowball"),
    pytest.param({"stemmer": "none"}, ["والقوات", "بالمفاوضات", "اكتوبر", "report"],
                 id="option-stemmer-none"),
    pytest.param({"stemmer": None}, ["والقوات", "بالمفاوضات", "اكتوبر", "report"],
                 id="option-stemmer-None"),
    pytest.param({"stemmer": lambda w: w[::-1]}, ["تاوقلاو", "تاضوافملاب", "ربوتكا", "report"],
                 id="option-stemmer-callable"),
    pytest.param({"stopwords": False}, ["قو", "مفاوض", "في", "اكتوبر", "report", "the"],
                 id="option-stopwords-off"),
    pytest.param({"stopwords": ["أكتوبر", "The"]}, ["قو", "مفاوض", "في", "report"],
                 id="option-stopwords-custom-normalized"),
    pytest.param({"normalize": ["diacritics"]}, ["قو", "مفاوض", "أكتوبر", "report"],
                 id="option-normalize-only-diacritics-keeps-hamza"),
    pytest.param({"normalize": ["alef"], "stemmer": "none"},
                 ["والقوات", "بالمفاوضات", "اُكتوبر", "report"],
                 id="option-normalize-only-alef-keeps-diacritics"),
    pytest.param({"latin_stemmer": None}, ["قو", "مفاوض", "اكتوبر", "reports"],
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
    a = ArabicAnalyzer(normalize=steps)
    assert terms(a, "ذهب إلى السوق على عجل") == ["ذهب", "سوق", "عجل"]
    assert terms(a, "أين السوق", mode="query") == ["سوق"]
    assert terms(a, "أين السوق") == ["أين", "سوق"]


def test_query_stopwords_only_in_query_mode():
    a = ArabicAnalyzer()
    assert terms(a, "متى وصل") == ["مت", "وصل"]
    assert terms(a, "متى وصل", mode="query") == ["وصل"]
    assert terms(ArabicAnalyzer(query_stopwords=False), "متى وصل", mode="query") == ["مت", "وصل"]
    custom = ArabicAnalyzer(query_stopwords=["كيف"])
    assert terms(custom, "كيف متى في", mode="query") == ["مت"]


def test_unknown_stemmer_is_rejected():
    with pytest.raises(ValueError, match="unknown stemmer"):
        ArabicAnalyzer(stemmer="porter")
    with pytest.raises(TypeError):
        ArabicAnalyzer(stemmer=42)


def test_analyze_matches_whoosh_analyzer_on_golden_texts():
    a = ArabicAnalyzer()
    for param in ANALYZE_CASES:
        text = param.values[0]
        assert terms(a, text) == analyze(text), param.id


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
    pytest.param({"stemmer": "snowball"}, id="pickle-snowball"),
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
    assert b == a


def test_pickle_does_not_carry_the_term_cache():
    a = ArabicAnalyzer()
    fresh_size = len(pickle.dumps(a))
    letters = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = [a1 + a2 + a3 + a4 for a1 in letters[:12] for a2 in letters[:12]
             for a3 in letters[:6] for a4 in "اتن"]
    text = " ".join("وال" + w for w in words)
    assert len(terms(a, text)) == len(words)
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
