"""The whole book as one PDF (sitebuilder.pdf), read back as a reader gets it.

``make pdf`` prints the built HTML with Chromium; these tests read the PDF with poppler's
``pdftotext`` and ``pdfinfo`` and hold it to the pages it was printed from: every heading,
every chart, every table cell, a table of contents whose page numbers are right, a number on
every page, and its size stated where it is offered.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from frontierbook.paths import ROOT
from sitebuilder import pdf as book_pdf
from sitebuilder.toc import toc_docnames

PAGES = [f"{docname}.html" for docname in toc_docnames(ROOT)]
# Today's PDF is about 4.3 MB (178 A4 pages; Chromium's tagged PDF, which screen readers
# and the bookmarks need, is about half of it). Room for the book to grow by half again.
PDF_BUDGET_BYTES = 7_000_000


def _normal(text: str, join_hyphens: bool = True) -> str:
    """Text as compared here: ligatures undone, a word broken after its hyphen joined (for
    running text; in a table the next line may belong to another cell), all whitespace one
    space, and curly quotes made plain."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "")
    if join_hyphens:
        text = re.sub(r"-\s+", "-", text)
    for fancy, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf(built_book: Path) -> Path:
    path = built_book / book_pdf.BOOK_PDF
    assert path.is_file(), "make pdf did not write _build/html/book.pdf"
    return path


@pytest.fixture(scope="module")
def pages_text(pdf: Path) -> list[str]:
    return book_pdf.pdf_pages_text(pdf)


@pytest.fixture(scope="module")
def book_text(pages_text: list[str]) -> str:
    return _normal(" ".join(pages_text))


@pytest.fixture(scope="module")
def book_words(pages_text: list[str]) -> set[str]:
    text = _normal(" ".join(pages_text), join_hyphens=False)
    words = re.findall(r"\w[\w.,%$×’'/-]*", text)
    # A cell's "<code>deepseek</code>, market" prints as "deepseek,": the word is "deepseek".
    return set(words) | {word.rstrip(".,") for word in words}


