"""Never stale, nothing unsafe published, one clear message per fault, a lock that cannot
strand a checkout: the process and lock, determinism and published-files cases.

The first half needs no book build (the lock, the stamp, fingerprints, the wheel); the tests
that build take ``warm_book`` or ``built_book`` and are marked ``build`` by conftest.
"""

from __future__ import annotations

import ctypes
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
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

from .conftest import TEST_BOOK, book_copy, build_command, build_env, build_in

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
            max_workers=1, initializer=execute.start_worker, initargs=(os.getpid(), lock)
        ) as pool:
            fds, death_signal = pool.submit(_worker_state, lock).result()
    assert lock not in fds
    assert death_signal == signal.SIGKILL


# --- what may vouch for _build/html -----------------------------------------------------------


def _fake_build(root: Path) -> BuildPaths:
    paths = BuildPaths(root)
    paths.html.mkdir(parents=True, exist_ok=True)
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


def test_a_translation_put_in_place_is_not_trusted(tmp_path: Path) -> None:
    """Each edition's folder is vouched for on its own: a translated page restored into a
    built site, the English folder untouched, is rebuilt; so is a missing translation."""
    (tmp_path / "locales" / "id" / "LC_MESSAGES").mkdir(parents=True)
    paths = BuildPaths(tmp_path)
    translated = paths.edition("id").html
    translated.mkdir(parents=True)
    (translated / "index.html").write_text("<p>dibangun</p>", encoding="utf-8")
    _fake_build(tmp_path)
    english = driver._identity(paths.html)
    restored = tmp_path / "restored.html"
    restored.write_text("<p>dibangun</p>", encoding="utf-8")
    os.replace(restored, translated / "index.html")
    assert driver._identity(paths.html) == english
    assert not driver.is_current(paths, "digest")
    driver.write_stamp(paths, "digest")
    assert driver.is_current(paths, "digest")
    shutil.rmtree(translated)
    assert not driver.is_current(paths, "digest")


# --- fingerprints: the year, the files and the bibliography entries a chapter read ------------


def _log_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docname: str) -> Path:
    """Record what the code below reads, as the chapter ``docname`` would."""
    log = tmp_path / "reads.jsonl"
    monkeypatch.setenv(reads.READS_LOG_ENV, str(log))
    monkeypatch.setenv(reads.DOC_ENV, docname)
    return log


