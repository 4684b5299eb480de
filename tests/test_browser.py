"""The built book as readers see it, in Chromium driven by Playwright.

The browser is found by tests/chromium.py (BOOK_CHROMIUM, then PATH, then known places): Debian's
chromium package here and in CI, which `make test` installs only when run as root.

Every page in the table of contents is visited at desktop and phone sizes. Requests to any
host but 127.0.0.1 are blocked and counted (none are allowed), so the site is proven to be
self-contained. Screenshots go to _build/screenshots/ for review.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontierbook.paths import ROOT
from sitebuilder.editions import editions
from sitebuilder.icons import FONT_DIR
from sitebuilder.toc import toc_docnames
from tests.conftest import CHROMIUM_ARGS

SCREENSHOTS = ROOT / "_build" / "screenshots"
# Total published size. Fixed costs: the theme's JavaScript, CSS and subset icon fonts
# (~0.8 MB, shared by every page and cached; no MathJax: equations are MathML). Content
# (pages, ~20 SVG charts with text kept as text, notebooks, data) is ~1.7 MB. What a page
# transfers to a phone is held to tighter budgets in tests/test_page_weight.py. A prototype
# of this stack was 7.4 MB, 3.5 MB of it source maps, which we drop.
# The budget leaves room for about twice today's content.
SITE_BUDGET_BYTES = 8_000_000
# One page: its HTML plus the charts it shows; a reader on a phone pays this on first visit
# on top of the shared theme. The heaviest chapter today is ~0.3 MB.
PAGE_BUDGET_BYTES = 600_000


def toc_pages() -> list[str]:
    """Every page in _toc.yml, in every edition (a translation under /<language>/), as paths
    relative to the site root."""
    return [
        f"{edition.prefix}{docname}.html"
        for edition in editions(ROOT)
        for docname in toc_docnames(ROOT)
    ]


PAGES = toc_pages()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Visit:
    """One page load with everything the tests look at recorded."""

    def __init__(
        self,
        browser,
        site: str,
        page_path: str,
        viewport: dict[str, int],
        touch: bool = False,
    ) -> None:
        # A phone: touch events and the mobile viewport, as a reader's phone has them.
        self.context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []  # uncaught exceptions, which the console misses
        self.failed: list[str] = []
        self.blocked: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
        )
        self.page.route("**/*", self._only_local)
        self.page.goto(urllib.parse.urljoin(site, page_path), wait_until="networkidle")

    def _only_local(self, route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def _screenshot(visit: Visit, path: Path) -> None:
    """The whole page, for review. The theme's sticky layout breaks Chromium's full-page
    capture, so the viewport is made as tall as the page instead (capped), then restored."""
    shot = path.parent / path.name.replace(".html", ".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    size = visit.page.viewport_size
    height = visit.page.evaluate("document.documentElement.scrollHeight")
    visit.page.set_viewport_size({"width": size["width"], "height": min(height, 16_000)})
    visit.page.screenshot(path=str(shot))
    visit.page.set_viewport_size(size)


@pytest.fixture(scope="module", params=PAGES)
def desktop(request, browser, site: str) -> Iterator[Visit]:
    visit = Visit(browser, site, request.param, {"width": 1280, "height": 900})
    visit.page.wait_for_timeout(300)  # let the theme's scripts settle before the screenshot
    _screenshot(visit, SCREENSHOTS / "desktop" / request.param)
    visit.path = request.param
    yield visit
    visit.close()


def test_no_console_errors_failed_or_third_party_requests(desktop: Visit) -> None:
    assert desktop.console_errors == []
    assert desktop.page_errors == []
    assert desktop.failed == []
    assert desktop.blocked == [], f"{len(desktop.blocked)} third-party requests"


def test_exactly_one_h1(desktop: Visit) -> None:
    # The theme repeats the title in a print-only block that is hidden on screen.
    assert desktop.page.locator("h1:visible").count() == 1
    assert desktop.page.locator("h1:not(#jb-print-docs-body h1)").count() == 1


def test_every_image_loads_and_has_alt_text(desktop: Visit) -> None:
    images = desktop.page.eval_on_selector_all(
        "main img, article img",
        "els => els.map(e => ({src: e.src, w: e.naturalWidth, alt: e.getAttribute('alt')}))",
    )
    for image in images:
        assert image["w"] > 0, image["src"]
        assert image["alt"] and image["alt"].strip(), image["src"]


def test_every_internal_link_and_anchor_resolves(desktop: Visit, site: str) -> None:
    links = desktop.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in sorted(set(links)):
        if not href.startswith(site):
            continue
        url, _, fragment = href.partition("#")
        response = desktop.page.request.get(url)
        assert response.ok, f"{href} -> {response.status}"
        if fragment and url.endswith(".html"):
            ids = _ids_on(desktop, url)
            assert urllib.parse.unquote(fragment) in ids, f"missing anchor {href}"


@functools.lru_cache(maxsize=64)
def _ids_cached(html: str) -> frozenset[str]:
    import re

    return frozenset(re.findall(r'\sid="([^"]+)"', html))


def _ids_on(visit: Visit, url: str) -> frozenset[str]:
    return _ids_cached(visit.page.request.get(url).text())


def test_maths_renders_without_a_cdn(desktop: Visit) -> None:
    if desktop.page.locator(".math").count() == 0:
        return
    # Equations are MathML from the build (sitebuilder.mathml), laid out natively.
    layouts = desktop.page.eval_on_selector_all(
        ".math",
        "els => els.map(e => { const m = e.querySelector('math');"
        " return m ? [getComputedStyle(m).display, m.getBoundingClientRect().width] : null })",
    )
    assert None not in layouts, "an equation without MathML"
    assert all(display.endswith("math") and width > 0 for display, width in layouts), layouts


_ICONS_DRAWN = """() => {
  const drawn = [];
  for (const element of document.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(element, pseudo);
      if (!style.fontFamily.includes('Font Awesome') || style.content === 'none') continue;
      const icons = [...style.content].filter(c => c >= '\\ue000' && c <= '\\uf8ff');
      for (const icon of icons)
        drawn.push([style.fontFamily, style.fontWeight, icon.codePointAt(0),
                    element.tagName + '.' + element.className]);
    }
  }
  return drawn;
}"""


def _font_file(family: str, weight: str) -> str:
    if "Brands" in family:
        return "fa-brands-400.woff2"
    return "fa-solid-900.woff2" if int(weight) >= 900 else "fa-regular-400.woff2"


@pytest.fixture(scope="module")
def icon_fonts(built_book: Path) -> dict[str, dict[str, set[int]]]:
    """Per edition ('' or 'id/'), the code points each published (subset) icon font holds."""
    from fontTools.ttLib import TTFont

    return {
        edition.prefix: {
            font.name: set(TTFont(font).getBestCmap() or {})
            for font in (built_book / edition.prefix / FONT_DIR).glob("*.woff2")
        }
        for edition in editions(ROOT)
    }


def test_every_icon_the_page_draws_is_in_its_subset_font(
    desktop: Visit, icon_fonts: dict[str, dict[str, set[int]]]
) -> None:
    """Independent of how the build chose the glyphs (sitebuilder.icons): what
    Chromium draws with the icon fonts must be in the published fonts, and every icon font
    must load."""
    desktop.page.evaluate("document.fonts.ready")
    failed = desktop.page.evaluate(
        "[...document.fonts].filter(f => f.status === 'error').map(f => f.family)"
    )
    assert failed == [], f"icon fonts that did not load: {failed}"
    edition = next(e for e in editions(ROOT)[::-1] if desktop.path.startswith(e.prefix))
    fonts = icon_fonts[edition.prefix]
    missing = [
        f"{where} draws U+{code:04X} ({family} {weight})"
        for family, weight, code, where in desktop.page.evaluate(_ICONS_DRAWN)
        if code not in fonts[_font_file(family, weight)]
    ]
    assert missing == [], missing


def test_no_serious_or_critical_accessibility_violations(desktop: Visit) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(desktop.page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_every_table_fits_the_text_column_at_1280px(desktop: Visit) -> None:
    """No table scrolls sideways on a desktop: each fits its box, and no box scrolls."""
    wide = desktop.page.evaluate(
        """() => [...document.querySelectorAll('article table')].map((t, i) => {
             const box = t.closest('.table-wrapper') || t.parentElement;
             return {table: i, heading: (t.querySelector('th') || {}).textContent,
                     width: t.scrollWidth, box: box.clientWidth, scrolls: box.scrollWidth};
           }).filter(t => t.width > t.box || t.scrolls > t.box)"""
    )
    assert wide == [], f"tables wider than the column on {desktop.path}: {wide}"


def test_the_parameters_cell_wraps_inside_its_box(desktop: Visit) -> None:
    overflowing = desktop.page.eval_on_selector_all(
        ".cell.tag_parameters pre",
        "boxes => boxes.filter(p => p.scrollWidth > p.clientWidth)"
        ".map(p => [p.scrollWidth, p.clientWidth])",
    )
    assert overflowing == [], f"parameters run out of their box on {desktop.path}"


def test_tables_show_sources_as_linked_citations_not_keys(desktop: Visit) -> None:
    from frontierbook.inputs import bib_keys
    from frontierbook.paths import BIB_PATH

    keys = set(bib_keys(BIB_PATH))
    shown = desktop.page.eval_on_selector_all(
        "article table td", "cells => cells.flatMap(c => c.innerText.split(/[\\s,;()]+/))"
    )
    assert sorted(keys & set(shown)) == [], f"source keys shown as text on {desktop.path}"
    links = desktop.page.eval_on_selector_all(
        "a.fb-cite", "links => links.map(a => [a.getAttribute('href'), a.textContent])"
    )
    for href, text in links:
        assert "bibliography.html#" in href, (href, text)
        assert text.strip() and text not in keys, (href, text)


@pytest.mark.parametrize("page_path", PAGES)
def test_dark_mode_follows_the_system_and_stays_legible(browser, site: str, page_path: str) -> None:
    """A reader whose system is dark gets the dark theme, its text in enough contrast
    (axe), and the charts on their own white ground, as in the light theme."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(urllib.parse.urljoin(site, page_path), wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        # The theme's colours fade in: measure them once every transition has finished.
        page.wait_for_function(
            "document.getAnimations().every(a => a.playState !== 'running')", timeout=10_000
        )
        results = Axe().run(page, options={"runOnly": ["color-contrast"]})
        low = [
            f"{n['target']}: {n['failureSummary'][:120]}"
            for v in results.response["violations"]
            for n in v["nodes"]
        ]
        assert low == [], f"text in too little contrast on {page_path} in dark mode"
        # The theme frames an image on a light card in dark mode (and dims it a little); the
        # chart's own ground is white (tests/test_style.py).
        grounds = page.eval_on_selector_all(
            "article img[src$='.svg']", "imgs => imgs.map(i => getComputedStyle(i).backgroundColor)"
        )
        for ground in grounds:
            channels = [int(c) for c in re.findall(r"\d+", ground)[:3]]
            assert ground == "rgba(0, 0, 0, 0)" or min(channels) >= 180, grounds
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_phone_layout_does_not_scroll_sideways(browser, site: str, page_path: str) -> None:
    visit = Visit(browser, site, page_path, PHONE, touch=True)
    try:
        _screenshot(visit, SCREENSHOTS / "mobile" / page_path)
        assert visit.page_errors == [], f"uncaught errors on {page_path} at 390px"
        assert visit.console_errors == [], f"console errors on {page_path} at 390px"
        overflow = visit.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{page_path} scrolls {overflow}px sideways at 390px"
        # A table wider than the phone must scroll in a box that itself fits the screen.
        unboxed = visit.page.evaluate(
            """() => [...document.querySelectorAll('article table')].filter(t => {
                 if (t.getBoundingClientRect().width <= window.innerWidth) return false;
                 for (let e = t.parentElement; e; e = e.parentElement) {
                   const s = getComputedStyle(e);
                   if (['auto', 'scroll'].includes(s.overflowX))
                     return e.getBoundingClientRect().width > window.innerWidth;
                 }
                 return true;
               }).length"""
        )
        assert unboxed == 0, f"{unboxed} wide tables on {page_path} do not scroll in a box"
    finally:
        visit.close()


