"""What a chapter's cached execution depends on, and whether the cache still holds a run of
exactly those inputs.

Jupyter Book reuses a cached execution while the chapter's code cells are unchanged; it
does not notice an edited CSV or bibliography. So every execution that :mod:`.execute`
stores in the Jupyter cache carries, in the same database row, the fingerprint of the
inputs it was run from. Every chapter executes against a snapshot of the sources taken when
the build starts (:func:`take_snapshot`), and the fingerprint hashes that snapshot, so a run
is recorded under the bytes it read even when a file is edited while the build runs:

- ``source``: the chapter's own text;
- ``tables``: the CSV bytes and schema of each table the chapter read, and the
  bibliography entries that its rows cite (recorded by :mod:`frontierbook.reads`);
- ``files``: any other file of the book it read (the scorecard reads chapters' headings);
- ``entries``: the bibliography entries whose fields it showed (a chart's source line);
- ``clock``: the build's year, when the chapter showed it;
- ``shared``: the package's code, the pinned requirements and the Python version (a run on
  3.11 says nothing about 3.12);
- ``language``: the edition the run drew (each edition has its own Jupyter cache), and for a
  translation, ``catalogue``: the hash of its ``frontierbook.po``, the strings the code
  draws, so an edited translation re-executes that edition's chapters and no other.

A chapter must execute unless the cache holds a run whose fingerprint equals the one its
inputs give now (:func:`stale_chapters`). A run and its fingerprint are one record, written
together, so no interruption or revert can pair a run with inputs it was not made from. An
edit to a bibliography entry that no chapter shows or cites executes nothing.

Separately, :func:`sources_digest` hashes everything the build reads, so the driver can skip
Sphinx altogether when nothing at all changed since the last successful build.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

from frontierbook.i18n import DOMAIN, SOURCE_LANGUAGE, catalogue_path
from frontierbook.inputs import SOURCE_FIELDS, bibliography, descriptor
from frontierbook.reads import PACKAGE, build_year
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
# Each kind of read (frontierbook.reads) and the fingerprint field that holds its hashes.
_READ_FIELDS = {"table": "tables", "file": "files", "entry": "entries", "clock": "clock"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    return _sha(path.read_bytes()) if path.is_file() else "missing"


def book_files(root: Path) -> Iterator[str]:
    """Every file of the book that a build may read, relative to ``root``, in a fixed order.
    A symbolic link is listed as itself (a link to a folder too), never followed."""
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        links = [d for d in dirnames if (here / d).is_symlink()]
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _NOT_BOOK_INPUTS and not d.endswith(".egg-info") and d not in links
        )
        names = filenames + [d for d in links if d not in _NOT_BOOK_INPUTS]
        for name in sorted(names):
            yield (here / name).relative_to(root).as_posix()


def _entry_sha(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    return _file_sha(path)


def file_hashes(root: Path) -> dict[str, str]:
    """Path -> hash of every file of :func:`book_files` (a link's target, for a link)."""
    return {name: _entry_sha(Path(root) / name) for name in book_files(root)}


def sources_digest(root: Path, year: int, hashes: dict[str, str] | None = None) -> str:
    """One hash of every file the build could read (``hashes``, if already taken), of the
    environment it reads, of the build's year and of the Python version."""
    hashes = file_hashes(root) if hashes is None else hashes
    digest = hashlib.sha256()
    for name, sha in hashes.items():
        digest.update(name.encode() + b"\0")
        digest.update(sha.encode())
    for name in _ENV_INPUTS:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    digest.update(f"year={year}\0".encode())
    digest.update(PYTHON_VERSION.encode())
    return digest.hexdigest()


def take_snapshot(root: Path, snapshot: Path) -> None:
    """Copy the book's sources (:func:`book_files`) to ``snapshot``: chapters execute there,
    Sphinx reads it, and the site's data and wheel come from it, so a file edited while the
    build runs changes none of them. Symbolic links are copied as links, so the checks on
    ``data/`` still see them."""
    root, snapshot = Path(root), Path(snapshot)
    shutil.rmtree(snapshot, ignore_errors=True)
    for name in book_files(root):
        source, copy = root / name, snapshot / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copyfile(source, copy)


def _cited_keys(path: Path) -> list[str]:
    """The bibliography keys in a table's source columns (``source``, ``counter_source``, ...:
    :data:`frontierbook.inputs.SOURCE_FIELDS`); none if it cannot be read: the table's own
    bytes are hashed anyway."""
    try:
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        rows = csv.DictReader(io.StringIO(text))
        return sorted({row.get(name) or "" for row in rows for name in SOURCE_FIELDS} - {""})
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


class Inputs:
    """Hashes of the book's inputs in ``root`` (the build's snapshot), each computed once."""

    def __init__(self, root: Path, year: int | None = None) -> None:
        self.root = Path(root)
        self.year = build_year() if year is None else year
        self._files: dict[str, str] = {}

    @cached_property
    def notebooks(self) -> dict[str, Path]:
        return notebook_sources(self.root)

    @cached_property
    def sources(self) -> dict[str, str]:
        """Docname -> hash of the chapter's text."""
        return {d: _file_sha(s) for d, s in self.notebooks.items()}

    @cached_property
    def entries(self) -> dict[str, str]:
        """Bibliography key -> hash of the entry's type, fields and people."""
        hashes: dict[str, str] = {}
        bib = self.root / "references.bib"
        if not bib.is_file():
            return hashes
        for key, entry in bibliography(bib).items():
            persons = {role: [str(p) for p in people] for role, people in entry.persons.items()}
            fields = sorted((k.lower(), v) for k, v in entry.fields.items())
            hashes[key] = _sha(json.dumps([entry.type.lower(), fields, persons]).encode())
        return hashes

    @cached_property
    def tables(self) -> dict[str, str]:
        """Table name -> hash of its CSV bytes, its schema and the entries its rows cite."""
        data = self.root / "data"
        hashes = {}
        for resource in descriptor(data)["resources"]:
            path = data / resource["path"]
            cited = {k: self.entries.get(k, "missing") for k in _cited_keys(path)}
            schema = json.dumps([resource, cited], sort_keys=True).encode()
            hashes[resource["name"]] = _sha(schema + _file_sha(path).encode())
        # Read by the chapter that lists every table (the data page).
        hashes[PACKAGE] = _file_sha(data / PACKAGE)
        return hashes

    @cached_property
    def shared(self) -> str:
        """What every chapter depends on: the package code, the pins and the Python
        version."""
        digest = hashlib.sha256(PYTHON_VERSION.encode() + b"\0")
        package = self.root / "src" / "frontierbook"
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        digest.update(b"requirements.txt\0" + _file_sha(self.root / "requirements.txt").encode())
        return digest.hexdigest()

    @cached_property
    def code_catalogues(self) -> dict[str, str]:
        """Language -> hash of its catalogue of the strings code draws (``frontierbook.po``)."""
        folder = self.root / "locales"
        if not folder.is_dir():
            return {}
        return {
            entry.name: _file_sha(catalogue_path(entry.name, DOMAIN, folder))
            for entry in sorted(folder.iterdir())
            if entry.is_dir()
        }

    def file(self, name: str) -> str:
        """Hash of one file of the book, by its path relative to the root (or absolute)."""
        if name not in self._files:
            self._files[name] = _file_sha(self.root / name)
        return self._files[name]

    def hash_all(self) -> None:
        """Hash every input now, so later edits cannot change what a run is recorded as."""
        for name in ("sources", "entries", "tables", "shared", "code_catalogues"):
            getattr(self, name)

    def fingerprint(
        self, docname: str, reads: dict[str, list[str]], language: str = SOURCE_LANGUAGE
    ) -> dict:
        """The fingerprint of a run of ``docname`` in ``language`` that read ``reads`` (kind
        -> names, as :func:`frontierbook.reads.logged_reads` gives them)."""
        current = {
            "table": lambda t: self.tables.get(t, "missing"),
            "file": self.file,
            "entry": lambda k: self.entries.get(k, "missing"),
            "clock": lambda name: str(self.year),
        }
        found: dict = {"source": self.sources[docname], "shared": self.shared}
        for kind, field in _READ_FIELDS.items():
            names = sorted(set(reads.get(kind, [])))
            if names or kind == "table":
                found[field] = {name: current[kind](name) for name in names}
        found["language"] = language
        if language != SOURCE_LANGUAGE:
            found["catalogue"] = self.code_catalogues.get(language, "missing")
        return found


def recorded_reads(fingerprint: dict) -> dict[str, list[str]]:
    """What the run behind a stored fingerprint read: kind -> names."""
    return {kind: list(fingerprint.get(field, {})) for kind, field in _READ_FIELDS.items()}


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
        or fp != inputs.fingerprint(docname, recorded_reads(fp), paths.language)
    ]


def forget_runs(paths: BuildPaths, inputs: Inputs, docnames: list[str]) -> None:
    """Remove the cached runs of ``docnames``, so they execute again at the next build."""
    cache = open_cache(paths)
    for docname in docnames:
        try:
            cache.remove_cache(
                cache.match_cache_notebook(read_notebook(inputs.notebooks[docname])).pk
            )
        except KeyError:
            continue


def cached_fingerprints(paths: BuildPaths) -> dict[str, dict]:
    """Docname -> the fingerprint stored with its cached run (for tests and reports)."""
    cache = open_cache(paths)
    found = {}
    for docname, source in notebook_sources(paths.root).items():
        fp = _cached_fingerprint(cache, read_notebook(source))
        if fp is not None:
            found[docname] = fp
    return found
