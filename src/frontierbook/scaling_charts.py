"""The scaling chapter's charts, each drawn from the tables and the chapter's assumptions.

Every function returns a finished figure (title, sources, alt text); the chapter shows it
with :func:`frontierbook.style.show`.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from frontierbook import scaling
from frontierbook.charts import dated_scatter, label_along, legend_above
from frontierbook.i18n import _
from frontierbook.style import PALETTE, finish_chart, new_chart
from frontierbook.text import (
    Text,
    billions,
    month_year,
    number,
    percent,
    plain,
    sci,
    trillions,
    usd,
)


def position(band: scaling.OnTrendBand, cost: float) -> Text:
    """Where ``cost`` lies against the band: 'inside', 'below' or 'above' (in the current
    language), carrying the English word as its value (see :func:`frontierbook.text.standing`)."""
    if band.contains(cost):
        return Text(_("inside"), "inside")
    return Text(_("below"), "below") if cost < band.cost_low else Text(_("above"), "above")


def amodei_chart(illustration: pd.DataFrame) -> Figure:
    """Amodei's hypothetical scaling line, and the same line with a 2× compute multiplier."""
    base = illustration[illustration["compute_multiplier"] == 1]
    shifted = illustration[illustration["compute_multiplier"] == 2]
    spend = np.logspace(5.5, 8.5, 50)
    fig, ax = new_chart(
        _("Illustration only: +{points} points for every 10× of spend").format(
            points=plain(scaling.AMODEI_POINTS_PER_DECADE)
        ),
        xlabel=_("Training spend (US dollars, log scale)"),
        ylabel=_("Coding tasks solved (%)"),
    )
    for points, multiplier, colour, ls, marker, name in (
        (base, 1, PALETTE["blue"], "-", "o", _("Amodei's illustration")),
        (shifted, 2, PALETTE["vermillion"], "--", "s", _("With a 2× compute multiplier")),
    ):
        scores = [scaling.amodei_score(s, multiplier) for s in spend]
        ax.plot(spend, scores, color=colour, ls=ls, lw=2, marker=marker, markevery=[], label=name)
        ax.plot(points["spend_usd"], points["share_of_tasks_pct"], marker, color=colour)
    for r in base.itertuples():
        ax.annotate(
            f"{usd(r.spend_usd)} → {percent(r.share_of_tasks_pct / 100)}",
            (r.spend_usd, r.share_of_tasks_pct),
            xytext=(8, -16),
            textcoords="offset points",
            color=PALETTE["blue"],
        )
    ax.set(xscale="log", xlim=(spend[0], spend[-1]), ylim=(0, 80))
    ax.set_xticks([1e6, 1e7, 1e8], [usd(v) for v in (1e6, 1e7, 1e8)])
    note = _("ILLUSTRATION, NOT DATA")
    ax.text(0.99, 0.04, note, transform=ax.transAxes, ha="right", color=PALETTE["grey"])
    legend_above(ax, ax.get_lines()[::2], ncols=1)
    solves = "; ".join(
        _("with a {multiplier}× multiplier {spend} solves {share}").format(
            multiplier=plain(m), spend=usd(r.spend_usd), share=percent(r.share_of_tasks_pct / 100)
        )
        for m, rows in ((1, base), (2, shifted))
        for r in rows.itertuples()
    )
    alt = _("Line chart on a log-cost axis of Amodei's hypothetical example: {solves}.").format(
        solves=solves
    )
    return finish_chart(fig, illustration["source"], alt=alt)


