"""Execute stale chapters in parallel, before Sphinx reads them, into the Jupyter cache.

Sphinx reads pages in parallel only when more than five are out of date, and it splits them
into chunks in file order, so a few heavy chapters end up in one process. Executing the
stale chapters here first, in a pool as wide as the machine with the slowest first, and
storing each result in the Jupyter cache that MyST-NB reads (``_build/.jupyter_cache``),
leaves Sphinx only cache hits.

The driver validates every table once before the kernels start
(:func:`validate_tables_once`), so no chapter pays for Frictionless, and a bad table is
named once, not by every chapter that reads it.

Chapters execute in the build's snapshot of the sources (their kernels import the package
from it, so they read its data), and each run is stored together with the fingerprint of
the inputs it was made from (see :mod:`.fingerprint`): an input edited in the checkout
while a chapter runs is not what it reads, and makes the chapter stale at the next build.

The workers never hold the build's lock, and die with the driver: each asks the kernel to
kill it when its parent dies (SIGKILL, since nbclient catches SIGTERM and SIGINT to stop the
kernel and then carries on), and the driver kills them when it is interrupted. A kernel ends
by itself within a second of its worker (ipykernel watches its parent).

A run fails, with one readable line naming the chapter and cell, when a cell raises, writes
anything to stderr (a warning included, shown or hidden), times out or kills its kernel.
Notebooks are read with MyST-NB's own reader, so the cache key is the one MyST-NB looks up.

Each edition executes a chapter once, in its own language (``FRONTIERBOOK_LANGUAGE``), into
its own Jupyter cache. A chapter stale in several editions runs in one kernel, one edition
after the other: between two passes the kernel forgets every name the chapter defined, but
keeps the modules it imported, so a second language costs the chapter's own work and not
the second or so of starting Python, pandas and matplotlib again.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from frontierbook import i18n, reads
from sitebuilder.fingerprint import FINGERPRINT_KEY, Inputs, open_cache, read_notebook
from sitebuilder.layout import BuildPaths

TIMEOUT_SECONDS = 300
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class ChapterFailure:
    """Why one chapter's run failed: where, and (for a raised exception) its name and text."""

    message: str
    ename: str = ""
    evalue: str = ""


def _close_lock(lock: str) -> None:
    """Close any descriptor of the build's lock file a forked worker was born with."""
    folder = Path("/proc/self/fd")
    if not folder.is_dir():
        return
    for fd in folder.iterdir():
        try:
            if os.readlink(fd) == lock:
                os.close(int(fd.name))
        except OSError:
            continue


def start_worker(driver: int, lock: str) -> None:
    """In each worker, before it runs anything: die with the driver, never hold its lock."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != driver:  # the driver died before the signal was asked for
        os._exit(1)
    _close_lock(lock)


def _stderr_of(notebook) -> str:
    """The first stderr text any cell wrote, with its cell: warnings fail the build."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = "".join(output.get("text", "")).strip()
                return f"cell {index + 1} wrote to stderr: {text}"
    return ""


# Run in the kernel between two editions' passes: the chapter's names go, its imports stay.
_NEXT_EDITION = """\
get_ipython().reset(new_session=False)
import os as _os
_os.environ.update({environment!r})
del _os
"""


def _pass_environment(docname: str, paths: BuildPaths) -> dict[str, str]:
    log = paths.reads_log(docname)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    return {
        i18n.LANGUAGE_ENV: paths.language,
        reads.DOC_ENV: docname,
        reads.READS_LOG_ENV: str(log),
    }


