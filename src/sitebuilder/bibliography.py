"""The bibliography as the book publishes it: what ``references.bib`` may hold, and the
style that writes its entries (the bibliography page and the citations' tooltips).

Checked before any chapter executes (:func:`bibliography_problems`), each problem naming the
entry and field:

- every entry's type is one the style can write (pybtex's ``plain`` style knows ``article``,
  ``book``, ``misc`` and the other standard types; another type would stop Sphinx only after
  every chapter had run);
- every link is ``https:`` or ``http:``: the ``url`` field and every ``\\url{...}`` or
  ``\\href{...}{...}`` in any field. A ``javascript:`` or ``data:`` link would run in the
  reader's browser.

The style (:class:`BookStyle`, registered as ``frontierbook`` and named in ``_config.yml``)
is pybtex's ``plain`` with two changes: a title keeps its capitals as written ("the Chinese
AI model", "Epoch AI"), where ``plain`` lowercases every word that is not in braces; and a
LaTeX escape that pybtex leaves as it is (``\\$``) shows as the character it stands for.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pybtex.database import Entry
from pybtex.plugin import find_plugin, register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field, sentence

from frontierbook.inputs import bibliography, shown_path

STYLE_NAME = "frontierbook"
ALLOWED_SCHEMES = ("https", "http")
_LINK_COMMANDS = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
# What a browser ignores inside a URL's scheme ("java\tscript:" is "javascript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")
# Escapes pybtex's LaTeX reader leaves untouched, and the characters they stand for.
_ESCAPES = {r"\$": "$"}


def link_problem(url: str) -> str | None:
    """Why ``url`` may not be published as a link, or None: only ``https:`` and ``http:``
    links with a host are allowed."""
    cleaned = _IGNORED_IN_SCHEME.sub("", url)
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        return f"link {url!r} has {shown}; only https: and http: links are published"
    if not parts.netloc:
        return f"link {url!r} names no host"
    if cleaned != url.strip():
        return f"link {url!r} holds spaces or control characters"
    return None


def _style_can_write(entry_type: str) -> bool:
    kind = entry_type.lower()
    return hasattr(BookStyle, f"get_{kind}_template") or hasattr(BookStyle, f"format_{kind}")


def bibliography_problems(bib_path: Path) -> list[str]:
    """Every entry the book could not publish safely or at all, one line each."""
    shown = shown_path(bib_path)
    problems = []
    for key, entry in bibliography(bib_path).items():
        where = f"{shown}, entry '{key}'"
        if not _style_can_write(entry.type):
            problems.append(
                f"{where}: the bibliography style cannot write an entry of type "
                f"@{entry.type}; use @misc, @article, @book, @techreport or another "
                "standard type"
            )
        for name, value in entry.fields.items():
            links = [value.strip()] if name.lower() == "url" else []
            links += _LINK_COMMANDS.findall(value)
            for url in links:
                problem = link_problem(url)
                if problem:
                    problems.append(f"{where}, field '{name.lower()}': {problem}")
    return problems


class BookStyle(PlainStyle):
    """pybtex's ``plain``, keeping titles' capitals and showing ``\\$`` as ``$``."""

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_entry(self, label, entry, bib_data=None):
        fields = {name: _unescape(value) for name, value in entry.fields.items()}
        shown = Entry(entry.type, fields=fields, persons=entry.persons)
        shown.key = entry.key
        return super().format_entry(label, shown, bib_data=bib_data)


def _unescape(value: str) -> str:
    for escape, character in _ESCAPES.items():
        value = value.replace(escape, character)
    return value


def register_style() -> None:
    """Make :class:`BookStyle` known to pybtex (and so to sphinxcontrib-bibtex) by name."""
    try:
        find_plugin("pybtex.style.formatting", STYLE_NAME)
    except Exception:
        register_plugin("pybtex.style.formatting", STYLE_NAME, BookStyle)
