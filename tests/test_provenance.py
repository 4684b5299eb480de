"""Every number in the prose shows where it comes from (issue #18).

The built pages are checked as files (every number button has provenance naming rows that
exist in data/, and numbers.json agrees with the pages), then in Debian's Chromium at
desktop and phone sizes: the popover opens on click and on the keyboard, closes on Escape,
passes axe, and shows the $5.576M headline's source.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from frontierbook.inputs import bib_keys
from frontierbook.paths import ROOT
from frontierbook.provenance import WITHOUT_INPUTS, input_rows
from sitebuilder.numbers import SCHEMA_PATH
from sitebuilder.toc import toc_docnames
from tests.test_browser import Visit

PAGES = [f"{docname}.html" for docname in toc_docnames(ROOT)]
SCREENSHOTS = ROOT / "_build" / "screenshots" / "provenance"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
_BUTTON = re.compile(
    r'<button type="button" class="([^"]*)"[^>]*data-fb-num="([^"]+)"[^>]*>(.*?)</button>'
)
_DATA = re.compile(r'<script type="application/json" id="fb-numbers">(.*?)</script>', re.S)


def _page_numbers(html: str) -> tuple[list[tuple[str, str]], dict]:
    """(name, shown text) of every number button, and the page's provenance JSON."""
    buttons = [(name, unescape(text)) for _, name, text in _BUTTON.findall(html)]
    match = _DATA.search(html)
    return buttons, json.loads(match.group(1)) if match else {}


@pytest.fixture(scope="module")
def numbers_json(built_book: Path) -> dict:
    return json.loads((built_book / "numbers" / "numbers.json").read_text(encoding="utf-8"))


def test_every_number_on_every_page_has_provenance_naming_real_rows(built_book: Path) -> None:
    seen = 0
    for page in PAGES:
        html = (built_book / page).read_text(encoding="utf-8")
        buttons, provenance = _page_numbers(html)
        # Only a listed unit conversion may be shown without its provenance button.
        assert "fb-num-plain" not in html or WITHOUT_INPUTS, page
        for name, text in buttons:
            info = provenance.get(name)
            assert info, f"{page}: {name} has no provenance"
            assert info["value"] == text, (
                f"{page}: {name} shows {text!r}, recorded {info['value']!r}"
            )
            assert info["how"].strip()
            assert info["rows"] or info["params"] or info["assumptions"], f"{page}: {name}"
            seen += 1
    assert seen > 200  # the book shows about 270 numbers


def test_every_recorded_row_exists_in_the_data_with_a_bibliography_key(numbers_json: dict) -> None:
    keys = set(bib_keys())
    for number in numbers_json["numbers"]:
        for row in number["rows"]:
            (found,) = input_rows((row["table"], row["key"]))
            assert found["source"] == row["source"] and found["source"] in keys, number["name"]
            assert found["kind"] == row["kind"], number["name"]


