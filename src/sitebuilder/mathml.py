"""Equations rendered to MathML when the book is built, so pages load no MathJax.

Every current browser lays out MathML natively and screen readers read it, so the 680 kB
(gzipped) MathJax bundle is not needed. ``latex2mathml`` converts the TeX; its output is
checked and re-serialised here, because it passes unknown commands and ``\\text{...}``
contents through unescaped. An equation it cannot render stops the build, naming the page
and the line, rather than showing readers raw TeX.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

RENDERER = "mathml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# MathML Core's elements, and the few presentation elements latex2mathml also writes.
_ELEMENTS = frozenset(
    "math semantics annotation annotation-xml mrow mi mn mo ms mtext mspace mfrac msqrt mroot"
    " msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd"
    " mstyle mpadded mphantom merror menclose mfenced maction".split()
)
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")
# latex2mathml copies \text{...} verbatim: a '<' there that opens no MathML tag is text.
_TEXT_LESS_THAN = re.compile(r"<(?!/?(?:" + "|".join(sorted(_ELEMENTS)) + r")[\s/>])")
# A bare '&' is TeX's alignment mark outside any environment that aligns.
_BARE_AMPERSAND = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)")

ET.register_namespace("", MATHML_NS)


class MathError(ValueError):
    """TeX that cannot be rendered to MathML at build time."""


def tex_to_mathml(tex: str, display: bool) -> str:
    """``tex`` as a MathML ``<math>`` element, its text escaped; MathError if unsupported."""
    try:
        raw = convert(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml's parse errors share no base class
        raise MathError(f"cannot parse {tex.strip()!r}: {type(error).__name__} {error}") from error
    if _BARE_AMPERSAND.search(raw):
        raise MathError(f"cannot render {tex.strip()!r}: '&' outside an aligning environment")
    try:
        root = ET.fromstring(_TEXT_LESS_THAN.sub("&lt;", raw))
    except ET.ParseError as error:
        raise MathError(f"cannot render {tex.strip()!r} to MathML ({error})") from error
    for element in root.iter():
        name = element.tag.removeprefix("{" + MATHML_NS + "}")
        if name not in _ELEMENTS:
            raise MathError(f"cannot render {tex.strip()!r}: <{name}> inside the maths")
        unknown = _UNKNOWN_COMMAND.search(element.text or "")
        if unknown and name != "mtext":
            raise MathError(f"cannot render {tex.strip()!r}: unknown command {unknown.group()}")
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _fail(self: HTML5Translator, node: nodes.Element, error: MathError) -> ExtensionError:
    line = f", line {node.line}" if node.line else ""
    return ExtensionError(f"{self.builder.current_docname}{line}: {error}")


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    try:
        mathml = tex_to_mathml(node.astext(), display=False)
    except MathError as error:
        raise _fail(self, node, error) from error
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(mathml + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self: HTML5Translator, node: nodes.math_block) -> None:
    # Several equations separated by blank lines are shown one under another.
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    try:
        rendered = [tex_to_mathml(part, display=True) for part in parts]
    except MathError as error:
        raise _fail(self, node, error) from error
    number = get_node_equation_number(self, node) if node.get("number") else None
    # A long equation scrolls sideways in its box on a phone (_static/book.css): keyboard
    # users must be able to reach the box to scroll it (axe: scrollable-region-focusable),
    # and screen readers announce it by name before they read its MathML.
    label = _("Equation") + (f" ({number})" if number else "")
    tag = self.starttag(node, "div", CLASS="math notranslate nohighlight")
    focusable = f' tabindex="0" role="region" aria-label="{self.attval(label)}">'
    self.body.append(tag.replace(">", focusable, 1))
    if number:
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append("".join(rendered) + "</div>\n")
    raise nodes.SkipNode


def register(app: Sphinx) -> None:
    """Offer the renderer; ``html_math_renderer: mathml`` in ``_config.yml`` selects it."""
    app.add_html_math_renderer(RENDERER, (visit_math, None), (visit_displaymath, None))
