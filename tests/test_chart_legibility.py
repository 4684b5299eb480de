"""Every chart's text is legible where readers see it: at phone and at desktop width.

Charts are shown as ``<img src="….svg">``, whose text a page cannot inspect. For each chart
the test fetches the same SVG, puts it inline in the page in a box exactly as wide as the
``<img>`` is rendered, and reads each ``<text>`` element's font size times the scale the
browser applies to it (``getScreenCTM``): the size in CSS px that a reader sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontierbook.chartlint import MIN_PHONE_TEXT_PX
from tests.test_browser import PAGES

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}

MEASURE_JS = """
async (img) => {
  const width = img.getBoundingClientRect().width;
  const svg = await (await fetch(img.currentSrc || img.src)).text();
  const box = document.createElement("div");
  box.style.cssText = `position:absolute;left:0;top:0;width:${width}px;visibility:hidden`;
  box.innerHTML = svg;
  const root = box.querySelector("svg");
  root.style.width = "100%";
  root.style.height = "auto";
  document.body.appendChild(box);
  const sizes = [];
  for (const text of root.querySelectorAll("text")) {
    if (!text.textContent.trim()) continue;
    const m = text.getScreenCTM();
    const scale = Math.hypot(m.a, m.b);
    sizes.push([text.textContent.trim(), parseFloat(getComputedStyle(text).fontSize) * scale]);
  }
  box.remove();
  return {src: img.getAttribute("src"), width, sizes};
}
"""


@pytest.fixture(scope="module")
def chart_text_sizes(site: str, browser) -> Iterator[dict[str, list[dict]]]:  # noqa: F811
    """{viewport: [{page, src, width, sizes: [(text, px), ...]}, ...]} for every chart."""
    found: dict[str, list[dict]] = {}
    for name, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        found[name] = []
        for path in PAGES:
            page.goto(site + path, wait_until="load")
            for img in page.query_selector_all("figure img[src$='.svg']"):
                img.scroll_into_view_if_needed()
                result = img.evaluate(MEASURE_JS)
                found[name].append({"page": path, **result})
        context.close()
    yield found


def test_every_chart_is_measured(chart_text_sizes) -> None:
    for charts in chart_text_sizes.values():
        assert len(charts) >= 18
        for chart in charts:
            assert chart["width"] > 0 and len(chart["sizes"]) >= 3, chart["src"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_smallest_chart_text_is_legible(chart_text_sizes, viewport: str) -> None:
    too_small = [
        f"{chart['page']} {Path(chart['src']).name[:12]}: {text!r} at {px:.1f} px "
        f"(chart {chart['width']:.0f} px wide)"
        for chart in chart_text_sizes[viewport]
        for text, px in chart["sizes"]
        if px < MIN_PHONE_TEXT_PX
    ]
    assert not too_small, "\n".join(too_small[:20])


def test_phone_charts_fill_the_column_without_sideways_scroll(chart_text_sizes) -> None:
    for chart in chart_text_sizes["phone"]:
        assert 300 <= chart["width"] <= 390, (chart["page"], chart["src"], chart["width"])


CAPTION_VALUES_JS = """
() => [...document.querySelectorAll(
  "figcaption span.output, figcaption .pasted-text,"
  + " figcaption button.fb-num, figcaption .fb-num-plain")].map(
  (el) => {
    const style = getComputedStyle(el);
    const lineHeight = parseFloat(getComputedStyle(el.parentElement).lineHeight) || 24;
    return {
      text: el.textContent,
      tag: el.tagName,
      whiteSpace: style.whiteSpace,
      display: style.display,
      border: parseFloat(style.borderTopWidth) + parseFloat(style.borderLeftWidth),
      background: style.backgroundColor,
      lines: el.getClientRects().length,
      tall: el.getBoundingClientRect().height > 1.5 * lineHeight,
    };
  })
"""


def test_glued_values_in_captions_read_inline_unboxed_and_unbroken(site: str, browser) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    found = []
    for path in PAGES:
        page.goto(site + path, wait_until="load")
        found += [(path, value) for value in page.evaluate(CAPTION_VALUES_JS)]
    context.close()
    assert found, "no glued value in any caption: the test would prove nothing"
    for path, value in found:
        # A value with provenance is a <button>, which Chromium lays out as an inline block
        # whatever its display: it sits in the line as one piece, and nowrap keeps its text
        # on one line inside it.
        inline = ("inline", "inline-block") if value["tag"] == "BUTTON" else ("inline",)
        assert value["display"] in inline, (path, value)
        assert value["whiteSpace"] == "nowrap", (path, value)
        assert value["border"] == 0, (path, value)
        assert value["background"] in ("rgba(0, 0, 0, 0)", "transparent"), (path, value)
        assert value["lines"] == 1 and not value["tall"], (path, value)
