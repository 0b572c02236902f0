"""Which input key (JSON key, CSV column) gives which field of a record.

A :class:`FieldMap` turns one input object into an article record: the
article fields from :data:`DEFAULT_FIELDS` or the caller's ``fields``
mapping, every other key kept as an extra field. A :class:`KeyCheck`
watches the first records of a file and refuses a mapping that names a key
no record has, or input whose keys give no id or no text, with a
:class:`~arsearch.errors.FieldMappingError` that lists the keys there are.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ..analysis.normalization import normalize
from ..article import ARTICLE_FIELDS, split_tags
from ..errors import DocumentError, FieldMappingError, SettingsError

#: The input keys (JSON keys, CSV column names) each field is read from when
#: no ``fields`` mapping names it: the first key present in a record wins.
DEFAULT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "id": ("id",),
    "headline": ("headline", "title"),
    "body": ("body", "text", "content"),
    "date": ("date",),
    "source": ("source",),
    "tags": ("tags", "keywords"),
    "url": ("url",),
})

#: Key names that likely hold a field, used only to suggest a ``fields``
#: mapping in an error message (never to read a field unasked). Compared
#: after :func:`~arsearch.normalize` and case folding.
KEY_HINTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "id": ("المعرف", "معرف", "الرقم", "رقم", "رقم الخبر", "ident", "identifier", "uid", "guid",
           "key", "doc_id", "docid", "article_id", "_id"),
    "headline": ("العنوان", "عنوان", "عنوان الخبر", "heading", "titre", "name"),
    "body": ("النص", "نص", "المتن", "المحتوى", "التفاصيل", "نص الخبر", "article", "description",
             "story", "contenu"),
    "date": ("التاريخ", "تاريخ", "تاريخ النشر", "published", "published_at", "pubdate",
             "publish_date", "datetime", "time", "created_at"),
    "source": ("المصدر", "مصدر", "الجهة", "الصحيفة", "الموقع", "site", "publisher", "outlet",
               "newspaper", "author_org"),
    "tags": ("الوسوم", "الكلمات", "الكلمات الدلالية", "كلمات دلالية", "الكلمات المفتاحية",
             "categories", "labels", "topics"),
    "url": ("الرابط", "رابط", "link", "href", "permalink"),
})

#: Records a :class:`KeyCheck` reads at most before judging a mapping.
KEY_CHECK_WINDOW = 1000
#: Keys an error message lists at most.
MAX_KEYS_SHOWN = 30

_TEXT_FIELDS = ("headline", "body")


def _fold(key: str) -> str:
    return " ".join(normalize(key).casefold().split())


_HINTS: dict[str, str] = {_fold(k): field for field, keys in KEY_HINTS.items() for k in keys}


class FieldMap:
    """How the keys of an input object become a record.

    ``fields`` maps a field name to the key it is read from. An article
    field (:data:`~arsearch.article.ARTICLE_FIELDS`) it does not name keeps
    :data:`DEFAULT_FIELDS`; any other name makes an extra field read from
    that key (``{"author": "writer"}``). Mapping a name to ``None`` leaves
    it out. With ``extra=True``, the keys no article field uses are kept as
    extra fields under their own names.
    """

    def __init__(self, fields: Mapping[str, str | None] | None = None, *, extra: bool = True):
        if fields is not None and not isinstance(fields, Mapping):
            raise SettingsError(f"fields must be a mapping, got {type(fields).__name__}")
        spec = dict(DEFAULT_FIELDS)
        self.extra_keys: dict[str, str] = {}     # extra name -> key
        dropped: set[str] = set()
        self.explicit: dict[str, str] = {}       # every name -> key given in fields
        for name, key in (fields or {}).items():
            if not isinstance(name, str) or not name.strip():
                raise SettingsError(f"field names in fields must be non-empty strings, "
                                    f"got {name!r}")
            if key is not None and (not isinstance(key, str) or not key):
                raise SettingsError(f"fields[{name!r}] must be a key name (a non-empty str) "
                                    f"or None, got {key!r}")
            if name not in ARTICLE_FIELDS:
                close = difflib.get_close_matches(name, ARTICLE_FIELDS, n=1, cutoff=0.75)
                if close:
                    raise SettingsError(
                        f"{name!r} in fields is not an article field; did you mean "
                        f"{close[0]!r}? (article fields: {', '.join(ARTICLE_FIELDS)}; any "
                        "other name keeps an extra field, so it must not look like one)")
            if name in ARTICLE_FIELDS:
                spec[name] = () if key is None else (key,)
            elif key is None:
                dropped.add(name)
            else:
                self.extra_keys[name] = key
            if key is not None:
                self.explicit[name] = key
        self.spec: dict[str, tuple[str, ...]] = {f: keys for f, keys in spec.items() if keys}
        self.keep_extra = bool(extra)
        # Keys that are not extras under their own name: every key an article
        # field may come from, the article field names, the names left out,
        # and the names and keys of the extra fields mapped (a rename).
        self._not_extra = (frozenset(k for keys in spec.values() for k in keys)
                           | set(ARTICLE_FIELDS) | dropped | set(self.extra_keys)
                           | set(self.extra_keys.values()))

    def record(self, obj: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The record for one input object (``None`` values are left out)."""
        out: dict[str, Any] = {}
        for field, keys in self.spec.items():
            for key in keys:
                value = obj.get(key)
                if value is not None:
                    out[field] = value
                    break
        if "tags" in out:
            rid = out.get("id")
            record = rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else where
            out["tags"] = tags_value(out["tags"], record, where)
        for name, key in self.extra_keys.items():
            value = obj.get(key)
            if value is not None:
                out[name] = value
        if self.keep_extra:
            for key, value in obj.items():
                if value is not None and key not in self._not_extra and isinstance(key, str) \
                        and key.strip():
                    out.setdefault(key, value)
        return out

    def has_article_key(self, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj`` has a key some article field is read from."""
        return any(key in obj for keys in self.spec.values() for key in keys)

    def hints(self, available: Iterable[str]) -> dict[str, str]:
        """Article fields → the first available key that looks like one."""
        found: dict[str, str] = {}
        for key in available:
            field = _HINTS.get(_fold(key))
            if field is not None:
                found.setdefault(field, key)
        return {f: found[f] for f in ARTICLE_FIELDS if f in found}


class KeyCheck:
    """Watches the keys of a file's first records and says when the field
    mapping cannot be right: a key it names is in none of them, or none of
    them gives an id, or a headline or body. (A field mapped to ``None``
    is not looked for: ``fields={"id": None}`` reads records whose ids the
    caller sets.)

    Checking stops, satisfied, as soon as every named key, an id and a text
    field have been seen (usually at the first record). When the file ends,
    or :data:`KEY_CHECK_WINDOW` records were read, first, :meth:`error`
    says what is missing.
    """

    def __init__(self, fmap: FieldMap, name: str, *, noun: str = "key"):
        self.fmap = fmap
        self.name = name
        self.noun = noun
        self.seen: dict[str, None] = {}
        self.count = 0
        self._missing = dict(fmap.explicit)
        self._id_keys = fmap.spec.get("id", ())
        self._text_keys = tuple(k for f in _TEXT_FIELDS for k in fmap.spec.get(f, ()))
        # Nothing to look for when fields left them out (ids set by the caller).
        self._has_id = not self._id_keys
        self._has_text = not self._text_keys

    @property
    def satisfied(self) -> bool:
        return not self._missing and self._has_id and self._has_text

    def observe(self, obj: Mapping[str, Any]) -> None:
        self.count += 1
        for key in obj:
            if key not in self.seen and isinstance(key, str):
                self.seen[key] = None
        if self._missing:
            self._missing = {n: k for n, k in self._missing.items() if k not in obj}
        if not self._has_id:
            self._has_id = any(obj.get(k) is not None for k in self._id_keys)
        if not self._has_text:
            self._has_text = any(obj.get(k) is not None for k in self._text_keys)

    def error(self, *, whole_file: bool = True, header: bool = False) -> FieldMappingError:
        """What is wrong, once the records watched (or the CSV header,
        with ``header``) fail the check."""
        available = tuple(self.seen)
        shown = ", ".join(available[:MAX_KEYS_SHOWN]) + (
            f", … ({len(available)} in all)" if len(available) > MAX_KEYS_SHOWN else "")
        keys = f"{self.noun}s: {shown}" if available else f"it has no {self.noun}s"
        if header:
            has, lacks = f"{self.name} has", f"{self.name} has no"
        elif whole_file:
            has = lacks = f"no record of {self.name} has"
        else:
            has = lacks = f"none of the first {self.count} records of {self.name} has"
        hints = self.fmap.hints(available)
        if self._missing:
            name, key = next(iter(self._missing.items()))
            close = difflib.get_close_matches(key, available, n=1, cutoff=0.6)
            defaults = [k for k in DEFAULT_FIELDS.get(name, ()) if k in self.seen]
            guess = close[0] if close else (defaults[0] if defaults else hints.get(name))
            message = (f"fields maps it to the {self.noun} {key!r}, but "
                       + (f"{lacks} such {self.noun}" if header else f"{has} that {self.noun}")
                       + f" ({keys})")
            if guess:
                message += f"; did you mean {guess!r}?"
            return FieldMappingError(message, source=self.name, field=name, key=key,
                                     available=available, guess=guess, hints=hints,
                                     noun=self.noun)
        if not self._has_id:
            field, wanted, what, holds = "id", self._id_keys, "id", "each article's unique id"
        else:
            field, wanted, what, holds = ("headline", self._text_keys, "headline or body",
                                          "the headline or the body")
        tried = " or ".join(repr(k) for k in wanted)
        if header:
            subject = f"{lacks} {what} {self.noun}"
        else:
            subject = f"{has} {'an id' if field == 'id' else 'a headline or a body'}"
        message = (f"{subject} (looked for {tried}; {keys}); name the {self.noun} that holds "
                   f"{holds} with fields={{{field!r}: …}}")
        return FieldMappingError(message, source=self.name, field=field, available=available,
                                 guess=hints.get(field), hints=hints, noun=self.noun)


def checked_records(objects: Iterable[tuple[Mapping[str, Any], str]], fmap: FieldMap, name: str,
                    report: Any) -> Iterator[dict[str, Any]]:
    """The records of ``(object, where)`` pairs, held back until a
    :class:`KeyCheck` is satisfied: a wrong mapping raises
    :class:`~arsearch.errors.FieldMappingError` before any record of the
    file is given out. A record ``fmap`` cannot build goes to ``report``.
    """
    check = KeyCheck(fmap, name)
    held: list[dict[str, Any]] | None = []
    for obj, where in objects:
        if held is not None:
            check.observe(obj)
        try:
            record: dict[str, Any] | None = fmap.record(obj, where)
        except DocumentError as e:
            report(e)
            record = None
        if held is None:
            if record is not None:
                yield record
            continue
        if record is not None:
            held.append(record)
        if check.satisfied:
            yield from held
            held = None
        elif check.count >= KEY_CHECK_WINDOW:
            raise check.error(whole_file=False)
    if held is not None and check.count:
        raise check.error(whole_file=True)


def tags_value(value: Any, record: Any, where: str) -> list[str]:
    """``tags`` as a list of non-empty strings, duplicates dropped."""
    if isinstance(value, str):
        tags = split_tags(value)
    elif isinstance(value, (list, tuple)):
        tags = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise DocumentError(f"a tag must be a string, got {item!r} ({where})",
                                    record=record, field="tags")
            item = str(item).strip()
            if item:
                tags.append(item)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        tags = [str(value)]
    else:
        raise DocumentError(f"tags must be a list or a string, got {type(value).__name__} "
                            f"({where})", record=record, field="tags")
    return list(dict.fromkeys(tags))
