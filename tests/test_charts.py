"""The shared chart shapes, each on a small DataFrame: legend entries, alt text, source line."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from frontierbook.chartlint import chart_problems
from frontierbook.charts import (
    coincident_points,
    labelled_points,
    labelled_ranking,
    range_strip,
    range_text,
    ranking_grid,
    source_keys,
)
from frontierbook.style import new_chart
from frontierbook.text import usd
from frontierbook.timeline import timeline_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend_labels(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


LEDGER = pd.DataFrame(
    {
        "item": ["Final run", "Staff", "Cluster"],
        "component": ["final_run", "staff", "hardware"],
        "low_usd": [5.6e6, 4.5e6, 5e8],
        "high_usd": [5.6e6, 2.7e7, np.nan],
        "kind": ["reported", "derived", "estimate"],
        "whose": ["DeepSeek", "This book (assumed)", "SemiAnalysis"],
        "source": ["deepseek2024v3", "cottier2024rising", "semianalysis2025debates"],
    }
)


def test_range_text_covers_point_range_and_open_end() -> None:
    assert range_text(5e6, 5e6, usd) == "$5M"
    assert range_text(5e6, 2e7, usd) == "$5M–$20M"
    assert range_text(5e6, None, usd) == "more than $5M"


def test_range_strip_legend_alt_and_sources_come_from_the_rows() -> None:
    fig = range_strip(
        LEDGER,
        label="item",
        low="low_usd",
        high="high_usd",
        category="component",
        note="whose",
        title="The fleet costs more",
        xlabel="US$ (log scale)",
        fmt=usd,
        reference=(5.6e6, "the headline"),
    )
    legend = _legend_labels(fig)
    # Only the categories drawn, plus the cues actually used.
    assert legend == [
        "Final training run",
        "Staff",
        "Hardware",
        "hollow: derived in this book",
        "arrow: more than",
        "the headline",
    ]
    alt = fig.frontierbook_alt
    assert "Final run: $5.6M — DeepSeek" in alt
    assert "Staff: $4.5M–$27M — This book (assumed)" in alt
    assert "Cluster: more than $500M — SemiAnalysis" in alt
    assert alt.endswith("A dashed line marks the headline.")
    assert (
        " ".join(fig.frontierbook_source.split())
        == "Sources: DeepSeek-AI 2024; Cottier et al. 2024; SemiAnalysis 2025a"
    )
    assert chart_problems(fig) == []


def test_range_strip_without_derived_rows_or_open_ends_has_no_such_legend_keys() -> None:
    rows = LEDGER.iloc[[0]].assign(high_usd=6e6)
    fig = range_strip(
        rows,
        label="item",
        low="low_usd",
        high="high_usd",
        category="component",
        title="One run",
        xlabel="US$ (log scale)",
        fmt=usd,
    )
    assert _legend_labels(fig) == ["Final training run"]
    assert fig.frontierbook_source == "Source: DeepSeek-AI 2024"


def test_range_strip_log_axis_stays_within_a_decade_of_the_data() -> None:
    fig = range_strip(
        LEDGER,
        label="item",
        low="low_usd",
        high="high_usd",
        category="component",
        title="t",
        xlabel="US$ (log scale)",
        fmt=usd,
    )
    lo, hi = fig.axes[0].get_xlim()
    assert 4.5e6 / 10 < lo < 4.5e6 and 1.5e9 < hi < 1.5e10


def test_labelled_ranking_sorts_labels_and_describes_every_bar() -> None:
    rows = pd.DataFrame(
        {"model": ["A", "B", "C"], "score": [10.0, 90.0, 50.0], "source": ["deepseek2025r1"] * 3}
    )
    fig = labelled_ranking(
        rows,
        label="model",
        value="score",
        title="B leads",
        xlabel="Score (%)",
        fmt=lambda v: f"{v:.0f}%",
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "C", "A"]
    assert fig.frontierbook_alt == "Horizontal bars, Score (%): B 90%; C 50%; A 10%."
    assert fig.frontierbook_source == "Source: DeepSeek-AI 2025a"
    assert ax.get_legend() is None  # one colour: nothing to explain
    assert chart_problems(fig) == []


def test_ranking_grid_has_one_panel_per_group() -> None:
    rows = pd.DataFrame(
        {
            "bench": ["X", "X", "Y", "Y"],
            "model": ["A", "B", "A", "B"],
            "score": [1.0, 2.0, 4.0, 3.0],
            "source": ["deepseek2025r1"] * 4,
        }
    )
    fig = ranking_grid(
        rows,
        panel="bench",
        label="model",
        value="score",
        title="Two benchmarks",
        xlabel="Score",
        fmt=lambda v: f"{v:g}",
    )
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["X", "Y"]
    assert "X: B 2, A 1. Y: A 4, B 3." in fig.frontierbook_alt
    assert chart_problems(fig) == []


def test_coincident_points_join_labels_and_flag_only_if_all_flagged() -> None:
    chips = pd.DataFrame(
        {
            "name": ["H100", "H200", "H20*", "X"],
            "vendor": ["NVIDIA", "NVIDIA", "NVIDIA", "Huawei"],
            "tpp": [16000, 16000, 2400, np.nan],
            "bw": [3.4, 3.4, 4.0, 1.0],
            "uncertain": [False, True, True, True],
        }
    )
    points = coincident_points(
        chips, "tpp", "bw", label="name", category="vendor", flag="uncertain"
    )
    assert points["label"].tolist() == ["H100, H200", "H20*"]
    assert points["flag"].tolist() == [False, True]
    fig, ax = new_chart("t", "TPP", "TB/s")
    labelled_points(ax, points, "tpp", "bw")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["NVIDIA", "NVIDIA (values uncertain)"]


def test_source_keys_split_cells_naming_several() -> None:
    assert source_keys(["a; b", "c", "a"]) == ["a", "b", "c", "a"]


def test_timeline_chart_lists_labelled_events_and_explains_hollow_markers() -> None:
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "date": pd.to_datetime(["2024-12-26", "2025-01-20", "2025-01-27"]),
            "date_precision": ["day", "day", "month"],
            "title": ["V3 released", "R1 released", "Shares fall"],
            "category": ["deepseek", "deepseek", "market"],
            "as_reported": [False, False, True],
            "source": ["deepseek2024v3", "deepseek2024v3", "amodei2025deepseek"],
        }
    )
    fig = timeline_chart(events, title="A month")
    assert _legend_labels(fig) == [
        "DeepSeek",
        "Markets",
        "hollow: press reports only",
    ]
    assert (
        "26 Dec 2024, V3 released; 20 Jan 2025, R1 released; Jan 2025, Shares fall (as reported)."
        in (fig.frontierbook_alt)
    )
    assert fig.frontierbook_source == "Sources: DeepSeek-AI 2024; Amodei 2025"
    assert chart_problems(fig) == []


def _spread_events(count: int) -> pd.DataFrame:
    """Events bunched like the book's: a few over two years, then many in a few months."""
    dates = list(pd.date_range("2023-01-01", periods=4, freq="180D"))
    dates += list(pd.date_range("2025-01-01", periods=count - 4, freq="12D"))
    return pd.DataFrame(
        {
            "event_id": [f"e{i:02d}" for i in range(count)],
            "date": dates,
            "date_precision": ["day"] * count,
            "title": [f"Event number {i} with a title long enough to wrap" for i in range(count)],
            "category": ["policy"] * count,
            "as_reported": [False] * count,
            "source": ["deepseek2024v3"] * count,
        }
    )


