"""The theme's icons without FontAwesome's all-icons bundle.

pydata-sphinx-theme loads ``fontawesome.js`` (1.4 MB, 540 kB gzipped) on every page to turn
each ``<i class="fa-solid fa-...">`` into an inline SVG, and its stylesheet also declares
FontAwesome's icon fonts (160 kB for the solid one) for icons drawn in CSS. The stylesheet
alone already draws every ``<i class="fa-...">``, so:

- ``_templates/layout.html`` drops the script tag through :func:`without_icon_script`
  (the theme hard-codes it in its template, with no setting to turn it off);
- after the build, each icon font in ``_build/html`` is replaced by a subset holding only the
  glyphs that the published pages, the theme's scripts and its stylesheets refer to.

The buttons' accessible names come from their own ``aria-label``/``title`` and are unchanged.
What the script also did, :func:`label_icons` does in the HTML: an icon is hidden from
screen readers (its glyph is a private-use character), or, if it has a title (the colour
mode's "Light"/"Dark"/"System Settings"), announced as an image with that name.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from markupsafe import Markup
from sphinx.application import Sphinx

ICON_SCRIPT = "fontawesome.js"
FONT_DIR = Path("_static/vendor/fontawesome/webfonts")
_ICON_SCRIPT_TAG = re.compile(r'\s*<script[^>]*src="[^"]*/fontawesome\.js[^"]*"[^>]*>\s*</script>')
# `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`: one entry of FontAwesome's class map.
_CLASS_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"\\([0-9a-f]+)"\}')
_CLASS_NAME = re.compile(r"\.(fa-[a-z0-9-]+):")
_USED_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
# Icon code points written directly in CSS, escaped (`content:"\f107"`) or as the character
# itself (`--pst-icon-github:"\uf09b"`), lie in Unicode's private use area, where
# FontAwesome puts its glyphs.
_ESCAPED_ICON = re.compile(r'"\\((?:e|f)[0-9a-f]{3})"')
_LITERAL_ICON = re.compile("[\ue000-\uf8ff]")


_ICON_ELEMENT = re.compile(r'<(?:i|span) class="[^"]*\bfa-[^"]*"[^>]*>')
_TITLE = re.compile(r'\stitle="([^"]*)"')


def label_icons(html: str) -> str:
    """Each FontAwesome ``<i>``/``<span>`` hidden from screen readers, or named by its title."""

    def label(match: re.Match[str]) -> str:
        tag = match.group()
        if "aria-hidden=" in tag or "role=" in tag:
            return tag
        title = _TITLE.search(tag)
        # The title is already escaped HTML: it is copied as it is.
        extra = f' role="img" aria-label="{title.group(1)}"' if title else ' aria-hidden="true"'
        end = "/>" if tag.endswith("/>") else ">"
        return tag[: -len(end)] + extra + end

    return _ICON_ELEMENT.sub(label, html)


def without_icon_script(html: str) -> Markup:
    """The theme's head markup without the FontAwesome script tag."""
    return Markup(_ICON_SCRIPT_TAG.sub("", str(html)))


def add_template_helper(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    context["without_icon_script"] = without_icon_script


def icon_code_points(site: Path) -> set[int]:
    """Every FontAwesome code point the published pages, scripts and stylesheets can show."""
    class_map: dict[str, int] = {}
    drawn_by_css: set[int] = set()
    for stylesheet in (site / "_static").rglob("*.css"):
        css = stylesheet.read_text(encoding="utf-8", errors="replace")
        for rule in _CLASS_RULE.finditer(css):
            for name in _CLASS_NAME.findall(rule.group(1)):
                class_map[name] = int(rule.group(2), 16)
        rest = _CLASS_RULE.sub("", css)
        drawn_by_css.update(int(code, 16) for code in _ESCAPED_ICON.findall(rest))
        drawn_by_css.update(ord(char) for char in _LITERAL_ICON.findall(rest))
    used: set[str] = set()
    pages = list(site.rglob("*.html"))
    # The theme's scripts add icons of their own (the search dialog's close button).
    scripts = [s for s in (site / "_static").rglob("*.js") if s.name != ICON_SCRIPT]
    for path in pages + scripts:
        used.update(_USED_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    return drawn_by_css | {class_map[name] for name in used if name in class_map}


def _original_font(app: Sphinx, name: str) -> Path:
    # Subset the theme's own copy: the copy in _build/html may already be a subset from an
    # earlier build, which would lack the icons a new page needs.
    for theme_dir in app.builder.theme.get_theme_dirs():
        candidate = Path(theme_dir) / "static" / "vendor" / "fontawesome" / "webfonts" / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"the theme ships no {name}")


def subset_font(source: Path, target: Path, code_points: set[int]) -> None:
    """Write to ``target`` a WOFF2 copy of ``source`` with only the glyphs of ``code_points``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # The bytes depend only on the source font and the kept glyphs: the timestamp of the
    # source is kept (TTFont would stamp the time of saving into `head.modified`), so a
    # rebuild that uses the same icons writes an identical file.
    font = TTFont(source, recalcTimestamp=False)
    available = set(font.getBestCmap())
    kept = code_points & available
    if not kept:
        # Browsers reject a font with no characters and fall back to the TrueType copy,
        # which the build does not publish: keep one glyph so the font stays valid.
        kept = {min(available)}
    options = subset.Options()
    options.flavor = "woff2"
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(kept))
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    # An unchanged subset is not rewritten, so the file keeps its time as well.
    if not target.is_file() or target.read_bytes() != data:
        target.write_bytes(data)


def publish_light_icons(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    site = Path(app.outdir)
    (site / "_static" / "scripts" / ICON_SCRIPT).unlink(missing_ok=True)
    (site / "_static" / "scripts" / f"{ICON_SCRIPT}.LICENSE.txt").unlink(missing_ok=True)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        labelled = label_icons(html)
        if labelled != html:
            page.write_text(labelled, encoding="utf-8")
    code_points = icon_code_points(site)
    for font in (site / FONT_DIR).glob("*.woff2"):
        subset_font(_original_font(app, font.name), font, code_points)