def chinchilla_chart(fit_table: pd.DataFrame, models: pd.DataFrame, runs: pd.DataFrame) -> Figure:
    """Compute-optimal paths of the printed and refitted Chinchilla laws, with real runs."""
    fits = scaling.load_fits(fit_table)
    hoff, bes = fits["hoffmann2022"], fits["besiroglu2024"]
    sizes = models.set_index("model")
    chin, llama, v3 = (sizes.loc[m] for m in ("Chinchilla", "Llama 3.1 405B", "DeepSeek-V3"))
    c_chin = scaling.training_compute(chin["active_params"], chin["training_tokens"])
    c_v3 = scaling.training_compute(v3["active_params"], v3["training_tokens"])
    c_llama = runs.set_index("run_id").at["llama-405b-flop", "value_low"]
    rule = scaling.CHINCHILLA_TOKENS_PER_PARAM
    budgets, n_line = np.logspace(22, 26.5, 40), np.logspace(9.5, 12.5, 10)
    fig, ax = new_chart(
        _("Refit: optimum ≈ {rule} tokens per parameter; V3 and Llama go past it").format(
            rule=number(rule)
        ),
        _("Parameters N (log scale)"),
        _("Training tokens D (log scale)"),
        figsize=(6.0, 6.4),
    )
    for law, colour, ls in ((hoff, PALETTE["blue"], "-"), (bes, PALETTE["vermillion"], "--")):
        path = np.array([scaling.compute_optimal(law, c) for c in budgets])
        label = _("Compute-optimal, {fit}").format(fit=law.label)
        ax.plot(path[:, 0], path[:, 1], color=colour, ls=ls, lw=2, label=label)
    label = _("{rule} tokens per parameter (the rule)").format(rule=number(rule))
    ax.plot(n_line, rule * n_line, ":", color=PALETTE["grey"], lw=1.5, label=label)
    v3_params = [v3["active_params"], v3["total_params"]]
    ax.plot(v3_params, [v3["training_tokens"]] * 2, color=PALETTE["purple"], lw=1)
    black, green, purple = PALETTE["black"], PALETTE["green"], PALETTE["purple"]
    n_v3, d_v3 = v3["active_params"], v3["training_tokens"]
    points = [  # parameters, tokens, marker, colour, face, name
        (chin["active_params"], chin["training_tokens"], "o", black, None, _("Chinchilla (dense)")),
        (
            llama["active_params"],
            llama["training_tokens"],
            "s",
            green,
            None,
            _("Llama 3.1 405B (dense)"),
        ),
        (n_v3, d_v3, "D", purple, None, _("DeepSeek-V3, active (MoE)")),
        (v3["total_params"], d_v3, "D", purple, "white", _("DeepSeek-V3, total")),
    ]
    for n, d, marker, colour, face, name in points:
        ax.plot(n, d, marker, color=colour, mfc=face, mew=1.5, ms=8, zorder=4, label=name)
    ax.set(xscale="log", yscale="log", xlim=(3e9, 3e12), ylim=(1e11, 1e14))
    legend_above(ax, ax.get_legend_handles_labels()[0], ncols=1)
    for c, n_at in ((c_chin, 4e9), (c_v3, 3.5e10), (c_llama, 1.2e12)):  # equal compute, C = 6ND
        ax.plot(n_line, c / (6 * n_line), color="#bfbfbf", lw=0.8, zorder=0)
        label_along(ax, n_line, c / (6 * n_line), f"{sci(c)} FLOP", at=n_at)
    runs_text = "; ".join(
        _("{name}, {params} parameters and {tokens} tokens").format(
            name=name, params=billions(n), tokens=trillions(d)
        )
        for n, d, *_rest, name in points
    )
    alt = _(
        "Log-log chart of parameters against training tokens, with two fits' compute-optimal "
        "paths and the {rule} tokens per parameter line: {runs}."
    ).format(rule=number(rule), runs=runs_text)
    sources = [*fit_table["source"], chin["source"], llama["source"], v3["source"]]
    return finish_chart(fig, sources, alt=alt)


