"""Load the book's CSV tables, validated against ``data/datapackage.json``.

Validation is Frictionless's: types, constraints, primary and foreign keys. The ``source``
column of every table, and each other column that names a source (:data:`SOURCE_FIELDS`), is
a foreign key into a ``references`` table that this module builds from ``references.bib``, so
an unknown citation key is caught like any other bad value.
Every failure is raised as one :class:`DataError` naming the file, the row and the column.

Pandas must read exactly what Frictionless validated, so the book fixes the CSV dialect and
the spelling of every typed cell instead of letting either library guess:

- comma-separated, UTF-8 (a byte-order mark is allowed), ``\n`` or ``\r\n`` line ends,
  ``"`` quoting with doubled quotes inside;
- integer ``-?[0-9]+``; number ``-?[0-9]+(.[0-9]+)?(e[+-]?[0-9]+)?``, so no ``inf``, ``nan``,
  digit separators, ``+`` or spaces; boolean ``true`` or ``false``; date ``YYYY-MM-DD``
  between 2015-01-01 and the end of the year after the build; year the same range;
- free text (a string column with no ``enum`` or ``pattern``) may not begin with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return: a spreadsheet would run it as a formula;
- no cell holds more than :data:`MAX_CELL_CHARS` characters, a control character or an
  invisible text-direction control (which can make a cell read differently from what it
  holds).

Anything else is a :class:`DataError` naming file, row and column. As a last guard the
DataFrame is compared with the raw cells: an empty cell and only an empty cell is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from frontierbook.inputs import SOURCE_FIELDS, InputError, bib_keys, descriptor, shown_path
from frontierbook.paths import BIB_PATH, DATA_DIR
from frontierbook.reads import PACKAGE, build_year, record_read, record_year, validated_dir

PROVENANCE_FIELDS = ("source", "kind", "note")
KINDS = ("reported", "estimate", "derived")


@dataclass(frozen=True)
class Problem:
    """One violation: where it is and what is wrong."""

    file: str
    row: int | None  # line number in the file, header = 1; None when the file itself is wrong
    column: str | None
    message: str

    def __str__(self) -> str:
        row = f"row {self.row}" if self.row is not None else "row - (whole file)"
        column = f"column '{self.column}'" if self.column else "column - (whole row)"
        return f"{self.file}, {row}, {column}: {self.message}"


class DataError(InputError):
    """A table in ``data/`` broke its schema. The message lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"invalid data in {problems[0].file}:\n{shown}{more}")


def _descriptor(data_dir: Path) -> dict:
    return descriptor(data_dir)


def _schema_fields(resource: dict) -> list[dict]:
    return resource["schema"]["fields"]


def _relpath(path: Path, data_dir: Path) -> str:
    """'data/events.csv': the path as a maintainer sees it from the repository root."""
    return str(path.relative_to(data_dir.parent))


# The longest cell in the book's data is under 1,000 characters; a cell this long is a
# mistake (a pasted document), and far longer ones would stop the csv module itself.
MAX_CELL_CHARS = 5_000


@contextmanager
def _any_field_size():
    """Let the csv module read a cell of any length, so its length can be reported."""
    old = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _oversized_cells(text: str, label: str, columns: list[str]) -> list[Problem]:
    problems = []
    with _any_field_size():
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error:
            return []  # reported with its line by _check_cells
    header = rows[0] if rows and all(len(c) <= MAX_CELL_CHARS for c in rows[0]) else columns
    for row_number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            if len(cell) > MAX_CELL_CHARS:
                column = header[index] if index < len(header) else None
                problems.append(
                    Problem(
                        label,
                        row_number,
                        column,
                        f"cell of {len(cell):,} characters: a cell holds at most "
                        f"{MAX_CELL_CHARS:,}",
                    )
                )
    return problems


