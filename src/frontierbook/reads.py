"""The one link from the chapters' code to the site builder: what a chapter read.

A chapter's cached execution is reused only while everything it read is unchanged, so
everything it reads goes through here. The builder's executor (:mod:`sitebuilder.execute`)
sets two environment variables before a chapter's kernel starts and reads the log when the
run ends; each ``record_*`` function appends one JSON line to the log they name. Outside the
executor neither is set and recording does nothing.

- ``FRONTIERBOOK_READS_LOG``: the path of the log (a JSON-lines file under ``_build/``).
- ``FRONTIERBOOK_DOC``: the docname of the chapter being executed (e.g. ``chapters/02_cost``).

What is recorded, one kind per line:

- ``table``: a table of ``data/`` (by :func:`frontierbook.data.load_table`), or
  ``datapackage.json`` when a chapter lists the tables;
- ``file``: any other file of the book, read with :func:`read_text` (the scorecard reads
  other chapters' headings), by its path relative to the book's root;
- ``entry``: a bibliography entry whose fields reached the output (a chart's source line);
- ``clock``: the build's year (the latest year a date in ``data/`` may have).

``FRONTIERBOOK_BUILD_YEAR``: the builder fixes the year once per build and names it here, so
every chapter of one build, and its fingerprint, use the same year (see :func:`build_year`).

Where valid tables are remembered (:func:`validated_dir`): the builder, and ``make lab``,
name a folder in ``FRONTIERBOOK_VALIDATED_DIR``; without it every load validates afresh.
Nothing here runs on import.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from frontierbook.paths import ROOT

READS_LOG_ENV = "FRONTIERBOOK_READS_LOG"
DOC_ENV = "FRONTIERBOOK_DOC"
VALIDATED_DIR_ENV = "FRONTIERBOOK_VALIDATED_DIR"
BUILD_YEAR_ENV = "FRONTIERBOOK_BUILD_YEAR"
# Recorded as a read by a chapter that lists the package's tables: a table added to
# datapackage.json must re-execute it.
PACKAGE = "datapackage.json"
KINDS = ("table", "file", "entry", "clock")


def _record(kind: str, name: str) -> None:
    log = os.environ.get(READS_LOG_ENV)
    doc = os.environ.get(DOC_ENV)
    if log and doc:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"doc": doc, kind: name}) + "\n")


def record_read(table: str) -> None:
    """Note that the chapter being executed read ``table`` (no-op outside a book build)."""
    _record("table", table)


def record_entry(key: str) -> None:
    """Note that the fields of bibliography entry ``key`` reached the chapter's output."""
    _record("entry", key)


def read_text(path: Path) -> str:
    """The text of one of the book's files, recorded as read by the chapter being executed."""
    path = Path(path)
    try:
        name = path.resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        name = str(path.resolve())
    _record("file", name)
    return path.read_text(encoding="utf-8")


def build_year() -> int:
    """The year of this build: fixed by the builder for a whole build, else today's."""
    fixed = os.environ.get(BUILD_YEAR_ENV, "").strip()
    return int(fixed) if fixed.isdigit() else dt.date.today().year


def record_year() -> int:
    """:func:`build_year`, recorded as read: a chapter that shows it depends on the clock."""
    _record("clock", "year")
    return build_year()


def logged_reads(log: Path) -> dict[str, list[str]]:
    """Kind -> names read, in first-read order, from a log written by the ``record_*``
    functions."""
    found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for kind in KINDS:
            if kind in record:
                found[kind][record[kind]] = None
    return {kind: list(names) for kind, names in found.items()}


def validated_dir() -> Path | None:
    """The folder where the loader remembers valid tables, if the builder named one."""
    folder = os.environ.get(VALIDATED_DIR_ENV)
    return Path(folder) if folder else None
