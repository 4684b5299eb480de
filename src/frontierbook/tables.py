"""The one way the book writes an HTML table: every cell is escaped by construction.

A cell is plain data (``str``, number, date, missing value), which is always escaped, or
:class:`markupsafe.Markup` built by the helpers below (:func:`strong`, :func:`code`, ...),
which escape their own arguments. Nothing else reaches the page, so a ``<script>`` in a
CSV note shows as text. A missing value shows as "not reported" (or the column's own
word), never ``nan``; a non-finite number is a bug upstream of the table and raises.

Each cell carries its column's label (``data-label``): on a phone the table is shown as
one card per row (``_static/tables.css``), so the identifying column and the verdict stay
on screen instead of scrolling out of sight.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd
from markupsafe import Markup, escape

from frontierbook.i18n import N_, _

if TYPE_CHECKING:
    from IPython.display import HTML

# Translated where shown (a missing cell reads "tidak dilaporkan" in Indonesian).
NOT_REPORTED = N_("not reported")

Cell = object  # str, number, date, None/NaN/NA, or Markup from the helpers below


@dataclass(frozen=True)
class Column:
    """A column: its header, how to align it, and what to show for a missing value."""

    label: str
    numeric: bool = False
    missing: str = NOT_REPORTED


@dataclass(frozen=True)
class Row:
    """One row of cells, optionally followed by a full-width line of detail (a note)."""

    cells: Sequence[Cell]
    detail: Cell = None
    classes: tuple[str, ...] = field(default_factory=tuple)
    row_id: str | None = None  # an anchor other pages link to


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA: a cell the data leaves empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: Cell, missing: str = NOT_REPORTED) -> Markup:
    """One cell as safe HTML: Markup as is, anything else escaped; missing as a word."""
    if isinstance(value, Markup):
        return value
    if is_missing(value):
        return Markup('<span class="not-reported">{}</span>').format(_(missing))
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    if isinstance(value, numbers.Real) and not math.isfinite(float(value)):
        raise ValueError(f"non-finite number {value!r} in a table cell")
    if isinstance(value, pd.Timestamp | dt.date):
        return escape(value.strftime("%Y-%m-%d"))  # ISO dates read alike in every language
    return escape(str(value))


def join(*parts: Cell, sep: Cell = "") -> Markup:
    """Cells joined into one, each escaped unless it is already Markup."""
    return Markup(escape(sep)).join(cell_text(p) for p in parts if p is not None)


def _wrap(tag: str) -> Callable[[Cell], Markup]:
    def wrap(value: Cell) -> Markup:
        return Markup(f"<{tag}>{{}}</{tag}>").format(cell_text(value))

    wrap.__name__ = tag
    wrap.__doc__ = f"``<{tag}>`` around the escaped value."
    return wrap


strong = _wrap("strong")
em = _wrap("em")
code = _wrap("code")
small = _wrap("small")
LINE_BREAK = Markup("<br>")


# What a browser ignores inside a URL's scheme ("java\tscript:" is "javascript:").
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def link(href: str, text: Cell) -> Markup:
    """A link; ``href`` and text are both escaped (quotes included). The link goes to a page
    of the book (a relative address) or to an ``https:`` or ``http:`` address, never
    anywhere else: an ``href`` built from data with another scheme (``javascript:``,
    ``data:``) raises ``ValueError``."""
    scheme = urlsplit(_IGNORED_IN_URL.sub("", str(href))).scheme.lower()
    if scheme not in ("", "https", "http"):
        raise ValueError(f"a link to {href!r}: only https:, http: and the book's own pages")
    return Markup('<a href="{}">{}</a>').format(href, cell_text(text))


def cite(key: str) -> Markup:
    """A source, named by its short citation ("DeepSeek-AI 2024") and linked to the
    bibliography; the site builder points the link at the key's own entry
    (``sitebuilder.pages.link_citations``)."""
    from frontierbook.citations import short_citation

    return Markup('<a class="fb-cite" href="bibliography.html" data-cite="{}">{}</a>').format(
        key, short_citation(key)
    )


def number_button(name: str, text: Cell) -> Markup:
    """A published number that opens its provenance popover (sitebuilder.numbers):
    ``name`` is the number's glue name, ``text`` the value shown."""
    return Markup(
        '<button type="button" class="fb-num" aria-expanded="false" data-fb-num="{}">{}</button>'
    ).format(name, cell_text(text))


