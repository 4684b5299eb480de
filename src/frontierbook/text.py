"""Numbers for the prose: formatted in one place and glued into the text by MyST-NB.

Every formatter writes in the current language (:func:`frontierbook.i18n.language`):
English as the book was written ("$5.576M", "2,788,000", "26 Dec 2024"); any other
language with the same digits, rounded the same way, and that language's separators, scale
words, currency symbol and month names from CLDR (Babel): "US$5,576 juta", "2.788.000",
"27 Januari 2025". Each returns a :class:`Text` that carries the value it shows, so the
book can check that every edition shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from frontierbook.i18n import N_, SOURCE_LANGUAGE, _, language, locale


class Text(str):
    """A string that shows without quotes when glued (its plain-text repr is itself), and
    carries the value it was formatted from (``value``: a number, a ``[low, high]`` pair or
    an ISO date), or None for words."""

    value: Any

    def __new__(cls, text: str, value: Any = None) -> Text:
        self = super().__new__(cls, text)
        self.value = value
        return self

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # IPython's plain-text formatter (which glue uses) would otherwise print repr().
        printer.text(str(self))


def json_value(value: Any) -> Any:
    """A formatted value as JSON: a float, an ISO date, a list for a range; None if absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime().date().isoformat()
    return float(value)


def _finite(value: float) -> float:
    # An empty optional cell arrives as NaN; the prose must never say "nan" or "inf".
    if not math.isfinite(value):
        raise ValueError(f"cannot write {value!r} in the prose: an input cell is empty or infinite")
    return value


def local_digits(digits: str) -> str:
    """English digits ("2,788,000.5") with the current language's group and decimal signs."""
    if language() == SOURCE_LANGUAGE:
        return digits
    symbols = locale().number_symbols["latn"]
    swap = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})
    return digits.translate(swap)


_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _scale_word(size: float) -> str:
    """The current language's long word for a power of a thousand: ' juta', ' miliar'."""
    patterns = locale().compact_decimal_formats["long"]["other"]
    return patterns[str(int(size))].suffix[0]


def usd(value: float, digits: int | None = None) -> Text:
    """'$5.576M', '$1.6B', '$294K', '$2.19' with sensible significant figures;
    in Indonesian 'US$5,576 juta', 'US$1,6 miliar', 'US$294 ribu', 'US$2,19'."""
    _finite(value)
    if value < 0:
        return Text("-" + usd(-value, digits), value)
    english = language() == SOURCE_LANGUAGE
    symbol = "$" if english else _currency_symbol()
    for size, suffix in _SCALES:
        if value >= size:
            scaled = _sig(value / size, digits)
            if english:
                return Text(f"${scaled}{suffix}", value)
            return Text(f"{symbol}{local_digits(scaled)}{_scale_word(size)}", value)
    return Text(f"{symbol}{local_digits(_sig(value, digits))}", value)


def usd_short(value: float, digits: int | None = None) -> Text:
    """A dollar amount where space is short (a chart's cells): '$54.8M' in English; in
    other languages the number and CLDR's short scale word, without the currency, which
    the chart's title or axis names: '54,8 jt'."""
    _finite(value)
    if language() == SOURCE_LANGUAGE or value < 1e3:
        return usd(value, digits)
    patterns = locale().compact_decimal_formats["short"]["other"]
    for size, _suffix in _SCALES:
        if value >= size:
            word = patterns[str(int(size))].suffix[0]
            return Text(local_digits(_sig(value / size, digits)) + word, value)
    raise AssertionError("unreachable")


def _currency_symbol() -> str:
    from babel.numbers import get_currency_symbol

    return get_currency_symbol("USD", locale())


