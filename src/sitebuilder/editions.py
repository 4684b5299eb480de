"""The book's editions: English, the language it is written in, and one per translation.

A translation is a folder ``locales/<language>/LC_MESSAGES/`` of gettext catalogues (made by
``make gettext``; see the README): one ``.po`` per page (Sphinx translates the prose through
them), ``frontierbook.po`` for what the package's and the chapters' code draws, ``site.po``
for what the site builder adds to pages, and ``sphinx.po``/``booktheme.po`` for the theme.
The edition in ``<language>`` is published at ``/<language>/``, built from the same sources,
data and code as the English one; each of its chapters executes in that language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOURCE_LANGUAGE = "en"
# What a language calls itself, for the switcher; Babel's CLDR name when not listed here.
OWN_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
LOCALES = "locales"


@dataclass(frozen=True)
class Edition:
    language: str

    @property
    def is_source(self) -> bool:
        return self.language == SOURCE_LANGUAGE

    @property
    def prefix(self) -> str:
        """Where the edition starts, relative to the site's root: '' or 'id/'."""
        return "" if self.is_source else f"{self.language}/"

    @property
    def own_name(self) -> str:
        if self.language in OWN_NAMES:
            return OWN_NAMES[self.language]
        from babel import Locale

        name = Locale.parse(self.language).get_display_name(self.language) or self.language
        return name[:1].upper() + name[1:]


def editions(root: Path) -> list[Edition]:
    """English first, then every language with a catalogue folder, in alphabetical order."""
    folder = Path(root) / LOCALES
    languages = (
        sorted(
            entry.name
            for entry in folder.iterdir()
            if entry.is_dir() and (entry / "LC_MESSAGES").is_dir()
        )
        if folder.is_dir()
        else []
    )
    return [Edition(SOURCE_LANGUAGE)] + [Edition(code) for code in languages]


def catalogues(root: Path, language: str) -> list[Path]:
    """Every ``.po`` file of ``language``, sorted."""
    folder = Path(root) / LOCALES / language / "LC_MESSAGES"
    return sorted(folder.rglob("*.po")) if folder.is_dir() else []
