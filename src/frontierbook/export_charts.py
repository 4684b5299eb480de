"""The export chapter's three maps of the chips against the rules' lines.

Each takes :func:`frontierbook.export.chip_table`'s frame and the thresholds table, and
returns a finished figure (title, sources, alt text), so the chapter shows it with
:func:`frontierbook.style.show`. Every line and region is read from the thresholds table.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from frontierbook.charts import coincident_points, labelled_scatter
from frontierbook.export import threshold
from frontierbook.i18n import N_, _
from frontierbook.style import PALETTE
from frontierbook.text import number, plain

TPP_LABEL = N_("TPP (TOPS × bit length, log scale)")
_IDENTITY = {"label": "name", "category": "vendor", "flag": "uncertain"}


def _named(chips: pd.DataFrame) -> pd.DataFrame:
    # An asterisk and a hollow marker: no vendor datasheet we could read for this chip.
    uncertain = chips["spec_status"] == "uncertain"
    return chips.assign(
        name=chips["chip"] + uncertain.map({True: "*", False: ""}), uncertain=uncertain
    )


def density_chart(chips: pd.DataFrame, thresholds: pd.DataFrame) -> Figure:
    """TPP against performance density, with the 2023 rule's paragraphs shaded."""
    xlim, ylim = (1000, 60000), (1, 40)
    rules = thresholds[thresholds["rule"] == "2023 rule"]
    fig, ax = labelled_scatter(
        coincident_points(_named(chips), "tpp", "density", **_IDENTITY),
        "tpp",
        "density",
        log="xy",
        title=_("Only the H20 stays outside the 2023 rule's regions"),
        xlabel=_(TPP_LABEL),
        ylabel=_("Performance density (TPP per mm², log scale)"),
        xlim=xlim,
        ylim=ylim,
        figsize=(6.0, 5.4),
        extra_sources=rules["source"],
        offsets={
            "H20*": (0, -14, "center"),
            "H100, H800*, H200": (0, 12, "center"),
            "B200": (0, -13, "center"),
        },
        alt_intro=_(
            "Log-log scatter of TPP against performance density with the 2023 rule's "
            "regions shaded."
        ),
        describe=lambda r: _("{chip}: TPP {tpp}, density {density}").format(
            chip=r["label"], tpp=number(r["tpp"]), density=number(r["density"], 2)
        ),
        alt_note=_(
            "Every chip except the H20 falls in the 3A090.a region; the H20 sits just "
            "below the 3A090.b region."
        ),
    )
    # Opaque pale fills, so overlapping conditions of one paragraph read as one region; every
    # condition except 3A090.a.1 stops at a.1's TPP line, beyond which a.1 covers everything.
    right = rules["tpp_max"].fillna(xlim[1])
    a1_tpp = threshold(thresholds, "r2023-a1", "tpp_min")
    right = right.where(rules["threshold_id"] == "r2023-a1", right.clip(upper=a1_tpp))
    filled = rules.fillna({"tpp_min": xlim[0], "density_min": ylim[0], "density_max": ylim[1]})
    for r, x1 in zip(filled.itertuples(), right, strict=True):
        ax.fill_between(
            [r.tpp_min, x1],
            r.density_min,
            r.density_max,
            lw=0,
            zorder=0.5,
            color={"3A090.a": "#f8ddcf", "3A090.b": "#efe2c2"}[r.paragraph],
        )
    bold = {"fontweight": "bold"}
    red = {"color": PALETTE["vermillion"], **bold}
    ax.text(30000, 1.15, _("3A090.a:\ncontrolled"), ha="center", va="bottom", **red)
    ax.text(1700, 30, _("3A090.a (dense chips)"), va="center", **red)
    ax.text(3300, 4.3, "3A090.b", color="#7a5300", ha="center", va="center", **bold)
    ax.text(1050, 1.25, _("not covered"), color=PALETTE["grey"])
    return fig


