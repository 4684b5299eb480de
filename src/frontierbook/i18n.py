"""The language of everything the package and the chapters' code write: chart titles, axis
labels, legends, source lines, alt text, table words and the numbers in the prose.

The book is written in English; each other edition has gettext catalogues under
``locales/<language>/LC_MESSAGES/`` (in a checkout, or packed into the wheel a downloaded
notebook installs). Code marks what a reader sees with :func:`_` (or :func:`N_` for a
string translated later, at the place it is shown), and :func:`language` says which
edition is being drawn: the ``FRONTIERBOOK_LANGUAGE`` environment variable, which the book
build sets for each edition's kernels, and which the first cell of a downloaded notebook
sets for its own. English needs no catalogue: the source strings are English.

Number and date conventions come from CLDR through Babel (:func:`locale`); the formatters
in :mod:`frontierbook.text` use them, so an edition changes no chapter code.

Words that come from the data are translated too: the titles and descriptions in
``data/datapackage.json`` (:func:`data_text`), and the cells of every column whose schema
field says ``"translated"``. With ``true`` (free text a reader sees, such as an event's
title) :func:`frontierbook.data.load_table` returns the column in the current language, each
cell a :class:`Translated` that remembers its English. With ``"where shown"`` (words that
code also uses as keys, such as a training stage's name) the column stays English in the
frame and is translated where a reader sees it (:func:`shown_cell`). ``make gettext``
extracts all of them into the same catalogue.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from frontierbook.paths import ROOT

if TYPE_CHECKING:
    from babel import Locale

LANGUAGE_ENV = "FRONTIERBOOK_LANGUAGE"
SOURCE_LANGUAGE = "en"
# The catalogue of the strings the package's code and the chapters' code cells draw.
DOMAIN = "frontierbook"
LOCALES_DIR: Path = ROOT / "locales"


def language() -> str:
    """The language being written now: ``FRONTIERBOOK_LANGUAGE``, English when unset."""
    return os.environ.get(LANGUAGE_ENV, "").strip() or SOURCE_LANGUAGE


def set_language(code: str) -> None:
    """Draw everything from now on in ``code`` (``"en"``, ``"id"``); kernels the process
    starts inherit it."""
    os.environ[LANGUAGE_ENV] = code


def catalogue_path(code: str, domain: str = DOMAIN, locales_dir: Path | None = None) -> Path:
    return Path(locales_dir or LOCALES_DIR) / code / "LC_MESSAGES" / f"{domain}.po"


@cache
def _catalogue(path: Path, mtime_ns: int) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> msgstr for every translated, non-fuzzy entry, as msgfmt would
    compile it: a fuzzy or empty translation falls back to the English source."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as po:
        catalogue = read_po(po)
    return {
        (message.context, message.id): message.string
        for message in catalogue
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str)
    }


def translations(
    code: str, domain: str = DOMAIN, locales_dir: Path | None = None
) -> dict[tuple[str | None, str], str]:
    """The translated entries of ``domain`` for ``code`` (in ``locales_dir``, by default the
    book's own); empty for English or no catalogue."""
    if code == SOURCE_LANGUAGE:
        return {}
    path = catalogue_path(code, domain, locales_dir)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    return _catalogue(path, mtime)


def pgettext(context: str | None, message: str) -> str:
    """``message`` in the current language, chosen among its senses by ``context``."""
    return translations(language()).get((context, message), message)


def gettext(message: str) -> str:
    """``message`` in the current language (the English source when it has no translation)."""
    return pgettext(None, message)


_ = gettext


# The context of the data package's words (titles, descriptions) in the catalogue.
DATAPACKAGE_CONTEXT = "datapackage.json"


def data_text(text: str) -> str:
    """A title or description from ``data/datapackage.json`` in the current language."""
    return pgettext(DATAPACKAGE_CONTEXT, text)


def cell_context(table: str, column: str) -> str:
    """The catalogue context of the text in one column of a table: 'data/events.csv title'."""
    return f"data/{table}.csv {column}"


class Translated(str):
    """A translated cell of the data, which remembers the English it was translated from
    (``source``), so that a quotation the translation keeps in English can be marked as
    English where it is shown (:func:`english_quotations`)."""

    source: str

    def __new__(cls, text: str, source: str) -> Translated:
        self = super().__new__(cls, text)
        self.source = source
        return self


def translated_cell(table: str, column: str, text: str) -> str:
    """One cell of a column marked ``"translated"``, in the current language: the English
    itself in English, else a :class:`Translated` (the English when it has no translation)."""
    if language() == SOURCE_LANGUAGE:
        return text
    return Translated(pgettext(cell_context(table, column), text), text)


def shown_cell(table: str, column: str, text: str) -> str:
    """A word from a column marked ``"translated": "where shown"`` (a key that code
    compares in English), in the current language, for the place a reader sees it."""
    return pgettext(cell_context(table, column), text)


# A quotation kept in English inside a translation: text in double quotation marks,
# straight or typographic.
_QUOTATION = re.compile(r"[\"“”„]([^\"“”„]+)[\"“”]")


def _comparable(text: str) -> str:
    """Quotation marks, apostrophes, escapes and runs of white space made alike."""
    text = re.sub(r"\\(.)", r"\1", text)
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))
    return " ".join(text.split())


def english_quotations(translation: str, source: str) -> list[tuple[int, int]]:
    """``(start, end)`` in ``translation`` of each quotation it keeps in English: a passage
    in double quotation marks whose words are in the English ``source`` as they stand (the
    quotation marks included in the span). A translated passage differs from the source
    and so is never taken for English."""
    english = _comparable(source)
    return [
        match.span()
        for match in _QUOTATION.finditer(translation)
        if re.search(r"[A-Za-z]{2}", match.group(1))
        and _comparable(match.group(1)).strip() in english
    ]


def page_text(docname: str, text: str) -> str:
    """A heading of the page ``docname`` (``chapters/02_cost``) in the current language,
    from that page's own catalogue, for code that names a section of another page."""
    code = language()
    if code == SOURCE_LANGUAGE:
        return text
    from frontierbook.reads import record_file

    record_file(catalogue_path(code, docname))
    return translations(code, docname).get((None, text), text)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for the catalogue without translating it now: translated with
    :func:`_` where it is shown, in the language of that moment."""
    return message


@cache
def _locale(code: str) -> Locale:
    from babel import Locale

    return Locale.parse(code)


def locale(code: str | None = None) -> Locale:
    """The CLDR locale (Babel) of ``code``, by default the current language."""
    return _locale(code or language())
