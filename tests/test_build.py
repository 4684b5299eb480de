"""The real build: `make book` succeeds on good data, fails loudly on bad data and bad cells,
and a chapter run on its own in Jupyter draws the same charts as the build."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from frontierbook.paths import ROOT

from .conftest import book_copy, make_book

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def test_book_builds_with_landing_page_and_timeline(built_book: Path) -> None:
    assert (built_book / "index.html").is_file()
    assert (built_book / ".nojekyll").is_file()
    timeline = (built_book / "chapters" / "01_timeline.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]+src="[^"]+\.svg"', timeline)) >= 2
    assert "Traceback" not in timeline


def test_glued_numbers_reach_the_landing_page(built_book: Path) -> None:
    index = (built_book / "index.html").read_text(encoding="utf-8")
    assert "2.788 million" in index
    assert "$5.576M" in index


def test_every_built_page_is_free_of_errors_and_raw_glue(built_book: Path) -> None:
    for page in built_book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, page
        assert "{glue}" not in text and "{cite" not in text, page
    assert not (built_book / "reports").exists(), "an execution report means a cell failed"


def _run_chapter(path: Path) -> list[str]:
    notebook = jupytext.read(path)
    NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return [
        output["data"]["image/svg+xml"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


@pytest.mark.parametrize(
    "chapter", [c for c in CHAPTERS if "code-cell" in c.read_text()], ids=lambda p: p.stem
)
def test_chapter_run_in_jupyter_draws_the_same_charts_as_the_build(
    built_book: Path, chapter: Path
) -> None:
    charts = _run_chapter(chapter)
    assert charts, f"{chapter.name} draws no chart"
    built = {
        p.read_text(encoding="utf-8") for p in (ROOT / "_build" / "jupyter_execute").rglob("*.svg")
    }
    for svg in charts:
        # MyST-NB writes the SVG with the platform's line separator; compare line by line.
        assert "\n".join(svg.splitlines()) in built


@pytest.mark.parametrize(
    "csv, old, new, expected",
    [
        (
            "events.csv",
            "v3-2024-12,2024-12-26",
            "v3-2024-12,2024-12-32",
            "data/events.csv, row 8, column 'date'",
        ),
        (
            "v3_stages.csv",
            "5000,10000,deepseek2024v3",
            "5000,10000,nosuchkey2099",
            "data/v3_stages.csv, row 4, column 'source'",
        ),
    ],
    ids=["unparseable-date", "unknown-source-key"],
)
def test_corrupt_csv_fails_make_book_and_leaves_no_html(
    tmp_path: Path, csv: str, old: str, new: str, expected: str
) -> None:
    book = book_copy(tmp_path)
    path = book / "data" / csv
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = make_book(book)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert not (book / "_build" / "html" / "index.html").exists()


def test_failing_cell_fails_make_book(tmp_path: Path) -> None:
    book = book_copy(tmp_path)
    chapter = book / "chapters" / "01_timeline.md"
    text = chapter.read_text(encoding="utf-8")
    marker = "setup()\n"
    chapter.write_text(text.replace(marker, marker + "1 / 0\n", 1), encoding="utf-8")
    result = make_book(book)
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr
    assert not (book / "_build" / "html").exists()
