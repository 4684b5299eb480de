"""The what-if a reader tries in Jupyter tells the truth at every parameter's ends.

Each chapter with a parameters cell is run once with the defaults and once per parameter at
the low and at the high end its comment gives ("...; try 1.0 to 4.0"), by tests/whatif.py
(one process per chapter). Then, for every run:

- every comparison the prose makes about a number that depends on a parameter ("below",
  "inside the band", "N× the headline") is a glued word or multiple, and recomputing the
  relation from the run's glued values gives the same word or multiple;
- the charts that draw a parameter redraw when it changes, and the others do not;
- the numbers whose provenance names a parameter change with it, and no other number does.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from frontierbook import scaling
from frontierbook.paths import ROOT
from tests.whatif import what_if_ranges

pytestmark = [pytest.mark.slow, pytest.mark.build]

COST, SCALING = "chapters/02_cost", "chapters/03_scaling"
DOCNAMES = [COST, SCALING]

# The charts each parameter is drawn in; every other chart must stay byte-identical.
CHARTS = {
    COST: {
        "gpu_hour_price": {"fig-cost-sensitivity"},
        "utilisation": set(),
        "utilisation_low": {"fig-cost-first-principles"},
        "utilisation_high": {"fig-cost-first-principles"},
        "experiment_multiplier": {"fig-cost-sensitivity"},
        "staff_share": {"fig-cost-sensitivity"},
        "amortisation_years": set(),
        "fleet_gpus": set(),
        "capex_per_gpu": set(),
    },
    SCALING: {
        "ANNUAL_RATE": {"fig-scaling-on-trend"},
        "SONNET_COST": {"fig-scaling-on-trend"},
        "MONTHS_SINCE_SONNET": {"fig-scaling-on-trend"},
        "CURVE_GAP": {"fig-scaling-on-trend"},
    },
}

# The English words each comparison may show, by the relation it found.
WORDS = {
    "cost_pre_vs_range": {"below": "below", "inside": "inside", "above": "above"},
    "cost_fp8_vs_reported": {
        "below": "fewer than",
        "inside": "about as many as",
        "above": "more than",
    },
    "cost_hours_verdict": {
        "below": "lower than this range allows",
        "inside": "not implausibly low",
        "above": "not implausibly low",
    },
    "cost_grid_vs_capex": {"below": "less than", "inside": "as much as", "above": "more than"},
    "scal_verdict": {"below": "below", "inside": "inside", "above": "above"},
    "scal_verdict_ho": {"below": "below", "inside": "inside", "above": "above"},
    "scal_ho_slow_vs_v3": {"below": "below", "inside": "level with", "above": "above"},
    "scal_time_vs_amodei": {"below": "less than", "inside": "overlapping", "above": "more than"},
    "scal_total_vs_amodei": {
        "below": "less than",
        "inside": "which includes",
        "above": "more than",
    },
}


def standing(value, reference) -> str:
    low, high = (min(value), max(value)) if isinstance(value, list) else (value, value)
    ref = reference if isinstance(reference, list) else [reference, reference]
    if high < min(ref):
        return "below"
    if low > max(ref):
        return "above"
    return "inside"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    """``{docname: {run: {"numbers", "charts", "parameters"}}}``, one process per chapter."""
    folder = tmp_path_factory.mktemp("whatif")
    started = []
    for index, docname in enumerate(DOCNAMES):
        out = folder / f"{index}.json"
        command = [sys.executable, "-m", "tests.whatif", str(out), docname]
        log = (folder / f"{index}.log").open("w")
        started.append((out, log, subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)))
    found = {}
    for out, log, process in started:
        process.wait(timeout=1800)
        log.close()
        text = log.name and open(log.name, encoding="utf-8").read()
        assert process.returncode == 0, text[-4000:]
        found |= json.loads(out.read_text(encoding="utf-8"))
    return found


def runs_of(results: dict, docname: str):
    for run_name, run in results[docname].items():
        if run_name != "default":
            yield run_name, run


def value(run: dict, name: str):
    return run["numbers"][name]["value"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


def ratio_shown(run: dict, name: str, exact: float) -> None:
    """A glued multiple carries the quotient of the glued numbers it compares."""
    assert close(value(run, name), exact), (name, run["numbers"][name]["text"], exact)


def check_words(docname: str, run_name: str, run: dict, expected: dict[str, str]) -> list[str]:
    wrong = []
    for name, relation in expected.items():
        glued = run["numbers"][name]
        if glued["value"] != relation or glued["text"] != WORDS[name][relation]:
            wrong.append(f"{docname} at {run_name}: {name} shows {glued['text']!r}, not {relation}")
    return wrong


def test_every_parameter_has_ends_and_a_chart_entry() -> None:
    for docname, charts in CHARTS.items():
        assert set(what_if_ranges(docname)) == set(charts), docname


def test_cost_comparisons_hold_at_every_end(results) -> None:
    wrong = []
    for run_name, run in [("default", results[COST]["default"]), *runs_of(results, COST)]:
        reported = value(run, "cost_pre_hours_m")
        bf16_range, fp8_range = value(run, "cost_fp_range"), value(run, "cost_fp8_range")
        grid_max, capex = value(run, "cost_grid_max"), value(run, "cost_capex")
        in_range = standing(reported, bf16_range)
        expected = {
            "cost_pre_vs_range": in_range,
            "cost_fp8_vs_reported": standing(fp8_range, reported),
            "cost_hours_verdict": in_range,
            "cost_grid_vs_capex": standing(grid_max, capex),
        }
        wrong += check_words(COST, run_name, run, expected)
        model = value(run, "cost_p_model")
        ratio_shown(run, "cost_p_model_x", model / value(run, "cost_p_final"))
        ratio_shown(run, "cost_p_model_vs_headline", model / value(run, "cost_headline"))
        ratio_shown(run, "cost_p_fleet_x", value(run, "cost_p_purchase") / model)
        ratio_shown(run, "cost_grid_x", grid_max / value(run, "cost_headline"))
        ratio_shown(run, "cost_grid_capex_x", max(grid_max, capex) / min(grid_max, capex))
    assert not wrong, "\n".join(wrong)
    # The sentence that once called a re-priced run "the headline": at $4 an hour the model
    # is 4.9× its own final run and 9.8× DeepSeek's $5.576M.
    doubled = results[COST]["gpu_hour_price=high"]["numbers"]
    assert doubled["cost_p_model_x"]["text"] == "4.9×"
    assert doubled["cost_p_model_vs_headline"]["text"] == "9.8×"


def test_scaling_comparisons_hold_at_every_end(results) -> None:
    amodei_time = value(results[SCALING]["default"], "scal_time_factor")
    amodei_total = scaling.amodei_on_trend_multiple()
    wrong = []
    for run_name, run in [("default", results[SCALING]["default"]), *runs_of(results, SCALING)]:
        v3 = value(run, "scal_v3_cost")
        expected = {
            "scal_verdict": standing(v3, value(run, "scal_band")),
            "scal_verdict_ho": standing(v3, value(run, "scal_band_ho")),
            "scal_ho_slow_vs_v3": standing(value(run, "scal_band_ho_slow_low"), v3),
            "scal_time_vs_amodei": standing(value(run, "scal_time_factor"), amodei_time),
            "scal_total_vs_amodei": standing(value(run, "scal_total_factor"), amodei_total),
        }
        wrong += check_words(SCALING, run_name, run, expected)
        low, high = value(run, "scal_implied")
        quoted = ["scal_amodei_rate", "scal_amodei_2020", "scal_ho_rate"]
        quoted += ["scal_ho_rate_lo", "scal_ho_rate_hi"]
        covered = sum(low <= value(run, name) <= high for name in quoted)
        if value(run, "scal_implied_covers") != [covered, len(quoted)]:
            wrong.append(f"{run_name}: scal_implied_covers is not {covered} of {len(quoted)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_charts_that_draw_a_parameter_redraw(results, docname) -> None:
    default = results[docname]["default"]["charts"]
    wrong = []
    for run_name, run in runs_of(results, docname):
        parameter = run_name.split("=")[0]
        changed = {name for name, svg in default.items() if run["charts"].get(name) != svg}
        if changed != CHARTS[docname][parameter]:
            wrong.append(f"{run_name}: redrew {sorted(changed)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_numbers_follow_their_parameters(results, docname) -> None:
    """A number moves only with a parameter its provenance names, and every number that
    names a parameter moves at one of its ends at least (a comparison word may not)."""
    default = results[docname]["default"]["numbers"]
    moved: dict[str, set[str]] = {}
    wrong = []
    for run_name, run in runs_of(results, docname):
        parameter = run_name.split("=")[0]
        changed = {k for k, n in default.items() if run["numbers"][k]["text"] != n["text"]}
        assert changed, f"{run_name} changes no number in the text"
        moved.setdefault(parameter, set()).update(changed)
        for name in sorted(changed):
            if parameter not in default[name]["params"]:
                wrong.append(
                    f"{run_name}: {name} moved, its provenance names {default[name]['params']}"
                )
    for parameter in CHARTS[docname]:
        naming = {k for k, n in default.items() if parameter in n["params"]}
        still = naming - moved[parameter] - set(WORDS) - {"scal_implied_covers"}
        if still:
            wrong.append(f"{parameter}: {sorted(still)} name it but never move")
    assert not wrong, "\n".join(wrong)
