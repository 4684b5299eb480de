"""Shared fixtures and the two kinds of test.

- Unit tests (the default): no book build, no browser; ``make test-fast`` runs only these.
- Build tests, marked ``build``: anything that builds the book, reads the built book or
  starts a kernel.
  A test that takes the ``built_book`` fixture is marked automatically. ``built_book`` builds
  a copy of this checkout's sources (``_build/test-book``, kept between runs with its own
  cache) once per run, as ``make pdf`` builds it (the book in every edition, then the
  English book's PDF, linked from its pages), and is shared, read-only, by every test that
  only reads the output (pages, browser, publishing, the PDF). The tests never read or write
  this checkout's own ``_build/html``, so a ``make book`` run while they run changes nothing
  they see. A test that must edit sources or break a build works in ``book_copy``
  (optionally warm: with the session build's Jupyter cache, so it executes only what it
  changes) and runs the driver there with ``build_in``.
- ``make test`` runs two pytest-xdist workers, each a session of its own: the first to need
  the book builds it, the other waits for it and finds nothing left to build.
"""

from __future__ import annotations

import fcntl
import filecmp
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontierbook.paths import BIB_PATH, DATA_DIR, ROOT
from sitebuilder.editions import editions
from sitebuilder.fingerprint import book_files
from sitebuilder.layout import BuildPaths
from sitebuilder.pageweight import CHROMIUM_ARGS
from tests.fixture_tables import FIXTURE_PACKAGE

# The book the tests build and read: a copy of this checkout's sources with a _build of its
# own, kept between test runs so its cache stays warm.
TEST_BOOK = BuildPaths(ROOT).build_dir / "test-book"

BUILD_FIXTURES = {"built_book", "warm_book"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "build: builds the book, reads the built book or starts kernels (slow)"
    )


# The modules that take tens of seconds, longest first. `make test` hands whole modules to
# its two workers in collection order (--dist loadscope --no-loadscope-reorder), so starting
# with these keeps one worker from being left with a long module at the end.
LONGEST_MODULES = [
    "test_whatif.py",
    "test_reliability.py",
    "test_pythons.py",
    "test_rerun.py",
    "test_build.py",
    "test_diff.py",
    "test_browser.py",
    "test_page_weight.py",
    "test_site_safety.py",
    "test_provenance.py",
]


def _module_order(item: pytest.Item) -> int:
    name = item.path.name
    return LONGEST_MODULES.index(name) if name in LONGEST_MODULES else len(LONGEST_MODULES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)
    items.sort(key=_module_order)  # stable: each module keeps its own order


@pytest.fixture
def fixture_data(tmp_path: Path) -> Path:
    """A writable copy of the fixture package: three tiny invented tables in data/ and
    references.bib beside it, laid out like the repository so messages read 'data/models.csv'.
    Loader tests corrupt these, so an editor's fix to a real row never breaks them."""
    shutil.copytree(FIXTURE_PACKAGE, tmp_path, dirs_exist_ok=True)
    return tmp_path / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the book's own data/ with references.bib beside it, for tests
    about the real package (publishing it, adding a table to it); corrupt fixture_data."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    shutil.copy2(BIB_PATH, tmp_path / "references.bib")
    return target


def book_copy(tmp_path: Path, warm_from: Path | None = None) -> Path:
    """A copy of the book's sources that the build can run in with the project's .venv.
    ``warm_from``: a built checkout whose Jupyter caches (one per edition) the copy starts
    with."""
    target = tmp_path / "book"
    ignore = shutil.ignore_patterns(
        ".venv", "_build", ".git", "__pycache__", "*.egg-info", ".*_cache"
    )
    shutil.copytree(ROOT, target, ignore=ignore)
    (target / ".venv").symlink_to(ROOT / ".venv")
    if warm_from is not None:
        # Every edition's cache: _build/.jupyter_cache, _build/<language>/.jupyter_cache.
        for edition in editions(ROOT):
            cache = BuildPaths(Path(warm_from), edition.language).jupyter_cache
            if cache.is_dir():
                copy = BuildPaths(target, edition.language).jupyter_cache
                shutil.copytree(cache, copy)
    return target


