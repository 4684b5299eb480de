"""The wheel that a downloaded chapter notebook installs (on Colab, say).

It holds the package's runtime code with the book's inputs inside it, under
``frontierbook/_book/`` (the tables ``data/datapackage.json`` declares, ``references.bib``,
the sources of the pages in ``_toc.yml``, which the scorecard reads for its section titles,
never a draft the book does not list, and each edition's catalogues: ``frontierbook.po``,
what the package draws in that language, and those pages', for those titles), so the
notebook runs on exactly the code and data that built the page it came from.
:mod:`frontierbook.paths` finds them there when the package is not a repository checkout.

The version carries a digest of every input (``0.1.0+<digest>``), so the file name changes
whenever the code or the data do, and a browser or pip cache can never serve an older one.
The wheel's dependencies are pinned to the versions in ``requirements.txt``. The site
builder (:mod:`sitebuilder`) is a separate package and stays out: a chapter never imports it.

The wheel is built by pip with flit_core, the build backend pinned in requirements.txt and
installed in the project venv (``--no-build-isolation``), so the build needs no network, and
with a fixed ``SOURCE_DATE_EPOCH``, so identical inputs give a byte-identical wheel. A wheel
kept from an earlier build is reused only if its bytes still hash to what was recorded when
it was built (a damaged file is built again), and ``make book-full`` builds it afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from frontierbook.i18n import DOMAIN, catalogue_path
from frontierbook.inputs import descriptor
from frontierbook.paths import PACKAGED_BOOK_DIR
from sitebuilder.toc import toc_docnames

PACKAGE = "frontierbook"
# What the chapters import at run time, pinned from requirements.txt. IPython is not pinned:
# the notebook's own kernel already provides it, and replacing it under a running kernel
# would break the session.
PINNED_DEPENDENCIES = ("frictionless", "pandas", "numpy", "matplotlib", "pybtex", "babel")
UNPINNED_DEPENDENCIES = ("ipython",)
# 1980-01-01, the earliest date a zip file can hold.
SOURCE_DATE_EPOCH = "315532800"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(requirements: Path) -> dict[str, str]:
    """``{canonical name: version}`` for every ``name==version`` line."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+).*", line)
        if match:
            pins[_canonical(match.group(1))] = match.group(2)
    return pins


def dependencies(root: Path) -> list[str]:
    pins = pinned_versions(root / "requirements.txt")
    missing = [name for name in PINNED_DEPENDENCIES if _canonical(name) not in pins]
    if missing:
        raise RuntimeError(f"requirements.txt pins no version of {', '.join(missing)}")
    return [f"{name}=={pins[_canonical(name)]}" for name in PINNED_DEPENDENCIES] + list(
        UNPINNED_DEPENDENCIES
    )


def _inputs(root: Path) -> list[tuple[str, Path]]:
    """(path inside the wheel's package, file on disk) for everything the wheel holds."""
    package = root / "src" / PACKAGE
    files = [
        (path.relative_to(package).as_posix(), path)
        for path in sorted(package.rglob("*.py"))
        if "__pycache__" not in path.parts
    ]
    data = root / "data"
    declared = ["datapackage.json", *(r["path"] for r in descriptor(data)["resources"])]
    book = [root / "references.bib", *(data / name for name in sorted(declared))]
    docnames = toc_docnames(root)
    book += [root / f"{docname}.md" for docname in docnames]
    # What the package draws in each edition's language (frontierbook.i18n), and the pages'
    # catalogues, which translate the section titles the scorecard names.
    languages = sorted(p.name for p in (root / "locales").glob("*") if p.is_dir())
    for language in languages:
        book += [
            catalogue_path(language, domain, root / "locales") for domain in (DOMAIN, *docnames)
        ]
    files += [
        (f"{PACKAGED_BOOK_DIR}/{path.relative_to(root).as_posix()}", path)
        for path in book
        if path.is_file()
    ]
    return files


def digest(root: Path) -> str:
    """Twelve hex digits of SHA-256 over the wheel's files, its metadata and dependencies."""
    hasher = hashlib.sha256()
    for name, path in _inputs(root):
        hasher.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    hasher.update((root / "pyproject.toml").read_bytes())
    hasher.update(json.dumps(dependencies(root)).encode())
    return hasher.hexdigest()[:12]


def wheel_version(root: Path) -> str:
    base = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return f"{base['version']}+{digest(root)}"


def wheel_name(root: Path) -> str:
    return f"{PACKAGE}-{wheel_version(root)}-py3-none-any.whl"


def _pyproject(root: Path, version: str) -> str:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def toml(value: object) -> str:
        return json.dumps(value)  # JSON strings and string lists are valid TOML

    return "\n".join(
        [
            "[build-system]",
            'requires = ["flit_core>=3.4,<5"]',
            'build-backend = "flit_core.buildapi"',
            "",
            "[project]",
            f"name = {toml(project['name'])}",
            f"version = {toml(version)}",
            f"description = {toml(project.get('description', ''))}",
            f"requires-python = {toml(project.get('requires-python', '>=3.11'))}",
            f"dependencies = {toml(dependencies(root))}",
            "",
        ]
    )


def _recorded(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def is_intact(target: Path) -> bool:
    """The wheel's bytes hash to what was recorded when it was built, and it opens as a zip."""
    try:
        if sha256(target) != _recorded(target).read_text(encoding="utf-8").strip():
            return False
        with zipfile.ZipFile(target) as archive:
            return archive.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def build_wheel(root: Path, dest: Path) -> Path:
    """The wheel for ``root``'s current code and data in ``dest``; built unless an intact
    one (:func:`is_intact`) is there already. flit_core packs every file of the staged
    package, ``_book/`` included."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / wheel_name(root)
    if target.is_file() and is_intact(target):
        return target
    with tempfile.TemporaryDirectory(prefix="frontierbook-wheel-") as tmp:
        staging = Path(tmp) / "project"
        for name, path in _inputs(root):
            copy = staging / "src" / PACKAGE / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        (staging / "pyproject.toml").write_text(
            _pyproject(root, wheel_version(root)), encoding="utf-8"
        )
        out = Path(tmp) / "dist"
        env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PIP_NO_INDEX="1")
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        command += ["--no-build-isolation", "--disable-pip-version-check", "-w", str(out)]
        result = subprocess.run(
            [*command, str(staging)], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"building the notebooks' wheel failed:\n{result.stderr}")
        built = out / target.name
        if not built.is_file():
            built_names = sorted(path.name for path in out.iterdir())
            raise RuntimeError(f"pip built {built_names}, not {target.name}")
        for old in dest.glob(f"{PACKAGE}-*.whl*"):
            old.unlink()
        shutil.move(built, target)
        _recorded(target).write_text(sha256(target) + "\n", encoding="utf-8")
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keep_published(built: Path, archive: Path) -> list[Path]:
    """Every wheel published from ``archive``, ``built`` added: a notebook a reader saved
    pins the wheel of the build that made it, so no published wheel is ever taken off the
    site. A damaged file in the archive is left out, never published."""
    archive.mkdir(parents=True, exist_ok=True)
    kept = archive / built.name
    if not (kept.is_file() and is_intact(kept)):
        shutil.copyfile(built, kept)
        _recorded(kept).write_text(sha256(kept) + "\n", encoding="utf-8")
    return sorted(path for path in archive.glob(f"{PACKAGE}-*.whl") if is_intact(path))
