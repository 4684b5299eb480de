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
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from frontierbook import reads
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


def _execute(docname: str, paths: BuildPaths, inputs: Inputs) -> tuple[str, float, str]:
    """Run one chapter (in a worker process); return (docname, seconds, error or '')."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    path = inputs.notebooks[docname]
    log = paths.reads_log(docname)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    os.environ[reads.DOC_ENV] = docname
    os.environ[reads.READS_LOG_ENV] = str(log)
    notebook = read_notebook(path)
    failed_cell: list[int] = []
    # A Unix socket instead of TCP: nothing listens on the network, and ipykernel has no
    # reason to warn that TCP traffic is unencrypted. Socket paths must stay short.
    sockets = tempfile.mkdtemp(prefix="fb-kernel-")
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(path.parent)}},
        # Timing metadata on cells would change the cache key MyST-NB looks up.
        record_timing=False,
        on_cell_error=lambda cell, cell_index, **kw: failed_cell.append(cell_index),
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}}),
    )
    started = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        where = f"cell {failed_cell[0] + 1}" if failed_cell else "a cell"
        return docname, 0.0, f"{where} raised {error.ename}: {error.evalue}"
    except CellTimeoutError:
        return docname, 0.0, f"a cell did not finish within {TIMEOUT_SECONDS} seconds"
    except DeadKernelError:
        return docname, 0.0, "the kernel died while running it (out of memory?)"
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    seconds = time.perf_counter() - started
    stderr = _stderr_of(notebook)
    if stderr:
        return docname, seconds, stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    fingerprint = inputs.fingerprint(docname, [json.loads(line)["table"] for line in lines])
    get_cache(str(paths.jupyter_cache)).cache_notebook_bundle(
        CacheBundleIn(
            notebook,
            str(path),
            data={FINGERPRINT_KEY: fingerprint, "execution_seconds": round(seconds, 2)},
        ),
        check_validity=False,
        overwrite=True,
    )
    return docname, seconds, ""


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
    paths: BuildPaths, inputs: Inputs, stale: list[str], jobs: int
) -> tuple[dict[str, float], dict[str, str]]:
    """Execute ``stale`` chapters, slowest first; return their times and any errors."""
    sources = inputs.notebooks
    previous = _previous_seconds(paths)
    order = sorted(
        stale,
        key=lambda d: (previous.get(str(sources[d]), 0.0), sources[d].stat().st_size),
        reverse=True,
    )
    times: dict[str, float] = {}
    errors: dict[str, str] = {}
    if not order:
        return times, errors
    # Create the cache database here, before the workers race to create it.
    open_cache(paths)
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(order)))) as pool:
        futures = [pool.submit(_execute, d, paths, inputs) for d in order]
        for future in as_completed(futures):
            docname, seconds, error = future.result()
            times[docname] = seconds
            if error:
                errors[docname] = error
            else:
                done = f"{len(times)} of {len(order)}"
                line = f"frontierbook: executed {docname} in {seconds:.2f} seconds ({done})"
                print(line, flush=True)
    return times, errors
