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
        assert "{eval}" not in text and "{glue}" not in text and "{cite" not in text, page
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
    page = built_book / "chapters" / f"{chapter.stem}.html"
    shown = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.svg)"', page.read_text("utf-8"))
    built = [(built_book / src).read_text(encoding="utf-8") for src in shown]
    # MyST-NB writes the SVG with the platform's line separator; compare line by line.
    assert ["\n".join(svg.splitlines()) for svg in charts] == built


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


def _images_by_page(html: Path) -> dict[str, list[str]]:
    return {
        page.relative_to(html).as_posix(): re.findall(
            r'src="[^"]*(_images/[^"]+)"', page.read_text()
        )
        for page in html.rglob("*.html")
    }


def test_rebuilds_execute_exactly_the_chapters_whose_inputs_changed(tmp_path: Path) -> None:
    """Edit one CSV: only its readers re-execute and their charts change. Edit the package:
    everything re-executes. Change nothing: nothing executes."""
    from frontierbook.build.fingerprint import executed_reads

    book = book_copy(tmp_path)
    html = book / "_build" / "html"
    first = make_book(book)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    readers = executed_reads(book)  # the first build executes every chapter
    events_readers = {doc for doc, tables in readers.items() if "events" in tables}
    assert "chapters/01_timeline" in events_readers
    assert set(readers) > events_readers, "some chapter should not read events.csv"
    before = _images_by_page(html)

    unchanged = make_book(book)
    assert unchanged.returncode == 0
    assert executed_reads(book) == {}
    assert "executed 0 chapter(s)" in unchanged.stdout

    events = book / "data" / "events.csv"
    events.write_text(
        events.read_text().replace("DeepSeek-R1 released", "DeepSeek-R1 is released"), "utf-8"
    )
    edited = make_book(book)
    assert edited.returncode == 0, edited.stdout[-3000:] + edited.stderr[-3000:]
    assert set(executed_reads(book)) == events_readers
    after = _images_by_page(html)
    assert after["chapters/01_timeline.html"] != before["chapters/01_timeline.html"]
    for doc in set(readers) - events_readers:
        page = f"{doc}.html"
        assert after[page] == before[page], f"{page} changed although it does not read events"

    style = book / "src" / "frontierbook" / "style.py"
    style.write_text(style.read_text() + "\n# an edit to the package\n", encoding="utf-8")
    package_edit = make_book(book)
    assert package_edit.returncode == 0
    assert set(executed_reads(book)) == set(readers)
