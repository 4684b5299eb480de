"""Bad input fails loudly: every kind of broken CSV raises an error naming file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from frontierbook.data import DataError, load_table, validate_all


def _load(data: Path, name: str = "v3_stages") -> pd.DataFrame:
    return load_table(name, data_dir=data, bib_path=data.parent / "references.bib")


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(data: Path, name: str = "v3_stages") -> str:
    with pytest.raises(DataError) as caught:
        _load(data, name)
    return str(caught.value)


def test_all_tables_load_and_are_typed() -> None:
    tables = validate_all()
    assert set(tables) >= {"events", "v3_stages", "cost_ledger"}
    events = tables["events"]
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    assert str(events["as_reported"].dtype) == "boolean"
    assert pd.api.types.is_integer_dtype(tables["v3_stages"]["h800_gpu_hours"])
    assert pd.api.types.is_float_dtype(tables["cost_ledger"]["low_usd"])


# Each case: (table, how to break it, the row named, the column named, words in the message).
CASES = {
    "text in a numeric column": (
        "v3_stages",
        lambda p: _rewrite(p, ",119000,", ",lots,"),
        3,
        "h800_gpu_hours",
        "wrong type",
    ),
    "negative value": (
        "v3_stages",
        lambda p: _rewrite(p, ",5000,", ",-5000,"),
        4,
        "h800_gpu_hours",
        "minimum",
    ),
    "unparseable date": (
        "events",
        lambda p: _rewrite(p, "2024-12-26,", "2024-12-32,"),
        8,
        "date",
        "date",
    ),
    "duplicate key": (
        "v3_stages",
        lambda p: _rewrite(p, "Post-training,3", "Pre-training,3"),
        4,
        "stage",
        "duplicate primary key",
    ),
    "blank source": (
        "v3_stages",
        lambda p: _rewrite(p, "5000,10000,deepseek2024v3", "5000,10000,"),
        4,
        "source",
        "required",
    ),
    "source key not in references.bib": (
        "v3_stages",
        lambda p: _rewrite(p, "5000,10000,deepseek2024v3", "5000,10000,nosuchkey2099"),
        4,
        "source",
        "unknown reference",
    ),
    "model whose training GPU is not in the chips table": (
        "models",
        lambda p: _rewrite(p, ",2048,h800,", ",2048,h999,"),
        9,
        "gpu",
        "unknown reference",
    ),
    "estimate for a model not in the models table": (
        "training_runs",
        lambda p: _rewrite(p, "gpt-4-flop,GPT-4,", "gpt-4-flop,GPT-5,"),
        2,
        "model",
        "unknown reference",
    ),
    "value outside the allowed set": (
        "v3_stages",
        lambda p: _rewrite(p, ",reported,Table 1: 5K", ",guess,Table 1: 5K"),
        4,
        "kind",
        "enum",
    ),
    "missing column": (
        "v3_stages",
        lambda p: p.write_text(
            "\n".join(
                ",".join(line.split(",")[:5] + line.split(",")[6:])
                for line in p.read_text().splitlines()
            )
            + "\n"
        ),
        1,
        "kind",
        "missing column",
    ),
    "unknown extra column": (
        "v3_stages",
        lambda p: p.write_text(
            "\n".join(
                line + (",extra" if i == 0 else ",1")
                for i, line in enumerate(p.read_text().splitlines())
            )
            + "\n"
        ),
        1,
        "extra",
        "unknown extra column",
    ),
    "bytes that are not valid UTF-8": (
        "v3_stages",
        lambda p: p.write_bytes(p.read_bytes().replace(b"Post-training", b"Post-tr\xffining")),
        4,
        "stage",
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_value_names_file_row_and_column(data_copy: Path, case: str) -> None:
    table, corrupt, row, column, words = CASES[case]
    corrupt(data_copy / f"{table}.csv")
    message = _error(data_copy, table)
    assert f"data/{table}.csv" in message
    assert f"row {row}," in message
    assert f"column '{column}'" in message
    assert words.lower() in message.lower()


@pytest.mark.parametrize(
    "case, content, row",
    [("empty file", b"", 1), ("header-only file", None, 2)],
)
def test_tables_without_data_rows_fail(data_copy: Path, case: str, content, row: int) -> None:
    path = data_copy / "v3_stages.csv"
    if content is None:
        content = path.read_bytes().splitlines(keepends=True)[0]
    path.write_bytes(content)
    message = _error(data_copy)
    assert "data/v3_stages.csv" in message
    assert f"row {row}," in message
    assert "column - (whole row)" in message
    assert ("empty" if case == "empty file" else "no data rows") in message


def test_missing_file_names_the_file(data_copy: Path) -> None:
    (data_copy / "v3_stages.csv").unlink()
    message = _error(data_copy)
    assert "data/v3_stages.csv" in message
    assert "row - (whole file)" in message and "column -" in message
    assert "file not found" in message


def test_every_problem_is_listed_not_just_the_first(data_copy: Path) -> None:
    path = data_copy / "v3_stages.csv"
    _rewrite(path, ",119000,", ",lots,")
    _rewrite(path, ",5000,", ",-5000,")
    with pytest.raises(DataError) as caught:
        _load(data_copy)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "h800_gpu_hours"),
        (4, "h800_gpu_hours"),
    ]


def test_every_table_declares_provenance_columns() -> None:
    from frontierbook.paths import DATA_DIR

    package = json.loads((DATA_DIR / "datapackage.json").read_text())
    for resource in package["resources"]:
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert {"source", "kind", "note"} <= set(fields), resource["name"]
        assert fields["source"]["constraints"]["required"] is True, resource["name"]
        assert fields["kind"]["constraints"]["enum"] == ["reported", "estimate", "derived"]


def test_every_csv_is_described_and_every_description_has_a_csv() -> None:
    from frontierbook.paths import DATA_DIR

    package = json.loads((DATA_DIR / "datapackage.json").read_text())
    described = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in DATA_DIR.glob("*.csv")}
    assert described == on_disk


def test_remembered_validation_never_hides_a_later_error(data_copy: Path) -> None:
    _load(data_copy)  # valid: remembered under _build/
    path = data_copy / "v3_stages.csv"
    _rewrite(path, ",119000,", ",lots,")
    assert "row 3, column 'h800_gpu_hours'" in _error(data_copy)
    _rewrite(path, ",lots,", ",119000,")
    _load(data_copy)
    # A change to a table that a foreign key points to is a change to this table's inputs.
    bib = data_copy.parent / "references.bib"
    bib.write_text(bib.read_text().replace("@misc{deepseek2024v3,", "@misc{renamed2024v3,"))
    assert "unknown reference" in _error(data_copy)


def test_unchanged_data_loads_without_importing_frictionless(data_copy: Path) -> None:
    import subprocess
    import sys

    _load(data_copy, "chips")
    code = (
        "import sys; from pathlib import Path; from frontierbook.data import load_table; "
        f"d = Path({str(data_copy)!r}); load_table('chips', d, d.parent / 'references.bib'); "
        "print('frictionless' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
