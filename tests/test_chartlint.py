"""The chart lint: each rule catches a deliberately broken figure and passes a sound one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from frontierbook.chartlint import ChartLintError, chart_problems, check_chart
from frontierbook.reads import DOC_ENV
from frontierbook.style import finish_chart, new_chart, svg_bytes


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sound_chart(title: str = "Costs rose tenfold"):
    fig, ax = new_chart(title, "Year", "Cost (US$, log scale)")
    ax.plot([2020, 2024], [1e6, 1e7], marker="o", label="runs")
    ax.set_yscale("log")
    ax.set_ylim(5e5, 2e7)
    ax.legend(loc="upper left")
    return finish_chart(fig, ["deepseek2024v3"], alt="Two points."), ax


def _rules(fig) -> str:
    return "\n".join(chart_problems(fig))


def test_a_sound_chart_passes() -> None:
    fig, _ = _sound_chart()
    assert chart_problems(fig) == []
    svg_bytes(fig)


def test_text_outside_the_figure() -> None:
    fig, ax = _sound_chart()
    fig.text(0.8, 0.5, "a note that runs off the right edge of the chart", fontsize=11)
    assert "runs outside the figure" in _rules(fig)


def test_overlapping_text() -> None:
    fig, ax = _sound_chart()
    ax.text(2021, 3e6, "first label", fontsize=11)
    ax.text(2021, 3e6, "second label", fontsize=11)
    assert 'text "first label" overlaps "second label"' in _rules(fig)


def test_plotted_category_missing_from_the_legend() -> None:
    fig, ax = _sound_chart()
    ax.plot([2022], [2e6], marker="D", color="#B07800", linestyle="none")  # no label
    ax.legend(loc="upper left")
    assert "'D' marker in #b07800 is plotted but missing from the legend" in _rules(fig)


def test_legend_overlapped_by_data() -> None:
    fig, ax = _sound_chart()
    ax.axhline(1.5e7, color="black")  # runs through the upper-left legend
    assert "the legend is drawn over data" in _rules(fig)


def test_log_axis_more_than_a_decade_beyond_the_data() -> None:
    fig, ax = _sound_chart()
    ax.set_ylim(5e5, 1e9)
    assert "the log y axis runs 2.0 decades beyond the data" in _rules(fig)


def test_duplicated_source() -> None:
    fig, _ = _sound_chart()
    fig.frontierbook_source = "Sources: Meta 2024; Meta 2024"
    assert 'the source line names "Meta 2024" twice' in _rules(fig)


def test_two_keys_that_would_cite_alike_are_refused(tmp_path) -> None:
    from frontierbook.citations import source_line
    from frontierbook.inputs import InputError

    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{a, author = {Meta}, title = {One}, year = {2024}, tier = {primary}}\n"
        "@misc{b, author = {Meta}, title = {Two}, year = {2024}, tier = {primary}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"2 works are labelled 'Meta 2024'.*'a'.*'b'"):
        source_line(["a", "b"], bib_path=bib)
    bib.write_text(
        "@misc{a, author = {Meta}, title = {One}, year = {2024}, tier = {primary}}\n",
        encoding="utf-8",
    )
    assert source_line(["a", "a"], bib_path=bib) == "Source: Meta 2024"


def test_two_works_the_book_disambiguates_give_two_sources() -> None:
    fig, ax = new_chart("Two Meta documents", "x", "y")
    ax.plot([0, 1], [0, 1])
    finish_chart(fig, ["meta2024llama3", "meta2024llama31card"], alt="A line.")
    assert fig.frontierbook_source in (
        "Sources: Meta 2024b; Meta 2024a",
        "Sources: Meta 2024a; Meta 2024b",
    )
    assert chart_problems(fig) == []


def test_nested_brackets() -> None:
    fig, ax = _sound_chart()
    ax.text(2020.5, 2e6, "$5M (This book (assumed))", fontsize=11)
    assert "nests brackets" in _rules(fig)


def test_text_too_small_on_a_phone() -> None:
    fig, ax = _sound_chart()
    ax.text(2021, 1.5e6, "tiny", fontsize=8)
    assert 'text "tiny" is 6.3 px on a phone' in _rules(fig)


def test_dollar_signs_are_text_not_maths() -> None:
    fig, ax = _sound_chart("The model costs $4.6M to $201M here")
    fig.canvas.draw()
    title = fig.get_suptitle()
    assert title == "The model costs $4.6M to $201M here"
    svg = svg_bytes(fig).decode()
    assert "$4.6M to $201M" in svg


def test_log_ticks_are_plain_text() -> None:
    fig, _ = _sound_chart()
    svg = svg_bytes(fig).decode()
    assert "10⁷" in svg and "mathdefault" not in svg


def test_failure_names_the_chapter_and_the_chart(monkeypatch) -> None:
    monkeypatch.setenv(DOC_ENV, "chapters/02_cost")
    fig, ax = _sound_chart("The fleet cost more")
    ax.set_ylim(5e5, 1e9)
    with pytest.raises(ChartLintError, match=r'chapters/02_cost: chart "The fleet cost more"'):
        check_chart(fig)
    with pytest.raises(ChartLintError):
        svg_bytes(fig)
