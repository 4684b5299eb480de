"""Numbers in the prose: ``{eval}`name``` shows the value a chapter published as ``name``.

A chapter publishes each number once, with :func:`frontierbook.text.glue_text`, which both
glues it (MyST-NB's mechanism: the value travels in the executed notebook, so the
data-aware cache keeps working) and binds ``name`` in the kernel. The prose names it once,
as ``{eval}`name```:

- in JupyterLab, jupyterlab-myst evaluates ``name`` in the kernel, so after Run All the
  prose shows the number, and it follows a changed parameter;
- in the book build, this role reads the glued value from the executed notebook (MyST-NB's
  own ``eval`` role would need a live kernel, which a cached build does not have).
"""

from __future__ import annotations

from myst_nb.ext.glue.roles import PasteRoleAny
from sphinx.application import Sphinx


class PublishedNumberRole(PasteRoleAny):
    """``{eval}`name```: the glued value ``name`` of this page's notebook."""


def register(app: Sphinx) -> None:
    # Replaces MyST-NB's kernel-evaluating `eval` role (registered before extensions load).
    app.add_role("eval", PublishedNumberRole(), override=True)
