"""Never stale, nothing unsafe published, one clear message per fault, a lock that cannot
strand a checkout: the process and lock, determinism and published-files cases.

The first half needs no book build (the lock, the stamp, fingerprints, the wheel); the tests
that build take ``warm_book`` or ``built_book`` and are marked ``build`` by conftest.
"""

from __future__ import annotations

import ctypes
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from frontierbook import reads
from frontierbook.paths import ROOT
from sitebuilder import driver, execute, wheel
from sitebuilder.fingerprint import Inputs, file_hashes, sources_digest
from sitebuilder.layout import BuildPaths

from .conftest import book_copy

STAGES_EDIT = ("Pre-training,1,2664000,5328000,", "Pre-training,1,3664000,7328000,")


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# --- the lock --------------------------------------------------------------------------------


def _hold_lock(path: Path, recorded: str) -> subprocess.Popen:
    """Another process that holds the build's lock and has written ``recorded`` into it."""
    code = (
        "import fcntl, sys, time\n"
        f"f = open({str(path)!r}, 'a+')\n"
        "fcntl.lockf(f, fcntl.LOCK_EX)\n"
        f"f.seek(0); f.truncate(); f.write({recorded!r}.replace('SELF', str(__import__('os')"
        ".getpid()))); f.flush()\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_lock_left_by_a_killed_build_is_taken_over_with_a_message(tmp_path: Path) -> None:
    paths = BuildPaths(tmp_path)
    paths.build_dir.mkdir()
    dead = _dead_pid()
    paths.lock.write_text(str(dead), encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out), driver.build_lock(paths):
        assert paths.lock.read_text(encoding="utf-8") == str(os.getpid())
    assert f"the previous build (process {dead}) ended without finishing" in out.getvalue()
    # A build that finishes leaves no number behind, so the next one says nothing.
    out = io.StringIO()
    with redirect_stdout(out), driver.build_lock(paths):
        pass
    assert out.getvalue() == ""


def test_a_lock_held_by_a_live_build_refuses_a_second_naming_it(tmp_path: Path) -> None:
    paths = BuildPaths(tmp_path)
    paths.build_dir.mkdir()
    holder = _hold_lock(paths.lock, "SELF")
    try:
        with pytest.raises(driver.BuildLocked, match=rf"running \(process {holder.pid}\)"):
            with driver.build_lock(paths):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_held_though_its_recorded_holder_is_gone_is_taken_over(tmp_path: Path) -> None:
    """A lock file still locked by a process that is not the build it names (a worker of an
    older driver, say) no longer strands the checkout."""
    paths = BuildPaths(tmp_path)
    paths.build_dir.mkdir()
    dead = _dead_pid()
    holder = _hold_lock(paths.lock, str(dead))
    try:
        out = io.StringIO()
        with redirect_stdout(out), driver.build_lock(paths):
            assert paths.lock.read_text(encoding="utf-8") == str(os.getpid())
        assert f"its holder (process {dead}) is gone; taking it over" in out.getvalue()
    finally:
        holder.kill()
        holder.wait()


def _worker_state(lock: str) -> tuple[list[str], int]:
    """In a pool worker: where its open descriptors point, and its parent-death signal."""
    fds = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            fds.append(os.readlink(fd))
        except OSError:
            continue
    signum = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(2, ctypes.byref(signum), 0, 0, 0)  # PR_GET_PDEATHSIG
    return fds, signum.value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and prctl")
def test_chapter_workers_hold_no_lock_and_die_with_the_driver(tmp_path: Path) -> None:
    paths = BuildPaths(tmp_path)
    lock = str(paths.lock.resolve())
    with driver.build_lock(paths):
        assert any(os.readlink(fd) == lock for fd in Path("/proc/self/fd").iterdir())
        with ProcessPoolExecutor(
            max_workers=1, initializer=execute._start_worker, initargs=(os.getpid(), lock)
        ) as pool:
            fds, death_signal = pool.submit(_worker_state, lock).result()
    assert lock not in fds
    assert death_signal == signal.SIGTERM


# --- what may vouch for _build/html -----------------------------------------------------------


def _fake_build(root: Path) -> BuildPaths:
    paths = BuildPaths(root)
    paths.html.mkdir(parents=True)
    (paths.html / "index.html").write_text("<p>built</p>", encoding="utf-8")
    driver.write_stamp(paths, "digest")
    assert driver.is_current(paths, "digest")
    return paths


def test_a_built_book_committed_to_git_is_not_trusted(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    _fake_build(checkout)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(checkout)], check=True)
    subprocess.run([*git, "-C", str(checkout), "add", "-f", "_build"], check=True)
    subprocess.run([*git, "-C", str(checkout), "commit", "-qm", "built"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(checkout), str(clone)], check=True)
    paths = BuildPaths(clone)
    assert (paths.html / "index.html").is_file() and paths.published_stamp.is_file()
    assert not driver.is_current(paths, "digest")


def test_a_built_book_copied_into_place_is_not_trusted(tmp_path: Path) -> None:
    paths = _fake_build(tmp_path)
    shutil.copytree(paths.html, tmp_path / "elsewhere")
    shutil.rmtree(paths.html)
    shutil.copytree(tmp_path / "elsewhere", paths.html)
    assert not driver.is_current(paths, "digest")


# --- fingerprints: the year, the files and the bibliography entries a chapter read ------------


