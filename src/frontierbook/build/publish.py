"""What the build adds to and removes from ``_build/html`` once Sphinx has written it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from frontierbook.build.notebooks import publish_notebooks
from frontierbook.paths import DATA_DIR

MATHJAX_PATH = "mathjax/tex-svg.js"


def mathjax_source() -> Path:
    """MathJax 3's self-contained TeX-to-SVG bundle, shipped on PyPI by sphinx-mathjax-offline."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("sphinx-mathjax-offline is not installed (see requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / MATHJAX_PATH


def use_local_mathjax(app: Sphinx, config) -> None:
    config.mathjax_path = MATHJAX_PATH


def publish_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    mathjax = out / "_static" / MATHJAX_PATH
    mathjax.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mathjax_source(), mathjax)
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
    publish_notebooks(app, out)
    shutil.copytree(DATA_DIR, out / "data", dirs_exist_ok=True)
