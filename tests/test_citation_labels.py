"""Every work has one author-year label, unique in the book, printed alike in the text, the
bibliography and the charts' source lines; a bibliography that breaks this stops the build,
naming the entries."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from frontierbook.citations import citation_labels, label_problems, short_citation
from frontierbook.inputs import InputError, bibliography
from frontierbook.paths import BIB_PATH

from .conftest import build_in

THIRD_DEEPSEEK_2025 = """
@misc{deepseek2025third,
  author       = {{DeepSeek}},
  title        = {A third DeepSeek document of 2025},
  year         = {2025},
  url          = {https://example.org/third},
  tier         = {primary},
}
"""


def _bib_with(tmp_path: Path, extra: str) -> Path:
    bib = tmp_path / "references.bib"
    bib.write_text(BIB_PATH.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return bib


def _line(bib: Path, key: str) -> int:
    text = bib.read_text(encoding="utf-8")
    return text[: text.index("{" + key + ",")].count("\n") + 1


def test_the_books_labels_are_unique() -> None:
    labels = citation_labels()
    assert list(labels) == list(bibliography())
    assert len(set(labels.values())) == len(labels)
    assert short_citation("deepseek2025r1") == "DeepSeek-AI 2025a"
    assert short_citation("semianalysis2025debates") == "SemiAnalysis 2025a"


def test_a_third_work_without_its_letter_is_refused_naming_all_three(tmp_path: Path) -> None:
    # The book has three DeepSeek documents of 2025 (2025a to 2025c); this adds one more.
    bib = _bib_with(tmp_path, THIRD_DEEPSEEK_2025)
    with pytest.raises(InputError) as error:
        citation_labels(bib)
    message = str(error.value)
    assert "4 works are labelled 'DeepSeek 2025'" in message
    assert "2025a to 2025d" in message
    keys = ("deepseek2025pricing", "deepseek2025licencefaq", "deepseek2025changelog")
    for key in (*keys, "deepseek2025third"):
        assert f"line {_line(bib, key)}, entry '{key}'" in message
    # Nothing that prints a label can print one from this bibliography.
    with pytest.raises(InputError):
        short_citation("deepseek2024v3", bib)


def test_the_third_work_with_its_letter_is_accepted(tmp_path: Path) -> None:
    bib = _bib_with(tmp_path, THIRD_DEEPSEEK_2025.replace("{2025}", "{2025d}"))
    assert short_citation("deepseek2025third", bib) == "DeepSeek 2025d"


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        # A letter promises a sibling: a lone "2024a" sends the reader looking for "2024b".
        ({"solo": ("Ann Smith", "2024a")}, "only work labelled 'Smith 2024'"),
        # Letters a and c: where is b?
        ({"x": ("Ann Smith", "2024a"), "y": ("Ann Smith", "2024c")}, "2024a to 2024b"),
        # Two 2024a.
        ({"x": ("Ann Smith", "2024a"), "y": ("Ann Smith", "2024a")}, "2024a to 2024b"),
        # Labels that differ only in case are the same label to a reader.
        ({"x": ("{OpenAI}", "2024"), "y": ("{Openai}", "2024")}, "2 works are labelled"),
        ({"x": ("Ann Smith", "24")}, "year '24' is not a year"),
        ({"x": ("Ann Smith", "2024-25")}, "year '2024-25' is not a year"),
    ],
    ids=["lone-letter", "gap", "twice", "case", "two-digits", "range"],
)
def test_labels_that_collide_or_mislead(entries: dict, expected: str, tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(
        "".join(
            f"@misc{{{key},\n  author = {{{who}}},\n  title = {{T}},\n  year = {{{year}}},\n"
            "  tier = {primary},\n}\n"
            for key, (who, year) in entries.items()
        ),
        encoding="utf-8",
    )
    problems = label_problems(bibliography(bib))
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_build_stops_before_executing_anything(warm_book: Path) -> None:
    bib = warm_book / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + THIRD_DEEPSEEK_2025, encoding="utf-8")
    result = build_in(warm_book)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "references.bib: 4 works are labelled 'DeepSeek 2025'" in output
    assert f"line {_line(bib, 'deepseek2025third')}, entry 'deepseek2025third'" in output
    assert "chapter(s) to execute" not in output and "Traceback" not in output
    assert not (warm_book / "_build" / "html").exists()


def _soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def test_text_bibliography_and_charts_print_the_same_labels(built_book: Path) -> None:
    labels = set(citation_labels().values())
    bibliography_page = _soup(built_book / "chapters" / "bibliography.html")
    listed = {
        entry["id"]: entry.select_one(".label").get_text(strip=True).strip("[]")
        for entry in bibliography_page.select("div.citation")
    }
    assert sorted(listed.values()) == sorted(labels)
    assert list(listed.values()) == sorted(listed.values(), key=str.casefold)

    cited = 0
    for page in sorted(built_book.rglob("*.html")):
        for link in _soup(page).select(".bibtex-citation a[href*='bibliography.html#']"):
            anchor = link["href"].split("#")[1]
            assert link.get_text() == listed[anchor], (page.name, link)
            cited += 1
    assert cited > 50

    in_charts = set()
    for svg in (built_book / "_images").glob("*.svg"):
        for group in re.findall(r'<g id="text_\d+">(.*?)</g>', svg.read_text("utf-8"), re.S):
            text = html.unescape(" ".join(re.findall(r">([^<]*)</text>", group)))
            if text.startswith(("Source: ", "Sources: ")):
                # The source line, then perhaps a note: "...; Epoch AI 2024b. Staff at 39%..."
                line = re.split(r"\.\s+(?=[A-Z])", text.split(": ", 1)[1])[0]
                in_charts.update(line.split("; "))
    assert len(in_charts) > 20 and in_charts <= labels, in_charts - labels


def test_any_configured_entry_style_gets_the_labels() -> None:
    """The bibliography's entry style may change (a subclass of plain, say); its labels and
    order stay the works' labels."""
    from types import SimpleNamespace

    import pybtex.plugin
    from pybtex.database import BibliographyData
    from pybtex.style.formatting.plain import Style as PlainStyle

    from sitebuilder.citestyle import label_the_bibliography, register

    class HouseStyle(PlainStyle):
        pass

    pybtex.plugin.register_plugin("pybtex.style.formatting", "house", HouseStyle, force=True)
    register(SimpleNamespace(connect=lambda *args: None))
    label_the_bibliography(SimpleNamespace(config=SimpleNamespace(bibtex_default_style="house")))
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "house")()
    assert isinstance(style, HouseStyle)
    entries = bibliography()
    data = BibliographyData(entries=entries)
    labels = [f.label for f in style.format_entries(data.entries.values())]
    assert labels == sorted(citation_labels().values(), key=str.casefold)


def test_labels_are_plain_text_with_latex_decoded() -> None:
    """An author written in LaTeX ("Covington \\& Burling") is printed as a reader reads it."""
    labels = citation_labels()
    assert labels["cov2026h200"] == "Covington & Burling 2026"
    assert not [label for label in labels.values() if "\\" in label or "{" in label]
