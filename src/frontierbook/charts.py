"""The chart shapes of the book, each drawn from tidy data.

Every helper takes the rows to plot and the names of their columns, and returns a finished
figure: the legend lists only the categories it plotted, the alt text is written from the
same rows, and the source line comes from the rows' ``source`` column (de-duplicated by
:func:`frontierbook.citations.source_line`). Show the result with
:func:`frontierbook.style.show`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from frontierbook.i18n import _
from frontierbook.style import (
    CATEGORY_STYLE,
    CYCLE,
    PALETTE,
    TEXT_GREY,
    TEXT_PT,
    finish_chart,
    new_chart,
    wrap_to_width,
)
from frontierbook.text import month_year, number, plain

_FALLBACK_MARKERS = ["o", "s", "D", "^", "v", "P"]
# Vertical space per line of label text, in points (11 pt text plus leading).
_LINE_PT = 16.0
# Characters per line of a point label before it wraps.
POINT_LABEL_WIDTH = 28


def source_keys(cells: Sequence) -> list[str]:
    """Bibliography keys from a ``source`` column; a cell may name several, ``"a; b"``."""
    return [key.strip() for cell in cells for key in str(cell).split(";") if key.strip()]


def category_style(category: str, position: int = 0) -> tuple[str, str, str]:
    """(legend label in the current language, colour, marker) for a category, with a stable
    fallback for new ones."""
    if category in CATEGORY_STYLE:
        label, colour, marker = CATEGORY_STYLE[category]
        return _(label), colour, marker
    return (
        category.replace("_", " ").capitalize(),
        CYCLE[position % len(CYCLE)],
        _FALLBACK_MARKERS[position % len(_FALLBACK_MARKERS)],
    )


def _log_limits(values: Sequence[float], pad: float = 1.6) -> tuple[float, float]:
    """Log-axis limits with room for the end markers: a factor ``pad`` beyond the data."""
    finite = [v for v in values if v and np.isfinite(v) and v > 0]
    return min(finite) / pad, max(finite) * pad


def legend_above(ax, handles: list, ncols: int = 2) -> None:
    """The legend in a band above the plot: never over data, and the layout makes room.

    Labels are wrapped so the legend is no wider than the plot usually is; a wider one
    would make the layout shrink the plot to fit it.
    """
    # Measured on a 6-inch chart at 11.5 pt: one column takes about 42 characters after its
    # key, two columns about 28 each.
    per_line = 42 if ncols == 1 else 56 // ncols
    per_label = max(12, int(per_line * ax.figure.get_figwidth() / 6.0))
    for handle in handles:
        handle.set_label(textwrap.fill(handle.get_label(), per_label))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncols=ncols,
        borderaxespad=0,
        handlelength=1.6,
        columnspacing=1.2,
    )


def range_text(low: float, high: float | None, fmt: Callable[[float], str]) -> str:
    """'$5M', '$5M–$20M' or 'more than $5M' (an open-ended estimate has no high value)."""
    if high is None or pd.isna(high):
        return _("more than {value}").format(value=fmt(low))
    if high > low:
        return f"{fmt(low)}–{fmt(high)}"
    return fmt(low)


def range_strip(
    rows: pd.DataFrame,
    *,
    label: str,
    low: str,
    high: str,
    category: str,
    title: str,
    xlabel: str,
    fmt: Callable[[float], str],
    kind: str | None = "kind",
    source: str = "source",
    note: str | None = None,
    reference: tuple[float, str] | None = None,
    point: tuple[str, str] | None = None,
    open_factor: float = 3.0,
) -> Figure:
    """One row per item on a log axis: a strip from ``low`` to ``high`` with a marker at each end.

    A missing ``high`` is an open-ended estimate ("more than"), drawn as an arrow. Rows whose
    ``kind`` is ``derived`` get hollow markers. Each row's label and value are written above
    its strip, so the chart needs no tick labels on its side and keeps its width on a phone.
    ``note`` (a column) adds a phrase after the value; ``reference`` (value, legend text)
    draws a dashed line; ``point`` (column, legend text) marks one more value on each strip
    with a black diamond, e.g. the reported figure against a predicted range.
    """
    fig, ax = new_chart(title, xlabel, "")
    texts, heights = [], []
    for r in rows.itertuples(index=False):
        hi = getattr(r, high)
        value = range_text(getattr(r, low), None if pd.isna(hi) else hi, fmt)
        # A dash, not brackets: the note may carry brackets of its own.
        extra = f" — {getattr(r, note)}" if note and pd.notna(getattr(r, note)) else ""
        text = wrap_to_width(f"{getattr(r, label)}: {value}{extra}", fig, TEXT_PT)
        texts.append(text)
        heights.append(text.count("\n") + 1)
    # Each row: its label lines, then the strip, then a gap (in units of one text line).
    tops = np.cumsum([0] + [h + 1.4 for h in heights[:-1]])
    strip_y = tops + np.array(heights) + 0.35
    total = float(strip_y[-1] + 0.8)
    extra_in = 1.9 + (0.35 if reference else 0)
    fig.set_size_inches(fig.get_figwidth(), total * _LINE_PT / 72 + extra_in)

    plotted: dict[str, tuple[str, str, str]] = {}
    any_hollow = any_open = False
    ends = []
    for i, (r, y, text) in enumerate(
        zip(rows.itertuples(index=False), strip_y, texts, strict=True)
    ):
        cat = getattr(r, category)
        if cat not in plotted:
            plotted[cat] = category_style(cat, len(plotted))
        name, colour, marker = plotted[cat]
        lo, hi = getattr(r, low), getattr(r, high)
        hollow = bool(kind) and getattr(r, kind) == "derived"
        any_hollow |= hollow
        face = "white" if hollow else colour
        if pd.isna(hi):
            any_open = True
            tip = lo * open_factor
            ax.annotate(
                "",
                xy=(tip, y),
                xytext=(lo, y),
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2, "shrinkA": 0},
            )
            ends += [lo, tip]
        else:
            if hi > lo:
                ax.plot([lo, hi], [y, y], color=colour, lw=3, solid_capstyle="butt")
            ends += [lo, hi]
        for x in {lo} | ({hi} if pd.notna(hi) else set()):
            ax.plot([x], [y], marker=marker, ms=8, color=colour, mfc=face, mew=1.6, ls="none")
        if point:
            mark = getattr(r, point[0])
            ax.plot([mark], [y], marker="D", ms=9, color=PALETTE["black"], ls="none", zorder=5)
            ends.append(mark)
        # A white ground keeps the label readable where a grid or reference line crosses it.
        ax.text(
            0.005,
            tops[i],
            text,
            transform=ax.get_yaxis_transform(),
            va="top",
            ha="left",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )
    if reference:
        ax.axvline(reference[0], color=PALETTE["black"], ls="--", lw=1)
        ends.append(reference[0])
    ax.set_xscale("log")
    ax.set_xlim(*_log_limits(ends))
    ax.set_ylim(total, -0.3)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="y", visible=False)

    handles = [
        Line2D([], [], marker=m, color=c, ls="none", ms=8, label=n) for n, c, m in plotted.values()
    ]
    if any_hollow:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                color=TEXT_GREY,
                mfc="white",
                mew=1.6,
                ls="none",
                ms=8,
                label=_("hollow: derived in this book"),
            )
        )
    if any_open:
        handles.append(
            Line2D(
                [],
                [],
                marker=">",
                color=TEXT_GREY,
                ls="-",
                lw=2,
                ms=7,
                label=_("arrow: more than"),
            )
        )
    if point:
        handles.append(
            Line2D([], [], marker="D", ms=9, color=PALETTE["black"], ls="none", label=point[1])
        )
    if reference:
        handles.append(Line2D([], [], color=PALETTE["black"], ls="--", lw=1, label=reference[1]))
    legend_above(ax, handles)

    alt = (
        _("Ranges on a log axis, {xlabel}, one row each: ").format(xlabel=xlabel)
        + "; ".join(
            t.replace("\n", " ") + (f", {point[1]} {fmt(getattr(r, point[0]))}" if point else "")
            for t, r in zip(texts, rows.itertuples(index=False), strict=True)
        )
        + (
            _(". A dashed line marks {reference}.").format(reference=reference[1])
            if reference
            else "."
        )
    )
    return finish_chart(fig, source_keys(rows[source]), alt=alt)


def labelled_ranking(
    rows: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    xlabel: str,
    fmt: Callable[[float], str],
    colour: str | None = None,
    text: str | None = None,
    highlight: Sequence[str] = (),
    source: str = "source",
    sort: bool = True,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal bars, largest first, each labelled with its value at the bar's end.

    ``colour`` (a column) colours the bars by category and adds a legend of the categories
    drawn; without it every bar is the house blue. ``text`` (a column) replaces the
    formatted value as the bar's label; bars whose label is in ``highlight`` are hatched.
    """
    fig, ax = new_chart(title, xlabel, "", figsize=figsize)
    _ranking(ax, rows, label, value, fmt, colour, sort, set(highlight), text)
    if colour:
        names = list(dict.fromkeys(rows[colour]))
        handles = [
            Line2D(
                [],
                [],
                marker="s",
                ms=10,
                ls="none",
                color=category_style(n, i)[1],
                label=category_style(n, i)[0],
            )
            for i, n in enumerate(names)
        ]
        legend_above(ax, handles)
    alt = (
        _("Horizontal bars, {xlabel}: ").format(xlabel=xlabel)
        + "; ".join(
            f"{' '.join(str(r[label]).split())} {r[text] if text else fmt(r[value])}"
            for _index, r in _sorted(rows, value, sort).iterrows()
        )
        + "."
    )
    return finish_chart(fig, source_keys(rows[source]), alt=alt)


