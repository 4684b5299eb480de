"""Publishing: the Pages workflow's shape, and the reader features of the built book."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from frontierbook.paths import ROOT
from sitebuilder.toc import notebook_sources

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
LINKS_WORKFLOW = ROOT / ".github" / "workflows" / "links.yml"
ON_MAIN = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
ON_PULL_REQUEST = "github.event_name == 'pull_request'"
DIFF_ARTIFACT = "book-diff"
# `uses: owner/name@<full commit SHA> # vX.Y.Z`
PINNED_USES = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*$")


def _workflow(path: Path = WORKFLOW) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def _steps(flow: dict) -> list[dict]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_pull_requests_and_pushes_to_main_build_and_test() -> None:
    flow = _workflow()
    assert flow["on"]["push"] == {"branches": ["main"]}
    assert "pull_request" in flow["on"]
    build = flow["jobs"]["build"]
    assert "if" not in build  # every pull request and push is tested
    runs = " ".join(str(s.get("run", "")) for s in build["steps"])
    assert "make test" in runs and "make pdf" in runs  # `make pdf` builds the book first
    assert "test -f _build/html/index.html" in runs
    assert "test -f _build/html/book.pdf" in runs  # the whole book's PDF is published too


def test_build_runs_in_debian_on_every_supported_python_so_make_test_installs_chromium() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    build = _workflow()["jobs"]["build"]
    assert build["runs-on"] == "ubuntu-latest"
    assert build["container"]["image"] == "${{ matrix.image }}"
    assert build["strategy"]["fail-fast"] is False  # one Python's failure hides no other's
    for leg in build["strategy"]["matrix"]["include"]:
        # Docker's official Debian image for that Python, by digest, its tag in a comment.
        assert re.fullmatch(r"python@sha256:[0-9a-f]{64}", leg["image"]), leg
        assert f"image: {leg['image']} # python:{leg['python']}-bookworm\n" in text
    assert build["env"]["PYTHON"] == "python${{ matrix.python }}"
    assert build["defaults"]["run"]["shell"] == "bash"
    runs = " ".join(str(s.get("run", "")) for s in build["steps"])
    assert "apt-get" not in runs and "sudo" not in runs  # `make browser` does it, as root


def test_only_main_deploys_from_3_11_and_nothing_for_main_is_cancelled() -> None:
    flow = _workflow()
    assert "concurrency" not in flow  # a workflow-wide group would cancel deployments
    jobs = flow["jobs"]
    # Every job queues in its own group (zizmor's auditor persona asks for it).
    assert jobs["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    # Two quick pushes to main must not race to force-push the notebooks branch.
    assert jobs["notebooks"]["concurrency"] == {
        "group": "notebooks-branch",
        "cancel-in-progress": False,
    }
    # A newer push to a pull request cancels its checks; runs for main are never cancelled,
    # and each Python's leg has a group of its own.
    assert jobs["build"]["concurrency"] == {
        "group": "build-${{ github.ref }}-${{ matrix.python }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }
    for name in ("deploy", "notebooks"):
        assert jobs[name]["if"] == ON_MAIN
    publishing = [
        step
        for step in jobs["build"]["steps"]
        if step.get("with", {}).get("name") != DIFF_ARTIFACT
        and ("upload" in step.get("uses", "") or "notebooks" in step.get("name", ""))
    ]
    assert len(publishing) == 3
    for step in publishing:
        assert step["if"] == f"matrix.python == '3.11' && {ON_MAIN}", step
    for step in jobs["build"]["steps"]:
        if step.get("with", {}).get("name") == DIFF_ARTIFACT:
            assert step["if"] == f"matrix.python == '3.11' && {ON_PULL_REQUEST}", step
    links = _workflow(LINKS_WORKFLOW)["jobs"]["linkcheck"]
    assert links["concurrency"] == {"group": "links", "cancel-in-progress": False}


def test_a_pull_request_shows_what_it_changes_for_readers() -> None:
    """`make diff` against the branch the pull request merges into (the merge commit's first
    parent, so the checkout fetches two commits); the summary on the run's page, the report
    as an artifact."""
    steps = _workflow()["jobs"]["build"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 2
    (diff,) = [s for s in steps if "make diff" in s.get("run", "")]
    assert diff["if"] == f"matrix.python == '3.11' && {ON_PULL_REQUEST}"
    assert "make diff BASE=HEAD^1" in diff["run"]
    assert 'cat _build/diff/summary.md >> "${GITHUB_STEP_SUMMARY}"' in diff["run"]
    (upload,) = [s for s in steps if s.get("with", {}).get("name") == DIFF_ARTIFACT]
    assert upload["with"]["path"] == "_build/diff"
    assert steps.index(diff) < steps.index(upload)


def test_least_privilege_per_job() -> None:
    flow = _workflow()
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    # Only the job that publishes Colab notebooks may write to the repository.
    assert jobs["notebooks"]["permissions"] == {"contents": "write"}
    links = _workflow(LINKS_WORKFLOW)
    assert links["permissions"] == {}
    assert links["jobs"]["linkcheck"]["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in (WORKFLOW, LINKS_WORKFLOW):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
        assert lines
        for line in lines:
            assert PINNED_USES.match(line), f"{path.name}: {line.strip()}"


def test_no_checkout_keeps_the_token_and_nothing_pip_installs_outside_a_venv() -> None:
    for path in (WORKFLOW, LINKS_WORKFLOW):
        steps = _steps(_workflow(path))
        for step in steps:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "pip install" not in step.get("run", "")
            assert "sudo" not in step.get("run", "")


def test_notebooks_branch_is_committed_by_the_actions_bot() -> None:
    job = _workflow()["jobs"]["notebooks"]
    script = " ".join(s.get("run", "") for s in job["steps"])
    assert "user.name='github-actions[bot]'" in script
    assert "41898282+github-actions[bot]@users.noreply.github.com" in script
    assert "HEAD:refs/heads/notebooks" in script
    assert "${GITHUB_REPOSITORY}" in script  # the fork's own repository, never a fixed one


def test_workflows_name_no_repository() -> None:
    for path in (WORKFLOW, LINKS_WORKFLOW):
        text = path.read_text(encoding="utf-8")
        assert "GITHUB_REPOSITORY:" not in text  # GitHub sets it; never overridden
        assert not re.search(r"github\.com/(?!\$\{)", text), path.name
        for step in _steps(_workflow(path)):
            assert "repository" not in step.get("with", {}), step


def test_link_check_is_weekly_and_never_deploys() -> None:
    links = _workflow(LINKS_WORKFLOW)
    assert set(links["on"]) == {"schedule", "workflow_dispatch"}
    assert links["on"]["schedule"][0]["cron"].endswith("* * 1")  # Mondays
    job = links["jobs"]["linkcheck"]
    assert "make linkcheck" in " ".join(s.get("run", "") for s in job["steps"])
    assert "pages" not in job["permissions"]


def test_link_check_ignores_only_hosts_with_a_stated_reason() -> None:
    config_text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    config = yaml.safe_load(config_text)["sphinx"]["config"]
    ignored = config["linkcheck_ignore"]
    assert ignored
    lines = config_text.splitlines()
    for pattern in ignored:
        index = next(i for i, line in enumerate(lines) if pattern.replace("\\", "\\\\") in line)
        assert lines[index - 1].strip().startswith("#"), f"no reason given for {pattern}"


def test_dependabot_watches_actions_and_pip_and_keeps_jupyter_book_1() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    assert {"dependency-name": "jupyter-book", "versions": [">=2"]} in updates["pip"]["ignore"]


def test_licences_and_citation_are_stated() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    content = (ROOT / "LICENSE-CC-BY-4.0.md").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in content
    for page in ("README.md", "index.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "CC BY 4.0" in text and "MIT License" in text, page
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["license"] == ["MIT", "CC-BY-4.0"]


def test_built_site_has_a_favicon_and_a_logo(built_book: Path) -> None:
    for page in [*(f"{d}.html" for d in notebook_sources(ROOT)), "search.html", "genindex.html"]:
        html = (built_book / page).read_text(encoding="utf-8")
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert icon, f"{page} links no favicon"
        assert (built_book / page).parent.joinpath(icon.group(1)).resolve().is_file()
        assert re.search(r'<img src="[^"]*_static/logo\.svg"[^>]* alt="[^"]+"', html), page
    svg = (built_book / "_static" / "favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<title" in svg


def test_built_site_has_nojekyll(built_book: Path) -> None:
    assert (built_book / ".nojekyll").is_file()


def test_every_chapter_downloads_as_a_colab_ready_notebook(built_book: Path) -> None:
    notebooks = [d for d in notebook_sources(ROOT) if d != "index"]
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


def test_the_readme_role_links_to_the_publishing_repository_or_shows_its_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sitebuilder import repository
    from sitebuilder.notebooks import BookLinks, plain_markdown

    text = "see the book's README <rerunning-the-chapters>"
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/deepseek-book")
    (node,), _ = repository.readme_role("readme", "", text, 1, None)
    url = "https://github.com/someone/deepseek-book/blob/main/README.md#rerunning-the-chapters"
    assert node["refuri"] == url and node.astext() == "see the book's README"
    links = BookLinks(site="https://someone.github.io/deepseek-book/")
    markdown = plain_markdown(f"Open it ({{readme}}`{text}`).", links, {}, "chapters/x")
    assert markdown == f"Open it ([see the book's README]({url}))."
    # A local build has no repository to link to: the words, without a dead link.
    monkeypatch.delenv("GITHUB_REPOSITORY")
    (node,), _ = repository.readme_role("readme", "", text, 1, None)
    assert "refuri" not in node and node.astext() == "see the book's README"


def test_the_landing_page_offers_its_notebook_as_a_page_not_a_chapter(built_book: Path) -> None:
    landing = (built_book / "index.html").read_text(encoding="utf-8")
    assert "Download this page as a Jupyter notebook" in landing
    assert "Download this chapter" not in landing
    chapter = (built_book / "chapters" / "02_cost.html").read_text(encoding="utf-8")
    assert "Download this chapter as a Jupyter notebook" in chapter


# What a notebook's Markdown must not carry outside the book: a MyST directive only the book
# renders, a MyST role, or a relative address (it points nowhere in Jupyter or Colab).
BOOK_ONLY_DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\{[a-z-]+\}", re.MULTILINE)
MYST_ROLE = re.compile(r"(?<!\\)\{[a-z]+(?::[a-z]+)?\}`")
RELATIVE_ADDRESS = re.compile(r"(?:\]\(|\b(?:href|src)=\")(?![a-z][a-z0-9+.-]*:|#)[^)\"\s]*")


def test_every_published_notebook_is_plain_markdown_with_site_links(built_book: Path) -> None:
    """In every edition, the glossary, landing and data notebooks (and every other) show
    their glossary, contents and numbers list, or link to the site, never MyST only the book
    renders, and no link is relative."""
    notebooks = sorted(built_book.glob("**/_sources/**/*.ipynb"))
    editions = {path.relative_to(built_book).parts[0] for path in notebooks}
    assert {"_sources", "id"} <= editions, editions
    wrong = []
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        markdown = "\n\n".join(
            "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
        )
        for pattern in (BOOK_ONLY_DIRECTIVE, MYST_ROLE, RELATIVE_ADDRESS):
            for found in pattern.finditer(markdown):
                wrong.append(f"{path.relative_to(built_book)}: {found[0]!r}")
        name = path.relative_to(built_book).as_posix()
        if name.endswith("chapters/glossary.ipynb"):
            assert markdown.count("\n**") >= 20, name  # the terms, written out
        if name.endswith("_sources/index.ipynb"):
            assert "chapters/02_cost.html)" in markdown, name  # the contents, as links
        if name.endswith("chapters/data.ipynb"):
            assert "numbers/numbers.json" in markdown and "#numbers-in-the-text)" in markdown
    assert not wrong, "\n".join(wrong[:40])


def test_a_fork_links_to_itself_and_names_its_own_site(monkeypatch: pytest.MonkeyPatch) -> None:
    from sitebuilder import repository

    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/deepseek-book")
    monkeypatch.delenv("BOOK_SITE_URL", raising=False)
    config = SimpleNamespace(html_theme_options={}, html_baseurl="")
    repository.configure(None, config)
    assert config.html_theme_options["repository_url"] == "https://github.com/someone/deepseek-book"
    assert config.html_baseurl == "https://someone.github.io/deepseek-book/"
    # A custom domain, from the repository variable the workflow passes on.
    monkeypatch.setenv("BOOK_SITE_URL", "https://book.example.org")
    repository.configure(None, config)
    assert config.html_baseurl == "https://book.example.org/"