def render_table(
    columns: Sequence[Column | str],
    rows: Iterable[Row | Sequence[Cell]],
    *,
    table_id: str | None = None,
    caption: str | None = None,
    classes: Sequence[str] = (),
) -> Markup:
    """An HTML table (inside the book's scrolling ``table-wrapper``) with every cell escaped.

    ``columns`` are :class:`Column` or plain header labels; each row has one cell per column.
    Raises ``ValueError`` when a row has the wrong number of cells or a non-finite number.
    """
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    head = Markup("").join(
        Markup('<th scope="col"{}>{}</th>').format(
            Markup(' class="num"') if c.numeric else "", c.label
        )
        for c in cols
    )
    body = []
    for index, row in enumerate(rows, start=1):
        row = row if isinstance(row, Row) else Row(tuple(row))
        if len(row.cells) != len(cols):
            raise ValueError(
                f"table row {index} has {len(row.cells)} cells for {len(cols)} columns"
            )
        cells = Markup("").join(
            Markup('<td data-label="{}"{}>{}</td>').format(
                c.label,
                Markup(' class="num"') if c.numeric else "",
                cell_text(value, c.missing),
            )
            for c, value in zip(cols, row.cells, strict=True)
        )
        row_classes = Markup(' class="{}"').format(" ".join(row.classes)) if row.classes else ""
        row_id = Markup(' id="{}"').format(row.row_id) if row.row_id else ""
        body.append(Markup("<tr{}{}>{}</tr>").format(row_id, row_classes, cells))
        if row.detail is not None and not is_missing(row.detail):
            body.append(
                Markup('<tr class="row-detail"><td colspan="{}">{}</td></tr>').format(
                    len(cols), cell_text(row.detail)
                )
            )
    id_attr = Markup(' id="{}"').format(table_id) if table_id else ""
    caption_html = Markup("<caption>{}</caption>").format(caption) if caption else ""
    return Markup(
        '<div class="table-wrapper"><table class="{}"{}>{}<thead><tr>{}</tr>'
        "</thead><tbody>{}</tbody></table></div>"
    ).format(
        " ".join(["table", "fb-table", *classes]),
        id_attr,
        caption_html,
        head,
        Markup("").join(body),
    )


def html_table(
    columns: Sequence[Column | str],
    rows: Iterable[Row | Sequence[Cell]],
    *,
    table_id: str | None = None,
    caption: str | None = None,
) -> HTML:
    """:func:`render_table` as an object Jupyter displays as HTML (a chapter cell's output)."""
    from IPython.display import HTML

    return HTML(str(render_table(columns, rows, table_id=table_id, caption=caption)))


def events_table(events: pd.DataFrame) -> HTML:
    """The table of dated events (timeline and export chapters): date, event, note, source."""
    from frontierbook.text import long_date
    from frontierbook.timeline import event_day

    def when(r: pd.Series) -> str:
        day = event_day(r)
        return day if is_missing(r["date_end"]) else f"{day} – {long_date(r['date_end'])}"

    rows = [
        (
            when(r),
            join(
                strong(r["title"]),
                Markup(" <em>{}</em>").format(_("(as reported)")) if r["as_reported"] else None,
                LINE_BREAK,
                r["description"],
            ),
            r["note"],
            code(r["source"]),
        )
        for _index, r in events.iterrows()
    ]
    return html_table(
        [_("Date"), _("Event"), Column(_("Note"), missing="–"), _("Source key")], rows
    )