def _sorted(rows: pd.DataFrame, value: str, sort: bool) -> pd.DataFrame:
    return rows.sort_values(value, ascending=False, kind="stable") if sort else rows


def _ranking(ax, rows, label, value, fmt, colour, sort, highlight=(), text=None) -> None:
    ordered = _sorted(rows, value, sort)
    names = list(dict.fromkeys(rows[colour])) if colour else []
    y = np.arange(len(ordered))
    colours = [
        category_style(c, names.index(c))[1] if colour else PALETTE["blue"]
        for c in (ordered[colour] if colour else [None] * len(ordered))
    ]
    bars = ax.barh(y, ordered[value], color=colours, height=0.7)
    top = float(ordered[value].max())
    for bar, (_index, r) in zip(bars, ordered.iterrows(), strict=True):
        if r[label] in highlight:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
        # A long bar carries its label inside, in white; a short one just past its end.
        inside = r[value] >= 0.6 * top and r[label] not in highlight
        ax.annotate(
            r[text] if text else fmt(r[value]),
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(-5 if inside else 4, 0),
            textcoords="offset points",
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else PALETTE["black"],
            zorder=4,
        )
    ax.set_yticks(y, ordered[label])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.05)
    ax.grid(axis="y", visible=False)


def ranking_grid(
    rows: pd.DataFrame,
    *,
    panel: str,
    label: str,
    value: str,
    title: str,
    xlabel: str,
    fmt: Callable[[float], str],
    source: str = "source",
    highlight: Sequence[str] = (),
    panel_height: float = 1.9,
) -> Figure:
    """Small multiples: one labelled ranking per ``panel`` value, stacked, sharing the x axis.

    Stacked panels keep the full width for each ranking on a phone. Rows named in
    ``highlight`` are hatched in every panel.
    """
    panels = list(dict.fromkeys(rows[panel]))
    fig, axes = new_chart(
        title,
        xlabel,
        "",
        figsize=(6.0, 1.6 + panel_height * len(panels)),
        nrows=len(panels),
        sharex=True,
    )
    for ax, name in zip(np.atleast_1d(axes), panels, strict=True):
        subset = rows[rows[panel] == name]
        _ranking(ax, subset, label, value, fmt, None, True, highlight=set(highlight))
        ax.set_title(name, fontweight="bold")
    top = float(rows[value].max()) * 1.05
    for ax in np.atleast_1d(axes):
        ax.set_xlim(0, top)
    alt = _("{count} panels of horizontal bars, {xlabel}. ").format(
        count=len(panels), xlabel=xlabel
    ) + " ".join(
        f"{name}: "
        + ", ".join(
            f"{r[label]} {fmt(r[value])}"
            for _index, r in _sorted(rows[rows[panel] == name], value, True).iterrows()
        )
        + "."
        for name in panels
    )
    return finish_chart(fig, source_keys(rows[source]), alt=alt)


