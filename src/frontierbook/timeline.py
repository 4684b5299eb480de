"""The dated timeline of events (chapter 1): one marker per event, labels spread beside it."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from frontierbook.i18n import _
from frontierbook.style import (
    CATEGORY_STYLE,
    TEXT_GREY,
    TEXT_PT,
    category_label,
    finish_chart,
    new_chart,
    spread_labels,
)
from frontierbook.text import day_month, glue_cell, long_date, month_year

# Label text starts this far right of the event line, in axis units (the axis runs 0 to 1).
_LABEL_X = 0.12
# Characters per label line: what fits right of the line in a 6-inch chart at 11 pt.
_LABEL_CHARS = 42
_LINE_PT = TEXT_PT * 1.25
_LABEL_AIR_PT = 5
# The plot is this much taller than its labels stacked end to end, so that a label can sit
# level with its marker instead of being pushed along by its neighbours.
_LABEL_ROOM = 1.4
# A shaded band of dates covers the event line up to here (axis units), not the labels: a
# label beside the band may belong to an event far from it.
_SHADE_X = 0.05
_X_MIN = -0.03


# The strands of the timeline that make up the DeepSeek cost debate itself: the market's
# reaction and the arguments over the figure. Export-control statements are policy or
# industry events even when they mention DeepSeek.
COST_DEBATE_CATEGORIES = ("market", "debate")


def cost_debate(events: pd.DataFrame) -> pd.DataFrame:
    """The events of the cost debate: the market's fall and the posts that followed it."""
    return events[events["category"].isin(COST_DEBATE_CATEGORIES)]


def event_day(row: pd.Series) -> str:
    """'26 Dec 2024', or 'Mar 2023' when only the month is known."""
    if row["date_precision"] == "month":
        return month_year(row["date"], abbreviated=True)
    return long_date(row["date"])


def as_reported(row: pd.Series) -> str:
    """' (as reported)' after an event known only from press reports, else ''."""
    return " " + _("(as reported)") if row["as_reported"] else ""


def date_name(event_id: str, prefix: str = "date") -> str:
    """The name under which :func:`glue_dates` publishes an event's date: 'date_v3_2024_12'."""
    return f"{prefix}_{event_id.replace('-', '_')}"


# The events whose dates a chapter's prose names, as :func:`glue_dates` takes them.
CHAPTER_DATES: dict[str, dict[str, list[str]]] = {
    "export": {
        "days": """
            rule-2023-10 rule-2023-11 h20-2025-04 h20resume-2025-07 cac-2025-07
            h20licences-2025-08 h20halt-2025-08 h200-2025-12 huang-2025-05
            h200customs-2026-01 v4-2026-04 rescind-2025-05 h800-immediate-2023-10
            h200rule-2026-01 s232-2026-01 review-2025-12 pause-2026-01 lutnick-2026-02
            approval-2026-01 deepseekh200-2026-01 h200none-2026-02 nvidiaq4-2026-02
            nvidiaq1-2026-05 bisguidance-2026-05 samr-2025-09 cac6000d-2025-09
            huawei-2025-09 affiliates-2025-09 rareearth-2025-10 busan-2025-10 doj-2025-11
            truce-2025-11 datacentres-2025-11 mofcom70-2025-11 supermicro-2026-03
            blackwell-official-2026-02 gao-2026-05
        """.split(),
        "months": """
            rule-2022-10 rule-2023-10 rule-2024-12 diffusion-2025-01 h200rule-2026-01
            insights-2025-05 v3-2024-12 military-2025-06 blackwell-official-2026-02
        """.split(),
        "ends": ["h200rule-2026-01"],
    },
}


