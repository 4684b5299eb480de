"""The closing scorecard: each claim of the debate beside the value the book computes for it.

Nothing here re-types a number from another chapter. Every value comes from the same
package functions and tables that the cost, scaling and export chapters use, so a change
in ``data/`` moves the scorecard with them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from frontierbook.cost import (
    EXPERIMENT_MULTIPLIER_RANGE,
    CostParameters,
    epoch_staff_share,
    experiments_cost,
    final_run_gpu_hours,
    fleet_gpus_estimate,
    full_accounting,
    implied_price_per_gpu_hour,
    rental_cost,
    staff_cost_from_share,
)
from frontierbook.data import load_table
from frontierbook.export import chip_table
from frontierbook.paths import ROOT
from frontierbook.scaling import (
    SONNET_COST_RUN_ID,
    OnTrendBand,
    amodei_curve_gap,
    amodei_months_since_sonnet,
    on_trend_band,
    sonnet_cost_band,
)
from frontierbook.text import long_date, percent, ratio, usd

VERDICTS: tuple[str, ...] = (
    "supported",
    "supported with caveats",
    "misleading",
    "not supported",
    "unverifiable",
)


# Models DeepSeek's R1 report compares V3 with: the US models Amodei has in mind.
US_COMPARISONS: tuple[str, ...] = ("GPT-4o-0513", "Claude-3.5-Sonnet-1022")

# A placeholder in a claim's ``reason``: ``{name}``, filled from reason_figures().
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")

_LABEL = re.compile(r"^\(([A-Za-z0-9_-]+)\)=\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(.*\S)\s*$")


@dataclass(frozen=True)
class ClaimValue:
    """What the book computes for one claim: a number, how the table shows it, and where
    it comes from (see :mod:`frontierbook.provenance`): the data rows, one line on how it
    is computed, the cost parameters and the package's fixed assumptions it uses."""

    value: float
    text: str
    rows: object = None
    how: str = ""
    params: dict | None = None
    assumptions: dict | None = None


def v3_final_run_cost(stages: pd.DataFrame | None = None) -> float:
    """DeepSeek's headline, rebuilt: the final run's GPU-hours at its implied rental price."""
    stages = load_table("v3_stages") if stages is None else stages
    return rental_cost(final_run_gpu_hours(stages), implied_price_per_gpu_hour(stages))


def amodei_band(
    rates: pd.DataFrame | None = None,
    sonnet_cost: tuple[float, float] | None = None,
    months: tuple[float, float] | None = None,
    curve_gap: float | None = None,
) -> OnTrendBand:
    """The on-trend band for V3 at Amodei's ~4x a year, as the scaling chapter computes it.

    ``sonnet_cost`` defaults to the book's reading of "a few $10M's" in the data.
    """
    rates = load_table("scaling_rates") if rates is None else rates
    sonnet_cost = sonnet_cost_band() if sonnet_cost is None else sonnet_cost
    months = amodei_months_since_sonnet(rates) if months is None else months
    curve_gap = amodei_curve_gap(rates) if curve_gap is None else curve_gap
    rate = float(rates.set_index("rate_id").at["amodei-curve-shift", "central"])
    return on_trend_band(sonnet_cost, months, rate, curve_gap)


def benchmark_wins(
    benchmarks: pd.DataFrame | None = None,
    model: str = "DeepSeek-V3",
    rivals: tuple[str, ...] = US_COMPARISONS,
) -> dict[str, tuple[int, int]]:
    """For each rival, (benchmarks where ``model`` scores higher, benchmarks compared)."""
    benchmarks = load_table("reasoning_benchmarks") if benchmarks is None else benchmarks
    score = benchmarks.pivot_table(index="benchmark", columns="model", values="score_pct")
    return {
        rival: (
            int((score[model] > score[rival]).sum()),
            int(score[[model, rival]].dropna().shape[0]),
        )
        for rival in rivals
    }