def coincident_points(
    rows: pd.DataFrame, x: str, y: str, *, label: str, category: str, flag: str
) -> pd.DataFrame:
    """One row per distinct (x, y): labels joined ("H100, H200"), flagged only if all are.

    Rows missing ``x`` or ``y`` are left out. Columns: ``x``, ``y``, ``label``,
    ``category`` (the first row's), ``flag`` and, if the rows have one, ``source`` (every
    row's keys, "a; b").
    """
    extra = {"source": ("source", "; ".join)} if "source" in rows else {}
    return (
        rows.dropna(subset=[x, y])
        .groupby([x, y], sort=False)
        .agg(
            label=(label, ", ".join),
            category=(category, "first"),
            flag=(flag, "all"),
            **extra,
        )
        .reset_index()
    )


def labelled_points(
    ax,
    points: pd.DataFrame,
    x: str,
    y: str,
    offsets: dict[str, tuple[float, float, str]] | None = None,
    flag_note: str | None = None,
) -> None:
    """Points from :func:`coincident_points`, one marker per category, hollow if flagged.

    Each point is labelled; ``offsets`` maps a label to (dx, dy in points, alignment), the
    default being just to the right. Legend entries (one per category and fill actually
    drawn) are left on the axes for :func:`legend_above`. ``flag_note`` follows a flagged
    category's name in the legend (by default "values uncertain").
    """
    flag_note = flag_note or _("values uncertain")
    names = list(dict.fromkeys(points["category"]))
    for cat in names:
        name, colour, marker = category_style(cat, names.index(cat))
        for flagged in (False, True):
            sel = points[(points["category"] == cat) & (points["flag"] == flagged)]
            if sel.empty:
                continue
            ax.plot(
                sel[x],
                sel[y],
                ls="none",
                marker=marker,
                ms=8,
                color=colour,
                mew=1.6,
                fillstyle="none" if flagged else "full",
                zorder=3,
                label=name + (f" ({flag_note})" if flagged else ""),
            )
    for r in points.itertuples(index=False):
        dx, dy, ha = (offsets or {}).get(r.label, (8, 0, "left"))
        ax.annotate(
            # A long label from data wraps rather than squeezing the plot to nothing.
            textwrap.fill(r.label, POINT_LABEL_WIDTH),
            (getattr(r, x), getattr(r, y)),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va="center",
            zorder=4,
        )


