"""Build the book: ``python -m sitebuilder`` (what ``make book`` runs).

The whole path, top to bottom (:func:`build`):

1. Take the lock ``_build/.lock``; a second build of the same checkout stops at once. A lock
   left by a build that is gone is taken over, with a message.
2. If every input is byte-for-byte what the book in ``_build/html`` was built from, and that
   folder is the one this build wrote (not one from git or a copy), stop.
3. Otherwise remove ``_build/html`` and the stamp that vouches for it, and copy the sources
   to ``_build/.snapshot``. Everything after this reads the snapshot, never the checkout, so
   a file edited while the build runs changes nothing in this build.
4. Check the shared inputs (data package, bibliography, the files in ``data/``); find the
   chapters with no cached run made from their current inputs (:mod:`.fingerprint`).
5. Validate every table once, then execute those chapters, in parallel, into the Jupyter
   cache (:mod:`.execute`); check that no chapter changed the snapshot while it ran.
6. Run Sphinx from scratch into a new folder made only now, which no chapter could have
   written into; every chapter is a cache hit, so this takes seconds, and an incremental
   build is the same Sphinx run as a full one.
7. Rename it to ``_build/html`` and write the stamp.

Whatever stops a build (a data error, a failing cell, a warning, a timeout, Ctrl-C, SIGTERM,
a bug) ends it with one readable message, exit status 1 (130 for Ctrl-C, 143 for SIGTERM)
and no ``_build/html``.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from frontierbook.paths import ROOT
from frontierbook.reads import BUILD_YEAR_ENV, build_year
from sitebuilder import execute, speedups
from sitebuilder.fingerprint import (
    Inputs,
    file_hashes,
    forget_runs,
    sources_digest,
    stale_chapters,
    take_snapshot,
)
from sitebuilder.layout import BuildPaths


class BuildError(Exception):
    """A build stopped for a reason the reader can fix; the message names the input."""


class BuildLocked(Exception):
    """Another build of the same checkout holds the lock."""


class Terminated(KeyboardInterrupt):
    """The build was sent SIGTERM or SIGHUP. A KeyboardInterrupt, so every layer that cleans
    up after Ctrl-C (Sphinx's parallel workers, Jupyter Book) cleans up after it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _terminate(signum: int, frame) -> None:
    raise Terminated(signum)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def build_lock(paths: BuildPaths) -> Iterator[None]:
    """Hold ``_build/.lock`` for the whole build.

    It is a POSIX record lock: the kernel releases it when the process ends, however it
    ends, and no child process ever holds it (neither the chapter workers, which are forked,
    nor anything they start), so a killed build never leaves a stale lock behind. The file
    names the holder's process. A lock whose holder is gone (a lock file from another kind of
    lock, or a holder that never wrote its number) is taken over, with a message.
    """
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        lock = open(paths.lock, "a+", encoding="utf-8")  # noqa: SIM115 (held until the end)
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            recorded = lock.read().strip()
            lock.close()
            if recorded.isdigit() and _alive(int(recorded)):
                raise BuildLocked(
                    f"another build of this checkout is running (process {recorded}); "
                    "wait for it to finish, then run make book again"
                ) from None
            if attempt == 0:
                time.sleep(0.5)  # a new holder may not have written its number yet
                continue
            print(
                f"frontierbook: the lock {paths.lock.relative_to(paths.root)} is held, but "
                f"its holder (process {recorded or 'unknown'}) is gone; taking it over"
            )
            paths.lock.unlink(missing_ok=True)
            continue
        if os.fstat(lock.fileno()).st_ino != _inode(paths.lock):
            lock.close()  # taken over by another build between opening and locking
            continue
        lock.seek(0)
        recorded = lock.read().strip()
        if recorded.isdigit() and int(recorded) != os.getpid() and not _alive(int(recorded)):
            print(
                f"frontierbook: the previous build (process {recorded}) ended without "
                "finishing; its lock is free, taking it over"
            )
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            # A number left behind means a build that never got here: one that was killed.
            lock.seek(0)
            lock.truncate()
            lock.close()
        return
    raise BuildLocked(f"could not take the lock {paths.lock}; remove it and run make book again")


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def remove_outputs(paths: BuildPaths) -> None:
    """No HTML and no stamp: nothing from an unfinished build can be published or reused."""
    paths.published_stamp.unlink(missing_ok=True)
    (paths.build_dir / "error.log").unlink(missing_ok=True)
    for folder in (paths.html, *paths.partial_outputs(), paths.doctrees):
        shutil.rmtree(folder, ignore_errors=True)


def forget_state(paths: BuildPaths) -> None:
    """What ``--full`` forgets: every cached execution, every record, the wheel."""
    for folder in (paths.jupyter_cache, paths.state, paths.wheels):
        shutil.rmtree(folder, ignore_errors=True)


def _identity(folder: Path) -> list[int]:
    """Which folder this is on this machine: device, inode and change time of the folder and
    of its index page. A folder restored from git, an archive or a copy has others."""
    found = []
    for path in (folder, folder / "index.html"):
        info = os.stat(path, follow_symlinks=False)
        found += [info.st_dev, info.st_ino, info.st_ctime_ns]
    return found


def is_current(paths: BuildPaths, digest: str) -> bool:
    """``_build/html`` is the folder the last successful build wrote, from these sources."""
    try:
        stamp = json.loads(paths.published_stamp.read_text(encoding="utf-8"))
        return stamp["sources"] == digest and stamp["html"] == _identity(paths.html)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write_stamp(paths: BuildPaths, digest: str) -> None:
    paths.state.mkdir(parents=True, exist_ok=True)
    stamp = {"sources": digest, "html": _identity(paths.html)}
    paths.published_stamp.write_text(json.dumps(stamp), encoding="utf-8")


def run_sphinx(paths: BuildPaths, source: Path, out: Path, jobs: int) -> None:
    """A fresh Sphinx build of ``source`` into ``out``; raise :class:`BuildError` on any
    warning or error, with the message of the input at fault."""
    from jupyter_book.sphinx import build_sphinx

    warnings = io.StringIO()
    stderr, sys.stderr = sys.stderr, warnings
    try:
        result = build_sphinx(
            str(source),
            str(out),
            noconfig=True,
            path_config=str(source / "_config.yml"),
            doctreedir=str(paths.doctrees),
            # What `jupyter-book build . -n` passes. A relative table of contents keeps
            # absolute paths out of the configuration Sphinx hashes and publishes. The
            # cache is the checkout's, not the snapshot's.
            confoverrides={
                "external_toc_path": "_toc.yml",
                "latex_individualpages": False,
                "nitpicky": True,
                "nb_execution_cache_path": str(paths.jupyter_cache),
            },
            freshenv=True,
            force_all=True,
            quiet=True,
            warningiserror=True,
            keep_going=True,
            jobs=jobs,
        )
    finally:
        sys.stderr = stderr
    # Jupyter Book catches Ctrl-C (and Terminated) and returns it.
    if isinstance(result, KeyboardInterrupt):
        raise result
    if result != 0 or not (out / "index.html").is_file():
        text = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())  # colours
        lines = [
            line.replace(f"{source}/", "")
            for line in text.splitlines()
            if "WARNING" in line or "ERROR" in line
        ]
        if isinstance(result, Exception):
            # An extension's error arrives wrapped ("Handler <function ...> threw an
            # exception"); an input error's own message names the file.
            cause = getattr(result, "orig_exc", None) or result.__cause__ or result
            from frontierbook.inputs import InputError

            if isinstance(cause, InputError):
                lines = [str(cause)]
            elif not lines:
                lines = [f"{type(cause).__name__}: {cause}"]
        if not lines:
            lines = [text.strip().splitlines()[-1] if text.strip() else "no index.html"]
        raise BuildError("Sphinx stopped:\n  " + "\n  ".join(lines))


