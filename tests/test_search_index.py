"""The search index holds prose: no notebook code, and HTML tables read cell by cell
(sitebuilder.search)."""

from __future__ import annotations

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from sitebuilder.search import prose_only, raw_html_words


def _document() -> nodes.document:
    document = new_document("page", get_default_settings(Parser))
    cell = nodes.container(classes=["cell", "tag_hide-input"])
    cell += nodes.container(
        "", nodes.literal_block(text="finish_chart(fig)"), classes=["cell_input"]
    )
    cell += nodes.container("", nodes.paragraph(text="The chart"), classes=["cell_output"])
    document += cell
    document += nodes.raw(
        "", "<table><tr><td>reprint.</td><td>Reuters</td></tr></table>", format="html"
    )
    return document


def test_the_index_reads_prose_without_code_and_tables_cell_by_cell() -> None:
    document = _document()
    indexed = prose_only(document).astext()
    assert "finish_chart" not in indexed
    assert "The chart" in indexed
    assert "reprint." in indexed and "Reuters" in indexed and "reprint.Reuters" not in indexed
    # The page itself keeps its code.
    assert "finish_chart" in document.astext()


def test_raw_html_words_leave_out_scripts_and_styles() -> None:
    text = raw_html_words('<p>A</p><script type="application/json">{"x": 1}</script><b>B</b>')
    assert text.split() == ["A", "B"]