def labelled_scatter(
    points: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    describe: Callable[[pd.Series], str],
    alt_intro: str,
    alt_note: str = "",
    offsets: dict[str, tuple[float, float, str]] | None = None,
    log: str = "x",
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    extra_sources: Sequence[str] = (),
    figsize: tuple[float, float] = (6.0, 5.0),
) -> tuple[Figure, object]:
    """Labelled points from :func:`coincident_points` on a map; returns (figure, axes).

    ``log`` names the log-scaled axes ("x", "y", "xy"); the log x axis reads in plain
    thousands. The alt text is ``alt_intro``, then ``describe(row)`` for every point, then
    ``alt_note``; the source line, every point's sources and then ``extra_sources`` (e.g.
    the rule drawn on the map). Draw rule lines or regions on the returned axes before
    showing the figure.
    """
    fig, ax = new_chart(title, xlabel, ylabel, figsize=figsize)
    if "x" in log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(lambda v, _pos: number(v))
    if "y" in log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(lambda v, _pos: plain(v))
    labelled_points(ax, points, x, y, offsets)
    if xlim:
        ax.set_xlim(*xlim)
    if ylim:
        ax.set_ylim(*ylim)
    legend_above(ax, ax.get_legend_handles_labels()[0])
    alt = f"{alt_intro} " + "; ".join(describe(r) for _i, r in points.iterrows()) + f". {alt_note}"
    keys = source_keys(points["source"]) + list(extra_sources)
    return finish_chart(fig, keys, alt=alt.strip()), ax


