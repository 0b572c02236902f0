"""Arabic orthographic normalization.

Arabic is written with optional diacritics, several interchangeable alef and
hamza spellings, decorative tatweel, presentation-form glyphs and three digit
sets. Searchers type one spelling; articles use another. Normalization folds
them onto one form before anything else looks at a word.

Every rule is data: :data:`NORMALIZATION_RULES` maps a rule name to the
characters it rewrites. :class:`ArabicNormalizer` compiles the chosen rules
into a single ``str.translate`` table, so normalizing a word is one C call,
plus an NFKC pass only when the text actually needs one.

Unlike pyarabic's helpers, hamza on ؤ and ئ is kept (they are distinct
letters), ى is folded to ي (not to ا, which would turn فى into فا), U+0670
is removed with the other marks, and digits are folded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ..errors import SettingsError


def _chars(*ranges: tuple[int, int] | int) -> tuple[str, ...]:
    out: list[str] = []
    for r in ranges:
        if isinstance(r, int):
            out.append(chr(r))
        else:
            out.extend(chr(c) for c in range(r[0], r[1] + 1))
    return tuple(out)


def _strip(chars: Iterable[str]) -> Mapping[str, str]:
    return {c: "" for c in chars}


#: Harakat, tanween, shadda, sukun, and the other combining marks of the
#: Arabic block (U+064B–U+065F), plus superscript (dagger) alef U+0670.
DIACRITICS = _chars((0x064B, 0x065F), 0x0670)

#: Qur'anic annotation marks: honorific signs above letters (U+0610–U+061A)
#: and the small high/low marks of U+06D6–U+06ED that are not letters.
QURANIC_MARKS = _chars((0x0610, 0x061A), (0x06D6, 0x06DC), (0x06DF, 0x06E4),
                       (0x06E7, 0x06E8), (0x06EA, 0x06ED))

#: Zero-width and bidirectional control characters, which editors and web
#: pages leave inside words and which are invisible to a reader.
FORMAT_CONTROLS = _chars((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069),
                         0xFEFF, 0x061C)

#: Each rule, by name, as a mapping from a character to its replacement
#: ("" deletes it). The order of application is fixed by :data:`RULE_ORDER`;
#: no two rules touch the same character, so the order only matters for NFKC,
#: which runs first.
NORMALIZATION_RULES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    # كَتَبَ → كتب, مراراً → مرارا, مذّاك → مذاك
    "diacritics": MappingProxyType(_strip(DIACRITICS)),
    # ۖ ۗ ۚ and similar pause and annotation marks of Qur'anic text
    "quranic_marks": MappingProxyType(_strip(QURANIC_MARKS)),
    # الســـلام → السلام
    "tatweel": MappingProxyType({"\u0640": ""}),
    # أحمد إسلام آمن ٱلله → احمد اسلام امن الله
    "alef": MappingProxyType({"\u0623": "\u0627", "\u0625": "\u0627",
                              "\u0622": "\u0627", "\u0671": "\u0627"}),
    # على/علي, مستشفى/مستشفي: ى written where ي is meant
    "alef_maqsura": MappingProxyType({"\u0649": "\u064A"}),
    # مدرسة/مدرسه: ة written where ه is meant (and the reverse)
    "teh_marbuta": MappingProxyType({"\u0629": "\u0647"}),
    # Persian and Urdu look-alike letters typed on non-Arabic keyboards:
    # ک keheh, ڪ swash kaf → ك; ی farsi yeh, ې, ۍ → ي; ہ heh goal,
    # ھ heh doachashmee, ە ae → ه; ۀ heh with yeh above → ه
    "persian_letters": MappingProxyType({
        "\u06A9": "\u0643", "\u06AA": "\u0643",
        "\u06CC": "\u064A", "\u06D0": "\u064A", "\u06CD": "\u064A",
        "\u06C1": "\u0647", "\u06BE": "\u0647", "\u06D5": "\u0647",
        "\u06C0": "\u0647",
    }),
    # ٢٠٢٣ and ۲۰۲۳ → 2023; Arabic decimal and thousands separators → . and ,
    "digits": MappingProxyType({
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u066B": ".", "\u066C": ",",
    }),
    # invisible characters: ZWSP, ZWNJ, ZWJ, LRM, RLM, embeddings, isolates,
    # BOM and the Arabic letter mark
    "format_controls": MappingProxyType(_strip(FORMAT_CONTROLS)),
})

#: NFKC is not a per-character rule: it folds presentation forms (ﻻ → لا,
#: ﺍ → ا) and other compatibility characters, and it runs before the table.
NFKC = "nfkc"

#: Every step in the order it runs. ``ArabicNormalizer(steps=...)`` takes any
#: subset of these names.
RULE_ORDER: tuple[str, ...] = (NFKC, *NORMALIZATION_RULES)


class ArabicNormalizer:
    """Folds Arabic spelling variants onto one form.

    >>> ArabicNormalizer()("أُكتوبر")
    'اكتوبر'
    >>> ArabicNormalizer()("مُسْتَشْفَى الـــمدينة")
    'مستشفي المدينه'
    >>> ArabicNormalizer(steps=["diacritics"])("أُكتوبر")
    'أكتوبر'
    """

    __slots__ = ("steps", "_table", "_nfkc")

    def __init__(self, steps: Iterable[str] | None = None):
        chosen = tuple(RULE_ORDER if steps is None else steps)
        unknown = [s for s in chosen if s not in RULE_ORDER]
        if unknown:
            raise SettingsError(
                f"unknown normalization step(s) {unknown}; choose from {list(RULE_ORDER)}")
        self.steps: tuple[str, ...] = tuple(s for s in RULE_ORDER if s in chosen)
        self._nfkc = NFKC in self.steps
        table: dict[str, str] = {}
        for name in self.steps:
            if name != NFKC:
                table.update(NORMALIZATION_RULES[name])
        self._table = str.maketrans(table)

    def __call__(self, text: str) -> str:
        if not self._nfkc or text.isascii():
            return text.translate(self._table)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(self._table)
        # Deleting a mark or an invisible control can leave a letter next to
        # a combining mark it composes with (e, ZWSP, U+0301): run NFKC and
        # the table again, so that normalizing twice changes nothing. The
        # table can undo a composition (آ → ا) and bare the next mark, so
        # repeat until stable; each round composes, so the text shrinks.
        while not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text).translate(self._table)
        return text

    normalize = __call__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(steps={list(self.steps)!r})"

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:
        # Pickled into index schemas: keep the step names, not the table.
        return (type(self), (self.steps,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArabicNormalizer) and other.steps == self.steps

    def __hash__(self) -> int:
        return hash(self.steps)


_DEFAULT = ArabicNormalizer()


def normalize(text: str) -> str:
    """Normalize Arabic text with every rule of :data:`NORMALIZATION_RULES`.

    Works on a word or on a whole text; spacing and non-Arabic text are kept.

    >>> normalize("إِلى مُسْتَشْفَى المدينةِ ﻻ غير، عام ٢٠٢٣")
    'الي مستشفي المدينه لا غير، عام 2023'
    """
    return _DEFAULT(text)
