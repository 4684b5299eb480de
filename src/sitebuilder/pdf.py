"""The whole book as one PDF, printed from the built HTML: ``make pdf``.

``python -m sitebuilder.pdf`` (after ``make book``) joins every page of the built
site, in the order of the table of contents, into one print document, and has the Debian
Chromium the tests use print it to A4 with the site's own print stylesheet
(``_static/print.css``): the same text, tables and charts as the web pages. It adds a title
page, a table of contents with page numbers and a page number on every page. Links between
pages become links inside the PDF. Offline: the document reads the site's files from disk.

Chromium cannot number pages in a table of contents by itself, so the book is printed
twice: the first printing says on which page each chapter starts (read back with
``pdftotext``), and the second prints those numbers in the contents, which has the same
length either way.

The PDF goes to ``_build/html/book.pdf``, and every page's download menu gets a link to it,
with its size. It is made from the HTML now in ``_build/html`` and is not made again while
that HTML is unchanged; ``make book`` removes it with the HTML it was made from.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from frontierbook.paths import ROOT
from sitebuilder.editions import editions
from sitebuilder.layout import BuildPaths
from sitebuilder.toc import toc_docnames

BOOK_PDF = "book.pdf"
_DOWNLOAD_ITEM_CLASS = "btn-download-book-pdf-button"
# A fixed date in the PDF's metadata, so the same HTML prints the same bytes.
_FIXED_PDF_DATE = b"D:20000101000000+00'00'"
_PDF_DATE = re.compile(rb"D:\d{14}[+\-Z][0-9']*")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")
_FOOTER = (
    '<div style="width:100%;font-size:9px;text-align:center;color:#444;'
    'font-family:sans-serif"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)
_MARGINS = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}


class PdfError(Exception):
    """The PDF could not be made; the message says why."""


@dataclass
class Chapter:
    docname: str
    title: str
    part: str | None


def _page_id(docname: str) -> str:
    return "book-" + docname.replace("/", "-")


def _soup(text: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser")


def chapters(site: Path, root: Path = ROOT) -> list[Chapter]:
    """Every page in reading order, with the title and part the site's sidebar gives it."""
    nav = _soup((site / "index.html").read_text(encoding="utf-8")).select_one("nav.bd-docs-nav")
    titles: dict[str, tuple[str, str | None]] = {}
    part = None
    for element in nav.select("p.caption, a.reference"):
        if element.name == "p":
            part = element.get_text(" ", strip=True)
            continue
        href = element["href"].split("#")[0] or "index.html"
        titles[href.removesuffix(".html")] = (element.get_text(" ", strip=True), part)
    found = []
    for docname in toc_docnames(root):
        title, part_of = titles.get(docname, (docname, None))
        found.append(Chapter(docname, title, part_of))
    return found


def _resolve(page: str, target: str) -> str:
    """A link's target, relative to the site root."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), target))


def _article(site: Path, chapter: Chapter, ids: dict[str, set[str]], site_url: str | None):
    """One page's article, its ids made unique in the book and its links pointing inside it."""
    page = f"{chapter.docname}.html"
    soup = _soup((site / page).read_text(encoding="utf-8"))
    article = soup.select_one("article.bd-article")
    if article is None:
        raise PdfError(f"{page} has no article")
    # On screen only: code-cell toggles, the notebook download, scripts, heading anchors;
    # and the page's own list of sources, which the book's bibliography replaces.
    for unwanted in article.select(
        "script, details.hide.above-input, .notebook-download, a.headerlink, .fb-print-sources"
    ):
        unwanted.decompose()
    prefix = _page_id(chapter.docname)
    for element in article.select("[id]"):
        element["id"] = f"{prefix}--{element['id']}"
    for image in article.select("img[src]"):
        image["src"] = "../html/" + _resolve(page, image["src"])
        if image.get("loading"):
            del image["loading"]  # printed at once, not when scrolled to
    for link in article.select("a[href]"):
        href = link["href"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):
            continue  # an address elsewhere
        path, _, fragment = href.partition("#")
        target = _resolve(page, path).removesuffix(".html") if path else chapter.docname
        if target in ids:
            anchor = f"{_page_id(target)}--{fragment}" if fragment in ids[target] else ""
            link["href"] = f"#{anchor or _page_id(target)}"
        elif site_url:
            link["href"] = site_url + _resolve(page, href)
        else:
            del link["href"]  # a file of the site (a notebook, a table) with no address
    return article


def _ids(site: Path, chapter: Chapter) -> set[str]:
    text = (site / f"{chapter.docname}.html").read_text(encoding="utf-8")
    return set(re.findall(r'\sid="([^"]+)"', text))


def _stylesheets(site: Path) -> str:
    """The site's stylesheets as its pages link them (the landing page's head)."""
    head = _soup((site / "index.html").read_text(encoding="utf-8")).head
    links = []
    for link in head.select('link[rel="stylesheet"]'):
        href = link["href"].split("?")[0]
        links.append(f'<link rel="stylesheet" href="../html/{html.escape(href)}">')
    return "\n".join(links)


