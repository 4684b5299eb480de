"""Where one checkout's sources are, and where its build keeps its output and state.

Every path under ``_build/`` is named here and nowhere else.
"""

from __future__ import annotations

import os
import tempfile
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
        """The prefix of the folders Sphinx writes into (:meth:`new_output`)."""
        return self.build_dir / "html.partial"

    def new_output(self) -> Path:
        """A new, empty folder for Sphinx to write the site into, named at random and made
        only after every chapter's kernel has ended, so no chapter can have written into it.
        Renamed to ``html`` only when the whole build succeeded."""
        self.build_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=self.html_partial.name + "-", dir=self.build_dir))
        os.chmod(folder, 0o755)  # mkdtemp's 0700 would follow the site to wherever it is served
        return folder

    def partial_outputs(self) -> list[Path]:
        """Every folder an unfinished build may have left."""
        if not self.build_dir.is_dir():
            return []
        return sorted(self.build_dir.glob(self.html_partial.name + "*"))

    @property
    def snapshot(self) -> Path:
        """A copy of the sources taken when the build starts: what it executes, what Sphinx
        reads, and what the site's data and wheel are made from."""
        return self.build_dir / ".snapshot"

    @property
    def wheels(self) -> Path:
        """The notebooks' wheel, kept between builds (beside every output folder, which is
        where :mod:`.notebooks` finds it)."""
        return self.build_dir / "wheels"

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
