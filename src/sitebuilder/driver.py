"""Build the book: ``python -m sitebuilder`` (what ``make book`` runs).

The whole path, top to bottom (:func:`build`):

1. Take the lock ``_build/.lock``; a second build of the same checkout stops at once. A lock
   left by a build that is gone is taken over, with a message.
2. If every input is byte-for-byte what the book in ``_build/html`` was built from, and each
   edition's folder is the one this build wrote (not one from git or a copy), stop.
3. Otherwise remove ``_build/html`` and the stamp that vouches for it, and copy the sources
   to ``_build/.snapshot``. Everything after this reads the snapshot, never the checkout, so
   a file edited while the build runs changes nothing in this build.
4. Check the shared inputs (data package, bibliography, the files in ``data/``); find, for
   each edition (English, and one per translation in ``locales/``: :mod:`.editions`), the
   chapters with no cached run made from their current inputs (:mod:`.fingerprint`).
5. Validate every table once, then execute those chapters, in parallel, into each
   edition's Jupyter cache; a chapter stale in two editions runs once in each language, in
   one kernel (:mod:`.execute`). Check that no chapter changed the snapshot while it ran.
   The notebooks' wheel is built from the snapshot meanwhile.
6. Run Sphinx from scratch for each edition (a translation with its catalogues, in a process
   of its own), each into a new folder made only now, which no chapter could have written
   into; every chapter is a cache hit, so this takes seconds, and an incremental build is
   the same Sphinx run as a full one.
7. Move each translation into the English site (``<language>/``), rename the whole to
   ``_build/html`` and write the stamp.

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
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from frontierbook.paths import ROOT
from frontierbook.reads import BUILD_YEAR_ENV, build_year
from sitebuilder import execute, speedups, wheel
from sitebuilder.editions import catalogues, editions
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
    # Raised inside a garbage-collection callback, the exception would be printed and dropped
    # ("Exception ignored in ..."), and the build would run on: until the driver handles it,
    # raise it again every second.
    signal.signal(signal.SIGALRM, lambda *_: _raise_terminated(signum))
    signal.setitimer(signal.ITIMER_REAL, 1.0, 1.0)
    raise Terminated(signum)


def _raise_terminated(signum: int) -> None:
    raise Terminated(signum)


def _stop_raising() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


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


def _languages(root: Path) -> list[str]:
    """English first, then each translation's language (:func:`.editions.editions`)."""
    return [edition.language for edition in editions(root)]


def remove_outputs(paths: BuildPaths) -> None:
    """No HTML and no stamp: nothing from an unfinished build can be published or reused."""
    paths.published_stamp.unlink(missing_ok=True)
    (paths.build_dir / "error.log").unlink(missing_ok=True)
    for language in _languages(paths.root):
        there = paths.edition(language)
        for folder in (there.html, *there.partial_outputs(), there.doctrees, there.untranslated):
            shutil.rmtree(folder, ignore_errors=True)


def forget_state(paths: BuildPaths) -> None:
    """What ``--full`` forgets: every edition's cached executions, every record, the wheel."""
    caches = [paths.edition(language).jupyter_cache for language in _languages(paths.root)]
    for folder in (*caches, paths.state, paths.wheels):
        shutil.rmtree(folder, ignore_errors=True)


def _identity(folder: Path) -> list[int]:
    """Which folder this is on this machine: device, inode and change time of the folder and
    of its index page. A folder restored from git, an archive or a copy has others."""
    found = []
    for path in (folder, folder / "index.html"):
        info = os.stat(path, follow_symlinks=False)
        found += [info.st_dev, info.st_ino, info.st_ctime_ns]
    return found


def _identities(paths: BuildPaths, languages: list[str]) -> dict[str, list[int]]:
    """Language -> :func:`_identity` of that edition's published folder."""
    return {language: _identity(paths.edition(language).html) for language in languages}


def is_current(paths: BuildPaths, digest: str, languages: list[str] | None = None) -> bool:
    """``_build/html`` holds the folders the last successful build wrote, one per edition
    (``languages``, by default the checkout's), from these sources."""
    languages = _languages(paths.root) if languages is None else languages
    try:
        stamp = json.loads(paths.published_stamp.read_text(encoding="utf-8"))
        return stamp["sources"] == digest and stamp["html"] == _identities(paths, languages)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write_stamp(paths: BuildPaths, digest: str, languages: list[str] | None = None) -> None:
    """Vouch for what is in ``_build/html``: the sources' digest, and which folder on this
    machine each edition's site is."""
    languages = _languages(paths.root) if languages is None else languages
    paths.state.mkdir(parents=True, exist_ok=True)
    stamp = {"sources": digest, "html": _identities(paths, languages)}
    paths.published_stamp.write_text(json.dumps(stamp), encoding="utf-8")


