"""The edition: "current to" comes from the sweeps table, the corrections log links to real
sections, every source is cited, and sentences whose words summarise a span of dates agree
with the dates."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from frontierbook.data import DataError, load_table
from frontierbook.edition import currency, where_links
from frontierbook.inputs import bib_keys, bibliography
from frontierbook.paths import ROOT
from frontierbook.timeline import cost_debate


def test_current_to_is_the_latest_sweep_and_not_before_any_event() -> None:
    sweeps, events = load_table("sweeps"), load_table("events")
    now = currency(sweeps, events)
    assert now.current_to == sweeps["swept_to"].max()
    assert now.current_to >= events[["date", "date_end"]].max().max()
    assert len(now.sweeps) == (sweeps["swept_to"] == now.current_to).sum()
    assert now.earliest_end["sources_end"] == now.sweeps["sources_end"].min()
    listed = str(now.html())
    for row in now.sweeps.itertuples():
        assert row.topic.replace("'", "&#39;") in listed


def test_the_sweep_list_escapes_what_the_table_says() -> None:
    sweeps = load_table("sweeps")
    hostile = sweeps.assign(topic="<script>alert(1)</script>")
    listed = str(currency(hostile, load_table("events")).html())
    assert "<script>" not in listed and "&lt;script&gt;" in listed


def test_an_event_after_the_sweep_stops_the_book() -> None:
    sweeps, events = load_table("sweeps"), load_table("events")
    late = events.iloc[[0]].assign(
        event_id="too-late", date=sweeps["swept_to"].max() + pd.Timedelta(days=1)
    )
    with pytest.raises(DataError, match="swept_to.*event 'too-late'.*sweep the news again"):
        currency(sweeps, pd.concat([events, late], ignore_index=True))


def test_sources_that_end_after_the_sweep_stop_the_book() -> None:
    sweeps = load_table("sweeps")
    bad = sweeps.assign(sources_end=sweeps["swept_to"] + pd.Timedelta(days=1))
    with pytest.raises(DataError, match=r"data/sweeps.csv, row 2, column 'sources_end'"):
        currency(bad, load_table("events"))


def test_every_sweep_log_is_in_the_repository_and_names_its_window() -> None:
    for row in load_table("sweeps").itertuples():
        log = ROOT / row.log
        assert log.is_file(), f"data/sweeps.csv names {row.log}, which does not exist"
        text = log.read_text(encoding="utf-8")
        for day in (row.window_start, row.swept_to):
            assert f"{day.day} {day:%B %Y}" in text, (row.log, day)
        assert not (ROOT / "data" / row.log).exists()  # the build publishes data/ as it is


def test_every_place_in_the_corrections_log_is_a_real_section() -> None:
    corrections = load_table("corrections")
    for row in corrections.itertuples():
        links = where_links(row.where, "chapters/corrections")
        assert len(links) == len(row.where.split())
        for (href, text), place in zip(links, row.where.split(), strict=True):
            assert (ROOT / f"{place.partition('#')[0]}.md").is_file(), place
            assert href.endswith(".html" + (f"#{place.partition('#')[2]}" if "#" in place else ""))
            assert text
    with pytest.raises(KeyError, match="no section labelled 'no-such-label'"):
        where_links("chapters/04_export#no-such-label", "chapters/corrections")


def test_the_corrections_log_starts_with_the_h800_correction() -> None:
    """A news desk lists the error that mattered most first: the H800's last legal day."""
    corrections = load_table("corrections")
    first = corrections.iloc[0]
    assert first["change"] == "correction" and first["correction_id"] == "h800-licence-date"
    assert (corrections["date"] <= currency().current_to).all()


def test_the_h800_needed_a_licence_in_october_2023_not_at_the_rules_effective_date() -> None:
    events = load_table("events").set_index("event_id")
    told = events.loc["h800-immediate-2023-10"]
    assert (told["date"].year, told["date"].month) == (2023, 10)
    assert told["date"] < events.at["rule-2023-11", "date"]
    assert "H800" in told["description"]


# --- the span of the cost debate (chapter 1's opening sentence) --------------------------

DEBATE_SENTENCE = re.compile(
    r"The DeepSeek cost debate itself took (?P<words>about a week), from Nvidia's fall on\s+"
    r"\{eval\}`tl_debate_start` to the posts of \{eval\}`tl_debate_end`"
)


def test_the_cost_debate_spans_what_its_sentence_says() -> None:
    """Chapter 1 says the debate 'took about a week' between two computed dates: the dates
    the same selection gives must be about a week apart, and start with Nvidia's fall."""
    source = (ROOT / "chapters" / "01_timeline.md").read_text(encoding="utf-8")
    assert DEBATE_SENTENCE.search(source), "chapter 1's opening sentence changed: update this test"
    assert "debate = timeline.cost_debate(events)" in source
    events = load_table("events")
    debate = cost_debate(events)
    span = (debate["date"].max() - debate["date"].min()).days
    assert 3 <= span <= 10, f"'about a week' but the debate's events span {span} days"
    nvidia = events.set_index("event_id").at["nvidia-2025-01", "date"]
    assert debate["date"].min() == nvidia


def test_a_late_debate_event_breaks_the_span() -> None:
    events = load_table("events")
    huang = events.set_index("event_id").loc[["huang-2025-05"]].reset_index()
    moved = pd.concat([events, huang.assign(event_id="x", category="debate")], ignore_index=True)
    debate = cost_debate(moved)
    assert (debate["date"].max() - debate["date"].min()).days > 10


# --- the bibliography ----------------------------------------------------------------------


def _citing_text() -> str:
    pages = [ROOT / "index.md", *sorted((ROOT / "chapters").glob("*.md"))]
    tables = sorted((ROOT / "data").glob("*.csv"))
    return "\n".join(p.read_text(encoding="utf-8") for p in [*pages, *tables])


def test_every_bibliography_entry_is_cited() -> None:
    """A source no page, table or other entry names is clutter in the bibliography."""
    text = _citing_text()
    entries = bibliography()
    uncited = []
    for key in bib_keys():
        others = " ".join(str(v) for k, e in entries.items() if k != key for v in e.fields.values())
        if not re.search(rf"\b{re.escape(key)}\b", text + others):
            uncited.append(key)
    assert not uncited, f"references.bib: entries nothing cites: {uncited}"
