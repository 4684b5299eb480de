"""The book's chart house style.

Every chart: a title that states the takeaway, axis labels with units, a source line built
from the rows it plots, alt text carried inside the SVG, colour-blind-safe colours, and
byte-identical SVG for the same data.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from frontierbook.citations import source_line

# Okabe & Ito (2008) palette, distinguishable with the common colour-vision deficiencies.
# Yellow and sky blue are dropped and orange darkened so every colour has at least 3:1
# contrast on white (WCAG 1.4.11 for graphical objects).
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#B07800",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#595959",
}
CYCLE: list[str] = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "grey")]
TEXT_GREY = "#404040"  # 10:1 contrast on white

RC: dict[str, object] = {
    "figure.figsize": (8.0, 4.6),
    "figure.dpi": 100,
    # Text stays text in the SVG (half the bytes of glyph paths); a reader without DejaVu
    # Sans gets the next listed sans-serif, all of which are narrower, so labels still fit.
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.prop_cycle": mpl.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.edgecolor": TEXT_GREY,
    "axes.labelcolor": "#000000",
    "xtick.color": TEXT_GREY,
    "ytick.color": TEXT_GREY,
    "legend.frameon": False,
    # Deterministic SVG: fixed ids (the date is dropped in svg_bytes).
    "svg.hashsalt": "frontierbook",
    "svg.fonttype": "none",
    "path.simplify": True,
}

# Date metadata would change the bytes on every build.
SVG_SAVE_KWARGS: dict[str, object] = {"format": "svg"}


def apply_style() -> None:
    """Set the house style for every chart drawn after this call."""
    mpl.rcParams.update(RC)


def new_chart(
    title: str, xlabel: str, ylabel: str, figsize: tuple[float, float] | None = None
) -> tuple[Figure, plt.Axes]:
    """A figure with the takeaway title and labelled axes (units in the labels)."""
    apply_style()
    fig, ax = plt.subplots(figsize=figsize or RC["figure.figsize"], layout="constrained")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def finish_chart(fig: Figure, sources: Iterable[str], alt: str, note: str | None = None) -> Figure:
    """Add the source line under the chart and store the alt text in the figure.

    ``sources`` are bibliography keys, normally the ``source`` column of the plotted rows.
    The alt text travels inside the SVG (``<dc:description>``); the book's Sphinx extension
    copies it to the ``<img alt>`` attribute.
    """
    if not alt or not alt.strip():
        raise ValueError("every chart needs alt text")
    line = source_line(sources)
    if note:
        line = f"{line}. {note}"
    # Wrap to the figure's width: about 16 characters per inch at the source-line size.
    line = "\n".join(textwrap.wrap(line, width=int(fig.get_figwidth() * 15)))
    fig.get_layout_engine().set(h_pad=0.08)
    fig.supxlabel(line, fontsize=8.5, color=TEXT_GREY, x=0.01, ha="left")
    fig.frontierbook_alt = alt.strip()  # type: ignore[attr-defined]
    fig.frontierbook_source = line  # type: ignore[attr-defined]
    return fig


def svg_bytes(fig: Figure) -> bytes:
    """The chart as deterministic SVG, with its alt text as the SVG description."""
    alt = getattr(fig, "frontierbook_alt", None)
    if alt is None:
        raise ValueError("call finish_chart() first: the chart has no source line or alt text")
    buf = io.BytesIO()
    fig.savefig(buf, **SVG_SAVE_KWARGS, metadata={"Date": None, "Description": alt})
    return buf.getvalue()


def show(fig: Figure):
    """Display the chart as SVG (in Jupyter and in the built book) and close it."""
    from IPython.display import SVG

    image = SVG(svg_bytes(fig))
    plt.close(fig)
    return image


def spread_labels(
    positions: list[float], min_gap: float, lo: float | None = None, hi: float | None = None
) -> list[float]:
    """Move sorted label positions at least ``min_gap`` apart, keeping them in [lo, hi].

    A forward pass pushes crowded labels along; if that runs past ``hi``, a backward pass
    pulls them back. Labels stay as close to their points as the space allows.
    """
    placed = list(positions)
    if lo is not None and placed:
        placed[0] = max(placed[0], lo)
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + min_gap)
    if hi is not None and placed and placed[-1] > hi:
        placed[-1] = hi
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - min_gap)
    return placed
