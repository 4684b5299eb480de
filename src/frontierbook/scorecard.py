"""The closing scorecard: each claim of the debate beside the value the book computes for it,
and the verdict that one published rubric (:func:`grade`) gives it.

Nothing here re-types a number from another chapter. Every value comes from the same
package functions and tables that the cost, scaling and export chapters use, so a change
in ``data/`` moves the scorecard with them.

A verdict is not judged row by row. Each claim in ``data/claims.csv`` records its evidence
(what the key figure rests on, the best source for it, an independent confirmation, the
strongest counter-evidence and what that does to the claim), and :func:`grade` turns those
fields into the verdict by the rules in :data:`RUBRIC`, which the scorecard page prints.
The ``verdict`` column stays in the data for readers of the CSV; :func:`scorecard` refuses
a table whose stored verdict is not the rubric's.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from frontierbook.citations import TIERS, best_tier, source_tier
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
from frontierbook.data import DataError, Problem, load_table
from frontierbook.export import chip_table
from frontierbook.i18n import N_
from frontierbook.paths import ROOT
from frontierbook.reads import read_text
from frontierbook.scaling import (
    SONNET_COST_RUN_ID,
    OnTrendBand,
    amodei_curve_gap,
    amodei_months_since_sonnet,
    on_trend_band,
    sonnet_cost_band,
)
from frontierbook.tables import (
    LINE_BREAK,
    Row,
    cite,
    em,
    join,
    link,
    number_button,
    render_table,
    strong,
)
from frontierbook.text import long_date, percent, ratio, usd

# The data's verdicts (claims.csv), marked for the catalogue: a table shows _(verdict).
VERDICTS: tuple[str, ...] = (
    N_("supported"),
    N_("supported with caveats"),
    N_("misleading"),
    N_("not supported"),
    N_("unverifiable"),
)

# What a claim's key figure rests on (``basis`` in data/claims.csv).
BASES: tuple[str, ...] = (
    "public record",  # a rule, a filing, a licence, a dated release, a published specification
    "audited",  # an account checked by an auditor
    "self-reported",  # the word of the party the figure is about, unchecked
    "outside estimate",  # an outsider's estimate, from information the book cannot see
    "untestable",  # a forecast, or what would have happened otherwise
)
# What the strongest counter-evidence does to the claim (``counter_effect``).
COUNTER_EFFECTS: tuple[str, ...] = ("none", "qualifies", "contradicts")

# The verdicts a claim climbs and falls between, weakest first.
LADDER: tuple[str, ...] = ("unverifiable", "supported with caveats", "supported")
# Where a claim starts on the ladder, by what its key figure rests on.
START: dict[str, str] = {
    "public record": "supported",
    "audited": "supported",
    "self-reported": "supported with caveats",
    "outside estimate": "unverifiable",
}

# The rubric as the scorecard page prints it: (question, what follows). grade() applies
# exactly these steps, in this order; tests/test_scorecard.py holds an example for each.
RUBRIC: tuple[tuple[str, str], ...] = (
    (
        "Does the figure the claim rests on measure what the claim says it does?",
        "If not (a true figure read as something else), the claim is misleading.",
    ),
    (
        "Is the claim a forecast, or about what would have happened otherwise?",
        "Then no data can settle it: unverifiable.",
    ),
    (
        "Is every source for it secondary (a reprint, an aggregator, a summary)?",
        "Then it is unverifiable until a better source is read.",
    ),
    (
        "What does the key figure rest on?",
        "A public record (a rule, a filing, a dated release, a published specification) or "
        "an audited account: supported. The word of the party it is about (self-reported): "
        "supported with caveats. An outsider's estimate: unverifiable.",
    ),
    (
        "Does an independent source confirm a self-reported figure or an estimate?",
        "Then the verdict rises one step: unverifiable, supported with caveats, supported.",
    ),
    (
        "What does the strongest counter-evidence do?",
        "If it qualifies the claim, the verdict is at most supported with caveats. If it "
        "contradicts the claim, the verdict falls one step, to no lower than unverifiable; "
        "and if it comes from a better tier of source than anything for the claim, the "
        "claim is not supported.",
    ),
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
    models = load_table("models").set_index("model")
    v3, llama = models.loc["DeepSeek-V3"], models.loc["Llama 3.1 405B"]
    chips = chip_table().set_index("chip_id")
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
        "h800_licence_date": day("h800-immediate-2023-10"),
        "h20_licence_date": day("h20-2025-04"),
        "h20_assurance_date": day("h20resume-2025-07"),
        "h20_licences_issued": day("h20licences-2025-08"),
        "cac_summons_date": day("cac-2025-07"),
        "h20_halt_date": day("h20halt-2025-08"),
        "r1_release_date": day("r1-2025-01"),
        "inauguration_date": day("inauguration-2025-01"),
        "rule_2023_effective": day("rule-2023-11"),
        "semianalysis_capex": usd(float(ledger.at["server-capex", "low_usd"])),
        "semianalysis_gpu_spend": usd(float(ledger.at["gpu-spend", "low_usd"])),
        "epoch_staff_share": "{:g}–{:g}%".format(
            *(rates.at["cottier-staff-share", c] for c in ("low", "high"))
        ),
        "epoch_hardware_share": "{:g}–{:g}%".format(
            *(rates.at["cottier-hardware-share", c] for c in ("low", "high"))
        ),
        "llama_tokens": f"{llama['training_tokens'] / 1e12:.1f} trillion",
        "ascend_share": percent(float(chips.at["ascend910c", "tpp"] / chips.at["h100", "tpp"])),
    }


def fill_reason(reason: str, figures: dict[str, str]) -> str:
    """A reason with each ``{name}`` replaced by its figure; an unknown name is an error."""

    def figure(match: re.Match) -> str:
        name = match.group(1)
        if name not in figures:
            raise KeyError(f"data/claims.csv: reason cites unknown figure {{{name}}}")
        return figures[name]

    return PLACEHOLDER.sub(figure, reason)


# --- The rubric -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a verdict is graded on: one claim's evidence, with its sources' tiers read from
    ``references.bib``. Who made the claim, and who reported its figure, are not inputs."""

    measures_claim: bool
    basis: str
    support_tier: str  # best tier of the sources for the claim, confirmation included
    corroborated: bool
    counter_effect: str = "none"
    counter_tier: str | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"basis {self.basis!r} is not one of {BASES}")
        if self.support_tier not in TIERS:
            raise ValueError(f"support tier {self.support_tier!r} is not one of {TIERS}")
        if self.counter_effect not in COUNTER_EFFECTS:
            raise ValueError(
                f"counter effect {self.counter_effect!r} is not one of {COUNTER_EFFECTS}"
            )
        if (self.counter_effect == "none") != (self.counter_tier is None):
            raise ValueError("counter-evidence needs a source tier exactly when it has an effect")
        if self.counter_tier is not None and self.counter_tier not in TIERS:
            raise ValueError(f"counter tier {self.counter_tier!r} is not one of {TIERS}")


