"""The scaling chapter's models: Amodei's illustration, the Chinchilla loss law, compute-optimal
training, the falling cost of a fixed capability, and the "on-trend" band for DeepSeek-V3."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from frontierbook.data import load_table

# Amodei's illustration: $1M -> 20% of important coding tasks, +20 points per 10x of spend.
AMODEI_ANCHOR_SPEND = 1e6
AMODEI_ANCHOR_SCORE = 20.0
AMODEI_POINTS_PER_DECADE = 20.0

# Training FLOP per parameter per token (forward and backward pass): C ~ 6ND.
FLOP_PER_PARAM_TOKEN = 6.0


def chinchilla_tokens_per_param(models: pd.DataFrame | None = None) -> float:
    """The "about 20 tokens per parameter" rule, as Chinchilla's own tokens over parameters.

    The paper never states the rule in words: it is read off Chinchilla itself (its row of
    ``data/models.csv``) and off Hoffmann et al. (2022), Table 3 (Approach 1), which projects
    about the same ratio for every size.
    """
    models = load_table("models") if models is None else models
    row = models.set_index("model").loc["Chinchilla"]
    return float(row["training_tokens"] / row["active_params"])


def hoffmann_table_a3_67b(inputs: pd.DataFrame | None = None) -> tuple[float, float]:
    """(parameters, tokens) of the paper's Approach-3 projection for 67B, Table A3.

    About 61 tokens per parameter, far from the rule; kept to show that rounding of the
    printed constants is only part of the gap. Rows of ``data/cost_inputs.csv``.
    """
    inputs = load_table("cost_inputs") if inputs is None else inputs
    value = inputs.set_index("input_id")["value"]
    return float(value["hoffmann-a3-67b-params"]), float(value["hoffmann-a3-67b-tokens"])


def amodei_months_since_sonnet(rates: pd.DataFrame | None = None) -> tuple[float, float]:
    """Amodei's "9-12 months" from Claude 3.5 Sonnet's training to V3 (scaling_rates.csv)."""
    rates = load_table("scaling_rates") if rates is None else rates
    row = rates.set_index("rate_id").loc["amodei-months-since-sonnet"]
    return float(row["low"]), float(row["high"])


def amodei_curve_gap(rates: pd.DataFrame | None = None) -> float:
    """Amodei's "~2x": how far below Sonnet V3 sits on the scaling curve."""
    rates = load_table("scaling_rates") if rates is None else rates
    return float(rates.set_index("rate_id").at["amodei-curve-gap", "central"])


def amodei_on_trend_multiple(rates: pd.DataFrame | None = None) -> float:
    """Amodei's "~8x less" than US models of a year before: his on-trend figure for V3."""
    rates = load_table("scaling_rates") if rates is None else rates
    return float(rates.set_index("rate_id").at["amodei-on-trend-multiple", "central"])


def __getattr__(name: str):
    # The chapters import these names; they are read from data/ when used, not typed here.
    if name == "CHINCHILLA_TOKENS_PER_PARAM":
        return chinchilla_tokens_per_param()
    if name == "HOFFMANN_TABLE_A3_67B":
        return hoffmann_table_a3_67b()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Our reading of Amodei's "a few $10M's" for Claude 3.5 Sonnet: one row of
# data/training_runs.csv, shared by the scaling chapter and the scorecard.
SONNET_COST_RUN_ID = "claude-3-5-sonnet-cost"


# --- Scaling laws and compute multipliers -------------------------------------------------


def amodei_score(
    spend_usd: float,
    compute_multiplier: float = 1.0,
    anchor_spend: float = AMODEI_ANCHOR_SPEND,
    anchor_score: float = AMODEI_ANCHOR_SCORE,
    points_per_decade: float = AMODEI_POINTS_PER_DECADE,
) -> float:
    """Share of tasks solved (percent) for a training spend, in Amodei's illustration.

    A compute multiplier ``m`` makes each dollar buy ``m`` times the effective compute, so
    the curve moves left by ``log10(m)`` decades on a log-spend axis.
    """
    if spend_usd <= 0 or compute_multiplier <= 0:
        raise ValueError("spend and compute multiplier must be positive")
    effective = spend_usd * compute_multiplier
    return anchor_score + points_per_decade * math.log10(effective / anchor_spend)


