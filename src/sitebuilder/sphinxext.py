"""Sphinx extension for the book (listed under ``extra_extensions`` in ``_config.yml``).

It wires the book's page features into Sphinx's events; each feature lives in its own module:

- :mod:`.numbers`: ``{eval}`name``` in the prose shows the number a chapter published.
- :mod:`.bibliography`: what ``references.bib`` may hold, and the one style of its entries:
  titles' capitals kept, ``\\$`` shown as ``$``, each source's tier, the works' labels.
- :mod:`.citestyle`: in-text citations and bibliography labels are the works' one label.
- :mod:`.pages`: chart alt text copied from the SVG into ``<img alt>``; accessible tables;
  sources in tables linked to their bibliography entries.
- :mod:`.notebooks`: every chapter published as ``.ipynb``, its download link, Colab's button.
- :mod:`.repository`: the repository and launch buttons, from ``GITHUB_REPOSITORY``.
- :mod:`.mathml`: equations rendered to MathML at build time (no MathJax).
- :mod:`.icons`: the theme's icons from a subset of its icon font, without ``fontawesome.js``.
- :mod:`.chartimages`: chart ``<img>`` sized from the SVG, lazy below the fold.
- :mod:`.publish`: ``data/`` published, unused files pruned.
- :mod:`.translation`: each page's language switcher and hreflang links, the theme's and
  the builder's own strings in the page's language, what a translation still lacks.

Every module reads the book's sources from ``app.srcdir`` (the build's snapshot), never
from the checkout, so the pages, the data files and the wheel all come from the same bytes,
in every edition.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from sitebuilder import (
    bibliography,
    chartimages,
    citestyle,
    icons,
    mathml,
    notebooks,
    numbers,
    pages,
    publish,
    repository,
    speedups,
    translation,
)


def setup(app: Sphinx) -> dict:
    speedups.find_bibtex_backend_once()
    bibliography.register_style()
    app.add_config_value("frontierbook_wheels", "", "")
    numbers.register(app)
    citestyle.register(app)
    mathml.register(app)
    translation.register(app)
    app.connect("config-inited", repository.configure)
    app.connect("builder-inited", speedups.declare_parallel_safe)
    app.connect("doctree-resolved", pages.set_alt)
    app.connect("doctree-resolved", notebooks.add_notebook_link)
    app.connect("html-page-context", pages.fix_accessibility)
    app.connect("html-page-context", pages.link_citations)
    app.connect("html-page-context", chartimages.size_and_defer_charts)
    app.connect("html-page-context", chartimages.add_logo_size)
    app.connect("html-page-context", icons.add_template_helper)
    # After the theme has built its launch buttons (priority 501).
    app.connect("html-page-context", notebooks.colab_opens_the_generated_notebook, priority=600)
    app.connect("build-finished", publish.publish_files)
    app.connect("build-finished", icons.publish_light_icons)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
