"""Drawing the dated timeline of events (chapter 1)."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes

from frontierbook.style import PALETTE, spread_labels
from frontierbook.text import long_date

# category: (legend label, colour, marker); shapes differ too, so colour is never the only cue.
CATEGORY_STYLE: dict[str, tuple[str, str, str]] = {
    "policy": ("US export policy", PALETTE["blue"], "s"),
    "industry": ("Nvidia's China chips", PALETTE["orange"], "D"),
    "deepseek": ("DeepSeek releases", PALETTE["vermillion"], "o"),
    "market": ("Markets", PALETTE["black"], "v"),
    "debate": ("The cost debate", PALETTE["green"], "^"),
}


def event_day(row: pd.Series) -> str:
    """'26 Dec 2024', or 'Mar 2023' when only the month is known."""
    if row["date_precision"] == "month":
        return f"{row['date']:%b %Y}"
    return long_date(row["date"])


def draw_timeline(
    ax: Axes,
    events: pd.DataFrame,
    labelled: pd.Series | None = None,
    label_gap: float = 21,
    extra_labels: dict[str, pd.Timestamp] | None = None,
) -> None:
    """A vertical timeline: one marker per event on a date axis, labels spread to the right.

    ``labelled`` (a boolean Series) chooses which events get a text label; hollow markers
    mark events known only as reported. ``label_gap`` is how many labels fit the height.
    ``extra_labels`` are notes (text: date) placed among the event labels, in italics.
    """
    events = events.sort_values(["date", "event_id"])
    labelled = pd.Series(True, index=events.index) if labelled is None else labelled
    dates = mdates.date2num(events["date"])
    lo, hi = dates.min(), dates.max()
    shown = events[labelled.loc[events.index]]
    anchors = [
        (float(d), ("event", i))
        for i, d in zip(shown.index, mdates.date2num(shown["date"]), strict=True)
    ]
    anchors += [(float(mdates.date2num(d)), ("note", t)) for t, d in (extra_labels or {}).items()]
    anchors.sort(key=lambda a: a[0])
    spread = spread_labels([a[0] for a in anchors], (hi - lo) / label_gap, lo, hi)
    label_at = {key: y for (_, key), y in zip(anchors, spread, strict=True)}
    for (_, key), (point, _) in zip(anchors, anchors, strict=True):
        if key[0] == "note":
            ax.annotate(
                key[1],
                xy=(0.15, point),
                xytext=(0.35, label_at[key]),
                va="center",
                fontsize=9.5,
                style="italic",
                arrowprops={"arrowstyle": "-", "color": "#8c8c8c", "lw": 0.6, "shrinkB": 4},
            )
    for (index, row), y in zip(events.iterrows(), dates, strict=True):
        _, colour, marker = CATEGORY_STYLE[row["category"]]
        hollow = bool(row["as_reported"])
        ax.plot(
            0,
            y,
            marker=marker,
            ms=8,
            color=colour,
            zorder=3,
            markeredgewidth=1.6,
            markerfacecolor="white" if hollow else colour,
        )
        if ("event", index) in label_at:
            text = f"{event_day(row)}  {row['title']}" + ("  (as reported)" if hollow else "")
            ax.annotate(
                text,
                xy=(0, y),
                xytext=(0.35, label_at[("event", index)]),
                va="center",
                fontsize=9.5,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#8c8c8c",
                    "lw": 0.6,
                    "shrinkA": 0,
                    "shrinkB": 4,
                },
            )
    ax.axvline(0, color="#8c8c8c", lw=1, zorder=1)
    ax.set_xlim(-0.3, 6.5)
    pad = (hi - lo) / 40
    ax.set_ylim(hi + pad, lo - pad)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.grid(axis="x", visible=False)
    handles = [
        ax.plot([], [], marker=m, ls="", color=c, ms=7, label=n)[0]
        for n, c, m in CATEGORY_STYLE.values()
        if n in {CATEGORY_STYLE[k][0] for k in events["category"]}
    ]
    ax.legend(handles=handles, loc="upper right", fontsize=9)
