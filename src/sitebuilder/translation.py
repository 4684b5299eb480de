"""The editions in Sphinx: what makes a page of one edition point at the others, and what
the build reports about its translation.

Sphinx translates each page's prose through its gettext catalogue (``language`` and
``locale_dirs``, set by the driver for each edition; :mod:`.editions`). On top of that:

- every page gets a language switcher that opens the same page in the other editions
  (``_templates/language-switcher.html``, in the article's header bar) and
  ``<link rel="alternate" hreflang>`` links to them in its head;
- the strings the site builder itself writes into pages come from the ``site`` catalogue
  (:func:`site_text`); the theme's strings from ``sphinx.po`` (pydata-sphinx-theme, which
  ships no Indonesian) and ``booktheme.po`` (sphinx-book-theme, whose own Indonesian
  catalogue this one overrides where it reads badly);
- every paragraph, heading or caption that a translated edition still shows in English,
  for want of a translation, is written to ``_build/<language>/untranslated/``, one JSON file
  per page, so the driver can say how much is missing and the tests can name it;
- a quotation that a translation keeps in English (words in quotation marks that stand as
  they are in the English paragraph it translates) is marked ``<span lang="en">``, so a
  screen reader speaks it as English and the tests can tell it from untranslated text.
"""

from __future__ import annotations

import gettext
import json
from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from frontierbook.i18n import N_, english_quotations, translations
from sitebuilder import repository
from sitebuilder.editions import LOCALES, SOURCE_LANGUAGE, Edition, editions

SITE_DOMAIN = "site"
THEME_DOMAIN = "booktheme"  # sphinx-book-theme's catalogue name
SWITCHER_TEMPLATE = "language-switcher.html"


def site_text(app: Sphinx, message: str) -> str:
    """``message``, a string the site builder writes into a page, in the page's language
    (from the catalogue in the sources Sphinx reads: the build's snapshot)."""
    language = app.config.language or SOURCE_LANGUAGE
    found = translations(language, SITE_DOMAIN, Path(app.srcdir) / LOCALES)
    return found.get((None, message), message)


def edition_of(app: Sphinx) -> Edition:
    return Edition(app.config.language or SOURCE_LANGUAGE)


def _configure(app: Sphinx, config: Config) -> None:
    """The edition's own address (for canonical links) and the switcher in the header."""
    edition = Edition(config.language or SOURCE_LANGUAGE)
    if config.html_baseurl and not edition.is_source:
        config.html_baseurl = config.html_baseurl.rstrip("/") + "/" + edition.prefix
    options = dict(config.html_theme_options)
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if SWITCHER_TEMPLATE not in end:
        end.insert(0, SWITCHER_TEMPLATE)
    options["article_header_end"] = end
    config.html_theme_options = options
    if not edition.is_source:
        # The _config.yml's words for numbered figures and tables, in the edition's language.
        config.numfig_format = {
            **config.numfig_format,
            "figure": site_text(app, N_("Figure %s")),
            "table": site_text(app, N_("Table %s")),
        }


# The cells' show/hide buttons: MyST-NB's prompts with {type} filled in, and the chapters' own
# (a cell's ``mystnb: code_prompt_show``).
CELL_PROMPTS = (
    N_("Show code cell source"),
    N_("Hide code cell source"),
    N_("Show code cell output"),
    N_("Hide code cell output"),
    N_("Show code cell outputs"),
    N_("Hide code cell outputs"),
    N_("Show code cell content"),
    N_("Hide code cell content"),
    N_("Show the table of events"),
    N_("Hide the table of events"),
)


class TranslateTocCaptions(SphinxTransform):
    """The sidebar's part headings (the captions in ``_toc.yml``) in the page's language."""

    default_priority = 900

    def apply(self, **kwargs) -> None:
        from sphinx import addnodes

        if edition_of(self.app).is_source:
            return
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = site_text(self.app, toctree["caption"])