def headline_numbers(params: CostParameters | None = None) -> pd.DataFrame:
    """The debate's dollar figures, each with what it measures, for the closing chart.

    Columns: ``label``, ``low``, ``high`` (equal for a point value; NaN for "more than"),
    ``measures`` (one training run, experiments, staff, the whole model, hardware purchase,
    operations) and ``source``. The book's own estimates use the cost chapter's functions
    and default assumptions; the others are rows of ``data/cost_ledger.csv``.
    """
    params = params or CostParameters()
    stages = load_table("v3_stages")
    ledger = load_table("cost_ledger").set_index("item_id")
    hours = final_run_gpu_hours(stages)
    final = v3_final_run_cost(stages)
    exp_lo, exp_hi = (experiments_cost(final, m) for m in EXPERIMENT_MULTIPLIER_RANGE)
    share_lo, share_hi = epoch_staff_share()
    staff_lo = staff_cost_from_share(final + exp_lo, share_lo)
    staff_hi = staff_cost_from_share(final + exp_hi, share_hi)
    costs = full_accounting(hours, params)

    def ledger_row(item: str, label: str, measures: str) -> dict:
        r = ledger.loc[item]
        return {
            "label": label,
            "low": float(r["low_usd"]),
            "high": float(r["high_usd"]),
            "measures": measures,
            "source": r["source"],
        }

    rows = [
        ledger_row("r1-rl-stage", "R1's reasoning (RL) stage", "one training run"),
        {
            "label": "V3's final run (the headline)",
            "low": final,
            "high": final,
            "measures": "one training run",
            "source": stages["source"].iloc[0],
        },
        {
            "label": "Experiments behind V3 (book's assumption)",
            "low": exp_lo,
            "high": exp_hi,
            "measures": "experiments",
            "source": stages["source"].iloc[0],
        },
        {
            "label": "Staff for V3 (Epoch's shares)",
            "low": staff_lo,
            "high": staff_hi,
            "measures": "staff",
            "source": "cottier2024rising",
        },
        {
            "label": "V3, all in (book's default assumptions)",
            "low": costs.model_development,
            "high": costs.model_development,
            "measures": "the whole model",
            "source": stages["source"].iloc[0],
        },
        ledger_row("gpu-spend", "GPU spend (SemiAnalysis)", "hardware purchase"),
        ledger_row("cluster-opex", "Operating the clusters (SemiAnalysis)", "operations"),
        ledger_row(
            "hopper-chips", f"{fleet_gpus_estimate():,} Hopper chips (Amodei)", "hardware purchase"
        ),
        ledger_row("compute-cluster", "Compute cluster (Sacks)", "hardware purchase"),
        {
            "label": "Server capex, GPU mix unclear (SemiAnalysis)",
            "low": costs.fleet_purchase,
            "high": costs.fleet_purchase,
            "measures": "hardware purchase",
            "source": ledger.loc["server-capex", "source"],
        },
    ]
    return pd.DataFrame(rows).sort_values("low", kind="stable").reset_index(drop=True)


