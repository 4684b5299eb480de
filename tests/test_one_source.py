"""One source for every number: the package's constants come from data/ (that every label
names one work is tests/test_citation_labels.py)."""

from __future__ import annotations

import re

import pytest

from frontierbook import cost, scaling, scorecard
from frontierbook.data import load_table
from frontierbook.paths import ROOT


def test_capex_per_gpu_is_the_server_capex_over_the_gpu_count() -> None:
    ledger = load_table("cost_ledger").set_index("item_id")
    gpus = load_table("cost_inputs").set_index("input_id").at["fleet-hopper-gpus", "value"]
    params = cost.CostParameters()
    assert params.fleet_gpus == gpus
    assert params.capex_per_gpu == pytest.approx(ledger.at["server-capex", "low_usd"] / gpus)


def test_epoch_staff_share_is_the_scaling_rates_row() -> None:
    row = load_table("scaling_rates").set_index("rate_id").loc["cottier-staff-share"]
    assert cost.EPOCH_STAFF_SHARE == pytest.approx((row["low"] / 100, row["high"] / 100))


def test_amodei_reading_is_read_from_data() -> None:
    rates = load_table("scaling_rates").set_index("rate_id")
    months = rates.loc["amodei-months-since-sonnet"]
    assert scaling.amodei_months_since_sonnet() == (months["low"], months["high"])
    assert scaling.amodei_curve_gap() == rates.at["amodei-curve-gap", "central"]
    assert scaling.amodei_on_trend_multiple() == rates.at["amodei-on-trend-multiple", "central"]
    band = scorecard.amodei_band()
    assert band == scaling.on_trend_band(
        scaling.sonnet_cost_band(),
        scaling.amodei_months_since_sonnet(),
        rates.at["amodei-curve-shift", "central"],
        scaling.amodei_curve_gap(),
    )


def test_chinchilla_constants_are_read_from_data() -> None:
    chin = load_table("models").set_index("model").loc["Chinchilla"]
    value = load_table("cost_inputs").set_index("input_id")["value"]
    assert scaling.CHINCHILLA_TOKENS_PER_PARAM == chin["training_tokens"] / chin["active_params"]
    assert scaling.HOFFMANN_TABLE_A3_67B == (
        value["hoffmann-a3-67b-params"],
        value["hoffmann-a3-67b-tokens"],
    )


# Values the package must not type: each lives in one row of data/.
RETIRED_LITERALS = [
    r"\b32_?000\b",  # capex per GPU
    r"\b50_?000\b|[\"']50,000",  # SemiAnalysis's GPU count
    r"\(0\.29, 0\.49\)",  # Epoch's staff share
    r"\(9, 12\)",  # Amodei's months since Sonnet
    r"\b67e9\b|\b4\.1e12\b",  # Hoffmann et al.'s Table A3
    r"CHINCHILLA_TOKENS_PER_PARAM = 20",
]


@pytest.mark.parametrize("module", ["cost", "scaling", "scorecard", "export"])
def test_the_package_does_not_retype_a_value_from_data(module: str) -> None:
    code = (ROOT / "src" / "frontierbook" / f"{module}.py").read_text(encoding="utf-8")
    code = re.sub(r"#.*", "", code)  # comments may quote a value to explain it
    found = [p for p in RETIRED_LITERALS if re.search(p, code)]
    assert not found, f"src/frontierbook/{module}.py types values that live in data/: {found}"