def check_inputs(source: Path) -> None:
    """The shared inputs parse, the bibliography can be published safely, and ``data/`` holds
    only what may be published. Checked before anything executes, so a bad input is named
    once, not in every chapter's traceback."""
    from frontierbook.inputs import InputError, bibliography, descriptor
    from sitebuilder.bibliography import bibliography_problems
    from sitebuilder.publish import check_data_folder

    try:
        descriptor(source / "data")
        bibliography(source / "references.bib")
        problems = bibliography_problems(source / "references.bib")
        if problems:
            raise BuildError("\n".join(problems))
        check_data_folder(source / "data")
    except InputError as error:
        raise BuildError(str(error)) from None


def _chapter_failures(
    inputs: Inputs, failures: dict[str, execute.ChapterFailure], bad_tables: dict[str, str]
) -> list[str]:
    """One line per chapter, each table's error once: a chapter stopped by a table that
    validation already reported is named, not its copy of the same message."""
    lines = list(bad_tables.values())
    for docname in sorted(failures):
        failure = failures[docname]
        shown = inputs.notebooks[docname].relative_to(inputs.root)
        table = next(
            (t for t in bad_tables if failure.evalue.startswith(f"invalid data in {t}:")), None
        )
        if failure.ename == "DataError" and table:
            where = failure.message.split(" raised ")[0]
            lines.append(f"{shown}, {where} stopped at the error in {table} above")
        else:
            lines.append(f"{shown}, {failure.message}")
    return lines