def claim_values(params: CostParameters | None = None) -> dict[str, ClaimValue]:
    """The value the book computes for each ``value_key`` of ``data/claims.csv``."""
    params = params or CostParameters()
    stages = load_table("v3_stages")
    ledger = load_table("cost_ledger").set_index("item_id")
    chips = chip_table().set_index("chip_id")
    hours = final_run_gpu_hours(stages)
    final = v3_final_run_cost(stages)
    price = implied_price_per_gpu_hour(stages)
    costs = full_accounting(hours, params)
    pre = float(stages.set_index("stage").at["Pre-training", "reported_cost_usd"])
    r1 = float(ledger.at["r1-rl-stage", "low_usd"])
    band = amodei_band()
    wins = benchmark_wins()
    h800, h100, h20, c910 = (chips.loc[c] for c in ("h800", "h100", "h20", "ascend910c"))
    # Provenance of each value (frontierbook.provenance): the rows and parameters it uses.
    thresholds = load_table("export_thresholds")
    benchmarks = load_table("reasoning_benchmarks")
    compared = benchmarks[benchmarks["model"].isin(["DeepSeek-V3", *US_COMPARISONS])]
    model_params = {
        "gpu_hour_price": params.gpu_hour_price,
        "experiment_multiplier": params.experiment_multiplier,
        "staff_share": params.staff_share,
    }
    fleet_params = {"fleet_gpus": params.fleet_gpus, "capex_per_gpu": params.capex_per_gpu}
    v3 = load_table("models").set_index("model").loc["DeepSeek-V3"]
    events = load_table("events").set_index("event_id")
    releases = load_table("open_releases")
    r1_day, inauguration = (events.at[e, "date"] for e in ("r1-2025-01", "inauguration-2025-01"))
    open_models = releases[releases["weights_public"]]

    def in_band() -> str:
        if band.contains(final):
            return "inside"
        return "below" if final < band.cost_low else "above"

    return {
        "v3_final_run": ClaimValue(
            final,
            f"{usd(final)}: {hours / 1e6:.3f}M GPU-hours × {usd(price, 0)}",
            stages,
            "GPU-hours of the three stages × the report's price per GPU-hour",
        ),
        "press_6m": ClaimValue(
            final,
            f"{usd(final)} for V3's final run only",
            stages,
            "GPU-hours of the three stages × the report's price per GPU-hour",
        ),
        "model_development": ClaimValue(
            costs.model_development,
            f"{usd(costs.model_development)} for the model, all in "
            f"({ratio(costs.model_development / final, 1)} the run)",
            stages,
            "final run + experiments + staff, at the cost chapter's default assumptions",
            model_params,
        ),
        "fleet_purchase": ClaimValue(
            costs.fleet_purchase,
            f"{usd(costs.fleet_purchase)} of servers (an outside estimate), "
            f"{ratio(costs.fleet_purchase / final)} the run",
            [ledger.loc["server-capex"], stages],
            "fleet GPUs × capex per GPU, ÷ the final run's cost",
            fleet_params,
        ),
        "fleet_gpus": ClaimValue(
            float(params.fleet_gpus),
            f"{params.fleet_gpus:,} GPUs (not independently checked)",
            ledger.loc["server-capex"],
            "the cost chapter's assumed fleet, SemiAnalysis's ~50,000 GPUs",
            {"fleet_gpus": params.fleet_gpus},
        ),
        "pretraining_cost": ClaimValue(
            pre,
            f"pre-training {usd(pre)}; all three stages {usd(final)}",
            stages,
            "Reported cost of pre-training, and of all three stages",
        ),
        "on_trend_band": ClaimValue(
            final,
            f"band {usd(band.cost_low, 1)}–{usd(band.cost_high, 1)}; V3's {usd(final)} "
            f"is {in_band()} it",
            [
                ("training_runs", SONNET_COST_RUN_ID),
                ("scaling_rates", "amodei-curve-shift"),
                ("scaling_rates", "amodei-months-since-sonnet"),
                ("scaling_rates", "amodei-curve-gap"),
                stages,
            ],
            "Sonnet's cost ÷ (curve gap × Amodei's yearly rate ^ (months ÷ 12)), beside V3's",
        ),
        "benchmark_wins": ClaimValue(
            float(sum(w for w, _ in wins.values())),
            "; ".join(f"V3 ahead of {rival} on {w} of {n}" for rival, (w, n) in wins.items())
            + " benchmarks (DeepSeek's figures)",
            compared,
            "Benchmarks on which V3 scores above each rival",
        ),
        "r1_share_of_v3": ClaimValue(
            r1 / final,
            f"{usd(r1)}, {percent(r1 / final, 1)} of V3's run",
            [ledger.loc["r1-rl-stage"], stages],
            "R1 stage's cost ÷ V3's headline cost",
        ),
        "h800_2022_class": ClaimValue(
            float(h800["tpp"]),
            f"H800 TPP {h800['tpp']:,.0f} (= H100); 2022 rule: {h800['2022 rule']}; "
            f"2023 rule: {h800['2023 rule']}",
            [("chips", "h800"), thresholds],
            "the H800's TPP, classified against each rule's thresholds",
        ),
        "ascend_vs_h100": ClaimValue(
            float(c910["tpp"] / h100["tpp"]),
            f"Ascend 910C TPP {percent(c910['tpp'] / h100['tpp'])} of the H100's",
            [("chips", "ascend910c"), ("chips", "h100")],
            "Ascend 910C's TPP ÷ H100's",
        ),
        "h20_vs_h100": ClaimValue(
            float(h100["tpp"] / h20["tpp"]),
            f"H100 TPP {ratio(h100['tpp'] / h20['tpp'], 1)} the H20's (under every 2023 line)",
            [("chips", "h100"), ("chips", "h20")],
            "H100's TPP ÷ H20's",
        ),
        "h20_2023_class": ClaimValue(
            float(h20["tpp"]),
            f"H20 TPP {h20['tpp']:,.0f}; 2023 rule: {h20['2023 rule']}",
            [("chips", "h20"), thresholds],
            "the H20's TPP, classified against the 2023 rule's thresholds",
        ),
        "v3_training_tokens": ClaimValue(
            float(v3["training_tokens"]),
            f"V3 pre-trained on {v3['training_tokens'] / 1e12:.1f} trillion tokens",
            v3,
            "Pre-training tokens of the model",
        ),
        "r1_release_day": ClaimValue(
            float((r1_day - inauguration).days),
            f"R1 released {long_date(r1_day)}; inauguration {long_date(inauguration)}",
            [events.loc["r1-2025-01"], events.loc["inauguration-2025-01"]],
            "Days from the inauguration to R1's release",
        ),
        "open_weights": ClaimValue(
            float(len(open_models)),
            "; ".join(
                f"{r.model}: weights public ({r.weights_licence}), "
                f"{'commercial use' if r.commercial_use else 'no commercial use'}, "
                f"{'distillation allowed' if r.distillation_allowed else 'no distillation'}"
                for r in open_models.itertuples()
            ),
            open_models,
            "releases whose weights are public, with their licence terms",
        ),
    }


