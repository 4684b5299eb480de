"""Tick labels as plain text, the way the charts are saved and the chart lint reads them."""

from __future__ import annotations

import re

from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SCI_MATH = re.compile(
    r"^\$\\mathdefault\{(?:(?P<coeff>[\d.]+)\\times\s*)?(?P<base>\d+)\^\{(?P<exp>-?\d+)\}\}\$$"
)


class PlainLogFormatter(LogFormatterSciNotation):
    """Log-axis ticks as plain text ("10⁹", "2×10⁹"), since the house style parses no maths."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        label = super().__call__(x, pos)
        match = _SCI_MATH.match(label)
        if not match:
            return label.replace("$\\mathdefault{", "").replace("}$", "")
        power = f"{match['base']}{match['exp'].translate(_SUPERSCRIPT)}"
        return f"{match['coeff']}×{power}" if match["coeff"] else power


def plain_text_ticks(fig: Figure) -> None:
    """Swap matplotlib's maths-markup log tick labels for :class:`PlainLogFormatter`."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, set_ in (
                (axis.get_major_formatter, axis.set_major_formatter),
                (axis.get_minor_formatter, axis.set_minor_formatter),
            ):
                old = get()
                if type(old) is LogFormatterSciNotation:
                    new = PlainLogFormatter(
                        base=old._base,
                        labelOnlyBase=old.labelOnlyBase,
                        minor_thresholds=(old.minor_thresholds),
                    )
                    set_(new)