def _check_bytes(path: Path, label: str, columns: list[str]) -> list[Problem]:
    """Problems Frictionless reports without a row (missing, empty, not UTF-8, no data rows),
    and cells too long to check one by one."""
    if not path.is_file():
        return [Problem(label, None, None, "file not found")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line_no = raw.count(b"\n", 0, exc.start) + 1
        prefix = raw[line_start : exc.start].decode("utf-8", errors="replace")
        field_index = len(next(csv.reader([prefix]), [""])) - 1 if prefix else 0
        column = columns[field_index] if field_index < len(columns) else None
        return [
            Problem(
                label, line_no, column, f"bytes are not valid UTF-8 ({raw[exc.start : exc.end]!r})"
            )
        ]
    if not text.strip():
        return [Problem(label, 1, None, "file is empty: expected a header and data rows")]
    oversized = _oversized_cells(text.lstrip("\ufeff"), label, columns)
    if oversized:
        return oversized
    try:
        with _any_field_size():
            rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return []  # reported with its line by _check_cells
    if len([r for r in rows[1:] if any(cell.strip() for cell in r)]) == 0:
        return [Problem(label, 2, None, "header only: the table has no data rows")]
    return []


_SPELLINGS = {
    "integer": (re.compile(r"-?[0-9]+"), "a whole number written with digits only, like 42"),
    "number": (
        re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"),
        "a finite number like 1.5 or 2e9 (no inf, nan, spaces, '+' or digit separators)",
    ),
    "boolean": (re.compile(r"true|false"), "true or false, in lower case"),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "a date written YYYY-MM-DD"),
    "year": (re.compile(r"[0-9]{4}"), "a year written with four digits"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Embeddings, overrides and isolates: right-to-left text needs none of them.
_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIRST_YEAR = 2015
_OTHER_DELIMITERS = (";", "\t", "|")


def last_year() -> int:
    """The latest year a date may have: the year after the build's. Recorded as a read of
    the clock, so a page that shows it is rebuilt in a new year."""
    return record_year() + 1


def _last_valid_year() -> int:
    return build_year() + 1


def is_free_text(field: dict) -> bool:
    """A string column whose values are not limited to a list or a pattern."""
    constraints = field.get("constraints", {})
    return field.get("type", "string") == "string" and not (
        "enum" in constraints or "pattern" in constraints
    )


def _csv_rows(text: str) -> list[list[str]]:
    """The file as Python's csv module (and pandas) split it: commas, '"' quotes."""
    return [row for row in csv.reader(io.StringIO(text), strict=True) if row]


def _check_cell(field: dict, value: str) -> str | None:
    """What is wrong with one non-empty cell, or None."""
    kind = field.get("type", "string")
    control = _CONTROL.search(value)
    if control:
        return f"control character {control.group()!r} (value {value!r}): remove it"
    direction = _DIRECTION_CONTROL.search(value)
    if direction:
        return (
            f"invisible text-direction control U+{ord(direction.group()):04X} (value "
            f"{value!r}): it can make the cell read differently from what it holds; remove it"
        )
    if kind in _SPELLINGS:
        pattern, expected = _SPELLINGS[kind]
        if not pattern.fullmatch(value):
            return f"wrong type (value {value!r}): expected {expected}"
    if kind == "number" and not float(value) < float("inf"):
        return f"number too large (value {value!r}): it is infinite as a float"
    if kind in ("date", "year"):
        try:
            year = dt.date.fromisoformat(value).year if kind == "date" else int(value)
        except ValueError:
            return f"wrong type (value {value!r}): not a real calendar date"
        if not FIRST_YEAR <= year <= _last_valid_year():
            return (
                f"date out of range (value {value!r}): expected a year from {FIRST_YEAR} "
                f"to {_last_valid_year()}"
            )
    if is_free_text(field) and value.startswith(FORMULA_STARTS):
        return (
            f"starts with {value[0]!r} (value {value!r}): a spreadsheet would run it as a "
            "formula; reword it or begin with a letter"
        )
    return None


def _check_cells(text: str, label: str, fields: list[dict]) -> list[Problem]:
    """The fixed dialect and the strict spellings (see the module docstring)."""
    stray = re.search(r"\r(?!\n)", text)
    if stray:
        line = text.count("\n", 0, stray.start()) + 1
        return [Problem(label, line, None, "line ends with a lone carriage return: use \\n")]
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        # Blank rows are kept so that row numbers count as Frictionless counts them.
        with _any_field_size():
            rows = list(reader)
    except csv.Error as exc:
        return [Problem(label, reader.line_num, None, f"not a valid CSV file: {exc}")]
    header = rows[0]
    names = [f["name"] for f in fields]
    if len(header) == 1 and len(names) > 1:
        found = [d for d in _OTHER_DELIMITERS if d in header[0]]
        if found:
            return [
                Problem(label, 1, None, f"delimiter is {found[0]!r}: the book's CSVs use commas")
            ]
    by_name = {f["name"]: f for f in fields}
    problems = []
    for row_number, row in enumerate(rows[1:], start=2):
        for name, value in zip(header, row, strict=False):  # a blank row has no cells
            if name in by_name and value != "":
                wrong = _check_cell(by_name[name], value)
                if wrong:
                    problems.append(Problem(label, row_number, name, wrong))
    return problems


_TITLES = {
    "blank-row": "blank row: remove it",
    "primary-key": "duplicate primary key",
    "foreign-key": "unknown reference",
    "missing-label": "missing column",
    "extra-label": "unknown extra column",
    "incorrect-label": "column out of place",
    "type-error": "wrong type",
    "constraint-error": "constraint broken",
}


def _frictionless_problems(package, name: str, label: str, spec: dict) -> list[Problem]:
    resource = package.get_resource(name)
    report = resource.validate()
    problems = []
    primary_key = spec["schema"].get("primaryKey", [])
    blank_rows = {
        getattr(e, "row_number", None)
        for task in report.tasks
        for e in task.errors
        if e.type == "blank-row"
    }
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            if row in blank_rows and error.type != "blank-row":
                continue  # a blank row's empty key is the same problem again
            column = getattr(error, "field_name", None) or getattr(error, "label", None) or None
            if error.type == "primary-key":
                column = ", ".join(primary_key)
            elif error.type == "foreign-key":
                column = ", ".join(getattr(error, "field_names", []) or []) or None
                if column is None:
                    column = next(
                        (
                            ", ".join(fk["fields"])
                            for fk in spec["schema"].get("foreignKeys", [])
                            if fk["reference"]["resource"] in error.note
                        ),
                        None,
                    )
            if row is None and error.type.endswith("label"):
                row = 1
            cell = getattr(error, "cell", None)
            value = f" (value {cell!r})" if cell not in (None, "") else ""
            title = _TITLES.get(error.type, error.title)
            note = error.note.replace("the row at position", "row")
            problems.append(Problem(label, row, column, f"{title}{value}: {note}"))
    return problems


def _frictionless_report(
    data_dir: Path, bib_path: Path, name: str, label: str, spec: dict
) -> list[Problem]:
    """Frictionless's problems with one table. The descriptor was checked before
    (:mod:`frontierbook.inputs`); anything Frictionless still refuses is named the same way."""
    from frictionless import FrictionlessException

    try:
        _, package = _package(data_dir, bib_path)
        return _frictionless_problems(package, name, label, spec)
    except FrictionlessException as exc:
        note = getattr(getattr(exc, "error", None), "note", "") or str(exc)
        raise InputError(
            f"{shown_path(data_dir / 'datapackage.json')}, resource '{name}': {note}"
        ) from None


def _package(data_dir: Path, bib_path: Path):
    from frictionless import Package

    descriptor = _descriptor(data_dir)
    # The bibliography becomes an inline table so ``source`` can be a foreign key into it.
    references = {
        "name": "references",
        "data": [["key"], *[[k] for k in bib_keys(bib_path)]],
        "schema": {"fields": [{"name": "key", "type": "string"}], "primaryKey": ["key"]},
    }
    resources = []
    for resource in descriptor["resources"]:
        schema = dict(resource["schema"])
        names = {f["name"] for f in schema["fields"]}
        schema["foreignKeys"] = [
            *schema.get("foreignKeys", []),
            *(
                {"fields": [name], "reference": {"resource": "references", "fields": ["key"]}}
                for name in SOURCE_FIELDS
                if name in names
            ),
        ]
        schema["fields"] = [
            {**f, "trueValues": ["true"], "falseValues": ["false"]}
            if f.get("type") == "boolean"
            else f
            for f in schema["fields"]
        ]
        # The dialect pandas uses; left unset, Frictionless would sniff another delimiter.
        dialect = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
        resources.append({**resource, "schema": schema, "dialect": dialect})
    descriptor = {**descriptor, "resources": [*resources, references]}
    return descriptor, Package(descriptor, basepath=str(data_dir))


_PANDAS_TYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "year": "Int64",
}


def _frame_matching_cells(path: Path, label: str, fields: list[dict]) -> pd.DataFrame:
    """Pandas' reading of a validated table, checked cell by cell against the raw file."""
    try:
        frame = _typed_frame(path, fields)
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            [Problem(label, None, None, f"pandas cannot read what validation accepted: {exc}")]
        ) from None
    header, *body = _csv_rows(path.read_text(encoding="utf-8").lstrip("\ufeff"))
    problems = []
    if len(body) != len(frame):
        problems.append(
            Problem(label, None, None, f"pandas read {len(frame)} rows, the file has {len(body)}")
        )
    for column_index, name in enumerate(header):
        if name not in frame.columns:
            continue
        missing = frame[name].isna().tolist()
        for row_number, (row, na) in enumerate(zip(body, missing, strict=False), start=2):
            raw = row[column_index] if column_index < len(row) else ""
            if (raw == "") != na:
                problems.append(
                    Problem(label, row_number, name, f"pandas misread the value {raw!r}")
                )
    if problems:
        raise DataError(problems)
    return frame


