"""The cost model: what the headline figure measures and what a full accounting adds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from frontierbook.data import load_table


def final_run_gpu_hours(stages: pd.DataFrame) -> int:
    """GPU-hours of the final training run: the sum over its stages (Table 1 of the V3 report)."""
    return int(stages["h800_gpu_hours"].sum())


def rental_cost(gpu_hours: float, price_per_gpu_hour: float) -> float:
    """Cost of the GPU-hours at a rental price: the whole of DeepSeek's headline method."""
    if gpu_hours < 0 or price_per_gpu_hour < 0:
        raise ValueError("GPU-hours and price must be non-negative")
    return gpu_hours * price_per_gpu_hour


def implied_price_per_gpu_hour(stages: pd.DataFrame) -> float:
    """The rental price that the report's dollar figures assume."""
    return float(stages["reported_cost_usd"].sum() / stages["h800_gpu_hours"].sum())


# --- First principles: compute, GPU-hours and utilisation ---------------------------------

SECONDS_PER_HOUR = 3600.0
TERA = 1e12

# The utilisation range the chapter calls plausible, as a share of the BF16 dense peak.
# Meta reports 38-43% BF16 MFU for Llama 3 405B; reported GPU-hours also count downtime,
# and a mixture-of-experts model loses time to moving tokens between GPUs, so the range
# reaches lower than the best measured MFU.
PLAUSIBLE_UTILISATION: tuple[float, float] = (0.30, 0.45)


def epoch_staff_share(rates: pd.DataFrame | None = None) -> tuple[float, float]:
    """Epoch AI's range for R&D staff as a share of frontier development cost, as fractions.

    The ``cottier-staff-share`` row of ``data/scaling_rates.csv``. The shares are relative to
    amortised hardware, not rental prices, so applying them to rented GPU-hours is a rough
    transfer.
    """
    rates = load_table("scaling_rates") if rates is None else rates
    row = rates.set_index("rate_id").loc["cottier-staff-share"]
    return float(row["low"]) / 100, float(row["high"]) / 100


def fleet_gpus_estimate(inputs: pd.DataFrame | None = None) -> int:
    """SemiAnalysis's ~50,000 Hopper GPUs: the ``fleet-hopper-gpus`` row of cost_inputs.csv."""
    inputs = load_table("cost_inputs") if inputs is None else inputs
    return int(inputs.set_index("input_id").at["fleet-hopper-gpus", "value"])


def default_capex_per_gpu(ledger: pd.DataFrame | None = None) -> float:
    """SemiAnalysis's server capex divided by its GPU count: our price per GPU and server.

    SemiAnalysis does not say which GPUs its ~$1.6B covers (its chart reportedly counts
    60,000 chips, A100s included), so the division is ours.
    """
    ledger = load_table("cost_ledger") if ledger is None else ledger
    capex = float(ledger.set_index("item_id").at["server-capex", "low_usd"])
    return capex / fleet_gpus_estimate()


def __getattr__(name: str):
    # EPOCH_STAFF_SHARE is read from data/scaling_rates.csv when first used, not typed here,
    # so the chapters' `from frontierbook.cost import EPOCH_STAFF_SHARE` follows the data.
    if name == "EPOCH_STAFF_SHARE":
        return epoch_staff_share()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Our assumption for the ledger: experiments used 1 to 4 times the final run's GPU-hours.
# Nobody has published DeepSeek's ratio; the chapter's sensitivity chart goes wider.
EXPERIMENT_MULTIPLIER_RANGE: tuple[float, float] = (1.0, 4.0)


# Column of data/chips.csv that holds each precision's dense peak.
PEAK_COLUMNS: dict[str, str] = {"BF16": "bf16_tflops", "FP8": "fp8_tflops"}


