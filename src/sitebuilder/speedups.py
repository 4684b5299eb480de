"""Speed-ups for third-party packages, each applied only to the version it was measured on.

A newer version may have fixed the slowness or changed what a patch touches, so a patch
whose package is at another version is skipped (the build is then slower, never wrong), and
``tests/test_speedups.py`` fails until someone re-measures it and updates the version here.
"""

from __future__ import annotations

import gc
import importlib.metadata
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# Package (as pip names it) -> the version each patch below was written and measured for.
PATCHED_VERSIONS = {
    "rfc3987-syntax": "1.1.0",
    "sphinx-jupyterbook-latex": "1.0.0",
    "sphinx-multitoc-numbering": "0.1.3",
    "pybtex": "0.26.1",
}


def _at_patched_version(package: str) -> bool:
    try:
        return importlib.metadata.version(package) == PATCHED_VERSIONS[package]
    except importlib.metadata.PackageNotFoundError:
        return False


def skip_rfc3987_syntax() -> None:
    """jsonschema (imported by Jupyter Book, nbformat and jupyter-cache) loads the optional
    rfc3987_syntax package when present, which compiles a grammar for 1.7 s in every
    process, only to check the "iri" string format. No schema in this build uses that
    format, so the build driver and its workers do without it."""
    if _at_patched_version("rfc3987-syntax"):
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def declare_parallel_safe(app: Sphinx) -> None:
    """Two extensions that Jupyter Book always loads do not declare parallel safety, so
    Sphinx would fall back to a serial build (with a warning, fatal under -W). Both are inert
    in an HTML build: sphinx_jupyterbook_latex only transforms LaTeX output, and
    sphinx_multitoc_numbering only renumbers sections once, in the main process, after
    reading. Neither keeps per-document state that a parallel read would lose."""
    if app.builder is not None and app.builder.format != "html":
        return
    for package in ("sphinx-jupyterbook-latex", "sphinx-multitoc-numbering"):
        name = package.replace("-", "_")
        extension = app.extensions.get(name)
        if (
            _at_patched_version(package)
            and extension is not None
            and extension.parallel_read_safe is None
        ):
            extension.parallel_read_safe = True


def find_bibtex_backend_once() -> None:
    """sphinxcontrib-bibtex asks pybtex for its plain-text backend at every citation, and
    pybtex answers by scanning every installed package's entry points (about 10 ms each, over
    a hundred citations). Registered once through pybtex's API for runtime plugins, which it
    consults first, the same class is found at once."""
    if not _at_patched_version("pybtex"):
        return
    import pybtex.plugin

    group, name = "pybtex.backends", "plaintext"
    pybtex.plugin.register_plugin(group, name, pybtex.plugin.find_plugin(group, name), force=True)


def skip_final_collection() -> None:
    """Call when everything is written and closed: freezing the heap spares the interpreter's
    last collection of everything Sphinx built (half a second at every build)."""
    gc.freeze()
