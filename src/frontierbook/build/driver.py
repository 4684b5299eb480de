"""Build the book: ``python -m frontierbook.build`` (what ``make book`` runs).

Executes exactly the chapters whose inputs changed (see :mod:`.fingerprint`),
in parallel and slowest first (:mod:`.execute`); reads pages in parallel;
treats every warning as an error; and on failure removes the HTML and the build state so
nothing stale can be published or reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from frontierbook import reads
from frontierbook.build import execute, fingerprint
from frontierbook.paths import ROOT


def _wipe_outputs(root: Path) -> None:
    build = root / "_build"
    for path in (build / "html", build / ".doctrees"):
        shutil.rmtree(path, ignore_errors=True)
    fingerprint.Book(root).forget()


def build(root: Path = ROOT, full: bool = False, jobs: int | None = None) -> int:
    """Build ``root`` into ``root/_build/html``; return the exit code."""
    started = time.perf_counter()
    from jupyter_book.sphinx import build_sphinx

    book = fingerprint.Book(root)
    if full:
        _wipe_outputs(root)
        shutil.rmtree(book.cache, ignore_errors=True)
    stale = fingerprint.prepare(root)
    print(f"frontierbook: {len(stale)} chapter(s) to execute: {', '.join(stale) or 'none'}")
    jobs = jobs or os.cpu_count() or 1
    seconds, errors = execute.execute_stale(root, stale, jobs)
    for docname, took in seconds.items():
        print(f"frontierbook: executed {docname} in {took:.2f} seconds")
    if errors:
        for docname, error in errors.items():
            print(f"frontierbook: executing {docname} failed:\n{error}", file=sys.stderr)
        _wipe_outputs(root)
        print("frontierbook: the build FAILED (see above); _build/html removed", file=sys.stderr)
        return 1
    os.environ[reads.READS_LOG_ENV] = str(book.deps_log)
    result = build_sphinx(
        str(root),
        str(root / "_build" / "html"),
        noconfig=True,
        path_config=str(root / "_config.yml"),
        doctreedir=str(root / "_build" / ".doctrees"),
        # What `jupyter-book build . -n` passes, plus the -n (nitpicky) flag.
        confoverrides={
            "external_toc_path": (root / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nitpicky": True,
        },
        warningiserror=True,
        keep_going=True,
        jobs=jobs,
    )
    if result != 0 or not (root / "_build" / "html" / "index.html").is_file():
        # A parallel reader's failure reaches us with only the exception's first line; its
        # traceback holds the failing cell's error (a DataError names file, row, column).
        detail = getattr(result, "traceback", None)
        if detail:
            print(detail, file=sys.stderr)
        _wipe_outputs(root)
        print("frontierbook: the build FAILED (see above); _build/html removed", file=sys.stderr)
        return 1
    executed = fingerprint.record(root, seconds)
    (root / "_build" / "html" / ".nojekyll").touch()
    elapsed = time.perf_counter() - started
    print(
        f"frontierbook: built _build/html in {elapsed:.1f} s; executed {len(executed)} "
        f"chapter(s): {', '.join(sorted(executed)) or 'none'}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    # jsonschema (imported by Jupyter Book, nbformat and jupyter-cache) loads the optional
    # rfc3987_syntax package when present, which compiles a grammar for 1.7 s in every
    # process, only to check the "iri" string format. No schema in this build uses that
    # format, so the build driver and its workers skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="forget all state; execute all")
    parser.add_argument("--jobs", type=int, default=None, help="parallel readers (default: cores)")
    args = parser.parse_args(argv)
    return build(ROOT, full=args.full, jobs=args.jobs)