class TranslateCellPrompts(SphinxPostTransform):
    """Each show/hide button of a cell in the page's language."""

    default_priority = 200  # after MyST-NB's HideInputCells (199) has filled in {type}
    formats = ("html",)

    def run(self, **kwargs) -> None:
        from myst_nb.sphinx_ import HideCodeCellNode

        if edition_of(self.app).is_source:
            return
        for node in self.document.findall(HideCodeCellNode):
            for key in ("prompt_show", "prompt_hide"):
                node[key] = site_text(self.app, node[key])


# Typographic quotes for languages docutils' smart quotes do not know (it leaves "straight"
# quotes there): Indonesian prints the same quotation marks as English.
SMART_QUOTES = {"id": "“”‘’"}


def _smart_quotes(app: Sphinx) -> None:
    """Teach docutils the edition's quotation marks (Sphinx asks its table, not settings)."""
    from docutils.utils.smartquotes import smartchars

    language = app.config.language or SOURCE_LANGUAGE
    if language in SMART_QUOTES:
        smartchars.quotes.setdefault(language, SMART_QUOTES[language])


def _prefer_our_theme_catalogue(app: Sphinx) -> None:
    """Our ``booktheme.po`` first, sphinx-book-theme's own catalogue as the fallback."""
    from sphinx import locale

    language = app.config.language or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return
    for folder in app.config.locale_dirs:
        try:
            ours = gettext.translation(THEME_DOMAIN, str(Path(app.srcdir, folder)), [language])
        except OSError:
            continue
        theirs = locale.translators.get(("general", THEME_DOMAIN))
        if theirs is not None:
            ours.add_fallback(theirs)
        locale.translators[("general", THEME_DOMAIN)] = ours
        return


def _relative_root(pagename: str, edition: Edition) -> str:
    """From ``pagename`` of ``edition`` up to the site's root (where English is)."""
    return "../" * (pagename.count("/") + (0 if edition.is_source else 1))


def edition_links(app: Sphinx, pagename: str) -> list[dict]:
    """Each edition's copy of ``pagename``: language, own name, relative href, current?"""
    here = edition_of(app)
    up = _relative_root(pagename, here)
    return [
        {
            "language": edition.language,
            "name": edition.own_name,
            "prefix": edition.prefix,
            "href": f"{up}{edition.prefix}{pagename}.html",
            "current": edition == here,
        }
        for edition in editions(Path(app.srcdir))
    ]


def add_language_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """The switcher (every edition but this one) and the hreflang links in the head."""
    if app.builder.format != "html":
        return
    links = edition_links(app, pagename)
    if len(links) < 2:
        return
    site = repository.site_url()
    alternates = []
    for link in links:
        # Absolute where the site's address is known, as search engines want.
        href = f"{site}{link['prefix']}{pagename}.html" if site else link["href"]
        alternates.append(f'<link rel="alternate" hreflang="{link["language"]}" href="{href}">')
        if link["language"] == SOURCE_LANGUAGE:
            alternates.append(f'<link rel="alternate" hreflang="x-default" href="{href}">')
    context["metatags"] = context.get("metatags", "") + "\n".join(alternates) + "\n"
    context["fb_editions"] = [link for link in links if not link["current"]]
    context["fb_switcher_label"] = escape(site_text(app, "Read this page in another language"))


class RecordUntranslated(SphinxTransform):
    """After Sphinx's Locale transform (priority 20): note each message the page still shows
    in the source language because its catalogue has no (or only a fuzzy) translation."""

    default_priority = 21

    def apply(self, **kwargs) -> None:
        from sphinx.util.nodes import extract_messages

        language = self.config.language or SOURCE_LANGUAGE
        if language == SOURCE_LANGUAGE or self.app.builder.name == "gettext":
            return

        # The front matter (jupytext's and the kernel's settings) is never shown: MyST
        # leaves it as a field list at the document's top level, outside every section.
        def front_matter(node) -> bool:
            return any(
                isinstance(parent, nodes.docinfo)
                or isinstance(parent, nodes.field_list)
                and isinstance(parent.parent, nodes.document)
                for parent in _ancestors(node)
            )

        shown = [
            (node, message)
            for node, message in extract_messages(self.document)
            if not front_matter(node)
        ]
        missing = [
            {"line": node.line, "msgid": message}
            for node, message in shown
            if message.strip() and not node.get("translated")
        ]
        folder = Path(self.app.outdir).parent / "untranslated"
        target = folder / f"{self.env.docname}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(missing, ensure_ascii=False, indent=1), encoding="utf-8")


