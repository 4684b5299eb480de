"""The chart lint: faults a reader would see, found on the drawn figure before it is saved.

:func:`frontierbook.style.svg_bytes` runs :func:`check_chart` on every chart, so a fault
fails the chapter's execution and therefore the book build. Each rule is a function that
returns human-readable problems; :func:`check_chart` raises :class:`ChartLintError` naming
the chapter (from the build's ``FRONTIERBOOK_DOC``) and the chart (its title).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from frontierbook.reads import DOC_ENV
from frontierbook.ticks import plain_text_ticks

# The column a chart is shown in on a 390 px phone (measured: the page keeps 24 px margins).
PHONE_COLUMN_PX = 342
# Smallest legible chart text on that phone, in CSS px.
MIN_PHONE_TEXT_PX = 9.0
# Overlaps smaller than this (display px, both ways) are anti-aliasing, not a fault.
TOLERANCE_PX = 1.0


# Set to "off" only by the test that injects markup into every text cell
# (tests/test_site_safety.py): its labels are attacks, not layout.
LINT_SWITCH = "FRONTIERBOOK_CHART_LINT"


class ChartLintError(ValueError):
    """A chart that would mislead or be unreadable; the message lists every problem."""


def _texts(fig: Figure) -> list[Text]:
    hidden = _undrawn_tick_labels(fig)
    found = fig.findobj(lambda a: isinstance(a, Text) and a.get_visible() and a.get_text().strip())
    return [t for t in found if id(t) not in hidden]


def _undrawn_tick_labels(fig: Figure) -> set[int]:
    """Tick labels that matplotlib keeps but does not draw, because they are out of view."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = 1e-9 * ((hi - lo) or 1.0)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                in_view = lo - slack <= tick.get_loc() <= hi + slack
                if not (axis.get_visible() and tick.get_visible() and in_view):
                    hidden.update({id(tick.label1), id(tick.label2)})
    return hidden


def _extent(text: Text, renderer) -> Bbox:
    # The text alone: an annotation's own extent also covers its leader line.
    return Text.get_window_extent(text, renderer)


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (
        min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE_PX
        and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE_PX
    )


def _quote(text: Text) -> str:
    s = " ".join(text.get_text().split())
    return f'"{s[:60]}…"' if len(s) > 60 else f'"{s}"'


def text_outside_figure(fig: Figure, renderer) -> list[str]:
    frame = fig.bbox
    problems = []
    for text in _texts(fig):
        box = _extent(text, renderer)
        if (
            box.x0 < frame.x0 - TOLERANCE_PX
            or box.y0 < frame.y0 - TOLERANCE_PX
            or box.x1 > frame.x1 + TOLERANCE_PX
            or box.y1 > frame.y1 + TOLERANCE_PX
        ):
            problems.append(f"text {_quote(text)} runs outside the figure")
    return problems


def overlapping_text(fig: Figure, renderer) -> list[str]:
    texts = _texts(fig)
    boxes = [_extent(t, renderer) for t in texts]
    problems = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if _overlap(boxes[i], boxes[j]):
                problems.append(f"text {_quote(texts[i])} overlaps {_quote(texts[j])}")
    return problems


def _marker_style(line: Line2D) -> tuple[str, str, str] | None:
    marker = line.get_marker()
    if marker in (None, "", " ", "None", "none"):
        return None
    colour = mcolors.to_hex(line.get_color())
    face = line.get_markerfacecolor()
    fill = "hollow" if face in ("none", "None") or mcolors.to_hex(face) == "#ffffff" else "filled"
    return (str(marker), colour, fill)


def _legends(fig: Figure, ax) -> list[Legend]:
    own = [ax.get_legend()] if ax.get_legend() is not None else []
    return own + list(fig.legends)


def category_missing_from_legend(fig: Figure, renderer) -> list[str]:
    """Each plotted (marker, colour) must be in a legend; a hollow marker needs a hollow key.

    Fill is one cue shared by every category ("hollow = derived"), so one hollow legend key
    explains it for all of them.
    """
    problems = []
    for ax in fig.axes:
        legends = _legends(fig, ax)
        if not legends:
            continue
        keys = {
            s
            for legend in legends
            for handle in legend.legend_handles
            if isinstance(handle, Line2D)
            for s in [_marker_style(handle)]
            if s
        }
        plotted = {
            s
            for line in ax.get_lines()
            if len(line.get_xdata()) and line.get_visible()
            for s in [_marker_style(line)]
            if s
        }
        in_legend = {(marker, colour) for marker, colour, _ in keys}
        for marker, colour, fill in sorted(plotted):
            if (marker, colour) not in in_legend:
                problems.append(
                    f"a '{marker}' marker in {colour} is plotted but missing from the legend"
                )
            elif fill == "hollow" and not any(f == "hollow" for _, _, f in keys):
                problems.append("hollow markers are plotted but the legend does not explain them")
    return list(dict.fromkeys(problems))


def _segments_cross(box: Bbox, points: np.ndarray) -> bool:
    inner = Bbox.from_extents(
        box.x0 + TOLERANCE_PX, box.y0 + TOLERANCE_PX, box.x1 - TOLERANCE_PX, box.y1 - TOLERANCE_PX
    )
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=False):
        if not (np.isfinite([x0, y0, x1, y1]).all()):
            continue
        steps = max(2, int(math.hypot(x1 - x0, y1 - y0) / 2))
        xs = np.linspace(x0, x1, steps)
        ys = np.linspace(y0, y1, steps)
        if np.any((xs > inner.x0) & (xs < inner.x1) & (ys > inner.y0) & (ys < inner.y1)):
            return True
    return False


def legend_overlapped_by_data(fig: Figure, renderer) -> list[str]:
    problems = []
    for ax in fig.axes:
        for legend in _legends(fig, ax):
            problems.extend(_legend_over_data(ax, legend, renderer))
    return problems


