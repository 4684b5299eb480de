"""The scorecard: every claim is sourced, graded by the published rubric, linked, and valued
by the package functions; no key claim rests on secondary sources alone."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from html import unescape

import pandas as pd
import pytest

from frontierbook import load_table
from frontierbook.citations import TIERS, best_tier, source_tier
from frontierbook.cost import (
    CostParameters,
    final_run_gpu_hours,
    full_accounting,
    implied_price_per_gpu_hour,
    rental_cost,
)
from frontierbook.data import DataError, bib_keys
from frontierbook.export import chip_table
from frontierbook.paths import ROOT
from frontierbook.scaling import (
    amodei_curve_gap,
    amodei_months_since_sonnet,
    on_trend_band,
    sonnet_cost_band,
)
from frontierbook.scorecard import (
    BASES,
    COUNTER_EFFECTS,
    RUBRIC,
    VERDICTS,
    Evidence,
    amodei_band,
    benchmark_wins,
    chapter_labels,
    claim_evidence,
    claim_values,
    evidence_href,
    evidence_problems,
    grade,
    headline_numbers,
    rubric_list,
    scorecard,
    scorecard_table,
    split_evidence,
)
from frontierbook.text import usd
from sitebuilder.toc import toc_docnames


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return load_table("claims")


@pytest.fixture(scope="module")
def card() -> pd.DataFrame:
    return scorecard()


def test_every_claim_has_an_allowed_verdict_and_known_sources(claims: pd.DataFrame) -> None:
    assert set(claims["verdict"]) <= set(VERDICTS)
    for column in ("source", "support_source", "corroborated_by", "counter_source"):
        assert set(claims[column].dropna()) <= set(bib_keys()), column
    assert claims["reason"].str.len().gt(20).all()
    assert claims["counter_evidence"].str.len().gt(20).all()


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


# --- The rubric ---------------------------------------------------------------------------


def evidence(**changes) -> Evidence:
    """A claim on the public record, from a primary source, with nothing against it."""
    return dataclasses.replace(
        Evidence(
            measures_claim=True, basis="public record", support_tier="primary", corroborated=False
        ),
        **changes,
    )


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        # 1. a true figure read as something else
        ({"measures_claim": False}, "misleading"),
        # 2. a forecast or a counterfactual, however well sourced
        ({"basis": "untestable"}, "unverifiable"),
        ({"basis": "untestable", "corroborated": True}, "unverifiable"),
        # 3. only secondary sources for it
        ({"support_tier": "secondary"}, "unverifiable"),
        # 4. where the key figure starts
        ({}, "supported"),
        ({"basis": "audited"}, "supported"),
        ({"support_tier": "press"}, "supported"),
        ({"basis": "self-reported"}, "supported with caveats"),
        ({"basis": "outside estimate"}, "unverifiable"),
        # 5. independent confirmation lifts it one step
        ({"basis": "self-reported", "corroborated": True}, "supported"),
        ({"basis": "outside estimate", "corroborated": True}, "supported with caveats"),
        # 6. counter-evidence: qualifying caps, contradicting drops a step or, from a better
        # tier than the claim's own sources, overturns
        ({"counter_effect": "qualifies", "counter_tier": "secondary"}, "supported with caveats"),
        ({"counter_effect": "contradicts", "counter_tier": "primary"}, "supported with caveats"),
        (
            {
                "basis": "self-reported",
                "counter_effect": "contradicts",
                "counter_tier": "press",
                "support_tier": "press",
            },
            "unverifiable",
        ),
        (
            {"basis": "outside estimate", "counter_effect": "contradicts", "counter_tier": "press"},
            "unverifiable",
        ),
        (
            {"support_tier": "press", "counter_effect": "contradicts", "counter_tier": "primary"},
            "not supported",
        ),
    ],
)
def test_each_step_of_the_rubric(changes: dict, verdict: str) -> None:
    assert grade(evidence(**changes)) == verdict


def test_the_published_rubric_has_the_steps_grade_applies() -> None:
    # One printed step per decision in grade(), in its order, and every verdict named.
    assert len(RUBRIC) == 6
    text = " ".join(q + " " + a for q, a in RUBRIC)
    for verdict in VERDICTS:
        assert verdict in text, verdict
    html = str(rubric_list())
    assert html.count("<li>") == len(RUBRIC)


def all_evidence():
    """Every combination of the rubric's inputs that Evidence accepts."""
    for measures, basis, tier, corroborated, effect, against in itertools.product(
        (True, False), BASES, TIERS, (True, False), COUNTER_EFFECTS, (None, *TIERS)
    ):
        try:
            yield Evidence(measures, basis, tier, corroborated, effect, against)
        except ValueError:
            continue


