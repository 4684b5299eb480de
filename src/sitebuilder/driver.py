"""Build the book: ``python -m sitebuilder`` (what ``make book`` runs).

The whole path, top to bottom (:func:`build`):

1. Take the lock ``_build/.lock``; a second build of the same checkout stops at once.
2. If every input is byte-for-byte what the book in ``_build/html`` was built from, stop.
3. Otherwise remove ``_build/html`` and the stamp that vouches for it, then find the
   chapters with no cached run made from their current inputs (:mod:`.fingerprint`).
4. Validate every table once, then execute those chapters, in parallel, into the Jupyter
   cache (:mod:`.execute`).
5. Run Sphinx from scratch into ``_build/html.partial``; every chapter is a cache hit, so
   this takes seconds, and an incremental build is the same Sphinx run as a full one.
6. Rename it to ``_build/html`` and write the stamp.

Whatever stops a build (a data error, a failing cell, a warning, a timeout, Ctrl-C, a bug)
ends it with one readable message, exit status 1 (130 for Ctrl-C) and no ``_build/html``.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import re
import shutil
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from frontierbook.paths import ROOT
from sitebuilder import execute, speedups
from sitebuilder.fingerprint import Inputs, sources_digest, stale_chapters
from sitebuilder.layout import BuildPaths


class BuildError(Exception):
    """A build stopped for a reason the reader can fix; the message names the input."""


class BuildLocked(Exception):
    """Another build of the same checkout holds the lock."""


@contextmanager
def build_lock(paths: BuildPaths) -> Iterator[None]:
    """Hold ``_build/.lock`` for the whole build. The kernel releases it when the process
    ends, however it ends, so a killed build never leaves a stale lock behind."""
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise BuildLocked(
                f"another build of this checkout is running (process {holder}); "
                "wait for it to finish, then run make book again"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def remove_outputs(paths: BuildPaths) -> None:
    """No HTML and no stamp: nothing from an unfinished build can be published or reused."""
    paths.published_stamp.unlink(missing_ok=True)
    (paths.build_dir / "error.log").unlink(missing_ok=True)
    for folder in (paths.html, paths.html_partial, paths.doctrees):
        shutil.rmtree(folder, ignore_errors=True)


def run_sphinx(paths: BuildPaths, jobs: int) -> None:
    """A fresh Sphinx build into ``html.partial``; raise :class:`BuildError` on any warning."""
    from jupyter_book.sphinx import build_sphinx

    root = paths.root
    warnings = io.StringIO()
    stderr, sys.stderr = sys.stderr, warnings
    try:
        result = build_sphinx(
            str(root),
            str(paths.html_partial),
            noconfig=True,
            path_config=str(root / "_config.yml"),
            doctreedir=str(paths.doctrees),
            # What `jupyter-book build . -n` passes. A relative table of contents keeps
            # absolute paths out of the configuration Sphinx hashes and publishes.
            confoverrides={
                "external_toc_path": "_toc.yml",
                "latex_individualpages": False,
                "nitpicky": True,
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
    # Jupyter Book catches Ctrl-C and returns it.
    if isinstance(result, KeyboardInterrupt):
        raise result
    if result != 0 or not (paths.html_partial / "index.html").is_file():
        text = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())  # colours
        lines = [
            line.replace(f"{root}/", "")
            for line in text.splitlines()
            if "WARNING" in line or "ERROR" in line
        ]
        if not lines and isinstance(result, Exception):
            lines = [f"{type(result).__name__}: {result}"]
        if not lines:
            lines = [text.strip().splitlines()[-1] if text.strip() else "no index.html"]
        raise BuildError("Sphinx stopped:\n  " + "\n  ".join(lines))


def check_inputs(paths: BuildPaths) -> None:
    """The shared inputs parse and ``data/`` holds only what may be published. Checked before
    anything executes, so a bad input is named once, not in every chapter's traceback."""
    from frontierbook.citations import citation_labels
    from frontierbook.inputs import InputError, descriptor
    from sitebuilder.publish import check_data_folder

    try:
        descriptor(paths.root / "data")
        citation_labels(paths.root / "references.bib")  # parses it, then checks the labels
        check_data_folder(paths.root / "data")
    except InputError as error:
        raise BuildError(str(error)) from None


def build(paths: BuildPaths, full: bool = False, jobs: int | None = None) -> list[str] | None:
    """Build ``paths.root`` into ``_build/html``; return the chapters executed, or None when
    nothing changed and nothing was built."""
    jobs = jobs or os.cpu_count() or 1
    if full:
        shutil.rmtree(paths.jupyter_cache, ignore_errors=True)
        shutil.rmtree(paths.state, ignore_errors=True)
    digest = sources_digest(paths.root)
    if _published_digest(paths) == digest and (paths.html / "index.html").is_file():
        print("frontierbook: nothing changed since the last build; _build/html is current")
        return None
    remove_outputs(paths)
    check_inputs(paths)

    inputs = Inputs(paths.root)
    # Hashed once, now, before anything executes; the workers get these hashes.
    inputs.hash_all()
    stale = stale_chapters(paths, inputs)
    workers = max(1, min(jobs, len(stale)))
    print(
        f"frontierbook: {len(stale)} chapter(s) to execute, {workers} at a time: "
        f"{', '.join(stale) or 'none'}"
    )
    if stale:
        seconds = execute.validate_tables_once(paths)
        print(f"frontierbook: validated the tables in {seconds:.2f} seconds")
    seconds, errors = execute.execute_stale(paths, inputs, stale, jobs)
    if errors:
        raise BuildError(
            "\n".join(
                f"{inputs.notebooks[d].relative_to(paths.root)}, {e}" for d, e in errors.items()
            )
        )

    print("frontierbook: running Sphinx (every chapter from the cache; seconds)")
    run_sphinx(paths, jobs)
    # The build's own record of its configuration hash; nothing a reader needs.
    (paths.html_partial / ".buildinfo").unlink(missing_ok=True)
    (paths.html_partial / ".nojekyll").touch()
    paths.html_partial.rename(paths.html)
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.published_stamp.write_text(json.dumps({"sources": digest}), encoding="utf-8")
    return sorted(seconds)


def _published_digest(paths: BuildPaths) -> str | None:
    try:
        return json.loads(paths.published_stamp.read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError):
        return None


def main(argv: list[str] | None = None) -> int:
    speedups.skip_rfc3987_syntax()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="forget all state; execute all")
    parser.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    args = parser.parse_args(argv)
    paths = BuildPaths(ROOT)
    started = time.perf_counter()
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
    if executed is None:
        return 0
    print(
        f"frontierbook: built _build/html in {time.perf_counter() - started:.1f} s; "
        f"executed {len(executed)} chapter(s): {', '.join(executed) or 'none'}"
    )
    return 0


def _report_failure(paths: BuildPaths, error: BaseException) -> int:
    if isinstance(error, KeyboardInterrupt):
        print("\nfrontierbook: interrupted; _build/html removed", file=sys.stderr)
        return 130
    if isinstance(error, BuildError):
        message = str(error)
    elif isinstance(error, SystemExit | GeneratorExit):
        raise error
    else:
        # Unexpected: one line here, the traceback in a file for whoever debugs it.
        log = paths.build_dir / "error.log"
        log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        message = f"{type(error).__name__}: {error} (traceback in {log.relative_to(paths.root)})"
    print(f"frontierbook: the build FAILED; _build/html removed.\n{message}", file=sys.stderr)
    return 1