def glue_dates(
    events: pd.DataFrame,
    days: Iterable[str] = (),
    months: Iterable[str] = (),
    ends: Iterable[str] = (),
) -> None:
    """Publish the dates of the events a chapter's prose names, the same way in every
    chapter: ``days`` as '26 Dec 2024' under ``date_<event_id>``, ``months`` as
    'December 2024' under ``month_<event_id>``, and the last day of the events in ``ends``
    under ``end_<event_id>`` (hyphens in the id become underscores)."""
    for event_id in days:
        glue_cell(date_name(event_id), events, event_id, "date", long_date, label=_("Date"))
    for event_id in months:
        glue_cell(
            date_name(event_id, "month"), events, event_id, "date", month_year, label=_("Month")
        )
    for event_id in ends:
        glue_cell(
            date_name(event_id, "end"),
            events,
            event_id,
            "date_end",
            long_date,
            label=_("Last day"),
        )


def month_ticks(ax: Axes, months: Iterable[int] = (1, 7)) -> None:
    """Ticks on a timeline's date axis at the start of ``months``: 'Jan 2025' ('Jan 2025')."""
    ax.yaxis.set_major_locator(mdates.MonthLocator(bymonth=list(months)))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: month_year(mdates.num2date(x), abbreviated=True))
    )


def monday_ticks(ax: Axes) -> None:
    """Ticks on a timeline's date axis on Mondays: '27 Jan' ('27 Jan')."""
    ax.yaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: day_month(mdates.num2date(x))))


def event_label(row: pd.Series) -> str:
    """The date, then the event's title, wrapped to the chart's width."""
    title = row["title"] + as_reported(row)
    return textwrap.fill(f"{event_day(row)}: {title}", _LABEL_CHARS)


def _anchors(events: pd.DataFrame, labelled: pd.Series, notes: dict | None) -> list:
    shown = events[labelled.loc[events.index]]
    anchors = [
        (float(mdates.date2num(r["date"])), event_label(r), False) for _index, r in shown.iterrows()
    ]
    anchors += [(float(mdates.date2num(d)), text, True) for text, d in (notes or {}).items()]
    return sorted(anchors, key=lambda a: a[0])


def _label_heights_pt(anchors: list) -> list[float]:
    """Vertical room for each label: its lines plus a little air."""
    return [(a[1].count("\n") + 1) * _LINE_PT + _LABEL_AIR_PT for a in anchors]


def _plot_height_pt(anchors: list) -> float:
    """The plot's height: room for every label near its marker."""
    return sum(_label_heights_pt(anchors)) * _LABEL_ROOM