class RememberSource(SphinxTransform):
    """Before Sphinx's Locale transform (priority 20): each translatable paragraph, heading
    or caption keeps the English it had, for :class:`MarkEnglishQuotations`."""

    default_priority = 19

    def apply(self, **kwargs) -> None:
        from sphinx.util.nodes import extract_messages

        language = self.config.language or SOURCE_LANGUAGE
        if language == SOURCE_LANGUAGE or self.app.builder.name == "gettext":
            return
        for node, message in extract_messages(self.document):
            node[SOURCE_ATTRIBUTE] = message


SOURCE_ATTRIBUTE = "fb_source"


class english(nodes.inline):  # noqa: N801 (docutils names its node classes in lower case)
    """A passage a translation keeps in English: ``<span lang="en">``."""


def _visit_english(translator, node: english) -> None:
    translator.body.append(translator.starttag(node, "span", "", lang="en"))


def _depart_english(translator, node: english) -> None:
    translator.body.append("</span>")


class MarkEnglishQuotations(SphinxTransform):
    """After the quotation marks are typeset (docutils' smart quotes, priority 750): in a
    translated paragraph, each quotation that stands as it is in the English paragraph
    becomes an :class:`english` node."""

    default_priority = 760

    def apply(self, **kwargs) -> None:
        language = self.config.language or SOURCE_LANGUAGE
        if language == SOURCE_LANGUAGE or self.app.builder.name == "gettext":
            return
        for node in list(self.document.findall(nodes.Element)):
            source = node.get(SOURCE_ATTRIBUTE)
            if not source or not node.get("translated"):
                continue
            for text in list(node.findall(nodes.Text)):
                if any(isinstance(parent, _VERBATIM) for parent in _ancestors(text.parent)):
                    continue
                _mark(text, english_quotations(str(text), source))


# Never searched for quotations: code, maths and markup passed through as it is.
_VERBATIM = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.math, english)


def _mark(text: nodes.Text, spans: list[tuple[int, int]]) -> None:
    """Replace ``text`` by its pieces, each span of ``spans`` inside an :class:`english`."""
    if not spans:
        return
    content, pieces, end = str(text), [], 0
    for start, stop in spans:
        if start > end:
            pieces.append(nodes.Text(content[end:start]))
        pieces.append(english("", content[start:stop]))
        end = stop
    if end < len(content):
        pieces.append(nodes.Text(content[end:]))
    parent = text.parent
    index = parent.index(text)
    parent[index : index + 1] = pieces


def _ancestors(node):
    while node is not None:
        yield node
        node = node.parent


def untranslated(edition_dir: Path) -> dict[str, list[dict]]:
    """Docname -> the messages its page shows untranslated, from the last build."""
    folder = Path(edition_dir) / "untranslated"
    return {
        path.relative_to(folder).with_suffix("").as_posix(): json.loads(
            path.read_text(encoding="utf-8")
        )
        for path in sorted(folder.rglob("*.json"))
    }


def add_header_words(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Names the book's own header buttons show (``_templates/toggle-primary-sidebar.html``)
    that the theme's catalogue has no words for."""
    context["fb_chapters_label"] = site_text(app, "Chapters")


def register(app: Sphinx) -> None:
    app.connect("config-inited", _configure, priority=800)
    app.connect("builder-inited", _prefer_our_theme_catalogue)
    app.connect("builder-inited", _smart_quotes)
    app.add_transform(RecordUntranslated)
    app.add_transform(RememberSource)
    app.add_transform(MarkEnglishQuotations)
    app.add_post_transform(TranslateCellPrompts)
    app.add_transform(TranslateTocCaptions)
    app.add_node(english, html=(_visit_english, _depart_english))
    app.connect("html-page-context", add_language_links)
    app.connect("html-page-context", add_header_words)
    app.add_css_file("languages.css")
