"""The exact-form field reuses the stem field's pass over the same value
(arsearch.analysis.analyzer.ArabicChain).

An article's text is indexed twice, as stems (``body``) and as exact forms
(``body_exact``), one right after the other. The stem pass notes the exact
forms it skips; the exact pass replays them instead of analysing the text
again. The rules tested: the replayed tokens are exactly those of a fresh
exact pass (text, position, offsets), for every combination of the flags
Whoosh passes; another value, or the same text as another object, is
analysed afresh; queries never use the note; threads interleaving their
passes over different values still get their own forms; the note is never
pickled with the schema.
"""

from __future__ import annotations

import pickle
import random
import threading

import pytest

from arsearch.analysis import TermPipeline
from arsearch.analysis import analyzer as analyzer_module
from arsearch.analysis.analyzer import EXACT_FORMS, STEMS, ArabicChain

TEXTS = [
    # Clitics, a stopword between words, diacritics, tatweel, a lexicon
    # word (a place and its nisba), Latin with a hashtag, digits.
    "والقوات الليبية بالمفاوضات في جنيف، وقال الوزيـــر إنّ الاتفاق قريب",
    "فالعلاقات بين ليبيا ومصر للقاء #BREAKING #Libya في ٢٠٢٣",
    "سبتمبر (أيلول) شهد أسعار الأدوية في المدن",
    "",
    "من في",                      # stopwords only
]

FLAGS = [{}, {"positions": True}, {"positions": True, "chars": True},
         {"chars": True, "start_char": 7}, {"positions": True, "start_pos": 3}]


def tokens(chain: ArabicChain, value: str, **flags) -> list[tuple]:
    return [(t.text, t.pos, getattr(t, "startchar", None), getattr(t, "endchar", None))
            for t in chain(value, **flags)]


@pytest.fixture
def chains() -> tuple[ArabicChain, ArabicChain, ArabicChain]:
    """A stem chain and an exact chain sharing a pipeline (as in a schema),
    and an exact chain of its own that never sees a note."""
    shared = TermPipeline()
    return ArabicChain(shared, STEMS), ArabicChain(shared, EXACT_FORMS), \
        ArabicChain(TermPipeline(), EXACT_FORMS)


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the exact passes answered from a note."""
    calls: list[int] = []
    real = analyzer_module._replay

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(analyzer_module, "_replay", counted)
    return calls


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: ",".join(f) or "none")
@pytest.mark.parametrize("text", TEXTS)
def test_replayed_exact_forms_are_those_of_a_fresh_pass(chains, replays, text, flags) -> None:
    stems, exact, fresh = chains
    assert tokens(stems, text, **flags) == tokens(ArabicChain(TermPipeline(), STEMS), text,
                                                  **flags)
    assert tokens(exact, text, **flags) == tokens(fresh, text, **flags)
    assert replays == [1]


def test_there_are_exact_forms_to_replay(chains) -> None:
    stems, exact, _ = chains
    list(stems(TEXTS[0]))
    replayed = [t.text for t in exact(TEXTS[0])]
    assert "=والقوات" in replayed and "=بالمفاوضات" in replayed


def test_another_value_or_other_flags_are_analysed_afresh(chains, replays) -> None:
    stems, exact, fresh = chains
    list(stems(TEXTS[0]))
    assert tokens(exact, TEXTS[1]) == tokens(fresh, TEXTS[1])
    # An equal text that is another object is not taken on trust.
    copy = "".join(list(TEXTS[0]))
    assert copy == TEXTS[0] and copy is not TEXTS[0]
    assert tokens(exact, copy) == tokens(fresh, copy)
    # Different offsets than the stem pass used.
    list(stems(TEXTS[0], chars=True))
    assert tokens(exact, TEXTS[0], chars=True, start_char=4) == \
        tokens(fresh, TEXTS[0], chars=True, start_char=4)
    assert replays == []


def test_queries_never_use_the_note(chains, replays) -> None:
    stems, exact, fresh = chains
    list(stems(TEXTS[0]))
    assert tokens(exact, TEXTS[0], mode="query") == tokens(fresh, TEXTS[0], mode="query")
    list(stems(TEXTS[0], mode="query"))
    assert tokens(exact, TEXTS[0], mode="query") == tokens(fresh, TEXTS[0], mode="query")
    assert replays == []


def test_threads_interleaving_their_passes_get_their_own_forms(chains) -> None:
    stems, exact, fresh = chains
    texts = [t for t in TEXTS if t] * 3
    expected = {text: tokens(fresh, text, positions=True) for text in texts}
    errors: list[str] = []
    barrier = threading.Barrier(4)

    def work(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(300):
            text = rng.choice(texts)
            list(stems(text, positions=True))
            got = tokens(exact, text, positions=True)
            if got != expected[text]:
                errors.append(text)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_note_is_not_pickled(chains) -> None:
    stems, exact, _ = chains
    list(stems(TEXTS[0]))
    assert stems.pipeline.exact_memo is not None
    restored = pickle.loads(pickle.dumps((stems, exact)))
    assert restored[0].pipeline is restored[1].pipeline       # still shared
    assert restored[0].pipeline.exact_memo is None
    assert TEXTS[0].encode() not in pickle.dumps(stems)
