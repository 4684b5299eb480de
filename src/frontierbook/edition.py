"""Which edition the book is: how current it is, and what earlier editions got wrong.

"Current to" is the date to which the news was last swept (``data/sweeps.csv``), not the
date of the newest row: a quiet month adds no row, and a sweep that finds nothing is still
a check. Each topic also records where the sources we could read run out, which may be
well before the sweep's date. ``data/corrections.csv`` is the corrections log the
"Corrections and updates" page is made from.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from frontierbook.data import DataError, Problem, load_table
from frontierbook.paths import ROOT
from frontierbook.reads import read_text
from frontierbook.scorecard import chapter_labels
from frontierbook.text import long_date


@dataclass(frozen=True)
class Currency:
    """The latest sweep of the news: to what date, from when, on what, and how far the
    sources reached on each topic."""

    current_to: pd.Timestamp
    window_start: pd.Timestamp
    sweeps: pd.DataFrame  # the rows of the latest sweep, one per topic

    @property
    def earliest_end(self) -> pd.Series:
        """The topic whose sources run out first: the book is surely current only to there."""
        return self.sweeps.sort_values("sources_end").iloc[0]

    def html(self) -> Markup:
        """One list item per topic: what was swept, over which window, and where the
        sources we could read run out. Every value is escaped."""
        items = Markup("").join(
            Markup(
                "<li><strong>{topic}</strong>: swept from {start} to {end}; the sources we "
                "could read run out about {sources_end}.</li>"
            ).format(
                topic=r.topic,
                start=long_date(r.window_start),
                end=long_date(r.swept_to),
                sources_end=long_date(r.sources_end),
            )
            for r in self.sweeps.itertuples()
        )
        return Markup('<ul class="fb-sweeps">{}</ul>').format(items)


def currency(sweeps: pd.DataFrame | None = None, events: pd.DataFrame | None = None) -> Currency:
    """The latest sweep in ``data/sweeps.csv``.

    Raises :class:`DataError` if a sweep's dates are out of order, or if the timeline has an
    event dated after the sweep: the book cannot be current to a date before its own news.
    """
    sweeps = load_table("sweeps") if sweeps is None else sweeps
    events = load_table("events") if events is None else events
    label = sweeps.attrs.get("path", "data/sweeps.csv")
    problems = []
    for number, row in enumerate(sweeps.itertuples(), start=2):
        if not row.window_start <= row.sources_end <= row.swept_to:
            problems.append(
                Problem(
                    label, number, "sources_end",
                    "expected window_start <= sources_end <= swept_to "
                    f"({long_date(row.window_start)}, {long_date(row.sources_end)}, "
                    f"{long_date(row.swept_to)})",
                )
            )  # fmt: skip
    if problems:
        raise DataError(problems)
    current_to = sweeps["swept_to"].max()
    latest = sweeps[sweeps["swept_to"] == current_to]
    newest = events[["date", "date_end"]].max().max()
    if newest > current_to:
        event = events.loc[(events["date"] == newest) | (events["date_end"] == newest)].iloc[0]
        raise DataError(
            [
                Problem(
                    label, None, "swept_to",
                    f"the latest sweep reaches {long_date(current_to)}, but event "
                    f"'{event['event_id']}' in data/events.csv is dated {long_date(newest)}: "
                    "sweep the news again or correct the event",
                )
            ]
        )  # fmt: skip
    return Currency(current_to, latest["window_start"].min(), latest.reset_index(drop=True))


def where_links(where: str, from_doc: str) -> list[tuple[str, str]]:
    """``(href, text)`` for each place in a corrections row's ``where``.

    Raises :class:`KeyError` naming the label when a section label does not exist, so a
    renamed section cannot leave a dead link on the corrections page.
    """
    start = posixpath.dirname(from_doc) or "."
    links = []
    for place in where.split():
        docname, _, label = place.partition("#")
        href = f"{posixpath.relpath(docname, start)}.html"
        if label:
            labels = chapter_labels(docname)
            if label not in labels:
                raise KeyError(f"data/corrections.csv: no section labelled {label!r} in {docname}")
            links.append((f"{href}#{label}", labels[label]))
        else:
            links.append((href, _page_title(docname)))
    return links


def _page_title(docname: str) -> str:
    """The page's first heading, read through :func:`frontierbook.reads.read_text`, so the
    page that shows it executes again when that heading changes. A page the package does
    not hold is named by its docname."""
    try:
        text = read_text(ROOT / f"{docname}.md")
    except FileNotFoundError:
        return "the landing page" if docname == "index" else docname
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return docname
