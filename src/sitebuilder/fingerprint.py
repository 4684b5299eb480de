"""What a chapter's cached execution depends on, and whether the cache still holds a run of
exactly those inputs.

Jupyter Book reuses a cached execution while the chapter's code cells are unchanged; it
does not notice an edited CSV or bibliography. So every execution that :mod:`.execute`
stores in the Jupyter cache carries, in the same database row, the fingerprint of the
inputs it was run from (hashed *before* the run starts):

- ``source``: the chapter's own text;
- ``tables``: the CSV bytes and schema of each table the chapter read (recorded by
  :mod:`frontierbook.reads` while it ran);
- ``shared``: the whole bibliography, the package's code, the pinned requirements and the
  Python version (a run on 3.11 says nothing about 3.12).

A chapter must execute unless the cache holds a run whose fingerprint equals the one its
inputs give now (:func:`stale_chapters`). A run and its fingerprint are one record, written
together, so no interruption or revert can pair a run with inputs it was not made from.

Separately, :func:`sources_digest` hashes everything the build reads, so the driver can skip
Sphinx altogether when nothing at all changed since the last successful build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from functools import cached_property
from pathlib import Path

from frontierbook.inputs import descriptor
from frontierbook.reads import PACKAGE
from sitebuilder.layout import BuildPaths
from sitebuilder.toc import notebook_sources

FINGERPRINT_KEY = "frontierbook_inputs"
# Never read by Sphinx, so never part of the published book.
_NOT_BOOK_INPUTS = {
    "_build",
    ".venv",
    ".git",
    "tests",
    "bench",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    ".github",
}
# Reach the pages through the Sphinx extension (repository buttons, site address).
_ENV_INPUTS = ("GITHUB_REPOSITORY", "BOOK_SITE_URL")
# The interpreter that builds and runs the chapters (make book PYTHON=...).
PYTHON_VERSION = "python-{}.{}".format(*sys.version_info[:2])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    return _sha(path.read_bytes()) if path.is_file() else "missing"


class Inputs:
    """Hashes of the book's inputs as they are now, each computed once (and, once computed,
    handed to the workers, so a run is fingerprinted with what it was started from)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @cached_property
    def notebooks(self) -> dict[str, Path]:
        return notebook_sources(self.root)

    @cached_property
    def sources(self) -> dict[str, str]:
        """Docname -> hash of the chapter's text."""
        return {d: _file_sha(s) for d, s in self.notebooks.items()}

    @cached_property
    def tables(self) -> dict[str, str]:
        """Table name -> hash of its CSV bytes and its schema."""
        data = self.root / "data"
        hashes = {}
        for resource in descriptor(data)["resources"]:
            schema = json.dumps(resource, sort_keys=True).encode()
            hashes[resource["name"]] = _sha(schema + _file_sha(data / resource["path"]).encode())
        # Read by the chapter that lists every table (the data page).
        hashes[PACKAGE] = _file_sha(data / PACKAGE)
        return hashes

    @cached_property
    def shared(self) -> str:
        """What every chapter depends on: the bibliography, the package code, the pins and
        the Python version."""
        digest = hashlib.sha256(PYTHON_VERSION.encode() + b"\0")
        package = self.root / "src" / "frontierbook"
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        for name in ("references.bib", "requirements.txt"):
            digest.update(name.encode() + b"\0" + _file_sha(self.root / name).encode())
        return digest.hexdigest()

    def hash_all(self) -> None:
        """Hash every input now, so later edits cannot change what a run is recorded as."""
        for name in ("sources", "tables", "shared"):
            getattr(self, name)

    def fingerprint(self, docname: str, tables_read: list[str]) -> dict:
        return {
            "source": self.sources[docname],
            "tables": {t: self.tables.get(t, "missing") for t in sorted(set(tables_read))},
            "shared": self.shared,
        }


def sources_digest(root: Path) -> str:
    """One hash of every file the build could read, and of the environment it reads."""
    root = Path(root)
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _NOT_BOOK_INPUTS and not d.endswith(".egg-info")
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(_file_sha(path).encode())
    for name in _ENV_INPUTS:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    digest.update(PYTHON_VERSION.encode())
    return digest.hexdigest()


def read_notebook(source: Path):
    """The chapter as MyST-NB reads it, so cache keys are the ones MyST-NB looks up."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = source.read_text(encoding="utf-8")
    reader = create_nb_reader(str(source), MdParserConfig(), NbParserConfig(), text)
    if reader is None:
        raise ValueError(f"{source} is not a MyST Markdown notebook")
    return reader.read(text)


def open_cache(paths: BuildPaths):
    from jupyter_cache import get_cache

    return get_cache(str(paths.jupyter_cache))


def _cached_fingerprint(cache, notebook) -> dict | None:
    """The fingerprint stored with the cached run of this notebook's code, if the run is whole."""
    try:
        record = cache.match_cache_notebook(notebook)
    except KeyError:
        return None
    try:
        # A run interrupted while being stored can leave a record without its notebook.
        cache.get_cache_bundle(record.pk)
    except Exception:
        cache.remove_cache(record.pk)
        return None
    return (record.data or {}).get(FINGERPRINT_KEY)


def stale_chapters(paths: BuildPaths, inputs: Inputs) -> list[str]:
    """The chapters whose cached run, if any, was not made from their inputs as they are now."""
    if not inputs.notebooks:
        return []
    try:
        cache = open_cache(paths)
        recorded = {
            d: _cached_fingerprint(cache, read_notebook(s)) for d, s in inputs.notebooks.items()
        }
    except Exception:
        # A cache damaged by a kill mid-write costs one full execution, never a stale page.
        shutil.rmtree(paths.jupyter_cache, ignore_errors=True)
        recorded = {}
    return [
        docname
        for docname in inputs.notebooks
        if (fp := recorded.get(docname)) is None
        or fp != inputs.fingerprint(docname, list(fp.get("tables", {})))
    ]


def cached_fingerprints(paths: BuildPaths) -> dict[str, dict]:
    """Docname -> the fingerprint stored with its cached run (for tests and reports)."""
    cache = open_cache(paths)
    found = {}
    for docname, source in notebook_sources(paths.root).items():
        fp = _cached_fingerprint(cache, read_notebook(source))
        if fp is not None:
            found[docname] = fp
    return found
