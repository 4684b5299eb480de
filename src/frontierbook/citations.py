"""Short citations ("DeepSeek-AI 2024") built from ``references.bib`` for chart source lines."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from frontierbook.inputs import bibliography
from frontierbook.paths import BIB_PATH
from frontierbook.reads import record_entry


def _entries(bib_path: Path = BIB_PATH) -> dict:
    return bibliography(bib_path)


def short_citation(key: str, bib_path: Path = BIB_PATH) -> str:
    """'Author Year' for one bibliography key; raises KeyError for an unknown key.

    Recorded as a read of that entry (:mod:`frontierbook.reads`): a chapter's cached run
    depends on the entries whose fields it shows, and on no other."""
    record_entry(key)
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
