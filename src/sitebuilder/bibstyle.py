"""The bibliography's style: pybtex's plain style with each source's tier after its entry.

The tier (``tier`` in ``references.bib``) says how close the copy we read is to the thing
itself: ``primary``, the document; ``press``, a reputable outlet's own report; ``secondary``,
a reprint, aggregator or summary, which also says why nothing better was used
(``tiernote``). Both are shown as text, so the theme escapes them like any entry's text.
The words around them are in the edition's language (the ``site`` catalogue); the entries
themselves, like the works they name, stay as the bibliography writes them.
"""

from __future__ import annotations

import pybtex.plugin
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as PlainStyle

from frontierbook.i18n import N_, translations
from frontierbook.inputs import TIER_FIELD, TIER_REASON_FIELD
from sitebuilder.editions import SOURCE_LANGUAGE

STYLE_NAME = "frontierbook"
SITE_DOMAIN = "site"
TIER_WORDS = (N_("primary"), N_("press"), N_("secondary"))
TIER_LABEL = N_("Tier:")
REASON_LABEL = N_("Why no better copy:")


class TieredStyle(PlainStyle):
    """Plain, then "Tier: primary." (and for a secondary source, why)."""

    # The edition being built (set when the builder starts: :func:`use_language`).
    language = SOURCE_LANGUAGE

    def _say(self, message: str) -> str:
        return translations(self.language, SITE_DOMAIN).get((None, message), message)

    def format_entry(self, label: str, entry, bib_data=None) -> FormattedEntry:
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        tier = entry.fields.get(TIER_FIELD, "").strip()
        if not tier:
            return formatted
        parts = [formatted.text, f" {self._say(TIER_LABEL)} ", Tag("strong", self._say(tier)), "."]
        if TIER_REASON_FIELD in entry.fields:
            reason = Text.from_latex(entry.fields[TIER_REASON_FIELD]).add_period()
            parts += [f" {self._say(REASON_LABEL)} ", reason]
        return FormattedEntry(formatted.key, Text(*parts), formatted.label)


def register() -> None:
    """Make the style available to sphinxcontrib-bibtex as ``bibtex_default_style``."""
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, TieredStyle, force=True)


def use_language(app) -> None:
    """The tier's words in the language of the edition being built."""
    TieredStyle.language = app.config.language or SOURCE_LANGUAGE
