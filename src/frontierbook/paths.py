"""Where the book's files live, found from this package's own location.

Two layouts, so a chapter finds its data whatever the working directory:

- a repository checkout (the package installed in editable mode): the data folder is two
  levels above this file;
- the wheel that the downloadable notebooks install (on Colab, say): the build packs
  ``data/``, ``references.bib`` and the chapter sources into ``frontierbook/_book/``
  (see :mod:`sitebuilder.wheel`), so the installed notebook reads exactly the data that
  built the page it came from.
"""

from pathlib import Path

PACKAGED_BOOK_DIR = "_book"


def _book_root() -> Path:
    packaged = Path(__file__).resolve().parent / PACKAGED_BOOK_DIR
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


ROOT: Path = _book_root()
DATA_DIR: Path = ROOT / "data"
BIB_PATH: Path = ROOT / "references.bib"
