"""The cost chapter's charts, each drawn from the tables and the chapter's assumptions.

Every function returns a finished figure (title, sources, alt text); the chapter shows it
with :func:`frontierbook.style.show`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from frontierbook.charts import heat_map, labelled_ranking, range_strip, ranking_grid
from frontierbook.i18n import N_, _
from frontierbook.style import finish_chart
from frontierbook.text import number, percent, plain, short_date, usd, usd_short

PRICE_COLUMNS = {
    "input_cache_miss_usd_per_mtok": N_("Input (cache miss)"),
    "output_usd_per_mtok": N_("Output"),
}


def stages_chart(stages: pd.DataFrame, r1_row: pd.Series, r1_hours: float) -> Figure:
    """GPU-hours of V3's three training stages and of R1's later reinforcement learning."""
    r1_bar = {"stage": _("R1 reasoning stage\n(disclosed Sep 2025)"), "source": r1_row["source"]}
    r1_bar |= {"h800_gpu_hours": r1_hours, "reported_cost_usd": r1_row["low_usd"]}
    bars = pd.concat([stages, pd.DataFrame([r1_bar])], ignore_index=True)
    bars["thousands"] = bars["h800_gpu_hours"] / 1e3
    hours, dollars = bars["h800_gpu_hours"], bars["reported_cost_usd"]
    bars["text"] = [
        _("{hours} h, {cost}").format(hours=number(h), cost=usd(c))
        for h, c in zip(hours, dollars, strict=True)
    ]
    return labelled_ranking(
        bars,
        label="stage",
        value="thousands",
        text="text",
        sort=False,
        highlight=[r1_bar["stage"]],
        fmt=number,
        title=_("Pre-training is almost all of V3's headline; R1 added little"),
        xlabel=_("H800 GPU-hours (thousands)"),
        figsize=(6.0, 3.6),
    )


def first_principles_chart(predicted: pd.DataFrame, low: float, high: float) -> Figure:
    """GPU-hours predicted over the plausible utilisations (``low`` to ``high``), one strip
    per row of ``predicted`` (label, low, high, reported, source), with the reported hours."""
    predicted = predicted.assign(
        category=_("predicted at {low}–{high} utilisation").format(
            low=percent(low), high=percent(high)
        )
    )
    return range_strip(
        predicted,
        label="label",
        low="low",
        high="high",
        category="category",
        kind=None,
        point=("reported", _("reported by the developer")),
        fmt=lambda h: usd_short(h, 2).lstrip("$"),
        title=_("Reported GPU-hours fit {low}–{high} utilisation").format(
            low=plain(round(low * 100)), high=percent(high)
        ),
        xlabel=_("GPU-hours (log scale)"),
    )


def ledger_chart(ledger: pd.DataFrame, headline: float) -> Figure:
    """Every item of the cost ledger as a range, grouped by component, against the headline."""
    order = ["final_run", "data", "experiments", "staff", "hardware", "operations"]
    plot = ledger.assign(rank=ledger["component"].map(order.index))
    by_id = ledger if ledger.index.name == "item_id" else ledger.set_index("item_id")
    capex_x = by_id.at["server-capex", "low_usd"] / headline
    return range_strip(
        plot.sort_values(["rank", "low_usd"]),
        label="item",
        low="low_usd",
        high="high_usd",
        category="component",
        note="whose",
        title=_("The fleet cost ~{ratio} the headline; the model, a few times").format(
            ratio=number(capex_x) + "×"
        ),
        xlabel=_("US$ (log scale)"),
        fmt=usd,
        reference=(headline, _("the {cost} headline").format(cost=usd(headline))),
    )


def runs_chart(cost_rows: pd.DataFrame, headline: float) -> Figure:
    """Training-cost figures for frontier models (``model``, ``value_low``, ``value_high``,
    ``kind``, ``basis``, ``source``), V3's among them."""
    others = cost_rows[cost_rows["model"] != "DeepSeek-V3"]
    low, high = others["value_low"].min() / headline, others["value_high"].max() / headline
    return range_strip(
        cost_rows,
        label="model",
        low="value_low",
        high="value_high",
        category="kind",
        note="basis",
        title=_("Others' runs cost {low} to {high} times V3's, by differing methods").format(
            low=number(low), high=number(high)
        ),
        xlabel=_("Training cost, US$ (log scale)"),
        fmt=usd,
    )


def prices_chart(prices: pd.DataFrame, o1: pd.Series, r1: pd.Series) -> Figure:
    """API list prices per million tokens, input without cache hits and output."""
    labels = [
        _("{model}, from {date}").format(model=r.model, date=short_date(r.effective_date))
        for r in prices.itertuples()
    ]
    tidy = prices.assign(label=labels).melt(
        ["label", "source"], list(PRICE_COLUMNS), "tokens", "price"
    )
    tidy["tokens"] = tidy["tokens"].map(lambda column: _(PRICE_COLUMNS[column]))
    times = o1["output_usd_per_mtok"] / r1["output_usd_per_mtok"]
    return ranking_grid(
        tidy,
        panel="tokens",
        label="label",
        value="price",
        fmt=partial(usd, digits=2),
        title=_("OpenAI's o1 listed at about {times} times R1's price").format(times=number(times)),
        xlabel=_("US$ per million tokens"),
    )


def sensitivity_chart(
    grid: np.ndarray,
    prices: Sequence[float],
    multipliers: Sequence[float],
    staff_share: float,
    sources: Sequence[str],
    chosen: tuple[float, float, float] | None = None,
) -> Figure:
    """Model-development cost for each GPU-hour price (rows) and experiment multiplier.

    ``chosen`` is the parameters cell's (price, multiplier, model cost): its cell is
    outlined when it lies on the grid, and the note gives it either way, so the chart
    follows every assumption it draws."""
    fig = heat_map(
        grid,
        columns=[f"{plain(m)}×" for m in multipliers],
        rows=[usd(v, 2) for v in prices],
        # The cells are narrow: a translation's longer scale words go short there.
        fmt=partial(usd_short, digits=1),
        figsize=(6.0, 4.6),
        title=_("The model costs {low} to {high} here: millions, not billions").format(
            low=usd(grid.min(), 1), high=usd(grid.max(), 0)
        ),
        xlabel=_("Experiment GPU-hours per final-run GPU-hour"),
        ylabel=_("GPU-hour price (US$)"),
    )
    alt = _(
        "Heat map of model-development cost for GPU-hour prices from {price_low} to "
        "{price_high} and experiment multipliers from 0 to {multiplier}: from {low} in the "
        "corner with the lowest price and no experiments to {high} at the highest price and "
        "multiplier."
    ).format(
        price_low=usd(min(prices), 2),
        price_high=usd(max(prices), 2),
        multiplier=plain(max(multipliers)),
        low=usd(grid.min()),
        high=usd(grid.max()),
    )
    note = _("Staff at {share} of development cost").format(share=percent(staff_share))
    if chosen is not None:
        price, multiplier, cost = chosen
        values = {"price": usd(price, 2), "multiplier": f"{plain(multiplier)}×", "cost": usd(cost)}
        if price in prices and multiplier in multipliers:
            row, column = list(prices).index(price), list(multipliers).index(multiplier)
            outline = Rectangle(
                (column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2
            )
            fig.axes[0].add_patch(outline)
            mark = _("; outlined, the parameters cell's {price} and {multiplier}: {cost}")
        else:
            mark = _("; the parameters cell's {price} and {multiplier}, off the grid: {cost}")
        note += mark.format(**values)
    return finish_chart(fig, sources, note=note, alt=alt)
