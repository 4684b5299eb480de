"""Execute stale chapters in parallel before Sphinx reads them.

Sphinx reads pages in parallel only when more than five are out of date, and it splits them
into chunks in file order, so a few heavy chapters end up in one process. Executing the
stale chapters here first, in a pool as wide as the machine with the slowest first, and
storing each result in the Jupyter cache that MyST-NB reads (``_build/.jupyter_cache``),
leaves Sphinx only cache hits. A notebook that fails here fails the build with its cell's
traceback, which names the file, the row and the column of a data error.

Notebooks are read with MyST-NB's own reader, so the cache key (the code cells, their
metadata and the kernelspec) is exactly the one MyST-NB looks up. Should a key ever differ,
MyST-NB simply executes the chapter itself: slower, never stale.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from frontierbook import reads
from frontierbook.build import fingerprint

TIMEOUT_SECONDS = 300


def _read(source: Path):
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = source.read_text(encoding="utf-8")
    reader = create_nb_reader(str(source), MdParserConfig(), NbParserConfig(), text)
    if reader is None:
        raise ValueError(f"{source} is not a MyST Markdown notebook")
    return reader.read(text)


def _execute(docname: str, source: str, cache_path: str, deps_log: str) -> tuple[str, float, str]:
    """Run one chapter (in a worker process); return (docname, seconds, error text or '')."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ[reads.DOC_ENV] = docname
    os.environ[reads.READS_LOG_ENV] = deps_log
    path = Path(source)
    notebook = _read(path)
    started = time.perf_counter()
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(path.parent)}},
        # Timing metadata on cells would change the cache key MyST-NB looks up.
        record_timing=False,
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return docname, time.perf_counter() - started, str(error)
    seconds = time.perf_counter() - started
    get_cache(cache_path).cache_notebook_bundle(
        CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )
    return docname, seconds, ""


def execute_stale(root: Path, stale: list[str], jobs: int) -> tuple[dict[str, float], dict]:
    """Execute ``stale`` chapters, slowest first; return their times and any errors."""
    book = fingerprint.Book(root)
    sources = book.notebooks()
    previous = book.load_manifest()
    # Slowest first keeps the pool busy to the end; unknown chapters go by size.
    order = sorted(
        stale,
        key=lambda d: (previous.get(d, {}).get("seconds", 0.0), sources[d].stat().st_size),
        reverse=True,
    )
    times: dict[str, float] = {}
    errors: dict[str, str] = {}
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(order) or 1))) as pool:
        futures = [
            pool.submit(_execute, d, str(sources[d]), str(book.cache), str(book.deps_log))
            for d in order
        ]
        for future in futures:
            docname, seconds, error = future.result()
            times[docname] = seconds
            if error:
                errors[docname] = error
    return times, errors
