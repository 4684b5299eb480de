"""Sphinx extension for the book (listed under ``extra_extensions`` in ``_config.yml``).

It wires the book's page features into Sphinx's events; each feature lives in its own module:

- :mod:`.numbers`: ``{eval}`name``` in the prose shows the number a chapter published.
- :mod:`.pages`: chart alt text copied from the SVG into ``<img alt>``; accessible tables.
- :mod:`.notebooks`: every chapter published as ``.ipynb``, its download link, Colab's button.
- :mod:`.repository`: the repository and launch buttons, from ``GITHUB_REPOSITORY``, and
  ``{readme}`` links to the repository's README.
- :mod:`.mathml`: equations rendered to MathML at build time (no MathJax).
- :mod:`.icons`: the theme's icons from a subset of its icon font, without ``fontawesome.js``.
- :mod:`.chartimages`: chart ``<img>`` sized from the SVG, lazy below the fold.
- :mod:`.publish`: ``data/`` published, unused files pruned.
- :mod:`.assets`: each script and stylesheet included once per page.
- :mod:`.sourcelinks`: source keys in tables linked to their bibliography entries.
- :mod:`.printing`: a printed page lists the sources it cites, with their addresses.
- :mod:`.search`: the search index holds the prose, not code cells or tags.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from frontierbook.build import (
    assets,
    chartimages,
    icons,
    mathml,
    notebooks,
    numbers,
    pages,
    printing,
    publish,
    repository,
    search,
    sourcelinks,
)


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


def _find_bibtex_backend_once() -> None:
    """sphinxcontrib-bibtex asks pybtex for its plain-text backend at every citation, and
    pybtex answers by scanning every installed package's entry points (about 10 ms each, over
    a hundred citations). Registered once through pybtex's API for runtime plugins, which it
    consults first, the same class is found at once."""
    import pybtex.plugin

    group, name = "pybtex.backends", "plaintext"
    pybtex.plugin.register_plugin(group, name, pybtex.plugin.find_plugin(group, name), force=True)


def setup(app: Sphinx) -> dict:
    _find_bibtex_backend_once()
    search.register()
    numbers.register(app)
    mathml.register(app)
    app.connect("config-inited", repository.configure)
    app.add_role("readme", repository.readme_role)
    app.connect("builder-inited", lambda a: _declare_parallel_safe(a, a.config))
    app.connect("builder-inited", publish.check_inputs)
    app.connect("doctree-resolved", pages.set_alt)
    app.connect("doctree-resolved", notebooks.add_notebook_link)
    app.connect("html-page-context", pages.fix_accessibility)
    app.connect("html-page-context", sourcelinks.link_sources)
    app.connect("html-page-context", printing.add_print_sources)  # after the links are set
    app.connect("html-page-context", chartimages.size_and_defer_charts)
    app.connect("html-page-context", chartimages.add_logo_size)
    app.connect("html-page-context", icons.add_template_helper)
    # After the theme has built its launch buttons (priority 501).
    app.connect("html-page-context", notebooks.colab_opens_the_generated_notebook, priority=600)
    app.connect("html-page-context", printing.name_the_print_button, priority=600)
    # Last, after every extension has added its scripts to the page.
    app.connect("html-page-context", assets.include_each_asset_once, priority=900)
    app.connect("build-finished", publish.publish_files)
    app.connect("build-finished", icons.publish_light_icons)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
