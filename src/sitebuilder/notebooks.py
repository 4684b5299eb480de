"""Chapters as notebooks: the downloadable ``.ipynb``, its link on the page, and Colab's button.

A downloaded chapter (or the one Colab opens) must run in a Python that has nothing but
Jupyter, on exactly the code and data that built its page. So the build publishes a wheel of
the package with the data inside (:mod:`.wheel`), named by a digest of its contents, and the
notebook's first cell pip-installs that file from the published site, checked by its SHA-256.
``BOOK_SITE_URL`` overrides the site's address when the notebook runs (the tests serve the
site on 127.0.0.1); a local build, which has no published site, points at ``make serve``'s
address.

Jupyter and Colab render plain Markdown, not MyST, so the notebook's prose is rewritten:
citations, glossary terms and cross-references become links into the published book, labels
are dropped, and each ``{eval}`name``` becomes the value the book was built with (a note at the
top says so; the code cells recompute everything).

A translated edition publishes its own notebooks: each paragraph, heading and glossary entry
of the Markdown cells is looked up in the page's catalogue, the one Sphinx translated the
page with (:func:`translated_markdown`), the numbers are the edition's, the links go to the
edition's pages, and the first cell sets ``FRONTIERBOOK_LANGUAGE``, so the charts the
notebook draws carry that language's labels. Every edition's notebooks install the same
wheel, published once at the site's root.

Text that comes from ``data/`` or ``references.bib`` (a published value, a citation) is
untrusted: it is written with :func:`markdown_text`, which backslash-escapes everything
Markdown, MyST and Jupyter's maths give a meaning to, so it shows as the text it is. A link
or an image written in a data cell stays text; a MyST role stays text too, which matters
because jupyterlab-myst sends ``{eval}`` expressions to the reader's kernel. This holds in
every edition: a translated notebook's numbers and citations are escaped the same way.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from frontierbook.i18n import LANGUAGE_ENV, SOURCE_LANGUAGE, translations
from sitebuilder import repository, wheel
from sitebuilder.layout import BuildPaths
from sitebuilder.toc import is_notebook_source, toc_docnames
from sitebuilder.translation import edition_of, site_text

NOTEBOOK_DIR = "_sources"  # where the theme's download button looks for <page>.ipynb
NOTEBOOK_BRANCH = "notebooks"  # the workflow publishes the generated notebooks there
WHEEL_DIR = "wheels"  # where the site publishes the package for the notebooks
CURRENT_WHEEL = "current.json"  # in WHEEL_DIR: the newest wheel's name and SHA-256
PUBLISHED_WHEELS = "published-wheels"  # beside the wheel cache (BuildPaths.published_wheels)
LOCAL_SITE_URL = "http://127.0.0.1:8000/"  # `make serve`, for a build with no published site
SITE_URL_ENV = repository.SITE_URL_ENV

# Every ASCII punctuation character that Markdown, MyST or Jupyter's maths give a meaning
# to (CommonMark lets a backslash escape any ASCII punctuation). Left as they are: , ; ? / ' "
# and the full stop and hyphen, except where they would start a list (at the start).
_MARKUP = frozenset("\\`*_{}[]()<>#+!|$~&:@%=^")
_LIST_MARKER = re.compile(r"^(\d+)\.(?=\s|$)|^-(?=\s|$)")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that shows exactly this text, on one line: no link, image, HTML,
    maths, MyST role or directive, block or entity can start inside it."""
    flat = " ".join(str(text).split())  # a line break could start a new block
    escaped = "".join(f"\\{c}" if c in _MARKUP else c for c in flat)
    return _LIST_MARKER.sub(lambda m: f"{m[1]}\\." if m[1] else "\\-", escaped)


_ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
_LABEL_LINE = re.compile(r"^\(([^()\s]+)\)=[ \t]*\n", re.MULTILINE)
_TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def is_notebook(app: Sphinx, docname: str) -> bool:
    return is_notebook_source(Path(app.env.doc2path(docname)))


