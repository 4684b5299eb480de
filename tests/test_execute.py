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
    messages = {name: failure.message for name, failure in errors.items()}
    assert messages["raises"] == "cell 2 raised ZeroDivisionError: division by zero"
    assert errors["raises"].ename == "ZeroDivisionError"
    assert messages["warns"].startswith("cell 2 wrote to stderr:")
    assert "careful" in messages["warns"]
    assert "kernel died" in messages["dies"]
    assert "did not finish within 5 seconds" in messages["hangs"]
    for message in messages.values():
        assert "\n" not in message.split(":", 1)[0] and "Traceback" not in message

    assert set(cached_fingerprints(paths)) == {"ok"}
    assert stale_chapters(paths, Inputs(paths.root)) == sorted(
        set(CHAPTERS) - {"ok"}, key=stale.index
    )
    # An edit to the chapter's text makes its cached run stale.
    ok = paths.root / "ok.md"
    ok.write_text(ok.read_text(encoding="utf-8") + "\nMore prose.\n", encoding="utf-8")
    assert "ok" in stale_chapters(paths, Inputs(paths.root))


def test_a_chapter_stale_in_two_editions_runs_once_in_each_language_in_one_kernel(
    tmp_path: Path,
) -> None:
    """English first, then the translation, in the same kernel: the second pass sees its own
    language and none of the names the first pass defined, and each run is cached in its
    edition's cache with its own fingerprint."""
    code = (
        "import os, sys\n"
        "seen_before = 'marker' in dir()\n"
        "marker = 1\n"
        "print(os.environ['FRONTIERBOOK_LANGUAGE'], seen_before, 'pandas' in sys.modules)\n"
        "import pandas"
    )
    root = tmp_path / "book"
    (root / "data").mkdir(parents=True)
    (root / "data" / "datapackage.json").write_text(json.dumps({"resources": []}), "utf-8")
    toc = {"format": "jb-book", "root": "ok", "parts": []}
    (root / "_toc.yml").write_text(json.dumps(toc), encoding="utf-8")
    (root / "ok.md").write_text(FRONT_MATTER.format(title="ok", code=code), "utf-8")
    (root / "locales" / "id" / "LC_MESSAGES").mkdir(parents=True)
    paths, inputs = BuildPaths(root), Inputs(root)

    times, errors = execute.execute_stale(paths, inputs, {"ok": ["en", "id"]}, jobs=1)

    assert errors == {} and set(times) == {"ok"}
    printed = {}
    for language in ("en", "id"):
        edition = paths.edition(language)
        assert stale_chapters(edition, Inputs(root)) == []
        (fingerprint,) = cached_fingerprints(edition).values()
        assert fingerprint["language"] == language
        cache = execute.open_cache(edition)
        (record,) = cache.list_cache_records()
        notebook = cache.get_cache_bundle(record.pk).nb
        (output,) = [o for c in notebook.cells for o in c.get("outputs", [])]
        printed[language] = output["text"].strip()
    # The second pass: its own language, a clean namespace, the imports still loaded.
    assert printed == {"en": "en False False", "id": "id False True"}
