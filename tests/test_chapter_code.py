"""The chapters' code: linted and formatted by ruff, and saved by JupyterLab unchanged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from frontierbook.paths import ROOT
from tests.chapter_code import (
    code_cells,
    format_problems,
    lint_problems,
    notebook_sources,
    save_as_jupyterlab,
)

NOTEBOOKS = notebook_sources(ROOT)


def test_every_chapter_and_the_landing_page_are_checked() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS}
    assert {"index.md", "chapters/01_timeline.md", "chapters/02_cost.md"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_opening_and_saving_in_jupyterlab_changes_nothing(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.relative_to(ROOT)
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, copy)
    shutil.copyfile(ROOT / "jupytext.toml", tmp_path / "jupytext.toml")
    save_as_jupyterlab(copy, root=tmp_path)
    assert copy.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(ROOT)} is not in jupytext's canonical form: run `make format`"
    )


def test_the_round_trip_check_sees_a_file_that_is_not_canonical(tmp_path: Path) -> None:
    source = (ROOT / "chapters" / "01_timeline.md").read_text(encoding="utf-8")
    (tmp_path / "jupytext.toml").write_bytes((ROOT / "jupytext.toml").read_bytes())
    changed = tmp_path / "01_timeline.md"
    changed.write_text(source.replace("display_name:", "display_name: Old"), encoding="utf-8")
    save_as_jupyterlab(changed, root=tmp_path)
    assert "display_name: Old" not in changed.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_chapter_code_passes_ruff(path: Path) -> None:
    assert format_problems(path) + lint_problems(path) == []


def test_ruff_reports_a_problem_at_its_line_in_the_chapter(tmp_path: Path) -> None:
    chapter = ROOT / "chapters" / "lint_probe.md"
    long_line = "x = " + "1 + " * 30 + "1\n"
    chapter.write_text(
        "---\nkernelspec:\n  name: python3\n---\n\n# Probe\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\n\nimport os\n" + long_line + "```\n",
        encoding="utf-8",
    )
    try:
        assert code_cells(chapter.read_text(encoding="utf-8"))[0].line == 11
        problems = lint_problems(chapter)
        assert "chapters/lint_probe.md:11:8: F401 `os` imported but unused" in problems
        assert any(p.startswith("chapters/lint_probe.md:12:101: E501") for p in problems)
        assert format_problems(chapter) != []
    finally:
        chapter.unlink()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_notebook_first_tells_its_reader_to_run_all_cells(path: Path) -> None:
    import jupytext

    first = jupytext.read(path).cells[0]
    assert first.cell_type == "markdown" and "Run All" in first.source
    # The built book shows the numbers, so it leaves the note out.
    assert first.metadata.get("tags") == ["remove-cell"]


HEADING_THEN_CODE = re.compile(r"^#{2,6} .*\n\n```\{code-cell\}.*\n:tags: \[remove-cell\]", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_section_opens_with_a_cell_of_code(path: Path) -> None:
    # In Jupyter a section should open with its prose; the cells computing its numbers come
    # before the heading, or just before the paragraph that uses them.
    found = HEADING_THEN_CODE.findall(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: {found}"


NARRATIVE = ["chapters/02_cost.md", "chapters/03_scaling.md", "chapters/04_export.md"]


def _code_lines(path: Path) -> list[int]:
    cells = code_cells(path.read_text(encoding="utf-8"))
    return [sum(1 for line in c.code.splitlines() if line.strip()) for c in cells]


@pytest.mark.parametrize("name", NARRATIVE)
def test_chapter_code_comes_in_short_cells(name: str) -> None:
    import statistics

    sizes = _code_lines(ROOT / name)
    assert max(sizes) <= 25, f"{name}: a code cell of {max(sizes)} lines"
    assert statistics.median(sizes) <= 10, f"{name}: median cell of {statistics.median(sizes)}"


def test_the_narrative_chapters_stay_short() -> None:
    # The narrative chapters' code cells compute and draw through the package; their label
    # strings, which go through _() for the editions, are most of what remains.
    assert sum(sum(_code_lines(ROOT / name)) for name in NARRATIVE) <= 709