def _run(
    docname: str, paths: BuildPaths, inputs: Inputs, languages: list[str]
) -> tuple[str, dict[str, float], ChapterFailure | None]:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async, run_sync
    from traitlets.config import Config

    path = inputs.notebooks[docname]
    editions = [paths.edition(language) for language in languages]
    # The first pass's environment is the kernel's own; the others are set by _NEXT_EDITION.
    os.environ.update(_pass_environment(docname, editions[0]))
    # The kernel imports the package from the snapshot, so it reads the snapshot's data.
    snapshot_src = str(inputs.root / "src")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [snapshot_src, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    )
    failed_cell: list[int] = []
    # A Unix socket instead of TCP: nothing listens on the network, and ipykernel has no
    # reason to warn that TCP traffic is unencrypted. Socket paths must stay short.
    sockets = tempfile.mkdtemp(prefix="fb-kernel-")
    client = NotebookClient(
        read_notebook(path),
        timeout=TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(path.parent)}},
        # Timing metadata on cells would change the cache key MyST-NB looks up.
        record_timing=False,
        on_cell_error=lambda cell, cell_index, **kw: failed_cell.append(cell_index),
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}}),
    )
    seconds: dict[str, float] = {}
    runs = []

    async def run_editions() -> None:
        async with client.async_setup_kernel():
            reply = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
            language_info = reply["content"]["language_info"]
            for index, edition in enumerate(editions):
                notebook = read_notebook(path) if index else client.nb
                client.nb = notebook
                client.reset_execution_trackers()
                started = time.perf_counter()
                if index:
                    code = _NEXT_EDITION.format(environment=_pass_environment(docname, edition))
                    msg_id = await ensure_async(
                        client.kc.execute(code, silent=True, store_history=False)
                    )
                    reply = await client.async_wait_for_reply(msg_id)
                    if reply["content"]["status"] != "ok":
                        content = reply["content"]
                        raise RuntimeError(
                            f"could not switch the kernel to {edition.language}: "
                            f"{content.get('ename')}: {content.get('evalue')}"
                        )
                notebook.metadata["language_info"] = language_info
                for cell_index, cell in enumerate(notebook.cells):
                    await client.async_execute_cell(
                        cell, cell_index, execution_count=client.code_cells_executed + 1
                    )
                seconds[edition.language] = time.perf_counter() - started
                runs.append((edition, notebook))

    failure = None
    try:
        run_sync(run_editions)()
    except CellExecutionError as error:
        where = f"cell {failed_cell[0] + 1}" if failed_cell else "a cell"
        failure = ChapterFailure(
            f"{where} raised {error.ename}: {error.evalue}", error.ename, error.evalue
        )
    except CellTimeoutError:
        failure = ChapterFailure(f"a cell did not finish within {TIMEOUT_SECONDS} seconds")
    except DeadKernelError:
        failure = ChapterFailure("the kernel died while running it (out of memory?)")
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if failure:
        failing = languages[len(runs)]
        return docname, seconds, _in_edition(failure, failing, languages)
    for edition, notebook in runs:
        stderr = _stderr_of(notebook)
        if stderr:
            return (
                docname,
                seconds,
                _in_edition(ChapterFailure(stderr), edition.language, languages),
            )
    for edition, notebook in runs:
        fingerprint = inputs.fingerprint(
            docname, reads.logged_reads(edition.reads_log(docname)), edition.language
        )
        try:
            with _writing(edition):
                cache = get_cache(str(edition.jupyter_cache))
                _store(cache, CacheBundleIn, notebook, path, fingerprint, seconds[edition.language])
        except Exception as error:
            # A full disk, say: one line, not a traceback per worker.
            where = edition.jupyter_cache.relative_to(edition.root)
            failure = ChapterFailure(f"its run could not be stored in {where}: {_reason(error)}")
            return docname, seconds, _in_edition(failure, edition.language, languages)
    return docname, seconds, None


