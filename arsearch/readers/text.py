"""Articles saved as plain-text pages: a headline, labelled furniture lines
(date, source, tags) and the body, as Arabic news pages are saved."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..analysis.normalization import normalize
from ..article import ARTICLE_FIELDS, split_tags
from ..errors import DocumentError, SettingsError
from .records import BOM, PathArg, check_file, not_utf8

#: The labels of the furniture lines of a saved article page, by the field
#: they give. They are compared after :func:`~arsearch.normalize`, so hamza,
#: alef, teh marbuta, diacritic and tatweel variants all match.
TEXT_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "date": ("تاريخ النشر", "نشر بتاريخ"),
    "source": ("المصدر",),
    "tags": ("كلمات دلالية", "الكلمات الدلالية", "كلمات مفتاحية", "الكلمات المفتاحية",
             "الوسوم"),
})

#: A line starting with one of these begins another article's teaser: it and
#: everything after it are not part of the article.
TEASER_LABELS: tuple[str, ...] = ("إقرأ أيضاً", "اقرأ كذلك", "طالع أيضاً")

_COLON = re.compile(r"[:：﹕︓]")
# What may surround a label: bullets, dashes, arrows, quotes, stray punctuation.
_LABEL_JUNK = " \t-–—_•·*|#>»«<.…:：﹕︓\"'()[]"


# ---------------------------------------------------------------- one saved page

def read_article_text(path_or_text: PathArg) -> dict[str, Any]:
    """Read one article saved as plain text, from a file or from a string.

    The layout, as Arabic news pages are saved::

        headline (the first non-empty line)
        تاريخ النشر: <date, kept as the raw string>
        body paragraphs, one per line (blank lines between them are optional)
        المصدر: <source>
        كلمات دلالية: <tags, see split_tags>
        إقرأ أيضاً: <another article's teaser: never read>

    Every labelled line is optional; date, source and tags lines may come in
    any order, and the body ends at the first of them after it. A line that
    begins ``إقرأ أيضاً`` (or any spelling of it, with or without a colon)
    starts another article, so reading stops there. Labels are compared after
    :func:`~arsearch.normalize` (see :data:`TEXT_LABELS`), so ``اقرأ ايضا``,
    ``المصـــدر`` or ``كلمات دلاليّة：`` all count; a label alone on its line
    takes its value from the next line(s). Paragraphs are joined with ``\\n\\n``.

    A tags line is split by :func:`~arsearch.article.split_tags`: on ``،``
    ``,`` ``;`` ``|`` when it has any of them, into hashtags when every word
    is one (``#صحة #رياضة``), and otherwise kept whole, as one tag
    (``كلمات دلالية: زلزال المغرب`` is the tag ``زلزال المغرب``). A label
    alone on its line takes one tag per following line, up to a blank line.

    A ``str`` containing a newline is parsed as the article text and gets the
    id ``"text-"`` + 12 hex digits of its SHA-1; anything else is a path to
    read (UTF-8, BOM allowed) and the id is the file's name without its
    extension. A missing file, a file that is not UTF-8 or a text without a
    headline raises :class:`~arsearch.DocumentError`.

    >>> article = read_article_text(
    ...     "ارتفاع أسعار القهوة\\n"
    ...     "تاريخ النشر: 03/02/2024\\n"
    ...     "ارتفعت أسعار البن للشهر الثالث.\\n"
    ...     "المصدر: وكالة الأنباء\\n"
    ...     "كلمات دلالية: اقتصاد، أسعار القهوة\\n"
    ...     "إقرأ أيضاً:\\n"
    ...     "افتتاح سوق جديدة\\n")
    >>> article["headline"], article["date"], article["tags"]
    ('ارتفاع أسعار القهوة', '03/02/2024', ['اقتصاد', 'أسعار القهوة'])
    >>> article["body"]
    'ارتفعت أسعار البن للشهر الثالث.'
    """
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        text = path_or_text.lstrip(BOM).replace("\r\n", "\n").replace("\r", "\n")
        rid = "text-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        return parse_page(io.StringIO(text), rid, "<text>")
    if not isinstance(path_or_text, (str, os.PathLike)):
        raise SettingsError(f"expected a path or a text, got {type(path_or_text).__name__}")
    name = os.fspath(path_or_text)
    if not isinstance(name, str):
        raise SettingsError(f"expected a str path, got {type(name).__name__}")
    if isinstance(path_or_text, str) and not os.path.exists(name):
        raise DocumentError(f"no such file: {name!r} (to parse an article's text, pass a "
                            "string containing its lines)")
    check_file(name)
    rid = Path(name).stem
    try:
        with open(name, encoding="utf-8-sig", newline=None) as fh:
            return parse_page(fh, rid, name)
    except UnicodeDecodeError as e:
        raise not_utf8(name, e, record=rid) from None
    except OSError as e:
        raise DocumentError(f"cannot read {name}: {e.strerror or e}", record=rid) from e


def _label_key(text: str) -> str:
    return " ".join(normalize(text).split()).strip(_LABEL_JUNK)


_LABELS: dict[str, str] = {_label_key(raw): field
                           for field, raws in TEXT_LABELS.items() for raw in raws}
_TEASERS: tuple[str, ...] = tuple(_label_key(raw) for raw in TEASER_LABELS)


def _is_teaser(line: str) -> bool:
    key = _label_key(line)
    for teaser in _TEASERS:
        if key.startswith(teaser) and not key[len(teaser):len(teaser) + 1].isalnum():
            return True
    return False


def _furniture(line: str) -> tuple[str, str] | None:
    """``(field, value)`` when ``line`` is a labelled line, else None."""
    m = _COLON.search(line)
    if m is not None:
        field = _LABELS.get(_label_key(line[:m.start()]))
        if field is not None:
            return field, line[m.end():].strip()
    field = _LABELS.get(_label_key(line))      # a label alone: its value is on the next line
    return (field, "") if field is not None else None


def parse_page(lines: Iterable[str], rid: str, name: str, *,
               headline: str | None = None) -> dict[str, Any]:
    """The article record of a saved page's lines (see :func:`read_article_text`).

    With ``headline`` (a page whose title is known, such as an HTML page),
    the first line is not taken as the headline; it is dropped when it
    repeats the headline, and every other line before the furniture is body.
    """
    paragraphs: list[str] = []
    found: dict[str, Any] = {}
    body_ended = False
    pending: str | None = None      # a label whose value is on the following line(s)
    title_seen = headline is None

    def take(field: str, value: str) -> None:
        if field == "tags":
            found.setdefault("tags", []).extend(split_tags(value))
        else:
            found.setdefault(field, value)

    for raw in lines:
        line = raw.strip().lstrip(BOM).strip()
        if not line:
            if pending == "tags" and "tags" in found:
                pending = None
            continue
        if _is_teaser(line):
            break
        label = _furniture(line)
        if label is not None:
            field, value = label
            body_ended = body_ended or bool(paragraphs)
            pending = None if value else field
            if value:
                take(field, value)
            continue
        if pending is not None:
            take(pending, line)
            if pending != "tags":
                pending = None
            continue
        if headline is None:
            headline = line
        elif not title_seen:
            title_seen = True
            if " ".join(line.split()) != " ".join(headline.split()):
                paragraphs.append(line)
        elif not body_ended:
            paragraphs.append(line)
        # lines after the furniture that are not labelled are page chrome: dropped

    if not headline:
        raise DocumentError(f"no headline: {name} has no text", record=rid)
    out: dict[str, Any] = {"id": rid, "headline": headline}
    if paragraphs:
        out["body"] = "\n\n".join(paragraphs)
    for field in ("date", "source"):
        if field in found:
            out[field] = found[field]
    if found.get("tags"):
        out["tags"] = list(dict.fromkeys(found["tags"]))
    return {f: out[f] for f in ARTICLE_FIELDS if f in out}
