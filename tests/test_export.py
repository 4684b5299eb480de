"""The export-control arithmetic: TPP, density and each chip's class follow from the data."""

from __future__ import annotations

import pandas as pd
import pytest

from frontierbook import load_table
from frontierbook.data import bib_keys
from frontierbook.export import (
    NOT_COVERED,
    PRECISION_BITS,
    chip_table,
    classify,
    h100_equivalents,
    meets,
    performance_density,
    threshold,
    tpp,
)


@pytest.fixture(scope="module")
def thresholds() -> pd.DataFrame:
    return load_table("export_thresholds")


@pytest.fixture(scope="module")
def table(thresholds: pd.DataFrame) -> pd.DataFrame:
    return chip_table(thresholds=thresholds).set_index("chip_id")


def test_tpp_is_dense_throughput_times_bit_length() -> None:
    # BIS's own worked example: 600 INT8 TOPS or 300 FP16 TFLOPS both give 4,800.
    assert tpp({"int8_tops": 600}) == 4800
    assert tpp({"bf16_tflops": 300}) == 4800
    assert tpp({"bf16_tflops": 300, "fp8_tflops": 700, "int8_tops": float("nan")}) == 5600
    with pytest.raises(ValueError):
        tpp({"bf16_tflops": float("nan")})


def test_every_chip_tpp_and_density_follow_from_its_specs(table: pd.DataFrame) -> None:
    for chip_id, row in table.iterrows():
        products = [row[col] * bits for col, bits in PRECISION_BITS.items() if pd.notna(row[col])]
        assert row["tpp"] == pytest.approx(max(products)), chip_id
        assert row["density"] == pytest.approx(row["tpp"] / row["die_area_mm2"]), chip_id


@pytest.mark.parametrize(
    ("chip_id", "expected_tpp", "expected_density"),
    [
        ("a100", 4992, 6.04),
        ("h100", 15832, 19.45),
        ("h800", 15832, 19.45),
        ("h20", 2368, 2.91),
    ],
)
def test_known_values(table, chip_id, expected_tpp, expected_density) -> None:
    assert table.at[chip_id, "tpp"] == pytest.approx(expected_tpp)
    assert table.at[chip_id, "density"] == pytest.approx(expected_density, abs=0.01)


def test_2023_rule_catches_a100_h100_h800_under_3a090a(table) -> None:
    for chip_id in ("a100", "a800", "h100", "h800", "h200", "b200"):
        assert table.at[chip_id, "2023 rule"] == "3A090.a", chip_id


def test_h20_sits_below_every_2023_threshold(table, thresholds) -> None:
    h20 = table.loc["h20"]
    assert table.at["h20", "2023 rule"] == NOT_COVERED
    for _, row in thresholds[thresholds["rule"] == "2023 rule"].iterrows():
        assert meets(h20, row) is False, row["threshold_id"]
    # ...and only just: under both the TPP floor of 3A090.b.1 and the density floor of .b.2.
    assert h20["tpp"] < threshold(thresholds, "r2023-b1", "tpp_min")
    assert h20["density"] < threshold(thresholds, "r2023-b2", "density_min")


def test_2022_rule_needs_both_interconnect_and_tpp(table, thresholds) -> None:
    assert table.at["a100", "2022 rule"] == "3A090.a"
    assert table.at["h100", "2022 rule"] == "3A090.a"
    # The China variants cut only the interconnect, and that was enough in 2022.
    assert table.at["a800", "2022 rule"] == NOT_COVERED
    assert table.at["h800", "2022 rule"] == NOT_COVERED
    # The H20 keeps full NVLink but fails on TPP.
    assert table.at["h20", "interconnect_gbs"] >= threshold(
        thresholds, "r2022-a", "interconnect_min_gbs"
    )
    assert table.at["h20", "2022 rule"] == NOT_COVERED
    # Unknown interconnect gives an unknown class, not a guess.
    assert pd.isna(table.at["ascend910c", "2022 rule"])


def test_classification_reads_thresholds_from_data(table, thresholds) -> None:
    # Lower the 2023 TPP floor of 3A090.b.1 below the H20 and it becomes a .b chip.
    changed = thresholds.copy()
    changed.loc[changed["threshold_id"] == "r2023-b1", "tpp_min"] = 2000
    changed.loc[changed["threshold_id"] == "r2023-b1", "density_min"] = 1.0
    assert classify(table.loc["h20"], changed, "2023 rule") == "3A090.b"
    with pytest.raises(KeyError):
        classify(table.loc["h20"], thresholds, "1999 rule")


def test_density_bounds_are_min_inclusive_max_exclusive() -> None:
    row = {"tpp_min": 1600, "density_min": 3.2, "density_max": 5.92}
    assert meets({"tpp": 1600, "density": 3.2}, row) is True
    assert meets({"tpp": 1600, "density": 5.92}, row) is False
    assert meets({"tpp": 1599, "density": 4.0}, row) is False
    with pytest.raises(ValueError):
        performance_density(1000, 0)


def test_2026_review_covers_h200_not_b200(table) -> None:
    assert table.at["h200", "2026 licence policy"] == "case-by-case review"
    assert table.at["b200", "2026 licence policy"] == NOT_COVERED


def test_diffusion_cap_matches_reported_h100_equivalent(table) -> None:
    tiers = load_table("diffusion_tiers")
    cap = tiers.set_index("provision_id").at["tier2-cap", "tpp_cap"]
    # MIDF's conversion: 790 million TPP is 49,899 H100s.
    assert round(h100_equivalents(cap, table.at["h100", "tpp"])) == 49899
    assert set(tiers["tier"]) == {1, 2, 3}


def test_uncertain_chips_are_labelled(table) -> None:
    # No vendor datasheet we could read: H800 (China-market, unread), H20, Ascend 910C.
    for chip_id in ("h800", "h20", "ascend910c"):
        assert table.at[chip_id, "spec_status"] == "uncertain"
        assert "datasheet" in table.at[chip_id, "note"]


def test_dates_parse_and_policy_timeline_is_ordered() -> None:
    events = load_table("events")
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    timeline = events[events["category"].isin(["policy", "industry"])].sort_values("date")
    assert timeline["date"].notna().all()
    assert timeline["date"].is_monotonic_increasing
    spans = timeline.dropna(subset=["date_end"])
    assert (spans["date_end"] >= spans["date"]).all()
    ids = list(timeline["event_id"])
    # The rules in the order they happened (a month-precision date sorts as the 1st).
    order = ["rule-2022-10", "a800-2022-11", "h800-2023-03", "rule-2023-10", "h20-2023-11",
             "rule-2023-11", "rule-2024-12", "diffusion-2025-01", "h20-2025-04",
             "rescind-2025-05", "h20resume-2025-07", "share-2025-08", "h200-2025-12",
             "h200rule-2026-01"]  # fmt: skip
    assert [i for i in ids if i in order] == order
    thresholds = load_table("export_thresholds")
    assert thresholds["effective"].notna().all()
    chips = load_table("chips")
    assert chips["date"].notna().all()


@pytest.mark.parametrize("name", ["chips", "export_thresholds", "diffusion_tiers"])
def test_every_row_is_sourced(name) -> None:
    frame = load_table(name)
    keys = set(bib_keys())
    assert frame["source"].notna().all()
    assert set(frame["source"]) <= keys
    assert frame["kind"].isin(["reported", "estimate", "derived"]).all()