def _front_matter(site: Path, book: list[Chapter], starts: dict[str, int] | None) -> str:
    index = _soup((site / "index.html").read_text(encoding="utf-8"))
    title = book[0].title
    footer = index.select_one(".bd-footer-content")
    credits = " ".join(footer.get_text(" ", strip=True).split()) if footer else ""
    rows, part = [], None
    for chapter in book:
        if chapter.part != part and chapter.part:
            part = chapter.part
            rows.append(f'<li class="fb-book-part">{html.escape(part)}</li>')
        number = str(starts[chapter.docname]) if starts else "000"
        rows.append(
            f'<li><a href="#{_page_id(chapter.docname)}">{html.escape(chapter.title)}</a>'
            f'<span class="fb-book-page-number">{number}</span></li>'
        )
    return (
        f'<section class="fb-book-title"><h1>{html.escape(title)}</h1>'
        f"<p>{html.escape(credits)}</p></section>"
        f'<nav class="fb-book-contents"><h1>Contents</h1><ol>{"".join(rows)}</ol></nav>'
    )


_BOOK_CSS = """
html, body { background: #fff; }
body { margin: 0; }
.bd-main .bd-content { margin: 0 !important; }
.bd-article-container { max-width: none !important; }
.fb-book-title { break-after: page; padding-top: 35%; text-align: center; }
.fb-book-title h1 { font-size: 2.6rem; }
.fb-book-contents { break-after: page; }
.fb-book-contents ol { list-style: none; padding: 0; }
.fb-book-contents li { display: flex; gap: 0.5rem; margin: 0.35rem 0; }
.fb-book-contents li a { flex: 1; text-decoration: none; color: inherit; }
.fb-book-contents li.fb-book-part { font-weight: 700; margin-top: 1.2rem; }
.fb-book-page { break-before: page; }
/* The theme hides a printed page's own title, printing it above the page instead; here the
   title of each chapter is its own. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
"""


def compose(site: Path, starts: dict[str, int] | None = None, root: Path = ROOT) -> str:
    """The whole book as one HTML document, to be saved in a folder beside ``site``."""
    from sitebuilder import repository

    book = chapters(site, root)
    ids = {chapter.docname: _ids(site, chapter) for chapter in book}
    site_url = repository.site_url()
    sections = []
    for chapter in book:
        article = _article(site, chapter, ids, site_url)
        sections.append(
            f'<section class="fb-book-page" id="{_page_id(chapter.docname)}">'
            f"{article.decode_contents()}</section>"
        )
    return (
        '<!DOCTYPE html><html lang="en" data-theme="light" data-mode="light"><head>'
        f'<meta charset="utf-8"><title>{html.escape(book[0].title)}</title>'
        f"{_stylesheets(site)}<style>{_BOOK_CSS}</style></head><body>"
        '<div class="bd-main"><div class="bd-content"><div class="bd-article-container">'
        f'<article class="bd-article">{_front_matter(site, book, starts)}'
        f"{''.join(sections)}</article></div></div></div></body></html>"
    )


def _chromium() -> str:
    from sitebuilder.pageweight import CHROMIUM

    chromium = os.environ.get("BOOK_CHROMIUM") or str(CHROMIUM)
    if not Path(chromium).is_file():
        raise PdfError(f"no Chromium at {chromium}: `make browser` installs Debian's Chromium")
    return chromium


def print_pdf(document: Path, target: Path) -> None:
    """Print ``document`` to A4 with page numbers, links and an outline of its headings."""
    from playwright.sync_api import sync_playwright

    from sitebuilder.pageweight import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.emulate_media(media="print")
            page.goto(document.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.pdf(
                path=str(target),
                format="A4",
                margin=_MARGINS,
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_FOOTER,
                outline=True,
                tagged=True,
            )
        finally:
            browser.close()


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext)."""
    if shutil.which("pdftotext") is None:
        raise PdfError("pdftotext is missing: install Debian's poppler-utils (`make browser`)")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split("\f")[:-1]


def _normal(text: str) -> str:
    return " ".join(text.split())


def start_pages(pages: list[str], book: list[Chapter]) -> dict[str, int]:
    """The page (from 1) on which each chapter starts: the first page, after the contents,
    that opens with the chapter's title."""
    starts: dict[str, int] = {}
    page = 1  # after the title page
    for chapter in book:
        title = _normal(chapter.title)
        while page < len(pages) and not _normal(pages[page]).startswith(title):
            page += 1
        if page >= len(pages):
            raise PdfError(f"the printed book has no page that starts with {chapter.title!r}")
        starts[chapter.docname] = page + 1
        page += 1
    return starts


