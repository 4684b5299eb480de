"""US export-control arithmetic for AI chips: TPP, performance density, and which rule catches what.

The rules (ECCN 3A090) measure a chip by its *total processing performance*,

    TPP = 2 × MacTOPS × bit length = dense TOPS (or TFLOPS) × bit length,

taken at the precision that gives the largest product, and by its *performance density*,
TPP per mm² of logic die. The thresholds live in ``data/export_thresholds.csv``; this module
only reads them, so a threshold is written down once.
"""

from __future__ import annotations

import math

import pandas as pd

from frontierbook.data import load_table
from frontierbook.i18n import N_

# Bit length of each throughput column in data/chips.csv. The rule counts dense rates only.
PRECISION_BITS: dict[str, int] = {"bf16_tflops": 16, "fp8_tflops": 8, "int8_tops": 8}

# A chip no paragraph of a rule catches; translated where shown, like the paragraphs' names.
NOT_COVERED = N_("not covered")

_BOUNDS = {
    # threshold column: (chip column, "min" inclusive or "max" exclusive)
    "tpp_min": ("tpp", "min"),
    "tpp_max": ("tpp", "max"),
    "density_min": ("density", "min"),
    "density_max": ("density", "max"),
    "interconnect_min_gbs": ("interconnect_gbs", "min"),
    "dram_bw_max_gbs": ("memory_bw_gbs", "max"),
}


def tpp(chip: pd.Series | dict) -> float:
    """Total processing performance: the largest dense throughput × bit length over precisions.

    Empty precisions (a chip without FP8, say) are skipped. Raises ``ValueError`` when the
    chip has no throughput at all.
    """
    products = [
        float(chip[col]) * bits
        for col, bits in PRECISION_BITS.items()
        if col in chip and not _missing(chip[col])
    ]
    if not products:
        raise ValueError(f"chip {chip.get('chip', '?')} has no throughput figure")
    return max(products)


def performance_density(tpp_value: float, die_area_mm2: float) -> float:
    """TPP per mm² of applicable (logic) die area."""
    if not die_area_mm2 or die_area_mm2 <= 0:
        raise ValueError("die area must be positive")
    return tpp_value / die_area_mm2


def with_metrics(chips: pd.DataFrame) -> pd.DataFrame:
    """The chip table plus ``tpp``, ``density`` and ``memory_bw_gbs`` columns."""
    out = chips.copy()
    out["tpp"] = [tpp(row) for _, row in out.iterrows()]
    out["density"] = [
        performance_density(t, a) for t, a in zip(out["tpp"], out["die_area_mm2"], strict=True)
    ]
    out["memory_bw_gbs"] = out["memory_bw_tbs"] * 1000
    return out


def meets(chip: pd.Series | dict, threshold: pd.Series | dict) -> bool | None:
    """Whether a chip meets every bound of one threshold row; None if a needed value is unknown."""
    for col, (chip_col, side) in _BOUNDS.items():
        bound = threshold.get(col)
        if _missing(bound):
            continue
        value = chip.get(chip_col)
        if _missing(value):
            return None
        if side == "min" and not value >= bound:
            return False
        if side == "max" and not value < bound:
            return False
    return True


def classify(chip: pd.Series | dict, thresholds: pd.DataFrame, rule: str) -> str | None:
    """The first paragraph of ``rule`` the chip falls under, ``NOT_COVERED``, or None if unknown.

    Paragraphs are tried in file order, so 3A090.a (the stricter control) wins over 3A090.b,
    as in the rule, where .b covers only chips not already in .a.
    """
    rows = thresholds[thresholds["rule"] == rule]
    if rows.empty:
        raise KeyError(f"no thresholds for rule {rule!r}")
    unknown = False
    for paragraph in dict.fromkeys(rows["paragraph"]):
        results = [meets(chip, r) for _, r in rows[rows["paragraph"] == paragraph].iterrows()]
        if any(r is True for r in results):
            return paragraph
        unknown = unknown or any(r is None for r in results)
    return None if unknown else NOT_COVERED


def chip_table(
    chips: pd.DataFrame | None = None, thresholds: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Chips with TPP, density and their class under every rule in the thresholds table.

    Adds one column per rule, named after it (``"2022 rule"``, ``"2023 rule"``, ...).
    """
    chips = load_table("chips") if chips is None else chips
    thresholds = load_table("export_thresholds") if thresholds is None else thresholds
    out = with_metrics(chips)
    for rule in dict.fromkeys(thresholds["rule"]):
        out[rule] = [classify(row, thresholds, rule) for _, row in out.iterrows()]
    return out


def threshold(thresholds: pd.DataFrame, threshold_id: str, column: str) -> float:
    """One bound from the thresholds table, e.g. ``threshold(t, "r2022-a", "tpp_min")``."""
    value = thresholds.set_index("threshold_id").at[threshold_id, column]
    if _missing(value):
        raise KeyError(f"{threshold_id} has no {column}")
    return float(value)


def h100_equivalents(tpp_total: float, h100_tpp: float) -> float:
    """How many H100s a TPP budget buys (the AI Diffusion caps were quoted this way)."""
    return tpp_total / h100_tpp


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
