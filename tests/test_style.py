"""The chart house style: deterministic SVG, alt text, source lines, safe colours."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest

from frontierbook.citations import short_citation, source_line
from frontierbook.style import CYCLE, PALETTE, finish_chart, new_chart, spread_labels, svg_bytes
from sitebuilder.pages import svg_alt_text


def _chart(values: list[float]):
    fig, ax = new_chart("Takeaway title", "Year", "Cost (US$)")
    ax.plot(range(len(values)), values)
    return finish_chart(fig, ["deepseek2024v3", "deepseek2024v3"], alt="A rising line.")


def test_same_data_gives_byte_identical_svg() -> None:
    assert svg_bytes(_chart([1, 2, 3])) == svg_bytes(_chart([1, 2, 3]))


def test_different_data_gives_different_svg() -> None:
    assert svg_bytes(_chart([1, 2, 3])) != svg_bytes(_chart([1, 2, 4]))


def test_svg_has_no_date_and_carries_alt_text() -> None:
    svg = svg_bytes(_chart([1, 2, 3]))
    assert b"<dc:date>" not in svg
    assert svg_alt_text(svg) == "A rising line."


def test_chart_without_alt_text_is_refused() -> None:
    fig, _ = new_chart("t", "x", "y")
    with pytest.raises(ValueError, match="alt text"):
        finish_chart(fig, ["deepseek2024v3"], alt=" ")


def test_unfinished_chart_cannot_be_exported() -> None:
    fig, _ = new_chart("t", "x", "y")
    with pytest.raises(ValueError, match="finish_chart"):
        svg_bytes(fig)


def test_source_line_lists_distinct_sources_in_order() -> None:
    line = source_line(["deepseek2024v3", "semianalysis2025debates", "deepseek2024v3"])
    assert line == "Sources: DeepSeek-AI 2024; SemiAnalysis 2025a"
    assert source_line(["amodei2025deepseek"]) == "Source: Amodei 2025"


def test_source_line_rejects_unknown_keys_and_no_sources() -> None:
    with pytest.raises(KeyError):
        short_citation("nosuchkey2099")
    with pytest.raises(ValueError):
        source_line([])


def test_source_line_is_drawn_under_the_chart() -> None:
    fig = _chart([1, 2])
    assert fig._supxlabel.get_text().startswith("Source: DeepSeek-AI 2024")


def test_palette_colours_are_distinct_and_readable_on_white() -> None:
    def luminance(hex_colour: str) -> float:
        channels = []
        for c in mcolors.to_rgb(hex_colour):
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert len(set(CYCLE)) == len(CYCLE)
    for colour in PALETTE.values():
        contrast = 1.05 / (luminance(colour) + 0.05)
        # WCAG 1.4.11: graphical objects need 3:1 against their background.
        assert contrast >= 3.0, colour


def test_spread_labels_keeps_order_gap_and_bounds() -> None:
    placed = spread_labels([0, 0.1, 0.2, 5, 9.9, 10], min_gap=1, lo=0, hi=10)
    assert all(b - a >= 1 - 1e-9 for a, b in zip(placed, placed[1:], strict=False))
    assert placed[0] >= 0 and placed[-1] <= 10


def test_spread_labels_spreads_a_crowd_evenly_about_its_points() -> None:
    # Least squares: three labels on one point sit one above, one on, one below it.
    assert spread_labels([5, 5, 5], min_gap=1, lo=0, hi=10) == [4, 5, 6]
    # One gap per neighbouring pair (labels of different heights), and the bounds hold.
    assert spread_labels([0, 0, 0], min_gap=[1, 2], lo=0, hi=10) == [0, 1, 3]
    assert spread_labels([10, 10], min_gap=3, lo=0, hi=10) == [7, 10]
    # Labels already apart stay on their points.
    assert spread_labels([1, 4, 9], min_gap=2) == [1, 4, 9]


def test_charts_are_drawn_on_white_in_both_colour_themes() -> None:
    """The site follows the reader's dark mode; a chart keeps its own white ground, so its
    dark text and lines stay legible on a dark page."""
    fig, ax = new_chart("A title", "x", "y")
    ax.plot([0, 1], [0, 1])
    finish_chart(fig, ["deepseek2024v3"], alt="A line.")
    svg = svg_bytes(fig).decode()
    first_shape = svg[svg.index("<path") : svg.index(">", svg.index("<path"))]
    assert 'd="M 0 ' in first_shape and "fill: #ffffff" in first_shape
