"""The source tree: every source file is visible to tools that skip build-output folders,
and the packages import one way (the runtime never imports the site builder or Sphinx)."""

from __future__ import annotations

import ast
import importlib.metadata
import re

from frontierbook.paths import ROOT
from sitebuilder import wheel
from sitebuilder.speedups import PATCHED_VERSIONS

# Folder names that Black's default exclude, GitHub's Python .gitignore and code-structure
# tools treat as generated output, not source.
OUTPUT_FOLDER_NAMES = {"build", "dist", "_build", "buck-out", "venv", ".venv", "env", "eggs"}


def test_no_source_folder_is_named_like_build_output() -> None:
    folders = [p for p in (ROOT / "src").rglob("*") if p.is_dir() and "egg-info" not in p.name]
    assert [p for p in folders if p.name in OUTPUT_FOLDER_NAMES] == []


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_runtime_package_imports_neither_the_site_builder_nor_sphinx() -> None:
    for path in sorted((ROOT / "src" / "frontierbook").rglob("*.py")):
        forbidden = {
            name
            for name in _imports(path)
            if re.match(r"(sitebuilder|sphinx|docutils|jupyter_book|myst_nb)\b", name)
        }
        assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_the_readers_wheel_holds_the_runtime_package_only() -> None:
    inside = [name for name, _ in wheel._inputs(ROOT)]
    assert "cost.py" in inside and "__init__.py" in inside
    assert not [name for name in inside if "sitebuilder" in name or "sphinx" in name]


def test_each_speedup_matches_the_installed_version_it_was_measured_on() -> None:
    """A dependency update must re-measure the patch for it (sitebuilder.speedups)."""
    installed = {name: importlib.metadata.version(name) for name in PATCHED_VERSIONS}
    assert installed == PATCHED_VERSIONS
