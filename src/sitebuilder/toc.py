"""The table of contents: which pages the book has, and which of them execute code."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


def is_notebook_source(source: Path) -> bool:
    """A MyST Markdown page that executes code: its front matter names a kernel."""
    return source.suffix == ".md" and "kernelspec:" in source.read_text(encoding="utf-8")[:600]


def toc_docnames(root: Path) -> list[str]:
    """Every page in _toc.yml, root first, in reading order."""
    toc_path = Path(root) / "_toc.yml"
    return list(_read_toc(str(toc_path), toc_path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _read_toc(path: str, mtime_ns: int) -> tuple[str, ...]:
    import yaml

    toc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(
        [toc["root"]]
        + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    )


def notebook_sources(root: Path) -> dict[str, Path]:
    """Docname -> source of every page in the table of contents that executes code."""
    sources = {d: Path(root) / f"{d}.md" for d in toc_docnames(root)}
    return {d: s for d, s in sources.items() if s.is_file() and is_notebook_source(s)}
