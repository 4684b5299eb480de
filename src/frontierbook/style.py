"""The book's chart house style.

Every chart: a title that states the takeaway, axis labels with units, a source line built
from the rows it plots, alt text carried inside the SVG, colour-blind-safe colours, and
byte-identical SVG for the same data.

Text in any script: DejaVu Sans draws Latin, Greek and Cyrillic; a character it lacks is
drawn from the fallback fonts (:data:`FALLBACK_FONTS`: Noto Sans CJK, Noto Sans Arabic, and
Symbola for emoji, which matplotlib can only draw in outline), found among the machine's
fonts (``make fonts`` installs Debian's packages). The SVG keeps text as text, so a reader's
browser draws it with its own fonts, emoji in colour; the build's fonts only measure it.
Before any chapter runs, the build checks that every character of ``data/`` is in one of
these fonts (:func:`missing_glyphs`), naming the file, row and column of any that is not.
"""

from __future__ import annotations

import io
import logging
import textwrap
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from frontierbook.chartlint import check_chart
from frontierbook.citations import source_line
from frontierbook.i18n import N_
from frontierbook.ticks import plain_text_ticks

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

# The book's categories, each one colour and one marker, so colour is never the only cue.
# A hollow marker means "derived by this book"; a filled one, a figure someone reported.
# Labels are English, marked for the catalogue and translated where drawn (category_label).
CATEGORY_STYLE: dict[str, tuple[str, str, str]] = {
    # cost_ledger components
    "final_run": (N_("Final training run"), PALETTE["blue"], "o"),
    "data": (N_("Data"), PALETTE["purple"], "P"),
    "experiments": (N_("Experiments"), PALETTE["green"], "s"),
    "staff": (N_("Staff"), PALETTE["orange"], "^"),
    "hardware": (N_("Hardware"), PALETTE["vermillion"], "D"),
    "operations": (N_("Operations"), PALETTE["grey"], "v"),
    # the kind of a figure
    "reported": (N_("Reported"), PALETTE["blue"], "o"),
    "estimate": (N_("Estimate by others"), PALETTE["vermillion"], "D"),
    "derived": (N_("Derived in this book"), PALETTE["green"], "s"),
    # what a dollar figure measures (the scorecard)
    "one training run": (N_("One training run"), PALETTE["blue"], "o"),
    "the whole model": (N_("The whole model"), PALETTE["purple"], "P"),
    "hardware purchase": (N_("Hardware purchase"), PALETTE["vermillion"], "D"),
    # chip vendors
    "NVIDIA": ("NVIDIA", PALETTE["blue"], "o"),
    "Huawei": ("Huawei", PALETTE["vermillion"], "D"),
    # the timeline's events
    "policy": (N_("Policy, US and China"), PALETTE["blue"], "s"),
    "industry": (N_("Chip industry"), PALETTE["orange"], "D"),
    "deepseek": (N_("DeepSeek"), PALETTE["vermillion"], "o"),
    "market": (N_("Markets"), PALETTE["black"], "v"),
    "debate": (N_("The cost debate"), PALETTE["green"], "^"),
}

# Legible on a phone: the page shrinks a chart to the column width (342 CSS px on a
# 390 px phone, measured), so a W-inch chart shows a p-point font at p * 342 / (72 W) px.
# Charts are 6 inches wide and no text is under 11.5 pt: 9.1 px on a phone, 15 px on a
# desktop (where the chart shows at its natural 576 px).
# Fallbacks for characters DejaVu Sans lacks, in order: family name, and the file names it
# has in Debian's packages (fonts-noto-cjk, fonts-noto-core, fonts-symbola).
FALLBACK_FONTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Noto Sans CJK SC", ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf")),
    ("Noto Sans Arabic", ("NotoSansArabic-Regular.ttf",)),
    ("Symbola", ("Symbola_hint.ttf", "Symbola.ttf")),
)
PRIMARY_FONT = "DejaVu Sans"

CHART_WIDTH = 6.0
TEXT_PT = 11.5
TITLE_PT = 13.0