def add_notebook_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not is_notebook(app, docname):
        return
    depth = docname.count("/")
    href = "../" * depth + f"{NOTEBOOK_DIR}/{docname}.ipynb"
    # The landing page is the book's opening, not one of its chapters.
    if docname == app.config.root_doc:
        words = site_text(
            app,
            "<a>Download this page as a Jupyter notebook (.ipynb)</a> to rerun it in Jupyter "
            "or on Colab.",
        )
    else:
        words = site_text(
            app,
            "<a>Download this chapter as a Jupyter notebook (.ipynb)</a> to rerun it in Jupyter "
            "or on Colab.",
        )
    opened = words.replace("<a>", f'<a href="{href}" download>', 1)
    link = f'<p class="notebook-download">{opened}</p>'
    sections = list(doctree.findall(nodes.section))
    if sections:
        title = sections[0].next_node(nodes.title)
        index = sections[0].index(title) + 1 if title is not None else 0
        sections[0].insert(index, nodes.raw("", link, format="html"))


@dataclass
class BookLinks:
    """What the rewritten prose links to: the published book's pages and anchors."""

    site: str
    labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # docname, id, title
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower term: docname, id
    figures: dict[str, str] = field(default_factory=dict)  # label: "Figure 4"
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: docname, id
    bib_path: Path | None = None  # the bibliography the citations are written from
    contents: list[tuple[str, str]] = field(default_factory=list)  # docname, title, in order

    def url(self, docname: str, anchor: str = "") -> str:
        return f"{self.site}{docname}.html" + (f"#{anchor}" if anchor else "")

    @classmethod
    def from_sphinx(cls, app: Sphinx, site: str) -> BookLinks:
        env = app.env
        std = env.domaindata["std"]
        links = cls(site=site, bib_path=Path(app.srcdir) / "references.bib")
        links.labels = {k: (d, i, str(t)) for k, (d, i, t) in std["labels"].items()}
        links.terms = {
            name.lower(): (docname, anchor)
            for (kind, name), (docname, anchor) in std["objects"].items()
            if kind == "term"
        }
        numfig = app.config.numfig_format.get("figure", "Figure %s")
        for kinds in env.toc_fignumbers.values():
            for label, number in kinds.get("figure", {}).items():
                links.figures[label] = numfig % ".".join(map(str, number))
        links.contents = [
            (docname, env.titles[docname].astext())
            for docname in toc_docnames(Path(app.srcdir))
            if docname in env.titles
        ]
        for citation in env.domaindata.get("cite", {}).get("citations", []):
            bibliography = citation.bibliography_key.docname
            links.citations[citation.key] = (bibliography, citation.citation_id)
        return links


def _citation(keys: str, links: BookLinks, narrative: bool) -> str:
    from frontierbook.citations import short_citation

    parts = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        docname, anchor = links.citations.get(key, ("chapters/bibliography", ""))
        label = short_citation(key, links.bib_path) if links.bib_path else short_citation(key)
        parts.append(f"[{markdown_text(label)}]({links.url(docname, anchor)})")
    return "; ".join(parts) if narrative else f"({'; '.join(parts)})"


def plain_markdown(text: str, links: BookLinks, numbers: dict[str, str], docname: str) -> str:
    """A Markdown cell's MyST rewritten as the Markdown that Jupyter and Colab render."""

    def role(match: re.Match) -> str:
        name, body = match.group("role"), match.group("body")
        titled = _TITLED.match(body)
        shown, target = (titled["text"], titled["target"]) if titled else (None, body)
        if name == "eval":
            if body not in numbers:
                raise KeyError(f"{docname}: no number named {body!r} was published")
            # A value can carry text from data/ ("90% CI ..."): shown as text, never markup.
            return markdown_text(numbers[body])
        if name in ("cite", "cite:p", "cite:ps"):
            return _citation(body, links, narrative=False)
        if name in ("cite:t", "cite:ts"):
            return _citation(body, links, narrative=True)
        if name == "term":
            page, anchor = links.terms.get(target.lower(), ("chapters/glossary", ""))
            return f"[{shown or target}]({links.url(page, anchor)})"
        if name in ("ref", "numref"):
            if target not in links.labels:
                raise KeyError(f"{docname}: unknown label {target!r}")
            page, anchor, title = links.labels[target]
            if name == "numref":
                number = links.figures.get(target, title)
                shown = shown.replace("{number}", number) if shown else number
            return f"[{shown or title}]({links.url(page, anchor)})"
        if name == "readme":
            shown, anchor = repository.readme_target(body)
            url = repository.readme_url(anchor)
            return f"[{shown}]({url})" if url else shown
        if name == "doc":
            page = target.lstrip("/") if target.startswith("/") else _resolve(docname, target)
            return f"[{shown or page}]({links.url(page)})"
        raise ValueError(f"{docname}: no plain Markdown for the {{{name}}} role")

    return _ROLE.sub(role, _LABEL_LINE.sub("", text))