@cache
def _article(built_book: Path, page: str):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((built_book / page).read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    for hidden in article.select(
        "script, details.hide.above-input, .notebook-download, a.headerlink, .fb-print-sources"
    ):
        hidden.decompose()
    return article


def test_pdfinfo_reads_an_a4_book_within_its_budget(pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    pages = int(fields["Pages"])
    size = int(fields["File size"].split()[0])
    print(f"\nbook.pdf: {pages} pages, {size / 1e6:.2f} MB (budget {PDF_BUDGET_BYTES / 1e6} MB)")
    assert pages > 20
    assert "(A4)" in fields["Page size"]
    assert fields["Tagged"].strip() == "yes"  # structure for screen readers, and bookmarks
    assert size <= PDF_BUDGET_BYTES


def test_every_page_of_the_pdf_is_numbered(pages_text: list[str]) -> None:
    total = len(pages_text)
    for number, text in enumerate(pages_text, start=1):
        footer = re.compile(rf"(?<![\d/]){number} / {total}(?!\d)")
        assert footer.search(_normal(text)), f"page {number} has no number"


def test_the_contents_give_the_page_each_chapter_starts_on(
    built_book: Path, pages_text: list[str]
) -> None:
    contents = _normal(pages_text[1])
    assert contents.startswith("Contents")
    for chapter in book_pdf.chapters(built_book):
        title = _normal(chapter.title)
        found = re.search(re.escape(title) + r" (\d+)", contents)
        assert found, f"{chapter.title!r} is not in the contents"
        page = int(found.group(1))
        assert _normal(pages_text[page - 1]).startswith(title), (
            f"the contents say {chapter.title!r} starts on page {page}"
        )


@pytest.mark.parametrize("page", PAGES)
def test_every_heading_of_every_page_is_in_the_pdf(
    built_book: Path, book_text: str, page: str
) -> None:
    headings = [
        _normal(h.get_text(" ", strip=True))
        for h in _article(built_book, page).select("h1, h2, h3")
    ]
    assert headings
    missing = [h for h in headings if h not in book_text]
    assert missing == [], f"headings of {page} missing from the PDF"


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_in_the_pdf_whole(built_book: Path, book_text: str, page: str) -> None:
    """Each chart is drawn as vector graphics with its text kept as text, so the PDF holds
    each of its labels; a chart left out or cut off loses them."""
    for image in _article(built_book, page).select('img[src$=".svg"]'):
        svg = (built_book / page).parent.joinpath(image["src"]).resolve().read_text("utf-8")
        labels = [
            _normal(html.unescape(t)) for t in re.findall(r"<text\b[^>]*>([^<]+)</text>", svg)
        ]
        labels = [t for t in labels if len(t) > 3]
        assert labels, f"{image['src']} has no text to look for"
        missing = [t for t in labels if t not in book_text]
        # A label the PDF rendered differently (a minus sign, a thin space) may be missed:
        # a whole chart missing, or its far side cut off, loses many.
        assert len(missing) <= len(labels) // 10, f"{page}: {image['src']}: {missing[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_no_table_is_cut(built_book: Path, book_words: set[str], book_text: str, page: str) -> None:
    """Every word of every cell of every table, its far right columns included."""
    for index, table in enumerate(_article(built_book, page).select("table")):
        cells = table.select("th, td")
        words = {
            w
            for cell in cells
            for w in re.findall(r"\w[\w.,%$×’'/-]*", _normal(cell.get_text(" ", strip=True)))
        }
        missing = sorted(w for w in words if not _printed(w, book_words))
        assert missing == [], f"table {index} of {page}: words missing from the PDF: {missing[:10]}"


def _printed(word: str, book_words: set[str], parts: int = 3) -> bool:
    """The word is in the PDF, whole or, where a narrow cell broke it across lines (after a
    hyphen, or anywhere in a code name), in up to three pieces that are each in it: the
    PDF's reading order can put other cells' text between the pieces of one cell. pdftotext
    joins a word broken after a hyphen at the end of a line, without the hyphen."""
    if word in book_words or word.rstrip(".,") in book_words:
        return True
    if any(word[:i] + word[i + 1 :] in book_words for i, c in enumerate(word) if c == "-"):
        return True
    return parts > 1 and any(
        word[:cut] in book_words and _printed(word[cut:], book_words, parts - 1)
        for cut in range(1, len(word))
    )


def test_no_screen_controls_in_the_pdf(book_text: str) -> None:
    for control in ("Show code cell source", "Hide code cell source", "Download this chapter"):
        assert control not in book_text


def test_every_page_offers_the_pdf_with_its_size(built_book: Path, pdf: Path) -> None:
    stated = book_pdf.size_text(pdf.stat().st_size)
    for page in PAGES:
        html = (built_book / page).read_text(encoding="utf-8")
        depth = page.count("/")
        link = re.search(r'<a href="([^"]*book\.pdf)" download[^>]*>(.*?)</a>', html, re.S)
        assert link, f"{page} does not offer the book's PDF"
        assert link.group(1) == "../" * depth + book_pdf.BOOK_PDF
        assert f"PDF, {stated}" in link.group(2), f"{page} states another size"


def test_a_translation_offers_no_english_pdf(built_book: Path, pdf: Path) -> None:
    from sitebuilder.editions import editions

    for edition in editions(ROOT)[1:]:
        for docname in toc_docnames(ROOT):
            page = f"{edition.prefix}{docname}.html"
            assert "book.pdf" not in (built_book / page).read_text(encoding="utf-8"), page


def test_make_book_after_make_pdf_has_nothing_to_do(built_book: Path, pdf: Path) -> None:
    """The PDF's links leave the build current: the next `make book` rebuilds nothing (and
    does not pull the pages from under a reader of them)."""
    import json

    from sitebuilder.driver import is_current
    from sitebuilder.layout import BuildPaths

    paths = BuildPaths(built_book.parent.parent)
    stamp = json.loads(paths.published_stamp.read_text(encoding="utf-8"))
    assert is_current(paths, stamp["sources"])


# --- the parts that need no printing


def test_deterministic_fixes_the_dates_and_ranks_the_node_ids_keeping_their_order() -> None:
    one = b"<</CreationDate (D:20261206103300+00'00') /ID (node00000812) /ID (node00000190)>>"
    two = b"<</CreationDate (D:20270101000000+00'00') /ID (node00000999) /ID (node00000201)>>"
    assert book_pdf.deterministic(one) == book_pdf.deterministic(two)
    fixed = book_pdf.deterministic(one)
    assert len(fixed) == len(one)  # no offset in the file moves
    assert b"(node00000001)" in fixed and fixed.index(b"node00000001") < fixed.index(b"00000000)")


def test_start_pages_finds_each_chapter_on_the_first_page_it_opens() -> None:
    book = [book_pdf.Chapter("index", "Title", None), book_pdf.Chapter("a", "Alpha", "P")]
    pages = [
        "Title\nBy us\n1 / 5",
        "Contents\nTitle 3\nAlpha 4\n2 / 5",
        "Title\ntext\n3 / 5",
        "Alpha\ntext\n4 / 5",
        "more\n5 / 5",
    ]
    assert book_pdf.start_pages(pages, book) == {"index": 3, "a": 4}
    with pytest.raises(book_pdf.PdfError, match="Beta"):
        book_pdf.start_pages(pages, [*book, book_pdf.Chapter("b", "Beta", "P")])


def test_the_download_link_is_added_once_per_page(tmp_path: Path) -> None:
    page = tmp_path / "chapters" / "one.html"
    page.parent.mkdir()
    menu = '<div class="dropdown dropdown-download-buttons"><ul class="dropdown-menu"><li>x</li>'
    page.write_text(f"<html>{menu}</ul></div></html>", encoding="utf-8")
    assert book_pdf.link_from_pages(tmp_path, 4_280_086) == 1
    assert book_pdf.link_from_pages(tmp_path, 4_280_086) == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("book.pdf") == 1
    assert 'href="../book.pdf"' in html and "Whole book (PDF, 4.3 MB)" in html


def test_a_translation_s_pages_do_not_offer_the_english_pdf(tmp_path: Path) -> None:
    menu = '<div class="dropdown dropdown-download-buttons"><ul class="dropdown-menu"><li>x</li>'
    for name in ("index.html", "id/index.html", "id/chapters/one.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"<html>{menu}</ul></div></html>", encoding="utf-8")
    assert book_pdf.link_from_pages(tmp_path, 1_000, ["id"]) == 1
    assert "book.pdf" in (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in ("id/index.html", "id/chapters/one.html"):
        assert "book.pdf" not in (tmp_path / name).read_text(encoding="utf-8"), name


def test_without_pdf_link_gives_back_the_page_make_book_wrote(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    original = (
        '<div class="dropdown dropdown-download-buttons"><ul class="dropdown-menu"><li>x</li></ul>'
    )
    page.write_text(original, encoding="utf-8")
    book_pdf.link_from_pages(tmp_path, 1_000_000)
    linked = page.read_text(encoding="utf-8")
    assert linked != original
    assert book_pdf.without_pdf_link(linked) == original