def _typed_frame(path: Path, fields: list[dict]) -> pd.DataFrame:
    dtypes = {f["name"]: _PANDAS_TYPES[f["type"]] for f in fields if f["type"] in _PANDAS_TYPES}
    bools = [f["name"] for f in fields if f["type"] == "boolean"]
    frame = pd.read_csv(
        path,
        encoding="utf-8",
        sep=",",
        quotechar='"',
        doublequote=True,
        dtype={k: v for k, v in dtypes.items() if k not in bools} | {b: "string" for b in bools},
        keep_default_na=False,
        na_values=[""],
    )
    for name in bools:
        frame[name] = frame[name].str.lower().map({"true": True, "false": False}).astype("boolean")
    for field in fields:
        if field["type"] == "date":
            frame[field["name"]] = pd.to_datetime(frame[field["name"]], format="%Y-%m-%d")
    return frame


def table_names(data_dir: Path = DATA_DIR) -> list[str]:
    """Names of the tables described in the data package."""
    record_read(PACKAGE)
    return [r["name"] for r in _descriptor(data_dir)["resources"]]


def table_schema(name: str, data_dir: Path = DATA_DIR) -> dict:
    """The resource descriptor (path, title, description, schema) for one table."""
    for resource in _descriptor(data_dir)["resources"]:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no table named {name!r} in {data_dir / 'datapackage.json'}")