def test_a_self_reported_uncorroborated_figure_is_never_plainly_supported() -> None:
    cases = [e for e in all_evidence() if e.basis == "self-reported" and not e.corroborated]
    assert len(cases) == 2 * len(TIERS) * (1 + 2 * len(TIERS))  # every combination
    assert all(grade(e) != "supported" for e in cases)
    # Whoever reported it: the rubric is never told who made a claim or reported its figure.
    inputs = {f.name for f in dataclasses.fields(Evidence)}
    assert not inputs & {"who", "source", "support_source", "reporter"}


def test_grade_only_ever_gives_a_published_verdict() -> None:
    assert {grade(e) for e in all_evidence()} == set(VERDICTS)


def test_every_row_gets_the_verdict_the_rubric_gives(claims: pd.DataFrame) -> None:
    assert evidence_problems(claims) == []
    for _, row in claims.iterrows():
        assert row["verdict"] == grade(claim_evidence(row)), row["claim_id"]


def test_no_self_reported_uncorroborated_row_is_plainly_supported(claims: pd.DataFrame) -> None:
    rows = claims[(claims["basis"] == "self-reported") & claims["corroborated_by"].isna()]
    assert len(rows) >= 3
    assert (rows["verdict"] != "supported").all(), rows[["claim_id", "verdict"]]


def test_the_regraded_claims(claims: pd.DataFrame) -> None:
    row = claims.set_index("claim_id")
    # Sacks's billion is no better than SemiAnalysis's estimate it rests on.
    assert row.at["sacks-1b", "support_source"] == "semianalysis2025debates"
    assert row.at["sacks-1b", "verdict"] == row.at["semianalysis-1600m", "verdict"]
    # DeepSeek's own unaudited figures are graded like anyone's.
    for claim in ("deepseek-5576k", "amodei-r1-cheap"):
        assert row.at[claim, "basis"] == "self-reported", claim
        assert row.at[claim, "verdict"] == "supported with caveats", claim
    # Nvidia's statement is graded on both sides: the reported counter-evidence contradicts it.
    assert row.at["nvidia-compliant", "counter_effect"] == "contradicts"
    assert row.at["nvidia-compliant", "counter_source"] == "reuters2025deepseekmilitary"
    # The Rosenberg rows rest on outside sources, not on the book's own estimate.
    for claim in ("rosenberg-misleading", "rosenberg-datasets"):
        assert row.at[claim, "support_source"] != row.at[claim, "source"]
        assert not pd.isna(row.at[claim, "corroborated_by"]), claim


def test_a_stored_verdict_the_rubric_does_not_give_is_refused(claims: pd.DataFrame) -> None:
    bad = claims.copy()
    bad.loc[bad["claim_id"] == "amodei-r1-cheap", "verdict"] = "supported"
    bad.loc[bad["claim_id"] == "seed-h8000", "counter_effect"] = "qualifies"  # but no source
    problems = [str(p) for p in evidence_problems(bad)]
    line = {c: i + 2 for i, c in enumerate(claims["claim_id"])}
    assert problems == [
        f"data/claims.csv, row {line['amodei-r1-cheap']}, column 'verdict': 'supported', but the "
        "rubric gives 'supported with caveats' (frontierbook.scorecard.grade)",
        f"data/claims.csv, row {line['seed-h8000']}, column 'counter_source': give a source "
        "exactly when counter_effect is not 'none'",
    ]


def test_the_scorecard_refuses_a_table_whose_verdict_is_not_the_rubrics(
    claims: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import frontierbook.scorecard as module

    bad = claims.copy()
    bad.loc[bad["claim_id"] == "sacks-1b", "verdict"] = "supported with caveats"
    real = module.load_table
    monkeypatch.setattr(module, "load_table", lambda n: bad if n == "claims" else real(n))
    with pytest.raises(DataError, match=r"data/claims.csv, row 6, column 'verdict'"):
        scorecard()


# --- No key claim rests on secondary sources alone ------------------------------------------


def test_the_tier_check_sees_a_secondary_only_claim() -> None:
    secondary = [k for k in bib_keys() if source_tier(k) == "secondary"]
    better = [k for k in bib_keys() if source_tier(k) != "secondary"]
    assert secondary and better
    assert best_tier(secondary[:2]) == "secondary"
    assert best_tier([*secondary[:2], better[0]]) != "secondary"
    assert best_tier([]) is None


def test_no_scorecard_row_rests_only_on_secondary_sources(claims: pd.DataFrame) -> None:
    for _, row in claims.iterrows():
        support = [row["support_source"], row["corroborated_by"]]
        assert best_tier(k for k in support if not pd.isna(k)) != "secondary", row["claim_id"]


def opening_numbers(docname: str) -> list[str]:
    """The published numbers ({eval}`name`) in a page's opening: before its first '## '."""
    text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    body = text.split("\n# ", 1)[-1] if "\n# " in text else text
    opening = re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]
    return re.findall(r"\{eval\}`([^`]+)`", opening)