# --- navigation: every control of the page header, tapped on a phone, clicked on a desktop


def _edition_of(page_path: str):
    """The edition a page belongs to: the one whose folder holds it (English: the root)."""
    return next(e for e in editions(ROOT)[::-1] if page_path.startswith(e.prefix))


def _edition_pages(page_path: str) -> list[str]:
    """The pages of ``page_path``'s edition, in reading order."""
    prefix = _edition_of(page_path).prefix
    return [f"{prefix}{docname}.html" for docname in toc_docnames(ROOT)]


def _next_page(page_path: str) -> str:
    """The page after ``page_path`` in its edition's reading order (the first after the
    last): the chapter list of a page leads to its own edition's pages."""
    pages = _edition_pages(page_path)
    return pages[(pages.index(page_path) + 1) % len(pages)]


def _link_to(visit: Visit, scope: str, site: str, target: str):
    """The visible link inside ``scope`` that leads to the page ``target``."""
    url = urllib.parse.urljoin(site, target)
    index = visit.page.eval_on_selector_all(
        f"{scope} a[href]",
        "(links, url) => links.findIndex(a => a.href.split('#')[0] === url"
        " && a.getClientRects().length > 0)",
        url,
    )
    assert index >= 0, f"no visible link to {target} in {scope}"
    return visit.page.locator(f"{scope} a[href]").nth(index)


