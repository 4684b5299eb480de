"""What the build adds to and removes from ``_build/html`` once Sphinx has written it.

The site's ``data/`` is exactly the tables that ``data/datapackage.json`` declares (and that
file), validated and copied as regular files into a fresh folder, so a deleted table is
gone from the site too. Anything else in ``data/`` (an undeclared file, a symlink, a
dotfile, a folder) stops the build before Sphinx reads a page, with an
:class:`~frontierbook.inputs.InputError` naming it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from frontierbook.inputs import InputError, descriptor, shown_path
from frontierbook.paths import BIB_PATH, DATA_DIR
from sitebuilder.notebooks import publish_notebooks


def undeclared_data(data_dir: Path = DATA_DIR) -> list[str]:
    """Why each entry of ``data/`` that must not be published is there, one line each."""
    declared = {r["path"] for r in descriptor(data_dir)["resources"]} | {"datapackage.json"}
    problems = []
    for entry in sorted(Path(data_dir).iterdir()):
        shown = shown_path(entry)
        if entry.is_symlink():
            problems.append(f"{shown}: a symbolic link; data files must be regular files")
        elif entry.name.startswith("."):
            problems.append(f"{shown}: a hidden file; remove it from data/")
        elif not entry.is_file():
            problems.append(f"{shown}: a folder; data/ holds only the declared tables")
        elif entry.name not in declared:
            problems.append(
                f"{shown}: not a resource in {shown_path(Path(data_dir) / 'datapackage.json')}"
                "; declare it there or remove it"
            )
    return problems


def check_data_folder(data_dir: Path = DATA_DIR) -> None:
    """Raise :class:`InputError` listing every file in ``data/`` that is not declared."""
    problems = undeclared_data(data_dir)
    if problems:
        raise InputError(
            "data/ holds files that must not be published:\n  " + "\n  ".join(problems)
        )


def publish_data(out: Path, data_dir: Path = DATA_DIR, bib_path: Path = BIB_PATH) -> list[str]:
    """Replace ``out/data`` with the validated, declared tables; return the names copied."""
    from frontierbook.data import validate_all

    check_data_folder(data_dir)
    validate_all(data_dir, bib_path)
    target = Path(out) / "data"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    names = ["datapackage.json", *(r["path"] for r in descriptor(data_dir)["resources"])]
    for name in names:
        shutil.copyfile(Path(data_dir) / name, target / name, follow_symlinks=False)
    return names


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
    source = Path(app.srcdir)
    publish_notebooks(app, out)
    publish_data(out, source / "data", source / "references.bib")
