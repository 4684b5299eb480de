"""Chart images that cost nothing until a reader scrolls near them, and never shift the page.

Every ``<img>`` of an SVG chart gets ``width``/``height`` attributes from the SVG itself, so
the browser reserves its box before the file arrives, and charts below the fold get
``loading="lazy"``. The stylesheet keeps them fluid (``max-width: 100%; height: auto``).
The navbar's logo, an SVG too, gets its size the same way (:func:`add_logo_size`).
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path, PurePosixPath

from markupsafe import Markup
from sphinx.application import Sphinx

# A phone screen shows about this many words of prose; a chart after more text than that
# starts below the fold on every screen the book is read on.
ABOVE_THE_FOLD_WORDS = 120
# CSS pixels per unit (https://www.w3.org/TR/css-values-3/#absolute-lengths).
_PX_PER_UNIT = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*([a-z]*)\s*$")
_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_TAGS = re.compile(r"<[^>]+>")


def svg_size(svg: bytes) -> tuple[int, int] | None:
    """The SVG's size in CSS pixels, from its width/height (or its viewBox if they are relative)."""
    tag = _SVG_TAG.search(svg)
    if tag is None:
        return None
    attributes = dict(re.findall(rb'\s([a-zA-Z]+)="([^"]*)"', tag.group()))
    width, height = attributes.get(b"width", b"").decode(), attributes.get(b"height", b"").decode()
    sizes = [_LENGTH.match(width), _LENGTH.match(height)]
    if all(sizes) and all(m.group(2) in _PX_PER_UNIT for m in sizes):
        return tuple(  # type: ignore[return-value]
            round(float(m.group(1)) * _PX_PER_UNIT[m.group(2)]) for m in sizes
        )
    view_box = attributes.get(b"viewBox", b"").decode().replace(",", " ").split()
    if len(view_box) == 4:
        return round(float(view_box[2])), round(float(view_box[3]))
    return None


def _image_sources(app: Sphinx) -> dict[str, Path]:
    # The builder names each image it will copy to _images/; map the names back to files.
    return {name: Path(app.srcdir) / source for source, name in app.builder.images.items()}


def size_and_defer_charts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    body = context.get("body")
    if not body or "<img" not in body:
        return
    sources = _image_sources(app)

    def rewrite(match: re.Match[str]) -> str:
        tag = match.group()
        src = re.search(r'\ssrc="([^"]+)"', tag)
        if src is None or not src.group(1).lower().endswith(".svg"):
            return tag
        name = urllib.parse.unquote(PurePosixPath(src.group(1)).name)
        source = sources.get(name)
        extra = ""
        if source is not None and source.is_file() and " width=" not in tag:
            size = svg_size(source.read_bytes())
            if size is not None:
                extra += f' width="{size[0]}" height="{size[1]}"'
        words_before = len(_TAGS.sub(" ", body[: match.start()]).split())
        if words_before > ABOVE_THE_FOLD_WORDS and " loading=" not in tag:
            extra += ' loading="lazy"'
        return tag[:4] + extra + tag[4:] if extra else tag

    context["body"] = _IMG_TAG.sub(rewrite, body)


def _local_image(app: Sphinx, src: str) -> Path | None:
    # The theme links the logo as `[../]_static/<name>`; the file is the configured logo or
    # one in the static folders (the build copies them to _static/ only when it finishes).
    name = urllib.parse.unquote(PurePosixPath(src).name)
    candidates = [Path(app.confdir) / folder / name for folder in app.config.html_static_path]
    logo = app.config.html_logo
    if logo and not re.match(r"^[a-z]+://", logo):
        candidates.insert(0, Path(app.confdir) / logo)
    return next((c for c in candidates if c.name == name and c.is_file()), None)


def add_logo_size(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """``logo_size_attributes(src)`` for ``_templates/navbar-logo.html``: the logo's
    ``width``/``height`` from its SVG, so the header does not shift as the logo loads."""

    def logo_size_attributes(src: str) -> Markup:
        image = _local_image(app, src) if src.lower().endswith(".svg") else None
        size = svg_size(image.read_bytes()) if image is not None else None
        return Markup(f' width="{size[0]}" height="{size[1]}"' if size else "")

    context["logo_size_attributes"] = logo_size_attributes
