"""Tick labels as plain text, the way the charts are saved and the chart lint reads them."""

from __future__ import annotations

import re

from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, ScalarFormatter

from frontierbook.i18n import SOURCE_LANGUAGE, language
from frontierbook.text import local_digits

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
        return f"{local_digits(match['coeff'])}×{power}" if match["coeff"] else power


class LocalScalarFormatter(ScalarFormatter):
    """Matplotlib's default ticks with the current language's decimal sign ('0,5')."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return local_digits(super().__call__(x, pos))

    def get_offset(self) -> str:
        return local_digits(super().get_offset())


def plain_text_ticks(fig: Figure) -> None:
    """Swap matplotlib's maths-markup log tick labels for :class:`PlainLogFormatter`, and in
    another language its default number ticks for :class:`LocalScalarFormatter`."""
    local = language() != SOURCE_LANGUAGE
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, set_ in (
                (axis.get_major_formatter, axis.set_major_formatter),
                (axis.get_minor_formatter, axis.set_minor_formatter),
            ):
                old = get()
                if local and type(old) is ScalarFormatter:
                    new = LocalScalarFormatter(useOffset=old._useOffset, useMathText=False)
                    new.set_scientific(old._scientific)
                    new.set_powerlimits(old._powerlimits)
                    set_(new)
                if type(old) is LogFormatterSciNotation:
                    new = PlainLogFormatter(
                        base=old._base,
                        labelOnlyBase=old.labelOnlyBase,
                        minor_thresholds=(old.minor_thresholds),
                    )
                    set_(new)
