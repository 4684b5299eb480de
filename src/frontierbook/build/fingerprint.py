"""Data-aware incremental builds.

Jupyter Book re-executes a chapter only when Sphinx re-reads it (its source file is newer
than the last build) and, in cache mode, only when its code cells changed. Neither notices
an edited CSV, so on their own they keep stale charts. This module closes the gap:

- While a chapter executes, the package records which tables it loads
  (:mod:`frontierbook.reads`).
- Before a build, ``prepare`` fingerprints each chapter's inputs: its own source, the CSV
  and schema of every table it read last time, the bibliography, and the package's
  code. A chapter whose fingerprint changed has its cached execution dropped and its source
  touched, so Sphinx re-reads it and MyST-NB re-executes it. Every other chapter is reused.
- After a successful build, ``record`` stores the new fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from frontierbook.build.toc import is_notebook_source, toc_docnames
from frontierbook.inputs import descriptor
from frontierbook.reads import PACKAGE


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    return _sha(path.read_bytes()) if path.is_file() else "missing"


class Book:
    """The files of one book checkout and its build folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.build = self.root / "_build"
        self.state = self.build / ".frontierbook"
        self.manifest_path = self.state / "inputs.json"
        self.deps_log = self.state / "reads.jsonl"
        self.cache = self.build / ".jupyter_cache"

    def notebooks(self) -> dict[str, Path]:
        """Docname -> source for every page in the table of contents that executes code."""
        sources = {d: self.root / f"{d}.md" for d in toc_docnames(self.root)}
        return {d: s for d, s in sources.items() if s.is_file() and is_notebook_source(s)}

    def package_sha(self) -> str:
        package = self.root / "src" / "frontierbook"
        digest = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def table_sha(self, table: str) -> str:
        """The table's CSV and its schema: what validation and the chapter see of it."""
        if table == PACKAGE:  # a chapter that lists every table (the data page)
            return _file_sha(self.root / "data" / PACKAGE)
        for resource in descriptor(self.root / "data")["resources"]:
            if resource["name"] == table:
                schema = json.dumps(resource, sort_keys=True).encode()
                return _sha(schema + _file_sha(self.root / "data" / resource["path"]).encode())
        return "missing"

    def bib_sha(self) -> str:
        # The whole file: chart source lines and hover texts print authors, years and titles.
        return _file_sha(self.root / "references.bib")

    def fingerprint(self, docname: str, tables: list[str], shared: dict[str, str]) -> dict:
        return {
            "source": _file_sha(self.notebooks()[docname]),
            "tables": {t: self.table_sha(t) for t in sorted(tables)},
            **shared,
        }

    def shared_inputs(self) -> dict[str, str]:
        return {"package": self.package_sha(), "bib": self.bib_sha()}

    def load_manifest(self) -> dict:
        if self.manifest_path.is_file():
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return {}

    def forget(self) -> None:
        """Drop all recorded state, so the next build executes every chapter."""
        if self.manifest_path.is_file():
            self.manifest_path.unlink()


def _drop_cached_execution(book: Book, sources: list[Path]) -> None:
    from jupyter_cache import get_cache

    # Creating the cache's database here, before Sphinx forks its parallel readers, stops
    # them racing to create it ("table settings already exists").
    cache = get_cache(str(book.cache))
    wanted = {str(s.resolve()) for s in sources}
    for record in cache.list_cache_records():
        if str(Path(record.uri).resolve()) in wanted:
            cache.remove_cache(record.pk)


def prepare(root: Path) -> list[str]:
    """Mark the chapters whose inputs changed for re-execution; return their docnames."""
    book = Book(root)
    manifest = book.load_manifest()
    shared = book.shared_inputs()
    stale = []
    for docname in book.notebooks():
        previous = manifest.get(docname)
        tables = list(previous["tables"]) if previous else []
        recorded = {k: v for k, v in (previous or {}).items() if k != "seconds"}
        if previous is None or recorded != book.fingerprint(docname, tables, shared):
            stale.append(docname)
    notebooks = book.notebooks()
    _drop_cached_execution(book, [notebooks[d] for d in stale])
    now = time.time()
    for docname in stale:
        # Newer than the last read, so Sphinx re-reads (and MyST-NB re-executes) the page.
        os.utime(notebooks[docname], (now, now))
    book.state.mkdir(parents=True, exist_ok=True)
    book.deps_log.write_text("", encoding="utf-8")
    return stale


def executed_reads(root: Path) -> dict[str, list[str]]:
    """Docname -> tables read, for every chapter executed in the last build."""
    book = Book(root)
    reads: dict[str, set[str]] = {}
    if book.deps_log.is_file():
        for line in book.deps_log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            reads.setdefault(entry["doc"], set())
            if entry.get("table"):
                reads[entry["doc"]].add(entry["table"])
    return {doc: sorted(tables) for doc, tables in reads.items()}


def record(root: Path, seconds: dict[str, float] | None = None) -> dict[str, list[str]]:
    """After a successful build, store fingerprints (and execution times, which order the
    next build's work) for the chapters it executed."""
    book = Book(root)
    manifest = book.load_manifest()
    shared = book.shared_inputs()
    reads = executed_reads(root)
    for docname in seconds or {}:
        reads.setdefault(docname, [])
    for docname, tables in reads.items():
        manifest[docname] = book.fingerprint(docname, tables, shared)
        if seconds and docname in seconds:
            manifest[docname]["seconds"] = round(seconds[docname], 2)
    book.state.mkdir(parents=True, exist_ok=True)
    book.manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
    return reads