_FENCE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
# A relative address in a Markdown link or an HTML attribute: resolved against the page's
# address on the site, since outside the site it points nowhere.
_RELATIVE_MD_LINK = re.compile(
    r"(?P<open>\]\()(?P<target>(?![a-z][a-z0-9+.-]*:|#|/)[^)\s]+)(?=[)\s])"
)
_RELATIVE_ATTRIBUTE = re.compile(
    r"(?P<open>\b(?:href|src)=\")(?P<target>(?![a-z][a-z0-9+.-]*:|#|/)[^\"]+)(?=\")"
)


def _glossary_markdown(body: str) -> str:
    """A glossary directive's entries as plain Markdown: each term in bold, its definition
    as the paragraphs under it."""
    entries: list[str] = []
    for line in body.split("\n"):
        if line.strip() and not line[0].isspace():
            entries.append(f"**{line.strip()}**\n\n")
        elif entries:
            entries[-1] += line.strip() + "\n" if line.strip() else "\n"
    return "\n".join(entry.rstrip("\n") + "\n" for entry in entries)


def site_markdown(text: str, links: BookLinks, docname: str) -> str:
    """Markdown with the directives only the book renders replaced: a glossary is written
    out, a table of contents becomes links to the pages, and anything else (the numbers
    list) becomes a link to where the book shows it; relative links point at the site."""
    from urllib.parse import urljoin

    def directive(match: re.Match) -> str:
        name, body = match["name"], match["body"]
        if name == "glossary":
            return _glossary_markdown(body)
        if name == "tableofcontents":
            return "\n".join(
                f"- [{markdown_text(title)}]({links.url(page)})"
                for page, title in links.contents
                if page != docname
            )
        if name in ("code-cell", "math"):
            return match[0]
        # The book renders it (the list of numbers): link to where it does, by its section's
        # title when a label names it.
        page, anchor, title = links.labels.get(name, (docname, name, links.url(docname, name)))
        return f"[{markdown_text(title)}]({links.url(page, anchor)})"

    page = links.url(docname)
    text = _FENCE.sub(directive, text)

    def absolute(match: re.Match) -> str:
        return match["open"] + urljoin(page, match["target"])

    text = _RELATIVE_MD_LINK.sub(absolute, text)
    return _RELATIVE_ATTRIBUTE.sub(absolute, text)


def _resolve(docname: str, target: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))


def _install_cell(site: str, wheel_file: str, digest: str, language: str) -> str:
    chosen = (
        []
        if language == SOURCE_LANGUAGE
        else [
            f"# This notebook is the {language!r} edition's: its charts and numbers say so.",
            f'os.environ["{LANGUAGE_ENV}"] = "{language}"',
        ]
    )
    return "\n".join(
        [
            "# Outside the book's repository (e.g. on Colab): install the package and the data",
            "# that built this page, from the book's site, checked by its SHA-256.",
            "import importlib, importlib.metadata, os, subprocess, sys",
            "",
            *chosen,
            f'BOOK_VERSION = "{wheel_file.split("-")[1]}"',
            f'site = os.environ.get("{SITE_URL_ENV}", "{site}").rstrip("/") + "/"',
            "try:",
            '    installed = importlib.metadata.version("frontierbook")',
            "except importlib.metadata.PackageNotFoundError:",
            "    installed = None",
            "# A repository checkout (version without '+') keeps its own code and data.",
            'pip = [sys.executable, "-m", "pip", "install", "--quiet"]',
            'if installed is None or ("+" in installed and installed != BOOK_VERSION):',
            f'    wheels = f"{{site}}{WHEEL_DIR}/"',
            f'    pinned = f"{{site}}{WHEEL_DIR}/{wheel_file}#sha256={digest}"',
            "    if subprocess.run([*pip, pinned], capture_output=True).returncode != 0:",
            "        # This notebook's wheel is gone from the site: install the current one.",
            "        import json, urllib.request",
            "",
            f'        with urllib.request.urlopen(f"{{wheels}}{CURRENT_WHEEL}") as answer:',
            "            current = json.load(answer)",
            "        name, digest = current['wheel'], current['sha256']",
            '        subprocess.run([*pip, f"{wheels}{name}#sha256={digest}"], check=True)',
            "        print(",
            '            "Note: the book\'s data has changed since this notebook was saved. "',
            '            f"Its own version ({BOOK_VERSION}) is no longer published, so the "',
            "            f\"current one ({name.split('-')[1]}) is installed: the code computes \"",
            '            "from the current data, and the numbers in the text may differ."',
            "        )",
            "    importlib.invalidate_caches()",
        ]
    )


