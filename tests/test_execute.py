"""The executor on a tiny book of its own (no Sphinx): each way a chapter can stop is
reported in one line naming the chapter and cell, and only a clean run is cached, together
with the fingerprint of the inputs it was made from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitebuilder import execute
from sitebuilder.fingerprint import Inputs, cached_fingerprints, stale_chapters
from sitebuilder.layout import BuildPaths

FRONT_MATTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {title}

```{{code-cell}} ipython3
{code}
```
"""

# Starts kernels: seconds, not milliseconds.
pytestmark = pytest.mark.build

CHAPTERS = {
    "ok": "x = 1 + 1",
    "raises": "1 / 0",
    "warns": "import warnings\nwarnings.warn('careful')",
    "dies": "import os\nos._exit(1)",
    "hangs": "import time\ntime.sleep(60)",
}


def _tiny_book(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "data" / "datapackage.json").write_text(json.dumps({"resources": []}), "utf-8")
    toc = {"format": "jb-book", "root": "ok", "parts": [{"chapters": []}]}
    toc["parts"][0]["chapters"] = [{"file": name} for name in CHAPTERS if name != "ok"]
    (root / "_toc.yml").write_text(json.dumps(toc), encoding="utf-8")
    for name, code in CHAPTERS.items():
        (root / f"{name}.md").write_text(FRONT_MATTER.format(title=name, code=code), "utf-8")
    return root


def test_each_way_a_chapter_stops_is_one_line_and_only_clean_runs_are_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pool forks, so the workers inherit the short timeout.
    monkeypatch.setattr(execute, "TIMEOUT_SECONDS", 5)
    paths = BuildPaths(_tiny_book(tmp_path))
    inputs = Inputs(paths.root)
    stale = stale_chapters(paths, inputs)
    assert sorted(stale) == sorted(CHAPTERS)

    times, errors = execute.execute_stale(paths, inputs, stale, jobs=3)

    assert set(times) == set(CHAPTERS)
    assert set(errors) == set(CHAPTERS) - {"ok"}
    assert errors["raises"] == "cell 2 raised ZeroDivisionError: division by zero"
    assert errors["warns"].startswith("cell 2 wrote to stderr:") and "careful" in errors["warns"]
    assert "kernel died" in errors["dies"]
    assert "did not finish within 5 seconds" in errors["hangs"]
    for message in errors.values():
        assert "\n" not in message.split(":", 1)[0] and "Traceback" not in message

    assert set(cached_fingerprints(paths)) == {"ok"}
    assert stale_chapters(paths, Inputs(paths.root)) == sorted(
        set(CHAPTERS) - {"ok"}, key=stale.index
    )
    # An edit to the chapter's text makes its cached run stale.
    ok = paths.root / "ok.md"
    ok.write_text(ok.read_text(encoding="utf-8") + "\nMore prose.\n", encoding="utf-8")
    assert "ok" in stale_chapters(paths, Inputs(paths.root))
