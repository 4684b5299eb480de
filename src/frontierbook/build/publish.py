"""What the build adds to and removes from ``_build/html`` once Sphinx has written it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from frontierbook.build.notebooks import NOTEBOOK_DIR, downloadable_notebook, is_notebook
from frontierbook.paths import DATA_DIR


def publish_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    # Unused weight: source maps are for debugging the theme's JavaScript; the theme's
    # translation catalogues are read at build time only; browsers that load these pages all
    # take the WOFF2 fonts, so the TrueType copies beside them are never fetched.
    for source_map in out.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(out / "_static" / "locales", ignore_errors=True)
    # Incremental builds add a new file for every redrawn chart; drop the ones no page shows.
    shown = {
        name
        for page in out.rglob("*.html")
        for name in re.findall(r"_images/([^\"'#?]+)", page.read_text(encoding="utf-8"))
    }
    for image in (out / "_images").glob("*"):
        if image.name not in shown:
            image.unlink()
    for font in (out / "_static").rglob("*.ttf"):
        if font.with_suffix(".woff2").exists():
            font.unlink()
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        if is_notebook(app, docname):
            target = out / NOTEBOOK_DIR / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(downloadable_notebook(source, app.config), encoding="utf-8")
    shutil.copytree(DATA_DIR, out / "data", dirs_exist_ok=True)
