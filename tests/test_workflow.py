"""The GitHub workflows and the repository's metadata, checked offline with real tools.

zizmor (a security linter for GitHub Actions) must report no finding at its strictest persona,
auditor, with nothing suppressed (no configuration file, no ignore comment);
check-jsonschema validates each file against its published schema (bundled with the tool);
shellcheck checks every `run:` block as the runner's bash would run it. Each tool is also
shown a known-bad input, so these tests cannot pass because a tool silently did nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from frontierbook.paths import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
DEPENDABOT = GITHUB / "dependabot.yml"
CITATION = ROOT / "CITATION.cff"
# The venv's own copies: pinned in requirements.txt, installed by `make test`.
TOOLS = Path(sys.executable).parent
# GitHub runs a `shell: bash` step as `bash --noprofile --norc -eo pipefail {0}`.
BASH_PREAMBLE = "#!/usr/bin/env bash\nset -eo pipefail\n"


def _tool(name: str, *args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    path = shutil.which(name, path=str(TOOLS))
    assert path, f"{name} is not installed in {TOOLS}: run `make venv`"
    return subprocess.run(
        [path, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _zizmor(root: Path) -> subprocess.CompletedProcess[str]:
    return _tool(
        "zizmor",
        "--persona=auditor",
        "--offline",
        "--no-progress",
        "--color=never",
        "--collect=workflows,dependabot",
        ".",
        cwd=root,
    )


def test_there_are_workflows_to_check() -> None:
    assert [p.name for p in WORKFLOWS] == ["book.yml", "links.yml"]


def test_zizmor_finds_nothing() -> None:
    result = _zizmor(ROOT)
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout
    for path in [*WORKFLOWS, DEPENDABOT]:
        assert f"completed ./{path.relative_to(ROOT)}" in result.stderr
    # Nothing is hidden from it: no configuration that ignores a finding, no ignore comment.
    assert not [p.name for p in [ROOT, GITHUB] for p in p.glob("*zizmor.y*ml")]
    for path in [*WORKFLOWS, DEPENDABOT]:
        assert "zizmor: ignore" not in path.read_text(encoding="utf-8"), path.name


def test_zizmor_fails_on_an_unpinned_action_and_a_persisted_token(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: actions/upload-artifact@v4\n        with:\n          path: .\n",
        encoding="utf-8",
    )
    result = _zizmor(tmp_path)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "artipacked" in result.stdout


def test_zizmor_as_auditor_fails_on_a_tagged_image_and_a_job_without_concurrency(
    tmp_path: Path,
) -> None:
    # Both are findings only the auditor persona reports: the check runs at that persona.
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    permissions: {}\n    timeout-minutes: 5\n    container:\n"
        "      image: python:3.11-bookworm\n    steps:\n      - run: 'true'\n",
        encoding="utf-8",
    )
    result = _zizmor(tmp_path)
    assert result.returncode != 0
    assert "unpinned-images" in result.stdout and "concurrency-limits" in result.stdout


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.dependabot", [DEPENDABOT]),
        ("vendor.citation-file-format", [CITATION]),
    ],
    ids=["workflows", "dependabot", "citation"],
)
def test_files_match_their_schema(schema: str, paths: list[Path]) -> None:
    result = _tool("check-jsonschema", "--builtin-schema", schema, *paths)
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_fails_on_a_malformed_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    # `runs-on` misspelt: GitHub rejects the whole file.
    bad.write_text(
        "on: push\njobs:\n  build:\n    run-on: ubuntu-latest\n    steps:\n      - run: true\n",
        encoding="utf-8",
    )
    result = _tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", bad)
    assert result.returncode != 0
    assert "run-on" in result.stdout + result.stderr


def _run_blocks() -> list[tuple[str, str]]:
    """(name, script) for every `run:` block of every workflow."""
    blocks = []
    for path in WORKFLOWS:
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job_id, job in flow["jobs"].items():
            shell = job.get("defaults", {}).get("run", {}).get("shell", "bash")
            for index, step in enumerate(job["steps"]):
                if "run" not in step:
                    continue
                assert step.get("shell", shell) == "bash", f"{path.name} {job_id}: not bash"
                name = f"{path.name}:{job_id}:{step.get('name', index)}"
                blocks.append((name, step["run"]))
    return blocks


RUN_BLOCKS = _run_blocks()


def _shellcheck(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # An expression that GitHub substitutes before bash runs becomes a plain word.
    body = re.sub(r"\$\{\{.*?\}\}", "GITHUB_EXPRESSION", script)
    file = tmp_path / "step.sh"
    file.write_text(BASH_PREAMBLE + body, encoding="utf-8")
    return _tool("shellcheck", "--shell=bash", "--severity=style", file)


@pytest.mark.parametrize(("name", "script"), RUN_BLOCKS, ids=[n for n, _ in RUN_BLOCKS])
def test_run_block_passes_shellcheck(name: str, script: str, tmp_path: Path) -> None:
    result = _shellcheck(script, tmp_path)
    assert result.returncode == 0, f"{name}:\n{result.stdout}"


def test_shellcheck_fails_on_an_unquoted_variable(tmp_path: Path) -> None:
    result = _shellcheck('cd $GITHUB_WORKSPACE\nrm -rf "$dir"/*\n', tmp_path)
    assert result.returncode != 0
    assert "SC2086" in result.stdout
