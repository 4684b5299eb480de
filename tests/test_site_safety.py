"""What only a build can show: no markup from the data reaches the site, and nothing in
``data/`` that the package does not declare is published (the build fails instead)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from markupsafe import escape

from frontierbook.chartlint import LINT_SWITCH
from frontierbook.data import SOURCE_FIELDS, is_free_text
from frontierbook.inputs import descriptor

from .conftest import book_copy, make_book

# Every test here runs `make book` on a copy of the sources: not for `make test-fast`.
pytestmark = pytest.mark.build

ATTACKS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "{{ 7*191 }}",
    # Live in a notebook's Markdown unless escaped: a link, a remote image, a MyST role that
    # jupyterlab-myst would send to the reader's kernel.
    "[x](javascript:alert(4))",
    "![t](https://evil.example/t.png)",
    '{eval}`__import__("os").system("id")`',
)
# In the bibliography too: a citation's label reaches every notebook that cites it.
BIB_ATTACK = "Lab [y](javascript:alert(5)) ![u](https://evil.example/u.png)"
# Any of these in a page, a chart or a notebook means the attack got through unescaped.
LIVE_MARKUP = re.compile(r"<script>alert|<img src=x onerror|<svg onload", re.IGNORECASE)
# Codes the chapters look rows up by (a chart colours each paragraph of the rule); they are
# printed too, so they would be worth attacking, but a changed code fails the lookup first.
CODE_COLUMNS = {("export_thresholds", "paragraph")}
# Templates: a claim's reason names the figures the book fills in as {name}, and refuses an
# unknown one (so a MyST role there stops the build, loudly); the other attacks go there.
TEMPLATE_COLUMNS = {("claims", "reason")}


def _key_columns(resource: dict, resources: list[dict]) -> set[str]:
    """Columns other rows point at or that point elsewhere: changing them breaks keys."""
    schema = resource["schema"]
    keys = set(schema.get("primaryKey", [])) | set(SOURCE_FIELDS)
    for fk in schema.get("foreignKeys", []):
        keys |= set(fk["fields"])
    for other in resources:
        for fk in other["schema"].get("foreignKeys", []):
            if fk["reference"]["resource"] == resource["name"]:
                keys |= set(fk["reference"]["fields"])
    return keys


def inject_everywhere(data: Path) -> dict[str, list[str]]:
    """Append the attacks to every free-text cell that is not a key; return the columns."""
    resources = descriptor(data)["resources"]
    injected = {}
    for resource in resources:
        keys = _key_columns(resource, resources)
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        targets = [
            n
            for n, f in fields.items()
            if is_free_text(f) and n not in keys and (resource["name"], n) not in CODE_COLUMNS
        ]
        path = data / resource["path"]
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = rows[0]
        for number, row in enumerate(rows[1:]):
            for name in targets:
                i = header.index(name)
                limit = fields[name].get("constraints", {}).get("maxLength")
                # One attack per cell, in turn down the rows: all four at once make chart
                # labels so long that matplotlib cannot lay the chart out (a warning).
                attack = ATTACKS[number % len(ATTACKS)]
                if (resource["name"], name) in TEMPLATE_COLUMNS and "{eval}" in attack:
                    attack = ATTACKS[0]
                base = row[i] or "x"
                if limit is not None:
                    base = base[: max(1, limit - len(attack) - 1)]
                row[i] = f"{base} {attack}"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        injected[resource["name"]] = targets
    return injected


def inject_into_tier_notes(bib: Path) -> int:
    """Append an attack to every ``tiernote`` of the bibliography (the reason a source is
    secondary, which the bibliography page shows); return how many."""
    text, count = re.subn(
        r"(tiernote\s*=\s*\{)", lambda m: m.group(1) + ATTACKS[0] + " ", bib.read_text("utf-8")
    )
    bib.write_text(text, encoding="utf-8")
    return count


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    book = book_copy(tmp_path_factory.mktemp("injected"))
    injected = inject_everywhere(book / "data")
    bib = book / "references.bib"
    injected["references.bib tiernote"] = inject_into_tier_notes(bib)
    text = bib.read_text(encoding="utf-8")
    entry = text.index("@misc{deepseek2024v3,")
    bib.write_text(
        text[:entry]
        + text[entry:].replace("  title ", f"  shortauthor  = {{{BIB_ATTACK}}},\n  title ", 1),
        encoding="utf-8",
    )
    # The attacks make deliberately ugly chart labels (long, bracketed); this build checks
    # escaping, so the chart lint, which would rightly refuse them, is off for it alone.
    result = make_book(book, extra_env={LINT_SWITCH: "off"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return book, injected


def test_attacks_reach_every_table_with_free_text(injected_site) -> None:
    _, injected = injected_site
    notes = injected["references.bib tiernote"]
    tables = {
        name: columns for name, columns in injected.items() if name != "references.bib tiernote"
    }
    assert sum(len(columns) for columns in tables.values()) >= 30
    assert {"note", "title", "description"} <= set(tables["events"])
    assert {"counter_evidence", "reason", "claim"} <= set(tables["claims"])
    assert notes >= 5  # every secondary source gives its reason


def test_no_live_markup_in_any_page_chart_or_notebook(injected_site) -> None:
    book, _ = injected_site
    site = book / "_build" / "html"
    checked = 0
    for path in site.rglob("*"):
        if path.suffix in (".html", ".svg", ".ipynb", ".js", ".json", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":
                # Markdown escapes markup with a backslash (JSON doubles it): "\\<svg" is
                # text. What Jupyter would render is checked token by token below.
                text = re.sub(r"\\\\[<>]", "", text)
            found = LIVE_MARKUP.search(text)
            assert found is None, (
                f"{path.relative_to(site)}: {text[found.start() - 80 : found.end()]}"
            )
            checked += 1
    assert checked > 20
    timeline = (site / "chapters" / "01_timeline.html").read_text(encoding="utf-8")
    # Shown to the reader as text, and never evaluated as a template.
    for attack in ATTACKS:
        assert escape(attack) in timeline, attack
    bibliography = (site / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    assert "Why no better copy: " + escape(ATTACKS[0]) in bibliography


def _markdown_tokens(text: str) -> list:
    from tests.test_bad_inputs import _markdown_tokens as tokens

    return tokens(text)


def test_no_live_markdown_from_data_in_any_notebook(injected_site) -> None:
    """Every link in the downloadable notebooks of every edition goes to http(s) (the book,
    its sources); no image is remote; no MyST role is left for jupyterlab-myst to run; and
    the attacks did reach the notebooks, as text."""
    import json

    book, _ = injected_site
    notebooks = sorted((book / "_build" / "html").rglob("_sources/**/*.ipynb"))
    assert notebooks
    assert any(n.is_relative_to(book / "_build" / "html" / "id") for n in notebooks)
    reached = 0
    for notebook in notebooks:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"])
            reached += source.count("evil.example")
            for token in _markdown_tokens(source):
                where = f"{notebook.name}: {source[:200]!r}"
                assert token.type != "myst_role", where
                if token.type == "image":
                    assert "evil.example" not in (token.attrGet("src") or ""), where
                if token.type.startswith("html"):
                    assert not re.search(r"javascript:|evil\.example", token.content), where
                    assert not LIVE_MARKUP.search(token.content), where
                if token.type == "link_open":
                    href = token.attrGet("href") or ""
                    assert href.startswith(("https://", "http://")), (href, where)
    assert reached >= 2, "no attack reached a notebook"


def test_data_downloads_are_the_validated_files_unchanged(injected_site) -> None:
    book, _ = injected_site
    published = book / "_build" / "html" / "data"
    declared = {r["path"] for r in descriptor(book / "data")["resources"]}
    assert {p.name for p in published.iterdir()} == declared | {"datapackage.json"}
    for path in published.iterdir():
        # Served as .csv/.json files (a download, never rendered as a page), byte for byte
        # what validation accepted.
        assert path.suffix in (".csv", ".json") and not path.is_symlink()
        assert path.read_bytes() == (book / "data" / path.name).read_bytes()


def test_undeclared_symlinked_and_hidden_files_fail_the_build(tmp_path: Path) -> None:
    book = book_copy(tmp_path)
    data = book / "data"
    (data / "garbage.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (data / "passwd.csv").symlink_to("/etc/passwd")
    (data / ".secret").write_text("token\n", encoding="utf-8")
    result = make_book(book)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for name in ("data/garbage.csv", "data/passwd.csv", "data/.secret"):
        assert name in output, output[-3000:]
    assert not (book / "_build" / "html").exists()
