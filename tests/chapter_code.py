"""Ruff for the code cells of the chapters (MyST Markdown notebooks).

Ruff reads Python files and notebooks, not MyST Markdown, so each chapter's code cells are
handed to it as Python: all cells of a chapter as one module for ``ruff check`` (a name used
in a later cell is defined in an earlier one), and each cell on its own for ``ruff format``.
Problems are reported at their line in the chapter. The project's ruff settings apply
(``pyproject.toml``: 100 characters a line, the same rules as the package).

    python tests/chapter_code.py          # check: lint and formatting, non-zero on a problem
    python tests/chapter_code.py --fix    # format the cells, save as JupyterLab would, lint

Only the code between a cell's options and its closing fence is formatted. ``--fix`` then
saves each notebook the way JupyterLab does (:func:`save_as_jupyterlab`), so it stays in
jupytext's canonical form and opening and saving it changes nothing
(``tests/test_chapter_code.py`` checks that round trip).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FRONT_MATTER_KERNEL = re.compile(r"---\n(?:(?!---\n).*\n)*kernelspec:")
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Cell:
    """One code cell: its code, and where that code starts and ends in the chapter's text."""

    code: str
    start: int  # character offset of the code in the file
    end: int
    line: int  # line of the code's first line in the file, from 1


def notebook_sources(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the book: index.md and the chapters with a kernel."""
    paths = [root / "index.md", *sorted((root / "chapters").glob("*.md"))]
    return [p for p in paths if _FRONT_MATTER_KERNEL.match(p.read_text(encoding="utf-8"))]


def _options_length(body: str) -> int:
    """Characters of a cell's options (``:key: value`` lines or a YAML block) and the blank
    line after them."""
    if body.startswith("---\n"):
        end = body.index("\n---\n", 3) + len("\n---\n")
    else:
        end = 0
        while body.startswith(":", end):
            end = body.index("\n", end) + 1
    return end + 1 if end and body.startswith("\n", end) else end


def code_cells(text: str) -> list[Cell]:
    cells = []
    for match in _CELL.finditer(text):
        start = match.start(1) + _options_length(match.group(1))
        end = match.end(1)
        cells.append(Cell(text[start:end], start, end, text.count("\n", 0, start) + 1))
    return cells


def _ruff() -> str:
    found = Path(sys.executable).with_name("ruff")
    return str(found) if found.exists() else shutil.which("ruff") or "ruff"


def _format(cells: list[Cell], name: str) -> list[str]:
    """Each cell's code as ``ruff format`` writes it (one run for all cells)."""
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index, cell in enumerate(cells):
            path = Path(folder) / f"{name}_cell{index:03d}.py"
            path.write_text(cell.code, encoding="utf-8")
            files.append(path)
        config = ["--config", str(ROOT / "pyproject.toml")]
        subprocess.run(
            [_ruff(), "format", "--quiet", *config, *map(str, files)], check=True, cwd=ROOT
        )
        return [p.read_text(encoding="utf-8") for p in files]


def format_problems(path: Path, fix: bool = False) -> list[str]:
    """Cells that ``ruff format`` would change; with ``fix``, write the formatted code."""
    text = path.read_text(encoding="utf-8")
    cells = code_cells(text)
    formatted = _format(cells, path.stem)
    changed = [(c, new) for c, new in zip(cells, formatted, strict=True) if c.code != new]
    if fix and changed:
        for cell, new in reversed(changed):
            text = text[: cell.start] + new + text[cell.end :]
        path.write_text(text, encoding="utf-8")
        return []
    where = path.relative_to(ROOT)
    return [f"{where}:{c.line}: code cell is not formatted (run `make format`)" for c, _ in changed]


def lint_problems(path: Path) -> list[str]:
    """``ruff check`` on the chapter's cells as one module, each problem at its chapter line."""
    cells = code_cells(path.read_text(encoding="utf-8"))
    module, lines = [], []  # lines[i]: the chapter line of module line i + 1
    for cell in cells:
        for offset, code_line in enumerate(cell.code.splitlines()):
            module.append(code_line)
            lines.append(cell.line + offset)
        module.append("")
        lines.append(cell.line)
    where = path.relative_to(ROOT)
    result = subprocess.run(
        [_ruff(), "check", "--output-format", "json", "--stdin-filename", f"{where}.py", "-"],
        input="\n".join(module) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode not in (0, 1):
        return [f"{where}: ruff failed: {result.stderr.strip()}"]
    return [
        f"{where}:{lines[p['location']['row'] - 1]}:{p['location']['column']}: "
        f"{p['code']} {p['message']}"
        for p in json.loads(result.stdout or "[]")
    ]


def save_as_jupyterlab(path: Path, root: Path = ROOT) -> None:
    """Open ``path`` and save it unchanged, as JupyterLab does through jupytext's contents
    manager (with ``root``'s ``jupytext.toml``): the frontend sends the notebook back with
    the kernelspec it started (name, display name, language, in that order) and the
    kernel's ``language_info``, which jupytext's metadata filter leaves out of the file."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupytext import TextFileContentsManager

    manager = TextFileContentsManager(root_dir=str(root))
    relative = path.relative_to(root).as_posix()
    content = json.loads(json.dumps(manager.get(relative)["content"]))
    spec = KernelSpecManager().get_kernel_spec("python3")
    content["metadata"]["kernelspec"] = {
        "name": "python3",
        "display_name": spec.display_name,
        "language": spec.language,
    }
    content["metadata"]["language_info"] = {"name": "python"}
    manager.save({"type": "notebook", "format": "json", "content": content}, relative)


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    problems = []
    for path in notebook_sources():
        problems += format_problems(path, fix=fix)
        if fix:
            save_as_jupyterlab(path)
        problems += lint_problems(path)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"chapter code: {len(notebook_sources())} notebooks clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