def build(paths: BuildPaths, full: bool = False, jobs: int | None = None) -> list[str]:
    """Build ``paths.root`` into ``_build/html``; return the chapters executed."""
    jobs = jobs or os.cpu_count() or 1
    # One year for the whole build, its kernels included (frontierbook.reads).
    year = build_year()
    os.environ[BUILD_YEAR_ENV] = str(year)
    if full:
        forget_state(paths)
    if is_current(paths, sources_digest(paths.root, year)):
        print("frontierbook: nothing changed since the last build; _build/html is current")
        return []
    remove_outputs(paths)

    source = paths.snapshot
    take_snapshot(paths.root, source)
    snapshot = file_hashes(source)
    digest = sources_digest(source, year, snapshot)
    check_inputs(source)
    inputs = Inputs(source, year)
    inputs.hash_all()
    stale = stale_chapters(paths, inputs)
    print(f"frontierbook: {len(stale)} chapter(s) to execute: {', '.join(stale) or 'none'}")
    bad_tables: dict[str, str] = {}
    if stale:
        seconds, bad_tables = execute.validate_tables_once(paths, source)
        print(f"frontierbook: validated the tables in {seconds:.2f} seconds")
        undrawable = execute.undrawable_text(source)
        if undrawable:
            raise BuildError("\n".join(undrawable))
    seconds, failures = execute.execute_stale(paths, inputs, stale, jobs)
    if failures or bad_tables:
        raise BuildError("\n".join(_chapter_failures(inputs, failures, bad_tables)))
    after = file_hashes(source)
    changed = sorted(n for n in snapshot.keys() | after.keys() if snapshot.get(n) != after.get(n))
    if changed:
        # What such a run shows may come from what it wrote: it is not kept.
        forget_runs(paths, inputs, sorted(seconds))
        raise BuildError(
            f"a chapter wrote into the book's sources while it ran: {', '.join(changed[:5])} "
            f"(in the build's copy, {source.relative_to(paths.root)}; nothing is published). "
            f"Chapters that ran: {', '.join(sorted(seconds))}"
        )

    print("frontierbook: running Sphinx")
    out = paths.new_output()
    run_sphinx(paths, source, out, jobs)
    # The build's own record of its configuration hash; nothing a reader needs.
    (out / ".buildinfo").unlink(missing_ok=True)
    (out / ".nojekyll").touch()
    # Whatever is at _build/html now, this build did not write (a chapter may have made it).
    shutil.rmtree(paths.html, ignore_errors=True)
    out.rename(paths.html)
    write_stamp(paths, digest)
    return sorted(seconds)


def main(argv: list[str] | None = None) -> int:
    speedups.skip_rfc3987_syntax()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="forget all state; execute all")
    parser.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    args = parser.parse_args(argv)
    paths = BuildPaths(ROOT)
    started = time.perf_counter()
    # `kill`, a CI timeout or a closed terminal: clean up as after Ctrl-C.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    try:
        with build_lock(paths):
            try:
                executed = build(paths, full=args.full, jobs=args.jobs)
            except BaseException as error:
                remove_outputs(paths)
                return _report_failure(paths, error)
    except BuildLocked as error:
        print(f"frontierbook: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:  # while waiting for the lock
        return _report_failure(paths, error)
    print(
        f"frontierbook: built _build/html in {time.perf_counter() - started:.1f} s; "
        f"executed {len(executed)} chapter(s): {', '.join(executed) or 'none'}"
    )
    return 0


def _report_failure(paths: BuildPaths, error: BaseException) -> int:
    if isinstance(error, Terminated):
        print(f"\nfrontierbook: stopped by {error}; _build/html removed", file=sys.stderr)
        return 128 + error.signum
    if isinstance(error, KeyboardInterrupt):
        print("\nfrontierbook: interrupted; _build/html removed", file=sys.stderr)
        return 130
    if isinstance(error, BuildError):
        message = str(error)
    elif isinstance(error, SystemExit | GeneratorExit):
        raise error
    elif isinstance(error, OSError) and error.strerror:
        # A full disk, a folder without write permission: the path says all there is.
        where = f": {error.filename}" if error.filename else ""
        message = f"the build could not read or write a file: {error.strerror}{where}"
    else:
        # Unexpected: one line here, the traceback in a file for whoever debugs it.
        log = paths.build_dir / "error.log"
        log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        message = f"{type(error).__name__}: {error} (traceback in {log.relative_to(paths.root)})"
    print(f"frontierbook: the build FAILED; _build/html removed.\n{message}", file=sys.stderr)
    return 1
