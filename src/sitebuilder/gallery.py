"""A review page with every chart of the built book at desktop and phone width, and its alt text.

``make gallery`` builds the book, then runs ``python -m sitebuilder.gallery``, which reads
the chapters in ``_build/html`` in table-of-contents order and writes
``_build/gallery/index.html`` with copies of the charts beside it. The page is for review
only: it lives outside ``_build/html`` and is never published.
"""

from __future__ import annotations

import html
import shutil
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from frontierbook.chartlint import PHONE_COLUMN_PX
from frontierbook.paths import ROOT
from sitebuilder.toc import toc_docnames

# A chart's natural width in the book (6 in at 96 CSS px per inch), as a desktop shows it.
DESKTOP_PX = 576

PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }
section { border-top: 1px solid #ccc; padding: 1rem 0; }
.pair { display: flex; gap: 2rem; align-items: flex-start; flex-wrap: wrap; }
.pair figure { margin: 0; }
.pair figcaption { font-size: 0.85rem; color: #555; }
.desktop img { width: DESKTOP_PXpx; } .phone img { width: PHONE_PXpx; }
.phone { outline: 1px dashed #999; }
.alt { max-width: 60rem; font-size: 0.9rem; }
""".replace("DESKTOP_PX", str(DESKTOP_PX)).replace("PHONE_PX", str(PHONE_COLUMN_PX))


def charts_in(page: Path, soup: BeautifulSoup | None = None) -> list[dict[str, str]]:
    """Each chart figure of a built page: its id, number, caption, alt text and SVG path.
    ``soup``: the page already parsed."""
    if soup is None:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = []
    for figure in soup.select("figure"):
        img = figure.select_one("img[src$='.svg']")
        if img is None:
            continue
        caption = figure.select_one("figcaption")
        number = caption.select_one(".caption-number") if caption else None
        text = caption.select_one(".caption-text") if caption else None
        found.append(
            {
                "id": figure.get("id", ""),
                "number": number.get_text(" ", strip=True) if number else "",
                "caption": text.get_text(" ", strip=True) if text else "",
                "alt": img.get("alt", ""),
                "svg": str((page.parent / img["src"]).resolve()),
            }
        )
    return found


def write_gallery(site: Path, out: Path, docnames: list[str] | None = None) -> int:
    """Write ``out/index.html`` and ``out/charts/*.svg``; return how many charts it shows.

    ``docnames`` are the pages to read, in order (default: the table of contents).
    """
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} has no built book: run `make book` first")
    shutil.rmtree(out, ignore_errors=True)
    (out / "charts").mkdir(parents=True)
    sections = []
    count = 0
    for docname in docnames if docnames is not None else toc_docnames(ROOT):
        for chart in charts_in(site / f"{docname}.html"):
            count += 1
            name = f"{count:02d}-{Path(chart['svg']).name}"
            shutil.copyfile(chart["svg"], out / "charts" / name)
            e = html.escape
            sections.append(
                f'<section id="{e(chart["id"])}"><h2>{e(chart["number"])} '
                f"<small>{e(docname)} · {e(chart['id'])}</small></h2>"
                f'<p>{e(chart["caption"])}</p><div class="pair">'
                f'<figure class="desktop"><img src="charts/{e(name)}" alt="{e(chart["alt"])}">'
                f"<figcaption>desktop, {DESKTOP_PX} px</figcaption></figure>"
                f'<figure class="phone"><img src="charts/{e(name)}" alt="{e(chart["alt"])}">'
                f"<figcaption>phone column, {PHONE_COLUMN_PX} px</figcaption></figure></div>"
                f'<p class="alt"><strong>Alt text:</strong> {e(chart["alt"])}</p></section>'
            )
    (out / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Chart gallery ({count} charts)</title><style>{PAGE_CSS}</style></head><body>"
        f"<h1>Chart gallery: {count} charts</h1>"
        "<p>For review; not published. Each chart at its desktop size and at the width of "
        "a 390 px phone's column.</p>" + "".join(sections) + "</body></html>",
        encoding="utf-8",
    )
    return count


def main() -> None:
    out = ROOT / "_build" / "gallery"
    count = write_gallery(ROOT / "_build" / "html", out)
    print(f"frontierbook: {count} charts in {out / 'index.html'}", file=sys.stderr)


if __name__ == "__main__":
    main()