def compile_catalogues(paths: BuildPaths, source: Path) -> None:
    """This edition's catalogues (``.po``) in ``source`` compiled for Sphinx (``.mo``) under
    ``_build``, so the build writes nothing into ``locales/``. A fuzzy entry counts as
    untranslated, as in msgfmt."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = source / "locales" / paths.language / "LC_MESSAGES"
    target = paths.compiled_locales / paths.language / "LC_MESSAGES"
    shutil.rmtree(target, ignore_errors=True)
    for po in catalogues(source, paths.language):
        mo = target / po.relative_to(folder).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as infile:
            catalogue = read_po(infile, locale=paths.language)
        with open(mo, "wb") as outfile:
            write_mo(outfile, catalogue, use_fuzzy=False)


def edition_overrides(paths: BuildPaths) -> dict:
    """What a translated edition changes in the Sphinx configuration."""
    if paths.is_source:
        return {}
    return {
        "language": paths.language,
        "locale_dirs": [str(paths.compiled_locales)],
        "gettext_compact": False,
        "gettext_auto_build": False,
    }


def run_sphinx(paths: BuildPaths, source: Path, out: Path, jobs: int) -> None:
    """A fresh Sphinx build of ``paths``' edition of ``source`` into ``out``; raise
    :class:`BuildError` on any warning or error, with the message of the input at fault."""
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
            # cache (the edition's) and the wheel are the checkout's, not the snapshot's.
            confoverrides={
                "external_toc_path": "_toc.yml",
                "latex_individualpages": False,
                "nitpicky": True,
                "nb_execution_cache_path": str(paths.jupyter_cache),
                "frontierbook_wheels": str(paths.wheels),
                **edition_overrides(paths),
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
        where = "" if paths.is_source else f" (the {paths.language!r} edition)"
        raise BuildError(f"Sphinx stopped{where}:\n  " + "\n  ".join(lines))


def check_inputs(source: Path) -> None:
    """The shared inputs parse, the bibliography can be published safely and gives every
    work its own label, and ``data/`` holds only what may be published. Checked before
    anything executes, so a bad input is named once, not in every chapter's traceback."""
    from frontierbook.citations import citation_labels
    from frontierbook.inputs import InputError, descriptor
    from sitebuilder.bibliography import bibliography_problems
    from sitebuilder.publish import check_data_folder

    try:
        descriptor(source / "data")
        citation_labels(source / "references.bib")  # parses it, then checks the labels
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


def build(paths: BuildPaths, full: bool = False, jobs: int | None = None) -> list[str] | None:
    """Build ``paths.root`` into ``_build/html``; return the chapters executed, or None when
    nothing changed and nothing was built."""
    jobs = jobs or os.cpu_count() or 1
    # One year for the whole build, its kernels included (frontierbook.reads).
    year = build_year()
    os.environ[BUILD_YEAR_ENV] = str(year)
    if full:
        forget_state(paths)
    if is_current(paths, sources_digest(paths.root, year), _languages(paths.root)):
        print("frontierbook: nothing changed since the last build; _build/html is current")
        return None
    remove_outputs(paths)

    source = paths.snapshot
    take_snapshot(paths.root, source)
    snapshot = file_hashes(source)
    digest = sources_digest(source, year, snapshot)
    languages = _languages(source)
    check_inputs(source)
    # The notebooks' wheel depends on the sources only: pip builds it while chapters execute.
    wheel_built = _in_background(wheel.build_wheel, source, paths.wheels)
    inputs = Inputs(source, year)
    inputs.hash_all()
    stale: dict[str, list[str]] = {}
    for language in languages:
        for docname in stale_chapters(paths.edition(language), inputs):
            stale.setdefault(docname, []).append(language)
    shown = [d if stale[d] == ["en"] else f"{d} ({', '.join(stale[d])})" for d in stale]
    workers = max(1, min(jobs, len(stale)))
    print(
        f"frontierbook: {len(stale)} chapter(s) to execute, {workers} at a time: "
        f"{', '.join(shown) or 'none'}"
    )
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
        # What such a run shows may come from what it wrote: it is not kept, in any edition.
        for language in languages:
            ran = sorted(d for d in seconds if language in stale[d])
            forget_runs(paths.edition(language), inputs, ran)
        raise BuildError(
            f"a chapter wrote into the book's sources while it ran: {', '.join(changed[:5])} "
            f"(in the build's copy, {source.relative_to(paths.root)}; nothing is published). "
            f"Chapters that ran: {', '.join(sorted(seconds))}"
        )

    wheel_built()
    outputs = run_editions(paths, source, languages, jobs)
    site = outputs[languages[0]]
    for language in languages[1:]:
        report_untranslated(paths.edition(language))
        outputs[language].rename(site / language)
    (site / ".nojekyll").touch()
    # Whatever is at _build/html now, this build did not write (a chapter may have made it).
    shutil.rmtree(paths.html, ignore_errors=True)
    site.rename(paths.html)
    write_stamp(paths, digest, languages)
    return sorted(seconds)


