"""Running a chapter at other parameters: the what-if a reader tries in Jupyter.

Each chapter's parameters cell says, after each parameter, the values a reader might try
("...; try 1.0 to 4.0"): a low and a high end. :func:`what_if_ranges` reads them, and
:func:`run_variants` runs the chapter once per set of parameters, injected as papermill
injects them, in one kernel per chapter (the imports and the kernel's start are paid once),
recording every number the chapter publishes (its text, value and the parameters its
provenance names) and every chart it draws.

``python -m tests.whatif OUT.json DOCNAME [DOCNAME ...]`` runs the default and every
parameter at each end for the chapters named, and writes the results as JSON; the tests
start one such process per core.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontierbook.paths import ROOT

GLUE_PREFIX = "application/papermill.record/"
VALUE_MIME = "application/vnd.frontierbook.value+json"
PROVENANCE_MIME = "application/vnd.frontierbook.provenance+json"
SVG_MIME = "image/svg+xml"
# "...; try 1.0 to 4.0" at the end of a parameter's comment: its low and high ends.
TRY = re.compile(r";\s*try\s+(?P<low>.+?)\s+to\s+(?P<high>.+?)\s*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    low: Any
    high: Any


def parameters_source(docname: str) -> str | None:
    import jupytext

    notebook = jupytext.read(ROOT / f"{docname}.md")
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            return cell.source
    return None


def what_if_ranges(docname: str) -> dict[str, Parameter]:
    """Every parameter of ``docname``'s parameters cell with the ends its comment gives."""
    source = parameters_source(docname)
    if source is None:
        return {}
    lines = source.splitlines()
    found = {}
    for statement in ast.parse(source).body:
        if not isinstance(statement, ast.Assign):
            raise ValueError(f"{docname}: the parameters cell holds {ast.unparse(statement)!r}")
        (target,) = statement.targets
        line = lines[statement.lineno - 1]
        comment = line.split("#", 1)[1] if "#" in line else ""
        match = TRY.search(comment)
        if match is None:
            raise ValueError(f"{docname}: {target.id} has no '; try LOW to HIGH' in {line!r}")
        low, high = (ast.literal_eval(match[end]) for end in ("low", "high"))
        default = ast.literal_eval(statement.value)
        found[target.id] = Parameter(target.id, default, low, high)
    return found


def variants(docname: str) -> list[tuple[str, dict[str, Any]]]:
    """("default", {}) and, for each parameter, ("name=low", ...) and ("name=high", ...)."""
    runs: list[tuple[str, dict[str, Any]]] = [("default", {})]
    for parameter in what_if_ranges(docname).values():
        for end in ("low", "high"):
            value = getattr(parameter, end)
            # papermill writes a list as a list, a tuple as a string.
            value = list(value) if isinstance(value, tuple) else value
            runs.append((f"{parameter.name}={end}", {parameter.name: value}))
    return runs


def _record(outputs: list, numbers: dict, charts: dict, figure: str | None) -> None:
    for output in outputs:
        if output.get("output_type") == "error":
            raise RuntimeError("\n".join(output.get("traceback", []))[-3000:])
        data = output.get("data", {})
        name = output.get("metadata", {}).get("scrapbook", {}).get("name")
        if name:
            provenance = data.get(GLUE_PREFIX + PROVENANCE_MIME) or {}
            numbers[name] = {
                "text": data.get(GLUE_PREFIX + "text/plain", ""),
                "value": data.get(GLUE_PREFIX + VALUE_MIME),
                "params": [parameter["name"] for parameter in provenance.get("params", [])],
            }
        elif figure and SVG_MIME in data:
            charts[figure] = data[SVG_MIME]


def run_variants(docname: str, runs: list[tuple[str, dict[str, Any]]]) -> dict[str, dict]:
    """``{run name: {"numbers": {name: {"text", "value"}}, "charts": {figure: svg}}}``,
    each run the whole chapter with its parameters injected after the parameters cell."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    source = jupytext.read(ROOT / f"{docname}.md")
    source.metadata.setdefault("papermill", {})
    for cell in source.cells:
        cell.metadata.setdefault("tags", [])
    client = NotebookClient(copy.deepcopy(source), timeout=600, kernel_name="python3")
    client.allow_errors = True
    results: dict[str, dict] = {}
    with client.setup_kernel(cwd=str(ROOT / Path(docname).parent)):
        for run_name, parameters in runs:
            notebook = parameterize_notebook(
                copy.deepcopy(source), parameters, kernel_name="python3", language="python"
            )
            # A clean namespace per run: nothing one run defined can stand in for another's.
            reset = nbformat.v4.new_code_cell("%reset -f")
            client.nb = notebook
            numbers: dict[str, dict] = {}
            charts: dict[str, str] = {}
            client.execute_cell(reset, 0)
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                client.execute_cell(cell, index)
                figure = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
                try:
                    _record(cell.outputs, numbers, charts, figure)
                except RuntimeError as error:
                    raise RuntimeError(f"{docname} at {run_name}: {error}") from None
            results[run_name] = {"parameters": parameters, "numbers": numbers, "charts": charts}
    return results


def main(argv: list[str]) -> None:
    out, docnames = Path(argv[0]), argv[1:]
    results = {docname: run_variants(docname, variants(docname)) for docname in docnames}
    out.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