def _inside(box: Bbox, points: np.ndarray) -> bool:
    return bool(
        np.any(
            (points[:, 0] > box.x0)
            & (points[:, 0] < box.x1)
            & (points[:, 1] > box.y0)
            & (points[:, 1] < box.y1)
        )
    )


def _legend_over_data(ax, legend: Legend, renderer) -> list[str]:
    legend_box = legend.get_window_extent(renderer)
    # Data is clipped to the axes: only the part of the legend inside them can be covered.
    box = Bbox.intersection(legend_box, ax.bbox)
    if box is None or box.width <= TOLERANCE_PX or box.height <= TOLERANCE_PX:
        return []
    problems = []
    for line in ax.get_lines():
        if not line.get_visible() or not len(line.get_xdata()):
            continue
        points = line.get_transform().transform(line.get_xydata())
        crosses = line.get_linestyle() not in ("None", "none", "") and _segments_cross(box, points)
        if crosses or (_marker_style(line) and _inside(box, points)):
            name = line.get_label()
            problems.append(
                "the legend is drawn over data"
                + (f" ({name})" if name and not name.startswith("_") else "")
            )
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        offsets = collection.get_offsets()
        if len(offsets) and not isinstance(collection, PolyCollection):
            if _inside(box, collection.get_offset_transform().transform(offsets)):
                problems.append("the legend is drawn over plotted points")
        for path in collection.get_paths() if isinstance(collection, PolyCollection) else []:
            shape = path.transformed(collection.get_transform()).get_extents()
            if _overlap(box, shape) and path.intersects_bbox(
                collection.get_transform().inverted().transform_bbox(box), filled=True
            ):
                problems.append("the legend is drawn over a shaded area")
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible():
            if _overlap(box, patch.get_window_extent(renderer)):
                problems.append("the legend is drawn over a bar")
    return list(dict.fromkeys(problems))


def log_axis_beyond_data(fig: Figure, renderer) -> list[str]:
    problems = []
    for ax in fig.axes:
        for name, scale, view, data in (
            ("x", ax.get_xscale(), ax.get_xlim(), ax.dataLim.intervalx),
            ("y", ax.get_yscale(), ax.get_ylim(), ax.dataLim.intervaly),
        ):
            if scale != "log":
                continue
            lo, hi = sorted(view)
            dlo, dhi = sorted(data)
            if not (dlo > 0 and np.isfinite([dlo, dhi]).all()):
                continue
            below, above = math.log10(dlo / lo), math.log10(hi / dhi)
            if below > 1 + 1e-9 or above > 1 + 1e-9:
                problems.append(
                    f"the log {name} axis runs {max(below, above):.1f} decades beyond the data "
                    f"({lo:.3g} to {hi:.3g} for data from {dlo:.3g} to {dhi:.3g})"
                )
    return problems


def duplicated_source(fig: Figure, renderer) -> list[str]:
    line = getattr(fig, "frontierbook_source", "") or ""
    head = line.split(". ")[0]
    if ": " not in head:
        return []
    names = [n.strip() for n in " ".join(head.split(": ", 1)[1].split()).split(";")]
    seen, problems = set(), []
    for name in names:
        if name in seen:
            problems.append(f'the source line names "{name}" twice')
        seen.add(name)
    return problems


def nested_brackets(fig: Figure, renderer) -> list[str]:
    problems = []
    pairs = {"(": ")", "[": "]", "{": "}"}
    for text in _texts(fig):
        depth = 0
        for ch in text.get_text():
            if ch in pairs:
                depth += 1
                if depth > 1:
                    problems.append(f"text {_quote(text)} nests brackets")
                    break
            elif ch in pairs.values():
                depth = max(0, depth - 1)
    return problems


def text_too_small_on_phone(fig: Figure, renderer) -> list[str]:
    # The SVG is sized in points; the page scales it to the column width.
    scale = PHONE_COLUMN_PX / (fig.get_figwidth() * 72)
    problems = []
    for text in _texts(fig):
        px = text.get_fontsize() * scale
        if px < MIN_PHONE_TEXT_PX - 1e-6:
            problems.append(
                f"text {_quote(text)} is {px:.1f} px on a phone (minimum {MIN_PHONE_TEXT_PX:g})"
            )
    return problems


RULES: dict[str, Callable[[Figure, object], list[str]]] = {
    "text outside the figure": text_outside_figure,
    "overlapping text": overlapping_text,
    "category missing from the legend": category_missing_from_legend,
    "legend overlapped by data": legend_overlapped_by_data,
    "log axis beyond the data": log_axis_beyond_data,
    "duplicated source": duplicated_source,
    "nested brackets": nested_brackets,
    "text too small on a phone": text_too_small_on_phone,
}


def chart_problems(fig: Figure) -> list[str]:
    """Every problem found in ``fig``, as it will be saved (plain-text ticks, layout done)."""
    plain_text_ticks(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems: list[str] = []
    for rule in RULES.values():
        problems.extend(rule(fig, renderer))
    return list(dict.fromkeys(problems))


def chart_name(fig: Figure) -> str:
    titles = [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    title = next((t for t in [suptitle, *titles] if t.strip()), "untitled chart")
    return " ".join(title.split())


def check_chart(fig: Figure) -> None:
    """Raise :class:`ChartLintError` if ``fig`` has any problem, naming chapter and chart."""
    if os.environ.get(LINT_SWITCH) == "off":
        return
    problems = chart_problems(fig)
    if problems:
        chapter = os.environ.get(DOC_ENV, "this notebook")
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ChartLintError(
            f'{chapter}: chart "{chart_name(fig)}" fails the chart lint:\n{listed}'
        )
