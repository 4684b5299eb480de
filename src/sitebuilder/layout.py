"""Where one checkout's sources are, and where its build keeps its output and state.

Every path under ``_build/`` is named here and nowhere else. The book has one edition per
language (:mod:`.editions`): the English one is built as it always was (``_build/html``,
``_build/.jupyter_cache``, ...); each other edition keeps its own Jupyter cache, executed
notebooks and Sphinx output under ``_build/<language>/``, and is published inside the
English site, at ``_build/html/<language>/``.
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
    language: str = "en"

    def edition(self, language: str) -> BuildPaths:
        """The same checkout's paths for the edition in ``language``."""
        return BuildPaths(self.root, language)

    @property
    def is_source(self) -> bool:
        """The English edition, the one the chapters are written in."""
        return self.language == "en"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def edition_dir(self) -> Path:
        """Where this edition's own build products go: ``_build`` or ``_build/<language>``."""
        return self.build_dir if self.is_source else self.build_dir / self.language

    @property
    def html(self) -> Path:
        """The published site of this edition: ``_build/html``, ``_build/html/<language>``."""
        site = self.build_dir / "html"
        return site if self.is_source else site / self.language

    @property
    def html_partial(self) -> Path:
        """The prefix of the folders this edition's Sphinx writes into (:meth:`new_output`),
        in ``_build`` or ``_build/<language>``."""
        return self.edition_dir / "html.partial"

    def new_output(self) -> Path:
        """A new, empty folder for Sphinx to write this edition's site into, named at random
        and made only after every chapter's kernel has ended, so no chapter can have written
        into it. Moved to ``html`` only when the whole build succeeded."""
        self.edition_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=self.html_partial.name + "-", dir=self.edition_dir))
        os.chmod(folder, 0o755)  # mkdtemp's 0700 would follow the site to wherever it is served
        return folder

    def partial_outputs(self) -> list[Path]:
        """Every output folder an unfinished build of this edition may have left."""
        if not self.edition_dir.is_dir():
            return []
        return sorted(self.edition_dir.glob(self.html_partial.name + "*"))

    @property
    def snapshot(self) -> Path:
        """A copy of the sources taken when the build starts: what it executes, what Sphinx
        reads, and what the site's data and wheel are made from."""
        return self.build_dir / ".snapshot"

    @property
    def doctrees(self) -> Path:
        return self.edition_dir / ".doctrees"

    @property
    def jupyter_cache(self) -> Path:
        return self.edition_dir / ".jupyter_cache"

    @property
    def jupyter_execute(self) -> Path:
        """Where MyST-NB writes the executed notebooks and their glue, beside Sphinx's output."""
        return self.html_partial.parent / "jupyter_execute"

    @property
    def wheels(self) -> Path:
        """The package wheel the downloadable notebooks install (one for every edition), built
        from the snapshot and kept between builds."""
        return self.build_dir / "wheels"

    @property
    def published_wheels(self) -> Path:
        """Every wheel the site has published (:func:`sitebuilder.wheel.keep_published`):
        kept even by ``--full``, since saved notebooks install them by name."""
        return self.build_dir / "published-wheels"

    @property
    def compiled_locales(self) -> Path:
        """The catalogues compiled for Sphinx (``.mo``), out of the source tree."""
        return self.build_dir / "locales"

    @property
    def untranslated(self) -> Path:
        """What this edition's pages show in English for want of a translation (JSON lines)."""
        return self.edition_dir / "untranslated"

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
        folder = self.state / "reads"
        if not self.is_source:
            folder = folder / self.language
        return folder / (docname.replace("/", "__") + ".jsonl")

    @property
    def validated(self) -> Path:
        """Tables the loader has validated, one empty file per validation key."""
        return self.state / "validated"