def _only_visible(visit: Visit, selector: str):
    """The one element matching ``selector``, which must be visible."""
    matches = visit.page.locator(selector)
    assert matches.count() == 1, f"{matches.count()} elements match {selector}"
    assert matches.first.is_visible(), f"{selector} is not visible"
    return matches.first


def _sidebar_shown(visit: Visit) -> bool:
    return visit.page.evaluate(
        "(() => { const s = document.getElementById('pst-primary-sidebar');"
        " const r = s.getBoundingClientRect();"
        " return getComputedStyle(s).visibility === 'visible' && r.right > 0 && r.width > 0; })()"
    )


@pytest.mark.parametrize("page_path", PAGES)
def test_phone_menu_contents_home_and_search_work_by_touch(
    browser, site: str, page_path: str
) -> None:
    """On a phone, ☰ opens the chapter list and a chapter in it opens; the contents button
    opens the page's contents and a heading in it is reached with the list closed; the home
    link goes home; the search button opens the search box."""
    visit = Visit(browser, site, page_path, PHONE, touch=True)
    page = visit.page
    try:
        _only_visible(visit, ".primary-toggle").tap()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=5_000)
        chapter_list = "#pst-primary-sidebar-modal .bd-docs-nav"
        assert page.locator(f"{chapter_list} a:visible").count() >= len(_edition_pages(page_path))
        target = _next_page(page_path)
        _link_to(visit, chapter_list, site, target).tap()
        page.wait_for_url(urllib.parse.urljoin(site, target), timeout=10_000)
        page.wait_for_load_state("networkidle")

        # The page reached: its contents, if it has any, open and lead to a heading.
        toggles = page.locator(".secondary-toggle")
        if toggles.count():
            _only_visible(visit, ".secondary-toggle").tap()
            page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=5_000)
            heading_link = page.locator("#pst-secondary-sidebar-modal a[href^='#']").last
            fragment = heading_link.get_attribute("href")
            heading_link.tap()
            page.wait_for_function(f"location.hash === {fragment!r}", timeout=5_000)
            assert page.locator("#pst-secondary-sidebar-modal[open]").count() == 0
            heading = page.locator(f"[id='{fragment[1:]}']")
            assert heading.count() == 1
            top = heading.evaluate("e => e.getBoundingClientRect().top")
            assert 0 <= top < PHONE["height"], f"{fragment} is off screen ({top}px)"

        _only_visible(visit, ".search-button").tap()
        page.wait_for_selector("#pst-search-dialog[open]", timeout=5_000)
        page.keyboard.press("Escape")
        page.wait_for_selector("#pst-search-dialog:not([open])", state="attached")

        _only_visible(visit, ".fb-home-link").tap()
        home = urllib.parse.urljoin(site, f"{_edition_of(page_path).prefix}index.html")
        page.wait_for_url(lambda url: url.split("#")[0] == home, timeout=10_000)
        assert visit.page_errors == []
        assert visit.console_errors == []
    finally:
        visit.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_desktop_menu_collapses_and_expands_the_chapter_list(
    browser, site: str, page_path: str
) -> None:
    """On a desktop the chapter list is in the sidebar: ☰ hides it (the home link and the
    search button take the place of its logo and search box) and shows it again, and a
    chapter in it opens. One search box, not two."""
    visit = Visit(browser, site, page_path, DESKTOP)
    page = visit.page
    try:
        searches = page.locator(".search-button-field:visible, .search-button:visible")
        assert searches.count() == 1, f"{searches.count()} search boxes on {page_path}"
        assert _sidebar_shown(visit)
        assert not page.locator(".fb-home-link").is_visible()
        toggle = _only_visible(visit, ".primary-toggle")
        toggle.click()
        page.wait_for_function(
            "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
            " === 'hidden'",
            timeout=5_000,
        )
        assert page.locator(".fb-home-link").is_visible()
        assert page.locator(".search-button:visible").count() == 1
        toggle.click()
        page.wait_for_function(
            "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
            " === 'visible'",
            timeout=5_000,
        )
        page.wait_for_timeout(400)  # the sidebar slides back in
        assert _sidebar_shown(visit)
        target = _next_page(page_path)
        _link_to(visit, "#pst-primary-sidebar .bd-docs-nav", site, target).click()
        page.wait_for_url(urllib.parse.urljoin(site, target), timeout=10_000)
        assert visit.page_errors == []
        assert visit.console_errors == []
    finally:
        visit.close()


