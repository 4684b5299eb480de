"""Groups of the cost chapter's numbers, each ready for :func:`frontierbook.text.glue_text`.

Every function returns the numbers of one passage as keyword arguments for ``glue_text``:
the name the prose uses, the formatted value, the rows it was computed from, the chapter
parameters it depends on (by name, so the kernel's values are recorded) and how, in words.
The chapter glues them, so a reader still sees in it which numbers a passage states.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from frontierbook.cost import CostBreakdown, CostParameters
from frontierbook.data import load_table
from frontierbook.i18n import _
from frontierbook.text import more_or_less, percent, plain, ratio, usd

Glued = dict  # keyword arguments of glue_text


def _glued(name: str, text: str, rows=None, params=None, how: str = "") -> Glued:
    return {"name": name, "text": text, "rows": rows, "params": params, "how": how}


def tables() -> tuple[pd.DataFrame, ...]:
    """The chapter's tables, each loaded once and indexed by its key: stages, ledger, models,
    chips, runs, prices, inputs, events."""
    return (
        load_table("v3_stages").sort_values("order").reset_index(drop=True),
        load_table("cost_ledger").set_index("item_id"),
        load_table("models").set_index("model"),
        load_table("chips"),
        load_table("training_runs").set_index("run_id"),
        load_table("api_prices").sort_values("effective_date").set_index("price_id"),
        load_table("cost_inputs").set_index("input_id"),
        load_table("events").set_index("event_id"),
    )


def sensitivity(
    grid: np.ndarray,
    prices: Sequence[float],
    multipliers: Sequence[float],
    headline: float,
    stages: pd.DataFrame,
    ledger: pd.DataFrame,
) -> list[Glued]:
    """The sensitivity grid's corners, its top corner against the server capex, and the
    grid's own ends."""
    uses = ["staff_share"]
    capex = ledger.loc["server-capex"]
    server_capex, grid_rows = capex["low_usd"], [stages, capex]
    apart = ratio(max(grid.max(), server_capex) / min(grid.max(), server_capex))
    uses_prices, uses_mults = {"grid_prices": prices}, {"grid_mults": multipliers}
    return [
        _glued("cost_grid_min", usd(grid.min()), stages, uses, _("Lowest model cost on the grid")),
        _glued("cost_grid_max", usd(grid.max()), stages, uses, _("Highest model cost on the grid")),
        _glued(
            "cost_grid_x",
            ratio(grid.max() / headline),
            stages,
            uses,
            _("Highest model cost ÷ V3's headline"),
        ),
        _glued(
            "cost_grid_vs_capex",
            more_or_less(grid.max(), server_capex),
            grid_rows,
            uses,
            _("Top corner vs capex"),
        ),
        _glued(
            "cost_grid_capex_x", apart, grid_rows, uses, _("The larger of the two ÷ the smaller")
        ),
        _glued(
            "cost_grid_price_lo",
            usd(min(prices), 2),
            params=uses_prices,
            how=_("The grid's lowest price"),
        ),
        _glued(
            "cost_grid_price_hi",
            usd(max(prices), 2),
            params=uses_prices,
            how=_("The grid's highest price"),
        ),
        _glued(
            "cost_grid_mult_hi",
            ratio(max(multipliers)),
            params=uses_mults,
            how=_("The highest multiplier"),
        ),
    ]


def accounting(
    params: CostParameters, costs: CostBreakdown, headline: float, stages: pd.DataFrame
) -> list[Glued]:
    """The assumptions of the full accounting, then each of its components and ratios."""
    model = ["gpu_hour_price", "experiment_multiplier", "staff_share"]  # the model cost uses
    fleet = ["fleet_gpus", "capex_per_gpu", "amortisation_years"]  # and the fleet's
    yours = _("Your assumption")
    model_x = costs.model_development / costs.final_run
    model_vs_headline = costs.model_development / headline
    fleet_x = costs.fleet_purchase / costs.model_development
    return [
        _glued("cost_years", plain(params.amortisation_years), None, fleet[2:], yours),
        _glued("cost_p_mult", ratio(params.experiment_multiplier, 1), None, model[1:2], yours),
        _glued("cost_p_share", percent(params.staff_share), None, model[2:], yours),
        _glued("cost_p_price", usd(params.gpu_hour_price, 2), None, model[:1], yours),
        _glued(
            "cost_p_final", usd(costs.final_run), stages, model[:1], _("V3's GPU-hours × price")
        ),
        _glued(
            "cost_p_exp", usd(costs.experiments), stages, model[:2], _("Final run × multiplier")
        ),
        _glued("cost_p_staff", usd(costs.staff), stages, model, _("Compute × staff share ÷ rest")),
        _glued(
            "cost_p_model",
            usd(costs.model_development),
            stages,
            model,
            _("Run + experiments + staff"),
        ),
        _glued("cost_p_model_x", ratio(model_x, 1), stages, model[1:], _("Model cost ÷ final run")),
        _glued(
            "cost_p_model_vs_headline",
            ratio(model_vs_headline, 1),
            stages,
            model,
            _("Model cost ÷ V3's headline"),
        ),
        _glued(
            "cost_p_fleet_x",
            ratio(fleet_x),
            stages,
            model + fleet[:2],
            _("Fleet purchase ÷ model cost"),
        ),
        _glued(
            "cost_p_purchase",
            usd(costs.fleet_purchase),
            None,
            fleet[:2],
            _("Fleet GPUs × cost per GPU"),
        ),
        _glued(
            "cost_p_per_year",
            usd(costs.fleet_per_year),
            None,
            fleet,
            _("Purchase ÷ years to write off"),
        ),
    ]