def test_no_number_in_a_chapters_opening_rests_only_on_secondary_sources(built_book) -> None:
    published = json.loads((built_book / "numbers" / "numbers.json").read_text("utf-8"))
    sources = {n["name"]: [r["source"] for r in n["rows"]] for n in published["numbers"]}
    checked = 0
    # The landing page and the numbered chapters; not the glossary or the appendices.
    pages = [d for d in toc_docnames(ROOT) if d == "index" or re.match(r"chapters/\d", d)]
    assert len(pages) == 6
    for docname in pages:
        for name in opening_numbers(docname):
            if not sources.get(name):
                continue  # computed from parameters alone: no source to rest on
            assert best_tier(sources[name]) != "secondary", (docname, name, sources[name])
            checked += 1
    assert checked >= 15


# --- The table as readers see it -----------------------------------------------------------


def test_every_row_shows_its_counter_evidence_and_its_sources_with_tiers(card) -> None:
    html = str(scorecard_table(card))
    rows = re.findall(
        r'<tr id="claim-([a-z0-9-]+)">(.*?)</tr><tr class="row-detail">(.*?)</tr>', html, re.S
    )
    assert [r[0] for r in rows] == list(card["claim_id"])
    for (claim_id, _, detail), (_, row) in zip(rows, card.iterrows(), strict=True):
        text = unescape(re.sub(r"<[^>]+>", "", detail))
        assert "Strongest counter-evidence" in text, claim_id
        assert row["counter_evidence"] in text, claim_id
        assert "{" not in row["counter_evidence"], claim_id
        assert f"({row['support_tier']})" in text, claim_id
        # The section's title, never the docname#label the data uses.
        assert row["evidence_heading"] in text and "chapters/" not in text, claim_id
        if not pd.isna(row["counter_source"]):
            assert f'data-cite="{row["counter_source"]}"' in detail, claim_id
    # Data is escaped on its way in: a quotation mark in a claim is an entity, not markup.
    assert "&#34;" in html


def test_source_links_point_at_their_bibliography_entries(built_book, card) -> None:
    page = (built_book / "chapters" / "05_scorecard.html").read_text(encoding="utf-8")
    bibliography = (built_book / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    links = re.findall(
        r'<a class="fb-cite" href="bibliography\.html#([^"]+)" data-cite="([^"]+)">', page
    )
    cited = card[["source", "support_source", "corroborated_by", "counter_source"]]
    assert len(links) == int(cited.notna().sum().sum())
    for anchor, key in links:
        entry = re.search(rf'<div class="citation" id="{anchor}">(.*?)</div>', bibliography, re.S)
        assert entry, (key, anchor)
        assert f"Tier: <strong>{source_tier(key)}</strong>" in entry.group(1), key
    assert "chapters/0" not in re.sub(r"<[^>]+>", "", page.split('id="tbl-scorecard-html"')[1])


def test_the_bibliography_shows_every_sources_tier(built_book) -> None:
    page = (built_book / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    tiers = re.findall(r"Tier: <strong>(primary|press|secondary)</strong>", page)
    assert len(tiers) == len(bib_keys())
    assert page.count("Why no better copy: ") == tiers.count("secondary")


def test_the_popover_data_carries_each_sources_tier(built_book) -> None:
    page = (built_book / "chapters" / "02_cost.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="fb-numbers">(.*?)</script>', page, re.S)
    rows = [row for number in json.loads(data.group(1)).values() for row in number["rows"]]
    assert len(rows) > 20
    assert {row["tier"] for row in rows} <= set(TIERS)


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_scorecard_fits_the_text_column(site: str, browser, viewport) -> None:
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{site}chapters/05_scorecard.html", wait_until="networkidle")
        table = page.locator("#tbl-scorecard-html")
        table.scroll_into_view_if_needed()
        sizes = page.evaluate(
            """() => {
              const table = document.getElementById('tbl-scorecard-html');
              const box = table.closest('.table-wrapper');
              const text = document.querySelector('.bd-article');
              return {table: table.scrollWidth, box: box.clientWidth, text: text.clientWidth,
                      details: table.querySelectorAll('tr.row-detail').length};
            }"""
        )
        # No sideways scrolling: the table, its evidence lines included, is as wide as the
        # text column at most.
        assert sizes["table"] <= sizes["box"] <= sizes["text"], sizes
        assert sizes["details"] == len(load_table("claims"))
        counter = page.locator("#tbl-scorecard-html tr.row-detail").first
        assert counter.is_visible() and "Strongest counter-evidence" in counter.inner_text()
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        table.screenshot(path=str(shots / f"scorecard-{width}.png"))
    finally:
        context.close()
