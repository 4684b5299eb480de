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
field says ``"translated": true`` (free text a reader sees, such as an event's title), which
:func:`frontierbook.data.load_table` returns in the current language. ``make gettext``
extracts both into the same catalogue.
"""

from __future__ import annotations

import os
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
