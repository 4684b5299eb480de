"""The one link from the data loader to the site builder: environment variables it sets.

Which tables a chapter read while it executed: the builder's executor
(:mod:`sitebuilder.execute`) sets two environment variables before a chapter's kernel starts
and reads the log when the run ends; :func:`record_read`, called by
:func:`frontierbook.data.load_table`, appends one JSON line per table read to the log they
name. Outside the executor neither is set and :func:`record_read` does nothing.

- ``FRONTIERBOOK_READS_LOG``: the path of the log (a JSON-lines file under ``_build/``).
- ``FRONTIERBOOK_DOC``: the docname of the chapter being executed (e.g. ``chapters/02_cost``).

Where valid tables are remembered (:func:`validated_dir`): the builder, and ``make lab``,
name a folder in ``FRONTIERBOOK_VALIDATED_DIR``; without it every load validates afresh.
Nothing here runs on import.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

READS_LOG_ENV = "FRONTIERBOOK_READS_LOG"
DOC_ENV = "FRONTIERBOOK_DOC"
VALIDATED_DIR_ENV = "FRONTIERBOOK_VALIDATED_DIR"
# Recorded as a read by a chapter that lists the package's tables: a table added to
# datapackage.json must re-execute it.
PACKAGE = "datapackage.json"


def record_read(table: str) -> None:
    """Note that the chapter being executed read ``table`` (no-op outside a book build)."""
    log = os.environ.get(READS_LOG_ENV)
    doc = os.environ.get(DOC_ENV)
    if log and doc:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"doc": doc, "table": table}) + "\n")


def validated_dir() -> Path | None:
    """The folder where the loader remembers valid tables, if the builder named one."""
    folder = os.environ.get(VALIDATED_DIR_ENV)
    return Path(folder) if folder else None