def test_the_year_is_an_input_of_a_chapter_that_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontierbook.data import last_year

    log = _log_reads(tmp_path, monkeypatch, "chapters/data")
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
    from frontierbook.citations import short_citation, source_tier
    from frontierbook.edition import where_links
    from frontierbook.provenance import input_rows
    from frontierbook.scorecard import chapter_labels, chapter_title

    log = _log_reads(tmp_path, monkeypatch, "chapters/05_scorecard")
    chapter_labels("chapters/02_cost")
    chapter_title("chapters/03_scaling")
    where_links("chapters/04_export index", "chapters/corrections")
    short_citation("deepseek2024v3")
    source_tier("amodei2025deepseek")
    input_rows(("v3_stages", "Pre-training"))
    assert reads.logged_reads(log) == {
        "table": ["v3_stages"],
        "file": [
            "chapters/02_cost.md",
            "chapters/03_scaling.md",
            "chapters/04_export.md",
            "index.md",
        ],
        "entry": ["deepseek2024v3", "amodei2025deepseek"],
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


def _retitle(bib: Path, key: str) -> None:
    """Change what entry ``key`` says: its title gains a word."""
    text = bib.read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    title = re.compile(r"(\n\s*title\s*=\s*\{)").search(text, start)
    assert title and title.start() < text.index("\n}", start)
    bib.write_text(text[: title.end()] + "Edited: " + text[title.end() :], encoding="utf-8")


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


# --- builds: edits, interruptions and signals ---------------------------------------------------


def _same_files(left: Path, right: Path) -> list[str]:
    from .test_build import _same_files as same

    return same(left, right)


def _changed_but_kept_wheels(html: Path, built_book: Path) -> list[str]:
    """What differs from the session's book, except wheels an earlier build published: the
    site keeps them for saved notebooks (sitebuilder.wheel.keep_published). The current
    wheel, named in wheels/current.json, must still be the same."""
    current = json.loads((html / "wheels" / "current.json").read_text(encoding="utf-8"))["wheel"]
    return [
        name
        for name in _same_files(html, built_book)
        if not (re.fullmatch(r"wheels/frontierbook-.+\.whl", name) and name != f"wheels/{current}")
    ]


def _start(book: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The driver in a session of its own (so signals sent here reach it alone)."""
    return subprocess.Popen(
        build_command(),
        cwd=book,
        env={**build_env(book), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _read_until(build: subprocess.Popen[str], pattern: str) -> list[str]:
    assert build.stdout is not None
    seen = []
    for line in build.stdout:
        seen.append(line)
        if re.search(pattern, line):
            return seen
    pytest.fail(f"the build ended before {pattern!r}:\n{''.join(seen)}")


def _executed(result: subprocess.CompletedProcess[str]) -> set[str]:
    found = re.search(r"executed \d+ chapter\(s\): (.*)$", result.stdout, re.MULTILINE)
    assert found, result.stdout + result.stderr
    return set() if found[1] == "none" else set(found[1].split(", "))


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_during_a_build_then_a_revert_publishes_no_stale_page(
    warm_book: Path, built_book: Path
) -> None:
    """The issue's sequence: edit a CSV while a build executes, revert, build again: the
    pages, the site's data and the wheel are the original's, byte for byte."""
    book = warm_book
    stages = book / "data" / "v3_stages.csv"
    original = stages.read_bytes()
    _edit(stages, *STAGES_EDIT)
    edited = stages.read_bytes()
    _ok(build_in(book))  # the cache now holds runs of the edited table only
    stages.write_bytes(original)

    build = _start(book)
    _read_until(build, r"chapter\(s\) to execute")
    stages.write_bytes(edited)  # while the chapters run
    rest, _ = build.communicate(timeout=900)
    assert build.returncode == 0, rest
    stages.write_bytes(original)
    assert "nothing changed" in _ok(build_in(book)).stdout
    html = book / "_build" / "html"
    assert _changed_but_kept_wheels(html, built_book) == []

    # The same edit while Sphinx runs: the site's data and wheel are the snapshot's too.
    note = book / "chapters" / "bibliography.md"
    _edit(note, "Every number in this book", "Every single number in this book")
    build = _start(book)
    _read_until(build, r"^frontierbook: running Sphinx")
    stages.write_bytes(edited)
    rest, _ = build.communicate(timeout=900)
    assert build.returncode == 0, rest
    assert (html / "data" / "v3_stages.csv").read_bytes() == original
    current = json.loads((html / "wheels" / "current.json").read_text(encoding="utf-8"))
    published = html / "wheels" / current["wheel"]
    with zipfile.ZipFile(published) as archive:
        assert archive.read("frontierbook/_book/data/v3_stages.csv") == original
    stages.write_bytes(original)
    _edit(note, "Every single number in this book", "Every number in this book")
    _ok(build_in(book))
    assert _changed_but_kept_wheels(html, built_book) == []


def _label_target(book: Path) -> tuple[str, str]:
    """A heading of the cost chapter that a scorecard claim links to, and its label."""
    claims = (book / "data" / "claims.csv").read_text(encoding="utf-8")
    label = re.search(r"chapters/02_cost#([a-z0-9-]+)", claims)
    assert label
    text = (book / "chapters" / "02_cost.md").read_text(encoding="utf-8")
    heading = re.search(rf"^\({label[1]}\)=\n(## .+)$", text, re.MULTILINE)
    assert heading
    return heading[1], label[1]


def _timed_build(book: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    result = _ok(build_in(book, *args))
    return result, time.perf_counter() - started


def test_headings_and_bibliography_edits_execute_only_the_chapters_they_change(
    warm_book: Path,
) -> None:
    """A heading another chapter shows re-executes that chapter; an edited bibliography
    entry re-executes exactly the chapters that show it or read a table citing it; an entry
    no chapter cites executes nothing. The result equals a full build, byte for byte."""
    from sitebuilder.fingerprint import _cited_keys, cached_fingerprints

    book, paths = warm_book, BuildPaths(warm_book)
    heading, _ = _label_target(book)
    _edit(book / "chapters" / "02_cost.md", heading, heading + " (renamed)")
    result, _ = _timed_build(book)
    assert {"chapters/02_cost", "chapters/05_scorecard"} <= _executed(result)
    scorecard = (paths.html / "chapters" / "05_scorecard.html").read_text(encoding="utf-8")
    assert heading.removeprefix("## ") + " (renamed)" in scorecard

    recorded = cached_fingerprints(paths)
    tables = {p.stem: _cited_keys(p) for p in (book / "data").glob("*.csv")}
    bib = book / "references.bib"
    keys = re.findall(r"^@\w+\{([^,]+),", bib.read_text(encoding="utf-8"), re.MULTILINE)

    def readers(key: str) -> set[str]:
        citing = {t for t, cited in tables.items() if key in cited}
        return {
            d
            for d, fp in recorded.items()
            if key in fp.get("entries", {}) or citing & set(fp.get("tables", {}))
        }

    # The entry cited by the fewest chapters, and one no chapter shows or cites.
    cited = min((k for k in keys if readers(k)), key=lambda k: (len(readers(k)), k))
    uncited = next(k for k in keys if not readers(k))
    expected = readers(cited)
    assert expected != set(recorded)
    _retitle(bib, cited)
    result, cited_seconds = _timed_build(book)
    assert _executed(result) == expected

    _retitle(bib, uncited)
    result, uncited_seconds = _timed_build(book)
    assert _executed(result) == set()
    print(
        f"\nrebuild after a bibliography edit: cited entry ({cited}, read by "
        f"{', '.join(sorted(expected))}) {cited_seconds:.1f} s; uncited entry ({uncited}) "
        f"{uncited_seconds:.1f} s"
    )

    incremental = book.parent / "incremental"
    shutil.copytree(paths.html, incremental)
    _ok(build_in(book, "--full"))
    assert _same_files(incremental, paths.html) == []


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def _wait_gone(pids: set[int], seconds: float = 20) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _alive(pids)


def _workers_and_kernels(build: subprocess.Popen[str]) -> set[int]:
    """Wait until the driver's workers have started their kernels; return them all."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        below = _descendants(build.pid)
        kernels = {p for p in below if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes()}
        if kernels:
            return below
        time.sleep(0.2)
    pytest.fail("no kernel started")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_only_the_driver_leaves_no_worker_and_no_lock(
    warm_book: Path, built_book: Path
) -> None:
    """kill -9 of the driver alone: its workers and their kernels end, and the next build
    takes the lock over, saying so. SIGTERM or SIGHUP to the driver alone, while chapters
    execute or while Sphinx runs: one message, nothing left running, no HTML."""
    book, paths = warm_book, BuildPaths(warm_book)
    stages = book / "data" / "v3_stages.csv"
    original = stages.read_bytes()
    _edit(stages, *STAGES_EDIT)

    build = _start(book)
    _read_until(build, r"validated the tables")
    below = _workers_and_kernels(build)
    os.kill(build.pid, signal.SIGKILL)
    build.communicate(timeout=60)
    assert _wait_gone(below) == set()
    result = _ok(build_in(book))
    assert f"the previous build (process {build.pid}) ended without finishing" in result.stdout

    for signum, when in (
        (signal.SIGTERM, r"validated the tables"),
        (signal.SIGTERM, r"^frontierbook: running Sphinx"),
        (signal.SIGHUP, r"^frontierbook: running Sphinx"),
    ):
        stages.write_bytes(original if stages.read_bytes() != original else _swap(original))
        build = _start(book)
        _read_until(build, when)
        below = _descendants(build.pid) if "Sphinx" in when else _workers_and_kernels(build)
        started = time.monotonic()
        os.kill(build.pid, signum)
        rest, _ = build.communicate(timeout=60)
        assert time.monotonic() - started < 30, "the driver waited for its chapters"
        assert build.returncode == 128 + signum, rest
        assert f"stopped by {signal.Signals(signum).name}; _build/html removed" in rest
        assert "Traceback" not in rest
        assert _wait_gone(below) == set()
        assert not paths.html.exists() and paths.partial_outputs() == []

    stages.write_bytes(original)
    _ok(build_in(book))
    assert _changed_but_kept_wheels(paths.html, built_book) == []


def _swap(original: bytes) -> bytes:
    old, new = STAGES_EDIT
    return original.replace(old.encode(), new.encode(), 1)


def test_a_new_year_re_executes_only_the_page_that_shows_it(
    warm_book: Path, built_book: Path
) -> None:
    book = warm_book
    next_year = str(reads.build_year() + 5)
    env = {**build_env(book), reads.BUILD_YEAR_ENV: next_year}
    result = _ok(subprocess.run(build_command(), cwd=book, env=env, capture_output=True, text=True))
    assert _executed(result) == {"chapters/data"}
    data_page = (book / "_build" / "html" / "chapters" / "data.html").read_text(encoding="utf-8")
    assert str(int(next_year) + 1) in data_page
    # And back to this year: the same book as any build of it.
    assert _executed(_ok(build_in(book))) == {"chapters/data"}
    assert _same_files(book / "_build" / "html", built_book) == []


def test_what_a_chapter_writes_is_never_published(warm_book: Path) -> None:
    """A cell that plants files where the site is written publishes nothing; a cell that
    writes into the book's sources stops the build with one message naming the file."""
    book, paths = warm_book, BuildPaths(warm_book)
    glossary = book / "chapters" / "glossary.md"
    plant = (
        "\n```{code-cell} ipython3\n"
        "from pathlib import Path\n"
        f"for folder in ({str(paths.html_partial)!r}, {str(paths.html)!r}):\n"
        "    Path(folder).mkdir(parents=True, exist_ok=True)\n"
        "    (Path(folder) / 'planted.html').write_text('<script>alert(1)</script>')\n"
        "```\n"
    )
    glossary.write_text(glossary.read_text(encoding="utf-8") + plant, encoding="utf-8")
    _ok(build_in(book))
    assert not list(paths.html.rglob("planted.html"))

    into_sources = (
        "\n```{code-cell} ipython3\n"
        "from frontierbook.paths import DATA_DIR\n"
        "(DATA_DIR / 'planted.csv').write_text('a,b\\n1,2\\n')\n"
        "```\n"
    )
    glossary.write_text(glossary.read_text(encoding="utf-8") + into_sources, encoding="utf-8")
    result = build_in(book)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert output.count("a chapter wrote into the book's sources while it ran") == 1
    assert "data/planted.csv" in output and "Handler" not in output and "Traceback" not in output
    assert not paths.html.exists() and not (book / "data" / "planted.csv").exists()
    # Its run was not kept: the next build runs it again, and stops again.
    again = build_in(book)
    assert again.returncode == 1 and "a chapter wrote into the book's sources" in again.stderr


def test_a_bibliography_that_cannot_be_published_stops_the_build_before_any_chapter(
    tmp_path: Path,
) -> None:
    book = book_copy(tmp_path)
    bib = book / "references.bib"
    _edit_entry(bib, "deepseek2024v3", "https://arxiv.org/abs/2412.19437", "javascript:alert(1)")
    _edit(bib, "@misc{lambert2025v3,", "@weirdtype{lambert2025v3,")
    result = build_in(book)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "references.bib, entry 'deepseek2024v3', field 'url'" in output
    assert "references.bib, entry 'lambert2025v3': the bibliography style cannot write" in output
    assert "chapter(s) to execute" not in output and "Traceback" not in output
    assert not (book / "_build" / "html").exists()


def test_event_titles_in_any_script_reach_the_charts(warm_book: Path) -> None:
    """CJK, Arabic and emoji in a title draw in the timeline; a character no chart font
    draws stops the build before any chapter runs, naming file, row and column."""
    book = warm_book
    events = book / "data" / "events.csv"
    _edit(events, ",Nvidia confirms the A800,", ",Nvidia 确认 A800 🚀 (إنفيديا),")
    _ok(build_in(book))
    timeline = book / "_build" / "html" / "chapters" / "01_timeline.html"
    charts = re.findall(r'src="\.\./(_images/[^"]+\.svg)"', timeline.read_text(encoding="utf-8"))
    svgs = "".join((book / "_build" / "html" / c).read_text(encoding="utf-8") for c in charts)
    assert "确认 A800 🚀" in svgs or "确认" in svgs
    _edit(events, "Nvidia 确认 A800", "Nvidia \ue000 A800")
    result = build_in(book)
    assert result.returncode == 1
    assert "data/events.csv, row 3, column 'title': no chart font draws" in result.stderr
    assert "executed" not in result.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE")
def test_a_full_disk_while_storing_runs_is_one_line_per_chapter(warm_book: Path) -> None:
    import resource

    book = warm_book
    _edit(book / "data" / "v3_stages.csv", *STAGES_EDIT)
    # Above every source file (the snapshot copies them), below an executed notebook.
    sources = [
        path
        for path in book.rglob("*")
        if path.is_file() and not {"_build", ".venv", ".git"} & set(path.relative_to(book).parts)
    ]
    limit = max(path.stat().st_size for path in sources) + 4096
    executed = BuildPaths(book).jupyter_cache.rglob("*.ipynb")
    assert limit < max(path.stat().st_size for path in executed), "no notebook above the limit"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        build_command(),
        cwd=book,
        env=build_env(book),
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=900,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    stored = re.findall(
        r"could not be stored in _build/\.jupyter_cache: File too large", result.stderr
    )
    assert stored and len(stored) == result.stderr.count("chapters/") + result.stderr.count(
        "index.md"
    )
    assert not (book / "_build" / "html").exists()


def test_the_tests_build_their_own_copy_of_the_book(built_book: Path) -> None:
    """`make book` in this checkout while the tests run rebuilds its own _build/html, never
    the one the tests read."""
    assert built_book == BuildPaths(TEST_BOOK).html
    assert not built_book.is_relative_to(BuildPaths(ROOT).html)
    assert file_hashes(TEST_BOOK) == file_hashes(ROOT)


def test_the_bibliography_page_shows_dollars_and_capitals(built_book: Path) -> None:
    page = (built_book / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    assert "\\$" not in page
    assert "Nvidia sheds almost $600 billion" in page
    assert "the Chinese AI model" in page and "(estimates by Epoch AI)" in page
    assert "chinese AI" not in page and "epoch ai" not in page
    # The citations' tooltips come from the same style.
    for chapter in (built_book / "chapters").glob("*.html"):
        assert "\\$" not in chapter.read_text(encoding="utf-8"), chapter.name
