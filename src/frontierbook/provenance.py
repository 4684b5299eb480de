"""Where a published number comes from: the data rows, the arithmetic and the parameters.

:func:`frontierbook.text.glue_text` calls :func:`record` when a chapter publishes a number
with ``rows=``, ``how=`` and ``params=``. The rows are the DataFrames or row Series the chapter
actually used: each carries ``attrs["table"]`` (set by :func:`frontierbook.data.load_table`),
and the schema's primary key names each row. Every row's ``source`` and ``kind`` are looked
up in ``data/`` itself, never taken from the chapter, so a chapter cannot misstate them.

The record travels in the glue output's MIME bundle (:data:`PROVENANCE_MIME`); the book
reads it from the executed notebook (see :mod:`sitebuilder.numbers`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from numbers import Number
from pathlib import Path
from typing import Any

import pandas as pd

from frontierbook.i18n import _, data_text
from frontierbook.inputs import descriptor
from frontierbook.paths import DATA_DIR
from frontierbook.reads import record_read

PROVENANCE_MIME = "application/vnd.frontierbook.provenance+json"

# Numbers that need no data row: pure unit conversions and counting words, whose value is
# fixed by arithmetic rather than by any source. Keep this list short; anything a source
# could dispute needs rows.
WITHOUT_INPUTS: dict[str, str] = {}


class ProvenanceError(ValueError):
    """A number's provenance names something that is not in ``data/``."""


def _key_text(value: Any) -> str:
    """A primary-key value as the CSV spells it, so frame values and CSV cells compare."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Number) and not isinstance(value, bool):
        number = float(value)  # type: ignore[arg-type]
        if math.isfinite(number) and number == int(number):
            return str(int(number))
        return repr(number)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _cell_key(text: str) -> str:
    try:
        return _key_text(float(text))
    except ValueError:
        return text


_TABLE_CACHE: dict[tuple[str, str, int], dict[tuple[str, ...], dict[str, str]]] = {}


def _table_rows(table: str, data_dir: Path) -> tuple[list[str], dict[tuple[str, ...], dict]]:
    """The table's primary key and its rows by key, read from the CSV as it is now."""
    resources = {r["name"]: r for r in descriptor(data_dir)["resources"]}
    if table not in resources:
        raise ProvenanceError(f"no table named {table!r} in {data_dir / 'datapackage.json'}")
    spec = resources[table]
    primary_key = list(spec["schema"].get("primaryKey", []))
    path = Path(data_dir) / spec["path"]
    record_read(table)
    stamp = (str(path), path.stat().st_mtime_ns, path.stat().st_size)
    if stamp not in _TABLE_CACHE:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        _TABLE_CACHE[stamp] = {tuple(_cell_key(r[k]) for k in primary_key): r for r in rows}
    return primary_key, _TABLE_CACHE[stamp]


def _table_of(used: pd.DataFrame | pd.Series) -> str:
    table = used.attrs.get("table")
    if not table:
        raise ProvenanceError(
            "a number's rows must come from load_table (their attrs name the table); "
            f"got a {type(used).__name__} without attrs['table']"
        )
    return table


def _keys_of(used: pd.DataFrame | pd.Series, primary_key: list[str]) -> list[tuple]:
    """The primary-key values of the rows in ``used``, whether the key is in columns or index."""
    if isinstance(used, pd.DataFrame):
        if all(k in used.columns for k in primary_key):
            return [tuple(row) for row in used[primary_key].itertuples(index=False)]
        if list(used.index.names) == primary_key:
            return [v if isinstance(v, tuple) else (v,) for v in used.index]
        raise ProvenanceError(
            f"rows of {_table_of(used)!r} lost their primary key {primary_key}: keep it as "
            "columns or as the index"
        )
    # A row Series is indexed by the table's fields (every table has ``source``); a column
    # is indexed by rows, and would not say which of them the number used.
    is_row = "source" in used.index
    if is_row and all(k in used.index for k in primary_key):
        return [tuple(used[k] for k in primary_key)]
    if is_row and len(primary_key) == 1 and used.name is not None:
        return [(used.name,)]  # one row of a frame indexed by its key
    raise ProvenanceError(
        f"cannot tell which rows of {_table_of(used)!r} this Series holds: pass the rows "
        "(a DataFrame, or one row with its key) rather than a bare column"
    )


RowRef = pd.DataFrame | pd.Series | tuple

# How a reader names a row of each table in a popover: a template over the row's fields.
# A table missing here is named by its primary key.
ROW_NAMES: dict[str, str] = {
    "events": "{title}",
    "v3_stages": "{stage}",
    "cost_ledger": "{item}",
    "chips": "{vendor} {chip}",
    "export_thresholds": "{rule}, {paragraph}",
    "diffusion_tiers": "Tier {tier} {provision}",
    "models": "{model}",
    "training_runs": "{model}, {basis}",
    "api_prices": "{model}, {provider} API",
    "scaling_rates": "{quantity}",
    "cost_inputs": "{quantity}",
    "reasoning_benchmarks": "{model} on {benchmark}",
    "open_releases": "{model}",
    "scaling_law_fits": "{label}",
    "claims": "{who}",
    "sweeps": "the sweep of {topic}",
    "corrections": "{correction_id}",
}


def _primary_key(table: str, data_dir: Path = DATA_DIR) -> list[str]:
    resources = {r["name"]: r for r in descriptor(data_dir)["resources"]}
    if table not in resources:
        raise ProvenanceError(f"no table named {table!r} in {data_dir / 'datapackage.json'}")
    return list(resources[table]["schema"].get("primaryKey", []))


