"""Where one checkout's sources are, and where its build keeps its output and state.

Every path under ``_build/`` is named here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildPaths:
    """Where one checkout's sources are and where its build keeps its output and state."""

    root: Path

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    @property
    def html_partial(self) -> Path:
        """Sphinx writes here; renamed to ``html`` only when the whole build succeeded."""
        return self.build_dir / "html.partial"

    @property
    def doctrees(self) -> Path:
        return self.build_dir / ".doctrees"

    @property
    def jupyter_cache(self) -> Path:
        return self.build_dir / ".jupyter_cache"

    @property
    def state(self) -> Path:
        return self.build_dir / ".frontierbook"

    @property
    def published_stamp(self) -> Path:
        """The sources digest of the build now in ``html``; absent while a build runs."""
        return self.state / "published.json"

    @property
    def lock(self) -> Path:
        return self.build_dir / ".lock"

    def reads_log(self, docname: str) -> Path:
        return self.state / "reads" / (docname.replace("/", "__") + ".jsonl")

    @property
    def validated(self) -> Path:
        """Tables the loader has validated, one empty file per validation key."""
        return self.state / "validated"
