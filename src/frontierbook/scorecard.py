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
from frontierbook.i18n import N_, Translated, _, page_text
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
    em,
    fill,
    join,
    link,
    number_button,
    render_table,
    source_link,
    strong,
)
from frontierbook.text import (
    Text,
    compact,
    compose,
    joined,
    long_date,
    month_year,
    number,
    percent,
    percent_range,
    plain,
    ratio,
    span,
    trillions,
    usd,
)

# The data's verdicts (claims.csv), marked for the catalogue: a table shows _(verdict).
VERDICTS: tuple[str, ...] = (
    N_("supported"),
    N_("supported with caveats"),
    N_("misleading"),
    N_("not supported"),
    N_("unverifiable"),
)

# What a claim's key figure rests on (``basis`` in data/claims.csv), marked for the
# catalogue: the table shows _(basis).
BASES: tuple[str, ...] = (
    N_("public record"),  # a rule, a filing, a licence, a dated release, a published specification
    N_("audited"),  # an account checked by an auditor
    N_("self-reported"),  # the word of the party the figure is about, unchecked
    N_("outside estimate"),  # an outsider's estimate, from information the book cannot see
    N_("untestable"),  # a forecast, or what would have happened otherwise
)
# What the strongest counter-evidence does to the claim (``counter_effect``).
COUNTER_EFFECTS: tuple[str, ...] = ("none", "qualifies", "contradicts")
COUNTER_EFFECT_WORDS: dict[str, str] = {
    "qualifies": N_("qualifies the claim"),
    "contradicts": N_("contradicts the claim"),
}

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
        N_("Does the figure the claim rests on measure what the claim says it does?"),
        N_("If not (a true figure read as something else), the claim is misleading."),
    ),
    (
        N_("Is the claim a forecast, or about what would have happened otherwise?"),
        N_("Then no data can settle it: unverifiable."),
    ),
    (
        N_("Is every source for it secondary (a reprint, an aggregator, a summary)?"),
        N_("Then it is unverifiable until a better source is read."),
    ),
    (
        N_("What does the key figure rest on?"),
        N_(
            "A public record (a rule, a filing, a dated release, a published specification) "
            "or an audited account: supported. The word of the party it is about "
            "(self-reported): supported with caveats. An outsider's estimate: unverifiable."
        ),
    ),
    (
        N_("Does an independent source confirm a self-reported figure or an estimate?"),
        N_("Then the verdict rises one step: unverifiable, supported with caveats, supported."),
    ),
    (
        N_("What does the strongest counter-evidence do?"),
        N_(
            "If it qualifies the claim, the verdict is at most supported with caveats. If it "
            "contradicts the claim, the verdict falls one step, to no lower than unverifiable; "
            "and if it comes from a better tier of source than anything for the claim, the "
            "claim is not supported."
        ),
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
        ledger_row("r1-rl-stage", _("R1's reasoning (RL) stage"), "one training run"),
        {
            "label": _("V3's final run (the headline)"),
            "low": final,
            "high": final,
            "measures": "one training run",
            "source": stages["source"].iloc[0],
        },
        {
            "label": _("Experiments behind V3 (book's assumption)"),
            "low": exp_lo,
            "high": exp_hi,
            "measures": "experiments",
            "source": stages["source"].iloc[0],
        },
        {
            "label": _("Staff for V3 (Epoch's shares)"),
            "low": staff_lo,
            "high": staff_hi,
            "measures": "staff",
            "source": "cottier2024rising",
        },
        {
            "label": _("V3, all in (book's default assumptions)"),
            "low": costs.model_development,
            "high": costs.model_development,
            "measures": "the whole model",
            "source": stages["source"].iloc[0],
        },
        ledger_row("gpu-spend", _("GPU spend (SemiAnalysis)"), "hardware purchase"),
        ledger_row("cluster-opex", _("Operating the clusters (SemiAnalysis)"), "operations"),
        ledger_row(
            "hopper-chips",
            _("{count} Hopper chips (Amodei)").format(count=number(fleet_gpus_estimate())),
            "hardware purchase",
        ),
        ledger_row("compute-cluster", _("Compute cluster (Sacks)"), "hardware purchase"),
        {
            "label": _("Server capex, GPU mix unclear (SemiAnalysis)"),
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

    position = band_position(band, final)
    on_band = {
        "inside": N_("band {band}; V3's {cost} is inside it"),
        "below": N_("band {band}; V3's {cost} is below it"),
        "above": N_("band {band}; V3's {cost} is above it"),
    }[position]
    versus = joined(
        compose(
            _("V3 ahead of {rival} on {wins} of {count}"),
            rival=rival,
            wins=number(w),
            count=number(n),
        )
        for rival, (w, n) in wins.items()
    )

    def licence_terms(r) -> str:
        return _("{model}: weights public ({licence}), {commercial}, {distillation}").format(
            model=r.model,
            licence=r.weights_licence,
            commercial=_("commercial use") if r.commercial_use else _("no commercial use"),
            distillation=_("distillation allowed")
            if r.distillation_allowed
            else _("no distillation"),
        )

    return {
        "v3_final_run": ClaimValue(
            final,
            compose(
                _("{cost}: {hours} GPU-hours × {price}"),
                cost=usd(final),
                hours=compact(hours, 3),
                price=usd(price, 0),
            ),
            stages,
            _("GPU-hours of the three stages × the report's price per GPU-hour"),
        ),
        "press_6m": ClaimValue(
            final,
            compose(_("{cost} for V3's final run only"), cost=usd(final)),
            stages,
            _("GPU-hours of the three stages × the report's price per GPU-hour"),
        ),
        "model_development": ClaimValue(
            costs.model_development,
            compose(
                _("{cost} for the model, all in ({times} the run)"),
                cost=usd(costs.model_development),
                times=ratio(costs.model_development / final, 1),
            ),
            stages,
            _("final run + experiments + staff, at the cost chapter's default assumptions"),
            model_params,
        ),
        "fleet_purchase": ClaimValue(
            costs.fleet_purchase,
            compose(
                _("{cost} of servers (an outside estimate), {times} the run"),
                cost=usd(costs.fleet_purchase),
                times=ratio(costs.fleet_purchase / final),
            ),
            [ledger.loc["server-capex"], stages],
            _("fleet GPUs × capex per GPU, ÷ the final run's cost"),
            fleet_params,
        ),
        "fleet_gpus": ClaimValue(
            float(params.fleet_gpus),
            compose(_("{count} GPUs (not independently checked)"), count=number(params.fleet_gpus)),
            ledger.loc["server-capex"],
            _("the cost chapter's assumed fleet, SemiAnalysis's ~50,000 GPUs"),
            {"fleet_gpus": params.fleet_gpus},
        ),
        "pretraining_cost": ClaimValue(
            pre,
            compose(
                _("pre-training {pre}; all three stages {total}"), pre=usd(pre), total=usd(final)
            ),
            stages,
            _("Reported cost of pre-training, and of all three stages"),
        ),
        "on_trend_band": ClaimValue(
            final,
            compose(
                _(on_band),
                band=span(band.cost_low, band.cost_high, lambda v: usd(v, 1)),
                cost=usd(final),
            ),
            [
                ("training_runs", SONNET_COST_RUN_ID),
                ("scaling_rates", "amodei-curve-shift"),
                ("scaling_rates", "amodei-months-since-sonnet"),
                ("scaling_rates", "amodei-curve-gap"),
                stages,
            ],
            _("Sonnet's cost ÷ (curve gap × Amodei's yearly rate ^ (months ÷ 12)), beside V3's"),
        ),
        "benchmark_wins": ClaimValue(
            float(sum(w for w, _n in wins.values())),
            compose(_("{comparisons} benchmarks (DeepSeek's figures)"), comparisons=versus),
            compared,
            _("Benchmarks on which V3 scores above each rival"),
        ),
        "r1_share_of_v3": ClaimValue(
            r1 / final,
            compose(_("{cost}, {share} of V3's run"), cost=usd(r1), share=percent(r1 / final, 1)),
            [ledger.loc["r1-rl-stage"], stages],
            _("R1 stage's cost ÷ V3's headline cost"),
        ),
        "h800_2022_class": ClaimValue(
            float(h800["tpp"]),
            compose(
                _("H800 TPP {tpp} (= H100); 2022 rule: {class_2022}; 2023 rule: {class_2023}"),
                tpp=number(h800["tpp"]),
                class_2022=_(h800["2022 rule"]),
                class_2023=_(h800["2023 rule"]),
            ),
            [("chips", "h800"), thresholds],
            _("the H800's TPP, classified against each rule's thresholds"),
        ),
        "ascend_vs_h100": ClaimValue(
            float(c910["tpp"] / h100["tpp"]),
            compose(
                _("Ascend 910C TPP {share} of the H100's"), share=percent(c910["tpp"] / h100["tpp"])
            ),
            [("chips", "ascend910c"), ("chips", "h100")],
            _("Ascend 910C's TPP ÷ H100's"),
        ),
        "h20_vs_h100": ClaimValue(
            float(h100["tpp"] / h20["tpp"]),
            compose(
                _("H100 TPP {times} the H20's (under every 2023 line)"),
                times=ratio(h100["tpp"] / h20["tpp"], 1),
            ),
            [("chips", "h100"), ("chips", "h20")],
            _("H100's TPP ÷ H20's"),
        ),
        "h20_2023_class": ClaimValue(
            float(h20["tpp"]),
            compose(
                _("H20 TPP {tpp}; 2023 rule: {class_2023}"),
                tpp=number(h20["tpp"]),
                class_2023=_(h20["2023 rule"]),
            ),
            [("chips", "h20"), thresholds],
            _("the H20's TPP, classified against the 2023 rule's thresholds"),
        ),
        "v3_training_tokens": ClaimValue(
            float(v3["training_tokens"]),
            compose(
                _("V3 pre-trained on {tokens} tokens"), tokens=trillions(v3["training_tokens"], 1)
            ),
            v3,
            _("Pre-training tokens of the model"),
        ),
        "r1_release_day": ClaimValue(
            float((r1_day - inauguration).days),
            compose(
                _("R1 released {r1}; inauguration {inauguration}"),
                r1=long_date(r1_day),
                inauguration=long_date(inauguration),
            ),
            [events.loc["r1-2025-01"], events.loc["inauguration-2025-01"]],
            _("Days from the inauguration to R1's release"),
        ),
        "open_weights": ClaimValue(
            float(len(open_models)),
            # Model names have digits: the text carries the count of models it lists.
            Text("; ".join(licence_terms(r) for r in open_models.itertuples()), len(open_models)),
            open_models,
            _("releases whose weights are public, with their licence terms"),
        ),
    }


def band_position(band: OnTrendBand, cost: float) -> str:
    """Where ``cost`` falls against the on-trend band: 'inside', 'below' or 'above' (in
    English: the prose shows ``_(position)``, as the scaling chapter's chart does)."""
    if band.contains(cost):
        return "inside"
    return "below" if cost < band.cost_low else "above"


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
    position = band_position(band, final)

    def day(event: str) -> Text:
        return long_date(events.at[event, "date"])

    def month(event: str) -> Text:
        return month_year(events.at[event, "date"])

    def shares(rate_id: str) -> Text:
        return percent_range(*(rates.at[rate_id, c] for c in ("low", "high")))

    return {
        "v3_headline": usd(final),
        "v3_pretraining": usd(
            float(stages.set_index("stage").at["Pre-training", "reported_cost_usd"])
        ),
        "v3_cluster_gpus": number(v3["cluster_gpus"]),
        "v3_training_tokens": trillions(v3["training_tokens"], 1),
        "model_multiple": ratio(costs.model_development / final, 1),
        "fleet_multiple": ratio(costs.fleet_purchase / final),
        "fleet_purchase": usd(costs.fleet_purchase),
        "fleet_gpus": number(params.fleet_gpus),
        "amodei_rate": compose(
            _("~{rate}x a year"), rate=plain(rates.at["amodei-curve-shift", "central"])
        ),
        "amodei_months": compose(
            _("{months} months"), months=span(*amodei_months_since_sonnet(), plain)
        ),
        "amodei_gap": compose("~{gap}x", gap=plain(amodei_curve_gap())),
        # TRANSLATORS: where V3's cost falls against the band: "inside", "below", "above".
        "on_trend_position": _(position),
        "benchmark_count": number(len(score)),
        "gpqa_v3": percent(score.at["GPQA Diamond", "DeepSeek-V3"] / 100, 1),
        "gpqa_sonnet": percent(score.at["GPQA Diamond", "Claude-3.5-Sonnet-1022"] / 100, 1),
        "r1_rl_cost": usd(r1),
        "r1_share": percent(r1 / final, 1),
        "rule_2022": compose(_("the {month} rule"), month=month("rule-2022-10")),
        "rule_2023": compose(_("the {month} update"), month=month("rule-2023-10")),
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
        "epoch_staff_share": shares("cottier-staff-share"),
        "epoch_hardware_share": shares("cottier-hardware-share"),
        "llama_tokens": trillions(llama["training_tokens"], 1),
        "ascend_share": percent(float(chips.at["ascend910c", "tpp"] / chips.at["h100", "tpp"])),
    }


def fill_reason(reason: str, figures: dict[str, str]) -> str:
    """A reason with each ``{name}`` replaced by its figure; an unknown name is an error. A
    translated reason stays a :class:`~frontierbook.i18n.Translated`, its English filled too."""

    def figure(match: re.Match) -> str:
        name = match.group(1)
        if name not in figures:
            raise KeyError(f"data/claims.csv: reason cites unknown figure {{{name}}}")
        return figures[name]

    filled = PLACEHOLDER.sub(figure, reason)
    if isinstance(reason, Translated):
        return Translated(filled, PLACEHOLDER.sub(figure, reason.source))
    return filled


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
    """MyST labels ``(label)=`` in a chapter's source, each with the heading it targets,
    in the current language (from the chapter's own catalogue).

    The source is read through :func:`frontierbook.reads.read_text`, and the catalogue
    through :func:`frontierbook.i18n.page_text`, so the chapter that shows these headings is
    executed again when the other chapter's text or its translation changes."""
    lines = read_text(root / f"{docname}.md").splitlines()
    labels = {}
    for i, line in enumerate(lines):
        match = _LABEL.match(line)
        if match:
            heading = next((_HEADING.match(x) for x in lines[i + 1 :] if x.strip()), None)
            text = page_text(docname, heading.group(1)) if heading else match.group(1)
            labels[match.group(1)] = text
    return labels


def chapter_title(docname: str, root: Path = ROOT) -> str:
    """The chapter's first-level heading, in the current language, read like its labels."""
    for line in read_text(root / f"{docname}.md").splitlines():
        if line.startswith("# "):
            return page_text(docname, line[2:].strip())
    raise ValueError(f"{docname}.md has no '# ' heading")


def split_evidence(evidence: str) -> tuple[str, str]:
    """'chapters/02_cost#cost-ledger' -> ('chapters/02_cost', 'cost-ledger')."""
    docname, _hash, label = evidence.partition("#")
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
        best_tier([r["support_source"], _optional(r["corroborated_by"])])
        for _index, r in out.iterrows()
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

# The mark before each verdict, so that the verdict is not told by colour or word alone.
VERDICT_MARK: dict[str, str] = {
    "supported": "✔",
    "supported with caveats": "✔?",
    "misleading": "✘?",
    "not supported": "✘",
    "unverifiable": "?",
}


def verdict_text(verdict: str) -> str:
    """The verdict with its mark, in the current language: '✔? supported with caveats'."""
    return f"{VERDICT_MARK[verdict]} {_(verdict)}"


def value_glue_name(claim_id: str) -> str:
    """The name under which the scorecard chapter publishes a claim's computed value."""
    return f"sc_value_{claim_id.replace('-', '_')}"


def _source(key: str) -> Markup:
    """A source with its tier: 'DeepSeek-AI 2024 (primary)'."""
    return join(source_link(key), f" ({_(source_tier(key))})")


def scorecard_table(card: pd.DataFrame) -> Markup:
    """The scorecard as HTML: three columns (the claim with its source, the book's value, the
    verdict and its reason) and under each claim a full-width line with its evidence: the
    strongest counter-evidence with its source, the best source for the claim, what its key
    figure rests on, any independent confirmation, and the section of the book that checks
    it. Every source is shown with its tier."""
    rows = []
    for _index, r in card.iterrows():
        when = long_date(r["date"]) if pd.notna(r["date"]) else _("undated")
        corroboration = _optional(r["corroborated_by"])
        counter = _optional(r["counter_source"])
        effect = _(COUNTER_EFFECT_WORDS[r["counter_effect"]]) if counter else ""
        detail = join(
            strong(_("Strongest counter-evidence")),
            f" ({effect})" if counter else "",
            ": ",
            r["counter_evidence"],
            join(" ", _source(counter)) if counter else "",
            LINE_BREAK,
            strong(_("For it")),
            ": ",
            _source(r["support_source"]),
            "; ",
            fill(_("key figure: {basis}"), basis=_(r["basis"])),
            "; ",
            fill(_("confirmed independently by {source}"), source=_source(corroboration))
            if corroboration
            else _("no independent confirmation"),
            ". ",
            strong(_("Checked in")),
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
                em(fill(_("About: {metric}"), metric=r["metric"])),
                LINE_BREAK,
                _("Source"),
                ": ",
                _source(r["source"]),
            ),
            number_button(value_glue_name(r["claim_id"]), r["book_text"]),
            join(strong(verdict_text(r["verdict"])), LINE_BREAK, r["reason"]),
        )
        rows.append(Row(cells, detail=detail, row_id=f"claim-{r['claim_id']}"))
    return render_table(
        [_("Who claimed what"), _("Book's value"), _("Verdict and why")],
        rows,
        table_id="tbl-scorecard-html",
        classes=["fb-scorecard"],
    )


def rubric_list() -> Markup:
    """:data:`RUBRIC` as a numbered list a reader can apply to any claim."""
    items = Markup("").join(
        Markup("<li>{} {}</li>").format(strong(_(question)), _(answer))
        for question, answer in RUBRIC
    )
    return Markup('<ol class="fb-rubric">{}</ol>').format(items)
