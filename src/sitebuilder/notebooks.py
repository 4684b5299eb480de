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
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from frontierbook.paths import ROOT
from sitebuilder import repository, wheel
from sitebuilder.toc import is_notebook_source

NOTEBOOK_DIR = "_sources"  # where the theme's download button looks for <page>.ipynb
NOTEBOOK_BRANCH = "notebooks"  # the workflow publishes the generated notebooks there
WHEEL_DIR = "wheels"  # where the site publishes the package for the notebooks
LOCAL_SITE_URL = "http://127.0.0.1:8000/"  # `make serve`, for a build with no published site
SITE_URL_ENV = repository.SITE_URL_ENV

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
    kind = "page" if docname == app.config.root_doc else "chapter"
    link = (
        f'<p class="notebook-download"><a href="{href}" download>Download this {kind} as a '
        "Jupyter notebook (.ipynb)</a> to rerun it in Jupyter or on Colab.</p>"
    )
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

    def url(self, docname: str, anchor: str = "") -> str:
        return f"{self.site}{docname}.html" + (f"#{anchor}" if anchor else "")

    @classmethod
    def from_sphinx(cls, app: Sphinx, site: str) -> BookLinks:
        env = app.env
        std = env.domaindata["std"]
        links = cls(site=site)
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
        for citation in env.domaindata.get("cite", {}).get("citations", []):
            bibliography = citation.bibliography_key.docname
            links.citations[citation.key] = (bibliography, citation.citation_id)
        return links


def _escape_dollars(text: str) -> str:
    # Jupyter's Markdown reads $...$ as maths.
    return text.replace("$", r"\$")


def _citation(keys: str, links: BookLinks, narrative: bool) -> str:
    from frontierbook.citations import short_citation

    parts = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        docname, anchor = links.citations.get(key, ("chapters/bibliography", ""))
        # Text from references.bib: escaped, since Jupyter renders HTML in Markdown cells.
        parts.append(f"[{html.escape(short_citation(key))}]({links.url(docname, anchor)})")
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
            # A value can carry text from data/ ("90% CI ..."): escaped like the book's pages.
            return _escape_dollars(html.escape(numbers[body], quote=False))
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


def _resolve(docname: str, target: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))


def _install_cell(site: str, wheel_file: str, digest: str) -> str:
    return "\n".join(
        [
            "# Outside the book's repository (e.g. on Colab): install the package and the data",
            "# that built this page, from the book's site, checked by its SHA-256.",
            "import importlib, importlib.metadata, os, subprocess, sys",
            "",
            f'BOOK_VERSION = "{wheel_file.split("-")[1]}"',
            f'site = os.environ.get("{SITE_URL_ENV}", "{site}").rstrip("/") + "/"',
            "try:",
            '    installed = importlib.metadata.version("frontierbook")',
            "except importlib.metadata.PackageNotFoundError:",
            "    installed = None",
            "# A repository checkout (version without '+') keeps its own code and data.",
            'if installed is None or ("+" in installed and installed != BOOK_VERSION):',
            "    subprocess.run(",
            '        [sys.executable, "-m", "pip", "install", "--quiet",',
            f'         f"{{site}}{WHEEL_DIR}/{wheel_file}#sha256={digest}"],',
            "        check=True,",
            "    )",
            "    importlib.invalidate_caches()",
        ]
    )


def _note_cell(page_url: str) -> str:
    return (
        "*This notebook is generated from a chapter of the book* "
        f"([read it online]({page_url})). *The numbers in its text are the values the book "
        "was built with, at the default parameters; the code cells recompute everything, so "
        "after you change a parameter, the charts and the printed values follow.*"
    )


def downloadable_notebook(
    source: Path,
    docname: str,
    links: BookLinks,
    numbers: dict[str, str],
    wheel_file: str,
    wheel_digest: str,
) -> str:
    """The chapter as a plain .ipynb without outputs, in plain Markdown, with a first cell
    that installs the book's package and data when it runs outside the repository."""
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
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, links, numbers, docname)
    notebook.cells[:0] = [
        nbformat.v4.new_code_cell(
            _install_cell(links.site, wheel_file, wheel_digest),
            metadata={"tags": ["remove-cell"]},
        ),
        nbformat.v4.new_markdown_cell(_note_cell(links.url(docname))),
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
    """Write the wheel and every chapter's downloadable notebook into the built site."""
    site = repository.site_url() or LOCAL_SITE_URL
    cache = Path(app.outdir).parent / "wheels"
    built = wheel.build_wheel(ROOT, cache)
    wheel_dir = out / WHEEL_DIR
    shutil.rmtree(wheel_dir, ignore_errors=True)
    wheel_dir.mkdir(parents=True)
    shutil.copyfile(built, wheel_dir / built.name)
    digest = wheel.sha256(built)
    links = BookLinks.from_sphinx(app, site)
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
                url = re.sub(r"/blob/[^/]+/", f"/blob/{NOTEBOOK_BRANCH}/", button["url"], count=1)
                button["url"] = url[: -len(".md")] + ".ipynb"
