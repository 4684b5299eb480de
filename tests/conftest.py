"""Shared fixtures: a scratch copy of the data, and one real build of the book per session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from frontierbook.paths import BIB_PATH, DATA_DIR, ROOT


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ with references.bib beside it, for corrupting."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    shutil.copy2(BIB_PATH, tmp_path / "references.bib")
    return target


def book_copy(tmp_path: Path) -> Path:
    """A copy of the book's sources that `make book` can build with the project's .venv."""
    target = tmp_path / "book"
    ignore = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", "*.egg-info")
    shutil.copytree(ROOT, target, ignore=ignore)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def make_book(book: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run `make book` in a copy; its own src/ comes first so its own data/ is read."""
    env = {**os.environ, "PYTHONPATH": str(book / "src")}
    return subprocess.run(
        ["make", "book"], cwd=book, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book as `make book` builds it from this checkout, built once per test session."""
    html = ROOT / "_build" / "html"
    result = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (html / "index.html").is_file()
    return html