def deterministic(data: bytes) -> bytes:
    """The same bytes for the same book: Chromium stamps the time of printing and numbers
    the tagged elements by the browser's internal node ids, which vary from run to run.
    Each is replaced by a value of the same length (so no offset in the file moves): a
    fixed date, and each element's rank among the ids (so their order, which the PDF's
    sorted id tree relies on, is kept)."""

    def fixed_date(match: re.Match[bytes]) -> bytes:
        return _FIXED_PDF_DATE[: len(match.group())].ljust(len(match.group()), b"0")

    data = _PDF_DATE.sub(fixed_date, data)
    ids = sorted({int(number) for number in _NODE_ID.findall(data)})
    rank = {number: index for index, number in enumerate(ids)}
    return _NODE_ID.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], data)


def size_text(size: int) -> str:
    """'3.2 MB' for a file of ``size`` bytes (1 MB = 1,000,000 bytes)."""
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def _download_item(href: str, size: int) -> str:
    return (
        f'<li><a href="{href}" download class="btn btn-sm {_DOWNLOAD_ITEM_CLASS} '
        f'dropdown-item" title="The whole book, printed (PDF, {size_text(size)})">'
        '<span class="btn__icon-container"><i class="fas fa-file-pdf" aria-hidden="true">'
        "</i></span>"
        f'<span class="btn__text-container">Whole book (PDF, {size_text(size)})</span></a></li>'
    )


_DOWNLOAD_ITEM = re.compile(
    rf'<li><a href="[^"]*{re.escape(BOOK_PDF)}" download class="btn btn-sm '
    rf"{_DOWNLOAD_ITEM_CLASS} .*?</a></li>",
    re.DOTALL,
)


def without_pdf_link(html: str) -> str:
    """A page as ``make book`` wrote it, before ``make pdf`` offered the PDF in its menu."""
    return _DOWNLOAD_ITEM.sub("", html)


def link_from_pages(site: Path, size: int, translations: Iterable[str] = ()) -> int:
    """Add the book's PDF to every page's download menu, except in the folders of the
    ``translations`` (their languages: the PDF is the English book); return the number of
    pages."""
    linked = 0
    for page in sorted(site.rglob("*.html")):
        parts = page.relative_to(site).parts
        if "_static" in parts or parts[0] in translations:
            continue
        text = page.read_text(encoding="utf-8")
        menu = text.find('<ul class="dropdown-menu">', text.find("dropdown-download-buttons"))
        if menu < 0 or _DOWNLOAD_ITEM_CLASS in text:
            continue
        depth = len(page.relative_to(site).parts) - 1
        item = _download_item("../" * depth + BOOK_PDF, size)
        at = menu + len('<ul class="dropdown-menu">')
        page.write_text(text[:at] + item + text[at:], encoding="utf-8")
        linked += 1
    return linked


def _stamp(paths: BuildPaths) -> Path:
    return paths.state / "pdf.json"


def _html_digest(paths: BuildPaths) -> str:
    try:
        return json.loads(paths.published_stamp.read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError):
        raise PdfError("no finished build in _build/html: run make book first") from None


def build_pdf(paths: BuildPaths) -> Path | None:
    """Print the book in ``paths.html`` to ``book.pdf`` there, unless it is current; return
    the PDF made, or None when the one there is current."""
    digest = _html_digest(paths)
    target = paths.html / BOOK_PDF
    if target.is_file() and _stamp(paths).is_file():
        if json.loads(_stamp(paths).read_text(encoding="utf-8")).get("sources") == digest:
            return None
    work = paths.build_dir / "pdf"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    book = chapters(paths.html, paths.root)
    document = work / "book.html"
    document.write_text(compose(paths.html, None, paths.root), encoding="utf-8")
    draft = work / "draft.pdf"
    print_pdf(document, draft)
    starts = start_pages(pdf_pages_text(draft), book)
    document.write_text(compose(paths.html, starts, paths.root), encoding="utf-8")
    printed = work / BOOK_PDF
    print_pdf(document, printed)
    if start_pages(pdf_pages_text(printed), book) != starts:
        raise PdfError("the contents' page numbers moved the chapters; print again")
    target.write_bytes(deterministic(printed.read_bytes()))
    translations = [e.language for e in editions(paths.root) if not e.is_source]
    link_from_pages(paths.html, target.stat().st_size, translations)
    # The pages are still the build of those sources, with the link added under its lock:
    # vouch for them again, so that `make book` after `make pdf` has nothing to do.
    from sitebuilder.driver import write_stamp

    write_stamp(paths, digest)
    _stamp(paths).write_text(json.dumps({"sources": digest}), encoding="utf-8")
    return target


def main() -> int:
    from sitebuilder.driver import BuildLocked, build_lock

    paths = BuildPaths(ROOT)
    started = time.perf_counter()
    try:
        with build_lock(paths):
            made = build_pdf(paths)
    except (PdfError, BuildLocked) as error:
        print(f"frontierbook: no PDF: {error}", file=sys.stderr)
        return 1
    if made is None:
        print(f"frontierbook: {BOOK_PDF} is current")
    else:
        pages = len(pdf_pages_text(made))
        print(
            f"frontierbook: printed _build/html/{BOOK_PDF} in "
            f"{time.perf_counter() - started:.1f} s: {pages} pages, "
            f"{size_text(made.stat().st_size)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