def _search(browser, site: str, query: str, edition=None) -> tuple[Visit, list[str]]:
    """The results page for ``query`` in ``edition`` (English when None) once every result's
    snippet is in."""
    prefix = edition.prefix if edition else ""
    visit = Visit(browser, site, f"{prefix}search.html?q={query}", DESKTOP)
    # Finished when the heading reads "Search Results" in the page's language (Sphinx's
    # Indonesian has no words for the summary line under it, so that stays empty).
    visit.page.wait_for_function(
        "(document.querySelector('#search-results h2') || {}).textContent"
        " === Documentation.gettext('Search Results')",
        timeout=30_000,
    )
    count = visit.page.locator("#search-results li").count()
    visit.page.wait_for_function(
        f"document.querySelectorAll('#search-results li p.context').length >= {count}"
        " || document.querySelectorAll('#search-results li').length === 0",
        timeout=30_000,
    )
    snippets = visit.page.eval_on_selector_all(
        "#search-results li", "items => items.map(i => i.innerText)"
    )
    return visit, snippets


def _download_words(edition) -> str:
    """The first words of the notebook download link in ``edition``'s pages."""
    from frontierbook.i18n import translations
    from sitebuilder.editions import LOCALES
    from sitebuilder.translation import SITE_DOMAIN

    sentence = (
        "<a>Download this chapter as a Jupyter notebook (.ipynb)</a> to rerun it in Jupyter "
        "or on Colab."
    )
    found = translations(edition.language, SITE_DOMAIN, ROOT / LOCALES)
    words = re.sub(r"<[^>]*>", "", found.get((None, sentence), sentence)).split()
    return " ".join(words[:2])