def test_numbers_json_validates_and_equals_the_numbers_on_the_pages(
    built_book: Path, numbers_json: dict
) -> None:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(numbers_json, schema)
    assert (built_book / "numbers" / "numbers.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()
    published = {(n["page"], n["name"]): n["value"] for n in numbers_json["numbers"]}
    shown = 0
    for page in PAGES:
        buttons, _ = _page_numbers((built_book / page).read_text(encoding="utf-8"))
        for name, text in buttons:
            assert published[(page, name)] == text, f"{page}: {name}"
            shown += 1
    assert shown > 200
    csv_lines = (built_book / "numbers" / "numbers.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) >= len(numbers_json["numbers"]) + 1


def test_the_appendix_lists_every_number(built_book: Path, numbers_json: dict) -> None:
    html = (built_book / "chapters" / "data.html").read_text(encoding="utf-8")
    for number in numbers_json["numbers"]:
        assert f'id="number-{number["name"]}"' in html


HEADLINE = "button.fb-num[data-fb-num='cost_headline']"


@pytest.fixture(params=sorted(SIZES))
def cost_page(request, browser, site: str):
    visit = Visit(browser, site, "chapters/02_cost.html", SIZES[request.param])
    visit.size = request.param
    yield visit
    visit.close()


def _assert_clean(visit: Visit) -> None:
    """No console error, failed or third-party request. (Not checked after axe: axe-core
    re-fetches stylesheets and resolves the theme's @import against the site root.)"""
    assert (visit.console_errors, visit.failed, visit.blocked) == ([], [], [])


def _popover(visit: Visit):
    return visit.page.locator(".fb-pop[role='dialog']")


def test_click_opens_the_headline_with_its_source_and_kind(cost_page: Visit) -> None:
    page = cost_page.page
    button = page.locator(HEADLINE).first
    assert button.get_attribute("aria-expanded") == "false"
    button.scroll_into_view_if_needed()
    button.click()
    popover = _popover(cost_page)
    assert popover.count() == 1 and popover.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    assert popover.get_attribute("aria-label") == "Where $5.576M comes from"
    text = popover.inner_text()
    assert "DeepSeek-AI 2024" in text and "reported" in text and "v3_stages" in text
    cite = popover.get_by_role("link", name="DeepSeek-AI 2024").first
    assert re.search(r"bibliography\.html#", cite.get_attribute("href"))
    # It fits on the screen, phone included.
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"cost-headline-{cost_page.size}.png"))
    page.keyboard.press("Escape")
    assert popover.count() == 0
    assert button.get_attribute("aria-expanded") == "false"
    _assert_clean(cost_page)


def test_tab_then_enter_opens_and_escape_closes(cost_page: Visit) -> None:
    page = cost_page.page
    # Focus whatever comes just before the headline in tab order, then press Tab. (That is
    # another number, whose popover opens on focus as a preview that adds no tab stops.)
    page.evaluate(
        """sel => {
          const target = document.querySelector(sel);
          const all = [...document.querySelectorAll('a[href], button, [tabindex="0"], input')]
            .filter(e => !e.disabled && e.offsetParent !== null);
          all[all.indexOf(target) - 1].focus();
        }""",
        HEADLINE,
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.fbNum") == "cost_headline"
    page.keyboard.press("Enter")
    popover = _popover(cost_page)
    assert popover.is_visible()
    assert "DeepSeek-AI 2024" in popover.inner_text()
    # The next Tab reaches the popover's links (it follows the number in the page).
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.fb-pop')")
    page.keyboard.press("Escape")
    assert popover.count() == 0
    assert page.evaluate("document.activeElement.dataset.fbNum") == "cost_headline"
    _assert_clean(cost_page)


def test_no_serious_accessibility_violations_with_the_popover_open(cost_page: Visit) -> None:
    from axe_playwright_python.sync_playwright import Axe

    cost_page.page.locator(HEADLINE).first.click()
    assert _popover(cost_page).is_visible()
    results = Axe().run(cost_page.page)
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_estimates_and_reported_figures_look_different(cost_page: Visit) -> None:
    page = cost_page.page
    style = "el => getComputedStyle(el).textDecorationStyle"
    assert page.locator(HEADLINE).first.evaluate(style) == "solid"
    assert page.locator("button.fb-num[data-fb-num='cost_capex']").first.evaluate(style) == "dotted"


def test_the_scorecard_values_open_their_provenance(browser, site: str) -> None:
    visit = Visit(browser, site, "chapters/05_scorecard.html", SIZES["desktop"])
    try:
        cells = visit.page.locator("#tbl-scorecard-html button.fb-num")
        assert cells.count() > 10
        cells.first.scroll_into_view_if_needed()
        cells.first.click()
        text = _popover(visit).inner_text()
        assert "DeepSeek-AI 2024" in text and "v3_stages" in text
        _assert_clean(visit)
    finally:
        visit.close()