def reason_figures(params: CostParameters | None = None) -> dict[str, str]:
    """The figures a claim's ``reason`` cites, by placeholder name, each computed from data.

    A reason in ``data/claims.csv`` writes ``{v3_headline}`` where it needs a figure, so a
    hand-typed number there cannot drift from the tables (tests/test_hand_typed_numbers.py).
    """
    params = params or CostParameters()
    stages = load_table("v3_stages")
    ledger = load_table("cost_ledger").set_index("item_id")
    events = load_table("events").set_index("event_id")
    v3 = load_table("models").set_index("model").loc["DeepSeek-V3"]
    score = load_table("reasoning_benchmarks").pivot_table(
        index="benchmark", columns="model", values="score_pct"
    )
    rates = load_table("scaling_rates").set_index("rate_id")
    final = v3_final_run_cost(stages)
    costs = full_accounting(final_run_gpu_hours(stages), params)
    r1 = float(ledger.at["r1-rl-stage", "low_usd"])
    band = amodei_band()
    position = "inside" if band.contains(final) else ("below" if final < band.cost_low else "above")

    def day(event: str) -> str:
        return long_date(events.at[event, "date"])

    def month(event: str) -> str:
        return f"{events.at[event, 'date']:%B %Y}"

    return {
        "v3_headline": usd(final),
        "v3_pretraining": usd(
            float(stages.set_index("stage").at["Pre-training", "reported_cost_usd"])
        ),
        "v3_cluster_gpus": f"{v3['cluster_gpus']:,.0f}",
        "v3_training_tokens": f"{v3['training_tokens'] / 1e12:.1f} trillion",
        "model_multiple": ratio(costs.model_development / final, 1),
        "fleet_multiple": ratio(costs.fleet_purchase / final),
        "fleet_purchase": usd(costs.fleet_purchase),
        "fleet_gpus": f"{params.fleet_gpus:,}",
        "amodei_rate": f"~{rates.at['amodei-curve-shift', 'central']:g}x a year",
        "amodei_months": "{:g}–{:g} months".format(*amodei_months_since_sonnet()),
        "amodei_gap": f"~{amodei_curve_gap():g}x",
        "on_trend_position": position,
        "benchmark_count": str(len(score)),
        "gpqa_v3": f"{score.at['GPQA Diamond', 'DeepSeek-V3']:.1f}%",
        "gpqa_sonnet": f"{score.at['GPQA Diamond', 'Claude-3.5-Sonnet-1022']:.1f}%",
        "r1_rl_cost": usd(r1),
        "r1_share": percent(r1 / final, 1),
        "rule_2022": f"the {month('rule-2022-10')} rule",
        "rule_2023": f"the {month('rule-2023-10')} update",
        "rule_2023_announced": day("rule-2023-10"),
        "h800_licence_date": day("rule-2023-11"),
        "h20_licence_date": day("h20-2025-04"),
        "h20_assurance_date": day("h20resume-2025-07"),
        "h20_licences_issued": day("h20licences-2025-08"),
        "cac_summons_date": day("cac-2025-07"),
        "h20_halt_date": day("h20halt-2025-08"),
        "r1_release_date": day("r1-2025-01"),
        "inauguration_date": day("inauguration-2025-01"),
    }