def dense_peak_tflops(chips: pd.DataFrame, chip_id: str, precision: str) -> float:
    """Dense (no sparsity) peak of one chip at ``"BF16"`` or ``"FP8"``, in TFLOP/s.

    ``chips`` is the ``chips`` table; the peaks are kept there only, so the cost model and the
    export chapter cannot disagree about a chip. Raises ``ValueError`` for a chip that has no
    figure at that precision.
    """
    if precision not in PEAK_COLUMNS:
        raise ValueError(f"precision must be one of {sorted(PEAK_COLUMNS)}, not {precision!r}")
    value = chips.set_index("chip_id").at[chip_id, PEAK_COLUMNS[precision]]
    if pd.isna(value):
        raise ValueError(f"{chip_id} has no dense {precision} peak in the chips table")
    return float(value)


def training_flop(active_params: float, tokens: float) -> float:
    """Training compute by the standard approximation 6 × N × D.

    ``active_params`` is the number of parameters used per token: for a mixture-of-experts
    model such as DeepSeek-V3 that is the activated subset, not the total. The factor 6 is
    2 FLOP per parameter per token for the forward pass and 4 for the backward pass; it
    ignores attention FLOP, which is why it slightly understates the real work.
    """
    if active_params < 0 or tokens < 0:
        raise ValueError("parameters and tokens must be non-negative")
    return 6.0 * active_params * tokens


def gpu_hours_needed(flop: float, peak_tflops: float, utilisation: float) -> float:
    """GPU-hours to do ``flop`` of work on GPUs that sustain ``utilisation`` of their peak."""
    if peak_tflops <= 0 or not 0 < utilisation <= 1:
        raise ValueError("peak must be positive and utilisation in (0, 1]")
    return flop / (peak_tflops * TERA * utilisation) / SECONDS_PER_HOUR


def implied_throughput(flop: float, gpu_hours: float) -> float:
    """Average FLOP per second per GPU that reported GPU-hours imply (over all the hours)."""
    if gpu_hours <= 0:
        raise ValueError("GPU-hours must be positive")
    return flop / (gpu_hours * SECONDS_PER_HOUR)


def implied_utilisation(flop: float, gpu_hours: float, peak_tflops: float) -> float:
    """Share of the peak that the reported GPU-hours imply, downtime included."""
    return implied_throughput(flop, gpu_hours) / (peak_tflops * TERA)


def gpu_hours_range(
    flop: float, peak_tflops: float, utilisation_low: float, utilisation_high: float
) -> tuple[float, float]:
    """GPU-hours at the high and the low end of a utilisation range: (fewest, most)."""
    if utilisation_low > utilisation_high:
        raise ValueError("utilisation_low must not exceed utilisation_high")
    return (
        gpu_hours_needed(flop, peak_tflops, utilisation_high),
        gpu_hours_needed(flop, peak_tflops, utilisation_low),
    )


# --- Full accounting -----------------------------------------------------------------------


@dataclass(frozen=True)
class CostParameters:
    """The assumptions a full accounting needs; the chapter's parameters cell sets them.

    Defaults: DeepSeek's own $2 rental price; 40% utilisation (Llama 3 reports 38-43% BF16
    MFU); experiments at twice the final run (our assumption: nobody has published
    DeepSeek's ratio); Epoch AI's mid-range 39% staff share; SemiAnalysis's ~50,000 Hopper
    GPUs (``fleet_gpus_estimate``) and ~$1.6B of server capex, divided by each other for the
    price per GPU (``default_capex_per_gpu``); four years of amortisation (our assumption).
    """

    gpu_hour_price: float = 2.0
    utilisation: float = 0.40
    experiment_multiplier: float = 2.0
    staff_share: float = 0.39
    amortisation_years: float = 4.0
    fleet_gpus: int = field(default_factory=fleet_gpus_estimate)
    capex_per_gpu: float = field(default_factory=default_capex_per_gpu)

    def __post_init__(self) -> None:
        if self.gpu_hour_price < 0 or self.capex_per_gpu < 0 or self.fleet_gpus < 0:
            raise ValueError("price, capex and fleet size must be non-negative")
        if not 0 < self.utilisation <= 1:
            raise ValueError("utilisation must be in (0, 1]")
        if self.experiment_multiplier < 0:
            raise ValueError("the experiment multiplier must be non-negative")
        if not 0 <= self.staff_share < 1:
            raise ValueError("the staff share must be in [0, 1)")
        if self.amortisation_years <= 0:
            raise ValueError("amortisation years must be positive")


