"""Sphinx extension: copy each chart's alt text from its SVG into the ``<img alt>``.

Charts store their alt text as the SVG's ``<dc:description>`` (see ``style.svg_bytes``), so
the text is written once, in code, next to the chart it describes.
"""

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


def _set_alt(app: Sphinx, doctree: nodes.document, docname: str) -> None:
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


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", _set_alt)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
