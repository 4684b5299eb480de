"""Rerunning the chapters where readers rerun them: JupyterLab, Binder, Colab and papermill.

- JupyterLab in Chromium: a chapter opens as a notebook from its launch URL, Run All fills
  the prose with the book's numbers, and a changed parameter moves them.
- Colab, simulated: each chapter's .ipynb, downloaded from the served site, runs in a fresh
  Python holding only nbclient and ipykernel, with no repository on disk.
- papermill injects changed parameters and the dependent numbers move.
- Binder's environment is pinned and lean.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import jupytext
import pytest

from frontierbook.paths import ROOT
from sitebuilder import notebooks, wheel
from sitebuilder.editions import editions
from sitebuilder.layout import BuildPaths
from sitebuilder.toc import notebook_sources

from .conftest import TEST_BOOK

VENV_BIN = Path(sys.executable).parent
PUBLISHED = "application/papermill.record/text/plain"


def chapter_notebooks() -> list[str]:
    return [d for d in notebook_sources(ROOT) if d.startswith("chapters/")]


def published_numbers(notebook: dict) -> dict[str, str]:
    """Every number a chapter published with glue_text, from its executed notebook."""
    numbers = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                numbers[name] = output["data"][PUBLISHED]
    return numbers


def built_numbers(docname: str, language: str = "en") -> dict[str, str]:
    path = BuildPaths(TEST_BOOK, language).jupyter_execute / f"{docname}.glue.json"
    glue = json.loads(path.read_text(encoding="utf-8"))
    return {name: output["data"]["text/plain"] for name, output in glue.items()}


def parameters_cell(docname: str):
    notebook = jupytext.read(ROOT / f"{docname}.md")
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    return cells[0] if cells else None


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a reader's machine: nothing from this venv or the book's build."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    return {**env, **extra}


# --- Static checks ---------------------------------------------------------------------------


def test_binder_pins_python_runtime_packages_and_extensions() -> None:
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    pins = wheel.pinned_versions(binder / "requirements.txt")
    root_pins = wheel.pinned_versions(ROOT / "requirements.txt")
    for package in ("jupyterlab", "jupytext", "jupyterlab-myst", "ipykernel", "papermill"):
        assert package in pins, f"binder/requirements.txt lacks {package}"
    for package in wheel.PINNED_DEPENDENCIES + wheel.UNPINNED_DEPENDENCIES:
        assert package in pins, f"binder/requirements.txt lacks the runtime package {package}"
    for package, version in pins.items():
        assert root_pins.get(package) == version, f"{package} differs from requirements.txt"
    lines = (binder / "requirements.txt").read_text().splitlines()
    assert all("==" in line for line in lines if line.strip() and not line.startswith("#"))
    for tool in ("pytest", "ruff", "playwright", "axe-playwright-python", "jupyter-book"):
        assert tool not in pins, f"Binder installs the build or test tool {tool}"
    post_build = (binder / "postBuild").read_text()
    assert os.access(binder / "postBuild", os.X_OK)
    assert "jupyterlab/overrides.json" in post_build and "overrides.d" in post_build


def test_jupyterlab_settings_open_myst_chapters_as_notebooks() -> None:
    settings = json.loads((ROOT / "jupyterlab" / "overrides.json").read_text())
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    assert "jupyterlab/overrides.json" in (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("docname", [d for d in chapter_notebooks() if parameters_cell(d)])
def test_parameters_cells_are_plain_assignments_with_comments(docname: str) -> None:
    cell = parameters_cell(docname)
    tree = ast.parse(cell.source)
    for statement in tree.body:
        assert isinstance(statement, ast.Assign), ast.unparse(statement)
        assert len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
        ast.literal_eval(statement.value)  # a value papermill can replace
        line = cell.source.splitlines()[statement.lineno - 1]
        assert "#" in line, f"{docname}: no unit or source comment on {line!r}"


def test_no_chapter_bypasses_its_parameters() -> None:
    cost = (ROOT / "chapters" / "02_cost.md").read_text(encoding="utf-8")
    assert "PLAUSIBLE_UTILISATION" not in cost
    assert "CostParameters()" not in cost


# --- The downloadable notebook's Markdown ---------------------------------------------------


def test_myst_roles_become_plain_markdown_links() -> None:
    links = notebooks.BookLinks(
        site="https://example.org/book/",
        labels={"fig-x": ("chapters/02_cost", "fig-x", "Stages"), "sec": ("a/b", "sec", "Sec")},
        terms={"gpu-hour": ("chapters/glossary", "term-GPU-hour")},
        figures={"fig-x": "Figure 4"},
        citations={"deepseek2024v3": ("chapters/bibliography", "id3")},
    )
    text = (
        "(cost-claim)=\n## The claim\n"
        "It cost {eval}`cost_headline` {cite:p}`deepseek2024v3`; {numref}`fig-x` shows "
        "{term}`GPU-hours <GPU-hour>` (see {ref}`sec`)."
    )
    out = notebooks.plain_markdown(text, links, {"cost_headline": "$5.576M"}, "chapters/02_cost")
    assert out.startswith("## The claim\n")
    assert r"It cost \$5.576M ([DeepSeek-AI 2024]" in out
    assert "(https://example.org/book/chapters/bibliography.html#id3)" in out
    assert "[Figure 4](https://example.org/book/chapters/02_cost.html#fig-x)" in out
    assert "[GPU-hours](https://example.org/book/chapters/glossary.html#term-GPU-hour)" in out
    assert "[Sec](https://example.org/book/a/b.html#sec)" in out
    assert "{" not in out
    with pytest.raises(KeyError, match="no number named 'missing'"):
        notebooks.plain_markdown("{eval}`missing`", links, {}, "chapters/02_cost")


def test_directives_only_the_book_renders_become_markdown_or_site_links() -> None:
    links = notebooks.BookLinks(
        site="https://example.org/book/id/",
        labels={"numbers-in-the-text": ("chapters/data", "numbers-in-the-text", "Angka")},
        contents=[("index", "Beranda"), ("chapters/02_cost", "Biaya [V3]")],
    )
    glossary = (
        "```{glossary}\nBF16\n  A 16-bit format.\n\n  Used widely.\n\nFP8\n  Eight bits.\n```\n"
    )
    out = notebooks.site_markdown(glossary, links, "chapters/glossary")
    assert out.startswith("**BF16**\n\nA 16-bit format.\n\nUsed widely.\n")
    assert "**FP8**\n\nEight bits." in out and "```" not in out
    contents = notebooks.site_markdown("```{tableofcontents}\n```\n", links, "index")
    assert (
        contents.strip() == r"- [Biaya \[V3\]](https://example.org/book/id/chapters/02_cost.html)"
    )
    data = (
        '<a href="../numbers/numbers.json">json</a> [csv](../numbers/numbers.csv) [s](#x) '
        "[o](https://other.org/a)\n\n```{numbers-in-the-text}\n```\n"
    )
    out = notebooks.site_markdown(data, links, "chapters/data")
    assert '<a href="https://example.org/book/id/numbers/numbers.json">' in out
    assert "[csv](https://example.org/book/id/numbers/numbers.csv)" in out
    assert "[s](#x)" in out and "[o](https://other.org/a)" in out
    assert "[Angka](https://example.org/book/id/chapters/data.html#numbers-in-the-text)" in out
    assert "{numbers-in-the-text}" not in out


def test_published_notebooks_are_plain_markdown_and_pin_the_published_wheel(
    built_book: Path,
) -> None:
    # Wheels of earlier builds may stay beside it (saved notebooks pin them); this build's
    # is the current one.
    published = built_book / notebooks.WHEEL_DIR / wheel.wheel_name(ROOT)
    current = json.loads((built_book / notebooks.WHEEL_DIR / notebooks.CURRENT_WHEEL).read_text())
    assert current == {"wheel": published.name, "sha256": wheel.sha256(published)}
    for docname in chapter_notebooks():
        path = built_book / notebooks.NOTEBOOK_DIR / f"{docname}.ipynb"
        notebook = json.loads(path.read_text(encoding="utf-8"))
        install = "".join(notebook["cells"][0]["source"])
        assert f"{notebooks.WHEEL_DIR}/{published.name}#sha256={wheel.sha256(published)}" in install
        assert [c["id"] for c in notebook["cells"]] == [
            f"cell-{i}" for i in range(len(notebook["cells"]))
        ]
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not re.search(r"\{[a-z:]+\}`", text), f"{docname}: MyST role in {text!r}"
                assert not re.search(r"^\([^)]+\)=", text, re.MULTILINE), docname
                assert "{glue" not in text and "{eval" not in text


@pytest.mark.slow
def test_the_wheel_is_reproducible_and_carries_the_data(tmp_path: Path) -> None:
    first = wheel.build_wheel(ROOT, tmp_path / "a")
    second = wheel.build_wheel(ROOT, tmp_path / "b")
    assert first.name == second.name == wheel.wheel_name(ROOT)
    assert wheel.sha256(first) == wheel.sha256(second)
    names = zipfile.ZipFile(first).namelist()
    assert "frontierbook/_book/data/datapackage.json" in names
    assert "frontierbook/_book/references.bib" in names
    assert "frontierbook/_book/chapters/02_cost.md" in names
    assert not [n for n in names if n.startswith("sitebuilder/")]
    metadata = zipfile.ZipFile(first).read(
        f"frontierbook-{wheel.wheel_version(ROOT)}.dist-info/METADATA"
    )
    assert b"Requires-Dist: pandas==" in metadata


# --- papermill -------------------------------------------------------------------------------

# For each chapter with parameters: what to inject, and numbers that must follow.
PAPERMILL_CASES = {
    # utilisation_low moves the plausible range, Figure 4's band and the text's range.
    "chapters/02_cost": (
        {"gpu_hour_price": 4, "utilisation_low": 0.25},
        ["cost_p_price", "cost_fp_usd", "cost_util_lo", "cost_fp_range"],
    ),
    "chapters/03_scaling": ({"ANNUAL_RATE": 8}, ["scal_rate", "scal_band", "scal_total_factor"]),
}


def test_every_chapter_with_parameters_has_a_papermill_case() -> None:
    with_parameters = {d for d in chapter_notebooks() if parameters_cell(d) is not None}
    assert with_parameters == set(PAPERMILL_CASES)


@pytest.mark.slow
@pytest.mark.parametrize("docname", sorted(PAPERMILL_CASES))
def test_papermill_changes_the_dependent_numbers(
    docname: str, built_book: Path, tmp_path: Path
) -> None:
    values, dependents = PAPERMILL_CASES[docname]
    source = tmp_path / "chapter.ipynb"
    jupytext.write(jupytext.read(ROOT / f"{docname}.md"), source)
    out = tmp_path / "out.ipynb"
    flags = [arg for name, value in values.items() for arg in ("-p", name, str(value))]
    result = subprocess.run(
        [str(VENV_BIN / "papermill"), "--log-level", "WARNING", *flags, str(source), str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    before, after = built_numbers(docname), published_numbers(json.loads(out.read_text()))
    assert set(after) == set(before)
    for name in dependents:
        assert after[name] != before[name], f"{name} did not follow the injected parameters"


# --- Colab, simulated ------------------------------------------------------------------------


RUN_NOTEBOOKS = """
import json, sys, time
import nbformat
from nbclient import NotebookClient

