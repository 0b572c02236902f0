"""Saved news pages in HTML, read with trafilatura (an optional dependency:
``pip install 'arsearch[html]'``).

trafilatura finds the article in the page (dropping menus, sidebars,
footers and link lists) and reads its metadata: the title, the publication
date from the page's markup, the site's name, the author and the keywords.
The text it keeps then goes through the same line rules as a saved text
page (:func:`~arsearch.readers.text.parse_page`): a ``إقرأ أيضاً`` ("read
also") line ends the article, and labelled lines give the date, the source
and the tags.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from ..article import ARTICLE_FIELDS, split_tags
from ..errors import DocumentError, MissingDependencyError, SettingsError
from .records import PathArg, check_file
from .text import parse_page

#: File extensions read as HTML pages (compared lower-cased).
HTML_EXTENSIONS = (".html", ".htm", ".xhtml")

#: The optional dependency, and how to install it.
HTML_EXTRA = "pip install 'arsearch[html]'"

# A date trafilatura gives for a page that states only a day: htmldate
# fills in midnight, which is no time of day.
_MIDNIGHT = "T00:00:00"
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True,
                "extensive_search": False}


#: Loggers of the extraction libraries. Their warnings ("discarding data:
#: None") would reach the terminal through Python's last-resort handler;
#: what they report becomes arsearch's own DocumentError instead.
QUIET_LOGGERS = ("trafilatura", "htmldate")


def require_trafilatura() -> Any:
    """The trafilatura module, or :class:`~arsearch.errors.MissingDependencyError`
    saying how to install it."""
    try:
        import trafilatura
    except ImportError as e:
        raise MissingDependencyError(
            f"reading HTML pages needs trafilatura, an optional dependency of arsearch: "
            f"{HTML_EXTRA} (the import failed: {e})") from None
    for name in QUIET_LOGGERS:
        quiet = logging.getLogger(name)
        if quiet.level == logging.NOTSET:       # unless the application set a level
            quiet.setLevel(logging.ERROR)
    return trafilatura


def read_html(path_or_html: PathArg | bytes) -> dict[str, Any]:
    """Read one news article saved as an HTML page, from a file or from its HTML.

    Needs the optional dependency trafilatura (``pip install 'arsearch[html]'``);
    without it, :class:`~arsearch.errors.MissingDependencyError` says so.

    The page's main text is found by trafilatura, which drops navigation,
    sidebars, footers and link lists. ``headline`` is the page's title,
    ``date`` the publication date in its markup (``article:published_time``,
    ``<time>`` and the like; or else a ``تاريخ النشر:`` line), ``source`` a
    ``المصدر:`` line or else the site's name, ``tags`` a ``كلمات دلالية:``
    line or else the page's keywords (split by
    :func:`~arsearch.article.split_tags`), ``url`` its canonical address.
    The body stops at a ``إقرأ أيضاً`` ("read also") line, as in
    :func:`~arsearch.read_article_text`; an ``author`` found is kept as an
    extra field. The encoding is read from the page (UTF-8, Windows-1256…).

    ``bytes``, or a ``str`` starting with ``<``, is the page itself and gets
    the id ``"html-"`` + 12 hex digits of its SHA-1; anything else is a
    path, and the id is the file's name without its extension. A page
    without article text raises :class:`~arsearch.DocumentError`.

    >>> page = '''<html><head><title>افتتاح جسر جديد | صحيفة الأفق</title>
    ... <meta property="og:site_name" content="صحيفة الأفق">
    ... <meta property="article:published_time" content="2024-03-01T09:30:00+03:00"></head>
    ... <body><nav><a href="/">الرئيسية</a> <a href="/x">رياضة</a></nav><article>
    ... <h1>افتتاح جسر جديد</h1>
    ... <p>افتتح الجسر الجديد أمام السيارات صباح اليوم، ويختصر الطريق بين الضفتين إلى النصف.</p>
    ... <p>كلمات دلالية: نقل، جسور</p>
    ... <p>إقرأ أيضاً: ارتفاع أسعار الخضار</p></article></body></html>'''
    >>> article = read_html(page)
    >>> article["headline"], article["date"], article["source"], article["tags"]
    ('افتتاح جسر جديد', '2024-03-01T09:30:00+0300', 'صحيفة الأفق', ['نقل', 'جسور'])
    >>> article["body"]
    'افتتح الجسر الجديد أمام السيارات صباح اليوم، ويختصر الطريق بين الضفتين إلى النصف.'
    """
    if isinstance(path_or_html, (bytes, bytearray)):
        data = bytes(path_or_html)
        return parse_html(data, "html-" + hashlib.sha1(data).hexdigest()[:12], "<html>")
    if isinstance(path_or_html, str) and path_or_html.lstrip().startswith("<"):
        data = path_or_html.encode("utf-8")
        return parse_html(data, "html-" + hashlib.sha1(data).hexdigest()[:12], "<html>")
    if not isinstance(path_or_html, (str, os.PathLike)):
        raise SettingsError(f"expected a path or an HTML page, got {type(path_or_html).__name__}")
    name = check_file(path_or_html)
    rid = Path(name).stem
    require_trafilatura()
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise DocumentError(f"cannot read {name}: {e.strerror or e}", record=rid) from e
    return parse_html(data, rid, name)


def parse_html(data: bytes, rid: str, name: str) -> dict[str, Any]:
    """The article record of one HTML page (see :func:`read_html`)."""
    trafilatura = require_trafilatura()
    try:
        doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True,
                                          date_extraction_params=_DATE_PARAMS)
    except Exception as e:  # noqa: BLE001 - whatever a broken page makes the parser raise
        raise DocumentError(f"cannot read {name} as HTML ({type(e).__name__}: {e})",
                            record=rid) from None
    meta: dict[str, Any] = {}
    if doc is not None:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
    text = meta.get("text") or ""
    if not text.strip():
        raise DocumentError(f"no article text found in {name} (a page of links, or one whose "
                            "text is loaded by JavaScript?)", record=rid)
    title = " ".join((meta.get("title") or "").split()) or None
    article = parse_page(text.splitlines(), rid, name, headline=title)
    date = meta.get("date")
    if date:
        # The markup's date wins, unless it is only a day and the page's
        # date line may tell the time too.
        if not date.endswith(_MIDNIGHT):
            article["date"] = date
        elif "date" not in article:
            article["date"] = date[:-len(_MIDNIGHT)]
    if "source" not in article and meta.get("sitename"):
        article["source"] = " ".join(meta["sitename"].split())
    if "tags" not in article:
        tags = [tag for value in meta.get("tags") or () for tag in split_tags(value)]
        if tags:
            article["tags"] = list(dict.fromkeys(tags))
    if meta.get("url"):
        article["url"] = meta["url"]
    out = {f: article[f] for f in ARTICLE_FIELDS if f in article}
    if meta.get("author"):
        out["author"] = meta["author"]
    return out
