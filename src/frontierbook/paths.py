"""Where the book's files live, found from this package's own location.

The package is installed in editable mode from the repository, so the data folder is two
levels above this file whatever the working directory of the notebook or the build.
"""

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = ROOT / "data"
BIB_PATH: Path = ROOT / "references.bib"
