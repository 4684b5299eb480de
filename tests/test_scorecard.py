"""The scorecard: every claim is sourced, judged, linked, and valued by the package functions."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from frontierbook import load_table
from frontierbook.cost import (
    CostParameters,
    final_run_gpu_hours,
    full_accounting,
    implied_price_per_gpu_hour,
    rental_cost,
)
from frontierbook.data import bib_keys
from frontierbook.export import chip_table
from frontierbook.paths import ROOT
from frontierbook.scaling import (
    amodei_curve_gap,
    amodei_months_since_sonnet,
    on_trend_band,
    sonnet_cost_band,
)
from frontierbook.scorecard import (
    VERDICTS,
    amodei_band,
    benchmark_wins,
    chapter_labels,
    claim_values,
    evidence_href,
    headline_numbers,
    scorecard,
    split_evidence,
)
from frontierbook.text import usd


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return load_table("claims")


@pytest.fixture(scope="module")
def card() -> pd.DataFrame:
    return scorecard()


def test_every_claim_has_an_allowed_verdict_and_a_known_source(claims: pd.DataFrame) -> None:
    assert set(claims["verdict"]) <= set(VERDICTS)
    assert set(claims["source"]) <= set(bib_keys())
    assert claims["reason"].str.len().gt(20).all()


def test_the_claims_the_issue_lists_are_all_scored(claims: pd.DataFrame) -> None:
    text = " ".join(claims["claim"]) + " ".join(claims["who"])
    for needle in (
        "$5.576M",
        "$6M",
        "misleading",
        "over $1 billion",
        "50,000 Hopper",
        "~$1.6B",
        "on trend",
        "7-10 months",
        "R1 given V3",
        "a failure",
        "H8000",
        "H2O",
    ):
        assert needle in text, needle


def test_every_evidence_label_exists_in_its_chapter(claims: pd.DataFrame) -> None:
    for evidence in claims["evidence"]:
        docname, label = split_evidence(evidence)
        assert (ROOT / f"{docname}.md").is_file(), docname
        assert label in chapter_labels(docname), evidence


def test_chapter_labels_reads_myst_label_lines() -> None:
    labels = chapter_labels("chapters/02_cost")
    assert labels["cost-ledger"] == "What a full accounting adds"
    assert labels["ch-cost"].startswith("What did DeepSeek-V3 cost")


def test_evidence_links_are_relative_to_the_scorecard_page() -> None:
    assert evidence_href("chapters/02_cost#cost-ledger") == "02_cost.html#cost-ledger"
    assert evidence_href("chapters/02_cost#x", from_doc="index") == "chapters/02_cost.html#x"
    with pytest.raises(ValueError):
        split_evidence("chapters/02_cost")


def test_evidence_anchors_resolve_in_the_built_book(card: pd.DataFrame, built_book) -> None:
    html_dir = built_book
    page = (html_dir / "chapters" / "05_scorecard.html").read_text(encoding="utf-8")
    for href in card["evidence_href"]:
        assert f'href="{href}"' in page, href
        target, anchor = href.split("#")
        built = (html_dir / "chapters" / target).read_text(encoding="utf-8")
        assert re.search(rf'id="{re.escape(anchor)}"', built), href


def test_values_match_the_package_functions() -> None:
    stages = load_table("v3_stages")
    ledger = load_table("cost_ledger").set_index("item_id")
    chips = chip_table().set_index("chip_id")
    rates = load_table("scaling_rates").set_index("rate_id")
    params = CostParameters()
    values = claim_values(params)

    final = rental_cost(final_run_gpu_hours(stages), implied_price_per_gpu_hour(stages))
    costs = full_accounting(final_run_gpu_hours(stages), params)
    band = on_trend_band(
        sonnet_cost_band(),
        amodei_months_since_sonnet(),
        rates.at["amodei-curve-shift", "central"],
        amodei_curve_gap(),
    )
    assert values["v3_final_run"].value == pytest.approx(final)
    assert values["press_6m"].value == pytest.approx(final)
    assert values["model_development"].value == pytest.approx(costs.model_development)
    assert values["fleet_purchase"].value == pytest.approx(costs.fleet_purchase)
    assert values["fleet_purchase"].value == pytest.approx(ledger.at["server-capex", "low_usd"])
    assert values["fleet_gpus"].value == params.fleet_gpus
    assert values["pretraining_cost"].value == pytest.approx(
        stages.set_index("stage").at["Pre-training", "reported_cost_usd"]
    )
    assert values["r1_share_of_v3"].value == pytest.approx(
        ledger.at["r1-rl-stage", "low_usd"] / final
    )
    assert values["h800_2022_class"].value == chips.at["h800", "tpp"]
    assert values["h20_2023_class"].value == chips.at["h20", "tpp"]
    assert values["h20_vs_h100"].value == pytest.approx(
        chips.at["h100", "tpp"] / chips.at["h20", "tpp"]
    )
    assert values["ascend_vs_h100"].value == pytest.approx(
        chips.at["ascend910c", "tpp"] / chips.at["h100", "tpp"]
    )
    assert values["on_trend_band"].value == pytest.approx(final)
    assert usd(band.cost_low, 1) in values["on_trend_band"].text
    assert usd(band.cost_high, 1) in values["on_trend_band"].text
    assert ("inside" in values["on_trend_band"].text) == band.contains(final)
    # The rendered table carries exactly these values, row by row.
    card = scorecard(params)
    for _, row in card.iterrows():
        assert row["book_value"] == values[row["value_key"]].value
        assert row["book_text"] == values[row["value_key"]].text


def test_values_follow_the_assumptions() -> None:
    cheap = claim_values(CostParameters(gpu_hour_price=1.0))
    dear = claim_values(CostParameters(gpu_hour_price=3.0))
    assert cheap["model_development"].value < dear["model_development"].value
    # The headline is DeepSeek's own price, not the parameters cell's.
    assert cheap["v3_final_run"].value == dear["v3_final_run"].value


def test_every_value_key_is_computed(claims: pd.DataFrame) -> None:
    assert set(claims["value_key"]) <= set(claim_values())


def test_benchmark_wins_counts_benchmarks() -> None:
    rows = pd.DataFrame(
        {
            "model": ["A", "B", "A", "B"],
            "benchmark": ["x", "x", "y", "y"],
            "score_pct": [50.0, 40.0, 10.0, 20.0],
        }
    )
    assert benchmark_wins(rows, model="A", rivals=("B",)) == {"B": (1, 2)}


def test_headline_numbers_span_the_issue_range() -> None:
    numbers = headline_numbers()
    assert numbers["low"].min() == pytest.approx(294_000)
    assert numbers[["low", "high"]].max().max() == pytest.approx(1.6e9)
    assert (numbers["high"].isna() | (numbers["high"] >= numbers["low"])).all()
    assert set(numbers["source"]) <= set(bib_keys())
    assert {"one training run", "hardware purchase", "operations"} <= set(numbers["measures"])


def test_scorecard_defaults_match_the_scaling_chapters_parameters_cell() -> None:
    text = (ROOT / "chapters" / "03_scaling.md").read_text(encoding="utf-8")
    after = text.split(":tags: [parameters]", 1)[1]
    cell = after.split("```", 1)[0]
    # The next cell turns the parameters left at None into the values read from data/.
    defaults = after.split(":tags: [remove-cell]", 1)[1].split("```", 1)[0]
    from frontierbook import scaling

    env: dict = {
        "scaling": scaling,
        "sonnet_cost_band": sonnet_cost_band,
        "amodei_months_since_sonnet": amodei_months_since_sonnet,
        "amodei_curve_gap": amodei_curve_gap,
    }
    exec(cell, env)
    exec(defaults, env)
    runs = load_table("training_runs").set_index("run_id")
    row = runs.loc["claude-3-5-sonnet-cost"]
    assert env["SONNET_COST"] == (row["value_low"], row["value_high"])
    assert amodei_band() == on_trend_band(
        env["SONNET_COST"],
        env["MONTHS_SINCE_SONNET"],
        env["ANNUAL_RATE"],
        env["CURVE_GAP"],
    )
    rates = load_table("scaling_rates").set_index("rate_id")
    assert env["MONTHS_SINCE_SONNET"] == (
        rates.at["amodei-months-since-sonnet", "low"],
        rates.at["amodei-months-since-sonnet", "high"],
    )
    assert env["CURVE_GAP"] == rates.at["amodei-curve-gap", "central"]
    assert env["ANNUAL_RATE"] == rates.at["amodei-curve-shift", "central"]