def _sig(value: float, digits: int | None) -> str:
    if digits is not None:
        return f"{value:.{digits}f}"
    # Up to four significant figures, trailing zeros dropped: 5.576, 1.6, 294, 61.68.
    if value == 0:
        return "0"
    decimals = max(0, 3 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def dollars(value: float) -> Text:
    """A list price: cents to two places ('$1.20', '$0.28'), and a price set in fractions of
    a cent in full ('$0.435', '$0.0028')."""
    _finite(value)
    return usd(value, 2) if round(value, 2) == value else usd(value)


def number(value: float, digits: int = 0) -> Text:
    """Thousands separators: 2,788,000; 14.8 with digits=1 (Indonesian: 2.788.000; 14,8)."""
    return Text(local_digits(f"{_finite(value):,.{digits}f}"), value)


def plain(value: float) -> Text:
    """A number as short as it can be written: 4.0 -> '4', 2.5 -> '2.5' ('2,5')."""
    return Text(local_digits(f"{_finite(value):g}"), value)


# Translated where shown: "tiga" in Indonesian.
_WORDS = (
    N_("zero"),
    N_("one"),
    N_("two"),
    N_("three"),
    N_("four"),
    N_("five"),
    N_("six"),
    N_("seven"),
    N_("eight"),
    N_("nine"),
)


def in_words(count: int) -> Text:
    """A small count in words, as prose writes it: 3 -> 'three' ('tiga'); 12 -> '12'."""
    if 0 <= count < len(_WORDS):
        return Text(_(_WORDS[count]), count)
    return Text(str(count), count)


def ratio(value: float, digits: int = 0) -> Text:
    """'11×'."""
    return Text(local_digits(f"{_finite(value):,.{digits}f}") + "×", value)


def percent(value: float, digits: int = 0) -> Text:
    """0.35 -> '35%'."""
    return Text(local_digits(f"{100 * _finite(value):.{digits}f}") + "%", value)


def sci(value: float, digits: int = 1) -> Text:
    """3.29e24 -> '3.3 × 10^24' written with a Unicode superscript (Indonesian '3,3 × 10²⁴')."""
    exponent = int(math.floor(math.log10(abs(_finite(value)))))
    mantissa = value / 10**exponent
    sup = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return Text(local_digits(f"{mantissa:.{digits}f}") + f" × 10{sup}", value)


def long_date(value) -> Text:
    """'26 Dec 2024' from a date or Timestamp; in Indonesian '26 Desember 2024'."""
    if language() == SOURCE_LANGUAGE:
        return Text(f"{value.day} {value:%b %Y}", json_value(value))
    return Text(_cldr_date(value, "d MMMM y"), json_value(value))


def short_date(value) -> Text:
    """'26 Dec 2024' in every language ('26 Des 2024'): for charts, where space is short."""
    if language() == SOURCE_LANGUAGE:
        return long_date(value)
    return Text(_cldr_date(value, "d MMM y"), json_value(value))


def day_month(value) -> Text:
    """'26 Dec' ('26 Des'): a day of a year the reader already knows, for a chart's ticks."""
    if language() == SOURCE_LANGUAGE:
        return Text(f"{value.day} {value:%b}", json_value(value))
    return Text(_cldr_date(value, "d MMM"), json_value(value))


def month_year(value, abbreviated: bool = False) -> Text:
    """'December 2024' ('Dec 2024' abbreviated) from a date or Timestamp; 'Desember 2024'."""
    if language() == SOURCE_LANGUAGE:
        return Text(f"{value:%b %Y}" if abbreviated else f"{value:%B %Y}", json_value(value))
    return Text(_cldr_date(value, "MMM y" if abbreviated else "MMMM y"), json_value(value))


def _cldr_date(value, pattern: str) -> str:
    from babel.dates import format_date

    day = value.date() if isinstance(value, dt.datetime) else value
    if hasattr(day, "to_pydatetime"):
        day = day.to_pydatetime().date()
    return format_date(day, pattern, locale=locale())


def compact(value: float, digits: int = 0) -> Text:
    """A count with a size suffix: '671B', '14.8T', '2.79M' (digits after the point); in
    other languages CLDR's short scale word: '671 M', '14,8 T', '2,79 jt'."""
    _finite(value)
    for size, suffix in _SCALES:
        if abs(value) >= size:
            digits_text = f"{value / size:.{digits}f}"
            if language() == SOURCE_LANGUAGE:
                return Text(f"{digits_text}{suffix}", value)
            patterns = locale().compact_decimal_formats["short"]["other"]
            return Text(local_digits(digits_text) + patterns[str(int(size))].suffix[0], value)
    return Text(local_digits(f"{value:.{digits}f}"), value)


def _in_scale(value: float, size: float, digits: int, english: str) -> Text:
    """``value`` in units of ``size``, with the scale's word: '14.8 trillion', '14,8 triliun'."""
    digits_text = f"{_finite(value) / size:,.{digits}f}"
    if language() == SOURCE_LANGUAGE:
        return Text(f"{digits_text} {english}", value)
    return Text(local_digits(digits_text) + _scale_word(size), value)


def trillions(value: float, digits: int = 1) -> Text:
    """14.8e12 -> '14.8 trillion' ('14,8 triliun')."""
    return _in_scale(value, 1e12, digits, "trillion")


def billions(value: float, digits: int = 0) -> Text:
    """671e9 -> '671 billion' ('671 miliar')."""
    return _in_scale(value, 1e9, digits, "billion")


def millions(value: float, digits: int = 0) -> Text:
    """150e6 -> '150 million' ('150 juta')."""
    return _in_scale(value, 1e6, digits, "million")


def _value_of(text: Any, raw: Any) -> Any:
    """The value a formatted text carries, else the raw value it was made from."""
    found = getattr(text, "value", None)
    return json_value(found if found is not None else raw)


def span(low: Any, high: Any, fmt: Callable[[Any], str] = str) -> Text:
    """A range: '$4.6M–$26.8M'."""
    first, last = fmt(low), fmt(high)
    return Text(f"{first}–{last}", [_value_of(first, low), _value_of(last, high)])


def standing(
    value: float | tuple[float, float],
    reference: float | tuple[float, float],
    *,
    below: str,
    inside: str,
    above: str,
) -> Text:
    """One of three words for where ``value`` (a number or a (low, high) range) stands
    against ``reference`` (the same): ``below`` when wholly under it, ``above`` when wholly
    over it, ``inside`` when they meet. The words fit the sentence ("below", "less than",
    "in line with"); the value it carries is always 'below', 'inside' or 'above', so a
    test can check the word against the numbers in any edition.
    """
    low, high = sorted(value) if isinstance(value, tuple | list) else (value, value)
    ref_low, ref_high = (
        sorted(reference) if isinstance(reference, tuple | list) else (reference, reference)
    )
    if high < ref_low:
        return Text(below, "below")
    if low > ref_high:
        return Text(above, "above")
    return Text(inside, "inside")


def more_or_less(value: float, reference: float) -> Text:
    """'less than', 'as much as' or 'more than' ``reference`` (:func:`standing`)."""
    words = {"below": _("less than"), "inside": _("as much as"), "above": _("more than")}
    return standing(value, reference, **words)


def count_of(count: int, total: int) -> Text:
    """'four of the five' ('empat dari lima'), carrying [count, total]."""
    text = _("{count} of the {total}").format(count=in_words(count), total=in_words(total))
    return Text(text, [count, total])


def both(first: str, second: str) -> Text:
    """Two values named together: 'a and b' ('a dan b')."""
    text = _("{first} and {second}").format(first=first, second=second)
    return Text(text, [_value_of(first, None), _value_of(second, None)])


def from_to(low: str, high: str) -> Text:
    """A range in words: 'a to b' ('a hingga b')."""
    text = _("{low} to {high}").format(low=low, high=high)
    return Text(text, [_value_of(low, None), _value_of(high, None)])


def _values(parts: Any) -> list:
    """The values the formatted texts among ``parts`` carry, in order, ranges flattened."""
    found = []
    for part in parts:
        value = getattr(part, "value", None)
        if value is None:
            continue
        value = json_value(value)
        found.extend(value if isinstance(value, list) else [value])
    return found


def _carrying(text: str, values: list) -> Text:
    return Text(text, values[0] if len(values) == 1 else values or None)


def compose(template: str, /, **parts: Any) -> Text:
    """A sentence with numbers in it: ``template``, already in the current language (pass
    ``_("...")``), with each ``{name}`` filled by its part. The text carries the values of
    the formatted parts (in the order they are passed, the same in every language), so a
    translated edition can be checked against the English one.
    ``compose(_("{cost} for the model"), cost=usd(2.5e7))``."""
    return _carrying(template.format(**parts), _values(parts.values()))


def phrase(template: str, fmt: Callable[..., str] = plain) -> Callable[..., Text]:
    """A formatter that writes the number inside words: ``phrase(_("{value}-month"))(8)``
    gives '8-month' ('8 bulan'); ``fmt`` formats the number (by default :func:`plain`)."""

    def formatted(value, *args, **kwargs) -> Text:
        return compose(template, value=fmt(value, *args, **kwargs))

    return formatted


def with_percentage(words: str) -> Text:
    """Words from the data with one percentage in them, such as a confidence interval's
    name ('95% CI', '95% IK'): the text carries that percentage (0.95) as its value."""
    import re

    found = re.findall(r"(\d+(?:[.,]\d+)?)\s?%", words)
    if len(found) != 1:
        raise ValueError(f"expected one percentage in {words!r}")
    return Text(words, float(found[0].replace(",", ".")) / 100)


def percent_range(low: float, high: float) -> Text:
    """Two percentages given in percent, as a range: 29, 49 -> '29–49%'."""
    return Text(f"{plain(low)}–{plain(high)}%", [float(low), float(high)])


def power_of_ten(value: float) -> Text:
    """A power of ten alone, with a Unicode superscript: 1e22 -> '10²²'."""
    return Text(sci(value, digits=0).replace("1 × ", ""), value)


def joined(parts: Iterable[str], sep: str = "; ") -> Text:
    """Formatted texts joined into one, which carries all their values in order."""
    parts = list(parts)
    return _carrying(sep.join(parts), _values(parts))


def unit(fmt: Callable[..., str], name: str) -> Callable[..., Text]:
    """A formatter that writes ``name`` after the number: unit(number, "GB/s")(900, digits=1)."""

    def formatted(value, *args, **kwargs) -> Text:
        text = fmt(value, *args, **kwargs)
        return Text(f"{text} {name}", _value_of(text, value))

    return formatted


# MyST-NB's glue protocol: a display_data output whose MIME types carry this prefix and
# whose metadata names the value. Writing it directly, rather than calling myst_nb.glue,
# spares every chapter's kernel the ~2 s import of MyST-NB and its dependencies;
# tests/test_text.py checks that the output is identical to myst_nb.glue's.
GLUE_PREFIX = "application/papermill.record/"
# The value a glued text shows (Text.value), beside the text, so that the book can compare
# the editions' numbers by value.
VALUE_MIME = "application/vnd.frontierbook.value+json"


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
    with it shows no stray output in Jupyter. A :class:`Text` from the formatters above also
    publishes the value it shows.
    """
    from IPython import get_ipython
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    from frontierbook.provenance import PROVENANCE_MIME, record

    if not name.isidentifier():
        raise ValueError(f"a published number needs a Python name, not {name!r}")
    value = Text(text, getattr(text, "value", None))
    shell = get_ipython()
    if shell is not None and isinstance(params, tuple | list):
        # Parameters named, not given: their values are the kernel's, as the chapter set them.
        params = {name: shell.user_ns[name] for name in params}
    bundle, metadata = format_display_data(value)
    if value.value is not None:
        bundle[VALUE_MIME] = json_value(value.value)
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
