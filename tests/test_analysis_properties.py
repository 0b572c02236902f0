"""Property tests for the Arabic analyzer (hypothesis).

They run on any Unicode string (surrogates included) and on text biased
towards what the analyzer has to cope with: Arabic letters, harakat,
tatweel, Qur'anic marks, zero-width and bidi controls, Arabic punctuation,
three digit sets, presentation forms, Persian look-alikes, URLs and e-mails.
"""

from __future__ import annotations

import pickle
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arsearch import ArabicAnalyzer, ArabicNormalizer, Light10Stemmer, analyze, explain, light_stem
from arsearch.analysis import ArabicChain, ArabicTermFilter, ArabicTokenizer
from arsearch import normalize
from arsearch.analysis import NORMALIZATION_RULES, RULE_ORDER, TermPipeline, tokenize
from arsearch.analysis.lexicon import Lexicon
from arsearch.analysis.pipeline import EXACT_MARK

LEXICON = Lexicon()

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


def _span(lo: int, hi: int) -> list[str]:
    return [chr(c) for c in range(lo, hi + 1)]


ARABIC_LETTERS = _span(0x0621, 0x063A) + _span(0x0641, 0x064A)
MARKS = _span(0x064B, 0x065F) + ["\u0670"] + _span(0x0610, 0x061A) + _span(0x06D6, 0x06ED)
CONTROLS = (_span(0x200B, 0x200F) + _span(0x202A, 0x202E) + _span(0x2066, 0x2069)
            + ["\ufeff", "\u061c"])
PUNCTUATION = list("،؛؟«»“”‘’!.,:;/#@_-()[]%٪٫٬۔") + [" ", " ", " ", "\n", "\t", "\u00a0"]
DIGITS = _span(0x0030, 0x0039) + _span(0x0660, 0x0669) + _span(0x06F0, 0x06F9)
PRESENTATION = ["ﻻ", "ﻷ", "ﻹ", "ﻵ", "ﷺ", "ﷲ", "ﷻ", "﷽", "ﺍ", "ﻟ", "ﺴ", "ﻼ", "ﻡ", "ﺃ"]
PERSIAN = ["ک", "ڪ", "ی", "ې", "ۍ", "ہ", "ھ", "ە", "ۀ", "پ", "چ", "ژ", "گ"]
LATIN = list("abcxyzABCXYZ") + ["e\u0301", "\u0301", "İ", "ß", "ﬁ", "²", "Ａ"]

ALPHABET = (ARABIC_LETTERS + MARKS + ["\u0640"] + CONTROLS + PUNCTUATION + DIGITS
            + PRESENTATION + PERSIAN + LATIN)

FRAGMENTS = [
    "والقوات", "بالمفاوضات", "للقاء", "فالعلاقات", "كَتَبَ", "الســـلام", "إلى", "متى",
    "https://www.spa.gov.sa/news/2023?id=5", "www.example.com/a", "pic.twitter.com/x",
    "info@example.com", "News.Desk@Example.org", "#Libya", "@user_name", "#عاجل_ليبيا",
    "٢٠٢٣", "١٬٠٠٠", "٣٫٥", "ﷺ", "ﻻعب", "Reports", "The",
]

any_unicode = st.text(st.characters(exclude_categories=()), max_size=60)
arabic_biased = st.lists(
    st.one_of(st.sampled_from(ALPHABET),
              st.characters(min_codepoint=0x0600, max_codepoint=0x08FF),
              st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF)),
    max_size=80).map("".join)
token_soup = st.lists(
    st.tuples(st.one_of(st.sampled_from(FRAGMENTS), arabic_biased),
              st.sampled_from(["", " ", "، ", "\u200f", "ـ", "«", "\n", "/", "."])),
    max_size=8,
).map(lambda parts: "".join(a + b for a, b in parts))

# Letters, the marks that compose with them under NFKC, and the characters
# normalization deletes: removing a control or an Arabic mark can leave a
# letter next to a mark it composes with.
BASES = ["e", "a", "c", "A", "ا", "و", "ي", "ە", "ه", ""]
DELETED = ["\u200b", "\u200d", "\u200f", "\u2067", "\ufeff", "\u0610", "\u064e", "\u0653",
           "\u0654", "\u0640", "\u06DA", ""]
COMBINING = ["\u0301", "\u0300", "\u0316", "\u0327", "\u0654", "\u0655", "\u0653"]
composing = st.lists(
    st.one_of(st.tuples(st.sampled_from(BASES), st.sampled_from(DELETED),
                        st.sampled_from(COMBINING)).map("".join),
              st.sampled_from(BASES + DELETED + COMBINING)),
    max_size=6).map("".join)