@pytest.mark.parametrize("edition", editions(ROOT), ids=lambda e: e.language)
def test_search_finds_h800_and_shows_prose_in_its_snippets(browser, site: str, edition) -> None:
    chrome = ("Show code cell source", "finish_chart", "ax.", _download_words(edition))
    visit, snippets = _search(browser, site, "H800", edition)
    try:
        assert len(snippets) > 0
        assert visit.blocked == []
        assert visit.page_errors == []
        for snippet in snippets:
            # No code of the hidden cells, no controls or contents lists, and no words of
            # two table cells or two paragraphs run together ("reprint.Reuters").
            for words in chrome:
                assert words not in snippet, snippet
            assert not re.search(r"[a-z]{3,}[.)][A-Z][a-z]", snippet), snippet
    finally:
        visit.close()


@pytest.mark.parametrize("edition", editions(ROOT), ids=lambda e: e.language)
def test_search_does_not_find_the_code_of_hidden_cells(browser, site: str, edition) -> None:
    for code_only in ("finish_chart", "ylabel"):
        visit, snippets = _search(browser, site, code_only, edition)
        try:
            assert snippets == [], f"{code_only!r} is found in: {snippets}"
        finally:
            visit.close()


def test_site_weight_is_within_budget(built_book: Path) -> None:
    import re

    from sitebuilder.pdf import BOOK_PDF

    # The whole book's PDF is fetched only by a reader who asks for it, and has its own
    # budget (tests/test_pdf.py).
    total = sum(
        p.stat().st_size
        for p in built_book.rglob("*")
        if p.is_file() and p != built_book / BOOK_PDF
    )
    print(f"\nsite size: {total / 1e6:.2f} MB (budget {SITE_BUDGET_BYTES / 1e6:.1f} MB)")
    heaviest = (0, "")
    for page_path in PAGES:
        html_path = built_book / page_path
        html = html_path.read_text(encoding="utf-8")
        images = {
            (html_path.parent / src).resolve()
            for src in re.findall(r'<img[^>]+src="([^"]+)"', html)
            if not src.startswith(("http:", "https:", "data:"))
        }
        weight = html_path.stat().st_size + sum(p.stat().st_size for p in images)
        print(f"  {page_path}: {weight / 1e3:.0f} kB")
        heaviest = max(heaviest, (weight, page_path))
        assert weight <= PAGE_BUDGET_BYTES, f"{page_path} weighs {weight} bytes"
    print(f"heaviest page: {heaviest[1]} {heaviest[0] / 1e3:.0f} kB")
    assert not list(built_book.rglob("*.map")), "source maps are published"
    assert total <= SITE_BUDGET_BYTES


