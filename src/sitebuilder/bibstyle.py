"""The bibliography's style: pybtex's plain style with each source's tier after its entry.

The tier (``tier`` in ``references.bib``) says how close the copy we read is to the thing
itself: ``primary``, the document; ``press``, a reputable outlet's own report; ``secondary``,
a reprint, aggregator or summary, which also says why nothing better was used
(``tiernote``). Both are shown as text, so the theme escapes them like any entry's text.
"""

from __future__ import annotations

import pybtex.plugin
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle

from frontierbook.inputs import TIER_FIELD, TIER_REASON_FIELD

STYLE_NAME = "frontierbook"


class TieredStyle(PlainStyle):
    """Plain, then "Tier: primary." (and for a secondary source, why)."""

    def format_entry(self, label: str, entry, bib_data=None) -> FormattedEntry:
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        tier = entry.fields.get(TIER_FIELD, "").strip()
        if not tier:
            return formatted
        parts = [formatted.text, " Tier: ", Tag("strong", tier), "."]
        if TIER_REASON_FIELD in entry.fields:
            reason = Text.from_latex(entry.fields[TIER_REASON_FIELD]).add_period()
            parts += [" Why no better copy: ", reason]
        return FormattedEntry(formatted.key, Text(*parts), formatted.label)


def register() -> None:
    """Make the style available to sphinxcontrib-bibtex as ``bibtex_default_style``."""
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, TieredStyle, force=True)
