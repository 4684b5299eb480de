"""Execute stale chapters in parallel, before Sphinx reads them, into the Jupyter cache.

Sphinx reads pages in parallel only when more than five are out of date, and it splits them
into chunks in file order, so a few heavy chapters end up in one process. Executing the
stale chapters here first, in a pool as wide as the machine with the slowest first, and
storing each result in the Jupyter cache that MyST-NB reads (``_build/.jupyter_cache``),
leaves Sphinx only cache hits.

The driver validates every table once before the kernels start
(:func:`validate_tables_once`), so no chapter pays for Frictionless.

Each run is stored together with the fingerprint of the inputs it was made from (see
:mod:`.fingerprint`); the hashes are taken before the run starts, so an input edited during
the run makes the chapter stale again at the next build rather than silently current.

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

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from frontierbook import i18n, reads
from sitebuilder.fingerprint import FINGERPRINT_KEY, Inputs, open_cache, read_notebook
from sitebuilder.layout import BuildPaths

TIMEOUT_SECONDS = 300


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


def _execute(
    docname: str, paths: BuildPaths, inputs: Inputs, languages: list[str] | None = None
) -> tuple[str, dict[str, float], str]:
    """Run one chapter (in a worker process) once per language, in one kernel; return
    (docname, seconds per language run, error or '')."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async, run_sync
    from traitlets.config import Config

    languages = languages or [paths.language]
    path = inputs.notebooks[docname]
    editions = [paths.edition(language) for language in languages]
    # The first pass's environment is the kernel's own; the others are set by _NEXT_EDITION.
    os.environ.update(_pass_environment(docname, editions[0]))
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

    where = ""
    try:
        run_sync(run_editions)()
    except CellExecutionError as error:
        where = f"cell {failed_cell[0] + 1}" if failed_cell else "a cell"
        where = f"{where} raised {error.ename}: {error.evalue}"
    except CellTimeoutError:
        where = f"a cell did not finish within {TIMEOUT_SECONDS} seconds"
    except DeadKernelError:
        where = "the kernel died while running it (out of memory?)"
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if where:
        failing = languages[len(runs)]
        return docname, seconds, where + _in_edition(failing, languages)
    for edition, notebook in runs:
        stderr = _stderr_of(notebook)
        if stderr:
            return docname, seconds, stderr + _in_edition(edition.language, languages)
    for edition, notebook in runs:
        lines = edition.reads_log(docname).read_text(encoding="utf-8").splitlines()
        tables = [json.loads(line)["table"] for line in lines]
        fingerprint = inputs.fingerprint(docname, tables, edition.language)
        with _writing(edition):
            cache = get_cache(str(edition.jupyter_cache))
            _store(cache, CacheBundleIn, notebook, path, fingerprint, seconds[edition.language])
    return docname, seconds, ""


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


def _in_edition(language: str, languages: list[str]) -> str:
    """Which edition failed, when it is not the only one (English alone says nothing)."""
    if languages == [i18n.SOURCE_LANGUAGE]:
        return ""
    return f" (in the {language!r} edition)"


def _previous_seconds(paths: BuildPaths) -> dict[str, float]:
    """Each chapter's last execution time, by source path, to start the slowest first."""
    try:
        records = open_cache(paths).list_cache_records()
    except Exception:
        return {}
    return {r.uri: (r.data or {}).get("execution_seconds", 0.0) for r in records}


def validate_tables_once(paths: BuildPaths) -> float:
    """Validate every table here, once, before any kernel starts. The loader remembers each
    valid table in ``paths.validated``, which it names in ``FRONTIERBOOK_VALIDATED_DIR``
    (:mod:`frontierbook.reads`) for the kernels started after it, so the chapters skip
    Frictionless, whose import and checks would otherwise cost every chapter that reads
    data a second or more. A table that fails is left to the chapters that read it: they
    name its file, row and column, beside any other fault the build finds. Returns the
    seconds it took."""
    from frontierbook.data import DataError, load_table, table_names

    started = time.perf_counter()
    os.environ[reads.VALIDATED_DIR_ENV] = str(paths.validated)
    data_dir, bib_path = paths.root / "data", paths.root / "references.bib"
    for name in table_names(data_dir):
        try:
            load_table(name, data_dir, bib_path)
        except DataError:
            continue
    return time.perf_counter() - started


def execute_stale(
    paths: BuildPaths, inputs: Inputs, stale: list[str] | dict[str, list[str]], jobs: int
) -> tuple[dict[str, float], dict[str, str]]:
    """Execute the stale chapters, slowest first, each in one kernel for every edition it is
    stale in: ``stale`` maps a docname to its languages (a list means ``paths``' edition).
    Return each chapter's seconds (all its editions) and any errors."""
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
    errors: dict[str, str] = {}
    if not order:
        return times, errors
    # Create the cache databases here, before the workers race to create them.
    for language in sorted({language for languages in stale.values() for language in languages}):
        open_cache(paths.edition(language))
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(order)))) as pool:
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
    return times, errors