def prices_table(prices: pd.DataFrame) -> HTML:
    """API list prices (cost chapter): from when, model, hours, the three prices, source;
    the note under each row."""
    from frontierbook.text import dollars, long_date

    hours = {"all": "all hours", "peak": "peak", "off-peak": "off-peak"}
    columns = ("Input, cache miss (US$)", "Input, cache hit (US$)", "Output (US$)")
    fields = (
        "input_cache_miss_usd_per_mtok",
        "input_cache_hit_usd_per_mtok",
        "output_usd_per_mtok",
    )
    rows = [
        Row(
            (
                long_date(r["effective_date"]),
                f"{r['model']} ({r['api_model']})",
                hours[r["hours"]],
                *(_dash(r[f], lambda v: dollars(v).lstrip("$")) for f in fields),
                code(r["source"]),
            ),
            detail=None if is_missing(r["note"]) else small(r["note"]),
        )
        for _, r in prices.iterrows()
    ]
    return html_table(
        [
            "From",
            "Model (API name)",
            "Hours",
            *(Column(c, numeric=True) for c in columns),
            "Source",
        ],
        rows,
        table_id="tbl-cost-prices-html",
    )


CHANGE_LABELS = {
    "correction": "Correction",
    "clarification": "Clarification",
    "source": "Better source",
    "update": "Update",
}


def corrections_table(corrections: pd.DataFrame, from_doc: str = "chapters/corrections") -> HTML:
    """The corrections log, newest first and, within a day, corrections of errors first:
    what the book said and what it says now, with where and the source under each row."""
    from frontierbook.edition import where_links
    from frontierbook.text import long_date

    order = list(CHANGE_LABELS)
    ordered = corrections.assign(
        _order=corrections["change"].map(order.index), _row=range(len(corrections))
    ).sort_values(["date", "_order", "_row"], ascending=[False, True, True])

    def detail(r: pd.Series) -> Markup:
        links = [link(href, text) for href, text in where_links(r["where"], from_doc)]
        parts = [strong("Where: "), join(*links, sep=", "), ". ", strong("Source: ")]
        parts.append(code(r["source"]))
        if not is_missing(r["note"]):
            parts += [". ", r["note"]]
        return small(join(*parts))

    rows = [
        Row(
            (
                join(strong(CHANGE_LABELS[r["change"]]), LINE_BREAK, long_date(r["date"])),
                r["was"],
                r["now"],
            ),
            detail=detail(r),
        )
        for _, r in ordered.iterrows()
    ]
    return html_table(
        ["Change", "What the book said", "What it says now"], rows, table_id="tbl-corrections-html"
    )


def _dash(value: object, fmt: Callable[[object], str]) -> str:
    return fmt(value) if pd.notna(value) else "–"


def _bounds(row: pd.Series, low: str, high: str, fmt: Callable[[object], str]) -> str:
    parts = []
    if pd.notna(row[low]):
        parts.append(f"≥ {fmt(row[low])}")
    if pd.notna(row[high]):
        parts.append(f"< {fmt(row[high])}")
    return f" {_('and')} ".join(parts) or "–"


def thresholds_table(thresholds: pd.DataFrame) -> HTML:
    """The export-control thresholds (export chapter): one row per paragraph of a rule."""
    from frontierbook.text import long_date, number

    columns = [_("Rule"), _("Paragraph"), "TPP", _("Density (TPP/mm²)"), _("Interconnect (GB/s)")]
    columns += [_("Memory bandwidth (GB/s)"), _("Effective")]
    columns += [Column(_("Wording"), missing="–"), _("Source")]
    rows = [
        (
            r["rule"],
            r["paragraph"],
            _bounds(r, "tpp_min", "tpp_max", number),
            _bounds(r, "density_min", "density_max", lambda v: number(v, 2)),
            _dash(r["interconnect_min_gbs"], lambda v: "≥ " + number(v)),
            _dash(r["dram_bw_max_gbs"], lambda v: "< " + number(v)),
            long_date(r["effective"]),
            r["note"],
            code(r["source"]),
        )
        for _index, r in thresholds.iterrows()
    ]
    return html_table(columns, rows)


SPEC_STATUS = {
    "datasheet": N_("vendor datasheet"),
    "secondary": N_("secondary"),
    "uncertain": N_("uncertain: no datasheet read"),
}