# Validation is a pure function of the table's bytes, its schema, the tables its foreign
# keys point to, the bibliography's keys, Frictionless's version and this module. Results
# are remembered in the folder the site builder names (frontierbook.reads), so a chapter
# that reruns with unchanged data skips Frictionless, whose import alone takes seconds; any
# change to an input is a new key.
def _validation_key(name: str, data_dir: Path, bib_path: Path) -> str | None:
    resources = {r["name"]: r for r in _descriptor(data_dir)["resources"]}
    spec = resources[name]
    involved = [name] + [
        fk["reference"]["resource"]
        for fk in spec["schema"].get("foreignKeys", [])
        if fk["reference"]["resource"] not in ("", name)
    ]
    digest = hashlib.sha256()
    digest.update(f"latest year {_last_valid_year()}".encode())
    digest.update(importlib.metadata.version("frictionless").encode())
    digest.update(Path(__file__).read_bytes())
    digest.update("\n".join(bib_keys(bib_path)).encode())
    for table in involved:
        if table not in resources or not (data_dir / resources[table]["path"]).is_file():
            return None
        digest.update(json.dumps(resources[table], sort_keys=True).encode())
        digest.update((data_dir / resources[table]["path"]).read_bytes())
    return digest.hexdigest()


def _already_valid(key: str | None) -> bool:
    folder = validated_dir()
    return key is not None and folder is not None and (folder / key).is_file()


def _remember_valid(key: str | None) -> None:
    folder = validated_dir()
    if key is not None and folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).touch()


def load_table(name: str, data_dir: Path = DATA_DIR, bib_path: Path = BIB_PATH) -> pd.DataFrame:
    """Validate one table against its schema and return it as a typed DataFrame.

    Raises :class:`DataError` naming the file, the row and the column of every problem.
    """
    data_dir = Path(data_dir)
    spec = table_schema(name, data_dir)
    path = data_dir / spec["path"]
    label = _relpath(path, data_dir)
    fields = _schema_fields(spec)
    problems = _check_bytes(path, label, [f["name"] for f in fields])
    key = None if problems else _validation_key(name, data_dir, Path(bib_path))
    if not problems and not _already_valid(key):
        text = path.read_bytes().decode("utf-8").lstrip("\ufeff")
        problems = _check_cells(text, label, fields)
        if not any(p.row is None or p.row == 1 and p.column is None for p in problems):
            # Frictionless runs on every file that parses; where a cell already has a
            # problem above, its report of the same cell would only repeat it.
            seen = {(p.row, p.column) for p in problems}
            found = _frictionless_report(data_dir, Path(bib_path), name, label, spec)
            problems += [p for p in found if (p.row, p.column) not in seen]
            problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        if not problems:
            _remember_valid(key)
    if problems:
        raise DataError(problems)
    frame = _frame_matching_cells(path, label, fields)
    record_read(name)
    _translate_cells(frame, name, fields)
    frame.attrs["table"] = name
    frame.attrs["path"] = label
    return frame


def _translate_cells(frame: pd.DataFrame, name: str, fields: list[dict]) -> None:
    """Free text a reader sees, in the current language: each column whose field says
    ``"translated": true`` (:mod:`frontierbook.i18n`)."""
    from frontierbook.i18n import SOURCE_LANGUAGE, cell_context, language, pgettext

    if language() == SOURCE_LANGUAGE:
        return
    for field in fields:
        if field.get("translated") and field["name"] in frame:
            context = cell_context(name, field["name"])
            frame[field["name"]] = frame[field["name"]].map(
                lambda text, c=context: pgettext(c, text) if isinstance(text, str) else text
            )


def validate_all(data_dir: Path = DATA_DIR, bib_path: Path = BIB_PATH) -> dict[str, pd.DataFrame]:
    """Load every table in the package; the first invalid one raises."""
    return {name: load_table(name, data_dir, bib_path) for name in table_names(data_dir)}