def amodei_spend_for(
    score_pct: float,
    compute_multiplier: float = 1.0,
    anchor_spend: float = AMODEI_ANCHOR_SPEND,
    anchor_score: float = AMODEI_ANCHOR_SCORE,
    points_per_decade: float = AMODEI_POINTS_PER_DECADE,
) -> float:
    """Spend needed for ``score_pct`` in Amodei's illustration (inverse of :func:`amodei_score`)."""
    if compute_multiplier <= 0:
        raise ValueError("compute multiplier must be positive")
    decades = (score_pct - anchor_score) / points_per_decade
    return anchor_spend * 10**decades / compute_multiplier


@dataclass(frozen=True)
class LossLaw:
    """A Chinchilla-form loss law ``L(N, D) = E + A / N**alpha + B / D**beta``."""

    label: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def loss(self, n_params: float, n_tokens: float) -> float:
        """Predicted loss (nats per token) of a dense model: N parameters, D training tokens."""
        if n_params <= 0 or n_tokens <= 0:
            raise ValueError("N and D must be positive")
        return self.E + self.A / n_params**self.alpha + self.B / n_tokens**self.beta


def load_fits(fits: pd.DataFrame) -> dict[str, LossLaw]:
    """The ``scaling_law_fits`` table as laws keyed by ``fit_id``."""
    return {
        row.fit_id: LossLaw(row.label, row.E, row.A, row.B, row.alpha, row.beta)
        for row in fits.itertuples()
    }


def training_compute(n_params: float, n_tokens: float) -> float:
    """Training FLOP by the standard approximation C = 6ND."""
    return FLOP_PER_PARAM_TOKEN * n_params * n_tokens


