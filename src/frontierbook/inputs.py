"""The one reader of each shared input file: ``data/datapackage.json`` and ``references.bib``.

Each is parsed once per process and read again only when the file changes (its size or
modification time), so a long-running Jupyter kernel sees an edited bibliography.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from frontierbook.paths import BIB_PATH, DATA_DIR


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def descriptor(data_dir: Path = DATA_DIR) -> dict:
    """The data package descriptor, ``data/datapackage.json``."""
    return _read_descriptor(*_stamp(Path(data_dir) / "datapackage.json"))


@lru_cache(maxsize=8)
def _read_descriptor(path: str, mtime_ns: int, size: int) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def bibliography(bib_path: Path = BIB_PATH) -> dict:
    """Citation key -> pybtex entry, in file order."""
    return _read_bibliography(*_stamp(Path(bib_path)))


@lru_cache(maxsize=8)
def _read_bibliography(path: str, mtime_ns: int, size: int) -> dict:
    from pybtex.database import parse_file

    return dict(parse_file(path, bib_format="bibtex").entries)


def bib_keys(bib_path: Path = BIB_PATH) -> tuple[str, ...]:
    """Citation keys defined in the bibliography, in file order."""
    return tuple(bibliography(bib_path))
