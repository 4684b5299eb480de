"""What an edit changes in the published book, before it is published: ``make diff``.

``python -m sitebuilder.diff --base REF`` (what ``make diff BASE=REF`` runs; REF defaults to
``main``):

1. builds REF's book in ``_build/diff-base/book``, from ``git archive``, with its own Jupyter
   cache kept between runs: the same commit again costs a no-change build (about a second),
   another commit executes only the chapters whose inputs differ. A base without a cache
   starts from this checkout's, so a diff made right after an edit executes only what the
   edit touched (and the same the other way round);
2. builds this checkout, as ``make book`` does;
3. compares the two sites (:func:`compare`):

   - the data rows that differ (``data/*.csv``, by primary key): the cause;
   - every published number (``numbers/numbers.json``) whose value changed, old -> new,
     with its page, the section it stands in, the words around it and its provenance rows,
     those whose data changed marked; the numbers added and removed;
   - every chart whose SVG changed, by figure id, old beside new; charts added and removed;
   - scorecard verdicts that changed;
   - the pages whose text changed, paragraph by paragraph;

4. writes ``_build/diff/index.html`` (the charts copied beside it, so the folder is the whole
   report; Jinja escapes everything that comes from the books) and ``_build/diff/summary.md``
   (what CI puts in a pull request's job summary), and prints the summary.

``--base-root DIR`` compares with a checkout already built in ``DIR`` instead (no git, no
base build); the tests use it with the session's build.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from jinja2 import Environment

from frontierbook.paths import ROOT
from sitebuilder.editions import editions
from sitebuilder.layout import BuildPaths
from sitebuilder.toc import toc_docnames

# Pages that carry no text of the book's own.
NOT_PAGES = {"genindex.html", "search.html"}
NOT_PAGE_FOLDERS = {"_static", "_sources", "_images", "_downloads", "data", "numbers", "wheels"}
# Elements whose text is one line of a page when no such element is inside them.
BLOCKS = (
    "p", "li", "tr", "dt", "dd", "pre", "caption", "figcaption", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip
CONTEXT_CHARS = 70
SUMMARY_ROWS = 60  # numbers listed in the Markdown summary; the HTML report lists all
DIFF_LINES_PER_PAGE = 400


class DiffError(Exception):
    """The comparison could not be made; the message says why and what to do."""


# ---- one built book: its sources and its site


def _normal(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Book:
    """A checkout (``root``) and the site built from it (``html``)."""

    root: Path
    html: Path
    described: str = ""

    @classmethod
    def built(cls, root: Path, described: str = "") -> Book:
        html = BuildPaths(Path(root)).html
        if not (html / "index.html").is_file():
            raise DiffError(f"{html} holds no built book: build it first (make book)")
        return cls(Path(root), html, described or str(root))

    @cached_property
    def pages(self) -> list[str]:
        """Every page of the site, as a path under ``html``, in reading order."""
        found = {
            p.relative_to(self.html).as_posix()
            for p in self.html.rglob("*.html")
            if p.name not in NOT_PAGES
            and not NOT_PAGE_FOLDERS & set(p.relative_to(self.html).parts[:-1])
        }
        try:
            order = [f"{d}.html" for d in toc_docnames(self.root)]
        except OSError:
            order = []
        return [p for p in order if p in found] + sorted(found - set(order))

    def soup(self, page: str) -> BeautifulSoup:
        cache = self.__dict__.setdefault("_soups", {})
        if page not in cache:
            cache[page] = BeautifulSoup(self._raw(page), "html.parser")
        return cache[page]

    @cached_property
    def numbers(self) -> dict[str, dict]:
        path = self.html / "numbers" / "numbers.json"
        if not path.is_file():
            return {}
        document = json.loads(path.read_text(encoding="utf-8"))
        return {n["name"]: n for n in document["numbers"]}

    def listed(self, name: str) -> str:
        """Where the table of every number lists this one (the data appendix's row)."""
        anchor = f"number-{name}"
        for page in self.pages:
            if f'id="{anchor}"' in self._raw(page):
                return f"{page}#{anchor}"
        return ""

    def _raw(self, page: str) -> str:
        cache = self.__dict__.setdefault("_raws", {})
        if page not in cache:
            path = self.html / page
            cache[page] = path.read_text(encoding="utf-8") if path.is_file() else ""
        return cache[page]

    def page_text(self, page: str) -> list[str]:
        """The page's article as lines: one per paragraph, list item, table row or heading."""
        article = _article(self.soup(page))
        if article is None:
            return []
        lines = []
        for element in article.find_all(BLOCKS):
            if element.find(BLOCKS) is not None:
                continue
            if element.name == "tr":  # a table row reads as one line, cell | cell
                cells = element.find_all(["td", "th"], recursive=False)
                text = " | ".join(_normal(_visible_text(cell)) for cell in cells)
            else:
                text = _normal(_visible_text(element))
            if text.strip(" |"):
                lines.append(text)
        return lines

    def charts(self, pages: list[str]) -> dict[str, dict]:
        """'page#figure id' (or position) -> the chart's id, page, caption, alt text, SVG."""
        # Imported here: the gallery brings matplotlib, which only a chart change needs.
        from sitebuilder.gallery import charts_in

        found = {}
        for page in pages:
            charts = charts_in(self.html / page, self.soup(page))
            for position, chart in enumerate(charts, start=1):
                # By page and id: another edition's page shows a chart of the same id.
                key = chart["id"] or f"figure-{position}"
                found[f"{page}#{key}"] = {**chart, "page": page, "key": key}
        return found

    def verdicts(self, pages: list[str]) -> dict[str, dict]:
        """Claim -> its verdict, from every table with a 'Verdict' column (the scorecard)."""
        found = {}
        for page in pages:
            for table in self.soup(page).select("table"):
                headers = [_normal(th.get_text()) for th in table.select("thead th")]
                column = next((i for i, h in enumerate(headers) if h.startswith("Verdict")), None)
                if column is None:
                    continue
                for row in table.select("tbody tr"):
                    cells = row.find_all("td", recursive=False)
                    if len(cells) <= column:  # a full-width line under a claim, say
                        continue
                    button = row.select_one("[data-fb-num]")
                    # The claim: the cells before the verdict, the book's value left out.
                    claim = " — ".join(
                        _normal(cell.get_text(" "))
                        for cell in cells[:column]
                        if cell.select_one("[data-fb-num]") is None
                    )
                    who = cells[0].find("strong") or cells[0]
                    key = row.get("id") or (button["data-fb-num"] if button else claim)
                    strong = cells[column].find("strong")
                    verdict = strong if strong is not None else cells[column]
                    found[f"{page}#{key}"] = {
                        "page": page,
                        "who": _normal(who.get_text(" ")),
                        "claim": claim[:300],
                        "verdict": _normal(verdict.get_text(" ")),
                    }
        return found

    def tables(self) -> dict[str, dict]:
        """Table name -> its primary key and rows, from the site's copy of ``data/`` (what
        this build validated and read)."""
        data = self.html / "data"
        package = json.loads((data / "datapackage.json").read_text(encoding="utf-8-sig"))
        found = {}
        for resource in package["resources"]:
            key = resource.get("schema", {}).get("primaryKey") or []
            key = [key] if isinstance(key, str) else list(key)
            with open(data / resource["path"], encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
            found[resource["name"]] = {"key": key, "rows": rows}
        return found


def _article(soup: BeautifulSoup) -> Tag | None:
    return soup.select_one("article") or soup.select_one("main") or soup.body


def _visible_text(element: Tag) -> str:
    return "".join(
        s
        for s in element.find_all(string=True)
        if not any(p.name in ("script", "style") for p in s.parents)
        and not any("headerlink" in (p.get("class") or []) for p in s.parents)
    )


def _same_file(a: Path, b: Path) -> bool:
    return a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()


def _anchor(section: Tag | None) -> str:
    """A section's MyST label where it has one (what data/claims.csv's ``evidence`` and the
    cross-references use), else the id Sphinx made from its heading."""
    if section is None:
        return ""
    label = section.find("span", id=True, recursive=False)
    return label["id"] if label else section["id"]


def _where(book: Book, name: str, page: str, value: str) -> tuple[str, dict[str, str]]:
    """The id of the section a number stands in, and the words before and after it."""
    soup = book.soup(page)
    button = soup.find(attrs={"data-fb-num": name})
    if button is None:
        # Not in the prose: a table cell that shows exactly this value, if there is one.
        article = _article(soup)
        cell = article and article.find(
            lambda tag: tag.name in ("td", "th") and _normal(tag.get_text()) == value
        )
        if cell is None:
            return "", {"before": "", "after": ""}
        section = cell.find_parent("section", id=True)
        row = cell.find_parent("tr")
        label = _normal(row.find(["td", "th"]).get_text(" ")) if row else ""
        context = {"before": f"table row “{label}”: " if label else "table: ", "after": ""}
        return _anchor(section), context
    section = button.find_parent("section", id=True)
    block = button.find_parent([*BLOCKS, "td", "th"]) or button.parent
    before, after, seen = [], [], False
    for string in block.find_all(string=True):
        inside = any(p is button for p in string.parents)
        if inside:
            seen = True
        elif seen:
            after.append(str(string))
        else:
            before.append(str(string))
    before_text = _normal("".join(before))
    after_text = _normal("".join(after))
    if len(before_text) > CONTEXT_CHARS:
        before_text = "…" + before_text[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after_text) > CONTEXT_CHARS:
        after_text = after_text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    spaced_before = before_text + (" " if before and before[-1][-1:].isspace() else "")
    spaced_after = (" " if after and after[0][:1].isspace() else "") + after_text
    return _anchor(section), {"before": spaced_before, "after": spaced_after}


# ---- the comparison


@dataclass
class Report:
    base: str
    head: str
    rows: list[dict] = field(default_factory=list)
    numbers_changed: list[dict] = field(default_factory=list)
    numbers_added: list[dict] = field(default_factory=list)
    numbers_removed: list[dict] = field(default_factory=list)
    charts_changed: list[dict] = field(default_factory=list)
    charts_added: list[dict] = field(default_factory=list)
    charts_removed: list[dict] = field(default_factory=list)
    verdicts: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not any(
            (
                self.rows,
                self.numbers_changed,
                self.numbers_added,
                self.numbers_removed,
                self.charts_changed,
                self.charts_added,
                self.charts_removed,
                self.verdicts,
                self.pages,
            )
        )


def _row_key(table: str, key: dict[str, object]) -> tuple[str, frozenset]:
    return table, frozenset((k, str(v)) for k, v in key.items())


def data_changes(base: Book, head: Book) -> list[dict]:
    """Every row of ``data/`` added, removed or changed, by its table's primary key."""
    old_tables, new_tables = base.tables(), head.tables()
    changes = []
    for name in sorted(set(old_tables) | set(new_tables)):
        old = old_tables.get(name, {"key": [], "rows": []})
        new = new_tables.get(name, {"key": [], "rows": []})
        columns = new["key"] or old["key"]

        def keyed(rows: list[dict], columns: list[str] = columns) -> dict[tuple, dict]:
            if not columns:
                return {(str(i + 1),): row for i, row in enumerate(rows)}
            return {tuple(row.get(c, "") for c in columns): row for row in rows}

        before, after = keyed(old["rows"]), keyed(new["rows"])
        for key in [*before, *(k for k in after if k not in before)]:
            key_dict = dict(zip(columns or ["row"], key, strict=True))
            old_row, new_row = before.get(key), after.get(key)
            if old_row == new_row:
                continue
            if old_row is None or new_row is None:
                status = "added" if old_row is None else "removed"
                cells = []
            else:
                status = "changed"
                cells = [
                    {"column": c, "old": old_row.get(c, ""), "new": new_row.get(c, "")}
                    for c in dict.fromkeys([*old_row, *new_row])
                    if old_row.get(c) != new_row.get(c)
                ]
            changes.append(
                {
                    "table": name,
                    "key": key_dict,
                    "key_text": ", ".join(key),
                    "status": status,
                    "cells": cells,
                    "id": _row_key(name, key_dict),
                }
            )
    return changes


def _number_view(book: Book, number: dict, changed_rows: set) -> dict:
    anchor, context = _where(book, number["name"], number["page"], number["value"])
    return {
        "name": number["name"],
        "page": number["page"],
        "anchor": anchor,
        "where": number["page"] + (f"#{anchor}" if anchor else ""),
        "listed": book.listed(number["name"]),
        "value": number["value"],
        "how": number.get("how", ""),
        "context": context,
        "rows": [
            {
                "text": f"{r['table']}: {', '.join(str(v) for v in r['key'].values())}",
                "source": r.get("source", ""),
                "kind": r.get("kind", ""),
                "changed": _row_key(r["table"], r["key"]) in changed_rows,
            }
            for r in number.get("rows", [])
        ],
        "params": {p["name"]: p.get("value") for p in number.get("params", [])},
    }


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(operation, text) pieces: 'same', 'del' or 'ins'."""
    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def _trimmed(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Long unchanged stretches cut down to the words next to a change."""
    out = []
    for index, (op, text) in enumerate(pieces):
        if op == "same" and len(text) > 2 * CONTEXT_CHARS:
            after_change, before_change = index > 0, index < len(pieces) - 1
            start = text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …" if after_change else ""
            end = "… " + text[-CONTEXT_CHARS:].split(" ", 1)[-1] if before_change else ""
            text = f"{start} {end}" if start and end else start or end
        out.append((op, text))
    return out


def _text_changes(old: list[str], new: list[str]) -> list[dict]:
    """The changed lines of a page, paired where a line was edited in place."""
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        if op == "replace" and len(removed) == len(added):
            changes.extend(
                {"kind": "edited", "pieces": _trimmed(_word_diff(a, b))}
                for a, b in zip(removed, added, strict=True)
            )
            continue
        changes.extend({"kind": "removed", "text": line} for line in removed)
        changes.extend({"kind": "added", "text": line} for line in added)
    return changes


def compare(base: Book, head: Book) -> Report:
    """Everything a reader of ``head`` would see differently from ``base``."""
    report = Report(base=base.described, head=head.described)
    report.rows = data_changes(base, head)
    changed_rows = {row["id"] for row in report.rows}

    old_numbers, new_numbers = base.numbers, head.numbers
    for name, number in new_numbers.items():
        if name not in old_numbers:
            report.numbers_added.append(_number_view(head, number, changed_rows))
        elif old_numbers[name]["value"] != number["value"]:
            view = _number_view(head, number, changed_rows)
            old = _number_view(base, old_numbers[name], changed_rows)
            view["old"] = old["value"]
            view["old_context"] = old["context"]
            view["params_changed"] = {
                k: (old["params"].get(k), v)
                for k, v in view["params"].items()
                if old["params"].get(k) != v
            }
            report.numbers_changed.append(view)
    report.numbers_removed = [
        _number_view(base, n, changed_rows) for name, n in old_numbers.items()
        if name not in new_numbers
    ]  # fmt: skip

    # A page whose bytes are the same shows the same text, charts (named by their content)
    # and verdicts, so only the others are read.
    differing = [
        page
        for page in [*head.pages, *(p for p in base.pages if p not in head.pages)]
        if not _same_file(base.html / page, head.html / page)
    ]
    old_charts, new_charts = base.charts(differing), head.charts(differing)
    for key, chart in new_charts.items():
        if key not in old_charts:
            report.charts_added.append({"new": chart, "key": chart["key"]})
            continue
        before = old_charts[key]
        if Path(before["svg"]).read_bytes() != Path(chart["svg"]).read_bytes():
            report.charts_changed.append(
                {
                    "key": chart["key"],
                    "old": before,
                    "new": chart,
                    "alt_pieces": _word_diff(before["alt"], chart["alt"])
                    if before["alt"] != chart["alt"]
                    else [],
                }
            )
    report.charts_removed = [
        {"old": c, "key": c["key"]} for k, c in old_charts.items() if k not in new_charts
    ]

    old_verdicts, new_verdicts = base.verdicts(differing), head.verdicts(differing)
    for key in [*new_verdicts, *(k for k in old_verdicts if k not in new_verdicts)]:
        old, new = old_verdicts.get(key), new_verdicts.get(key)
        if old and new and old["verdict"] == new["verdict"]:
            continue
        shown = new or old
        report.verdicts.append(
            {
                "page": shown["page"],
                "who": shown["who"],
                "claim": shown["claim"],
                "old": old["verdict"] if old else "(no such claim)",
                "new": new["verdict"] if new else "(claim removed)",
            }
        )

    for page in differing:
        old_lines, new_lines = base.page_text(page), head.page_text(page)
        if old_lines == new_lines:
            continue
        changes = _text_changes(old_lines, new_lines)
        status = "added" if not old_lines else "removed" if not new_lines else "changed"
        report.pages.append(
            {
                "page": page,
                "status": status,
                "count": len(changes),
                "changes": changes[:DIFF_LINES_PER_PAGE],
                "cut": max(0, len(changes) - DIFF_LINES_PER_PAGE),
            }
        )
    return report


# ---- the report: HTML with the charts, and a short Markdown summary

# The report's page: Jinja, autoescaped.
TEMPLATE = Path(__file__).with_name("diff.html.jinja")


def _copy_chart(chart: dict, out: Path, side: str) -> str:
    data = Path(chart["svg"]).read_bytes()
    name = f"{side}-{hashlib.sha256(data).hexdigest()[:16]}.svg"
    (out / "charts" / name).write_bytes(data)
    return f"charts/{name}"


def write_html(report: Report, out: Path) -> Path:
    """``out/index.html`` and the charts it shows in ``out/charts/``."""
    (out / "charts").mkdir(parents=True, exist_ok=True)
    for chart in report.charts_changed:
        chart["old_src"] = _copy_chart(chart["old"], out, "old")
        chart["new_src"] = _copy_chart(chart["new"], out, "new")
    for chart in report.charts_added:
        chart["new_src"] = _copy_chart(chart["new"], out, "new")
    for chart in report.charts_removed:
        chart["old_src"] = _copy_chart(chart["old"], out, "old")
    environment = Environment(autoescape=True, trim_blocks=True)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    path = out / "index.html"
    path.write_text(template.render(r=report), encoding="utf-8")
    return path


def md_text(text: object) -> str:
    """Plain text inside Markdown: every character that could start markup escaped."""
    text = re.sub(r"\s+", " ", str(text))
    text = re.sub(r"([\\`*_{}\[\]<>#+!|$~&])", r"\\\1", text)
    # At the start of a list item, "- x" or "1. x" would begin a list of its own.
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return "\\" + text if text.startswith("-") else text


def md_described(text: object) -> str:
    """A description whose `column` names are shown as code, the rest as plain text."""
    parts = str(text).split("`")
    return "".join(md_code(p) if i % 2 else md_text(p) for i, p in enumerate(parts) if p)


def md_code(text: object) -> str:
    """A code span that holds any text, a table cell's ``|`` included."""
    text = _normal(str(text)).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _count_by_page(numbers: list[dict]) -> str:
    counts = Counter(n["page"] for n in numbers)
    return ", ".join(f"{md_code(page)} {count}" for page, count in counts.items())


def summary_markdown(report: Report, report_path: str = "_build/diff/index.html") -> str:
    """What a reviewer reads first: counts, every changed number, the charts by name."""
    out = [
        "## What this change does to the book",
        "",
        f"Base: {md_text(report.base)}. Compared with: {md_text(report.head)}.",
        "",
    ]
    if report.nothing:
        out += ["Nothing a reader sees has changed.", ""]
    out.append(f"**Data rows changed: {len(report.rows)}**")
    out += [
        f"- {md_code('data/' + row['table'] + '.csv')} {md_text(row['key_text'])}: "
        + (
            "; ".join(
                f"{md_code(c['column'])} {md_code(c['old'])} → {md_code(c['new'])}"
                for c in row["cells"]
            )
            or f"row {row['status']}"
        )
        for row in report.rows
    ]
    out += ["", f"**Numbers changed: {len(report.numbers_changed)}**"]
    if report.numbers_changed:
        out += [f"({_count_by_page(report.numbers_changed)})", ""]
        out += ["| Number | Old | New | Where | How it is computed |", "|---|---|---|---|---|"]
        for n in report.numbers_changed[:SUMMARY_ROWS]:
            out.append(
                f"| {md_code(n['name'])} | {md_code(n['old'])} | {md_code(n['value'])} "
                f"| {md_code(n['where'])} | {md_described(n['how'])} |"
            )
        if len(report.numbers_changed) > SUMMARY_ROWS:
            out.append(f"\nand {len(report.numbers_changed) - SUMMARY_ROWS} more in the report.")
    for title, numbers in (("added", report.numbers_added), ("removed", report.numbers_removed)):
        out += ["", f"**Numbers {title}: {len(numbers)}**"]
        out += [f"- {md_code(n['name'])} {md_code(n['value'])} on {md_code(n['where'])}"
                for n in numbers[:SUMMARY_ROWS]]  # fmt: skip
    charts = [
        *(("changed", c["key"], c["new"]["page"]) for c in report.charts_changed),
        *(("added", c["key"], c["new"]["page"]) for c in report.charts_added),
        *(("removed", c["key"], c["old"]["page"]) for c in report.charts_removed),
    ]
    out += ["", f"**Charts changed, added or removed: {len(charts)}**"]
    out += [f"- {status}: {md_code(key)} on {md_code(page)}" for status, key, page in charts]
    out += ["", f"**Scorecard verdicts changed: {len(report.verdicts)}**"]
    out += [
        f"- {md_text(v['who'])}: {md_code(v['old'])} → {md_code(v['new'])}" for v in report.verdicts
    ]
    out += ["", f"**Pages whose text changed: {len(report.pages)}**"]
    out += [
        f"- {md_code(p['page'])}: {p['count']} paragraph(s), row(s) or heading(s) {p['status']}"
        for p in report.pages
    ]
    out += [
        "",
        f"The full report, with every chart before and after: {md_code(report_path)}.",
        "",
    ]
    return "\n".join(out)


def console_summary(report: Report) -> str:
    lines = [f"make diff: {report.base} -> {report.head}"]
    if report.nothing:
        return lines[0] + "\n  nothing a reader sees has changed"
    for row in report.rows:
        cells = "; ".join(f"{c['column']} {c['old']} -> {c['new']}" for c in row["cells"])
        lines.append(f"  data/{row['table']}.csv {row['key_text']}: {cells or row['status']}")
    lines.append(f"  numbers changed: {len(report.numbers_changed)}")
    lines += [
        f"    {n['name']}: {n['old']} -> {n['value']}  ({n['where']})"
        for n in report.numbers_changed
    ]
    lines.append(
        f"  numbers added: {len(report.numbers_added)}, removed: {len(report.numbers_removed)}"
    )
    lines.append(
        f"  charts changed: {len(report.charts_changed)}"
        + "".join(f"\n    {c['key']} ({c['new']['page']})" for c in report.charts_changed)
    )
    if report.charts_added or report.charts_removed:
        lines.append(
            f"  charts added: {len(report.charts_added)}, removed: {len(report.charts_removed)}"
        )
    lines.append(f"  scorecard verdicts changed: {len(report.verdicts)}")
    lines += [f"    {v['who']}: {v['old']} -> {v['new']}" for v in report.verdicts]
    lines.append(
        f"  pages whose text changed: {len(report.pages)}"
        + "".join(f"\n    {p['page']} ({p['count']})" for p in report.pages)
    )
    return "\n".join(lines)


def write_report(report: Report, out: Path) -> tuple[Path, Path]:
    """Replace ``out`` with the HTML report and ``summary.md``; return both paths."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    html = write_html(report, out)
    summary = out / "summary.md"
    try:
        shown = out.relative_to(ROOT).as_posix() + "/index.html"
    except ValueError:
        shown = str(html)
    summary.write_text(summary_markdown(report, shown), encoding="utf-8")
    return html, summary


# ---- building the base and this checkout


def base_folder(root: Path = ROOT) -> Path:
    return BuildPaths(root).build_dir / "diff-base"


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout.strip()


def describe_checkout(root: Path) -> str:
    try:
        commit = _git(root, "rev-parse", "--short=10", "HEAD")
        dirty = _git(root, "status", "--porcelain")
    except (DiffError, OSError):
        return "this checkout"
    return f"this checkout ({commit}{' + uncommitted changes' if dirty else ''})"


def build_env(root: Path) -> dict[str, str]:
    """What ``make book`` gives the driver; ``root/src`` first, so its own package runs."""
    return {
        **os.environ,
        "PYTHONPATH": str(Path(root) / "src"),
        "JUPYTER_DATA_DIR": str(Path(sys.prefix) / "share" / "jupyter"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def run_build(root: Path, what: str) -> None:
    print(f"make diff: building {what}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sitebuilder"], cwd=root, env=build_env(root), check=False
    )
    if result.returncode != 0:
        raise DiffError(f"{what} did not build (its messages are above)")
    print(f"make diff: built {what} in {time.perf_counter() - started:.1f} s", flush=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DiffError("another make diff of this checkout is running") from None
        yield


def _seed_cache(source: Path, target: Path) -> None:
    """A checkout without an edition's Jupyter cache starts from the other's: the
    fingerprints stored with each run decide, as always, which runs still hold."""
    for edition in editions(Path(source)):
        src = BuildPaths(source, edition.language).jupyter_cache
        dst = BuildPaths(target, edition.language).jupyter_cache
        if src.is_dir() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(src, dst)


def export_base(ref: str, root: Path = ROOT) -> tuple[Path, str]:
    """REF's sources in ``_build/diff-base/book`` (its ``_build`` kept); return it and REF's
    commit."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    folder = base_folder(root)
    book = folder / "book"
    stamp = folder / "commit"
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == commit):
        book.mkdir(parents=True, exist_ok=True)
        for entry in book.iterdir():
            if entry.name in ("_build", ".venv"):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(book, filter="data")
        stamp.write_text(commit + "\n", encoding="utf-8")
    if not (book / "src" / "sitebuilder" / "driver.py").is_file():
        raise DiffError(
            f"{ref} ({commit[:10]}) predates `python -m sitebuilder`: pick a later BASE"
        )
    venv = book / ".venv"
    if not venv.exists():
        venv.symlink_to(Path(sys.prefix))
    return book, commit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="git ref to compare with (default: main)")
    parser.add_argument(
        "--base-root", type=Path, help="a checkout already built, instead of --base"
    )
    parser.add_argument("--out", type=Path, default=BuildPaths(ROOT).build_dir / "diff")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.base_root:
            run_build(ROOT, describe_checkout(ROOT))
            base = Book.built(args.base_root, str(args.base_root))
            report = compare(base, Book.built(ROOT, describe_checkout(ROOT)))
        else:
            with _locked(base_folder(ROOT)):
                book, commit = export_base(args.base, ROOT)
                described = f"{args.base} ({commit[:10]})"
                _seed_cache(ROOT, book)
                run_build(book, f"the base, {described}, in {book.relative_to(ROOT)}")
                _seed_cache(book, ROOT)
                run_build(ROOT, describe_checkout(ROOT))
                base = Book.built(book, described)
                report = compare(base, Book.built(ROOT, describe_checkout(ROOT)))
        html, summary = write_report(report, args.out)
    except DiffError as error:
        print(f"make diff: {error}", file=sys.stderr)
        return 1
    print(console_summary(report))
    print(
        f"make diff: report in {html} (summary: {summary}); {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