def fill_reason(reason: str, figures: dict[str, str]) -> str:
    """A reason with each ``{name}`` replaced by its figure; an unknown name is an error."""

    def figure(match: re.Match) -> str:
        name = match.group(1)
        if name not in figures:
            raise KeyError(f"data/claims.csv: reason cites unknown figure {{{name}}}")
        return figures[name]

    return PLACEHOLDER.sub(figure, reason)


# --- Evidence links -------------------------------------------------------------------------


def chapter_labels(docname: str, root: Path = ROOT) -> dict[str, str]:
    """MyST labels ``(label)=`` in a chapter's source, each with the heading it targets."""
    lines = (root / f"{docname}.md").read_text(encoding="utf-8").splitlines()
    labels = {}
    for i, line in enumerate(lines):
        match = _LABEL.match(line)
        if match:
            heading = next((_HEADING.match(x) for x in lines[i + 1 :] if x.strip()), None)
            labels[match.group(1)] = heading.group(1) if heading else match.group(1)
    return labels


def split_evidence(evidence: str) -> tuple[str, str]:
    """'chapters/02_cost#cost-ledger' -> ('chapters/02_cost', 'cost-ledger')."""
    docname, _, label = evidence.partition("#")
    if not docname or not label:
        raise ValueError(f"evidence {evidence!r} is not 'docname#label'")
    return docname, label


def evidence_href(evidence: str, from_doc: str = "chapters/05_scorecard") -> str:
    """Relative link from ``from_doc``'s HTML page to the labelled section."""
    docname, label = split_evidence(evidence)
    start = posixpath.dirname(from_doc)
    return f"{posixpath.relpath(docname, start or '.')}.html#{label}"


def scorecard(params: CostParameters | None = None) -> pd.DataFrame:
    """``data/claims.csv`` with the book's value, the evidence heading and its link."""
    claims = load_table("claims")
    values = claim_values(params)
    out = claims.copy()
    out["book_value"] = [values[k].value for k in out["value_key"]]
    out["book_text"] = [values[k].text for k in out["value_key"]]
    figures = reason_figures(params)
    out["reason"] = [fill_reason(r, figures) for r in out["reason"]]
    headings = {}
    for evidence in out["evidence"]:
        docname, label = split_evidence(evidence)
        headings[evidence] = chapter_labels(docname).get(label)
    out["evidence_heading"] = out["evidence"].map(headings)
    out["evidence_href"] = out["evidence"].map(evidence_href)
    return out