RC: dict[str, object] = {
    "figure.figsize": (CHART_WIDTH, 4.0),
    "figure.dpi": 100,
    # Text stays text in the SVG (half the bytes of glyph paths); a reader without DejaVu
    # Sans gets the next listed sans-serif, all of which are narrower, so labels still fit.
    "font.family": ["sans-serif", *(family for family, _ in FALLBACK_FONTS)],
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    # A "$5M" in a data label is text, never the start of maths; a label that needs maths
    # opts in with Text(..., parse_math=True).
    "text.parse_math": False,
    "font.size": TEXT_PT,
    "figure.titlesize": TITLE_PT,
    "figure.titleweight": "bold",
    "axes.titlesize": TEXT_PT,
    "axes.titlelocation": "left",
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": TEXT_PT,
    "ytick.labelsize": TEXT_PT,
    "legend.fontsize": TEXT_PT,
    "legend.title_fontsize": TEXT_PT,
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


def category_label(category: str) -> str:
    """The legend label of one of the book's categories, in the current language."""
    from frontierbook.i18n import _

    return _(CATEGORY_STYLE[category][0])


def apply_style() -> None:
    """Set the house style for every chart drawn after this call."""
    _register_fallback_fonts()
    mpl.rcParams.update(RC)


@cache
def _register_fallback_fonts() -> tuple[str, ...]:
    """Make the fallback fonts this machine has known to matplotlib (its font list may
    predate them); return the families found. A missing one is not an error: only a
    character that no font draws is, and the build names the cell that holds it."""
    known = {font.name for font in font_manager.fontManager.ttflist}
    wanted = {name: family for family, names in FALLBACK_FONTS for name in names}
    if not set(wanted.values()) <= known:
        for path in font_manager.findSystemFonts():
            if Path(path).name in wanted and wanted[Path(path).name] not in known:
                font_manager.fontManager.addfont(path)
                known = {font.name for font in font_manager.fontManager.ttflist}
    # A fallback font that is missing is looked up, and found missing, for every text.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return tuple(family for family, _ in FALLBACK_FONTS if family in known)


@cache
def _charmap(family: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    properties = font_manager.FontProperties(family=family)
    path = font_manager.fontManager.findfont(properties, fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


def chart_fonts() -> tuple[str, ...]:
    """The fonts that draw chart text on this machine: DejaVu Sans and the fallbacks found."""
    return (PRIMARY_FONT, *_register_fallback_fonts())


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that none of the chart fonts draws (spaces, controls and
    joiners, which draw nothing, aside)."""
    fonts = chart_fonts()
    return list(
        dict.fromkeys(
            c
            for c in text
            if unicodedata.category(c) not in ("Zs", "Zl", "Zp", "Cc", "Cf")
            and not any(ord(c) in _charmap(family) for family in fonts)
        )
    )


def wrap_to_width(text: str, fig: Figure, fontsize: float) -> str:
    """``text`` broken into lines that fit the figure's width at ``fontsize`` points."""
    # An average DejaVu Sans character is about 0.58 em wide; bold a little more.
    per_line = max(10, int(fig.get_figwidth() * 72 / (0.62 * fontsize)))
    return "\n".join(
        textwrap.fill(part, width=per_line) if part else part for part in text.split("\n")
    )


def title_chart(fig: Figure, title: str) -> None:
    """The takeaway title across the whole figure, from its left edge, wrapped to fit."""
    fig.suptitle(wrap_to_width(title, fig, TITLE_PT), x=0.01, ha="left")


def new_chart(
    title: str,
    xlabel: str,
    ylabel: str,
    figsize: tuple[float, float] | None = None,
    ncols: int = 1,
    nrows: int = 1,
    **subplot_kw,
) -> tuple[Figure, plt.Axes]:
    """A figure with the takeaway title and labelled axes (units in the labels).

    The title spans the figure (not the axes), so long tick labels never push it off the
    right edge. With ``ncols``/``nrows`` the axes come back as an array (small multiples);
    ``xlabel`` goes under the bottom row and ``ylabel`` beside the left column.
    """
    apply_style()
    width, height = figsize or RC["figure.figsize"]
    fig, ax = plt.subplots(
        nrows, ncols, figsize=(width, height), layout="constrained", **subplot_kw
    )
    title_chart(fig, title)
    grid = np.asarray(ax, dtype=object).reshape(nrows, ncols)
    for bottom in grid[-1, :]:
        bottom.set_xlabel(xlabel)
    for left in grid[:, 0]:
        left.set_ylabel(ylabel)
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
    line = wrap_to_width(line, fig, TEXT_PT)
    fig.get_layout_engine().set(h_pad=0.08)
    fig.supxlabel(line, fontsize=TEXT_PT, color=TEXT_GREY, x=0.01, ha="left")
    fig.frontierbook_alt = alt.strip()  # type: ignore[attr-defined]
    fig.frontierbook_source = line  # type: ignore[attr-defined]
    return fig


def svg_bytes(fig: Figure) -> bytes:
    """The chart as deterministic SVG, with its alt text as the SVG description.

    Runs the chart lint first (:mod:`frontierbook.chartlint`): a faulty chart raises and so
    fails the chapter and the book build.
    """
    alt = getattr(fig, "frontierbook_alt", None)
    if alt is None:
        raise ValueError("call finish_chart() first: the chart has no source line or alt text")
    plain_text_ticks(fig)
    check_chart(fig)
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