texts = st.one_of(any_unicode, arabic_biased, token_soup, composing)

arabic_words = st.text(st.sampled_from(ARABIC_LETTERS), min_size=0, max_size=10)
marked_words = st.text(st.sampled_from(ARABIC_LETTERS + MARKS + ["\u0640"] + CONTROLS[:5]),
                       min_size=0, max_size=12)

ALL_RULE_KEYS = frozenset(c for table in NORMALIZATION_RULES.values() for c in table)

ANALYZER = ArabicAnalyzer()
PICKLED_ANALYZER = pickle.loads(pickle.dumps(ArabicAnalyzer()))
LIGHT10_ANALYZER = ArabicAnalyzer(stemmer="light10", exact_forms=False)
LIGHT10 = TermPipeline(stemmer="light10", exact_forms=False)
NO_EXACT = TermPipeline(exact_forms=False)


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u08FF" or "\uFB50" <= ch <= "\uFEFC"


def _without_exact_forms(terms: list[str]) -> list[str]:
    return [t for t in terms if not t.startswith(EXACT_MARK)]


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


# --- analyze never raises ---------------------------------------------------

@PROPERTY_SETTINGS
@given(texts)
def test_analyze_never_raises_and_gives_nonempty_terms(text):
    for query in (False, True):
        result = analyze(text, query=query)
        assert isinstance(result, list)
        assert all(isinstance(t, str) and t for t in result)
    assert len(explain(text)) == len(list(tokenize(text)))


@PROPERTY_SETTINGS
@given(any_unicode)
def test_analyze_never_raises_on_full_unicode_range(text):
    assert all(t for t in analyze(text))
    assert all(t for t in analyze(text, query=True))


# --- offsets ----------------------------------------------------------------

@PROPERTY_SETTINGS
@given(texts)
def test_token_offsets_are_in_range_ordered_and_point_at_the_original(text):
    previous_end = 0
    for tok in explain(text):
        assert 0 <= tok.start < tok.end <= len(text)
        assert tok.start >= previous_end
        assert text[tok.start:tok.end] == tok.original
        previous_end = tok.end
    for t in ANALYZER(text, chars=True, positions=True):
        assert 0 <= t.startchar < t.endchar <= len(text)


@PROPERTY_SETTINGS
@given(texts)
def test_whoosh_offsets_start_char_is_added(text):
    shift = 17
    plain = [(t.text, t.startchar, t.endchar) for t in ANALYZER(text, chars=True)]
    shifted = [(t.text, t.startchar - shift, t.endchar - shift)
               for t in ANALYZER(text, chars=True, start_char=shift)]
    assert shifted == plain


# --- URLs and e-mail addresses stay one token ------------------------------

_label = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=8)
_hosts = st.tuples(st.lists(_label, min_size=1, max_size=3),
                   st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=2, max_size=4)
                   ).map(lambda p: ".".join([*p[0], p[1]]))
_path = st.tuples(
    st.text(st.sampled_from("abcXYZ019/-_?=&%.~+:#@!,;" + "".join(ARABIC_LETTERS[:10]) + "٢٣"),
            max_size=25),
    st.sampled_from("abcXYZ019ليب"),
).map("".join)
urls = st.tuples(st.sampled_from(["https://", "http://", "https://www.", "www.", ""]), _hosts,
                 _path).map(lambda p: f"{p[0]}{p[1]}/{p[2]}")
emails = st.tuples(
    st.sampled_from("abcdefgjkABC"),
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABC0123456789._%+-"), max_size=10),
    _hosts,
).map(lambda p: f"{p[0]}{p[1]}@{p[2]}")


@PROPERTY_SETTINGS
@given(urls, st.sampled_from([" ", "، ", "\n", " («", "» ", "،", "؛", "؟"]))
def test_a_url_is_one_token(url, sep):
    text = f"قال{sep}{url}{sep[::-1]}الوزير"
    toks = [t for t in tokenize(text) if t.kind != "arabic" or t.text not in ("قال", "الوزير")]
    assert len(toks) == 1, toks
    (tok,) = toks
    assert tok.kind == "url"
    assert text[tok.start:tok.end] == url
    assert len(analyze(url)) == 1


@PROPERTY_SETTINGS
@given(emails)
def test_an_email_is_one_token(email):
    text = f"راسلونا على {email} اليوم"
    toks = [t for t in tokenize(text) if t.kind != "arabic"]
    assert [(t.kind, t.text, text[t.start:t.end]) for t in toks] == [("email", email, email)]
    assert analyze(email) == [email.lower()]


