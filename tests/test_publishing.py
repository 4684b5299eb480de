"""Publishing: the Pages workflow's shape, and the reader features of the built book."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from frontierbook.build.fingerprint import Book
from frontierbook.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_workflow_builds_every_push_and_pull_request() -> None:
    flow = _workflow()
    assert {"push", "pull_request"} <= set(flow["on"])
    steps = " ".join(str(s.get("run", "")) for s in flow["jobs"]["build"]["steps"])
    assert "make test" in steps and "make book" in steps
    assert "test -f _build/html/index.html" in steps


def test_workflow_deploys_pages_from_main_only_with_least_privilege() -> None:
    flow = _workflow()
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"]["group"] == "pages"
    deploy = flow["jobs"]["deploy"]
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [s.get("uses", "") for job in flow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    # Only the job that publishes Colab notebooks may write to the repository, from main.
    writers = [n for n, j in flow["jobs"].items() if j.get("permissions", {}).get("contents")]
    assert writers == ["notebooks"]
    assert "refs/heads/main" in flow["jobs"]["notebooks"]["if"]


def test_built_site_has_nojekyll(built_book: Path) -> None:
    assert (built_book / ".nojekyll").is_file()


def test_every_chapter_downloads_as_a_colab_ready_notebook(built_book: Path) -> None:
    notebooks = [d for d in Book(ROOT).notebooks() if d != "index"]
    assert len(notebooks) >= 5
    for chapter in notebooks:
        path = built_book / "_sources" / f"{chapter}.ipynb"
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        first = "".join(notebook["cells"][0]["source"])
        assert "pip" in first and "wheels/frontierbook-" in first and "#sha256=" in first
        assert "git clone" not in first
        assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")
        html = (built_book / f"{chapter}.html").read_text(encoding="utf-8")
        assert f'_sources/{chapter}.ipynb" download' in html
