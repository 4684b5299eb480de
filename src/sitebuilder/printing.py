"""What a page needs on paper (styled by ``_static/print.css``).

A printed page cannot follow its links, so each page carries, for print only, the sources
it cites, each with its full reference and address as the bibliography gives them. And a
link whose text is already its address is marked, so print does not repeat the address.
"""

from __future__ import annotations

import html
import re

from sphinx.application import Sphinx

from sitebuilder.translation import site_text

PRINT_SOURCES_CLASS = "fb-print-sources"
_EXTERNAL = re.compile(r'<a class="reference external" href="([^"]+)">([^<]+)</a>')


def _entries_cited(app: Sphinx, pagename: str, body: str) -> list[str]:
    """The bibliography's text of every source the page links to, in order of first link."""
    domain = app.env.get_domain("cite")
    found: dict[str, tuple[int, object]] = {}
    for citation in domain.citations:
        bibliography = citation.bibliography_key.docname
        if bibliography == pagename:
            return []  # the bibliography itself
        href = f"{app.builder.get_relative_uri(pagename, bibliography)}#{citation.citation_id}"
        position = body.find(f'href="{href}"')
        if position >= 0:
            found.setdefault(citation.key, (position, citation.formatted_entry))
    ordered = sorted(found.values(), key=lambda pair: pair[0])
    return [entry.text.render_as("text") for _, entry in ordered]


def add_print_sources(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    body = context.get("body")
    if app.builder.format != "html" or not body:
        return
    body = _EXTERNAL.sub(
        lambda m: (
            f'<a class="reference external fb-url-shown" href="{m.group(1)}">{m.group(2)}</a>'
            if html.unescape(m.group(2)).strip() == html.unescape(m.group(1))
            else m.group()
        ),
        body,
    )
    entries = _entries_cited(app, pagename, body)
    if entries:
        items = "".join(f"<li>{html.escape(entry)}</li>" for entry in entries)
        heading = html.escape(site_text(app, "Sources cited on this page"))
        body += (
            f'<section class="{PRINT_SOURCES_CLASS}"><p><strong>{heading}</strong></p>'
            f"<ol>{items}</ol></section>"
        )
    context["body"] = body


def name_the_print_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """The theme's download menu names its print button ".pdf", which reads like a file;
    beside the whole book's PDF it is this page's Print."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("label") == "download-pdf-button":
                button["text"] = site_text(app, "Print this page")
                button["tooltip"] = site_text(app, "Print this page, or save it as a PDF")