@dataclass(frozen=True)
class CostBreakdown:
    """What one set of assumptions gives, component by component (US dollars)."""

    final_run: float
    experiments: float
    staff: float
    fleet_purchase: float
    fleet_per_year: float

    @property
    def compute(self) -> float:
        """GPU time for the final run and the experiments behind it."""
        return self.final_run + self.experiments

    @property
    def model_development(self) -> float:
        """Cost of the model: its compute plus the staff who built it."""
        return self.compute + self.staff

    def components(self) -> dict[str, float]:
        """The components by name, in the order the chapter shows them."""
        return {
            "final_run": self.final_run,
            "experiments": self.experiments,
            "staff": self.staff,
            "model_development": self.model_development,
            "fleet_per_year": self.fleet_per_year,
            "fleet_purchase": self.fleet_purchase,
        }


def experiments_cost(final_run_cost: float, multiplier: float) -> float:
    """Experiments and ablations, as a multiple of the final run's cost."""
    if multiplier < 0:
        raise ValueError("the multiplier must be non-negative")
    return final_run_cost * multiplier


def staff_cost_from_share(compute_cost: float, staff_share: float) -> float:
    """Staff cost if staff are ``staff_share`` of a development cost whose rest is compute.

    Epoch AI finds R&D staff at 29-49% of the development cost of frontier models, most of
    the rest being hardware; if compute is the share 1 - s, staff is compute × s / (1 - s).
    """
    if not 0 <= staff_share < 1:
        raise ValueError("the staff share must be in [0, 1)")
    return compute_cost * staff_share / (1.0 - staff_share)


def payroll_ceiling(headcount: float, salary: float, years: float = 1.0) -> float:
    """Payroll if every employee earned ``salary``: a ceiling when that is a top salary."""
    if headcount < 0 or salary < 0 or years < 0:
        raise ValueError("headcount, salary and years must be non-negative")
    return headcount * salary * years


def full_accounting(final_run_gpu_hours: float, params: CostParameters) -> CostBreakdown:
    """Every component of the cost under one set of assumptions.

    The model's own costs (final run, experiments, staff) are priced like DeepSeek's
    headline, by renting GPU-hours. Owning the fleet is a separate, company-level cost: the
    purchase price, and that price spread over the amortisation period.
    """
    final = rental_cost(final_run_gpu_hours, params.gpu_hour_price)
    experiments = experiments_cost(final, params.experiment_multiplier)
    staff = staff_cost_from_share(final + experiments, params.staff_share)
    purchase = params.fleet_gpus * params.capex_per_gpu
    return CostBreakdown(
        final_run=final,
        experiments=experiments,
        staff=staff,
        fleet_purchase=purchase,
        fleet_per_year=purchase / params.amortisation_years,
    )


def sensitivity_grid(
    final_run_gpu_hours: float,
    prices: Sequence[float],
    multipliers: Sequence[float],
    params: CostParameters | None = None,
    component: str = "model_development",
) -> pd.DataFrame:
    """One component of :func:`full_accounting` over prices (rows) × multipliers (columns)."""
    base = params or CostParameters()
    grid = {
        m: [
            full_accounting(
                final_run_gpu_hours, replace(base, gpu_hour_price=p, experiment_multiplier=m)
            ).components()[component]
            for p in prices
        ]
        for m in multipliers
    }
    frame = pd.DataFrame(grid, index=pd.Index(list(prices), name="gpu_hour_price"))
    frame.columns.name = "experiment_multiplier"
    return frame


def ledger_problems(ledger: pd.DataFrame) -> list[str]:
    """Rows of the cost ledger that break its rules: no source, or a range that runs backwards.

    An empty ``high_usd`` is allowed: it means the source gave only a lower bound.
    """
    problems = []
    for row in ledger.itertuples():
        if not isinstance(row.source, str) or not row.source.strip():
            problems.append(f"{row.item_id}: no source")
        if pd.notna(row.high_usd) and row.low_usd > row.high_usd:
            problems.append(f"{row.item_id}: low {row.low_usd} > high {row.high_usd}")
    return problems
