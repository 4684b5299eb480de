"""One author-year label per work ("DeepSeek-AI 2025a"), the same wherever the book names it.

A label is the work's author part and its year:

- the author part: ``shortauthor`` when the entry has one ("BIS", "SemiAnalysis"); else the
  first author's surname, "A & B" for two authors, "A et al." for more; else the
  organization, publisher or title;
- the year: the ``year`` field. When several works share an author part and a year, their
  years carry the letters a, b, c... (``year = {2025a}``), so that every label names one work.

Everything that names a source takes its label from here: chart source lines
(:func:`source_line`), the number popovers and the downloadable notebooks
(:func:`short_citation`), and, through :mod:`sitebuilder.citestyle`, the in-text citations
and the labels of the bibliography itself. :func:`citation_labels` refuses a bibliography in
which two works would share a label, or a label misleads (a lone "2025a", or "2025" beside
"2025a"), with an :class:`~frontierbook.inputs.InputError` naming the entries and their
lines; the build checks it before any chapter executes.

Each source also has a tier (:func:`source_tier`): how close the document we read is to
the thing itself.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from frontierbook.i18n import N_, _
from frontierbook.inputs import TIERS, InputError, _stamp, bibliography, shown_path, source_tiers
from frontierbook.paths import BIB_PATH
from frontierbook.reads import record_entry

# Four digits, and a letter only when the same author part has several works that year.
YEAR = re.compile(r"(?P<year>[0-9]{4})(?P<letter>[a-z]?)")


def _plain(text: str) -> str:
    """A BibTeX field as plain text: braces dropped, LaTeX such as ``\\&`` decoded."""
    from pybtex.richtext import Text

    return Text.from_latex(text).render_as("text").strip()


def author_part(entry) -> str:
    """The author part of a pybtex entry's label: 'SemiAnalysis', 'Cottier et al.'."""
    fields = entry.fields
    if "shortauthor" in fields:
        return _plain(fields["shortauthor"])
    people = entry.persons.get("author")
    if people:
        first = _plain(" ".join(people[0].last_names))
        if len(people) == 1:
            return first
        if len(people) == 2:
            return f"{first} & {_plain(' '.join(people[1].last_names))}"
        return f"{first} et al."
    return _plain(fields.get("organization") or fields.get("publisher") or fields["title"])


def entry_label(entry) -> str:
    """'Author Year' for one pybtex entry, as printed everywhere in the book."""
    return f"{author_part(entry)} {_plain(entry.fields.get('year', 'n.d.'))}"


def _entry_lines(bib_path: Path) -> dict[str, int]:
    text = Path(bib_path).read_text(encoding="utf-8-sig")
    return {
        match.group(1): text.count("\n", 0, match.start()) + 1
        for match in re.finditer(r"@\w+\s*[{(]\s*([^,\s]+)\s*,", text)
    }


def label_problems(entries: Mapping, lines: Mapping[str, int] | None = None) -> list[str]:
    """Every way the labels of ``entries`` (key -> pybtex entry) collide or mislead, one
    message each, naming the entries (and their lines, when ``lines`` gives them)."""
    lines = lines or {}

    def named(key: str) -> str:
        return f"line {lines[key]}, entry '{key}'" if key in lines else f"entry '{key}'"

    problems = []
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key, entry in entries.items():
        year = _plain(entry.fields.get("year", ""))
        found = YEAR.fullmatch(year)
        if not found:
            problems.append(
                f"{named(key)}: year {year!r} is not a year: write four digits, with a "
                "letter (2025a) only when the same author has several works that year"
            )
            continue
        groups[(author_part(entry).casefold(), found["year"])].append((key, found["letter"]))
    for (_author, year), works in groups.items():
        label = f"{author_part(entries[works[0][0]])} {year}"
        letters = sorted(letter for _key, letter in works)
        if len(works) == 1:
            if letters != [""]:
                key, letter = works[0]
                problems.append(
                    f"{named(key)}: year {year}{letter}, but it is the only work labelled "
                    f"'{label}': write year = {{{year}}} (a letter promises a sibling)"
                )
            continue
        expected = list(string.ascii_lowercase[: len(works)])
        if letters != expected:
            listed = "; ".join(f"{named(k)} (year {year}{letter})" for k, letter in works)
            problems.append(
                f"{len(works)} works are labelled '{label}', so each needs its own letter, "
                f"{year}{expected[0]} to {year}{expected[-1]}: {listed}"
            )
    return problems


def citation_labels(bib_path: Path = BIB_PATH) -> dict[str, str]:
    """Key -> label for every work in the bibliography, in file order.

    Raises :class:`~frontierbook.inputs.InputError` naming the entries whose labels would
    collide or mislead.
    """
    return _labels(*_stamp(Path(bib_path)))


@lru_cache(maxsize=8)
def _labels(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    entries = bibliography(Path(path))
    problems = label_problems(entries, _entry_lines(Path(path)))
    if problems:
        shown = shown_path(path)
        raise InputError(f"{shown}: " + f"\n{shown}: ".join(problems))
    return {key: entry_label(entry) for key, entry in entries.items()}


def short_citation(key: str, bib_path: Path = BIB_PATH) -> str:
    """The label of one work ('DeepSeek-AI 2025a'); raises KeyError for an unknown key.

    Recorded as a read of that entry (:mod:`frontierbook.reads`): a chapter's cached run
    depends on the entries whose fields it shows, and on no other."""
    record_entry(key)
    return citation_labels(bib_path)[key]


def source_line(keys: Iterable[str], bib_path: Path = BIB_PATH) -> str:
    """'Sources: A 2024; B 2025' for the distinct works, in first-seen order."""
    keys = [k for k in keys if k]
    if not keys:
        raise ValueError("a chart needs at least one source")
    distinct = list(dict.fromkeys(short_citation(k, bib_path) for k in keys))
    label = _("Source") if len(distinct) == 1 else _("Sources")
    return f"{label}: " + "; ".join(distinct)


# The tiers' names, translated where a table shows them.
TIER_WORDS = (N_("primary"), N_("press"), N_("secondary"))


def source_tier(key: str, bib_path: Path = BIB_PATH) -> str:
    """One source's tier: primary, press or secondary (the loader refuses any other);
    ``KeyError`` for an unknown key. Recorded as a read of that entry, like a label."""
    record_entry(key)
    return source_tiers(bib_path)[key]


def best_tier(keys: Iterable[str], bib_path: Path = BIB_PATH) -> str | None:
    """The best tier among the sources ``keys`` (empty keys skipped); None when there are none."""
    tiers = [source_tier(k, bib_path) for k in keys if k]
    return min(tiers, key=TIERS.index) if tiers else None
