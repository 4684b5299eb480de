"""The cost model: what the headline figure measures and what a full accounting adds."""

from __future__ import annotations

import pandas as pd


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
