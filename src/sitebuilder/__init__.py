"""The site builder: from the book's sources to ``_build/html``. It is not part of the
runtime package (:mod:`frontierbook`) that chapters import and readers install. Read the
modules in this order:

- :mod:`.driver` (``python -m sitebuilder``, what ``make book`` runs): decides which
  chapters must execute, executes them, runs Sphinx, and on any failure removes the HTML.
- :mod:`.layout`: where the sources are and where the build keeps its output and state.
- :mod:`.fingerprint`: what a chapter's cached execution depends on, and the record of it.
- :mod:`.execute`: validates the tables once, then runs stale chapters in parallel into the
  Jupyter cache MyST-NB reads.
- :mod:`.toc`: the one reader of ``_toc.yml``.
- :mod:`.sphinxext`: the Sphinx extension (listed in ``_config.yml``); it wires one module
  per page feature into Sphinx's events (its docstring lists them): :mod:`.numbers`,
  :mod:`.pages`, :mod:`.notebooks`, :mod:`.repository`, :mod:`.mathml`, :mod:`.icons`,
  :mod:`.chartimages`, :mod:`.publish`, :mod:`.assets`, :mod:`.printing`,
  :mod:`.search` and :mod:`.translation`.
- :mod:`.speedups`: patches for third-party slowness, each tied to the version it fixes.
- Beside the build: :mod:`.wheel` (the package a downloaded notebook installs, built by
  :mod:`.notebooks`), :mod:`.pdf` (``make pdf``: the whole book printed from the built
  HTML), :mod:`.linkcheck` (``make linkcheck``, weekly in CI),
  :mod:`.gallery` (``make gallery``) and :mod:`.pageweight` (what a page transfers).

The only link from a chapter's kernel back to the builder is :mod:`frontierbook.reads`.
"""
