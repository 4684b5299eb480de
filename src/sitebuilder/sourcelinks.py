"""Source keys in tables, linked to their bibliography entries.

A chapter's table shows each row's source as its short citation, written by
:func:`frontierbook.tables.source_link` as ``<a class="fb-source" data-fb-cite="key">``.
The chapter does not know where the entry's anchor is; the build does, once the
bibliography has been read, and points every such link at it. A key with no entry in the
bibliography fails the build, naming the page.
"""

from __future__ import annotations

import html
import re

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SOURCE_LINK = re.compile(r'<a class="fb-source" href="[^"]*" data-fb-cite="([^"]+)">')


def link_sources(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if app.builder.format != "html" or not body or 'class="fb-source"' not in body:
        return
    domain = app.env.get_domain("cite")
    targets = {c.key: (c.bibliography_key.docname, c.citation_id) for c in domain.citations}

    def point(match: re.Match[str]) -> str:
        key = html.unescape(match.group(1))
        if key not in targets:
            logger.warning("source %r has no entry in the bibliography", key, location=pagename)
            return match.group()
        docname, anchor = targets[key]
        href = f"{app.builder.get_relative_uri(pagename, docname)}#{anchor}"
        return f'<a class="fb-source" href="{html.escape(href)}" data-fb-cite="{match.group(1)}">'

    context["body"] = _SOURCE_LINK.sub(point, body)