def compute_optimal(law: LossLaw, compute: float, tol: float = 1e-10) -> tuple[float, float]:
    """(N, D) that minimise the loss for a compute budget C = 6ND, found numerically.

    Along C = 6ND the loss is a sum of two exponentials in ln N, hence convex, so a
    golden-section search on ln N finds the single minimum.
    """
    if compute <= 0:
        raise ValueError("compute must be positive")
    tokens_per_n = compute / FLOP_PER_PARAM_TOKEN

    def objective(log_n: float) -> float:
        n = math.exp(log_n)
        return law.loss(n, tokens_per_n / n)

    # Search from 1 parameter to 1 token: any sensible optimum lies well inside.
    lo, hi = 0.0, math.log(tokens_per_n)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = objective(a), objective(b)
    while hi - lo > tol:
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = objective(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = objective(b)
    n_opt = math.exp((lo + hi) / 2)
    return n_opt, tokens_per_n / n_opt


def compute_optimal_closed_form(law: LossLaw, compute: float) -> tuple[float, float]:
    """The same optimum in closed form (Hoffmann et al. 2022, eq. 4), as a cross-check.

    N_opt = G (C/6)^(beta/(alpha+beta)), with G = (alpha A / (beta B))^(1/(alpha+beta)).
    """
    s = law.alpha + law.beta
    g = (law.alpha * law.A / (law.beta * law.B)) ** (1 / s)
    n_opt = g * (compute / FLOP_PER_PARAM_TOKEN) ** (law.beta / s)
    return n_opt, compute / FLOP_PER_PARAM_TOKEN / n_opt


def optimal_tokens_per_parameter(law: LossLaw, compute: float) -> float:
    """D/N at the compute-optimal point for this budget."""
    n_opt, d_opt = compute_optimal(law, compute)
    return d_opt / n_opt


def rule_of_thumb_split(
    compute: float, tokens_per_param: float | None = None
) -> tuple[float, float]:
    """(N, D) with D = k N and 6ND = C: the "about 20 tokens per parameter" rule.

    ``tokens_per_param`` defaults to :func:`chinchilla_tokens_per_param`.
    """
    if tokens_per_param is None:
        tokens_per_param = chinchilla_tokens_per_param()
    n = math.sqrt(compute / (FLOP_PER_PARAM_TOKEN * tokens_per_param))
    return n, tokens_per_param * n


def sonnet_cost_band(runs: pd.DataFrame | None = None) -> tuple[float, float]:
    """(low, high) training cost of Claude 3.5 Sonnet in USD, as the book reads Amodei.

    Read from the ``claude-3-5-sonnet-cost`` row of ``data/training_runs.csv``, so the
    scaling chapter and the scorecard cannot hold different readings.
    """
    runs = load_table("training_runs") if runs is None else runs
    row = runs.set_index("run_id").loc[SONNET_COST_RUN_ID]
    if row["measure"] != "cost_usd":
        raise ValueError(f"{SONNET_COST_RUN_ID} is not a cost in USD")
    return float(row["value_low"]), float(row["value_high"])


# --- Shifting the curve --------------------------------------------------------------------


def annual_factor_from_halving(months: float) -> float:
    """Yearly fall in the cost of a fixed capability if it halves every ``months`` months."""
    if months <= 0:
        raise ValueError("halving time must be positive")
    return 2 ** (12 / months)


def cheaper_factor(annual_factor: float, months: float) -> float:
    """How many times cheaper a fixed capability is after ``months`` at ``annual_factor`` a year."""
    if annual_factor <= 0:
        raise ValueError("annual factor must be positive")
    return annual_factor ** (months / 12)


def cost_of_fixed_capability(cost_now: float, annual_factor: float, years: float) -> float:
    """Cost of reaching today's capability ``years`` from now, if costs fall by a steady factor."""
    return cost_now / annual_factor**years


@dataclass(frozen=True)
class OnTrendBand:
    """What a steady trend predicts for a model trained ``months`` after a reference model.

    ``time_factor`` is Amodei's "3-4x cheaper ... around now"; ``total_factor`` adds the
    model being ``curve_gap`` times worse on the scaling curve ("~8x less").
    """

    time_factor_low: float
    time_factor_high: float
    total_factor_low: float
    total_factor_high: float
    cost_low: float
    cost_high: float

    def contains(self, cost: float) -> bool:
        """Whether ``cost`` lies inside the predicted band."""
        return self.cost_low <= cost <= self.cost_high


def on_trend_band(
    reference_cost: tuple[float, float],
    months: tuple[float, float],
    annual_factor: float,
    curve_gap: float,
) -> OnTrendBand:
    """The on-trend cost band for a newer, weaker model, from a reference model's cost.

    The cheapest prediction pairs the lowest reference cost with the most months elapsed;
    the dearest pairs the highest cost with the fewest months.
    """
    cost_lo, cost_hi = reference_cost
    m_lo, m_hi = months
    if not (0 < cost_lo <= cost_hi and 0 <= m_lo <= m_hi and curve_gap > 0):
        raise ValueError("need 0 < low cost <= high cost, 0 <= months low <= high, gap > 0")
    time_lo, time_hi = cheaper_factor(annual_factor, m_lo), cheaper_factor(annual_factor, m_hi)
    total_lo, total_hi = time_lo * curve_gap, time_hi * curve_gap
    return OnTrendBand(
        time_factor_low=time_lo,
        time_factor_high=time_hi,
        total_factor_low=total_lo,
        total_factor_high=total_hi,
        cost_low=cost_lo / total_hi,
        cost_high=cost_hi / total_lo,
    )


def implied_annual_factor(
    reference_cost: float, cost: float, months: float, curve_gap: float
) -> float:
    """The yearly rate at which ``cost`` would sit exactly on trend from ``reference_cost``."""
    if months <= 0:
        raise ValueError("months must be positive")
    return (reference_cost / (curve_gap * cost)) ** (12 / months)


def cost_estimates(
    runs: pd.DataFrame, models: pd.DataFrame, v3_cost: float, v3_source: str
) -> pd.DataFrame:
    """Training-cost estimates with each model's release date: Epoch AI's repository
    estimates and Meta's GPU-hours at DeepSeek's price (the AI Index and chief executives'
    figures belong to the cost chapter's comparison), and V3's computed cost. ``value`` is
    each run's ``value_low``."""
    epoch = runs["source"] == "epoch2025costtrends"
    costs = runs[
        (runs["measure"] == "cost_usd") & (epoch | (runs["method"] == "gpu_hours_at_2usd"))
    ]
    v3_row = {"model": "DeepSeek-V3", "measure": "cost_usd", "method": "gpu_hours_at_2usd"}
    v3_row |= {"value_low": v3_cost, "source": v3_source}
    return (
        pd.concat([costs, pd.DataFrame([v3_row])], ignore_index=True)
        .rename(columns={"value_low": "value"})
        .merge(models[["model", "release_date"]], on="model", how="left", validate="many_to_one")
    )


def chapter_tables() -> tuple[pd.DataFrame, ...]:
    """The scaling chapter's tables, each loaded once: illustration, fits, models, runs,
    benchmarks, rates, stages, ledger, releases (the last three indexed by their keys)."""
    return (
        load_table("amodei_illustration"),
        load_table("scaling_law_fits"),
        load_table("models"),
        load_table("training_runs"),
        load_table("reasoning_benchmarks"),
        load_table("scaling_rates").set_index("rate_id"),
        load_table("v3_stages"),
        load_table("cost_ledger").set_index("item_id"),
        load_table("open_releases").set_index("model"),
    )
