"""The book on every supported Python (3.11, 3.12, 3.13), and `make`'s first step.

- tools/venv.sh, which every `make` target that needs .venv runs first, stops with one line
  naming the problem when the Python named by PYTHON is missing, broken or unsupported, or
  when none is found, before it installs anything; a failed install is one line that quotes
  pip's error and names its log.
- One other supported Python than .venv's builds the whole book with `make book PYTHON=...`
  in a copy: every chapter executes on it, and the published numbers and charts are the
  ones .venv's Python built. The CI matrix (.github/workflows/book.yml) runs all of
  `make test` on each supported version.
- The supported versions are named once each in tools/venv.sh, tools/lock.py, the CI matrix,
  pyproject.toml and the README, and they agree (the workflow's shape: test_publishing.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from frontierbook.paths import ROOT
from sitebuilder.pdf import BOOK_PDF, without_pdf_link
from sitebuilder.toc import notebook_sources

VENV_SCRIPT = ROOT / "tools" / "venv.sh"
SUPPORTED = ("3.11", "3.12", "3.13")
WANTED = "the book needs Python 3.11, 3.12 or 3.13"
CURRENT = "{}.{}".format(*sys.version_info[:2])


def _script_list(path: Path, name: str) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".sh":
        return tuple(re.search(rf"^{name}=\(([^)]*)\)", text, re.MULTILINE).group(1).split())
    return tuple(re.findall(r'"(3\.\d+)"', re.search(rf"^{name} = \(([^)]*)\)", text, re.M)[1]))


# --- One list of supported versions ---------------------------------------------------------


def test_every_place_names_the_same_supported_versions() -> None:
    assert _script_list(VENV_SCRIPT, "SUPPORTED") == SUPPORTED
    assert _script_list(ROOT / "tools" / "lock.py", "SUPPORTED") == SUPPORTED
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    matrix = flow["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert tuple(leg["python"] for leg in matrix) == SUPPORTED
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'requires-python = ">={SUPPORTED[0]}"' in pyproject
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11, 3.12 or 3.13" in readme and "PYTHON=" in readme


def test_venv_script_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck is not installed in .venv: run `make venv`"
    result = subprocess.run(
        [shellcheck, "--severity=style", str(VENV_SCRIPT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


# --- tools/venv.sh: one clear line, before anything is installed ---------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """What tools/venv.sh reads (itself, requirements.txt, pyproject.toml), and a bin/ folder
    for fake interpreters that comes first on PATH."""
    (tmp_path / "tools").mkdir()
    shutil.copy2(VENV_SCRIPT, tmp_path / "tools" / "venv.sh")
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "bin").mkdir()
    return tmp_path


def _fake(workspace: Path, name: str, body: str) -> Path:
    path = workspace / "bin" / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _venv_sh(workspace: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "VIRTUAL_ENV")}
    clean["PATH"] = f"{workspace / 'bin'}{os.pathsep}{clean['PATH']}"
    return subprocess.run(
        [str(workspace / "tools" / "venv.sh")],
        cwd=workspace,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


def test_an_unsupported_python_stops_before_anything_is_made(workspace: Path) -> None:
    old = _fake(workspace, "python3.10", "echo 3.10")
    line = _one_line(_venv_sh(workspace, PYTHON=str(old)))
    assert line == f"make: PYTHON={old} is Python 3.10; {WANTED}"
    assert not (workspace / ".venv").exists()


def test_a_missing_or_broken_python_is_named(workspace: Path) -> None:
    line = _one_line(_venv_sh(workspace, PYTHON="python3.99"))
    assert line == f"make: PYTHON=python3.99: no such command; {WANTED}"
    # What a pyenv shim for a version that is installed but not enabled does.
    not_enabled = "echo 'pyenv: python3.12: command not found' >&2; exit 127"
    shim = _fake(workspace, "python3.12", not_enabled)
    line = _one_line(_venv_sh(workspace, PYTHON=str(shim)))
    assert line == (
        f"make: PYTHON={shim} does not run (pyenv: python3.12: command not found); {WANTED}"
    )
    assert not (workspace / ".venv").exists()


def test_no_supported_python_found_names_what_was_tried(workspace: Path) -> None:
    # Fakes first on PATH shadow whatever this machine has under these names.
    _fake(workspace, "python3", "echo 3.10")
    for name in ("python3.13", "python3.12", "python3.11"):
        _fake(workspace, name, "exit 127")
    line = _one_line(_venv_sh(workspace))
    assert line == (
        "make: no Python 3.11, 3.12 or 3.13 found (python3 is 3.10, python3.13 does not run, "
        "python3.12 does not run, python3.11 does not run); install one, or name it: "
        "make book PYTHON=/path/to/python3.12"
    )
    assert not (workspace / ".venv").exists()


@pytest.mark.slow
def test_a_failed_install_is_one_line_naming_pip_s_error_and_log(workspace: Path) -> None:
    (workspace / "requirements.txt").write_text(
        "no-such-package-for-this-book==1.0\n", encoding="utf-8"
    )
    offline = {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""}
    result = _venv_sh(workspace, PYTHON=sys.executable, **offline)
    line = _one_line(result)
    assert line.startswith(f"make: installing requirements.txt with Python {CURRENT} failed: ")
    assert "No matching distribution found for no-such-package-for-this-book==1.0" in line
    assert line.endswith("pip's output: .venv/install.log")
    assert "installing 1 packages into .venv" in result.stdout
    assert "no-such-package" in (workspace / ".venv" / "install.log").read_text()
    # Nothing vouches for the half-made .venv: the next run tries again, and fails again.
    assert not (workspace / ".venv" / ".installed-requirements").exists()
    assert _venv_sh(workspace, PYTHON=sys.executable, **offline).returncode == 1


# --- The whole book on a second Python -------------------------------------------------------


def _version_of(python: str) -> str | None:
    try:
        result = subprocess.run(
            [python, "-c", 'import sys; print("%d.%d" % sys.version_info[:2])'],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _makes_venvs(python: str) -> bool:
    # Debian's python3.X without its python3.X-venv package cannot (the CI images have one).
    check = [python, "-c", "import ensurepip, venv"]
    return subprocess.run(check, capture_output=True, timeout=30).returncode == 0


def other_python() -> tuple[str, str] | None:
    """(interpreter, version) of the newest supported Python other than this one that can
    make a venv: the one named by BOOK_OTHER_PYTHON, else one on PATH or in pyenv's
    versions folder."""
    named = os.environ.get("BOOK_OTHER_PYTHON")
    if named:
        return named, _version_of(named) or "none"
    for version in reversed(SUPPORTED):
        if version == CURRENT:
            continue
        candidates = [shutil.which(f"python{version}")]
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        candidates += sorted(map(str, pyenv.glob(f"{version}.*/bin/python{version}")))
        for candidate in filter(None, candidates):
            if _version_of(candidate) == version and _makes_venvs(candidate):
                return candidate, version
    return None


def _copy_sources(target: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".venv", "_build", ".git", "__pycache__", "*.egg-info", ".*_cache"
    )
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


@pytest.mark.slow
@pytest.mark.build
def test_the_book_builds_the_same_on_a_second_python(built_book: Path, tmp_path: Path) -> None:
    found = other_python()
    if found is None:
        pytest.skip(
            f"no supported Python other than {CURRENT} here (set BOOK_OTHER_PYTHON); "
            "the CI matrix builds the book on each"
        )
    python, version = found
    assert version in SUPPORTED, f"BOOK_OTHER_PYTHON={python} is Python {version}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "VIRTUAL_ENV")}

    # Its venv is kept inside .venv (made by the same tools/venv.sh), so only the first run,
    # or one after requirements.txt changed, pays for installing.
    started = time.perf_counter()
    venv = f".venv/pythons/{version}"
    made = subprocess.run(
        ["make", "--no-print-directory", "venv", f"VENV={venv}", f"PYTHON={python}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    install_seconds = time.perf_counter() - started

    # A clean copy whose .venv is that venv: what `make book PYTHON=...` does on a checkout.
    book = _copy_sources(tmp_path / "book")
    (book / ".venv").symlink_to(ROOT / venv)
    started = time.perf_counter()
    result = subprocess.run(
        ["make", "--no-print-directory", "book", f"PYTHON={python}"],
        cwd=book,
        env={**env, "PYTHONPATH": str(book / "src")},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    build_seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    print(
        f"\nPython {version}: venv {install_seconds:.0f} s, cold book build {build_seconds:.0f} s"
    )

    # Every chapter executed, in kernels of that Python.
    chapters = notebook_sources(book)
    assert f"executed {len(chapters)} chapter(s)" in result.stdout, result.stdout
    runs = sorted((book / "_build" / ".jupyter_cache" / "executed").glob("*/base.ipynb"))
    assert len(runs) == len(chapters)
    for run in runs:
        ran_on = json.loads(run.read_text("utf-8"))["metadata"]["language_info"]["version"]
        assert ran_on.startswith(f"{version}."), f"{run}: ran on Python {ran_on}"

    # The same book as .venv's Python built: every file, every page, every published number,
    # every chart. A chart is compared as XML (canonical form): IPython's SVG display passes
    # it through xml.dom.minidom, which escapes quotes in text up to Python 3.12 and not from
    # 3.13, so its bytes, and the file name taken from them, may differ.
    html = book / "_build" / "html"
    assert _files(html) == _files(built_book)
    for name in ("numbers/numbers.json", "numbers/numbers.csv"):
        assert (html / name).read_bytes() == (built_book / name).read_bytes(), name
    # The session's book is `make pdf`'s: the same pages, with the PDF in their menus.
    for page in sorted(built_book.rglob("*.html")):
        ours = without_pdf_link(page.read_text("utf-8"))
        theirs = (html / page.relative_to(built_book)).read_text()
        assert CHART.sub("CHART", theirs) == CHART.sub("CHART", ours), page.name
        rel = page.relative_to(built_book)
        mine_root, their_root = _edition_root(built_book, rel), _edition_root(html, rel)
        for mine, other in zip(CHART.findall(ours), CHART.findall(theirs), strict=True):
            assert _xml(mine_root / mine) == _xml(their_root / other), f"{page.name}: {mine}"


def _edition_root(html: Path, page: Path) -> Path:
    """The folder whose `_images/` a page's charts are in: a translation has its own."""
    edition = html / page.parts[0]
    return edition if len(page.parts) > 1 and (edition / "_images").is_dir() else html


CHART = re.compile(r"_images/[0-9a-f]{64}\.svg")


def _files(html: Path) -> list[str]:
    """Every file `make book` writes, chart names made anonymous (`make pdf` adds the PDF)."""
    return sorted(
        CHART.sub("CHART", p.relative_to(html).as_posix())
        for p in html.rglob("*")
        if p != html / BOOK_PDF
    )


def _xml(svg: Path) -> str:
    return ElementTree.canonicalize(from_file=str(svg), strip_text=False)
