"""Sphinx extension for the book (listed under ``extra_extensions`` in ``_config.yml``).

- Charts: copies each chart's alt text from its SVG (``<dc:description>``, written by
  ``style.svg_bytes``) into the page's ``<img alt>``, so alt text is written once, in code.
- Self-contained site: serves MathJax from ``_static`` (no CDN) and drops JS source maps.
- Reader features: every chapter is published as ``.ipynb`` (Colab cannot open MyST
  Markdown) with a download link on its page, and ``data/`` is published for download.
"""

from __future__ import annotations

import os
import re
import shutil
from html import unescape
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from frontierbook.incremental import DOC_ENV, is_notebook_source
from frontierbook.paths import DATA_DIR

_DESCRIPTION = re.compile(rb"<dc:description>(.*?)</dc:description>", re.S)
MATHJAX_PATH = "mathjax/tex-svg.js"
NOTEBOOK_DIR = "_sources"  # where the theme's download button looks for <page>.ipynb
NOTEBOOK_BRANCH = "notebooks"  # the workflow publishes the generated notebooks there


def svg_alt_text(svg: bytes) -> str | None:
    """The description stored in an SVG's metadata, if any."""
    match = _DESCRIPTION.search(svg)
    return unescape(match.group(1).decode("utf-8")).strip() if match else None


def mathjax_source() -> Path:
    """MathJax 3's self-contained TeX-to-SVG bundle, shipped on PyPI by sphinx-mathjax-offline."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("sphinx-mathjax-offline is not installed (see requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / MATHJAX_PATH


def _is_notebook(app: Sphinx, docname: str) -> bool:
    return is_notebook_source(Path(app.env.doc2path(docname)))


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


def _add_notebook_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not _is_notebook(app, docname):
        return
    depth = docname.count("/")
    href = "../" * depth + f"{NOTEBOOK_DIR}/{docname}.ipynb"
    link = (
        f'<p class="notebook-download"><a href="{href}" download>Download this chapter as a '
        "Jupyter notebook (.ipynb)</a> to rerun it in Jupyter or on Colab.</p>"
    )
    sections = list(doctree.findall(nodes.section))
    if sections:
        title = sections[0].next_node(nodes.title)
        index = sections[0].index(title) + 1 if title is not None else 0
        sections[0].insert(index, nodes.raw("", link, format="html"))


def _downloadable_notebook(source: Path, config) -> str:
    """The chapter as a plain .ipynb without outputs, with a first cell that installs the
    book's package and data when the notebook runs outside the repository (e.g. on Colab)."""
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    repository = config.html_theme_options.get("repository_url", "")
    setup = nbformat.v4.new_code_cell(
        "# Outside the book's repository (e.g. on Colab), fetch the book's package and data.\n"
        "import importlib.util, subprocess, sys\n"
        'if importlib.util.find_spec("frontierbook") is None:\n'
        f'    subprocess.run(["git", "clone", "--depth", "1", "{repository}", "book"],\n'
        "                   check=True)\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "book"],\n'
        "                   check=True)\n"
        '    sys.path.insert(0, "book/src")',
        metadata={"tags": ["remove-cell"]},
    )
    notebook.cells.insert(0, setup)
    notebook.metadata.pop("jupytext", None)
    return nbformat.writes(notebook)


def _publish_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    mathjax = out / "_static" / MATHJAX_PATH
    mathjax.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mathjax_source(), mathjax)
    # Unused weight: source maps are for debugging the theme's JavaScript; the theme's
    # translation catalogues are read at build time only; browsers that load these pages all
    # take the WOFF2 fonts, so the TrueType copies beside them are never fetched.
    for source_map in out.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(out / "_static" / "locales", ignore_errors=True)
    # Incremental builds add a new file for every redrawn chart; drop the ones no page shows.
    shown = {
        name
        for page in out.rglob("*.html")
        for name in re.findall(r"_images/([^\"'#?]+)", page.read_text(encoding="utf-8"))
    }
    for image in (out / "_images").glob("*"):
        if image.name not in shown:
            image.unlink()
    for font in (out / "_static").rglob("*.ttf"):
        if font.with_suffix(".woff2").exists():
            font.unlink()
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        if _is_notebook(app, docname):
            target = out / NOTEBOOK_DIR / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_downloadable_notebook(source, app.config), encoding="utf-8")
    shutil.copytree(DATA_DIR, out / "data", dirs_exist_ok=True)


def _fix_accessibility(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Scrollable tables get keyboard focus. And docutils marks the bibliography as
    role="list" whose items are not list items, which screen readers (and axe's
    aria-required-children rule) reject; without the roles it is announced correctly."""
    body = context.get("body")
    if body and 'class="table-wrapper"' in body:
        # On phones a wide table scrolls inside this box; keyboard users must be able to
        # reach it to scroll it (axe: scrollable-region-focusable).
        body = body.replace(
            '<div class="table-wrapper">',
            '<div class="table-wrapper" tabindex="0" role="region"'
            ' aria-label="Table (scrolls sideways)">',
        )
        context["body"] = body
    if body and 'class="citation-list"' in body:
        body = body.replace(
            '<div role="list" class="citation-list">', '<div class="citation-list">'
        )
        context["body"] = body.replace(' role="doc-biblioentry"', "")


def _colab_opens_the_generated_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """The theme points Colab at the chapter's .md in the repository, which Colab cannot
    open; point it at the .ipynb that the workflow publishes to the notebooks branch."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab" and button.get("url", "").endswith(".md"):
                url = re.sub(r"/blob/[^/]+/", f"/blob/{NOTEBOOK_BRANCH}/", button["url"], count=1)
                button["url"] = url[: -len(".md")] + ".ipynb"


def _use_local_mathjax(app: Sphinx, config) -> None:
    config.mathjax_path = MATHJAX_PATH


def _declare_parallel_safe(app: Sphinx, config) -> None:
    """Two extensions that Jupyter Book always loads do not declare parallel safety, so
    Sphinx would fall back to a serial build (with a warning, fatal under -W). Both are inert
    in an HTML build: sphinx_jupyterbook_latex only transforms LaTeX output, and
    sphinx_multitoc_numbering only renumbers sections once, in the main process, after
    reading. Neither keeps per-document state that a parallel read would lose."""
    if app.builder is not None and app.builder.format != "html":
        return
    for name in ("sphinx_jupyterbook_latex", "sphinx_multitoc_numbering"):
        if name in app.extensions and app.extensions[name].parallel_read_safe is None:
            app.extensions[name].parallel_read_safe = True


def _note_document(app: Sphinx, docname: str, source: list[str]) -> None:
    # A kernel started while this document is read inherits it, so the package can record
    # which tables the chapter loads (see frontierbook.incremental).
    os.environ[DOC_ENV] = docname


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _use_local_mathjax)
    app.connect("builder-inited", lambda a: _declare_parallel_safe(a, a.config))
    app.connect("source-read", _note_document)
    app.connect("doctree-resolved", _set_alt)
    app.connect("doctree-resolved", _add_notebook_link)
    app.connect("html-page-context", _fix_accessibility)
    # After the theme has built its launch buttons (priority 501).
    app.connect("html-page-context", _colab_opens_the_generated_notebook, priority=600)
    app.connect("build-finished", _publish_files)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