def interconnect_chart(chips: pd.DataFrame, thresholds: pd.DataFrame) -> Figure:
    """TPP against chip-to-chip bandwidth, with the 2022 rule's box."""
    tpp_line = threshold(thresholds, "r2022-a", "tpp_min")
    ic_line = threshold(thresholds, "r2022-a", "interconnect_min_gbs")
    fig, ax = labelled_scatter(
        coincident_points(_named(chips), "tpp", "interconnect_gbs", **_IDENTITY),
        "tpp",
        "interconnect_gbs",
        title=_("The A800 and H800 passed the 2022 rule by cutting NVLink alone"),
        xlabel=_(TPP_LABEL),
        ylabel=_("Chip-to-chip bandwidth\n(GB/s, aggregate bidirectional)"),
        xlim=(1000, 60000),
        ylim=(0, 2100),
        extra_sources=["bis2022advanced"],
        offsets={"A100": (-8, 9, "right"), "A800": (-8, 0, "right"), "B200": (-8, 0, "right")},
        alt_intro=_(
            "Scatter of TPP (log scale) against chip-to-chip bandwidth, with the 2022 box from "
            "TPP {tpp} and {bandwidth} GB/s upward."
        ).format(tpp=number(tpp_line), bandwidth=number(ic_line)),
        describe=lambda r: (
            f"{r['label']}: TPP {number(r['tpp'])}, {number(r['interconnect_gbs'])} GB/s"
        ),
        alt_note=_(
            "The A800 and H800 sit below the bandwidth line; the H20 sits left of the TPP line."
        ),
    )
    red = PALETTE["vermillion"]
    ax.fill_between([tpp_line, 60000], ic_line, 2100, color=red, alpha=0.14, lw=0)
    ax.axvline(tpp_line, color=red, ls="--", lw=1.2)
    ax.axhline(ic_line, color=red, ls="--", lw=1.2)
    ax.text(
        58000,
        ic_line + 450,
        _("2022 rule: controlled\n(both conditions)"),
        color=red,
        ha="right",
        va="bottom",
        fontweight="bold",
    )
    return fig


def memory_chart(chips: pd.DataFrame, thresholds: pd.DataFrame) -> Figure:
    """TPP against memory bandwidth, with the 2023 rule's TPP line."""
    by_id = chips.set_index("chip_id")
    h100_over_h20 = by_id.at["h100", "tpp"] / by_id.at["h20", "tpp"]
    a1_tpp = threshold(thresholds, "r2023-a1", "tpp_min")
    fig, ax = labelled_scatter(
        coincident_points(_named(chips), "tpp", "memory_bw_tbs", **_IDENTITY),
        "tpp",
        "memory_bw_tbs",
        title=_("H20: more memory bandwidth than the H100, 1/{ratio} of its compute").format(
            ratio=number(h100_over_h20, 1)
        ),
        xlabel=_(TPP_LABEL),
        ylabel=_("Memory bandwidth (TB/s)"),
        xlim=(1000, 60000),
        ylim=(0, 9),
        extra_sources=[thresholds.set_index("threshold_id").at["r2023-a1", "source"]],
        offsets={
            "H20*": (0, 13, "center"),
            "H100, H800*": (8, -2, "left"),
            "B200": (-8, 0, "right"),
            "Ascend 910C*": (-8, -4, "right"),
        },
        alt_intro=_("Scatter of TPP (log scale) against memory bandwidth."),
        describe=lambda r: (
            f"{r['label']}: TPP {number(r['tpp'])}, {plain(r['memory_bw_tbs'])} TB/s"
        ),
        alt_note=_("The H20 sits far left of the other Nvidia chips but above the H100 and H800."),
    )
    red = PALETTE["vermillion"]
    ax.axvline(a1_tpp, color=red, ls="--", lw=1.2)
    rule = _("2023 rule:\nTPP ≥ {tpp}").format(tpp=number(a1_tpp))
    ax.text(a1_tpp * 1.04, 8.6, rule, color=red, va="top")
    return fig