def dated_scatter(
    rows: pd.DataFrame,
    *,
    date: str,
    value: str,
    category: str,
    label: str,
    title: str,
    ylabel: str,
    fmt: Callable[[float], str],
    names: dict[str, str],
    alt_intro: str,
    alt_note: str = "",
    placement: dict[str, tuple[tuple[float, float], str, str]] | None = None,
    source: str = "source",
    figsize: tuple[float, float] = (6.0, 6.4),
) -> tuple[Figure, object]:
    """Values against dates on a log axis, one marker per ``category`` (legend: ``names``).

    Rows sharing a ``label`` (several estimates of one run) are joined by a thin line and
    labelled once, under their lowest value unless ``placement`` maps the label to
    ((dx, dy) points, alignment, "low" or "high"). The alt text lists every label with its
    date and values. Returns (figure, axes) for reference lines and ticks; call
    :func:`legend_above` again after adding a labelled line.
    """
    fig, ax = new_chart(title, _("Release date"), ylabel, figsize=figsize)
    groups = rows.groupby(label, sort=False)
    for _name, group in groups:
        if len(group) > 1:
            ax.plot(
                [group[date].iloc[0]] * 2,
                [group[value].min(), group[value].max()],
                color="#bfbfbf",
                lw=1,
                zorder=1,
            )
    drawn = [cat for cat in names if (rows[category] == cat).any()]
    for i, cat in enumerate(drawn):
        sel = rows[rows[category] == cat]
        _label, colour, marker = category_style(cat, i)
        ax.plot(
            sel[date],
            sel[value],
            marker=marker,
            color=colour,
            ms=7.5,
            ls="none",
            zorder=3,
            label=names[cat],
        )
    for name, group in groups:
        offset, ha, end = (placement or {}).get(name, ((0, -15), "center", "low"))
        at = group[value].min() if end == "low" else group[value].max()
        ax.annotate(
            name, (group[date].iloc[0], at), xytext=offset, textcoords="offset points", ha=ha
        )
    ax.set_yscale("log")
    legend_above(ax, ax.get_legend_handles_labels()[0], ncols=1)
    alt = (
        f"{alt_intro} "
        + "; ".join(
            f"{name} ({month_year(group[date].iloc[0], abbreviated=True)}): "
            + ", ".join(f"{names[r[category]]} {fmt(r[value])}" for _index, r in group.iterrows())
            for name, group in rows.sort_values(date, kind="stable").groupby(label, sort=False)
        )
        + f". {alt_note}"
    )
    return finish_chart(fig, source_keys(rows[source]), alt=alt.strip()), ax


def label_along(ax, line_x: Sequence[float], line_y: Sequence[float], text: str, at: float) -> None:
    """Write ``text`` on a drawn line at x = ``at``, rotated to the line's slope as shown.

    The slope is read after a layout pass, so set the axes' scales and limits first.
    """
    ax.figure.canvas.draw()
    y_at = float(np.interp(np.log(at), np.log(line_x), np.log(line_y)))
    x2 = at * 1.5
    y2 = float(np.interp(np.log(x2), np.log(line_x), np.log(line_y)))
    p0, p1 = ax.transData.transform([(at, math.exp(y_at)), (x2, math.exp(y2))])
    angle = float(np.degrees(np.arctan2(p1[1] - p0[1], p1[0] - p0[0])))
    label = ax.text(
        at,
        math.exp(y_at),
        f" {text}",
        rotation=angle,
        rotation_mode="anchor",
        color=PALETTE["grey"],
        va="bottom",
    )
    # Inside the plot by construction: it must not make the layout shrink the axes.
    label.set_in_layout(False)


def heat_map(
    values: np.ndarray,
    *,
    columns: Sequence[str],
    rows: Sequence[str],
    fmt: Callable[[float], str],
    title: str,
    xlabel: str,
    ylabel: str,
    figsize: tuple[float, float] = (6.0, 4.6),
) -> Figure:
    """A grid of values (rows up the side, columns along the bottom), each cell shaded on a
    log scale and labelled with its value; the caller finishes it with its sources."""
    fig, ax = new_chart(title, xlabel, ylabel, figsize=figsize)
    shade = np.log10(values)
    ax.imshow(shade, cmap="Blues", aspect="auto", origin="lower")
    for (i, j), value in np.ndenumerate(values):
        dark = shade[i, j] > shade.mean()
        ax.text(j, i, fmt(value), ha="center", va="center", color="white" if dark else "black")
    ax.set_xticks(range(len(columns)), list(columns))
    ax.set_yticks(range(len(rows)), list(rows))
    ax.grid(False)
    return fig