def _note_cell(app: Sphinx, page_url: str) -> str:
    words = site_text(
        app,
        "*This notebook is generated from a chapter of the book* ([read it online]({url})). "
        "*The numbers in its text are the values the book was built with, at the default "
        "parameters; the code cells recompute everything, so after you change a parameter, "
        "the charts and the printed values follow.*",
    )
    return words.replace("{url}", page_url)


def _markdown_parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    extensions = {"colon_fence", "deflist", "dollarmath", "amsmath", "substitution"}
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


# Directives whose body is Markdown prose, translated like the cell around it.
_PROSE_DIRECTIVES = {
    "note",
    "tip",
    "important",
    "warning",
    "caution",
    "attention",
    "seealso",
    "admonition",
    "hint",
    "epigraph",
    "dropdown",
}


def _message(text: str) -> str:
    """A block's text as Sphinx's gettext builder writes its msgid."""
    return text.replace("\n", " ").strip()


def translated_markdown(text: str, catalogue: dict[str, str], parser=None) -> str:
    """MyST Markdown with each paragraph, heading and glossary entry replaced by its
    translation in ``catalogue`` (msgid -> msgstr); anything untranslated stays as it is."""
    parser = parser or _markdown_parser()
    lines = text.split("\n")
    replaced: list[tuple[int, int, list[str]]] = []
    for token in parser.parse(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "inline":
            translation = catalogue.get(_message(token.content))
            if translation:
                first = token.content.split("\n", 1)[0]
                at = lines[start].find(first)
                prefix = lines[start][:at] if at >= 0 else ""
                replaced.append((start, end, [prefix + translation]))
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name = token.info.strip()[1:].split("}", 1)[0]
            body = lines[start + 1 : end - 1]
            if name == "glossary":
                replaced.append((start + 1, end - 1, _translated_glossary(body, catalogue)))
            elif name in _PROSE_DIRECTIVES:
                options = 0
                while options < len(body) and body[options].startswith(":"):
                    options += 1
                inner = translated_markdown("\n".join(body[options:]), catalogue, parser)
                replaced.append((start + 1 + options, end - 1, inner.split("\n")))
    for start, end, new in sorted(replaced, reverse=True):
        lines[start:end] = new
    return "\n".join(lines)


def _translated_glossary(body: list[str], catalogue: dict[str, str]) -> list[str]:
    """A glossary's terms (unindented lines) and definitions (indented paragraphs)."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            indent = paragraph[0][: len(paragraph[0]) - len(paragraph[0].lstrip())]
            message = " ".join(line.strip() for line in paragraph)
            translation = catalogue.get(message)
            out.extend([indent + translation] if translation else paragraph)
            paragraph.clear()

    for line in body:
        if not line.strip():
            flush()
            out.append(line)
        elif line[0].isspace():
            paragraph.append(line)
        else:
            flush()
            out.append(catalogue.get(line.strip(), line))
    flush()
    return out


def downloadable_notebook(
    source: Path,
    docname: str,
    links: BookLinks,
    numbers: dict[str, str],
    wheel_file: str,
    wheel_digest: str,
    *,
    site: str | None = None,
    language: str = SOURCE_LANGUAGE,
    note: str | None = None,
    locales: Path | None = None,
) -> str:
    """The chapter as a plain .ipynb without outputs, in plain Markdown, with a first cell
    that installs the book's package and data when it runs outside the repository (from
    ``site``, the site's root, by default the edition's own ``links.site``). In another
    ``language`` the Markdown is translated through the page's catalogue (in ``locales``, by
    default the book's own) and the first cell sets that language; ``note`` replaces the
    English note that heads the notebook."""
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    # A Markdown cell the book removes speaks to readers of the source in Jupyter (run all
    # cells first); this notebook's text already shows the numbers.
    notebook.cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type != "markdown" or "remove-cell" not in cell.metadata.get("tags", [])
    ]
    catalogue = {
        msgid: text for (context, msgid), text in translations(language, docname, locales).items()
    }
    parser = _markdown_parser() if catalogue else None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            text = translated_markdown(cell.source, catalogue, parser) if catalogue else cell.source
            cell.source = site_markdown(
                plain_markdown(text, links, numbers, docname), links, docname
            )
    heading = note or (
        "*This notebook is generated from a chapter of the book* "
        f"([read it online]({links.url(docname)})). *The numbers in its text are the values "
        "the book was built with, at the default parameters; the code cells recompute "
        "everything, so after you change a parameter, the charts and the printed values "
        "follow.*"
    )
    notebook.cells[:0] = [
        nbformat.v4.new_code_cell(
            _install_cell(site or links.site, wheel_file, wheel_digest, language),
            metadata={"tags": ["remove-cell"]},
        ),
        nbformat.v4.new_markdown_cell(heading),
    ]
    # Stable ids, so an unchanged chapter gives a byte-identical notebook.
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    notebook.metadata.pop("jupytext", None)
    return nbformat.writes(notebook)


def glued_numbers(app: Sphinx, docname: str) -> dict[str, str]:
    """The text of every number ``docname`` published, as MyST-NB saved it at execution."""
    path = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.glue.json"
    if not path.is_file():
        return {}
    glue = json.loads(path.read_text(encoding="utf-8"))
    return {name: output["data"].get("text/plain", "") for name, output in glue.items()}


def publish_notebooks(app: Sphinx, out: Path) -> None:
    """Write the wheel (from the English edition, at the site's root) and every chapter's
    downloadable notebook into the built site."""
    site = repository.site_url() or LOCAL_SITE_URL
    edition = edition_of(app)
    # Built by the driver from the snapshot (app.srcdir) before Sphinx started; kept between
    # builds in the checkout's _build/wheels (sitebuilder.layout: wheels).
    cache = Path(app.config.frontierbook_wheels or BuildPaths(Path(app.srcdir)).wheels)
    built = wheel.build_wheel(Path(app.srcdir), cache)
    digest = wheel.sha256(built)
    if edition.is_source:
        wheel_dir = out / WHEEL_DIR
        shutil.rmtree(wheel_dir, ignore_errors=True)
        wheel_dir.mkdir(parents=True)
        # Every wheel published before stays: a saved notebook installs its own by name.
        for kept in wheel.keep_published(built, cache.with_name(PUBLISHED_WHEELS)):
            shutil.copyfile(kept, wheel_dir / kept.name)
        current = {"wheel": built.name, "sha256": digest}
        (wheel_dir / CURRENT_WHEEL).write_text(json.dumps(current) + "\n", encoding="utf-8")
    links = BookLinks.from_sphinx(app, site + edition.prefix)
    for docname in sorted(app.env.found_docs):
        if not is_notebook(app, docname):
            continue
        target = out / NOTEBOOK_DIR / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = downloadable_notebook(
            Path(app.env.doc2path(docname)),
            docname,
            links,
            glued_numbers(app, docname),
            built.name,
            digest,
            site=site,
            language=edition.language,
            note=_note_cell(app, links.url(docname)),
            locales=Path(app.srcdir) / "locales",
        )
        target.write_text(notebook, encoding="utf-8")


def colab_opens_the_generated_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """The theme points Colab at the chapter's .md in the repository, which Colab cannot
    open; point it at the .ipynb that the workflow publishes to the notebooks branch."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab" and button.get("url", "").endswith(".md"):
                # The branch holds each edition's notebooks under its prefix ('id/...').
                branch = f"/blob/{NOTEBOOK_BRANCH}/{edition_of(app).prefix}"
                url = re.sub(r"/blob/[^/]+/", branch, button["url"], count=1)
                button["url"] = url[: -len(".md")] + ".ipynb"