def grade(evidence: Evidence) -> str:
    """The verdict the published rubric (:data:`RUBRIC`) gives a claim, step by step."""
    if not evidence.measures_claim:
        return "misleading"
    if evidence.basis == "untestable":
        return "unverifiable"
    if evidence.support_tier == "secondary":
        return "unverifiable"
    step = LADDER.index(START[evidence.basis])
    if evidence.corroborated and evidence.basis in ("self-reported", "outside estimate"):
        step = min(step + 1, len(LADDER) - 1)
    if evidence.counter_effect == "qualifies":
        step = min(step, LADDER.index("supported with caveats"))
    elif evidence.counter_effect == "contradicts":
        if TIERS.index(evidence.counter_tier) < TIERS.index(evidence.support_tier):
            return "not supported"
        step = max(step - 1, 0)
    return LADDER[step]


def _optional(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def claim_evidence(row: pd.Series) -> Evidence:
    """The :class:`Evidence` of one row of ``data/claims.csv``, tiers from the bibliography."""
    corroboration = _optional(row["corroborated_by"])
    counter = _optional(row["counter_source"])
    return Evidence(
        measures_claim=bool(row["measures_claim"]),
        basis=row["basis"],
        support_tier=best_tier([row["support_source"], corroboration]),
        corroborated=bool(corroboration),
        counter_effect=row["counter_effect"],
        counter_tier=source_tier(counter) if counter else None,
    )


def evidence_problems(claims: pd.DataFrame) -> list[Problem]:
    """Rows of ``data/claims.csv`` whose evidence fields disagree with one another or whose
    stored verdict is not the rubric's; each names its row and column."""
    problems = []
    for index, row in claims.reset_index(drop=True).iterrows():
        line = int(index) + 2  # the header is line 1

        def problem(column: str, message: str, line: int = line) -> None:
            problems.append(Problem("data/claims.csv", line, column, message))

        counter = _optional(row["counter_source"])
        corroboration = _optional(row["corroborated_by"])
        if (row["counter_effect"] == "none") != (counter == ""):
            problem("counter_source", "give a source exactly when counter_effect is not 'none'")
            continue
        if corroboration and corroboration in (row["support_source"], row["source"]):
            problem(
                "corroborated_by",
                f"{corroboration!r} is not independent: it is the claim's own or its "
                "supporting source",
            )
            continue
        if corroboration and row["basis"] == "untestable":
            problem("corroborated_by", "an untestable claim has no figure to corroborate")
            continue
        verdict = grade(claim_evidence(row))
        if row["verdict"] != verdict:
            problem(
                "verdict",
                f"{row['verdict']!r}, but the rubric gives {verdict!r} "
                "(frontierbook.scorecard.grade)",
            )
    return problems


# --- Evidence links -------------------------------------------------------------------------


def chapter_labels(docname: str, root: Path = ROOT) -> dict[str, str]:
    """MyST labels ``(label)=`` in a chapter's source, each with the heading it targets.

    The source is read through :func:`frontierbook.reads.read_text`, so the chapter that
    shows these headings is executed again when the other chapter's text changes."""
    lines = read_text(root / f"{docname}.md").splitlines()
    labels = {}
    for i, line in enumerate(lines):
        match = _LABEL.match(line)
        if match:
            heading = next((_HEADING.match(x) for x in lines[i + 1 :] if x.strip()), None)
            labels[match.group(1)] = heading.group(1) if heading else match.group(1)
    return labels


def chapter_title(docname: str, root: Path = ROOT) -> str:
    """The chapter's first-level heading, read through :func:`frontierbook.reads.read_text`
    like its labels."""
    for line in read_text(root / f"{docname}.md").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{docname}.md has no '# ' heading")


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
    """``data/claims.csv`` with the book's value, the evidence heading and its link, the
    tiers of the sources for and against, and the counter-evidence with its figures filled.

    Raises :class:`DataError` naming the row and column when a row's evidence fields
    disagree or its stored verdict is not the one :func:`grade` gives.
    """
    claims = load_table("claims")
    problems = evidence_problems(claims)
    if problems:
        raise DataError(problems)
    values = claim_values(params)
    out = claims.copy()
    out["book_value"] = [values[k].value for k in out["value_key"]]
    out["book_text"] = [values[k].text for k in out["value_key"]]
    figures = reason_figures(params)
    out["reason"] = [fill_reason(r, figures) for r in out["reason"]]
    out["counter_evidence"] = [fill_reason(r, figures) for r in out["counter_evidence"]]
    out["support_tier"] = [
        best_tier([r["support_source"], _optional(r["corroborated_by"])]) for _, r in out.iterrows()
    ]
    out["counter_tier"] = [
        source_tier(k) if not pd.isna(k) else None for k in out["counter_source"]
    ]
    headings, chapters = {}, {}
    for evidence in out["evidence"]:
        docname, label = split_evidence(evidence)
        labels = chapter_labels(docname)
        headings[evidence] = labels.get(label)
        chapters[evidence] = chapter_title(docname)
    out["evidence_heading"] = out["evidence"].map(headings)
    out["evidence_chapter"] = out["evidence"].map(chapters)
    out["evidence_href"] = out["evidence"].map(evidence_href)
    return out


# --- The table and the rubric as the scorecard page shows them ------------------------------

VERDICT_MARK: dict[str, str] = {
    "supported": "✔ supported",
    "supported with caveats": "✔? supported with caveats",
    "misleading": "✘? misleading",
    "not supported": "✘ not supported",
    "unverifiable": "? unverifiable",
}


def value_glue_name(claim_id: str) -> str:
    """The name under which the scorecard chapter publishes a claim's computed value."""
    return f"sc_value_{claim_id.replace('-', '_')}"


def _source(key: str) -> Markup:
    """A source with its tier: 'DeepSeek-AI 2024 (primary)'."""
    return join(cite(key), f" ({source_tier(key)})")


def scorecard_table(card: pd.DataFrame) -> Markup:
    """The scorecard as HTML: three columns (the claim with its source, the book's value, the
    verdict and its reason) and under each claim a full-width line with its evidence: the
    strongest counter-evidence with its source, the best source for the claim, what its key
    figure rests on, any independent confirmation, and the section of the book that checks
    it. Every source is shown with its tier."""
    rows = []
    for _, r in card.iterrows():
        when = long_date(r["date"]) if pd.notna(r["date"]) else "undated"
        corroboration = _optional(r["corroborated_by"])
        counter = _optional(r["counter_source"])
        effect = {"qualifies": "qualifies the claim", "contradicts": "contradicts the claim"}
        detail = join(
            strong("Strongest counter-evidence"),
            f" ({effect[r['counter_effect']]})" if counter else "",
            ": ",
            r["counter_evidence"],
            join(" ", _source(counter)) if counter else "",
            LINE_BREAK,
            strong("For it"),
            ": ",
            _source(r["support_source"]),
            f"; key figure {r['basis']}; ",
            join("confirmed independently by ", _source(corroboration))
            if corroboration
            else "no independent confirmation",
            ". ",
            strong("Checked in"),
            ": ",
            link(r["evidence_href"], r["evidence_heading"]),
            " (",
            em(r["evidence_chapter"]),
            ").",
        )
        cells = (
            join(
                strong(r["who"]),
                ", ",
                when,
                LINE_BREAK,
                r["claim"],
                LINE_BREAK,
                em(f"About: {r['metric']}"),
                LINE_BREAK,
                "Source: ",
                _source(r["source"]),
            ),
            number_button(value_glue_name(r["claim_id"]), r["book_text"]),
            join(strong(VERDICT_MARK[r["verdict"]]), LINE_BREAK, r["reason"]),
        )
        rows.append(Row(cells, detail=detail, row_id=f"claim-{r['claim_id']}"))
    return render_table(
        ["Who claimed what", "Book's value", "Verdict and why"],
        rows,
        table_id="tbl-scorecard-html",
        classes=["fb-scorecard"],
    )


def rubric_list() -> Markup:
    """:data:`RUBRIC` as a numbered list a reader can apply to any claim."""
    items = Markup("").join(
        Markup("<li>{} {}</li>").format(strong(question), answer) for question, answer in RUBRIC
    )
    return Markup('<ol class="fb-rubric">{}</ol>').format(items)
