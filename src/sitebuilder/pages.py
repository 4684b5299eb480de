"""Page details: chart alt text from the SVG, keyboard-reachable tables, a clean bibliography."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

_DESCRIPTION = re.compile(rb"<dc:description>(.*?)</dc:description>", re.S)


def svg_alt_text(svg: bytes) -> str | None:
    """The description stored in an SVG's metadata, if any."""
    match = _DESCRIPTION.search(svg)
    return unescape(match.group(1).decode("utf-8")).strip() if match else None


def set_alt(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if image.get("alt") or not uri.endswith(".svg"):
            continue
        candidates = [Path(app.srcdir) / uri, Path(app.env.doc2path(docname)).parent / uri]
        for path in candidates:
            if path.is_file():
                alt = svg_alt_text(path.read_bytes())
                if alt:
                    image["alt"] = alt
                break


def fix_accessibility(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Scrollable tables get keyboard focus. And docutils marks the bibliography as
    role="list" whose items are not list items, which screen readers (and axe's
    aria-required-children rule) reject; without the roles it is announced correctly."""
    body = context.get("body")
    if body and 'class="table-wrapper"' in body:
        # On phones a wide table scrolls inside this box; keyboard users must be able to
        # reach it to scroll it (axe: scrollable-region-focusable).
        body = body.replace(
            '<div class="table-wrapper">',
            '<div class="table-wrapper" tabindex="0" role="region"'
            ' aria-label="Table (scrolls sideways)">',
        )
        context["body"] = body
    if body and 'class="citation-list"' in body:
        body = body.replace(
            '<div role="list" class="citation-list">', '<div class="citation-list">'
        )
        context["body"] = body.replace(' role="doc-biblioentry"', "")
