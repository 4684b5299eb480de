"""The bibliography as the book publishes it: what ``references.bib`` may hold, and the
one style that writes its entries (the bibliography page and the citations' tooltips).

Checked before any chapter executes (:func:`bibliography_problems`), each problem naming the
entry and field:

- every entry's type is one the style can write (pybtex's ``plain`` style knows ``article``,
  ``book``, ``misc`` and the other standard types; another type would stop Sphinx only after
  every chapter had run);
- every link is ``https:`` or ``http:``: the ``url`` field and every ``\\url{...}`` or
  ``\\href{...}{...}`` in any field. A ``javascript:`` or ``data:`` link would run in the
  reader's browser.

The style (:class:`BookStyle`, registered as ``frontierbook`` and named in ``_config.yml``
as ``bibtex_default_style``) is pybtex's ``plain`` with these changes:

- a title keeps its capitals as written ("the Chinese AI model", "Epoch AI"), where
  ``plain`` lowercases every word that is not in braces;
- a LaTeX escape that pybtex leaves as it is (``\\$``) shows as the character it stands for;
- after the entry, its source's tier (``tier``: how close the copy we read is to the thing
  itself: ``primary``, the document; ``press``, a reputable outlet's own report;
  ``secondary``, a reprint, aggregator or summary), and for a secondary source why nothing
  better was used (``tiernote``), both as text, so the theme escapes them like any entry's;
- each entry is labelled with the work's one author-year label ("SemiAnalysis 2025a",
  :func:`frontierbook.citations.entry_label`), the label every chart, popover, notebook and
  in-text citation prints, and the list is in the order of those labels.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, sentence

from frontierbook.citations import entry_label
from frontierbook.inputs import TIER_FIELD, TIER_REASON_FIELD, bibliography, shown_path

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


class LabelStyle(BaseLabelStyle):
    """Each entry's label is the work's one label: "SemiAnalysis 2025a", not a number."""

    def format_labels(self, sorted_entries):
        return [entry_label(entry) for entry in sorted_entries]


class LabelSorting(BaseSortingStyle):
    """The bibliography in the order of its labels, so a reader finds 'BIS 2025a' by eye."""

    def sorting_key(self, entry):
        return (entry_label(entry).casefold(), entry.key)


class BookStyle(PlainStyle):
    """pybtex's ``plain``, keeping titles' capitals and showing ``\\$`` as ``$``, then
    "Tier: primary." (and for a secondary source, why); labelled and sorted by the works'
    labels."""

    default_label_style = LabelStyle
    default_sorting_style = LabelSorting

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_entry(self, label, entry, bib_data=None):
        fields = {name: _unescape(value) for name, value in entry.fields.items()}
        shown = Entry(entry.type, fields=fields, persons=entry.persons)
        shown.key = entry.key
        formatted = super().format_entry(label, shown, bib_data=bib_data)
        tier = shown.fields.get(TIER_FIELD, "").strip()
        if not tier:
            return formatted
        parts = [formatted.text, " Tier: ", Tag("strong", tier), "."]
        reason = shown.fields.get(TIER_REASON_FIELD, "").strip()
        if reason:
            parts += [" Why no better copy: ", Text.from_latex(reason).add_period()]
        return FormattedEntry(formatted.key, Text(*parts), formatted.label)


def _unescape(value: str) -> str:
    for escape, character in _ESCAPES.items():
        value = value.replace(escape, character)
    return value


def register_style() -> None:
    """Make :class:`BookStyle` known to pybtex (and so to sphinxcontrib-bibtex) by name."""
    register_plugin("pybtex.style.formatting", STYLE_NAME, BookStyle, force=True)
