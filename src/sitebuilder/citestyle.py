"""In-text citations and the bibliography's labels, from :mod:`frontierbook.citations`.

sphinxcontrib-bibtex's ``author_year`` style builds its own author part from the ``author``
field ("Patel et al.", "Bureau of Industry and Security"), while chart source lines use
``shortauthor`` ("SemiAnalysis", "BIS"): one work would carry two labels. Here both the
in-text citation and the bibliography print :func:`frontierbook.citations.entry_label`, the
label every chart, popover and notebook prints:

- ``bibtex_reference_style: frontierbook`` (``_config.yml``): ``{cite:p}`key``` shows
  "[SemiAnalysis 2025a]";
- the bibliography's entries are labelled "[SemiAnalysis 2025a]" instead of a number, and
  the list is in the order of its labels: the book's entry style
  (:class:`sitebuilder.bibliography.BookStyle`) says so itself, and whatever other style
  ``bibtex_default_style`` may name is given the same label and sorting styles
  (:func:`label_the_bibliography`).

The labels are checked (:func:`check_labels`) before any page is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.template import node
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

from frontierbook.citations import author_part, citation_labels
from frontierbook.inputs import InputError
from sitebuilder.bibliography import LabelSorting, LabelStyle

NAME = "frontierbook"


@node
def _author_part(children, data) -> Text:
    assert not children
    return Text(author_part(data["entry"]))


class LabelPersonStyle(PersonStyle):
    """Every author part a citation prints is the label's."""

    def names(self, role: str, full: bool):
        return _author_part

    def author_or_editor_or_title(self, full: bool):
        return _author_part


@dataclass
class LabelReferenceStyle(AuthorYearReferenceStyle):
    """Author-year citations whose text is exactly the work's label: "[BIS 2025a]"."""

    person: PersonStyle = field(default_factory=LabelPersonStyle)
    author_year_sep: str = " "


def label_the_bibliography(app: Sphinx) -> None:
    """The configured entry style, labelled and sorted by the works' labels."""
    group, name = "pybtex.style.formatting", app.config.bibtex_default_style
    style = pybtex.plugin.find_plugin(group, name)
    if getattr(style, "default_label_style", None) in (NAME, LabelStyle):
        return  # the book's own style (sitebuilder.bibliography.BookStyle) is labelled
    labelled = type(
        f"Labelled{style.__name__}",
        (style,),
        {"default_label_style": NAME, "default_sorting_style": NAME},
    )
    pybtex.plugin.register_plugin(group, name, labelled, force=True)


def check_labels(app: Sphinx) -> None:
    """Before any page is read: no two works share a label, and no label misleads."""
    try:
        citation_labels(Path(app.srcdir) / "references.bib")
    except InputError as error:
        raise ExtensionError(str(error)) from None


def register(app: Sphinx) -> None:
    register_plugin("sphinxcontrib.bibtex.style.referencing", NAME, LabelReferenceStyle, True)
    pybtex.plugin.register_plugin("pybtex.style.labels", NAME, LabelStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.sorting", NAME, LabelSorting, force=True)
    app.connect("builder-inited", check_labels)
    app.connect("builder-inited", label_the_bibliography)
