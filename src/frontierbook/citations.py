"""Short citations ("DeepSeek-AI 2024") built from ``references.bib`` for chart source lines,
and each source's tier: how close the document we read is to the thing itself."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from frontierbook.inputs import InputError, bibliography, shown_path
from frontierbook.paths import BIB_PATH

# Best first. primary: the document itself (a paper, filing, rule, official statement);
# press: a reputable outlet's own report; secondary: a reprint, aggregator or summary.
TIERS: tuple[str, ...] = ("primary", "press", "secondary")


def _entries(bib_path: Path = BIB_PATH) -> dict:
    return bibliography(bib_path)


def short_citation(key: str, bib_path: Path = BIB_PATH) -> str:
    """'Author Year' for one bibliography key; raises KeyError for an unknown key."""
    entry = _entries(bib_path)[key]
    fields = entry.fields
    if "shortauthor" in fields:
        who = fields["shortauthor"]
    elif entry.persons.get("author"):
        people = entry.persons["author"]
        first = " ".join(people[0].last_names).strip("{}")
        who = (
            first
            if len(people) == 1
            else (
                f"{first} & {' '.join(people[1].last_names)}"
                if len(people) == 2
                else f"{first} et al."
            )
        )
    else:
        who = fields.get("organization") or fields.get("publisher") or fields.get("title", key)
    who = who.replace("{", "").replace("}", "")
    year = fields.get("year", "n.d.")
    return f"{who} {year}"


def source_line(keys: Iterable[str], bib_path: Path = BIB_PATH, prefix: str = "Source") -> str:
    """'Sources: A 2024; B 2025' for the distinct citations, in first-seen order.

    Two keys that cite alike (two Meta documents of 2024) appear once: the line names who
    said it, and the bibliography lists both.
    """
    keys = [k for k in keys if k]
    if not keys:
        raise ValueError("a chart needs at least one source")
    distinct = list(dict.fromkeys(short_citation(k, bib_path) for k in keys))
    label = prefix if len(distinct) == 1 else f"{prefix}s"
    return f"{label}: " + "; ".join(distinct)


def source_tier(key: str, bib_path: Path = BIB_PATH) -> str:
    """The ``tier`` field of one bibliography entry: primary, press or secondary.

    Raises :class:`InputError` naming the file and the entry when the tier is missing or
    not one of :data:`TIERS`, and ``KeyError`` for an unknown key.
    """
    tier = _entries(bib_path)[key].fields.get("tier", "").strip()
    if tier not in TIERS:
        found = f"tier {tier!r}" if tier else "no tier"
        raise InputError(
            f"{shown_path(bib_path)}, entry '{key}': {found}; expected one of {', '.join(TIERS)}"
        )
    return tier


def best_tier(keys: Iterable[str], bib_path: Path = BIB_PATH) -> str | None:
    """The best tier among the sources ``keys`` (empty keys skipped); None when there are none."""
    tiers = [source_tier(k, bib_path) for k in keys if k]
    return min(tiers, key=TIERS.index) if tiers else None