def draw_timeline(
    ax: Axes,
    events: pd.DataFrame,
    labelled: pd.Series | None = None,
    notes: dict[str, pd.Timestamp] | None = None,
) -> None:
    """A vertical timeline on ``ax``: markers on a date axis, labels spread to the right.

    ``labelled`` (a boolean Series) chooses which events get a label; hollow markers mark
    events known only as reported. ``notes`` (text: date) are italic labels among the
    event labels. Labels keep the dates' order, so leader lines never cross, and are spaced
    by the tallest label's height at the plot's laid-out size.
    """
    events = events.sort_values(["date", "event_id"])
    labelled = pd.Series(True, index=events.index) if labelled is None else labelled
    dates = mdates.date2num(events["date"])
    lo, hi = float(dates.min()), float(dates.max())
    pad = (hi - lo) / 30 or 1.0
    for (_index, row), y in zip(events.iterrows(), dates, strict=True):
        _label, colour, marker = CATEGORY_STYLE[row["category"]]
        hollow = bool(row["as_reported"])
        ax.plot(
            [0],
            [y],
            marker=marker,
            ms=8,
            color=colour,
            zorder=3,
            mew=1.6,
            ls="none",
            markerfacecolor="white" if hollow else colour,
        )
    ax.axvline(0, color="#8c8c8c", lw=1, zorder=1)
    ax.set_xlim(_X_MIN, 1)
    ax.set_ylim(hi + pad, lo - pad)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.grid(axis="x", visible=False)
    drawn = set(events["category"])
    handles = [
        Line2D([], [], marker=m, ls="none", color=c, ms=8, label=category_label(key))
        for key, (_n, c, m) in CATEGORY_STYLE.items()
        if key in drawn
    ]
    if events["as_reported"].any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="none",
                color=TEXT_GREY,
                mfc="white",
                mew=1.6,
                ms=8,
                label=_("hollow: press reports only"),
            )
        )
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=2,
        borderaxespad=0,
        handlelength=1.2,
        columnspacing=1.0,
    )

    anchors = _anchors(events, labelled, notes)
    if not anchors:
        return
    fig = ax.figure
    heights = _label_heights_pt(anchors)
    for _attempt in range(3):
        fig.canvas.draw()  # lay out first: the spacing depends on the plot's height
        height_pt = ax.get_window_extent().height * 72 / fig.dpi
        short = _plot_height_pt(anchors) - height_pt
        if short <= 0:
            break
        fig.set_size_inches(fig.get_figwidth(), fig.get_figheight() + short / 72 + 0.05)
    span = hi - lo + 2 * pad
    per_pt = span / height_pt  # dates per point of height
    gaps = [(a + b) / 2 * per_pt for a, b in zip(heights, heights[1:], strict=False)]
    placed = spread_labels(
        [a[0] for a in anchors],
        gaps,
        lo - pad + heights[0] / 2 * per_pt,
        hi + pad - heights[-1] / 2 * per_pt,
    )
    for (date, text, is_note), y in zip(anchors, placed, strict=True):
        # Leader: from the marker, slanting out to the label's height, then level into it.
        # Labels keep the dates' order, so the slants never cross each other or any text.
        ax.plot([0, _LABEL_X * 0.5, _LABEL_X * 0.9], [date, y, y], color="#8c8c8c", lw=0.6)
        ax.text(_LABEL_X, y, text, va="center", style="italic" if is_note else "normal")


def timeline_chart(
    events: pd.DataFrame,
    *,
    title: str,
    labelled: pd.Series | None = None,
    notes: dict[str, pd.Timestamp] | None = None,
    shade: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    ylabel: str | None = None,
) -> Figure:
    """A finished timeline chart: alt text lists the labelled events, sources their rows.

    ``shade`` greys a band of dates (its events described by ``notes`` when unlabelled).
    The chart is as tall as its labels need. ``ylabel`` defaults to "Date".
    """
    ylabel = _("Date") if ylabel is None else ylabel
    flags = pd.Series(True, index=events.index) if labelled is None else labelled
    anchors = _anchors(events.sort_values(["date", "event_id"]), flags, notes)
    # The plot, plus about 3 inches for the title, legend and source line.
    height = _plot_height_pt(anchors) / 72 + 3.0
    fig, ax = new_chart(title, "", ylabel, figsize=(6.0, height))
    shown = events if labelled is None else events[labelled]
    rows = shown.sort_values(["date", "event_id"])
    alt = (
        _(
            "Vertical timeline of {count} events from {first} to {last}; hollow markers for "
            "those known only from press reports. "
        ).format(
            count=len(events),
            first=long_date(events["date"].min()),
            last=long_date(events["date"].max()),
        )
        + "; ".join(f"{event_day(r)}, {r['title']}{as_reported(r)}" for _i, r in rows.iterrows())
        + "."
        + "".join(f" {text}." for text in (notes or {}))
    )
    # The source line first: with many sources it runs to several lines, and the labels
    # must be spread over the plot's height as laid out with it.
    finish_chart(fig, events["source"], alt=alt)
    draw_timeline(ax, events, labelled, notes)
    if shade:
        # Over the event line only: (x - xmin) / (xmax - xmin) of the axis, as axhspan wants.
        ax.axhspan(
            *mdates.date2num(list(shade)),
            xmax=(_SHADE_X - _X_MIN) / (1 - _X_MIN),
            color="#e6e6e6",
            zorder=0,
        )
    return fig