def curve_shift_chart(rates: pd.DataFrame) -> Figure:
    """The cost of a fixed capability over three years: Amodei's guesses and Ho et al."""
    rates = rates.set_index("rate_id") if "rate_id" in rates.columns else rates
    amodei_rate = rates.loc["amodei-curve-shift", "central"]
    amodei_2020 = rates.loc["amodei-2020", "central"]
    ho = rates.loc["ho-halving"]
    ho_central, ho_fast, ho_slow = (
        scaling.annual_factor_from_halving(ho[k]) for k in ("central", "low", "high")
    )
    years = np.linspace(0, 3, 61)

    def cost(rate: float) -> np.ndarray:
        return scaling.cost_of_fixed_capability(1, rate, years)

    fig, ax = new_chart(
        _("Amodei's {rate}×/yr guess lies inside the measured range").format(
            rate=plain(amodei_rate)
        ),
        xlabel=_("Years from now"),
        ylabel=_("Cost of a fixed capability\n(today = 1, log scale)"),
        figsize=(6.0, 5.0),
    )
    band = _("Ho et al. {interval} ({low}–{high}-month halving)").format(
        interval=ho["interval"], low=number(ho["low"]), high=number(ho["high"])
    )
    green = PALETTE["green"]
    ax.fill_between(years, cost(ho_slow), cost(ho_fast), color=green, alpha=0.18, lw=0, label=band)
    label = _("Ho et al.: halves every {months} months ({rate}×/yr)").format(
        months=number(ho["central"]), rate=number(ho_central, 1)
    )
    ax.plot(years, cost(ho_central), color=green, lw=2, label=label)
    label = _("Amodei's guess ({rate}×/yr)").format(rate=number(amodei_rate))
    ax.plot(years, cost(amodei_rate), color=PALETTE["vermillion"], lw=2, ls="--", label=label)
    label = _("Amodei's 2020 estimate ({rate}×/yr, algorithms only)").format(
        rate=number(amodei_2020, 2)
    )
    ax.plot(years, cost(amodei_2020), color=PALETTE["grey"], lw=1.5, ls=":", label=label)
    ax.set(yscale="log", xlim=(0, 3), ylim=(1e-2, 1.2))
    legend_above(ax, ax.get_legend_handles_labels()[0], ncols=1)
    alt = _(
        "Falling lines on a log axis over three years. After one year a fixed capability "
        "costs 1/{amodei} of today under Amodei's guess, 1/{ho} under Ho et al.'s "
        "{months}-month halving (band 1/{slow} to 1/{fast}), and 1/{amodei_2020} under the "
        "2020 estimate."
    ).format(
        amodei=number(amodei_rate),
        ho=number(ho_central, 1),
        months=number(ho["central"]),
        slow=number(ho_slow, 1),
        fast=number(ho_fast, 1),
        amodei_2020=number(amodei_2020, 2),
    )
    sources = rates.loc[["amodei-curve-shift", "amodei-2020", "ho-halving"], "source"]
    return finish_chart(fig, sources, alt=alt)


def on_trend_chart(
    sonnet_cost: tuple[float, float],
    months_since: tuple[float, float],
    annual_rate: float,
    curve_gap: float,
    v3_cost: float,
    ho_rate: float,
) -> Figure:
    """The on-trend bands at the reader's rate and at Ho et al.'s, with V3's cost."""
    band = scaling.on_trend_band(sonnet_cost, months_since, annual_rate, curve_gap)
    band_ho = scaling.on_trend_band(sonnet_cost, months_since, ho_rate, curve_gap)
    where = position(band, v3_cost)
    months = np.linspace(0, 24, 97)
    fig, ax = new_chart(
        _("At {rate}×/yr, V3's {cost} is {where} the on-trend band").format(
            rate=plain(annual_rate), cost=usd(v3_cost), where=where
        ),
        xlabel=_("Months after Claude 3.5 Sonnet's training"),
        ylabel=_("Predicted training cost\n(US dollars, log scale)"),
        figsize=(6.0, 4.8),
    )
    for rate, colour, hatch, label in (
        (
            annual_rate,
            PALETTE["vermillion"],
            None,
            _("Your rate: {rate}×/yr").format(rate=plain(annual_rate)),
        ),
        (
            ho_rate,
            PALETTE["green"],
            "///",
            _("Ho et al.: {rate}×/yr").format(rate=number(ho_rate, 1)),
        ),
    ):
        low, high = (cost / (curve_gap * rate ** (months / 12)) for cost in sonnet_cost)
        hatched = {"facecolor": "none", "edgecolor": colour, "hatch": hatch, "lw": 0.8}
        look = hatched if hatch else {"color": colour, "alpha": 0.25, "lw": 0}
        ax.fill_between(months, low, high, label=label, **look)
    ax.axvspan(*months_since, color="#e6e6e6", zorder=0)
    ax.plot(months_since, [v3_cost] * 2, color=PALETTE["black"], lw=1.5, zorder=5)
    label = _("DeepSeek-V3's {cost}, over Amodei's months").format(cost=usd(v3_cost))
    ax.plot(
        np.mean(months_since), v3_cost, "D", color=PALETTE["black"], ms=8, zorder=5, label=label
    )
    ax.set(yscale="log", xlim=(0, 24), ylim=(1e6, 4e7))
    ticks = [1e6, 2e6, 5e6, 1e7, 2e7]
    ax.set_yticks(ticks, [usd(v) for v in ticks])
    ax.minorticks_off()
    legend_above(ax, ax.get_legend_handles_labels()[0], ncols=1)
    alt = _(
        "Two falling bands on a log cost axis over 24 months, starting at {start}. At "
        "{months} months the {rate}x-a-year band spans {band} and the Ho et al. band "
        "{band_ho}; DeepSeek-V3's {cost} is marked at that point, {where} the first band."
    ).format(
        start=f"{usd(sonnet_cost[0] / curve_gap)}–{usd(sonnet_cost[1] / curve_gap)}",
        months=f"{plain(months_since[0])}–{plain(months_since[1])}",
        rate=plain(annual_rate),
        band=f"{usd(band.cost_low, 1)}–{usd(band.cost_high, 1)}",
        band_ho=f"{usd(band_ho.cost_low, 1)}–{usd(band_ho.cost_high, 1)}",
        cost=usd(v3_cost),
        where=where,
    )
    sources = ["amodei2025deepseek", "ho2024algorithmic", "deepseek2024v3"]
    return finish_chart(fig, sources, alt=alt)