def test_the_year_is_an_input_of_a_chapter_that_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontierbook.data import last_year

    log = tmp_path / "reads.jsonl"
    monkeypatch.setenv(reads.READS_LOG_ENV, str(log))
    monkeypatch.setenv(reads.DOC_ENV, "chapters/data")
    monkeypatch.setenv(reads.BUILD_YEAR_ENV, "2031")
    assert last_year() == 2032
    shown = reads.logged_reads(log)
    assert shown["clock"] == ["year"]
    this_year, next_year = Inputs(ROOT, 2031), Inputs(ROOT, 2032)
    assert this_year.fingerprint("chapters/data", shown) != next_year.fingerprint(
        "chapters/data", shown
    )
    # A chapter that never showed the year does not depend on it.
    quiet = {"table": ["events"]}
    assert this_year.fingerprint("chapters/01_timeline", quiet) == next_year.fingerprint(
        "chapters/01_timeline", quiet
    )
    hashes = file_hashes(ROOT)
    assert sources_digest(ROOT, 2031, hashes) != sources_digest(ROOT, 2032, hashes)


def test_every_file_and_entry_a_chapter_shows_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontierbook.citations import short_citation
    from frontierbook.provenance import input_rows
    from frontierbook.scorecard import chapter_labels

    log = tmp_path / "reads.jsonl"
    monkeypatch.setenv(reads.READS_LOG_ENV, str(log))
    monkeypatch.setenv(reads.DOC_ENV, "chapters/05_scorecard")
    chapter_labels("chapters/02_cost")
    short_citation("deepseek2024v3")
    input_rows(("v3_stages", "Pre-training"))
    assert reads.logged_reads(log) == {
        "table": ["v3_stages"],
        "file": ["chapters/02_cost.md"],
        "entry": ["deepseek2024v3"],
        "clock": [],
    }


def test_a_heading_a_chapter_read_is_part_of_its_fingerprint(tmp_path: Path) -> None:
    book = book_copy(tmp_path)
    read = {"file": ["chapters/02_cost.md"], "table": ["claims"]}
    before = Inputs(book).fingerprint("chapters/05_scorecard", read)
    cost = book / "chapters" / "02_cost.md"
    text = cost.read_text(encoding="utf-8")
    heading = re.search(r"^## .+$", text, re.MULTILINE)
    assert heading is not None
    cost.write_text(text.replace(heading[0], heading[0] + " (renamed)", 1), encoding="utf-8")
    assert Inputs(book).fingerprint("chapters/05_scorecard", read) != before


def _edit_entry(bib: Path, key: str, old: str, new: str) -> None:
    text = bib.read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    end = text.index("\n}", start)
    entry = text[start:end]
    assert old in entry, f"{old!r} not in entry {key}"
    bib.write_text(text[:start] + entry.replace(old, new, 1) + text[end:], encoding="utf-8")


def test_a_bibliography_entry_counts_only_where_it_is_shown_or_cited(tmp_path: Path) -> None:
    book = book_copy(tmp_path)
    shows = {"entry": ["deepseek2024v3"]}
    cites = {"table": ["v3_stages"]}  # its rows cite deepseek2024v3
    neither = {"table": ["chips"], "entry": ["amodei2025deepseek"]}
    before = Inputs(book)
    before.hash_all()
    _edit_entry(book / "references.bib", "deepseek2024v3", "Technical Report", "Tech Report")
    after = Inputs(book)
    after.hash_all()
    for read in (shows, cites):
        assert before.fingerprint("index", read) != after.fingerprint("index", read), read
    assert before.fingerprint("index", neither) == after.fingerprint("index", neither)
    # An entry removed though a table still cites it: the table's readers run (and fail).
    text = (book / "references.bib").read_text(encoding="utf-8")
    start = text.index("@misc{deepseek2024v3,")
    (book / "references.bib").write_text(
        text[:start] + text[text.index("\n}\n", start) + 3 :], encoding="utf-8"
    )
    assert Inputs(book).fingerprint("index", cites) != after.fingerprint("index", cites)


# --- the notebooks' wheel ---------------------------------------------------------------------


def test_a_damaged_cached_wheel_is_built_again(tmp_path: Path) -> None:
    dest = tmp_path / "wheels"
    built = wheel.build_wheel(ROOT, dest)
    original = built.read_bytes()
    built.write_bytes(original[: len(original) // 2])  # truncated, same name
    again = wheel.build_wheel(ROOT, dest)
    assert again == built and again.read_bytes() == original
    with zipfile.ZipFile(again) as archive:
        assert archive.testzip() is None
    # Same length, one byte changed: the name still matches, the bytes do not.
    damaged = bytearray(original)
    damaged[100] ^= 0xFF
    built.write_bytes(bytes(damaged))
    assert not wheel.is_intact(built)
    assert wheel.build_wheel(ROOT, dest).read_bytes() == original


def test_a_full_build_forgets_the_wheel(tmp_path: Path) -> None:
    paths = BuildPaths(tmp_path)
    for folder in (paths.wheels, paths.jupyter_cache, paths.state):
        folder.mkdir(parents=True)
        (folder / "kept").write_text("x", encoding="utf-8")
    driver.forget_state(paths)
    assert not any(f.exists() for f in (paths.wheels, paths.jupyter_cache, paths.state))


def test_the_wheel_holds_only_the_pages_of_the_book_and_the_declared_tables(
    tmp_path: Path,
) -> None:
    book = book_copy(tmp_path)
    before = wheel.digest(book)
    (book / "chapters" / "draft.md").write_text("# Not ready\n\nA draft.\n", encoding="utf-8")
    names = {name for name, _ in wheel._inputs(book)}
    assert not any("draft" in name for name in names)
    assert "_book/chapters/05_scorecard.md" in names and "_book/index.md" in names
    assert "_book/data/v3_stages.csv" in names
    assert wheel.digest(book) == before
