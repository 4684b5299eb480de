"""The shared table renderer escapes every cell and never prints nan or inf."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from frontierbook.tables import (
    LINE_BREAK,
    Column,
    Row,
    code,
    events_table,
    join,
    link,
    render_table,
    source_link,
    strong,
)

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "{{ 7 * 7 }}",
    "O'Brien & <b>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_plain_and_helper_cells_are_escaped(attack: str) -> None:
    html = str(
        render_table(
            [attack, "B"],
            [
                (attack, strong(attack)),
                (join(attack, LINE_BREAK, code(attack)), link(attack, attack)),
            ],
            table_id=attack,
            caption=attack,
        )
    )
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "<b>" not in html
    assert "&lt;" in html or "{{" in attack
    # Markup made by the helpers survives; nothing else does.
    assert "<strong>" in html and "<br>" in html and "<code>" in html


def test_missing_values_read_not_reported_never_nan() -> None:
    html = str(
        render_table(
            ["A", Column("B", missing="–"), "C", "D"],
            [(math.nan, None, pd.NA, pd.NaT)],
        )
    )
    assert "nan" not in html.lower().replace("not reported", "")
    assert html.count("not reported") == 3
    assert '<span class="not-reported">–</span>' in html


@pytest.mark.parametrize("value", [math.inf, -math.inf, float("inf")])
def test_non_finite_numbers_raise(value: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        render_table(["A"], [(value,)])


def test_row_with_wrong_number_of_cells_raises() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells for 2 columns"):
        render_table(["A", "B"], [("a", "b"), ("a",)])


def test_every_cell_carries_its_column_label_for_phones() -> None:
    html = str(render_table(["Chip", Column("TPP", numeric=True)], [Row(("H800", "15,832"))]))
    assert '<td data-label="Chip">H800</td>' in html
    assert '<td data-label="TPP" class="num">15,832</td>' in html
    assert '<th scope="col" class="num">TPP</th>' in html
    assert html.startswith('<div class="table-wrapper"><table class="table fb-table">')


def test_detail_row_spans_the_table_and_is_escaped() -> None:
    html = str(render_table(["A", "B"], [Row(("a", "b"), detail="<i>x</i>")]))
    assert '<tr class="row-detail"><td colspan="2">&lt;i&gt;x&lt;/i&gt;</td></tr>' in html


def test_events_table_escapes_every_free_text_column() -> None:
    attack = '<img src=x onerror="alert(1)">'
    events = pd.DataFrame(
        {
            "date": [pd.Timestamp("2025-01-20")],
            "date_end": [pd.NaT],
            "date_precision": ["day"],
            "title": [attack],
            "description": [attack],
            "as_reported": [True],
            "note": [attack],
            "source": ["deepseek2024v3"],
        }
    )
    html = events_table(events).data
    assert "<img" not in html
    assert html.count("&lt;img") == 3
    assert "<em>(as reported)</em>" in html
    # The source is its short citation, linked to the bibliography, never the bare key.
    assert '<a class="fb-cite" href="bibliography.html" data-cite="deepseek2024v3">' in html
    assert ">DeepSeek-AI 2024</a>" in html


def test_a_source_link_escapes_the_key_and_the_label(tmp_path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(
        '@misc{evil,\n  author = {<script>alert(1)</script>},\n  title = {"><b>x},\n'
        "  year = {2024},\n  tier = {primary},\n}\n",
        encoding="utf-8",
    )
    html = str(source_link("evil", bib_path=bib))
    assert "<script>" not in html and "&lt;script&gt;" in html
    with pytest.raises(KeyError):
        source_link("not-in-the-bibliography", bib_path=bib)


def test_a_source_key_in_free_text_becomes_its_linked_citation() -> None:
    html = str(render_table(["Note"], [("Release day from Lambert (lambert2025v3, blog).",)]))
    assert "lambert2025v3</" not in html and ">lambert2025v3" not in html
    assert 'data-cite="lambert2025v3">Lambert 2025</a>, blog).' in html
    # Only a key standing alone: not inside a path, an anchor or a longer word.
    for text in (
        "see chapters/lambert2025v3",
        "#lambert2025v3",
        "xlambert2025v3",
        "lambert2025v3x",
    ):
        assert "fb-cite" not in str(render_table(["Note"], [(text,)]))


def test_detail_columns_go_under_their_row_and_keep_their_labels() -> None:
    html = str(
        render_table(
            ["Chip", Column("Memory (GB)", numeric=True, detail=True), Column("Die", detail=True)],
            [Row(("H20", 96, None), detail="<note>")],
        )
    )
    head = html.split("</thead>")[0]
    assert "Memory" not in head and head.count("<th scope") == 1
    body = html.split("</thead>")[1]
    assert body.count("<tr") == 2  # the row, then its detail line
    assert '<td colspan="1">' in body
    assert "Memory (GB):</span> 96" in body and "Die:</span> <span" in body
    assert "&lt;note&gt;" in body and "<note>" not in body


def test_a_row_anchor_is_escaped_and_table_classes_are_added() -> None:
    html = str(render_table(["A"], [Row(("x",), row_id='n-"><script>')], classes=["extra"]))
    assert 'id="n-&#34;&gt;&lt;script&gt;"' in html
    assert "<script>" not in html
    assert 'class="table fb-table extra"' in html