# --- normalize --------------------------------------------------------------

@PROPERTY_SETTINGS
@given(st.one_of(composing, texts))
@example("e\u200b\u0301")          # deleting ZWSP leaves e + acute: compose again
@example("e\u0653\u0301")          # deleting a mark unblocks a composition
@example("\u0301\u200d\u0316")     # deleting ZWJ leaves marks out of canonical order
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@PROPERTY_SETTINGS
@given(st.one_of(composing, texts), st.lists(st.sampled_from(RULE_ORDER), unique=True))
# Found by this test in CI: ZWSP deleted, ا + madda composes to آ, the alef
# rule folds it back to ا and bares the second madda, which composes again.
@example("\u0627\u200b\u0316\u0653\u0653", ["nfkc", "alef", "format_controls"])
def test_any_subset_of_steps_is_idempotent(text, steps):
    n = ArabicNormalizer(steps=steps)
    once = n(text)
    assert n(once) == once


@PROPERTY_SETTINGS
@given(texts)
def test_normalize_output_has_no_character_a_rule_deletes_or_maps(text):
    out = normalize(text)
    leftover = set(out) & ALL_RULE_KEYS
    assert not leftover, sorted(f"U+{ord(c):04X}" for c in leftover)
    assert unicodedata.is_normalized("NFKC", out)


@PROPERTY_SETTINGS
@given(texts, st.sampled_from(sorted(NORMALIZATION_RULES)))
def test_single_rule_output_has_none_of_its_own_characters(text, rule):
    out = ArabicNormalizer(steps=[rule])(text)
    assert not set(out) & set(NORMALIZATION_RULES[rule])


# --- Light10 ----------------------------------------------------------------

@PROPERTY_SETTINGS
@given(arabic_words)
def test_light10_never_shorter_than_two_unless_the_input_was(word):
    stem = Light10Stemmer()(word)
    assert len(stem) >= min(2, len(word))
    assert stem in word                      # only prefixes and suffixes go


@PROPERTY_SETTINGS
@given(marked_words)
def test_light_stem_never_shorter_than_two_unless_the_normalized_input_was(word):
    normalized = normalize(word)
    stem = light_stem(word)
    assert len(stem) >= min(2, len(normalized))
    assert stem in normalized
    assert light_stem(normalized) == stem


# --- analyze vs the Whoosh analyzer, determinism ---------------------------

@PROPERTY_SETTINGS
@given(texts)
def test_analyze_equals_whoosh_analyzer_terms(text):
    """Index mode: analyze()'s terms, exact forms included. Query mode:
    analyze(query=True)'s terms without the exact forms, so Whoosh's own
    query parser sees one term per word."""
    assert [t.text for t in ANALYZER(text)] == analyze(text)
    assert [t.text for t in ANALYZER(text, mode="query")] == _without_exact_forms(
        analyze(text, query=True))
    assert [t.text for t in PICKLED_ANALYZER(text)] == analyze(text)
    assert [t.text for t in PICKLED_ANALYZER(text, mode="query")] == _without_exact_forms(
        analyze(text, query=True))
    # without exact forms, both modes are analyze()'s exactly
    assert [t.text for t in LIGHT10_ANALYZER(text)] == analyze(text, pipeline=LIGHT10)
    assert [t.text for t in LIGHT10_ANALYZER(text, mode="query")] == analyze(
        text, pipeline=LIGHT10, query=True)


# --- exact forms ------------------------------------------------------------

@PROPERTY_SETTINGS
@given(texts)
def test_exact_forms_follow_their_stem_and_only_when_it_differs(text):
    for query in (False, True):
        for tok in explain(text, query=query):
            terms = tok.terms
            exact = [t for t in terms if t.startswith(EXACT_MARK)]
            if not exact:
                continue
            # Arabic-script words only (not Latin, numbers, URLs, e-mails)
            assert tok.kind not in ("url", "email") and _is_arabic(tok.normalized[0]), tok
            words = tok.normalized.split()
            for i, term in enumerate(terms):
                if term.startswith(EXACT_MARK):
                    word = term[len(EXACT_MARK):]
                    # right after its stem, which differs from the word
                    # (unless the word is itself a lexicon term)
                    assert i > 0 and not terms[i - 1].startswith(EXACT_MARK), tok
                    assert terms[i - 1] != word or LEXICON.get(word) == word, tok
                    assert word in words, tok
                    assert word and not word.startswith(EXACT_MARK), tok


@PROPERTY_SETTINGS
@given(texts)
def test_exact_forms_add_terms_and_change_no_stem(text):
    for query in (False, True):
        with_exact = analyze(text, query=query)
        assert _without_exact_forms(with_exact) == analyze(text, pipeline=NO_EXACT, query=query)


