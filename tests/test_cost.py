"""The cost model: the headline, the first-principles check, the ledger and the parameters."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from frontierbook import load_table
from frontierbook.cost import (
    EPOCH_STAFF_SHARE,
    EXPERIMENT_MULTIPLIER_RANGE,
    PLAUSIBLE_UTILISATION,
    CostParameters,
    dense_peak_tflops,
    experiments_cost,
    final_run_gpu_hours,
    full_accounting,
    gpu_hours_needed,
    gpu_hours_range,
    implied_price_per_gpu_hour,
    implied_utilisation,
    ledger_problems,
    payroll_ceiling,
    rental_cost,
    sensitivity_grid,
    staff_cost_from_share,
    training_flop,
)
from frontierbook.data import bib_keys

# Table 1 of the DeepSeek-V3 report, typed from the report itself (not read from data/).
TABLE_1 = {
    "Pre-training": (2_664_000, 5_328_000),
    "Context extension": (119_000, 238_000),
    "Post-training": (5_000, 10_000),
}


@pytest.fixture(scope="module")
def stages() -> pd.DataFrame:
    return load_table("v3_stages")


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return load_table("cost_ledger")


def test_headline_is_2788k_hours_at_2_dollars(stages: pd.DataFrame) -> None:
    hours = final_run_gpu_hours(stages)
    assert hours == 2_788_000
    assert implied_price_per_gpu_hour(stages) == pytest.approx(2.0)
    assert rental_cost(hours, 2.0) == pytest.approx(5_576_000)
    assert stages["reported_cost_usd"].sum() == pytest.approx(5_576_000)


def test_each_stage_matches_table_1(stages: pd.DataFrame) -> None:
    assert set(stages["stage"]) == set(TABLE_1)
    for row in stages.itertuples():
        hours, usd = TABLE_1[row.stage]
        assert row.h800_gpu_hours == hours
        assert row.reported_cost_usd == pytest.approx(usd)
        assert rental_cost(row.h800_gpu_hours, 2.0) == pytest.approx(usd)


def _model(name: str) -> pd.Series:
    return load_table("models").set_index("model").loc[name]


def _v3_flop() -> float:
    v3 = _model("DeepSeek-V3")
    return training_flop(v3["active_params"], v3["training_tokens"])


def _peak(chip_id: str, precision: str) -> float:
    return dense_peak_tflops(load_table("chips"), chip_id, precision)


def test_peaks_come_from_the_chips_table() -> None:
    # Dense values, typed from NVIDIA's H100 datasheet (sparse figures halved); the H800
    # shares them. Both GPUs are the ones the models table says trained V3 and Llama.
    assert _model("DeepSeek-V3")["gpu"] == "h800"
    assert _model("Llama 3.1 405B")["gpu"] == "h100"
    assert _peak("h800", "BF16") == pytest.approx(989.5)
    assert _peak("h800", "FP8") == pytest.approx(1979)
    assert _peak("h100", "BF16") == _peak("h800", "BF16")
    with pytest.raises(ValueError):
        _peak("a100", "FP8")  # the A100 has no FP8
    with pytest.raises(ValueError):
        _peak("h800", "FP4")


def test_first_principles_brackets_reported_v3_pretraining(stages: pd.DataFrame) -> None:
    flop = _v3_flop()
    assert flop == pytest.approx(3.2856e24)
    reported = stages.set_index("stage").loc["Pre-training", "h800_gpu_hours"]
    fewest, most = gpu_hours_range(flop, _peak("h800", "BF16"), *PLAUSIBLE_UTILISATION)
    assert fewest <= reported <= most
    lo, hi = PLAUSIBLE_UTILISATION
    assert lo <= implied_utilisation(flop, reported, _peak("h800", "BF16")) <= hi


def test_first_principles_brackets_reported_llama() -> None:
    runs = load_table("training_runs").set_index("run_id")
    flop = runs.loc["llama-405b-flop", "value_low"]
    hours = runs.loc["llama-405b-gpu-hours", "value_low"]
    fewest, most = gpu_hours_range(flop, _peak("h100", "BF16"), *PLAUSIBLE_UTILISATION)
    assert fewest <= hours <= most
    llama = _model("Llama 3.1 405B")
    # Meta's reported compute is 6ND to two significant figures.
    assert training_flop(llama["active_params"], llama["training_tokens"]) == pytest.approx(
        flop, rel=0.01
    )


def test_the_range_would_catch_a_wrong_report(stages: pd.DataFrame) -> None:
    # Ten times fewer GPU-hours than reported would be physically implausible.
    fewest, _ = gpu_hours_range(_v3_flop(), _peak("h800", "FP8"), *PLAUSIBLE_UTILISATION)
    assert 2_664_000 / 10 < fewest


def test_gpu_hours_formula() -> None:
    # 1e18 FLOP at 1,000 TFLOP/s and 50% is 2,000 GPU-seconds.
    assert gpu_hours_needed(1e18, 1000, 0.5) == pytest.approx(2000 / 3600)
    with pytest.raises(ValueError):
        gpu_hours_needed(1e18, 1000, 0)


def test_every_ledger_row_is_sourced_and_ordered(ledger: pd.DataFrame) -> None:
    keys = set(bib_keys())
    for row in ledger.itertuples():
        assert isinstance(row.source, str) and row.source in keys, row.item_id
        assert row.kind in {"reported", "estimate", "derived"}
        assert isinstance(row.whose, str) and row.whose.strip()
        assert pd.isna(row.high_usd) or row.low_usd <= row.high_usd, row.item_id
    assert {"final_run", "experiments", "hardware", "staff", "data"} <= set(ledger["component"])


def test_ledger_check_catches_backwards_ranges_and_missing_sources(
    ledger: pd.DataFrame,
) -> None:
    assert ledger_problems(ledger) == []
    broken = ledger.copy()
    broken.loc[broken["item_id"] == "v3-experiments", "high_usd"] = 1.0
    broken.loc[broken["item_id"] == "gpu-spend", "source"] = pd.NA
    problems = ledger_problems(broken)
    assert len(problems) == 2
    assert problems[0].startswith("gpu-spend: no source")
    assert problems[1].startswith("v3-experiments: low")


def test_derived_ledger_rows_follow_their_stated_assumptions(ledger: pd.DataFrame) -> None:
    led = ledger.set_index("item_id")
    final = led.loc["v3-final-run", "low_usd"]
    m_lo, m_hi = EXPERIMENT_MULTIPLIER_RANGE
    assert led.loc["v3-experiments", "low_usd"] == pytest.approx(experiments_cost(final, m_lo))
    assert led.loc["v3-experiments", "high_usd"] == pytest.approx(experiments_cost(final, m_hi))
    s_lo, s_hi = EPOCH_STAFF_SHARE
    low = staff_cost_from_share(final * (1 + m_lo), s_lo)
    high = staff_cost_from_share(final * (1 + m_hi), s_hi)
    assert led.loc["staff-epoch-share", "low_usd"] == pytest.approx(low, abs=1)
    assert led.loc["staff-epoch-share", "high_usd"] == pytest.approx(high, abs=1)
    assert led.loc["staff-payroll-ceiling", "low_usd"] == payroll_ceiling(150, 1.3e6)
    inputs = load_table("cost_inputs").set_index("input_id")
    assert led.loc["staff-payroll-ceiling", "low_usd"] == payroll_ceiling(
        inputs.at["deepseek-headcount", "value"], inputs.at["deepseek-top-salary", "value"]
    )
    assert led.loc["r1-sft-data", "low_usd"] == rental_cost(5_000, 2.0)


def test_ledger_headline_row_equals_the_stages_total(ledger, stages) -> None:
    # The ledger repeats the headline so its chart can draw every row from one table;
    # the stages table is where the figure lives.
    row = ledger.set_index("item_id").loc["v3-final-run"]
    total = rental_cost(final_run_gpu_hours(stages), implied_price_per_gpu_hour(stages))
    assert row["low_usd"] == pytest.approx(total)
    assert row["high_usd"] == pytest.approx(total)


def test_epoch_shares_match_the_rates_table() -> None:
    # The staff share lives in data/scaling_rates.csv; the module's constant must follow it.
    staff = load_table("scaling_rates").set_index("rate_id").loc["cottier-staff-share"]
    assert EPOCH_STAFF_SHARE == pytest.approx((staff["low"] / 100, staff["high"] / 100))


def test_full_accounting_components() -> None:
    costs = full_accounting(2_788_000, CostParameters())
    assert costs.final_run == pytest.approx(5_576_000)
    assert costs.experiments == pytest.approx(2 * 5_576_000)
    assert costs.staff == pytest.approx(3 * 5_576_000 * 0.39 / 0.61)
    assert costs.fleet_purchase == pytest.approx(50_000 * 32_000)
    assert costs.fleet_per_year == pytest.approx(1.6e9 / 4)
    parts = costs.components()
    assert parts["model_development"] == pytest.approx(
        parts["final_run"] + parts["experiments"] + parts["staff"]
    )


def test_changing_the_price_changes_the_output() -> None:
    base = CostParameters()
    dearer = replace(base, gpu_hour_price=3.0)
    a, b = full_accounting(2_788_000, base), full_accounting(2_788_000, dearer)
    assert b.final_run == pytest.approx(a.final_run * 1.5)
    assert b.model_development == pytest.approx(a.model_development * 1.5)
    assert b.model_development != a.model_development
    # Owning hardware does not depend on the rental price.
    assert b.fleet_purchase == a.fleet_purchase


@pytest.mark.parametrize(
    "field, value",
    [("experiment_multiplier", 5.0), ("staff_share", 0.49), ("amortisation_years", 2.0)],
)
def test_every_assumption_moves_something(field: str, value: float) -> None:
    base = full_accounting(2_788_000, CostParameters()).components()
    moved = full_accounting(2_788_000, replace(CostParameters(), **{field: value})).components()
    assert moved != base


def test_sensitivity_grid_is_driven_by_price_and_multiplier() -> None:
    grid = sensitivity_grid(2_788_000, [1.0, 2.0, 4.0], [0.0, 1.0, 4.0])
    assert grid.shape == (3, 3)
    assert grid.loc[2.0, 0.0] == pytest.approx(5_576_000 / (1 - 0.39))
    # Rises along both axes.
    values = grid.to_numpy()
    assert (values[1:, :] > values[:-1, :]).all() and (values[:, 1:] > values[:, :-1]).all()
    assert math.isclose(grid.loc[4.0, 4.0] / grid.loc[1.0, 4.0], 4.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"utilisation": 0.0},
        {"utilisation": 1.5},
        {"staff_share": 1.0},
        {"gpu_hour_price": -1.0},
        {"amortisation_years": 0.0},
    ],
)
def test_parameters_reject_nonsense(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        CostParameters(**kwargs)


def test_api_prices_and_runs_are_positive_and_ordered() -> None:
    prices = load_table("api_prices")
    assert (prices["output_usd_per_mtok"] >= prices["input_cache_miss_usd_per_mtok"]).all()
    runs = load_table("training_runs")
    assert (runs["value_low"] <= runs["value_high"]).all()


def test_each_estimate_appears_once() -> None:
    runs = load_table("training_runs")
    key = ["model", "measure", "method", "source"]
    assert not runs.duplicated(key).any(), runs[runs.duplicated(key, keep=False)]
    # V3's figures are computed from v3_stages and models, never stored here.
    assert "DeepSeek-V3" not in set(runs["model"])


def test_llama_cost_at_2_dollars_is_its_gpu_hours_times_2() -> None:
    run = load_table("training_runs").set_index("run_id")
    hours = run.loc["llama-405b-gpu-hours", "value_low"]
    assert hours == 30_840_000  # the model card's 30.84M H100-80GB GPU-hours
    assert run.loc["llama-405b-cost-2usd", "value_low"] == pytest.approx(rental_cost(hours, 2.0))
    assert run.loc["llama-405b-cost-2usd", "value_high"] == pytest.approx(rental_cost(hours, 2.0))


def test_model_release_dates_agree_with_the_timeline() -> None:
    # V3's release date appears in the models table and as an event; they must agree.
    events = load_table("events").set_index("event_id")
    assert _model("DeepSeek-V3")["release_date"] == events.loc["v3-2024-12", "date"]


def test_cost_inputs_hold_the_sourced_quantities() -> None:
    inputs = load_table("cost_inputs").set_index("input_id")
    # The Nature supplement's "64*8 H800 GPUs", SemiAnalysis's "~150 employees" and
    # "over $1.3 million".
    assert inputs.at["r1-rl-gpus", "value"] == 64 * 8
    assert inputs.at["deepseek-headcount", "value"] == 150
    assert inputs.at["deepseek-top-salary", "value"] == 1.3e6
    assert inputs.at["deepseek-top-salary", "unit"] == "USD per year"


def test_sonnet_cost_is_one_reading_of_a_few_tens_of_millions() -> None:
    # Amodei's "a few $10M's": the book reads "a few" as two to five. It is our reading,
    # so an estimate, and both chapters read this one row.
    run = load_table("training_runs").set_index("run_id")
    row = run.loc["claude-3-5-sonnet-cost"]
    assert (row["value_low"], row["value_high"]) == (2 * 10e6, 5 * 10e6)
    assert row["kind"] == "estimate" and row["source"] == "amodei2025deepseek"
    sonnet = load_table("training_runs").query("model == 'Claude 3.5 Sonnet'")
    assert (sonnet["method"] == "ceo_statement").sum() == 1
    # Epoch's outside estimate of about $25M falls inside the reading.
    epoch = run.loc["claude-35-sonnet-cost-amortised", "value_low"]
    assert row["value_low"] <= epoch <= row["value_high"]