def build_env(book: Path) -> dict[str, str]:
    """The environment `make book` gives the driver, for a copy: its own src/ comes first
    so its own data/ is read."""
    venv = ROOT / ".venv"
    return {
        **os.environ,
        "PYTHONPATH": str(book / "src"),
        "JUPYTER_DATA_DIR": str(venv / "share" / "jupyter"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def build_command(*args: str) -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "python"), "-m", "sitebuilder", *args]


def build_in(book: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run the build driver (what `make book` runs) in a copy."""
    return subprocess.run(
        build_command(*args),
        cwd=book,
        env=build_env(book),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pdf_in(book: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Print a copy's built book to its PDF (what `make pdf` runs after `make book`)."""
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "sitebuilder.pdf"],
        cwd=book,
        env=build_env(book),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def make_book(
    book: Path, timeout: int = 900, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `make book` in a copy."""
    return subprocess.run(
        ["make", "book"],
        cwd=book,
        env={**build_env(book), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sync_sources(book: Path) -> None:
    """Make ``book``'s sources byte-for-byte this checkout's, keeping its ``_build``."""
    wanted = set(book_files(ROOT))
    present = set(book_files(book)) if book.is_dir() else set()
    for name in present - wanted:
        (book / name).unlink()
    for name in sorted(wanted):
        source, copy = ROOT / name, book / name
        if source.is_symlink() or copy.is_symlink():
            continue  # the book's own sources hold no links; a test's copy may
        if name not in present or not filecmp.cmp(source, copy, shallow=False):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    if not (book / ".venv").exists():
        (book / ".venv").symlink_to(ROOT / ".venv")


def _seed_cache(book: Path) -> None:
    """Start each edition's cache in the test book from this checkout's, where it has none
    and no build of this checkout is running (its lock is free), so a test run after `make
    book` executes nothing. The fingerprints decide what is reused, so a stale seed costs
    time, not truth."""
    pairs = [(BuildPaths(book, e.language), BuildPaths(ROOT, e.language)) for e in editions(ROOT)]
    wanted = [
        (own, checkout)
        for own, checkout in pairs
        if not own.jupyter_cache.exists() and checkout.jupyter_cache.exists()
    ]
    if not wanted:
        return
    with open(BuildPaths(ROOT).lock, "a+", encoding="utf-8") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        for own, checkout in wanted:
            shutil.copytree(checkout.jupyter_cache, own.jupyter_cache)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book as `make pdf` builds it (`make book`, then the whole book's PDF, linked from
    every page of the English edition), built from a copy of this checkout's sources
    (``TEST_BOOK``) once per test run. Read it, never write to it."""
    html = BuildPaths(TEST_BOOK).html
    # pytest-xdist runs a session per worker: the first to get here builds, the others wait
    # and then find nothing to do.
    TEST_BOOK.parent.mkdir(parents=True, exist_ok=True)
    with open(TEST_BOOK.parent / ".test-session.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sync_sources(TEST_BOOK)
        _seed_cache(TEST_BOOK)
        result = build_in(TEST_BOOK)
        if result.returncode == 0:
            result = pdf_in(TEST_BOOK)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (html / "index.html").is_file()
    return html


@pytest.fixture
def warm_book(built_book: Path, tmp_path: Path) -> Path:
    """A copy of the sources with the session build's Jupyter cache: it executes only what
    a test changes."""
    return book_copy(tmp_path, warm_from=TEST_BOOK)


# One Playwright session for the whole test run: Playwright's sync API refuses a second
# session while one is open, so every browser test shares these two fixtures.


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site(built_book: Path) -> Iterator[str]:
    """The built book served on 127.0.0.1 for the browser."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tests.chromium import find_chromium

    chromium = find_chromium()
    assert chromium, "no Chromium found: `make browser` says how to get one"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