@contextmanager
def _writing(paths: BuildPaths) -> Iterator[None]:
    """One writer at a time per Jupyter cache: jupyter-cache's bookkeeping (it may drop old
    records while it stores a new one) is not safe against another process doing the same."""
    paths.jupyter_cache.mkdir(parents=True, exist_ok=True)
    with open(paths.jupyter_cache / ".write-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _store(cache, bundle, notebook, path: Path, fingerprint: dict, seconds: float) -> None:
    """The run and its fingerprint as one record of the Jupyter cache."""
    cache.cache_notebook_bundle(
        bundle(
            notebook,
            str(path),
            data={FINGERPRINT_KEY: fingerprint, "execution_seconds": round(seconds, 2)},
        ),
        check_validity=False,
        overwrite=True,
    )


def _in_edition(failure: ChapterFailure, language: str, languages: list[str]) -> ChapterFailure:
    """``failure``, saying which edition failed when it is not the only one (English alone
    says nothing)."""
    if languages == [i18n.SOURCE_LANGUAGE]:
        return failure
    message = f"{failure.message} (in the {language!r} edition)"
    return ChapterFailure(message, failure.ename, failure.evalue)


def _reason(error: BaseException) -> str:
    """An OS or database error in one line (its traceback would say nothing more to a reader)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (f": {error.filename}" if error.filename else "")
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _execute(
    docname: str, paths: BuildPaths, inputs: Inputs, languages: list[str] | None = None
) -> tuple[str, dict[str, float], ChapterFailure | None]:
    """Run one chapter (in a worker process) once per language, in one kernel; return
    (docname, seconds per language run, failure or None)."""
    try:
        return _run(docname, paths, inputs, languages or [paths.language])
    except OSError as error:
        return docname, {}, ChapterFailure(f"the build could not write: {_reason(error)}")


def _previous_seconds(paths: BuildPaths) -> dict[str, float]:
    """Each chapter's last execution time, by source path, to start the slowest first."""
    try:
        records = open_cache(paths).list_cache_records()
    except Exception:
        return {}
    return {r.uri: (r.data or {}).get("execution_seconds", 0.0) for r in records}


def validate_tables_once(paths: BuildPaths, root: Path) -> tuple[float, dict[str, str]]:
    """Validate every table of the book in ``root`` here, once, before any kernel starts.
    The loader remembers each valid table in ``paths.validated``, which it names in
    ``FRONTIERBOOK_VALIDATED_DIR`` (:mod:`frontierbook.reads`) for the kernels started after
    it, so the chapters skip Frictionless, whose import and checks would otherwise cost
    every chapter that reads data a second or more. Returns the seconds it took and, for
    each table that failed, its message (naming file, row and column); the chapters still
    run, so the build reports their other faults beside it."""
    from frontierbook.data import DataError, load_table, table_names

    started = time.perf_counter()
    os.environ[reads.VALIDATED_DIR_ENV] = str(paths.validated)
    data_dir, bib_path = root / "data", root / "references.bib"
    failed = {}
    for name in table_names(data_dir):
        try:
            load_table(name, data_dir, bib_path)
        except DataError as error:
            failed[error.problems[0].file] = str(error)
    return time.perf_counter() - started, failed


def undrawable_text(root: Path) -> list[str]:
    """Every cell of ``root``'s tables holding a character that no chart font on this
    machine draws (:func:`frontierbook.style.missing_glyphs`), one line each, naming the
    file, row and column: found here, before a chart fails on it in some chapter."""
    import csv
    import io

    from frontierbook.inputs import descriptor
    from frontierbook.style import FALLBACK_FONTS, chart_fonts, missing_glyphs

    data = root / "data"
    problems = []
    for resource in descriptor(data)["resources"]:
        path = data / resource["path"]
        text_columns = {
            f["name"] for f in resource["schema"]["fields"] if f.get("type", "string") == "string"
        }
        try:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8").lstrip("\ufeff"))))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # reported by validation
        header = rows[0] if rows else []
        for number, row in enumerate(rows[1:], start=2):
            for column, cell in zip(header, row, strict=False):
                missing = missing_glyphs(cell) if column in text_columns else []
                if missing:
                    shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
                    problems.append(
                        f"data/{resource['path']}, row {number}, column '{column}': no chart "
                        f"font draws {shown}"
                    )
    if problems:
        missing_fonts = [f for f, _ in FALLBACK_FONTS if f not in chart_fonts()]
        problems.append(
            f"(chart fonts on this machine: {', '.join(chart_fonts())}"
            + (f"; `make fonts` installs {', '.join(missing_fonts)})" if missing_fonts else ")")
        )
    return problems


def execute_stale(
    paths: BuildPaths, inputs: Inputs, stale: list[str] | dict[str, list[str]], jobs: int
) -> tuple[dict[str, float], dict[str, ChapterFailure]]:
    """Execute the stale chapters, slowest first, each in one kernel for every edition it is
    stale in: ``stale`` maps a docname to its languages (a list means ``paths``' edition).
    Return each chapter's seconds (all its editions) and any failures."""
    if not isinstance(stale, dict):
        stale = {docname: [paths.language] for docname in stale}
    sources = inputs.notebooks
    previous = _previous_seconds(paths)
    order = sorted(
        stale,
        key=lambda d: (
            previous.get(str(sources[d]), 0.0) * len(stale[d]),
            sources[d].stat().st_size,
        ),
        reverse=True,
    )
    times: dict[str, float] = {}
    errors: dict[str, ChapterFailure] = {}
    if not order:
        return times, errors
    # Create the cache databases here, before the workers race to create them.
    for language in sorted({language for languages in stale.values() for language in languages}):
        open_cache(paths.edition(language))
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(order))),
        initializer=start_worker,
        initargs=(os.getpid(), str(paths.lock.resolve())),
    )
    try:
        futures = [pool.submit(_execute, d, paths, inputs, stale[d]) for d in order]
        for future in as_completed(futures):
            docname, seconds, error = future.result()
            times[docname] = sum(seconds.values())
            if error:
                errors[docname] = error
            else:
                each = " + ".join(f"{t:.2f} s ({language})" for language, t in seconds.items())
                done = f"{len(times)} of {len(order)}"
                print(f"frontierbook: executed {docname} in {each} ({done})", flush=True)
    except BaseException:
        # Interrupted, or stopped by a signal: end the chapters now rather than wait for them.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return times, errors