def table_row(table: pd.DataFrame, key: Any) -> pd.Series:
    """The row of ``table`` (a frame from ``load_table``, indexed by its key or not) whose
    primary key is ``key`` (a tuple for a key of several fields), with every field."""
    name = _table_of(table)
    primary_key = _primary_key(name)
    frame = table.reset_index() if list(table.index.names) == primary_key else table
    keys = key if isinstance(key, tuple) else (key,)
    match = pd.Series(True, index=frame.index)
    for field, value in zip(primary_key, keys, strict=True):
        match &= frame[field] == value
    found = frame[match]
    if len(found) != 1:
        raise ProvenanceError(f"{name} has no row with {dict(zip(primary_key, keys, strict=True))}")
    row = found.iloc[0]
    row.attrs["table"] = name
    return row


def row_name(row: pd.Series) -> str:
    """The row as a reader knows it: 'DeepSeek-V3', 'Nvidia H20', '2023 rule, 3A090.b'."""
    table = _table_of(row)
    template = ROW_NAMES.get(table)
    if template is None:
        return ", ".join(_key_text(row[k]) for k in _primary_key(table))
    return template.format(**{k: _key_text(v) for k, v in row.items()})


def column_label(table: str, column: str, data_dir: Path = DATA_DIR) -> str:
    """A column as a reader knows it, in the current language: its ``title`` in
    ``datapackage.json``, else its description without the closing parenthesis
    ('Pre-training tokens')."""
    for resource in descriptor(data_dir)["resources"]:
        if resource["name"] == table:
            for field in resource["schema"]["fields"]:
                if field["name"] == column:
                    if field.get("title"):
                        return data_text(field["title"])
                    if not field.get("description"):
                        return column
                    text = data_text(field["description"])
                    return text.split(" (")[0] if text.endswith(")") else text
    raise ProvenanceError(f"data/{table}.csv has no column {column!r}")


def _lower_first(text: str) -> str:
    # 'Low estimate' -> 'low estimate', but an acronym or a chip name keeps its capitals.
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def cell_how(row: pd.Series, column: str | tuple[str, str], label: str | None = None) -> str:
    """How a number read from one cell (or a low-high pair) was found, in words:
    'Pre-training tokens: DeepSeek-V3', 'Low estimate to high estimate: R&D staff for V3'."""
    table = _table_of(row)
    if label is None and isinstance(column, tuple):
        low, high = (column_label(table, c) for c in column)
        label = _("{low} to {high}").format(low=low, high=_lower_first(high))
    elif label is None:
        label = column_label(table, column)
    return f"{label}: {row_name(row)}"


def input_rows(used: Iterable[RowRef] | RowRef, data_dir: Path = DATA_DIR) -> list[dict]:
    """Each row named by ``used``: its table, primary key, ``source`` and ``kind``.

    ``used`` is a DataFrame, a row Series, a ``(table, key)`` tuple (the key a value, a
    tuple in primary-key order, or a dict by field name), or a list of these.
    Raises :class:`ProvenanceError` for a row that is not in ``data/``.
    """
    if isinstance(used, (pd.DataFrame, pd.Series, tuple)):
        used = [used]
    found: dict[tuple[str, tuple], dict] = {}
    for item in used:
        if isinstance(item, tuple):
            table, key = item
            keys = [key if isinstance(key, tuple | dict) else (key,)]
        else:
            table = _table_of(item)
            keys = None
        primary_key, rows = _table_rows(table, data_dir)
        if keys is not None and isinstance(keys[0], dict):  # a recorded key, by field name
            keys = [tuple(keys[0].get(k) for k in primary_key)]
        if keys is None:
            keys = _keys_of(item, primary_key)
        for key in keys:
            text_key = tuple(_key_text(v) for v in key)
            row = rows.get(text_key)
            if row is None:
                where = dict(zip(primary_key, text_key, strict=True))
                raise ProvenanceError(f"data/{table}.csv has no row with {where}")
            found[(table, text_key)] = {
                "table": table,
                "key": {k: row[k] for k in primary_key},
                "source": row["source"],
                "kind": row["kind"],
            }
    if not found:
        raise ProvenanceError("a number's rows are empty: name the rows it was computed from")
    return list(found.values())


def _named_values(values: Mapping[str, Any] | Iterable[str] | None, what: str) -> list[dict]:
    if values is None:
        return []
    if isinstance(values, str):
        raise ProvenanceError(f"{what} is a list of names or a mapping, not one string")
    if isinstance(values, Mapping):
        return [{"name": k, "value": _value_text(v)} for k, v in values.items()]
    return [{"name": k} for k in values]


def _value_text(value: Any) -> str:
    if isinstance(value, tuple):  # a range
        return "–".join(_key_text(v) for v in value)
    if isinstance(value, list):
        return ", ".join(_key_text(v) for v in value)
    return _key_text(value)


def record(
    rows: Iterable[RowRef] | RowRef | None,
    how: str,
    params: Mapping[str, Any] | Iterable[str] | None = None,
    data_dir: Path = DATA_DIR,
    assumptions: Mapping[str, Any] | None = None,
) -> dict:
    """The provenance of one number: its input rows, how it was computed, the chapter
    parameters it depends on (names, or names and values), and any fixed assumption of the
    package it uses (a constant such as ``frontierbook.cost.PLAUSIBLE_UTILISATION``, which
    has no data row: name and value)."""
    if not how or not how.strip():
        raise ProvenanceError("say in one line how the number was computed (how=...)")
    parameters = _named_values(params, "params")
    fixed = _named_values(assumptions, "assumptions")
    if rows is None and not parameters and not fixed:
        raise ProvenanceError(
            "a number needs the rows, the parameters or the assumptions it comes from"
        )
    return {
        "how": how.strip(),
        "rows": [] if rows is None else input_rows(rows, data_dir),
        "params": parameters,
        "assumptions": fixed,
    }