@PROPERTY_SETTINGS
@given(texts)
def test_whoosh_exact_forms_share_their_stems_position(text):
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in ANALYZER(text, positions=True, chars=True)]
    stems = [tok for tok in tokens if not tok[0].startswith(EXACT_MARK)]
    # stems: consecutive positions (stopwords leave no gap)
    if stems:
        first = stems[0][1]
        assert [pos for _, pos, _, _ in stems] == list(range(first, first + len(stems)))
    for i, (term, pos, start, end) in enumerate(tokens):
        if term.startswith(EXACT_MARK):
            assert i > 0
            stem, stem_pos, stem_start, stem_end = tokens[i - 1]
            assert not stem.startswith(EXACT_MARK)
            assert (pos, start, end) == (stem_pos, stem_start, stem_end)
    # query mode: no exact form, and the stems still numbered consecutively
    query = [(t.text, t.pos) for t in ANALYZER(text, mode="query", positions=True)]
    assert not any(term.startswith(EXACT_MARK) for term, _ in query)
    if query:
        assert [pos for _, pos in query] == list(range(query[0][1], query[0][1] + len(query)))


@PROPERTY_SETTINGS
@given(texts)
def test_analysis_is_deterministic_across_fresh_pipelines(text):
    first, second = TermPipeline(), TermPipeline()
    a = analyze(text, pipeline=first)
    b = analyze(text, pipeline=second)
    assert a == b == analyze(text)
    # cached and uncached agree, and a second (cached) run changes nothing
    assert a == [term for tok in tokenize(text) for term in first.compute(tok.text)]
    assert analyze(text, pipeline=first) == a


@PROPERTY_SETTINGS
@given(texts)
def test_query_terms_are_a_subsequence_of_index_terms(text):
    assert _is_subsequence(analyze(text, query=True), analyze(text))


@given(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهويءآأؤإئةى", min_size=1, max_size=12))
def test_light10_snowball_cache_never_changes_a_stem(word):
    from arsearch.analysis.stemming import LightSnowballStemmer, SnowballArabicStemmer, \
        light10_prefixes
    cached = LightSnowballStemmer()
    w = normalize(word)
    first, second = cached(w), cached(w)
    core = light10_prefixes(w)
    if core.endswith("ات") and len(core) - 2 >= 2:
        core = core[:-2]
    assert first == second == SnowballArabicStemmer()(core)


def test_light10_snowball_pickles_without_its_cache():
    from arsearch.analysis.stemming import LightSnowballStemmer
    stemmer = LightSnowballStemmer()
    stemmer("والكتاب")
    copy = pickle.loads(pickle.dumps(stemmer))
    assert copy._cache == {} and copy("بالكتاب") == "كتاب"


# --- one token loop: the fused chain equals the two-stage chain --------------

TWO_STAGE = ArabicTokenizer() | ArabicTermFilter(ANALYZER.pipeline)
TWO_STAGE_LIGHT10 = ArabicTokenizer() | ArabicTermFilter(LIGHT10)


def _tokens(analyzer, text, **options):
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None),
             getattr(t, "endchar", None), getattr(t, "original", None))
            for t in analyzer(text, **options)]


@PROPERTY_SETTINGS
@given(texts, st.sampled_from(["index", "query"]), st.integers(0, 5), st.integers(0, 50),
       st.booleans(), st.booleans(), st.booleans())
def test_fused_and_two_stage_chains_give_identical_tokens(text, mode, start_pos, start_char,
                                                           positions, chars, keeporiginal):
    """issue 10, item 3: ArabicChain's fused call runs the same loops as
    ArabicTokenizer() | ArabicTermFilter(), so the tokens, positions and
    offsets agree in both modes, whatever the first token is (a stopword
    included)."""
    assert isinstance(ANALYZER, ArabicChain)
    options = dict(mode=mode, start_pos=start_pos, start_char=start_char, positions=positions,
                   chars=chars, keeporiginal=keeporiginal)
    assert _tokens(ANALYZER, text, **options) == _tokens(TWO_STAGE, text, **options)
    assert _tokens(LIGHT10_ANALYZER, text, **options) == _tokens(TWO_STAGE_LIGHT10, text,
                                                                 **options)


def test_positions_start_at_start_pos_when_the_first_token_is_a_stopword():
    # The two-stage chain used to number from the first *kept* token (4 here).
    for analyzer in (ANALYZER, TWO_STAGE):
        assert [t.pos for t in analyzer("في مدينة", positions=True, start_pos=3)] == [3, 3]