times = {}
for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
    times[path] = time.perf_counter() - started
    nbformat.write(notebook, path)
print(json.dumps(times))
"""


@pytest.fixture(scope="module")
def fresh_python(site: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A Python with nothing but nbclient and ipykernel, as on Colab, and its environment."""
    started = time.perf_counter()
    home = tmp_path_factory.mktemp("reader")
    fresh = home / "fresh-venv"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True)
    pins = wheel.pinned_versions(ROOT / "requirements.txt")
    jupyter_only = [f"{name}=={pins[name]}" for name in ("nbclient", "ipykernel")]
    env = clean_env(
        PATH=f"{fresh / 'bin'}:/usr/bin:/bin",
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),  # no kernels but the fresh one
        BOOK_SITE_URL=site,
    )
    pip = [str(fresh / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", *jupyter_only], check=True, env=env)
    print(f"\nColab simulation: fresh venv {time.perf_counter() - started:.1f} s")
    return fresh, env


@pytest.mark.slow
@pytest.mark.parametrize("edition", editions(ROOT), ids=lambda e: e.language)
def test_downloaded_notebooks_run_in_a_fresh_python(
    site: str, built_book: Path, tmp_path: Path, fresh_python, edition
) -> None:
    """Each edition's notebooks, downloaded from its pages, run where nothing of the
    repository is on disk, and give that edition's numbers and charts."""
    fresh, env = fresh_python
    # Nothing of the repository on disk: the notebooks run in an empty folder.
    work = tmp_path / "reader"
    work.mkdir()
    paths = []
    for docname in chapter_notebooks():
        url = f"{site}{edition.prefix}{notebooks.NOTEBOOK_DIR}/{docname}.ipynb"
        path = work / f"{docname.replace('/', '-')}.ipynb"
        path.write_bytes(urllib.request.urlopen(url).read())
        paths.append(path)
    run = subprocess.run(
        [str(fresh / "bin" / "python"), "-c", RUN_NOTEBOOKS, *map(str, paths)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-5000:]
    times = json.loads(run.stdout.strip().splitlines()[-1])
    print(
        f"\nColab simulation ({edition.language}): "
        + ", ".join(f"{Path(p).stem} {t:.1f} s" for p, t in times.items())
    )

    installed = subprocess.run(
        [
            str(fresh / "bin" / "python"),
            "-c",
            "import importlib.metadata as m, frontierbook.paths as p; "
            "print(m.version('frontierbook'), p.DATA_DIR)",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert installed[0] == wheel.wheel_version(ROOT)
    assert installed[1].startswith(str(fresh)), "the data must come from the installed wheel"

    for docname, path in zip(chapter_notebooks(), paths, strict=True):
        executed = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in executed["cells"] if c["cell_type"] == "code"]
        assert all(c.get("execution_count") for c in code), f"{docname}: a cell did not run"
        charts = [
            o
            for c in code
            for o in c.get("outputs", [])
            if {"image/svg+xml", "image/png"} & set(o.get("data", {}))
        ]
        page = (built_book / edition.prefix / f"{docname}.html").read_text(encoding="utf-8")
        assert len(charts) == len(re.findall(r"<img[^>]*_images/", page)), docname
        # The same code, data and language as the page: every published number is the book's.
        glue = BuildPaths(TEST_BOOK, edition.language).jupyter_execute / f"{docname}.glue.json"
        if glue.is_file():
            assert published_numbers(executed) == built_numbers(docname, edition.language), docname


# --- JupyterLab in the browser ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab from the project venv on 127.0.0.1, with the settings `make lab` installs."""
    subprocess.run(["make", "-s", "venv"], cwd=ROOT, check=True, capture_output=True)
    home = tmp_path_factory.mktemp("lab")
    # The test reads every cell, so it turns off the notebook's windowing (which keeps only
    # the visible cells in the page) in its own user settings; a reader's is untouched.
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    docmanager = home / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    # A copy of the chapters, so that nothing the test types can reach the repository.
    workspace = home / "book"
    shutil.copytree(ROOT / "chapters", workspace / "chapters")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(ROOT / ".venv" / "share" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={workspace}",
            "--LabApp.expose_app_in_browser=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError((home / "lab.log").read_text()[-3000:])
        yield f"{base}|{token}"
    finally:
        server.terminate()
        server.wait(30)
        log.close()


ALL_CODE_CELLS_RAN = """() => {
  const panel = jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = panel.content.widgets.filter(c => c.model.type === 'code');
  return kernel && kernel.status === 'idle' && code.every(c => c.model.executionCount);
}"""
PROSE = "() => [...document.querySelectorAll('.jp-MarkdownCell')].map(c => c.innerText).join('\\n')"


@pytest.mark.slow
def test_jupyterlab_opens_a_chapter_as_a_notebook_and_its_numbers_follow(
    jupyterlab: str, browser
) -> None:
    from frontierbook import load_table
    from frontierbook.text import usd

    base, token = jupyterlab.split("|")
    headline = usd(float(load_table("v3_stages")["reported_cost_usd"].sum()))
    screenshots = ROOT / "_build" / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # The launch URL that Binder's button uses.
        page.goto(f"{base}/lab/tree/chapters/02_cost.md?token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        assert page.locator(".jp-FileEditor").count() == 0, "opened in the text editor"
        page.wait_for_function(
            "() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel", timeout=120_000
        )
        page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_CODE_CELLS_RAN, timeout=300_000)
        page.wait_for_function(
            f"() => ({PROSE})().includes({json.dumps(headline)})", timeout=60_000
        )
        prose = page.evaluate(PROSE)
        for raw in ("{glue", "{cite", "{eval", "{numref", "{term", "(ch-cost)="):
            assert raw not in prose, f"raw MyST {raw!r} in JupyterLab's rendered prose"
        at_default = next(p for p in prose.split("\n") if "At the parameters cell" in p)
        page.screenshot(path=str(screenshots / "jupyterlab-02_cost.png"))

        # Edit the parameters cell as a reader would, then run everything again.
        editor = page.locator(".jp-CodeCell .cm-content", has_text="gpu_hour_price = ").first
        editor.click()
        page.keyboard.press("Control+Home")
        page.keyboard.press("Shift+End")
        page.keyboard.type("gpu_hour_price = 4.0  # US$ per H800 GPU-hour")
        page.evaluate("jupyterapp.commands.execute('notebook:run-all-cells')")
        # Wait for the paragraph itself: "$4.00" is in the prose before the run too (the
        # sensitivity grid's top price), and the cells keep their counts from the first run.
        page.wait_for_function(
            f"""() => {{
              const p = ({PROSE})().split('\\n').find(l => l.includes('At the parameters cell'));
              return p !== undefined && p !== {json.dumps(at_default)};
            }}""",
            timeout=300_000,
        )
        page.wait_for_function(ALL_CODE_CELLS_RAN, timeout=300_000)
        prose = page.evaluate(PROSE)
        assert usd(4.0, 2) in prose
        changed = next(p for p in prose.split("\n") if "At the parameters cell" in p)
        assert changed != at_default, "the price-dependent numbers did not follow the parameter"
        assert headline in prose  # DeepSeek's own figure does not depend on the assumption
        page.screenshot(path=str(screenshots / "jupyterlab-02_cost-changed.png"))
    finally:
        context.close()


@pytest.mark.slow
def test_a_saved_notebook_still_runs_after_the_data_changes(
    warm_book: Path, tmp_path: Path, fresh_python
) -> None:
    """Build, save a notebook, change a CSV, build again: the saved notebook still installs
    the wheel it pins, carried over to the new site; with that wheel gone, it installs the
    current one and says that the data has changed since it was saved."""
    import functools
    import http.server
    import threading

    from .conftest import build_in

    fresh, env = fresh_python
    paths = BuildPaths(warm_book)
    first = build_in(warm_book)
    assert first.returncode == 0, first.stderr[-4000:]
    saved_version = wheel.wheel_version(warm_book)
    saved = tmp_path / "reader" / "glossary.ipynb"
    saved.parent.mkdir()
    saved.write_bytes(
        (paths.html / notebooks.NOTEBOOK_DIR / "chapters/glossary.ipynb").read_bytes()
    )

    releases = warm_book / "data" / "open_releases.csv"
    text = releases.read_text(encoding="utf-8")
    releases.write_text(text.replace("with use restrictions", "with some use restrictions", 1))
    second = build_in(warm_book)
    assert second.returncode == 0, second.stderr[-4000:]
    current_version = wheel.wheel_version(warm_book)
    assert current_version != saved_version
    published = {p.name for p in (paths.html / notebooks.WHEEL_DIR).glob("*.whl")}
    assert f"frontierbook-{saved_version}-py3-none-any.whl" in published
    assert f"frontierbook-{current_version}-py3-none-any.whl" in published

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(paths.html))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reader_env = {**env, "BOOK_SITE_URL": f"http://127.0.0.1:{server.server_address[1]}/"}
    python = str(fresh / "bin" / "python")

    def run_saved() -> tuple[str, str]:
        subprocess.run(
            [python, "-m", "pip", "uninstall", "--yes", "--quiet", "frontierbook"],
            env=reader_env,
            capture_output=True,
        )
        run = subprocess.run(
            [python, "-c", RUN_NOTEBOOKS, str(saved)],
            cwd=saved.parent,
            env=reader_env,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr[-5000:]
        executed = json.loads(saved.read_text(encoding="utf-8"))
        printed = "".join(
            "".join(o.get("text", "")) for o in executed["cells"][0].get("outputs", [])
        )
        version = subprocess.run(
            [python, "-c", "import importlib.metadata as m; print(m.version('frontierbook'))"],
            env=reader_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return version, printed

    try:
        version, printed = run_saved()
        assert version == saved_version and "data has changed" not in printed
        # A site that no longer has it (published before wheels were kept, say).
        (
            paths.html / notebooks.WHEEL_DIR / f"frontierbook-{saved_version}-py3-none-any.whl"
        ).unlink()
        version, printed = run_saved()
        assert version == current_version
        assert "the book's data has changed since this notebook was saved" in printed
        assert saved_version in printed and current_version in printed
    finally:
        server.shutdown()
        subprocess.run(
            [python, "-m", "pip", "uninstall", "--yes", "--quiet", "frontierbook"],
            env=reader_env,
            capture_output=True,
        )
