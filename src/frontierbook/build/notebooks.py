"""Chapters as notebooks: the downloadable ``.ipynb``, its link on the page, and Colab's button."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from frontierbook.build.toc import is_notebook_source

NOTEBOOK_DIR = "_sources"  # where the theme's download button looks for <page>.ipynb
NOTEBOOK_BRANCH = "notebooks"  # the workflow publishes the generated notebooks there


def is_notebook(app: Sphinx, docname: str) -> bool:
    return is_notebook_source(Path(app.env.doc2path(docname)))


def add_notebook_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not is_notebook(app, docname):
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


def downloadable_notebook(source: Path, config) -> str:
    """The chapter as a plain .ipynb without outputs, with a first cell that installs the
    book's package and data when the notebook runs outside the repository (e.g. on Colab)."""
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    repository = config.html_theme_options.get("repository_url", "") or "<repository>"
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
    # nbformat gives new cells random ids; ids from position and text keep the file the
    # same from build to build, so a deploy rewrites it only when the chapter changed.
    for index, cell in enumerate(notebook.cells):
        cell.id = f"{index}-{hashlib.sha256(cell.source.encode()).hexdigest()[:8]}"
    return nbformat.writes(notebook)


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
