"""The real build: `make book` succeeds on good data and shows its numbers; fails with one
readable message and no HTML on bad input; is never stale after edits, interruptions and
reverts; refuses a second concurrent build; and a chapter run on its own in Jupyter draws
the same charts as the build."""

from __future__ import annotations

import filecmp
import json
import os
import re
import signal
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from frontierbook.paths import ROOT
from sitebuilder.fingerprint import Inputs, cached_fingerprints, stale_chapters
from sitebuilder.layout import BuildPaths

from .conftest import build_command, build_env, build_in

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
CODE_CHAPTERS = [c for c in CHAPTERS if "code-cell" in c.read_text(encoding="utf-8")]


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


def test_published_files_hold_no_absolute_path_or_random_id(built_book: Path) -> None:
    assert not (built_book / ".buildinfo").exists()
    for path in built_book.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".ipynb", ".txt", ".inv"}:
            assert str(ROOT) not in path.read_text(encoding="utf-8", errors="replace"), path
    # Cell ids are numbered by position (sitebuilder.notebooks), never random (as
    # nbformat's are), so an unchanged chapter publishes a byte-identical notebook.
    for notebook in (built_book / "_sources").rglob("*.ipynb"):
        ids = [cell.get("id") for cell in json.loads(notebook.read_text("utf-8"))["cells"]]
        assert ids and ids == [f"cell-{n}" for n in range(len(ids))], notebook


