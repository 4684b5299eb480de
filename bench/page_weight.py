"""Page weight: what a phone transfers for each page of the built book.

usage: .venv/bin/python bench/page_weight.py [--site _build/html]   (make bench runs it)

Serves the built site on 127.0.0.1 with gzip, as GitHub Pages does, and visits every page
of the table of contents in Debian's Chromium at phone size (see sitebuilder.pageweight):
  HTML      the page's own HTML, as transferred
  first     everything a first visit transfers, empty cache
  repeat    a visit right after the previous page in the table of contents (cache warm)
  read      a first visit scrolled to the end, so every lazy chart loads as well
  blocking  render-blocking scripts, and the largest of them
  largest   the three heaviest files of the first visit
and the budgets they are held to in tests/test_page_weight.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sitebuilder import pageweight  # noqa: E402
from sitebuilder.toc import toc_docnames  # noqa: E402


def kb(size: int) -> str:
    return f"{size / 1e3:,.0f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"{args.site}/index.html is missing: run `make book` first")
    pages = [f"{docname}.html" for docname in toc_docnames(ROOT)]
    site_bytes = sum(p.stat().st_size for p in args.site.rglob("*") if p.is_file())
    print(
        "\nPage weight, gzip as on GitHub Pages, phone viewport; "
        f"site on disk {site_bytes / 1e6:.1f} MB"
    )
    print(
        f"budgets: first visit {kb(pageweight.LANDING_FIRST_VISIT_BUDGET)} (landing), "
        f"{kb(pageweight.CHAPTER_FIRST_VISIT_BUDGET)} (chapter); repeat "
        f"{kb(pageweight.REPEAT_VISIT_BUDGET)}; no render-blocking script over "
        f"{kb(pageweight.BLOCKING_SCRIPT_LIMIT)}\n"
    )
    header = (
        f"{'page':<28}{'HTML':>8}{'first':>9}{'repeat':>8}{'read':>9}  {'blocking':<16}"
        "largest files (first visit)"
    )
    print(header)
    print("-" * len(header))
    with pageweight.serve(args.site) as base_url, pageweight.chromium() as browser:
        for index, page in enumerate(pages):
            first = pageweight.first_visit(browser, base_url, page)
            previous = pages[index - 1] if index else pages[1]
            repeat = pageweight.repeat_visit(browser, base_url, previous, page)
            read = pageweight.first_visit(browser, base_url, page, read_to_end=True)
            blocking = first.blocking_scripts()
            biggest = max((t.transferred for t in blocking), default=0)
            print(
                f"{page:<28}{kb(first.html):>8}{kb(first.total):>9}{kb(repeat.total):>8}"
                f"{kb(read.total):>9}  {f'{len(blocking)}, max {kb(biggest)}':<16}"
                f"{first.describe_heaviest(3)}"
            )


if __name__ == "__main__":
    main()
