"""The build layer: from sources to ``_build/html``. Read the modules in this order:

- :mod:`.driver` (``python -m frontierbook.build``, what ``make book`` runs): decides which
  chapters must execute, executes them, runs Sphinx, and on any failure removes the HTML.
- :mod:`.fingerprint`: what a chapter's cached execution depends on, and the record of it.
- :mod:`.execute`: runs stale chapters in parallel into the Jupyter cache MyST-NB reads.
- :mod:`.toc`: the one reader of ``_toc.yml``.
- :mod:`.sphinxext`: the Sphinx extension (listed in ``_config.yml``); it wires one module
  per page feature into Sphinx's events (its docstring lists them): :mod:`.numbers`,
  :mod:`.pages`, :mod:`.notebooks`, :mod:`.repository`, :mod:`.mathml`, :mod:`.icons`,
  :mod:`.chartimages`, :mod:`.publish`, :mod:`.assets`, :mod:`.sourcelinks`,
  :mod:`.printing` and :mod:`.search`.
- Beside the build: :mod:`.wheel` (the package a downloaded notebook installs, built by
  :mod:`.notebooks`), :mod:`.pdf` (``make pdf``: the whole book printed from the built HTML)
  and :mod:`.linkcheck` (``make linkcheck``, weekly in CI).

The only link from a chapter's kernel back to the build is :mod:`frontierbook.reads`.
"""
