"""Numbers for the prose: formatted in one place and glued into the text by MyST-NB.

Every number, date and range the prose shows is written by a formatter here, so an edition
in another language changes these functions, not the chapters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any


class Text(str):
    """A string that shows without quotes when glued (its plain-text repr is itself)."""

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # IPython's plain-text formatter (which glue uses) would otherwise print repr().
        printer.text(str(self))


def _finite(value: float) -> float:
    # An empty optional cell arrives as NaN; the prose must never say "nan" or "inf".
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value!r} in the prose: an input cell is empty or infinite")
    return value


def usd(value: float, digits: int | None = None) -> str:
    """'$5.576M', '$1.6B', '$294K', '$2.19' with sensible significant figures."""
    _finite(value)
    if value < 0:
        return "-" + usd(-value, digits)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            scaled = value / size
            return f"${_sig(scaled, digits)}{suffix}"
    return f"${_sig(value, digits)}"


def _sig(value: float, digits: int | None) -> str:
    if digits is not None:
        return f"{value:.{digits}f}"
    # Up to four significant figures, trailing zeros dropped: 5.576, 1.6, 294, 61.68.
    if value == 0:
        return "0"
    decimals = max(0, 3 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: float, digits: int = 0) -> str:
    """Thousands separators: 2,788,000; 14.8 with digits=1."""
    return f"{_finite(value):,.{digits}f}"


def plain(value: float) -> str:
    """A number as short as it can be written: 4.0 -> '4', 2.5 -> '2.5'."""
    return f"{_finite(value):g}"


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(count: int) -> str:
    """A small count in words, as prose writes it: 3 -> 'three'; 12 -> '12'."""
    return _WORDS[count] if 0 <= count < len(_WORDS) else str(count)


def ratio(value: float, digits: int = 0) -> str:
    """'11×'."""
    return f"{_finite(value):,.{digits}f}×"


def percent(value: float, digits: int = 0) -> str:
    """0.35 -> '35%'."""
    return f"{100 * _finite(value):.{digits}f}%"


def sci(value: float, digits: int = 1) -> str:
    """3.29e24 -> '3.3 × 10^24' written with a Unicode superscript."""
    exponent = int(math.floor(math.log10(abs(_finite(value)))))
    mantissa = value / 10**exponent
    sup = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa:.{digits}f} × 10{sup}"


def long_date(value) -> str:
    """'26 Dec 2024' from a date or Timestamp."""
    return f"{value.day} {value:%b %Y}"


def month_year(value) -> str:
    """'December 2024' from a date or Timestamp."""
    return f"{value:%B %Y}"


def compact(value: float, digits: int = 0) -> str:
    """A count with a size suffix: '671B', '14.8T', '2.79M' (digits after the point)."""
    _finite(value)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.{digits}f}{suffix}"
    return f"{value:.{digits}f}"


def trillions(value: float, digits: int = 1) -> str:
    """14.8e12 -> '14.8 trillion'."""
    return f"{_finite(value) / 1e12:.{digits}f} trillion"


def billions(value: float, digits: int = 0) -> str:
    """671e9 -> '671 billion'."""
    return f"{_finite(value) / 1e9:,.{digits}f} billion"


def millions(value: float, digits: int = 0) -> str:
    """150e6 -> '150 million'."""
    return f"{_finite(value) / 1e6:,.{digits}f} million"


def span(low: Any, high: Any, fmt: Callable[[Any], str] = str) -> str:
    """A range: '$4.6M–$26.8M'."""
    return f"{fmt(low)}–{fmt(high)}"


def both(first: str, second: str) -> str:
    """Two values named together: 'a and b'."""
    return f"{first} and {second}"


def from_to(low: str, high: str) -> str:
    """A range in words: 'a to b'."""
    return f"{low} to {high}"


def unit(fmt: Callable[..., str], name: str) -> Callable[..., str]:
    """A formatter that writes ``name`` after the number: unit(number, "GB/s")(900, digits=1)."""
    return lambda value, *args, **kwargs: f"{fmt(value, *args, **kwargs)} {name}"


# MyST-NB's glue protocol: a display_data output whose MIME types carry this prefix and
# whose metadata names the value. Writing it directly, rather than calling myst_nb.glue,
# spares every chapter's kernel the ~2 s import of MyST-NB and its dependencies;
# tests/test_text.py checks that the output is identical to myst_nb.glue's.
GLUE_PREFIX = "application/papermill.record/"


def glue_text(
    name: str,
    text: str,
    *,
    rows=None,
    how: str | None = None,
    params=None,
    assumptions=None,
) -> None:
    """Publish a formatted number for ``{eval}`name``` in the prose, shown without quotes.

    Glued for the book build (see :mod:`sitebuilder.numbers`) and bound as ``name``
    in the kernel, where jupyterlab-myst evaluates ``{eval}`name``` after Run All.

    Its provenance is recorded with it (see :mod:`frontierbook.provenance`): ``rows`` are the
    DataFrames or row Series from ``load_table`` that the value was computed from (or
    ``(table, key)`` tuples), ``how`` says in one line how, ``params`` names the chapter
    parameters it depends on (a mapping of names to values, or just the names, whose values
    are then read from the kernel), and ``assumptions`` the package constants it uses. The book
    refuses a number without rows or parameters. It returns nothing, so a cell that ends
    with it shows no stray output in Jupyter.
    """
    from IPython import get_ipython
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    from frontierbook.provenance import PROVENANCE_MIME, record

    if not name.isidentifier():
        raise ValueError(f"a published number needs a Python name, not {name!r}")
    value = Text(text)
    shell = get_ipython()
    if shell is not None and isinstance(params, tuple | list):
        # Parameters named, not given: their values are the kernel's, as the chapter set them.
        params = {name: shell.user_ns[name] for name in params}
    bundle, metadata = format_display_data(value)
    if rows is not None or how is not None or params is not None:
        bundle[PROVENANCE_MIME] = record(rows, how or "", params, assumptions=assumptions)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    if shell is not None:
        shell.user_ns[name] = value


def glue_cell(
    name: str,
    table,
    key: Hashable,
    column: str | tuple[str, str],
    fmt: Callable[[Any], str] = str,
    *,
    label: str | None = None,
) -> None:
    """Publish one cell of a table (or a range from two cells of one row) as ``name``.

    ``table`` is a frame from ``load_table`` (indexed by its primary key or not), ``key``
    the row's primary key, ``column`` the column (or a ``(low, high)`` pair of columns) and
    ``fmt`` the formatter. The provenance names the row, and says how in words a reader
    understands: the column's label from ``data/datapackage.json`` and the row's name, as
    in "Pre-training tokens: DeepSeek-V3". ``label`` replaces the column's label.
    """
    from frontierbook.provenance import cell_how, table_row

    row = table_row(table, key)
    if isinstance(column, tuple):
        low, high = column
        text = span(row[low], row[high], fmt)
    else:
        text = fmt(row[column])
    glue_text(name, text, rows=row, how=cell_how(row, column, label))