def chips_table(chips: pd.DataFrame) -> HTML:
    """The chips with their dense specifications and class under each rule (export chapter);
    ``chips`` is :func:`frontierbook.export.chip_table`'s frame."""
    from frontierbook.text import number
    from frontierbook.timeline import event_day

    def fmt(value: object, digits: int = 0) -> str:
        return _dash(value, lambda v: number(v, digits))

    def klass(value: object) -> str:
        return _("unknown") if value is None or pd.isna(value) else _(value)

    numeric = [_("Dense BF16 (TFLOPS)"), _("Dense FP8 (TFLOPS)"), _("Memory (GB)")]
    numeric += [_("Memory bandwidth (TB/s)"), _("Interconnect (GB/s)"), _("Die area (mm²)")]
    numeric += ["TPP", _("Density (TPP/mm²)")]
    columns = [_("Chip"), *(Column(c, numeric=True) for c in numeric)]
    columns += [_("2022 rule"), _("2023 rule"), _("Specs"), _("Source")]
    rows = [
        Row(
            (
                join(
                    strong(r["chip"]),
                    LINE_BREAK,
                    small(f"{r['vendor']} {r['variant']}, {event_day(r)}"),
                ),
                fmt(r["bf16_tflops"], 1),
                fmt(r["fp8_tflops"]),
                fmt(r["memory_gb"]),
                fmt(r["memory_bw_tbs"], 2),
                fmt(r["interconnect_gbs"]),
                fmt(r["die_area_mm2"]),
                fmt(r["tpp"]),
                fmt(r["density"], 2),
                klass(r["2022 rule"]),
                klass(r["2023 rule"]),
                _(SPEC_STATUS[r["spec_status"]]),
                code(r["source"]),
            ),
            detail=None if pd.isna(r["note"]) else small(r["note"]),
        )
        for _index, r in chips.iterrows()
    ]
    return html_table(columns, rows)


def tiers_table(tiers: pd.DataFrame) -> HTML:
    """The AI Diffusion framework's tiers and caps (export chapter)."""
    from frontierbook.text import number

    columns = [_("Tier"), _("Provision"), _("What it did"), Column(_("Examples"), missing="–")]
    columns += [Column(_("Cap, 2025–2027"), missing="–"), Column(_("Note"), missing="–")]
    columns += [_("Source")]
    rows = [
        (
            _("Tier {tier}").format(tier=r["tier"]),
            r["provision"],
            r["description"],
            r["example_countries"],
            number(r["tpp_cap"]) + " TPP" if pd.notna(r["tpp_cap"]) else None,
            r["note"],
            code(r["source"]),
        )
        for _index, r in tiers.iterrows()
    ]
    return html_table(columns, rows)


def fits_table(fit_table: pd.DataFrame, models: pd.DataFrame) -> HTML:
    """The fitted Chinchilla laws (scaling chapter), each evaluated at Chinchilla's budget."""
    from frontierbook.scaling import compute_optimal, load_fits, training_compute
    from frontierbook.text import number, plain

    chin = models.set_index("model").loc["Chinchilla"]
    c_chin = training_compute(chin["active_params"], chin["training_tokens"])
    sources = fit_table.set_index("fit_id")["source"]
    rows = []
    for fit_id, law in load_fits(fit_table).items():
        n_opt, d_opt = compute_optimal(law, c_chin)
        loss = law.loss(chin["active_params"], chin["training_tokens"])
        constants = [plain(v) for v in (law.E, law.A, law.B, law.alpha, law.beta)]
        rows.append(
            (law.label, *constants, number(loss, 3), number(d_opt / n_opt), code(sources[fit_id]))
        )
    numeric = ["E", "A", "B", "α", "β", _("Loss of Chinchilla (70B, 1.4T)")]
    numeric += [_("Optimal tokens per parameter at Chinchilla's budget")]
    columns = [_("Fit"), *(Column(c, numeric=True) for c in numeric), _("Source")]
    return html_table(columns, rows, table_id="tbl-scaling-fits-html")