def _as_non_root(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `command` as a user who is not root: `nobody` when the tests run as root (CI here),
    else the current user. `env -i` keeps root's environment out."""
    prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    assignments = [f"{k}={v}" for k, v in env.items()]
    return subprocess.run(
        [*prefix, "env", "-i", *assignments, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def non_root_workspace() -> Iterator[Path]:
    """A world-readable copy of the Makefile and the discovery script, a temporary HOME, and a
    fake `apt-get` first on PATH that records any call to it."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "tests").mkdir()
        shutil.copy2(ROOT / "Makefile", root / "Makefile")
        shutil.copy2(ROOT / "tests" / "chromium.py", root / "tests" / "chromium.py")
        for name in ("home", "bin", "log"):
            (root / name).mkdir()
        fake = root / "bin" / "apt-get"
        fake.write_text(f'#!/bin/sh\necho "$@" >> {root}/log/apt-get\n', encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o755)
        yield root


def _non_root_env(root: Path, **extra: str) -> dict[str, str]:
    python_dir = str(Path(shutil.which("python3") or sys.executable).parent)
    path = os.pathsep.join([str(root / "bin"), python_dir, "/usr/local/bin", "/usr/bin", "/bin"])
    return {"PATH": path, "HOME": str(root / "home"), **extra}


def test_make_browser_finds_the_installed_chromium_as_a_non_root_user(
    non_root_workspace: Path,
) -> None:
    root = non_root_workspace
    result = _as_non_root(
        ["sh", "-c", 'id -u && make --no-print-directory -C "$1" browser', "sh", str(root)],
        _non_root_env(root),
    )
    assert result.returncode == 0, result.stderr
    uid, chromium = result.stdout.split()
    assert uid != "0"
    assert not (root / "log" / "apt-get").exists(), "make browser called apt-get"
    # The browser it names starts headless for that user and renders a page.
    page = _as_non_root(
        [chromium, *CHROMIUM_ARGS, "--dump-dom", "data:text/html,<p id=ok>rendered</p>"],
        _non_root_env(root),
    )
    assert '<p id="ok">rendered</p>' in page.stdout, page.stderr[-2000:]


def test_make_browser_fails_loudly_without_apt_get_as_a_non_root_user(
    non_root_workspace: Path,
) -> None:
    root = non_root_workspace
    # No browser anywhere: the discovery step (PYTHON=false stands in for it) finds none.
    result = _as_non_root(
        ["make", "--no-print-directory", "-C", str(root), "browser", "PYTHON=false"],
        _non_root_env(root),
    )
    assert result.returncode != 0
    assert not (root / "log" / "apt-get").exists(), "make browser called apt-get"
    # A BOOK_CHROMIUM that does not run is named, not silently replaced by another browser.
    missing = str(root / "no-such-chromium")
    result = _as_non_root(
        ["make", "--no-print-directory", "-C", str(root), "browser"],
        _non_root_env(root, BOOK_CHROMIUM=missing),
    )
    assert result.returncode != 0
    assert f"BOOK_CHROMIUM={missing} does not run" in result.stderr
    assert not (root / "log" / "apt-get").exists(), "make browser called apt-get"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root installs a browser")
def test_make_browser_as_root_installs_debian_chromium_when_none_is_found(
    non_root_workspace: Path,
) -> None:
    root = non_root_workspace
    env = {**_non_root_env(root), "PATH": f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(root), "browser", "PYTHON=false"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = (root / "log" / "apt-get").read_text(encoding="utf-8").splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].split()[-4:] == [
        "chromium",
        "fonts-dejavu-core",
        "fonts-liberation",
        "poppler-utils",
    ]
    assert result.returncode != 0  # the fake apt-get installed nothing, so still no browser