def _chapter_charts(path: str) -> list[str]:
    notebook = jupytext.read(path)
    NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(Path(path).parent)}}
    ).execute()
    return [
        output["data"]["image/svg+xml"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


def test_chapters_run_in_jupyter_draw_the_same_charts_as_the_build(built_book: Path) -> None:
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        charts = dict(
            zip(CODE_CHAPTERS, pool.map(_chapter_charts, map(str, CODE_CHAPTERS)), strict=True)
        )
    for chapter, drawn in charts.items():
        page = built_book / "chapters" / f"{chapter.stem}.html"
        shown = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.svg)"', page.read_text("utf-8"))
        built = [(built_book / src).read_text(encoding="utf-8") for src in shown]
        # MyST-NB writes the SVG with the platform's line separator; compare line by line.
        assert ["\n".join(svg.splitlines()) for svg in drawn] == built, chapter.stem


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_code_line(chapter: Path, line: str) -> None:
    """Put ``line`` at the top of the chapter's first code cell (after its tags)."""
    text = chapter.read_text(encoding="utf-8")
    start = text.index("```{code-cell} ipython3\n") + len("```{code-cell} ipython3\n")
    while text[start:].startswith(":"):
        start = text.index("\n", start) + 1
    chapter.write_text(text[:start] + "\n" + line + "\n" + text[start:], encoding="utf-8")


def test_every_kind_of_failure_stops_the_build_with_one_message_and_no_html(
    warm_book: Path,
) -> None:
    """One failing build, three faults in different chapters: a data error, a failing cell
    and a warning. Each is named in one line; no traceback; no HTML."""
    book = warm_book
    _edit(book / "data" / "v3_stages.csv", "5000,10000,deepseek2024v3", "5000,10000,nosuchkey2099")
    _first_code_line(book / "chapters" / "02_cost.md", "1 / 0")
    _first_code_line(
        book / "chapters" / "01_timeline.md", "import warnings; warnings.warn('cell warns')"
    )
    result = build_in(book)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    # The bad table once, though several chapters read it; each of them named in one line.
    assert output.count("data/v3_stages.csv, row 4, column 'source'") == 1
    assert re.search(r"chapters/05_scorecard\.md, cell \d+ stopped at the error in data/", output)
    assert re.search(r"chapters/02_cost\.md, cell \d+ raised ZeroDivisionError", output)
    assert re.search(r"chapters/01_timeline\.md, cell \d+ wrote to stderr: .*cell warns", output)
    assert "Traceback" not in output and "WARNING | Kernel" not in output
    assert not (book / "_build" / "html").exists()
    assert not list((book / "_build").glob("html.partial*"))


def test_an_invalid_datapackage_stops_the_build_naming_it(warm_book: Path) -> None:
    (warm_book / "data" / "datapackage.json").write_text("{", encoding="utf-8")
    result = build_in(warm_book)
    assert result.returncode == 1
    assert "data/datapackage.json" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (warm_book / "_build" / "html").exists()


def test_an_edit_makes_exactly_the_chapters_that_depend_on_it_stale(warm_book: Path) -> None:
    paths = BuildPaths(warm_book)
    assert stale_chapters(paths, Inputs(warm_book)) == []
    recorded = cached_fingerprints(paths)
    events_readers = {d for d, fp in recorded.items() if "events" in fp["tables"]}
    assert "chapters/01_timeline" in events_readers < set(recorded)

    _edit(warm_book / "data" / "events.csv", "DeepSeek-R1 released", "DeepSeek-R1 is released")
    assert set(stale_chapters(paths, Inputs(warm_book))) == events_readers

    # An author's name reaches chart source lines: an entry counts for the chapters that
    # show it (a source line) or read a table whose rows cite it, and for no other.
    _edit(warm_book / "data" / "events.csv", "DeepSeek-R1 is released", "DeepSeek-R1 released")
    _edit(warm_book / "references.bib", "{{DeepSeek-AI}}", "{{DeepSeek AI}}")
    from sitebuilder.fingerprint import _cited_keys

    key = "deepseek2024v3"  # the first entry by {{DeepSeek-AI}}, the one edited
    citing = {p.stem for p in (warm_book / "data").glob("*.csv") if key in _cited_keys(p)}
    expected = {
        d
        for d, fp in recorded.items()
        if key in fp.get("entries", {}) or citing & set(fp["tables"])
    }
    assert expected and set(stale_chapters(paths, Inputs(warm_book))) == expected


def test_editing_the_site_builder_executes_no_chapter(warm_book: Path, built_book: Path) -> None:
    """The chapters' runs depend on the runtime package only: a change to the site builder
    rebuilds the HTML, byte-identical to a full build, without executing anything."""
    icons = warm_book / "src" / "sitebuilder" / "icons.py"
    icons.write_text(icons.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert stale_chapters(BuildPaths(warm_book), Inputs(warm_book)) == []
    result = build_in(warm_book)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "executed 0 chapter(s)" in result.stdout
    assert _same_files(warm_book / "_build" / "html", built_book) == []

    # The runtime package, by contrast, is an input of every chapter's run.
    style = warm_book / "src" / "frontierbook" / "style.py"
    style.write_text(style.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert set(stale_chapters(BuildPaths(warm_book), Inputs(warm_book))) == set(
        cached_fingerprints(BuildPaths(warm_book))
    )


def _start(book: Path) -> subprocess.Popen[str]:
    # A session of its own, so a signal reaches the driver and its workers, as Ctrl-C does;
    # and Ctrl-C's default handling, which a test run started in the background (`cmd &`)
    # would otherwise pass on as "ignore SIGINT".
    return subprocess.Popen(
        build_command(),
        cwd=book,
        env=build_env(book),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _interrupt(book: Path, when: str, sig: signal.Signals) -> None:
    """Start a build and send ``sig`` to it as soon as it prints a line matching ``when``."""
    build = _start(book)
    assert build.stdout is not None
    seen = []
    for line in build.stdout:
        seen.append(line)
        if re.search(when, line):
            os.killpg(build.pid, sig)
            break
    else:
        pytest.fail(f"the build ended before {when!r}:\n{''.join(seen)}")
    build.communicate(timeout=120)
    assert build.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    if sig == signal.SIGINT:
        assert not (book / "_build" / "html").exists()


def _same_files(left: Path, right: Path) -> list[str]:
    """Paths that differ between two trees (missing on either side, or different bytes)."""
    names = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    names |= {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    return sorted(
        str(n)
        for n in names
        if not ((left / n).is_file() and (right / n).is_file())
        or not filecmp.cmp(left / n, right / n, shallow=False)
    )


def test_interrupts_and_reverts_never_leave_stale_pages(warm_book: Path, built_book: Path) -> None:
    """Edit, interrupt (Ctrl-C and kill -9, while chapters execute and while Sphinx runs),
    revert: the next build equals a clean build of the same sources, byte for byte (the
    session's build of this checkout, at another absolute path), and a second build started
    meanwhile is refused without harm."""
    book = warm_book
    stages = book / "data" / "v3_stages.csv"
    original = stages.read_text(encoding="utf-8")
    edited = original.replace("Pre-training,1,2664000,5328000,", "Pre-training,1,2764000,5528000,")
    assert edited != original
    executed = r"^frontierbook: executed "
    sphinx = r"^frontierbook: running Sphinx"

    stages.write_text(edited, encoding="utf-8")
    _interrupt(book, executed, signal.SIGINT)
    stages.write_text(original, encoding="utf-8")
    _interrupt(book, sphinx, signal.SIGKILL)
    stages.write_text(edited, encoding="utf-8")
    _interrupt(book, executed, signal.SIGKILL)
    stages.write_text(original, encoding="utf-8")
    _interrupt(book, sphinx, signal.SIGINT)

    first = _start(book)
    assert first.stdout is not None
    assert "chapter(s) to execute" in first.stdout.readline()  # it holds the lock now
    second = build_in(book)
    assert second.returncode == 1
    assert "another build of this checkout is running" in second.stderr
    rest, _ = first.communicate(timeout=600)
    assert first.returncode == 0, rest

    assert _same_files(book / "_build" / "html", built_book) == []
    again = build_in(book)
    assert "nothing changed" in again.stdout
