"""`make diff` (sitebuilder.diff): what an edit changes for readers, before it is published.

The scripted edit is the one a maintainer made by hand: post-training GPU-hours 5,000 ->
6,000 in data/v3_stages.csv. It must show the cost chapter's numbers, R1's GPU-hours moving
from 147,000 to 147,053 (derived from V3's implied price per GPU-hour), and the charts drawn
from that table. In the same build, a chart changed alone (an event's title: no number
moves) and one claim's verdict. The base is the session's build, so only the copy is built.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitebuilder.diff import (
    Book,
    DiffError,
    Report,
    compare,
    export_base,
    md_code,
    md_described,
    md_text,
    summary_markdown,
    write_report,
)

from .conftest import build_env

POST_TRAINING = ("Post-training,3,5000,10000,", "Post-training,3,6000,10000,")


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: expected {old!r} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _retitle_event(events: Path, event_id: str) -> None:
    """Straight quotes to curly in one event's title, which only the timeline charts print:
    their SVGs change, no number does, and the label keeps its length."""
    with open(events, encoding="utf-8", newline="") as handle:
        text = handle.read()
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"{event_id},")]
    fields = next(csv.reader([line]))
    title = fields[5]
    assert title.count("'") == 2, title
    fields[5] = title.replace("'", "“", 1).replace("'", "”", 1)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    events.write_text(text.replace(line, out.getvalue()), encoding="utf-8")


def _set_verdict(claims: Path, claim_id: str, verdict: str) -> None:
    with open(claims, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    (row,) = [r for r in rows if r["claim_id"] == claim_id]
    row["verdict"] = verdict
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    claims.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def edited(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy with the three edits, built and compared by `python -m sitebuilder.diff`."""
    from .conftest import book_copy

    session = built_book.parent.parent  # the checkout the session's build was made in
    book = book_copy(tmp_path_factory.mktemp("diff"), warm_from=session)
    _replace_once(book / "data" / "v3_stages.csv", *POST_TRAINING)
    _retitle_event(book / "data" / "events.csv", "amodei-2025-01")
    _set_verdict(book / "data" / "claims.csv", "press-6m", "not supported")
    result = subprocess.run(
        [sys.executable, "-m", "sitebuilder.diff", "--base-root", str(session)],
        cwd=book,
        env=build_env(book),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = compare(Book.built(session, "session build"), Book.built(book, "edited copy"))
    return {"book": book, "output": result.stdout, "report": report}


def _numbers(report: Report) -> dict[str, dict]:
    return {n["name"]: n for n in report.numbers_changed}


def test_the_edited_rows_are_named(edited: dict) -> None:
    rows = {(r["table"], r["key_text"]): r for r in edited["report"].rows}
    assert set(rows) == {
        ("v3_stages", "Post-training"),
        ("events", "amodei-2025-01"),
        ("claims", "press-6m"),
    }
    assert rows[("v3_stages", "Post-training")]["cells"] == [
        {"column": "h800_gpu_hours", "old": "5000", "new": "6000"}
    ]
    assert [c["column"] for c in rows[("events", "amodei-2025-01")]["cells"]] == ["title"]
    assert rows[("claims", "press-6m")]["cells"] == [
        {"column": "verdict", "old": "misleading", "new": "not supported"}
    ]


def test_the_cost_chapters_numbers_and_the_derived_r1_hours_move(edited: dict) -> None:
    numbers = _numbers(edited["report"])
    expected = {
        "cost_post_hours": ("5,000", "6,000"),
        "cost_total_hours": ("2,788,000", "2,789,000"),
        "cost_r1_hours": ("147,000", "147,053"),
        "home_gpu_hours": ("2.788 million", "2.789 million"),
    }
    for name, (old, new) in expected.items():
        assert (numbers[name]["old"], numbers[name]["value"]) == (old, new), name
    r1 = numbers["cost_r1_hours"]
    assert r1["page"] == "chapters/02_cost.html"
    assert r1["where"] == f"chapters/02_cost.html#{r1['anchor']}"
    page = (edited["book"] / "_build" / "html" / r1["page"]).read_text(encoding="utf-8")
    assert f'id="{r1["anchor"]}"' in page
    assert r1["listed"] == "chapters/data.html#number-cost_r1_hours"
    assert r1["context"]["after"].startswith(" GPU-hours")
    inputs = {row["text"]: row["changed"] for row in r1["rows"]}
    assert inputs["v3_stages: Post-training"] is True
    assert inputs["cost_ledger: r1-rl-stage"] is False
    cost_chapter = [n for n in numbers.values() if n["page"] == "chapters/02_cost.html"]
    assert len(cost_chapter) >= 8
    # Every number that moved names, among its inputs, a row that the edit changed.
    for number in numbers.values():
        assert any(row["changed"] for row in number["rows"]), number["name"]
    assert not edited["report"].numbers_added and not edited["report"].numbers_removed


def test_the_charts_drawn_from_the_edits_are_shown(edited: dict) -> None:
    report = edited["report"]
    changed = {c["key"] for c in report.charts_changed}
    from_stages = {"fig-cost-stages", "fig-cost-sensitivity", "fig-scorecard-scale"}
    from_title = changed - from_stages
    assert from_stages <= changed
    assert from_title and from_title <= {"fig-timeline", "fig-timeline-debate"}, changed
    stages = next(c for c in report.charts_changed if c["key"] == "fig-cost-stages")
    assert ("ins", "147,053") in stages["alt_pieces"]
    # The retitled event moved a chart and no number: nothing on the timeline's page moved.
    assert not [n for n in report.numbers_changed if n["page"] == "chapters/01_timeline.html"]
    assert not report.charts_added and not report.charts_removed


def test_the_verdict_and_the_pages_that_changed(edited: dict) -> None:
    report = edited["report"]
    (verdict,) = report.verdicts
    assert (verdict["old"], verdict["new"]) == ("✘? misleading", "✘ not supported")
    assert verdict["who"].startswith("The press")
    pages = {p["page"] for p in report.pages}
    assert {"index.html", "chapters/02_cost.html", "chapters/05_scorecard.html"} <= pages
    assert {"chapters/data.html"} <= pages
    assert "chapters/04_export.html" not in pages


def test_the_report_and_the_summary(edited: dict) -> None:
    out = edited["book"] / "_build" / "diff"
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| `cost_r1_hours` | `147,000` | `147,053` | `chapters/02_cost.html#" in summary
    assert "changed: `fig-cost-stages` on `chapters/02_cost.html`" in summary
    assert "`✘? misleading` → `✘ not supported`" in summary
    page = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="(charts/[^"]+\.svg)"', page)
    assert len(images) == 2 * len(edited["report"].charts_changed)
    assert all((out / image).is_file() for image in images)
    assert "cost_r1_hours: 147,000 -> 147,053" in edited["output"]


def test_an_unchanged_build_reports_nothing(built_book: Path) -> None:
    session = built_book.parent.parent
    report = compare(Book.built(session), Book.built(session))
    assert report.nothing
    assert "Nothing a reader sees has changed." in summary_markdown(report)


# ---- no build needed


def test_everything_from_the_books_is_escaped(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> | $5 `x` [a](b)"
    report = Report(base="main", head=hostile)
    report.numbers_changed.append(
        {
            "name": "n<b>",
            "page": "p.html",
            "anchor": "",
            "where": "p.html",
            "listed": "",
            "value": hostile,
            "old": "1",
            "how": hostile,
            "context": {"before": hostile, "after": ""},
            "rows": [{"text": hostile, "source": hostile, "kind": "reported", "changed": True}],
            "params": {"p": hostile},
            "params_changed": {},
        }
    )
    html, summary = write_report(report, tmp_path / "diff")
    page = html.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page
    text = summary.read_text(encoding="utf-8")
    # Outside code spans (which show their text as it is), nothing is left to act on.
    assert "\\<script\\>" in text
    assert "<script>" not in text.replace(md_code(hostile), "")
    row = next(line for line in text.splitlines() if line.startswith("| `n<b>`"))
    # Five cells: the pipes inside values are escaped, and no '$' opens a formula.
    assert len(re.findall(r"(?<!\\)\|", row)) == 6, row


def test_markdown_helpers() -> None:
    assert md_code("a|b") == "`a\\|b`"
    assert md_code("uses `x`") == "`` uses `x` ``"
    assert md_text("$5 <b>") == "\\$5 \\<b\\>"
    assert md_text("1. first") == "1\\. first" and md_text("-x") == "\\-x"
    assert md_described("sum of `h800_gpu_hours` by stage") == "sum of `h800_gpu_hours` by stage"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "--all")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)


def test_the_base_is_exported_once_per_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src" / "sitebuilder").mkdir(parents=True)
    (repo / "src" / "sitebuilder" / "driver.py").write_text("", encoding="utf-8")
    (repo / "data.csv").write_text("a\n1\n", encoding="utf-8")
    (repo / ".gitignore").write_text("_build/\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _commit_all(repo, "one")
    book, commit = export_base("HEAD", repo)
    assert book == repo / "_build" / "diff-base" / "book"
    assert (book / "data.csv").read_text(encoding="utf-8") == "a\n1\n"
    (book / "_build").mkdir()
    (book / "_build" / "kept").write_text("cache", encoding="utf-8")

    (repo / "data.csv").write_text("a\n2\n", encoding="utf-8")
    (repo / "gone.txt").write_text("", encoding="utf-8")
    _commit_all(repo, "two")
    (repo / "gone.txt").unlink()
    _commit_all(repo, "three")
    _, second = export_base("HEAD~1", repo)
    assert second != commit and (book / "gone.txt").exists()
    _, third = export_base("HEAD", repo)
    assert (book / "data.csv").read_text(encoding="utf-8") == "a\n2\n"
    assert not (book / "gone.txt").exists(), "a file deleted since stays deleted"
    assert (book / "_build" / "kept").read_text(encoding="utf-8") == "cache"
    assert (repo / "_build" / "diff-base" / "commit").read_text().strip() == third

    with pytest.raises(DiffError, match="nosuchref"):
        export_base("nosuchref", repo)


def test_a_base_without_the_builder_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("old\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _commit_all(repo, "old")
    with pytest.raises(DiffError, match="predates `python -m sitebuilder`"):
        export_base("HEAD", repo)