def _in_background(function, *args):
    """Start ``function(*args)`` in a thread; the returned wait() re-raises its error."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            function(*args)
        except BaseException as error:  # handed to the caller of wait()
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if outcome:
            raise outcome[0]

    return wait


def sphinx_edition(paths: BuildPaths, source: Path, out: Path, jobs: int) -> None:
    """One edition's Sphinx run into ``out``, with its catalogues compiled first."""
    print(f"frontierbook: running Sphinx ({paths.language})")
    if not paths.is_source:
        compile_catalogues(paths, source)
    run_sphinx(paths, source, out, jobs)
    # The build's own record of its configuration hash; nothing a reader needs.
    (out / ".buildinfo").unlink(missing_ok=True)


def _sphinx_in_child(
    paths: BuildPaths, source: Path, out: Path, jobs: int, errors, driver: int
) -> None:
    """Run one edition's Sphinx; put its error, or nothing, on the ``errors`` queue. Like a
    chapter's worker, it dies with the driver and holds no lock."""
    execute.start_worker(driver, str(paths.lock.resolve()))
    try:
        sphinx_edition(paths, source, out, jobs)
    except BuildError as error:
        errors.put(str(error))
    except KeyboardInterrupt as error:
        errors.put(_TERMINATED if isinstance(error, Terminated) else _INTERRUPTED)
    except BaseException as error:
        errors.put(f"{type(error).__name__}: {error} (the {paths.language!r} edition)")


_INTERRUPTED = "interrupted"
_TERMINATED = "terminated"


def run_editions(
    paths: BuildPaths, source: Path, languages: list[str], jobs: int
) -> dict[str, Path]:
    """Sphinx for every edition at once, each into a new output folder (returned by
    language): English here, each translation in a process of its own (forked, so it starts
    with what this one has imported). Each run has long serial stretches (reading the
    environment, writing the search index, publishing), which the others fill."""
    import multiprocessing

    outputs = {language: paths.edition(language).new_output() for language in languages}
    if len(languages) == 1:
        sphinx_edition(paths, source, outputs[languages[0]], jobs)
        return outputs
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    children = [
        context.Process(
            target=_sphinx_in_child,
            args=(paths.edition(language), source, outputs[language], jobs, errors, os.getpid()),
        )
        for language in languages[1:]
    ]
    for child in children:
        child.start()
    problems = []
    try:
        sphinx_edition(paths.edition(languages[0]), source, outputs[languages[0]], jobs)
    except BuildError as error:
        problems.append(str(error))
    except BaseException:
        # Interrupted or stopped: the translations' Sphinx stops too, now.
        for child in children:
            child.kill()
        raise
    finally:
        for child in children:
            child.join()
    for child, language in zip(children, languages[1:], strict=True):
        if child.exitcode != 0:
            problems.append(f"Sphinx for the {language!r} edition died (exit {child.exitcode})")
    while not errors.empty():
        problems += [problem for problem in [errors.get()] if problem]
    # A signal reaches every process of the build: it stays an interrupt, not a failure.
    if _TERMINATED in problems:
        raise Terminated(signal.SIGTERM)
    if _INTERRUPTED in problems:
        raise KeyboardInterrupt
    if problems:
        raise BuildError("\n".join(problems))
    return outputs


def report_untranslated(paths: BuildPaths) -> None:
    """One line on what a translated edition still shows in English (``make test`` fails on
    it; ``make translation-status`` lists it)."""
    from sitebuilder.translation import untranslated

    if paths.is_source:
        return
    missing = untranslated(paths.edition_dir)
    count = sum(len(messages) for messages in missing.values())
    if count:
        pages = sum(1 for messages in missing.values() if messages)
        print(
            f"frontierbook: the {paths.language!r} edition shows {count} untranslated "
            f"passage(s) on {pages} page(s); see make translation-status"
        )


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
                _stop_raising()
                remove_outputs(paths)
                return _report_failure(paths, error)
    except BuildLocked as error:
        print(f"frontierbook: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:  # while waiting for the lock
        _stop_raising()
        return _report_failure(paths, error)
    if executed is None:
        return 0
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