def test_timeline_labels_sit_near_their_markers_and_the_shade_stays_off_them() -> None:
    import matplotlib.dates as mdates

    events = _spread_events(16)
    window = (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01"))
    fig = timeline_chart(events, title="Bunched", shade=window)
    ax = fig.axes[0]
    fig.canvas.draw()
    labels = [t for t in ax.texts if t.get_text()[:1].isdigit()]
    assert len(labels) == len(events)
    # How far each label sits from its marker, in points of the page.
    points_per_day = (
        ax.get_window_extent().height * 72 / fig.dpi / abs(ax.get_ylim()[0] - ax.get_ylim()[1])
    )
    marker_days = sorted(mdates.date2num(events["date"]))
    offsets = [
        abs(label.get_position()[1] - day) * points_per_day
        for label, day in zip(
            sorted(labels, key=lambda t: t.get_position()[1]), marker_days, strict=True
        )
    ]
    # The first, lonely events are level with their markers. The bunch spreads about its
    # markers instead of being pushed all one way: labels pushed along by their neighbours
    # and pulled back from the bottom sat up to 377 points (mean 162) from their markers.
    assert max(offsets[:3]) < 1
    assert max(offsets) < 250, offsets
    assert sum(offsets) / len(offsets) < 100, offsets
    # The band of shaded dates covers the event line, and stops before the labels start.
    (band,) = [p for p in ax.patches if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    right_edge = band.get_path().transformed(band.get_transform()).get_extents().x1
    first_label = min(t.get_window_extent().x0 for t in labels)
    assert right_edge < first_label
    assert chart_problems(fig) == []


def test_gallery_shows_each_chart_twice_with_escaped_alt_text(tmp_path) -> None:
    from sitebuilder.gallery import write_gallery

    site = tmp_path / "html"
    (site / "chapters").mkdir(parents=True)
    (site / "_images").mkdir()
    (site / "index.html").write_text("<html></html>")
    (site / "_images" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (site / "chapters" / "one.html").write_text(
        '<figure id="fig-a"><img alt="Bars &lt;script&gt;x&lt;/script&gt;" '
        'src="../_images/a.svg"><figcaption><span class="caption-number">Figure 1 </span>'
        '<span class="caption-text">Costs</span></figcaption></figure>'
        '<figure><img src="../_images/photo.png"></figure>'
    )
    out = tmp_path / "gallery"
    assert write_gallery(site, out, ["chapters/one"]) == 1
    page = (out / "index.html").read_text()
    assert page.count('src="charts/01-a.svg"') == 2
    assert "Bars &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert (out / "charts" / "01-a.svg").is_file()
    assert not (site / "gallery").exists()


def test_labelled_scatter_legend_alt_and_sources() -> None:
    from frontierbook.charts import labelled_scatter

    chips = pd.DataFrame(
        {
            "name": ["H100", "H20*", "910C*"],
            "vendor": ["NVIDIA", "NVIDIA", "Huawei"],
            "tpp": [16000.0, 2400.0, 12800.0],
            "bw": [3.4, 4.0, 6.0],
            "uncertain": [False, True, True],
            "source": ["nvidia2022h100", "semianalysis2025debates", "semianalysis2025debates"],
        }
    )
    points = coincident_points(
        chips, "tpp", "bw", label="name", category="vendor", flag="uncertain"
    )
    fig, ax = labelled_scatter(
        points,
        "tpp",
        "bw",
        title="H20 has more bandwidth",
        xlabel="TPP (log scale)",
        ylabel="TB/s",
        describe=lambda r: f"{r['label']} {r['bw']:g} TB/s",
        alt_intro="Scatter.",
        alt_note="A rule line at 4,800.",
        xlim=(1000, 60000),
        ylim=(0, 9),
        extra_sources=["bis2023advanced"],
    )
    assert _legend_labels(fig) == [
        "NVIDIA",
        "NVIDIA (values uncertain)",
        "Huawei (values uncertain)",
    ]
    assert (
        fig.frontierbook_alt
        == "Scatter. H100 3.4 TB/s; H20* 4 TB/s; 910C* 6 TB/s. A rule line at 4,800."
    )
    assert (
        " ".join(fig.frontierbook_source.split())
        == "Sources: NVIDIA 2022; SemiAnalysis 2025a; BIS 2023"
    )
    assert ax.get_xscale() == "log"
    assert chart_problems(fig) == []


def test_dated_scatter_joins_estimates_of_one_run_and_lists_them() -> None:
    from frontierbook.charts import dated_scatter

    rows = pd.DataFrame(
        {
            "model": ["GPT-4", "GPT-4", "V3"],
            "method": ["amortised", "cloud", "amortised"],
            "value": [4e7, 8e7, 5.6e6],
            "date": pd.to_datetime(["2023-03-14", "2023-03-14", "2024-12-26"]),
            "source": ["epoch2025costtrends", "epoch2025costtrends", "deepseek2024v3"],
        }
    )
    fig, ax = dated_scatter(
        rows,
        date="date",
        value="value",
        category="method",
        label="model",
        fmt=usd,
        title="Runs",
        ylabel="US$ (log scale)",
        names={"amortised": "Amortised", "cloud": "Cloud"},
        alt_intro="Costs by date:",
        alt_note="Note.",
    )
    assert _legend_labels(fig) == ["Amortised", "Cloud"]
    assert fig.frontierbook_alt == (
        "Costs by date: GPT-4 (Mar 2023): Amortised $40M, Cloud $80M; "
        "V3 (Dec 2024): Amortised $5.6M. Note."
    )
    joins = [line for line in ax.get_lines() if line.get_marker() in ("None", None, "")]
    assert len(joins) == 1  # one line joins GPT-4's two estimates
    assert [t.get_text() for t in ax.texts] == ["GPT-4", "V3"]
