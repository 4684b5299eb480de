"""The fixture package the loader tests corrupt, and edits to one named place in its tables.

tests/fixtures/package/ is laid out like the repository: data/ (datapackage.json and three
tiny invented tables) and references.bib beside it. Rows are numbered as the loader's
messages number them: the header is row 1. Each edit reads the CSV as the csv module splits
it and writes it back the same way, so nothing changes but the place it names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"

Corrupt = Callable[[Path], None]
Rows = list[list[str]]

# Stands in for the bytes raw_cell writes until the csv module has written the rest.
_PLACEHOLDER = "RAWCELLPLACEHOLDER"


def _csv_text(rows: Rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def read_rows(path: Path) -> Rows:
    """The table's rows, header first."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    # Otherwise writing the rows back would also change cells the edit does not name.
    assert _csv_text(rows) == text, f"{path.name} is not written the way csv.writer writes it"
    return rows


def edit_rows(change: Callable[[Rows], None]) -> Corrupt:
    """Apply `change` to the table's rows (header first) in place."""

    def corrupt(path: Path) -> None:
        rows = read_rows(path)
        change(rows)
        path.write_text(_csv_text(rows), encoding="utf-8")

    return corrupt


def set_cell(row: int, column: str, value: str) -> Corrupt:
    """Put `value` in one cell, quoted only where CSV needs quotes. Row 1 is the header."""

    def change(rows: Rows) -> None:
        rows[row - 1][rows[0].index(column)] = value

    return edit_rows(change)


def raw_cell(row: int, column: str, raw: bytes) -> Corrupt:
    """Put `raw` in one cell byte for byte: stray quotes, bytes that are not UTF-8."""

    def corrupt(path: Path) -> None:
        set_cell(row, column, _PLACEHOLDER)(path)
        path.write_bytes(path.read_bytes().replace(_PLACEHOLDER.encode(), raw))

    return corrupt


def edit_row(row: int, change: Callable[[list[str]], object]) -> Corrupt:
    """Apply `change` to the cells of one row (a list) in place."""
    return edit_rows(lambda rows: change(rows[row - 1]))


def insert_row(before: int, cells: list[str]) -> Corrupt:
    """A new line in front of row `before`: [] is an empty line, ["", ""] a row of empty cells."""
    return edit_rows(lambda rows: rows.insert(before - 1, cells))


def blank_row(before: int) -> Corrupt:
    """A row of empty cells, as many as the header has, in front of row `before`."""
    return edit_rows(lambda rows: rows.insert(before - 1, [""] * len(rows[0])))


def swap_header(first: str, second: str) -> Corrupt:
    """The two names change places in the header; the data below them stays."""

    def change(header: list[str]) -> None:
        i, j = header.index(first), header.index(second)
        header[i], header[j] = header[j], header[i]

    return edit_row(1, change)


def drop_column(column: str) -> Corrupt:
    """The column, header and cells, is gone from the file."""

    def change(rows: Rows) -> None:
        index = rows[0].index(column)
        for cells in rows:
            del cells[index]

    return edit_rows(change)


def add_column(name: str, value: str) -> Corrupt:
    """A column the schema does not declare, `value` in every data row."""

    def change(rows: Rows) -> None:
        rows[0].append(name)
        for cells in rows[1:]:
            cells.append(value)

    return edit_rows(change)


def whole_file(change: Callable[[bytes], bytes]) -> Corrupt:
    """For what is wrong with the file rather than a cell: delimiter, encoding, line ends."""

    def corrupt(path: Path) -> None:
        path.write_bytes(change(path.read_bytes()))

    return corrupt


def in_order(*edits: Corrupt) -> Corrupt:
    """Several edits, one after another."""

    def corrupt(path: Path) -> None:
        for edit in edits:
            edit(path)

    return corrupt