def training_costs_chart(
    costs: pd.DataFrame, growth: float, billion_date: pd.Timestamp, price: float
) -> Figure:
    """Training cost against release date by costing method, with a reference slope of
    ``growth`` a year through GPT-4's amortised cost. ``costs`` is
    :func:`frontierbook.scaling.cost_estimates`'s frame."""
    gpt4 = costs.query("model == 'GPT-4' and method == 'amortised_hardware_energy'").iloc[0]
    fig, ax = dated_scatter(
        costs,
        date="release_date",
        value="value",
        category="method",
        label="model",
        fmt=usd,
        title=_("Frontier runs: tens to hundreds of millions; V3 far below"),
        ylabel=_("Cost of the final run\n(US dollars, log scale)"),
        names={
            "amortised_hardware_energy": _("Amortised hardware + energy (Epoch)"),
            "cloud_rental": _("Cloud rental (Epoch)"),
            "gpu_hours_at_2usd": _("GPU-hours × {price} (DeepSeek's convention)").format(
                price=usd(price, 0)
            ),
        },
        # Offsets (points), alignment and end of the run's range, chosen by eye against overlaps.
        placement={
            "Gemini 1.0 Ultra": ((0, 7), "center", "high"),
            "Llama 3.1 405B": ((8, -3), "left", "low"),
            "Claude 3.5 Sonnet": ((4, -15), "left", "low"),
            "Claude 3 Opus": ((0, -16), "center", "low"),
        },
        alt_intro=_("Scatter of training cost against release date, log scale, by costing method:"),
        alt_note=_("A {growth}x-a-year line through GPT-4 reaches {billion} in {date}.").format(
            growth=plain(growth), billion=usd(1e9), date=month_year(billion_date)
        ),
    )
    trend_dates = pd.date_range("2023-01-01", "2027-06-30", freq="MS")
    trend_years = (trend_dates - gpt4["release_date"]).days / 365.25
    label = _("{growth}×/yr slope through GPT-4 (reference)").format(growth=number(growth, 1))
    trend = gpt4["value"] * growth**trend_years
    ax.plot(trend_dates, trend, color=PALETTE["grey"], ls=":", lw=1.5, label=label)
    ax.axhline(1e9, color=PALETTE["grey"], lw=0.6)
    ax.set_ylim(5e5, 3e9)
    ax.set_yticks([1e6, 1e7, 1e8, 1e9], [usd(v) for v in (1e6, 1e7, 1e8, 1e9)])
    ax.set_xlim(pd.Timestamp("2022-10-01"), pd.Timestamp("2027-07-01"))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    legend_above(ax, ax.get_legend_handles_labels()[0], ncols=1)
    return fig
