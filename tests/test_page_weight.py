"""A light site for readers on slow phones.

The built book is served with gzip and caching as GitHub Pages serves it, and Debian's
Chromium, at phone size, records what each page transfers (sitebuilder.pageweight):
- a first visit to any chapter stays within 350 kB, to the landing page within 250 kB;
- a visit to another chapter right after one (the shared files cached) within 80 kB;
- no render-blocking script is over 30 kB.
And the three things that keep it light stay in place: equations are MathML (no MathJax),
the theme's icons come from a subset of its icon font (no fontawesome.js), and chart images
carry their size and load lazily below the fold.

Each page is loaded once for a first visit and once on a tour of the book in order; every
check reads those loads. That icons drawn on each page are in the subset font is checked
on the desktop visits of tests/test_browser.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontierbook.paths import ROOT
from sitebuilder import pageweight
from sitebuilder.chartimages import svg_size
from sitebuilder.editions import editions
from sitebuilder.icons import FONT_DIR, ICON_SCRIPT, icon_code_points, subset_font
from sitebuilder.mathml import MathError, tex_to_mathml
from sitebuilder.toc import toc_docnames

# Every page of every edition; a translated edition is a site of its own under /<language>/.
EDITION_PAGES = {
    edition.prefix: [f"{edition.prefix}{docname}.html" for docname in toc_docnames(ROOT)]
    for edition in editions(ROOT)
}
PAGES = [page for pages in EDITION_PAGES.values() for page in pages]
LANDINGS = {f"{prefix}index.html" for prefix in EDITION_PAGES}
_IMG = re.compile(r"<img\b[^>]*>")


def _attribute(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def served(built_book: Path) -> Iterator[str]:
    with pageweight.serve(built_book) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def chromium(browser) -> object:
    return browser  # the session's one Chromium (tests/conftest.py)


@pytest.fixture(scope="module")
def first_visits(chromium, served: str) -> dict[str, pageweight.PageLoad]:
    """One first visit to each page, shared by every check that reads a first visit."""
    return {page: pageweight.first_visit(chromium, served, page) for page in PAGES}


@pytest.fixture(scope="module")
def repeat_visits(chromium, served: str) -> dict[str, tuple[str, pageweight.PageLoad]]:
    """Each page visited right after another: a reader going through one edition of the book
    in order (every page after the one before it, with what the earlier pages fetched
    cached), and the landing page after the first chapter."""
    visits = {}
    for pages in EDITION_PAGES.values():
        loads = pageweight.tour(chromium, served, pages)
        visits.update({pages[i]: (pages[i - 1], loads[i]) for i in range(1, len(pages))})
        first = pageweight.repeat_visit(chromium, served, pages[1], pages[0])
        visits[pages[0]] = (pages[1], first)
    return visits


# --- the budgets --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_first_visit_is_within_budget(first_visits, page: str) -> None:
    load = first_visits[page]
    budget = (
        pageweight.LANDING_FIRST_VISIT_BUDGET
        if page in LANDINGS
        else pageweight.CHAPTER_FIRST_VISIT_BUDGET
    )
    assert load.html > 0, f"{page}: the page itself was not loaded"
    assert load.total <= budget, (
        f"first visit to {page} transfers {load.total / 1e3:.0f} kB (budget "
        f"{budget / 1e3:.0f} kB); heaviest: {load.describe_heaviest()}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_repeat_visit_is_within_budget(repeat_visits, page: str) -> None:
    before, load = repeat_visits[page]
    assert load.html > 0, f"{page}: the page itself was not loaded"
    assert load.total <= pageweight.REPEAT_VISIT_BUDGET, (
        f"visit to {page} after {before} transfers {load.total / 1e3:.0f} kB (budget "
        f"{pageweight.REPEAT_VISIT_BUDGET / 1e3:.0f} kB); heaviest: {load.describe_heaviest()}"
    )


@pytest.mark.parametrize("page", [*sorted(LANDINGS), "chapters/02_cost.html"])
def test_no_render_blocking_script_over_the_limit(first_visits, page: str) -> None:
    load = first_visits[page]
    # The theme's own scripts must be among what Chromium counts, or the check proves nothing.
    assert load.blocking_scripts(), f"{page}: no render-blocking script recorded at all"
    too_big = [
        f"{t.name} {t.transferred / 1e3:.0f} kB"
        for t in load.blocking_scripts()
        if t.transferred > pageweight.BLOCKING_SCRIPT_LIMIT
    ]
    assert too_big == [], f"{page}: render-blocking scripts over 30 kB: {too_big}"


def test_measurement_counts_gzip_and_the_cache(
    first_visits, repeat_visits, built_book: Path
) -> None:
    """The budgets mean what they say: bytes are the compressed ones, cached files cost 0."""
    first = first_visits["chapters/02_cost.html"]
    html = next(t for t in first.transfers if t.resource_type == "Document")
    on_disk = (built_book / "chapters" / "02_cost.html").stat().st_size
    assert html.transferred < on_disk / 3, "the HTML was not served gzip-compressed"
    css = {t.name for t in first.transfers if t.resource_type == "Stylesheet"}
    before, repeat = repeat_visits[html.name]
    assert before == "chapters/01_timeline.html"
    assert all(t.transferred == 0 for t in repeat.transfers if t.name in css)


# --- what keeps the site light ------------------------------------------------------------


def test_no_page_loads_mathjax_and_equations_are_mathml(built_book: Path) -> None:
    assert not list(built_book.rglob("*mathjax*")), "MathJax is published"
    pages_with_maths = 0
    for page in PAGES:
        html = (built_book / page).read_text(encoding="utf-8")
        assert "mathjax" not in re.sub(r"mathjax_ignore", "", html).lower(), page
        if 'class="math' in html:
            pages_with_maths += 1
            # Every inline span and display div of maths holds MathML.
            containers = len(re.findall(r'<(?:div|span) class="math notranslate', html))
            assert html.count("<math xmlns=") >= containers, page
            assert "\\frac" not in html and "\\text{" not in html, f"{page} shows raw TeX"
    assert pages_with_maths >= 3, "the cost, scaling and export chapters have equations"


def test_tex_becomes_escaped_mathml() -> None:
    mathml = tex_to_mathml(r"C \approx 6\,N_\text{active}\,D", display=True)
    assert mathml.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"')
    assert "<mtext>active</mtext>" in mathml and "\u2248" in mathml
    # Text inside \text{} is text, never markup.
    assert "<b>" not in tex_to_mathml(r"\text{<b>bold</b>}", display=False)
    assert "&lt;b&gt;" in tex_to_mathml(r"\text{<b>bold</b>}", display=False)


@pytest.mark.parametrize("tex", [r"\unknowncommand{x}", r"\frac{a}{", r"a &= b \\ c &= d"])
def test_tex_that_mathml_cannot_show_stops_the_build(tex: str) -> None:
    with pytest.raises(MathError):
        tex_to_mathml(tex, display=True)


def test_icon_font_subset_depends_only_on_the_glyphs_kept(tmp_path: Path) -> None:
    """Two subsets with the same glyphs are byte-identical, whenever they are made (the
    incremental build must equal a clean one); other glyphs give other bytes."""
    import pydata_sphinx_theme
    from fontTools.ttLib import TTFont

    source = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    source = source / "static" / FONT_DIR.relative_to("_static") / "fa-solid-900.woff2"
    first, second, other = tmp_path / "1.woff2", tmp_path / "2.woff2", tmp_path / "3.woff2"
    subset_font(source, first, {0xF0C9, 0xF002, 0xF185})
    time.sleep(1.1)  # the font's `head.modified` counts seconds
    subset_font(source, second, {0xF185, 0xF0C9, 0xF002})
    subset_font(source, other, {0xF0C9})
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    kept = TTFont(first).getBestCmap()
    assert {0xF0C9, 0xF002, 0xF185} <= set(kept) and len(kept) < 10
    # Writing the same subset again leaves the file untouched.
    before = first.stat().st_mtime_ns
    subset_font(source, first, {0xF0C9, 0xF002, 0xF185})
    assert first.stat().st_mtime_ns == before


def test_no_icon_script_and_every_icon_in_the_subset_font(built_book: Path) -> None:
    from fontTools.ttLib import TTFont

    assert not list(built_book.rglob(ICON_SCRIPT)), f"{ICON_SCRIPT} is published"
    for page in PAGES:
        assert ICON_SCRIPT not in (built_book / page).read_text(encoding="utf-8"), page
    needed = icon_code_points(built_book)
    # The header buttons' icons at least: bars, download, expand, sun/moon, magnifying glass.
    assert {0xF0C9, 0xF019, 0xF065, 0xF185, 0xF186, 0xF002} <= needed
    solid = built_book / FONT_DIR / "fa-solid-900.woff2"
    assert solid.stat().st_size < 20_000, "the icon font is not subset"
    in_fonts: set[int] = set()
    for font in (built_book / FONT_DIR).glob("*.woff2"):
        in_fonts |= set(TTFont(font).getBestCmap() or {})
    assert needed - in_fonts == set(), [hex(c) for c in needed - in_fonts]


def test_theme_buttons_keep_their_icon_and_name(chromium, served: str) -> None:
    context = chromium.new_context(viewport=pageweight.PHONE_VIEWPORT)
    try:
        page = context.new_page()
        page.goto(served + "chapters/02_cost.html", wait_until="networkidle")
        page.evaluate("document.fonts.ready")
        buttons = page.evaluate(
            """() => [...document.querySelectorAll('.bd-header button, .bd-header-article button')]
            .filter(b => b.offsetParent !== null).map(b => {
              const icon = [...b.querySelectorAll('i, span.fa-solid')]
                .find(i => getComputedStyle(i).display !== 'none');
              const glyph = icon ? getComputedStyle(icon, '::before').content : 'none';
              const box = icon ? icon.getBoundingClientRect() : {width: 0};
              return {name: b.getAttribute('aria-label') || b.getAttribute('title') || '',
                      glyph, width: box.width,
                      loaded: document.fonts.check('900 16px "Font Awesome 6 Free"')};
            })"""
        )
    finally:
        context.close()
    names = {b["name"] for b in buttons}
    # At phone width; full-screen mode is left out there (it means nothing on a phone).
    assert {"Chapters", "Download this page", "Color mode", "Search", "On this page"} <= names, (
        names
    )
    for button in buttons:
        assert button["name"], f"a header button has no accessible name: {button}"
        assert button["glyph"] not in ("none", "normal", ""), f"no icon: {button}"
        assert button["width"] > 8 and button["loaded"], f"icon not drawn: {button}"


def test_chart_images_carry_their_size_and_load_lazily_below_the_fold(built_book: Path) -> None:
    charts = 0
    for page in PAGES:
        html = (built_book / page).read_text(encoding="utf-8")
        for tag in _IMG.findall(html):
            src = _attribute(tag, "src") or ""
            if not src.endswith(".svg"):
                continue
            charts += 1
            svg = ((built_book / page).parent / src).resolve().read_bytes()
            expected = svg_size(svg)
            assert expected is not None, f"{page}: {src} has no size"
            size = (int(_attribute(tag, "width") or 0), int(_attribute(tag, "height") or 0))
            assert size == expected, f"{page}: {src} is {size}, its SVG {expected}"
            # No fonts inside the charts: text stays text in the page's own fonts.
            assert b"@font-face" not in svg and b"font/woff" not in svg, f"{src} embeds a font"
        lazy = [t for t in _IMG.findall(html) if _attribute(t, "loading") == "lazy"]
        if page in ("chapters/02_cost.html", "chapters/03_scaling.html"):
            assert lazy, f"{page}: its charts below the fold are not lazy"
    assert charts >= 10


def test_svg_size_reads_points_pixels_and_view_box() -> None:
    assert svg_size(b'<svg width="460.8pt" height="345.6pt" viewBox="0 0 460.8 345.6">') == (
        614,
        461,
    )
    assert svg_size(b'<svg width="300" height="200">') == (300, 200)
    assert svg_size(b'<svg width="100%" viewBox="0 0 640 480">') == (640, 480)
    assert svg_size(b"<p>not an svg</p>") is None
