"""Page details: chart alt text from the SVG, keyboard-reachable tables, a clean bibliography,
links from a table's sources to their bibliography entries."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from sitebuilder.translation import site_text

logger = logging.getLogger(__name__)

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
        label = escape(site_text(app, "Table (scrolls sideways)"))
        body = body.replace(
            '<div class="table-wrapper">',
            f'<div class="table-wrapper" tabindex="0" role="region" aria-label="{label}">',
        )
        context["body"] = body
    if body and 'class="citation-list"' in body:
        body = body.replace(
            '<div role="list" class="citation-list">', '<div class="citation-list">'
        )
        context["body"] = body.replace(' role="doc-biblioentry"', "")


# A source in a table cell (frontierbook.tables.cite): the notebook that wrote it cannot know
# where the key's entry is, so its link points at the bibliography page until here.
_CITE_LINK = re.compile(r'<a class="fb-cite" href="[^"]*" data-cite="([^"]+)">')


def link_citations(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Each source link written by a chapter cell points at its own bibliography entry."""
    body = context.get("body")
    if not body or 'class="fb-cite"' not in body:
        return
    from sitebuilder.numbers import citation_targets

    targets = citation_targets(app)

    def to_entry(match: re.Match) -> str:
        key = unescape(match.group(1))
        if key not in targets:
            logger.warning(f"{pagename}: source {key!r} has no bibliography entry to link to")
            return match.group(0)
        docname, anchor = targets[key]
        href = f"{app.builder.get_relative_uri(pagename, docname)}#{anchor}"
        return f'<a class="fb-cite" href="{escape(href)}" data-cite="{match.group(1)}">'

    context["body"] = _CITE_LINK.sub(to_entry, body)
