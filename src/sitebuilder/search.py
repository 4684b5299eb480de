"""The search index holds the book's prose, not its code or its tables' markup.

Sphinx indexes every word of a page's doctree, so a search matched the code of the hidden
chart cells (``finish_chart``, ``ax``, ``ylabel``), and the words of an HTML table were
indexed with its tags deleted and nothing in their place, running cells together. Here the
indexer is given a copy of each page without its notebook code cells (``cell_input``, and
anything marked ``no-search``), and with each tag of raw HTML read as a space. The page
itself is unchanged. The snippets under each result come from the page, read by
``_static/search-snippets.js`` in the same spirit.

Sphinx 7.4 has no setting for either, so its index builder's ``feed`` is wrapped when the
extension loads.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.search import IndexBuilder

NOT_INDEXED = frozenset({"cell_input", "no-search"})
_TAG = re.compile(r"<[^<]+?>")
_STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


def raw_html_words(html: str) -> str:
    """The text of raw HTML, each tag read as a space so cells and lines stay apart."""
    return _TAG.sub(" ", _STYLE_OR_SCRIPT.sub(" ", html))


def prose_only(doctree: nodes.document) -> nodes.document:
    """A copy of ``doctree`` without code cells, its raw HTML as plain words."""
    copy = doctree.deepcopy()
    for node in list(copy.findall(nodes.Element)):
        if NOT_INDEXED & set(node.get("classes", [])) and node.parent is not None:
            node.parent.remove(node)
    for node in list(copy.findall(nodes.raw)):
        if "html" in node.get("format", "").split():
            node.replace_self(nodes.raw("", raw_html_words(node.astext()), format="html"))
    return copy


def _feed(original):
    def feed(self: IndexBuilder, docname: str, filename: str, title: str, doctree) -> None:
        original(self, docname, filename, title, prose_only(doctree))

    feed.frontierbook = True  # type: ignore[attr-defined]
    return feed


def register() -> None:
    if not getattr(IndexBuilder.feed, "frontierbook", False):
        IndexBuilder.feed = _feed(IndexBuilder.feed)
